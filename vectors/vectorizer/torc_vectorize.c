/*
 * torc_vectorize.c - `torc vectorize`: test vectors from real captures
 * (the run; harness/cli/torc_cli_vectorize.c parses the options).
 *
 * Sits between the capture reader and the vector files: each capture is
 * reassembled in one streaming pass (torc_vectorize_pass.c: what each flow
 * needs kept on disk, never the stream), the receiver-direction flows the
 * filter keeps are walked, and for each flow a seeded PRNG (splitmix64, no
 * rand()) picks offload points (stream offsets after which no out-of-order
 * byte is held) and synthesizes scenarios: BufferedData as byte ranges just
 * before the offload point, posts, host answers, clock advances around the
 * push deadline, terminations and allocation faults, with the captured
 * frames after the offload point replayed in capture order (so the
 * capture's own reordering, loss and duplication reach the target).  The
 * expected trace is what the reference target does (run through the engine,
 * trace recorded); each vector is then reloaded and re-run and kept only if
 * the reference PASSes it.  Requirement ids come from what the scenario and
 * its trace exercise, filtered by the catalogue's testable rows.
 *
 * Output is deterministic (fixed key order, no timestamps, fixed tool
 * version) and atomic: everything is written to a sibling temp directory
 * that replaces DIR only when every capture succeeded.  This file is that
 * run; torc_vectorize_int.h says which file does which step.
 */
#include "torc_vectorize_int.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}
static void rm_rf(const char *p) {
  nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The output's parent, a sibling temp folder and a sibling for the old
 * output (each PATH_MAX bytes), the temp folder created empty.  Returns 0,
 * or -1 (message on stderr). */
static int open_output(const char *out, char *tmp, char *old, char *parent) {
  char *slash;
  snprintf(tmp, PATH_MAX, "%s", out);
  while (strlen(tmp) > 1 && tmp[strlen(tmp) - 1] == '/')
    tmp[strlen(tmp) - 1] = 0;
  snprintf(parent, PATH_MAX, "%s", tmp);
  slash = strrchr(parent, '/');
  if (!slash)
    snprintf(parent, PATH_MAX, ".");
  else if (slash == parent)
    parent[1] = 0;
  else
    *slash = 0;
  {
    size_t l = strlen(tmp);
    int n = snprintf(old, PATH_MAX, "%s.old-%ld", tmp, (long)getpid());
    int m = snprintf(tmp + l, PATH_MAX - l, ".tmp-%ld", (long)getpid());
    if (n < 0 || n >= PATH_MAX || m < 0 || (size_t)m >= PATH_MAX - l) {
      fprintf(stderr, "torc vectorize: %s: path too long\n", out);
      return -1;
    }
  }
  if (mkdir(parent, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "torc vectorize: %s: %s\n", parent, strerror(errno));
    return -1;
  }
  rm_rf(tmp);
  if (mkdir(tmp, 0777) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", tmp, strerror(errno));
    return -1;
  }
  return 0;
}

/* Replaces out by the finished temp folder.  Returns 0, or -1 (message on
 * stderr; out as it was, the temp folder removed). */
static int commit_output(const char *out, const char *tmp, const char *old) {
  char final[PATH_MAX];
  struct stat sb;
  snprintf(final, sizeof final, "%s", out);
  while (strlen(final) > 1 && final[strlen(final) - 1] == '/')
    final[strlen(final) - 1] = 0;
  if (stat(final, &sb) == 0 && rename(final, old) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", final, strerror(errno));
    rm_rf(tmp);
    return -1;
  }
  if (rename(tmp, final) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", final, strerror(errno));
    rename(old, final);
    rm_rf(tmp);
    return -1;
  }
  rm_rf(old);
  return 0;
}

int torc_vectorize(const char *const *captures, size_t n,
                   const torc_vectorize_opts *o) {
  unsigned char testable[1000];
  char tmp[PATH_MAX], old[PATH_MAX], parent[PATH_MAX], errbuf[1024];
  vz_ctx c;
  size_t i;
  int rc = 0;

  memset(&c, 0, sizeof c);
  memset(testable, 0, sizeof testable);
  c.quiet = o->quiet;
  if (torc_vz_load_testable(o->catalogue, testable) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot read the catalogue\n",
            o->catalogue);
    return -1;
  }
  if (open_output(o->out, tmp, old, parent) != 0)
    return -1;
  if (torc_vz_reference_open(&c.eng, errbuf) != 0) {
    fprintf(stderr, "torc vectorize: reference target: %s\n", errbuf);
    rm_rf(tmp);
    return -1;
  }
  c.seed = o->seed;
  c.testable = testable;
  c.tmpdir = tmp;
  if (o->select > 0 && (c.sel = torc_vz_select_new(o->select)) == NULL) {
    fprintf(stderr, "torc vectorize: out of memory\n");
    rc = -1;
  }
  for (i = 0; i < n && rc == 0; i++)
    if (torc_vz_capture(&c, captures[i], parent, &o->flows, o->per_flow) != 0)
      rc = -1;
  torc_engine_free(c.eng);
  if (rc == 0 && c.sel) {
    if (torc_vz_select_finish(c.sel, tmp, c.quiet, &c.written, c.per_kind) !=
        0) {
      fprintf(stderr, "torc vectorize: %s: cannot remove or write files\n",
              tmp);
      rc = -1;
    }
  }
  torc_vz_select_free(c.sel);
  if (rc != 0) {
    rm_rf(tmp);
    return rc;
  }
  if (commit_output(o->out, tmp, old) != 0)
    return -1;
  if (!c.quiet) {
    int k;
    fprintf(stderr, "torc vectorize: %zu vectors written to %s (%zu dropped)",
            c.written, o->out, c.dropped);
    fputs("; per kind:", stderr);
    for (k = 0; k < K_COUNT; k++)
      fprintf(stderr, " %s=%zu", torc_vz_kind_name(k, 0), c.per_kind[k]);
    fputc('\n', stderr);
  }
  return 0;
}
