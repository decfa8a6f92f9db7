/*
 * torc_vectorize_capture.c - one capture of `torc vectorize`: its digest
 * streamed, reassembled in one pass (torc_vectorize_pass.c: only the
 * directions --flows keeps, at most VZ_MAX_DIRS at once, their frames and
 * offload points on disk), named as vectors name it (the path relative to
 * the repository, the link-type tag), and every direction the filter keeps
 * cut into per_flow vectors, after saying what the pass cut from it (holes
 * never filled, with their frames).
 *
 * Called by torc_vectorize.c for each capture in order; prints the
 * per-capture summary unless quiet.
 */
#include "torc_vectorize_int.h"

#include <errno.h>
#include <inttypes.h>
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

/* Says what the pass cut from direction x: the first hole it skipped
 * (never filled: no offload point after it) and a cut for holes beyond
 * VZ_MAX_RANGES, with the frames. */
static void report_cuts(const char *capture, const vz_dir *x) {
  char src[64], dst[64];
  const torc_flow_dir *d = &x->info;
  if (!x->gaps && !x->cut_frame)
    return;
  torc_vz_addr_text(&d->key, d->key.src, src, sizeof src);
  torc_vz_addr_text(&d->key, d->key.dst, dst, sizeof dst);
  if (x->gaps && x->gap_frame)
    fprintf(stderr,
            "torc vectorize: %s: flow %s:%u -> %s:%u: %" PRIu64
            " hole(s) never filled, the first %" PRIu64
            " bytes at stream offset %" PRIu64 " skipped at frame %u (%s); "
            "no offload point after it\n",
            capture, src, d->key.sport, dst, d->key.dport, x->gaps, x->gap_len,
            x->gap_off, x->gap_frame,
            x->gap_by_window ? "held bytes beyond the receive window"
                             : "held bytes beyond the reassembler's limit");
  else if (x->gaps)
    fprintf(stderr,
            "torc vectorize: %s: flow %s:%u -> %s:%u: %" PRIu64
            " hole(s) never filled, the first %" PRIu64
            " bytes at stream offset %" PRIu64
            " (at the end of the capture); no offload point after it\n",
            capture, src, d->key.sport, dst, d->key.dport, x->gaps, x->gap_len,
            x->gap_off);
  if (x->cut_frame)
    fprintf(stderr,
            "torc vectorize: %s: flow %s:%u -> %s:%u: more than 4096 "
            "separate ranges beyond a hole at frame %u; no offload point "
            "after it\n",
            capture, src, d->key.sport, dst, d->key.dport, x->cut_frame);
}

int torc_vz_capture(vz_ctx *c, const char *capture, const char *outparent,
                    const torc_vectorize_filter *flt, unsigned per_flow) {
  vz_pass ps;
  char err[1024], rel[PATH_MAX], stem[256], link[64], sha[65];
  char *real = NULL;
  const char *base, *dn;
  char *dot;
  size_t i, flows = 0, before = c->written, dropped = c->dropped;
  unsigned k;
  int rc = 0;
  /* The digest streams through the file; nothing of it stays in memory. */
  if (torc_capture_file_sha256(capture, sha, err, sizeof err) != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    return -1;
  }
  if (torc_vz_pass_run(&ps, capture, flt, err, sizeof err) != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    if (ps.flow_rc == TORC_FLOW_ERR_DIRS)
      fprintf(stderr,
              "torc vectorize: %s: more than %u TCP directions at once; "
              "choose flows with --flows\n",
              capture, VZ_MAX_DIRS);
    torc_vz_pass_free(&ps);
    return -1;
  }
  if (capture_rel(capture, outparent, rel, sizeof rel) != 0 ||
      !(real = realpath(capture, NULL))) {
    fprintf(stderr, "torc vectorize: %s: %s\n", capture, strerror(errno));
    torc_vz_pass_free(&ps);
    return -1;
  }
  base = strrchr(capture, '/');
  base = base ? base + 1 : capture;
  snprintf(stem, sizeof stem, "%s", base);
  dot = strrchr(stem, '.');
  if (dot && dot != stem)
    *dot = 0;
  dn = pcap_datalink_val_to_name(ps.dlt);
  snprintf(link, sizeof link, "link-%s", dn ? dn : "unknown");
  for (dot = link; *dot; dot++)
    *dot = (*dot >= 'A' && *dot <= 'Z') ? (char)(*dot - 'A' + 'a')
           : (*dot == '_')              ? '-'
                                        : *dot;
  c->cap_rel = rel;
  c->cap_sha = sha;
  c->cap_stem = stem;
  c->link_tag = link;
  for (i = 0; i < ps.ndirs; i++) {
    vz_dir *x = &ps.dirs[i];
    uint32_t rid = x->info.reverse_id;
    vz_flow fl;
    if (!x->kept || !torc_vz_filter_match(flt, &x->info))
      continue;
    report_cuts(capture, x);
    memset(&fl, 0, sizeof fl);
    fl.ps = &ps;
    fl.x = x;
    fl.d = &x->info;
    fl.rev = rid < ps.ndirs && ps.dirs[rid].seen ? &ps.dirs[rid] : NULL;
    fl.cap_real = real;
    fl.nfr = x->fr.n;
    fl.npt = x->pt.n;
    flows++;
    c->flow_no++;
    for (k = 0; k < per_flow && rc == 0; k++)
      if (torc_vz_make_vector(c, &fl, k) != 0)
        rc = -1;
    if (rc)
      break;
  }
  if (rc == 0 && !c->quiet)
    fprintf(stderr,
            "torc vectorize: %s: %zu flows, %zu vectors (%zu dropped)\n",
            capture, flows, c->written - before, c->dropped - dropped);
  if (rc == 0 && flows == 0)
    fprintf(stderr, "torc vectorize: %s: warning: no flow matches\n", capture);
  c->cap_sha = NULL;
  free(real);
  torc_vz_pass_free(&ps);
  return rc;
}
