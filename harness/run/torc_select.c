/*
 * torc_select.c - which vectors a run (or a list) keeps.
 *
 * After the loader (torc_vector_load_all) and before the run loop
 * (torc_run.c) or the listing of `torc list`: filters by id glob,
 * requirement, tag and exclusions, sorts by id and keeps one shard.
 * Sharding depends only on the sorted ids, so every CI job of a matrix
 * computes the same split and `torc merge` of the shards equals a full run.
 */
#include "torc_select.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int any_glob(const torc_strlist *l, const char *s) {
  size_t i;
  for (i = 0; i < l->n; i++)
    if (fnmatch(l->v[i], s, 0) == 0)
      return 1;
  return 0;
}

static int any_of(const torc_strlist *l, char *const *v, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (any_glob(l, v[i]))
      return 1;
  return 0;
}

static int keep(const torc_selection *sel, const torc_vector *v) {
  if (sel->ids.n && !any_glob(&sel->ids, v->id))
    return 0;
  if (sel->requirements.n &&
      !any_of(&sel->requirements, v->requirements, v->nrequirements))
    return 0;
  if (sel->tags.n && !any_of(&sel->tags, v->tags, v->ntags))
    return 0;
  if (any_glob(&sel->excludes, v->id))
    return 0;
  return 1;
}

static int cmp_id(const void *a, const void *b) {
  const torc_vector *x = *(torc_vector *const *)a;
  const torc_vector *y = *(torc_vector *const *)b;
  int c = strcmp(x->id, y->id);
  return c ? c : strcmp(x->path, y->path);
}

void torc_select_vectors(const torc_selection *sel, torc_vector *const *vs,
                         size_t n, torc_vector **out, size_t *n_out) {
  size_t i, k = 0, m = 0;
  for (i = 0; i < n; i++)
    if (keep(sel, vs[i]))
      out[k++] = vs[i];
  qsort(out, k, sizeof *out, cmp_id);
  if (sel->shard_count > 1) {
    for (i = 0; i < k; i++)
      if (i % sel->shard_count == sel->shard_index - 1)
        out[m++] = out[i];
    k = m;
  }
  *n_out = k;
}

void torc_selection_free(torc_selection *sel) {
  torc_strlist_free(&sel->ids);
  torc_strlist_free(&sel->requirements);
  torc_strlist_free(&sel->tags);
  torc_strlist_free(&sel->excludes);
}
