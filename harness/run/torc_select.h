/*
 * torc_select.h - interface for choosing the vectors a run (or a list)
 * keeps: by id glob, requirement, tag, exclusion and shard.
 *
 * Sits after the vector loader and before the run loop (torc_run.c) or the
 * listing of `torc list`.
 */
#ifndef TORC_SELECT_H
#define TORC_SELECT_H

#include <stddef.h>

#include "torc_strlist.h"
#include "torc_vector.h"

typedef struct torc_selection {
  torc_strlist ids;          /* id globs (any matches) */
  torc_strlist requirements; /* RCV ids or globs (any matches) */
  torc_strlist tags;         /* tags (any matches) */
  torc_strlist excludes;     /* id globs (none may match) */
  unsigned shard_index;      /* 1..shard_count; 0: no sharding */
  unsigned shard_count;
} torc_selection;

/* Fills sel_out (n_out) with the vectors of vs that the selection keeps,
 * sorted by id; shard i/N keeps every N-th of them starting at the i-th.
 * sel_out must hold n entries; the vectors stay owned by vs. */
void torc_select_vectors(const torc_selection *sel, torc_vector *const *vs,
                         size_t n, torc_vector **sel_out, size_t *n_out);
void torc_selection_free(torc_selection *sel);

#endif /* TORC_SELECT_H */
