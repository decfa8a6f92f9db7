/*
 * torc_vectorize_capture.c - one capture of `torc vectorize`: opened and
 * reassembled (harness/input: torc_capture_open, torc_flow_collect: only
 * the directions --flows keeps, at most VZ_MAX_DIRS at once), named
 * as vectors name it (the path relative to the repository, the link-type
 * tag), and every direction the filter keeps cut into per_flow vectors.
 *
 * Called by torc_vectorize.c for each capture in order; prints the
 * per-capture summary unless quiet.
 */
#include "torc_vectorize_int.h"

#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The capture path as vectors name it: relative to the repository holding
 * it (the nearest folder with .git) when the output is in that repository
 * too, else relative to the deepest folder holding both. */
static int capture_rel(const char *capture, const char *outparent, char *out,
                       size_t n) {
  char cap[PATH_MAX], par[PATH_MAX], root[PATH_MAX], probe[PATH_MAX + 8];
  size_t len, i, common = 0;
  if (!realpath(capture, cap) || !realpath(outparent, par))
    return -1;
  snprintf(root, sizeof root, "%s", cap);
  for (;;) {
    char *slash = strrchr(root, '/');
    if (!slash || slash == root)
      break;
    *slash = 0;
    snprintf(probe, sizeof probe, "%s/.git", root);
    if (access(probe, F_OK) == 0) {
      len = strlen(root);
      if (strncmp(par, root, len) == 0 && (par[len] == '/' || !par[len])) {
        snprintf(out, n, "%s", cap + len + 1);
        return 0;
      }
      break;
    }
  }
  for (i = 0; cap[i] && cap[i] == par[i]; i++)
    if (cap[i] == '/')
      common = i;
  if (!par[i] && cap[i] == '/')
    common = i;
  if (common == 0) {
    snprintf(out, n, "%s", cap);
    return 0;
  }
  snprintf(out, n, "%s", cap + common + 1);
  return 0;
}

int torc_vz_capture(vz_ctx *c, const char *capture, const char *outparent,
                    const torc_vectorize_filter *flt, unsigned per_flow) {
  torc_flow_capture *fc = NULL;
  torc_capture *tc = NULL;
  char err[1024], rel[PATH_MAX], stem[256], link[64];
  const char *base, *dn;
  char *dot;
  size_t i, flows = 0, before = c->written, dropped = c->dropped;
  torc_flow_options fo;
  unsigned k;
  int rc;
  if (torc_capture_open(capture, &tc, err, sizeof err) != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    return -1;
  }
  /* Only the directions the filter keeps (and their reverses) are
   * reassembled, at most VZ_MAX_DIRS at once. */
  memset(&fo, 0, sizeof fo);
  fo.max_dirs = VZ_MAX_DIRS;
  fo.want = torc_vz_filter_want;
  fo.want_user = flt;
  rc = torc_flow_collect(capture, &fo, 0, &fc, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    if (rc == TORC_FLOW_ERR_DIRS)
      fprintf(stderr,
              "torc vectorize: %s: more than %u TCP directions at once; "
              "choose flows with --flows\n",
              capture, VZ_MAX_DIRS);
    torc_capture_unref(tc);
    return -1;
  }
  if (capture_rel(capture, outparent, rel, sizeof rel) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", capture, strerror(errno));
    torc_flow_capture_free(fc);
    torc_capture_unref(tc);
    return -1;
  }
  base = strrchr(capture, '/');
  base = base ? base + 1 : capture;
  snprintf(stem, sizeof stem, "%s", base);
  dot = strrchr(stem, '.');
  if (dot && dot != stem)
    *dot = 0;
  dn = pcap_datalink_val_to_name(fc->dlt);
  snprintf(link, sizeof link, "link-%s", dn ? dn : "unknown");
  for (dot = link; *dot; dot++)
    *dot = (*dot >= 'A' && *dot <= 'Z') ? (char)(*dot - 'A' + 'a')
           : (*dot == '_')              ? '-'
                                        : *dot;
  c->cap_rel = rel;
  c->cap_sha = tc->sha256;
  c->cap_stem = stem;
  c->link_tag = link;
  for (i = 0; i < fc->ndirs; i++) {
    vz_flow fl;
    uint32_t rid = fc->dirs[i].info.reverse_id;
    if (!torc_vz_filter_match(flt, &fc->dirs[i].info))
      continue;
    if (torc_vz_flow_init(&fl, &fc->dirs[i],
                          rid < fc->ndirs ? &fc->dirs[rid] : NULL) != 0) {
      fprintf(stderr, "torc vectorize: %s: out of memory\n", capture);
      rc = -1;
      break;
    }
    flows++;
    c->flow_no++;
    for (k = 0; k < per_flow && rc == 0; k++)
      if (torc_vz_make_vector(c, &fl, k) != 0)
        rc = -1;
    torc_vz_flow_free(&fl);
    if (rc)
      break;
  }
  if (rc == 0 && !c->quiet)
    fprintf(stderr,
            "torc vectorize: %s: %zu flows, %zu vectors (%zu dropped)\n",
            capture, flows, c->written - before, c->dropped - dropped);
  if (rc == 0 && flows == 0)
    fprintf(stderr, "torc vectorize: %s: warning: no flow matches\n", capture);
  torc_flow_capture_free(fc);
  torc_capture_unref(tc);
  return rc;
}
