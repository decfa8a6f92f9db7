/*
 * torc_report.c - `torc report` as a library: the results document and the
 * catalogue loaded into the report's model, then report.html, summary.md
 * and the copy of junit.xml written into the output directory.
 *
 * The command (harness/cli/torc_cli_report.c) parses the options, finds the
 * catalogue and calls torc_report_write.  Here: load and check
 * (torc_report_model.c), digest (torc_canon.h), render the page
 * (torc_report_page.c) and the summary (torc_report_summary.c) in memory,
 * and write each file atomically (tmp, then rename); then a page per
 * vector that did not simply pass (torc_report_vector.c).
 */
#include "torc_report.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_canon.h"
#include "torc_report_int.h"

static int mkdir_p(const char *dir) {
  char tmp[PATH_MAX], *p;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s", dir) >= sizeof tmp)
    return -1;
  for (p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes len bytes to path atomically (path.tmp, then rename). */
static int write_file(const char *path, const char *s, size_t len) {
  char tmp[PATH_MAX];
  FILE *f;
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
    return -1;
  if (!(f = fopen(tmp, "wb")))
    return -1;
  if (fwrite(s, 1, len, f) != len) {
    fclose(f);
    unlink(tmp);
    return -1;
  }
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

static int copy_file(const char *from, const char *to) {
  FILE *f = fopen(from, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0, r;
  int rc;
  if (!f)
    return -1;
  for (;;) {
    if (n == cap) {
      char *t = realloc(buf, cap = cap ? cap * 2 : 65536);
      if (!t) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = t;
    }
    r = fread(buf + n, 1, cap - n, f);
    if (r == 0)
      break;
    n += r;
  }
  fclose(f);
  rc = write_file(to, buf ? buf : "", n);
  free(buf);
  return rc;
}

/* The catalogue at R->cat_path, checked to hold a list of requirements. */
static int load_catalogue(report *R) {
  json_error_t je;
  R->cat = json_load_file(R->cat_path, 0, &je);
  if (!R->cat) {
    fprintf(stderr, "torc report: %s: line %d: %s\n", R->cat_path, je.line,
            je.text);
    return -1;
  }
  if (!json_is_array(json_object_get(R->cat, "requirements"))) {
    fprintf(stderr, "torc report: %s: $.requirements: expected an array\n",
            R->cat_path);
    return -1;
  }
  return 0;
}

/* The results document, checked, its digest, and the catalogue. */
static int load(report *R, const torc_report_opts *o) {
  json_error_t je;
  char err[1024];
  R->results_path = o->results_path;
  R->doc = json_load_file(R->results_path, 0, &je);
  if (!R->doc) {
    fprintf(stderr, "torc report: %s: line %d: %s\n", R->results_path, je.line,
            je.text);
    return -1;
  }
  if (torcint_report_check_doc(R->results_path, R->doc, err, sizeof err) != 0) {
    fprintf(stderr, "torc report: %s\n", err);
    return -1;
  }
  /* The claim is recomputed from the document, never read from it. */
  R->claim = torc_claim_compute(R->doc, NULL);
  if (!R->claim) {
    fprintf(stderr, "torc report: out of memory\n");
    return -1;
  }
  if (torc_canon_digest(R->doc, R->digest) != 0) {
    fprintf(stderr,
            "torc report: %s: cannot write canonical form (a number "
            "that is not finite?)\n",
            R->results_path);
    return -1;
  }
  R->cat_path = o->catalogue;
  if (R->cat_path) {
    if (load_catalogue(R) != 0)
      return -1;
  } else {
    fprintf(stderr, "torc report: no requirement catalogue found (use "
                    "--catalogue FILE); the matrix lists only the "
                    "requirements the results cite\n");
  }
  return 0;
}

int torc_report_write(const torc_report_opts *o, char *page, size_t n) {
  report R;
  char path[PATH_MAX], *html = NULL, *sigs = NULL, *summ = NULL;
  size_t html_len = 0, sigs_len = 0, summ_len = 0;
  FILE *f, *mdf;
  int rc = -1;

  memset(&R, 0, sizeof R);
  R.max_diagrams = o->max_diagrams;
  if (load(&R, o) != 0)
    goto out;
  torcint_report_build_matrix(&R);

  if (mkdir_p(o->out_dir) != 0) {
    fprintf(stderr, "torc report: %s: %s\n", o->out_dir, strerror(errno));
    goto out;
  }
  f = open_memstream(&html, &html_len);
  mdf = open_memstream(&sigs, &sigs_len);
  if (!f || !mdf) {
    fprintf(stderr, "torc report: out of memory\n");
    if (f)
      fclose(f);
    if (mdf)
      fclose(mdf);
    goto out;
  }
  torcint_report_page(f, mdf, &R);
  fclose(f);
  fclose(mdf);
  if ((size_t)snprintf(path, sizeof path, "%s/report.html", o->out_dir) >=
          sizeof path ||
      write_file(path, html, html_len) != 0) {
    fprintf(stderr, "torc report: %s: %s\n", path, strerror(errno));
    goto out;
  }
  if (o->junit) {
    char jp[PATH_MAX];
    if ((size_t)snprintf(jp, sizeof jp, "%s/junit.xml", o->out_dir) >=
            sizeof jp ||
        copy_file(o->junit, jp) != 0) {
      fprintf(stderr, "torc report: %s: cannot copy to %s: %s\n", o->junit,
              o->out_dir, strerror(errno));
      goto out;
    }
  }
  mdf = open_memstream(&summ, &summ_len);
  if (!mdf) {
    fprintf(stderr, "torc report: out of memory\n");
    goto out;
  }
  torcint_report_summary(mdf, &R, sigs ? sigs : "", o->junit);
  fclose(mdf);
  {
    char mp[PATH_MAX];
    if ((size_t)snprintf(mp, sizeof mp, "%s/summary.md", o->out_dir) >=
            sizeof mp ||
        write_file(mp, summ, summ_len) != 0) {
      fprintf(stderr, "torc report: %s: %s\n", mp, strerror(errno));
      goto out;
    }
  }
  if (torcint_report_vector_pages(&R, o->out_dir) != 0)
    goto out;
  snprintf(page, n, "%s", path);
  rc = 0;
out:
  free(html);
  free(sigs);
  free(summ);
  torcint_report_free(&R);
  return rc;
}
