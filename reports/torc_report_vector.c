/*
 * torc_report_vector.c - one page per vector that did not simply pass:
 * DIR/vectors/<id>.html, linked from the main page's failure groups and
 * vectors table.
 *
 * Called by torc_report_write (torc_report.c) after the main page.  Each
 * page is offline like the main one (no script, nothing from the network):
 * its stylesheet is the main page's compiled-in one, written once beside
 * the pages (vectors/torc-report.css) and linked: a header naming the target
 * and the claim with a link back to ../report.html, then the vector's article
 * (torc_report_failure.c: sequence diagram, sequence space with the window
 * edges, hex diff, replay command).  Pages of an earlier report in the same
 * directory are removed first, so the folder holds this run's pages only.
 */
#include "torc_report_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_report_assets.h"

/* Removes DIR's *.html (the pages of an earlier report). */
#define PAGE_CSS "torc-report.css"

static void clear_pages(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[PATH_MAX];
  if (!d)
    return;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (((n > 5 && !strcmp(e->d_name + n - 5, ".html")) ||
         !strcmp(e->d_name, PAGE_CSS)) &&
        (size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < sizeof p)
      unlink(p);
  }
  closedir(d);
}

static void page(FILE *f, const report *R, const json_t *rec, int diagrams) {
  const json_t *t = json_object_get(R->doc, "target");
  int st = torcint_report_status(R);
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<meta name=\"viewport\" "
        "content=\"width=device-width, initial-scale=1\">\n<meta "
        "name=\"generator\" content=\"torc report\">\n<title>torc: ",
        f);
  esc(f, str(rec, "id"));
  /* One stylesheet beside the pages, not a copy in each: a report of a
   * target failing most of the suite stays a few hundred KB. */
  fprintf(f, " %s</title>\n<link rel=\"stylesheet\" href=\"" PAGE_CSS "\">\n",
          str(rec, "verdict"));
  fputs("</head>\n<body class=\"vector-page\">\n<header "
        "class=\"top\"><h1>torc: one vector</h1><a class=\"back\" "
        "href=\"../report.html\">&larr; the whole report</a> target <b>",
        f);
  esc(f, str(t, "name"));
  fputs("</b> ", f);
  esc(f, str(t, "version"));
  fprintf(f, " &middot; claim <span class=\"status %s\">",
          st == 1 ? "fail" : (st == 3 ? "incomplete" : "ok"));
  esc(f, torcint_report_headline(R));
  fputs("</span></header>\n<main>", f);
  torcint_report_failure(f, R, rec, diagrams);
  fputs("<p class=\"note\">From ", f);
  esc(f, R->results_path);
  fprintf(f,
          " (results digest <code>%s</code>) by <code>torc report</code>. "
          "This page needs no network.</p></main>\n</body>\n</html>\n",
          R->digest);
}

/* DIR/vectors/PAGE_CSS: the stylesheet every vector page links to, the
 * main page's own (which carries it inline). */
static int write_css(const char *dir) {
  char path[PATH_MAX], tmp[PATH_MAX];
  FILE *f;
  if ((size_t)snprintf(path, sizeof path, "%s/" PAGE_CSS, dir) >= sizeof path ||
      (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp ||
      !(f = fopen(tmp, "w"))) {
    fprintf(stderr, "torc report: %s/" PAGE_CSS ": cannot write\n", dir);
    return -1;
  }
  fputs(torc_asset_report_css, f);
  if (ferror(f) | fclose(f) || rename(tmp, path) != 0) {
    fprintf(stderr, "torc report: %s: %s\n", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

int torcint_report_vector_pages(const report *R, const char *out_dir) {
  const json_t *rec;
  char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], name[256];
  size_t i, drawn = 0;
  if ((size_t)snprintf(dir, sizeof dir, "%s/vectors", out_dir) >= sizeof dir ||
      (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
    fprintf(stderr, "torc report: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  clear_pages(dir);
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    int v = vparse(str(rec, "verdict"));
    FILE *f;
    if (v == TORC_PASS || v == TORC_UNTESTED)
      continue;
    if (drawn == 0 && write_css(dir) != 0) /* with the first page */
      return -1;
    torcint_report_page_name(str(rec, "id"), name, sizeof name);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
            sizeof path ||
        (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp ||
        !(f = fopen(tmp, "w"))) {
      fprintf(stderr, "torc report: %s/%s: cannot write\n", dir, name);
      return -1;
    }
    page(f, R, rec, R->max_diagrams == 0 || drawn < R->max_diagrams);
    drawn++;
    if (ferror(f) | fclose(f) || rename(tmp, path) != 0) {
      fprintf(stderr, "torc report: %s: %s\n", path, strerror(errno));
      unlink(tmp);
      return -1;
    }
  }
  return 0;
}
