/*
 * torc_cli_report.c - `torc report RESULTS.json -o DIR`: the results of a run
 * rendered for people.
 *
 * Reads a results document (written by `torc run --json`, checked here
 * shape by shape with "FILE: $.path: problem" errors) and the requirement
 * catalogue, and writes into DIR:
 *   report.html  one self-contained offline page: header, verdict summary,
 *                requirement matrix, failure signatures, every vector, and
 *                for every vector that did not PASS its violations, an SVG
 *                sequence diagram (expected beside actual, first divergence
 *                highlighted), an SVG of the sequence space, a hex diff and
 *                the command that replays it.  Static HTML throughout; the
 *                inline script (reports/report.js) only filters.
 *   summary.md   the same in a few lines, for a pull-request comment.
 *   junit.xml    a copy of --junit FILE, when given.
 * Both carry the SHA-256 of the canonical results (torc_canon.h), so a
 * reader can check that a report belongs to a results file.  The page's
 * template, CSS and script are compiled in ($(O)/gen/torc_report_assets.h,
 * made from reports/ by reports/module.mk).
 */
#include "torc_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_canon.h"
#include "torc_results.h"
#include "torc_report_assets.h"

#ifndef TORC_DATADIR
#define TORC_DATADIR "/usr/local/share"
#endif

#define DEFAULT_MAX_DIAGRAMS 150
#define SEQ_MAX_ROWS 48
#define EXERCISED "requirement exercised by this vector"

static const char report_help[] =
    "Usage: torc report RESULTS.json -o DIR [OPTIONS]\n"
    "Render the results of a run as an offline HTML report and a Markdown\n"
    "summary.\n"
    "\n"
    "  -o, --output DIR     write DIR/report.html and DIR/summary.md\n"
    "  --catalogue FILE     requirement catalogue (default $TORC_CATALOGUE,\n"
    "                       ./conformance/catalogue.json, or the installed "
    "one)\n"
    "  --junit FILE         copy the run's JUnit XML to DIR/junit.xml\n"
    "  --max-diagrams N     draw diagrams for the first N failures (default "
    "150;\n"
    "                       0: all)\n"
    "\n"
    "Prints the report's path.  Exit status: 0 written, 2 usage or input "
    "error.\n";

/* ---- Verdicts ----------------------------------------------------------- */

static const char *const vnames[TORC_VERDICT_COUNT] = {
    "PASS", "PASS-NONSTRICT", "UNSUPPORTED", "WAIVED",
    "FAIL", "ERROR",          "CRASH",       "TIMEOUT"};
/* Display order of the matrix columns. */
static const int vorder[TORC_VERDICT_COUNT] = {
    TORC_PASS,    TORC_PASS_NONSTRICT, TORC_FAIL,        TORC_CRASH,
    TORC_TIMEOUT, TORC_ERROR,          TORC_UNSUPPORTED, TORC_WAIVED};
static const char *const vcolour[TORC_VERDICT_COUNT] = {
    "#2e7d32", "#7cb342", "#9e9e9e", "#1565c0",
    "#c62828", "#37474f", "#6a1b9a", "#ef6c00"};

static int vparse(const char *s) {
  int i;
  for (i = 0; s && i < TORC_VERDICT_COUNT; i++)
    if (strcmp(vnames[i], s) == 0)
      return i;
  return -1;
}

static int is_failure(int v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR;
}

/* ---- Small helpers ------------------------------------------------------ */

static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* HTML-escapes s onto f (the same escaping as the JUnit writer). */
static void esc(FILE *f, const char *s) {
  torc_markup_escape(f, s);
}

/* Escapes at most max characters of s, with "..." when cut. */
static void esc_cut(FILE *f, const char *s, size_t max) {
  char buf[512];
  size_t n = strlen(s);
  if (n <= max || max + 4 > sizeof buf) {
    esc(f, s);
    return;
  }
  memcpy(buf, s, max);
  memcpy(buf + max, "...", 4);
  esc(f, buf);
}

/* Markdown table cells: no pipes, no newlines. */
static void md(FILE *f, const char *s) {
  for (; s && *s; s++)
    fputc(*s == '|' ? '/' : (*s == '\n' ? ' ' : *s), f);
}

static int is_specific(const json_t *viol) {
  return strcmp(str(viol, "message"), EXERCISED) != 0;
}

/* ---- The catalogue and the matrix -------------------------------------- */

typedef struct reqrow {
  const char *id, *group, *strength, *summary, *interp, *why;
  int testable, in_catalogue;
  size_t counts[TORC_VERDICT_COUNT];
  size_t nvectors, nviolated;
  json_t *failing; /* ids of failing vectors exercising it (owned) */
} reqrow;

typedef struct report {
  const char *results_path;
  json_t *doc; /* (owned) */
  json_t *cat; /* (owned, may be NULL) */
  const char *cat_path;
  reqrow *rows;
  size_t nrows, caprows;
  char digest[65];
  size_t counts[TORC_VERDICT_COUNT];
  size_t total;
  unsigned max_diagrams;
} report;

static int cmp_row(const void *a, const void *b) {
  return strcmp(((const reqrow *)a)->id, ((const reqrow *)b)->id);
}

static reqrow *find_row(report *R, const char *id) {
  reqrow key;
  memset(&key, 0, sizeof key);
  key.id = id;
  return bsearch(&key, R->rows, R->nrows, sizeof *R->rows, cmp_row);
}

static reqrow *add_row(report *R, const char *id) {
  reqrow *r;
  if (R->nrows == R->caprows) {
    size_t cap = R->caprows ? 2 * R->caprows : 512;
    reqrow *t = realloc(R->rows, cap * sizeof *t);
    if (!t)
      return NULL;
    R->rows = t;
    R->caprows = cap;
  }
  r = &R->rows[R->nrows++];
  memset(r, 0, sizeof *r);
  r->id = id;
  r->group = r->strength = r->summary = r->interp = r->why = "";
  r->failing = json_array();
  return r;
}

static void build_matrix(report *R) {
  const json_t *reqs = json_object_get(R->cat, "requirements"), *q, *rec;
  size_t i, k;
  json_array_foreach(reqs, i, q) {
    reqrow *r;
    if (!json_is_string(json_object_get(q, "id")) ||
        !(r = add_row(R, str(q, "id"))))
      continue;
    r->group = str(q, "group");
    r->strength = str(q, "strength");
    r->summary = str(q, "summary");
    r->interp = str(q, "interpretation");
    r->why = str(q, "why_not_testable");
    r->testable = json_is_true(json_object_get(q, "testable"));
    r->in_catalogue = 1;
  }
  qsort(R->rows, R->nrows, sizeof *R->rows, cmp_row);
  /* Requirements the results cite that the catalogue lacks. */
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const json_t *x;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      const char *id = json_string_value(x);
      if (id && !find_row(R, id)) {
        reqrow *r = add_row(R, id);
        if (r)
          r->testable = 1;
        qsort(R->rows, R->nrows, sizeof *R->rows, cmp_row);
      }
    }
  }
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    int v = vparse(str(rec, "verdict"));
    const json_t *x;
    R->counts[v]++;
    R->total++;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      reqrow *r = find_row(R, json_string_value(x));
      if (!r)
        continue;
      r->counts[v]++;
      r->nvectors++;
      if (is_failure(v))
        json_array_append_new(r->failing, json_string(str(rec, "id")));
    }
    if (is_failure(v)) {
      /* Distinct requirements a specific violation names. */
      const char *seen[TORC_MAX_VIOLATIONS * 2];
      size_t nseen = 0, j;
      json_array_foreach(json_object_get(rec, "violations"), k, x) {
        const char *id = str(x, "requirement");
        reqrow *r;
        if (!is_specific(x) || !(r = find_row(R, id)))
          continue;
        for (j = 0; j < nseen && strcmp(seen[j], id) != 0; j++)
          ;
        if (j < nseen || nseen == sizeof seen / sizeof seen[0])
          continue;
        seen[nseen++] = id;
        r->nviolated++;
      }
    }
  }
}

static void free_report(report *R) {
  size_t i;
  for (i = 0; i < R->nrows; i++)
    json_decref(R->rows[i].failing);
  free(R->rows);
  json_decref(R->doc);
  json_decref(R->cat);
}

/* ---- Loading ----------------------------------------------------------- */

/* Checks the shape of a results document.  Returns 0, or -1 with
 * "FILE: $.path: problem" in err. */
static int check_doc(const char *path, const json_t *doc, char *err, size_t n) {
  const json_t *results, *rec, *t;
  size_t i, k;
  if (!json_is_object(doc))
    return snprintf(err, n, "%s: $: expected an object", path), -1;
  if (json_integer_value(json_object_get(doc, "format")) != 1)
    return snprintf(err, n, "%s: $.format: expected 1", path), -1;
  if (!json_is_string(json_object_get(doc, "vector_set_digest")))
    return snprintf(err, n, "%s: $.vector_set_digest: expected a string", path),
           -1;
  t = json_object_get(doc, "target");
  if (!json_is_object(t) || !json_is_string(json_object_get(t, "name")))
    return snprintf(err, n, "%s: $.target.name: expected a string", path), -1;
  results = json_object_get(doc, "results");
  if (!json_is_array(results))
    return snprintf(err, n, "%s: $.results: expected an array", path), -1;
  json_array_foreach(results, i, rec) {
    const json_t *x;
    if (!json_is_object(rec))
      return snprintf(err, n, "%s: $.results[%zu]: expected an object", path,
                      i),
             -1;
    if (!json_is_string(json_object_get(rec, "id")))
      return snprintf(err, n, "%s: $.results[%zu].id: expected a string", path,
                      i),
             -1;
    if (vparse(str(rec, "verdict")) < 0)
      return snprintf(err, n,
                      "%s: $.results[%zu].verdict: expected one of PASS, "
                      "PASS-NONSTRICT, FAIL, UNSUPPORTED, WAIVED, CRASH, "
                      "TIMEOUT, ERROR",
                      path, i),
             -1;
    if (!json_is_array(json_object_get(rec, "requirements")))
      return snprintf(err, n,
                      "%s: $.results[%zu].requirements: expected an array",
                      path, i),
             -1;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      if (!json_is_string(x))
        return snprintf(err, n,
                        "%s: $.results[%zu].requirements[%zu]: expected a "
                        "string",
                        path, i, k),
               -1;
    }
    x = json_object_get(rec, "violations");
    if (x && !json_is_array(x))
      return snprintf(err, n,
                      "%s: $.results[%zu].violations: expected an array", path,
                      i),
             -1;
  }
  return 0;
}

static const char *find_catalogue(const char *given) {
  static char installed[PATH_MAX];
  const char *env = getenv("TORC_CATALOGUE");
  if (given)
    return given;
  if (env && *env)
    return env;
  if (access("conformance/catalogue.json", R_OK) == 0)
    return "conformance/catalogue.json";
  torc_cli_installed_path("catalogue.json", installed, sizeof installed);
  if (installed[0])
    return installed;
  snprintf(installed, sizeof installed, "%s/torc/catalogue.json", TORC_DATADIR);
  if (access(installed, R_OK) == 0)
    return installed;
  return NULL;
}

/* ---- The trace text ----------------------------------------------------- */

/* One-line text of a trace entry, as the diagram labels it. */
static void entry_text(const json_t *e, char *buf, size_t n) {
  const char *ev = str(e, "ev");
  size_t used;
  if (strcmp(ev, "complete") == 0) {
    const json_t *r;
    size_t i;
    used = (size_t)snprintf(buf, n, "complete");
    json_array_foreach(json_object_get(e, "requests"), i, r) {
      if (used >= n)
        break;
      if (json_is_integer(json_object_get(r, "offset")))
        used += (size_t)snprintf(
            buf + used, n - used,
            " #%" JSON_INTEGER_FORMAT " %s %" JSON_INTEGER_FORMAT
            "B@%" JSON_INTEGER_FORMAT,
            json_integer_value(json_object_get(r, "id")), str(r, "status"),
            json_integer_value(json_object_get(r, "bytes")),
            json_integer_value(json_object_get(r, "offset")));
      else
        used += (size_t)snprintf(
            buf + used, n - used,
            " #%" JSON_INTEGER_FORMAT " %s %" JSON_INTEGER_FORMAT "B",
            json_integer_value(json_object_get(r, "id")), str(r, "status"),
            json_integer_value(json_object_get(r, "bytes")));
    }
    if (json_array_size(json_object_get(e, "requests")) == 0 && used < n)
      snprintf(buf + used, n - used, " (no requests)");
  } else if (strcmp(ev, "indicate") == 0) {
    snprintf(buf, n,
             "indicate %" JSON_INTEGER_FORMAT "B@%" JSON_INTEGER_FORMAT
             " -> %s %" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(e, "len")),
             json_integer_value(json_object_get(e, "offset")), str(e, "answer"),
             json_integer_value(json_object_get(e, "consumed")));
  } else if (strcmp(ev, "event") == 0) {
    const json_t *x = json_object_get(e, "event");
    if (json_is_string(x))
      snprintf(buf, n, "event %s", json_string_value(x));
    else
      snprintf(buf, n, "event %" JSON_INTEGER_FORMAT, json_integer_value(x));
  } else if (strcmp(ev, "terminate_complete") == 0) {
    snprintf(buf, n, "terminate_complete %s handback %" JSON_INTEGER_FORMAT "B",
             str(e, "status"),
             json_integer_value(json_object_get(e, "handback_len")));
  } else {
    snprintf(buf, n, "%s %s", ev, str(e, "status"));
  }
}

static void script_text(const json_t *s, char *buf, size_t n) {
  const char *op = str(s, "op");
  if (strcmp(op, "post") == 0 || strcmp(op, "post_in_completion") == 0)
    snprintf(buf, n, "%s #%" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT "B%s",
             op, json_integer_value(json_object_get(s, "id")),
             json_integer_value(json_object_get(s, "size")),
             json_is_false(json_object_get(s, "push")) ? " nonpush" : "");
  else if (strcmp(op, "frame") == 0)
    snprintf(buf, n,
             "frame %" JSON_INTEGER_FORMAT " [%" JSON_INTEGER_FORMAT
             ",+%" JSON_INTEGER_FORMAT ") %s",
             json_integer_value(json_object_get(s, "frame")),
             json_integer_value(json_object_get(s, "offset")),
             json_integer_value(json_object_get(s, "len")), str(s, "flags"));
  else
    snprintf(buf, n, "%s", op);
}

/* ---- Sequence diagram --------------------------------------------------- */

typedef struct seqrow {
  int host;     /* script index, or -1 */
  int exp, act; /* trace indexes, or -1 */
} seqrow;

/* Index of the first entry where the traces differ (-1 when identical). */
static long first_diff(const json_t *ex, const json_t *ac) {
  size_t i, n = json_array_size(ex), m = json_array_size(ac);
  for (i = 0; i < n && i < m; i++)
    if (!json_equal(json_array_get(ex, i), json_array_get(ac, i)))
      return (long)i;
  return n == m ? -1 : (long)(n < m ? n : m);
}

static void arrow(FILE *f, double x1, double x2, double y, const char *col,
                  const char *label, int bold) {
  double dir = x2 > x1 ? 1 : -1;
  fprintf(f,
          "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
          "stroke=\"%s\" stroke-width=\"%d\"/>",
          x1, y, x2 - dir * 6, y, col, bold ? 3 : 1);
  fprintf(f, "<polygon points=\"%.0f,%.0f %.0f,%.0f %.0f,%.0f\" fill=\"%s\"/>",
          x2, y, x2 - dir * 8, y - 4, x2 - dir * 8, y + 4, col);
  fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10.5\" fill=\"%s\"%s>",
          (x1 + x2) / 2, y - 3, bold ? "#b71c1c" : "#202124",
          " text-anchor=\"middle\"");
  esc_cut(f, label, 44);
  fputs("</text>", f);
}

static void sequence_svg(FILE *f, const json_t *rec, long div_act) {
  const json_t *tr = json_object_get(rec, "traces");
  const json_t *ex = json_object_get(tr, "expected");
  const json_t *ac = json_object_get(tr, "actual");
  const json_t *script =
      json_object_get(json_object_get(rec, "context"), "script");
  size_t nscript = json_array_size(script), ne = json_array_size(ex),
         na = json_array_size(ac);
  seqrow *rows;
  size_t nrows = 0, i, ie = 0, ia = 0, first, last;
  long drow = -1, at;
  const double W = 450, H0 = 44, RH = 22;
  double y;
  char label[256];

  rows = calloc((nscript + ne + na + 2) * 2, sizeof *rows);
  if (!rows)
    return;
  for (at = 0; at <= (long)nscript; at++) {
    if (at < (long)nscript) {
      rows[nrows].host = (int)at;
      rows[nrows].exp = rows[nrows].act = -1;
      nrows++;
    }
    for (;;) {
      int he = ie < ne && json_integer_value(json_object_get(
                              json_array_get(ex, ie), "at")) <= at;
      int ha = ia < na && json_integer_value(json_object_get(
                              json_array_get(ac, ia), "at")) <= at;
      if (!he && !ha)
        break;
      rows[nrows].host = -1;
      rows[nrows].exp = he ? (int)ie++ : -1;
      rows[nrows].act = ha ? (int)ia++ : -1;
      if (rows[nrows].act >= 0 && rows[nrows].act == div_act)
        drow = (long)nrows;
      nrows++;
    }
  }
  /* Entries past the last script event (malformed 'at') still show. */
  while (ie < ne || ia < na) {
    rows[nrows].host = -1;
    rows[nrows].exp = ie < ne ? (int)ie++ : -1;
    rows[nrows].act = ia < na ? (int)ia++ : -1;
    if (rows[nrows].act >= 0 && rows[nrows].act == div_act)
      drow = (long)nrows;
    nrows++;
  }
  if (drow < 0 && div_act >= (long)na && na > 0)
    drow = (long)nrows - 1;
  first = 0;
  last = nrows;
  if (nrows > SEQ_MAX_ROWS) {
    long c = drow >= 0 ? drow : 0;
    first = c > SEQ_MAX_ROWS * 2 / 3 ? (size_t)(c - SEQ_MAX_ROWS * 2 / 3) : 0;
    last = first + SEQ_MAX_ROWS < nrows ? first + SEQ_MAX_ROWS : nrows;
  }
  fprintf(f,
          "<svg class=\"seq\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
          "role=\"img\" aria-label=\"sequence diagram\">",
          2 * W + 20, H0 + RH * (double)(last - first + 2), 2 * W + 20,
          H0 + RH * (double)(last - first + 2));
  for (i = 0; i < 2; i++) {
    double px = (double)i * (W + 20), hx = px + 60, tx = px + W - 60;
    double bottom = H0 + RH * (double)(last - first + 1);
    fprintf(f,
            "<text x=\"%.0f\" y=\"14\" font-size=\"12\" font-weight=\"bold\" "
            "fill=\"#202124\">%s</text>",
            px + 4, i == 0 ? "expected (the vector)" : "actual (the target)");
    fprintf(f,
            "<rect x=\"%.0f\" y=\"20\" width=\"64\" height=\"18\" rx=\"3\" "
            "fill=\"#e8f0fe\" stroke=\"#4285f4\"/><text x=\"%.0f\" y=\"33\" "
            "font-size=\"11\" text-anchor=\"middle\">host</text>",
            hx - 32, hx);
    fprintf(f,
            "<rect x=\"%.0f\" y=\"20\" width=\"64\" height=\"18\" rx=\"3\" "
            "fill=\"#fce8e6\" stroke=\"#ea4335\"/><text x=\"%.0f\" y=\"33\" "
            "font-size=\"11\" text-anchor=\"middle\">target</text>",
            tx - 32, tx);
    fprintf(f,
            "<line x1=\"%.0f\" y1=\"38\" x2=\"%.0f\" y2=\"%.0f\" "
            "stroke=\"#9aa0a6\" stroke-dasharray=\"3 3\"/>",
            hx, hx, bottom);
    fprintf(f,
            "<line x1=\"%.0f\" y1=\"38\" x2=\"%.0f\" y2=\"%.0f\" "
            "stroke=\"#9aa0a6\" stroke-dasharray=\"3 3\"/>",
            tx, tx, bottom);
  }
  y = H0 + RH / 2;
  if (first > 0) {
    fprintf(f,
            "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#5f6368\" "
            "text-anchor=\"middle\">&#8942; %zu earlier rows not shown</text>",
            W + 10, y, first);
    y += RH;
  }
  for (i = first; i < last; i++) {
    const seqrow *r = &rows[i];
    int isdiv = drow == (long)i;
    if (isdiv)
      fprintf(f,
              "<rect class=\"divrow\" x=\"0\" y=\"%.0f\" width=\"%.0f\" "
              "height=\"%.0f\" fill=\"#ffebee\"/>",
              y - RH / 2 - 4, 2 * W + 20, RH);
    if (r->host >= 0) {
      const json_t *s = json_array_get(script, (size_t)r->host);
      char lab[200];
      script_text(s, lab, sizeof lab);
      snprintf(label, sizeof label, "%d: %s", r->host, lab);
      arrow(f, 60, W - 60, y, "#4285f4", label, 0);
      arrow(f, W + 20 + 60, 2 * W + 20 - 60, y, "#4285f4", label, 0);
    } else {
      if (r->exp >= 0) {
        entry_text(json_array_get(ex, (size_t)r->exp), label, sizeof label);
        arrow(f, W - 60, 60, y, isdiv ? "#f9a825" : "#188038", label, 0);
      }
      if (r->act >= 0) {
        int same =
            r->exp >= 0 && json_equal(json_array_get(ex, (size_t)r->exp),
                                      json_array_get(ac, (size_t)r->act));
        entry_text(json_array_get(ac, (size_t)r->act), label, sizeof label);
        arrow(f, 2 * W + 20 - 60, W + 20 + 60, y,
              isdiv ? "#d93025" : (same ? "#188038" : "#e37400"), label, isdiv);
      } else if (isdiv || (r->exp >= 0 && r->act < 0)) {
        fprintf(f,
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10.5\" "
                "fill=\"#d93025\" text-anchor=\"middle\">(missing)</text>",
                W + 20 + W / 2, y - 3);
      }
    }
    y += RH;
  }
  if (last < nrows)
    fprintf(f,
            "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" fill=\"#5f6368\" "
            "text-anchor=\"middle\">&#8942; %zu later rows not shown</text>",
            W + 10, y, nrows - last);
  fputs("</svg>", f);
  free(rows);
}

/* ---- Sequence space ----------------------------------------------------- */

typedef struct hexbytes {
  int b[64];
  int n, mark; /* mark: index of the first byte after '[' (or -1) */
} hexbytes;
static int parse_hex(const char *s, hexbytes *h);

typedef struct span {
  long long off, len;
} span;

static long long jint(const json_t *o, const char *k) {
  return (long long)json_integer_value(json_object_get(o, k));
}

/* Deliveries of a trace: completions' requests and consumed indications. */
static void trace_extent(const json_t *t, long long *maxend) {
  const json_t *e, *r;
  size_t i, k;
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), "complete") == 0) {
      json_array_foreach(json_object_get(e, "requests"), k, r) {
        if (json_is_integer(json_object_get(r, "offset")) &&
            jint(r, "offset") + jint(r, "bytes") > *maxend)
          *maxend = jint(r, "offset") + jint(r, "bytes");
      }
    } else if (strcmp(str(e, "ev"), "indicate") == 0 &&
               jint(e, "offset") + jint(e, "len") > *maxend) {
      *maxend = jint(e, "offset") + jint(e, "len");
    }
  }
}

/* 1 when the other trace holds a delivery of the same kind and range. */
static int has_delivery(const json_t *t, const char *ev, long long off,
                        long long len, long long id) {
  const json_t *e, *r;
  size_t i, k;
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), ev) != 0)
      continue;
    if (strcmp(ev, "indicate") == 0 && jint(e, "offset") == off &&
        jint(e, "len") == len)
      return 1;
    json_array_foreach(json_object_get(e, "requests"), k, r) {
      if (jint(r, "id") == id && jint(r, "offset") == off &&
          jint(r, "bytes") == len)
        return 1;
    }
  }
  return 0;
}

typedef struct scale {
  double x0, w;
  long long max;
} scale;

static double sx(const scale *s, long long off) {
  if (off < 0)
    off = 0;
  if (off > s->max)
    off = s->max;
  return s->x0 + s->w * (double)off / (double)(s->max ? s->max : 1);
}

static void bar(FILE *f, const scale *s, long long off, long long len, double y,
                double h, const char *fill, const char *label,
                const char *title) {
  double x1 = sx(s, off), x2 = sx(s, off + len);
  if (x2 - x1 < 1.5)
    x2 = x1 + 1.5;
  fprintf(f,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>",
          x1, y, x2 - x1, h, fill);
  esc(f, title);
  fputs("</title></rect>", f);
  if (label && x2 - x1 > 7.0 * (double)strlen(label)) {
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#fff\" "
            "text-anchor=\"middle\">",
            (x1 + x2) / 2, y + h - 4);
    esc(f, label);
    fputs("</text>", f);
  }
}

/* div: stream offset of a byte divergence (-1: none); the actual delivery
 * holding it is drawn red even when its range is right. */
static void deliveries(FILE *f, const scale *s, const json_t *t,
                       const json_t *other, double y, int actual,
                       long long div) {
  const json_t *e, *r;
  size_t i, k;
  char lab[32], title[128];
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), "complete") == 0) {
      json_array_foreach(json_object_get(e, "requests"), k, r) {
        int ok;
        if (!json_is_integer(json_object_get(r, "offset")) ||
            jint(r, "bytes") == 0)
          continue;
        ok = !actual || (has_delivery(other, "complete", jint(r, "offset"),
                                      jint(r, "bytes"), jint(r, "id")) &&
                         !(div >= jint(r, "offset") &&
                           div < jint(r, "offset") + jint(r, "bytes")));
        snprintf(lab, sizeof lab, "#%lld", jint(r, "id"));
        snprintf(title, sizeof title,
                 "request #%lld: %lld bytes at stream offset %lld (event %zu)",
                 jint(r, "id"), jint(r, "bytes"), jint(r, "offset"), i);
        bar(f, s, jint(r, "offset"), jint(r, "bytes"), y, 16,
            ok ? "#188038" : "#d93025", lab, title);
      }
    } else if (strcmp(str(e, "ev"), "indicate") == 0 && jint(e, "len") > 0) {
      int ok = !actual || (has_delivery(other, "indicate", jint(e, "offset"),
                                        jint(e, "len"), 0) &&
                           !(div >= jint(e, "offset") &&
                             div < jint(e, "offset") + jint(e, "len")));
      snprintf(title, sizeof title,
               "indication: %lld bytes at stream offset %lld, host %s %lld "
               "(event %zu)",
               jint(e, "len"), jint(e, "offset"), str(e, "answer"),
               jint(e, "consumed"), i);
      bar(f, s, jint(e, "offset"), jint(e, "len"), y, 16,
          ok ? "#00897b" : "#d93025", "ind", title);
    }
  }
}

static void space_svg(FILE *f, const json_t *rec) {
  const json_t *ctx = json_object_get(rec, "context");
  const json_t *tr = json_object_get(rec, "traces");
  const json_t *ex = json_object_get(tr, "expected");
  const json_t *ac = json_object_get(tr, "actual");
  const json_t *script = json_object_get(ctx, "script"), *e, *div;
  long long buffered = jint(ctx, "buffered_len"),
            maxend = jint(ctx, "stream_len");
  long long hi = 0;
  size_t i, k, nframes = 0;
  scale s;
  char title[160], lab[32];

  trace_extent(ex, &maxend);
  trace_extent(ac, &maxend);
  if (buffered > maxend)
    maxend = buffered;
  if (maxend <= 0) {
    fputs("<p class=\"note\">No stream bytes in this vector (nothing "
          "buffered or delivered).</p>",
          f);
    return;
  }
  s.x0 = 150;
  s.w = 740;
  s.max = maxend;
  fputs("<svg class=\"space\" xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\"900\" height=\"212\" viewBox=\"0 0 900 212\" role=\"img\" "
        "aria-label=\"sequence space\">",
        f);
  /* Lane labels. */
  {
    static const char *const lanes[] = {"BufferedData", "frames (wire)",
                                        "posted requests", "expected delivery",
                                        "actual delivery"};
    for (i = 0; i < 5; i++)
      fprintf(f,
              "<text x=\"4\" y=\"%zu\" font-size=\"11\" "
              "fill=\"#202124\">%s</text>",
              30 + i * 34 + 12, lanes[i]);
  }
  /* Axis. */
  fprintf(f,
          "<line x1=\"%.0f\" y1=\"196\" x2=\"%.0f\" y2=\"196\" "
          "stroke=\"#5f6368\"/>",
          s.x0, s.x0 + s.w);
  for (i = 0; i <= 4; i++) {
    long long off = maxend * (long long)i / 4;
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"193\" x2=\"%.1f\" y2=\"199\" "
            "stroke=\"#5f6368\"/><text x=\"%.1f\" y=\"209\" font-size=\"9\" "
            "text-anchor=\"middle\" fill=\"#5f6368\">%lld</text>",
            sx(&s, off), sx(&s, off), sx(&s, off), off);
  }
  /* BufferedData, its lists, RcvNxt at offload. */
  if (buffered > 0) {
    long long off = 0;
    snprintf(title, sizeof title,
             "BufferedData: stream bytes [0, %lld) handed over at offload",
             buffered);
    bar(f, &s, 0, buffered, 28, 18, "#1a73e8", "buffered", title);
    json_array_foreach(json_object_get(ctx, "buffered_lists"), i, e) {
      const json_t *fr;
      json_array_foreach(e, k, fr) {
        off += (long long)json_integer_value(fr);
      }
      if (off < buffered)
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"28\" x2=\"%.1f\" y2=\"46\" "
                "stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                sx(&s, off), sx(&s, off));
    }
  }
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"196\" "
          "stroke=\"#1a73e8\" stroke-dasharray=\"4 2\"/><text x=\"%.1f\" "
          "y=\"20\" font-size=\"10\" fill=\"#1a73e8\">RcvNxt at offload "
          "(%lld)</text>",
          sx(&s, buffered), sx(&s, buffered), sx(&s, buffered) + 3, buffered);
  /* Frames in arrival order: out-of-order ones (starting beyond everything
   * seen so far) in orange; three sub-rows so neighbours stay apart. */
  hi = buffered;
  json_array_foreach(script, i, e) {
    long long off, len;
    if (strcmp(str(e, "op"), "frame") != 0)
      continue;
    off = jint(e, "offset");
    len = jint(e, "len");
    snprintf(title, sizeof title,
             "script event %lld: frame %lld carries [%lld, %lld) %s",
             jint(e, "i"), jint(e, "frame"), off, off + len, str(e, "flags"));
    bar(f, &s, off, len > 0 ? len : 0, 62 + (double)(nframes % 3) * 6, 5,
        off > hi ? "#f29900" : (off + len <= buffered ? "#9aa0a6" : "#5f6368"),
        NULL, title);
    if (off + len > hi && off <= hi)
      hi = off + len;
    nframes++;
  }
  /* Posted requests where the vector expects them filled. */
  json_array_foreach(script, i, e) {
    const json_t *x, *r;
    size_t a, b;
    int placed = 0;
    if (strncmp(str(e, "op"), "post", 4) != 0)
      continue;
    json_array_foreach(ex, a, x) {
      json_array_foreach(json_object_get(x, "requests"), b, r) {
        if (jint(r, "id") == jint(e, "id") &&
            json_is_integer(json_object_get(r, "offset")) && !placed) {
          snprintf(lab, sizeof lab, "#%lld", jint(e, "id"));
          snprintf(title, sizeof title,
                   "request #%lld (%lld bytes%s) expected to receive [%lld, "
                   "%lld)",
                   jint(e, "id"), jint(e, "size"),
                   json_is_false(json_object_get(e, "push")) ? ", non-push"
                                                             : "",
                   jint(r, "offset"), jint(r, "offset") + jint(r, "bytes"));
          bar(f, &s, jint(r, "offset"),
              jint(e, "size") > 0 ? jint(e, "size") : 1, 96, 16, "#a142f4", lab,
              title);
          placed = 1;
        }
      }
    }
  }
  div = json_object_get(rec, "divergence");
  {
    long long d = -1;
    hexbytes hb;
    /* Only a byte divergence marks a delivery whose range is right. */
    if (json_is_integer(json_object_get(div, "stream_offset")) &&
        parse_hex(str(div, "actual"), &hb) == 0)
      d = jint(div, "stream_offset");
    deliveries(f, &s, ex, ac, 130, 0, -1);
    deliveries(f, &s, ac, ex, 164, 1, d);
  }
  if (json_is_integer(json_object_get(div, "stream_offset"))) {
    long long d = jint(div, "stream_offset");
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"196\" "
            "stroke=\"#d93025\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>"
            "<text x=\"%.1f\" y=\"192\" font-size=\"10\" fill=\"#d93025\">"
            "first divergence @%lld</text>",
            sx(&s, d), sx(&s, d), sx(&s, d) + 3, d);
  }
  fputs("</svg>", f);
}

/* ---- Hex diff ------------------------------------------------------------ */

/* Parses "c0 ab [1d a7 ..." ; returns 0 when the text is hex bytes. */
static int parse_hex(const char *s, hexbytes *h) {
  h->n = 0;
  h->mark = -1;
  while (*s) {
    unsigned v;
    int k;
    if (*s == ' ' || *s == ']' || *s == '.') {
      s++;
      continue;
    }
    if (*s == '[') {
      h->mark = h->n;
      s++;
      continue;
    }
    if (sscanf(s, "%2x%n", &v, &k) != 1 || k != 2 ||
        (s[2] && s[2] != ' ' && s[2] != ']' && s[2] != '.'))
      return -1;
    if (h->n < 64)
      h->b[h->n++] = (int)v;
    s += 2;
  }
  return h->n > 0 || h->mark >= 0 ? 0 : -1;
}

static void hex_diff(FILE *f, const json_t *div) {
  hexbytes e, a;
  long long base = jint(div, "stream_offset");
  int pre, i, row;
  if (parse_hex(str(div, "expected"), &e) != 0 ||
      parse_hex(str(div, "actual"), &a) != 0 ||
      !json_is_integer(json_object_get(div, "stream_offset"))) {
    fputs("<table class=\"hex\"><tr><td>expected</td><td>", f);
    esc(f, str(div, "expected"));
    fputs("</td></tr><tr><td>actual</td><td>", f);
    esc(f, str(div, "actual"));
    fputs("</td></tr></table><p class=\"note\">No byte divergence: the call "
          "pattern differs (see the diagram).</p>",
          f);
    return;
  }
  if (e.mark < 0)
    e.mark = 0;
  if (a.mark < 0)
    a.mark = 0;
  /* Align both at the divergence mark (stream offset base). */
  pre = e.mark > a.mark ? e.mark : a.mark;
  fputs("<table class=\"hex\"><tr><td>stream offset</td><td>expected</td>"
        "<td>actual</td></tr>",
        f);
  for (row = 0; row * 16 < pre + (e.n - e.mark > a.n - a.mark ? e.n - e.mark
                                                              : a.n - a.mark);
       row++) {
    int pos;
    int k;
    fprintf(f, "<tr><td>%lld</td>", base - pre + row * 16);
    for (k = 0; k < 2; k++) {
      const hexbytes *h = k == 0 ? &e : &a, *o = k == 0 ? &a : &e;
      fputs("<td>", f);
      for (i = 0; i < 16; i++) {
        int hi = row * 16 + i - pre + h->mark,
            oi = row * 16 + i - pre + o->mark;
        pos = row * 16 + i;
        if (i)
          fputc(' ', f);
        if (hi < 0 || hi >= h->n) {
          fputs("  ", f);
          continue;
        }
        if (pos < pre)
          fprintf(f, "<span class=\"ctx\">%02x</span>", h->b[hi]);
        else if (oi < 0 || oi >= o->n || o->b[oi] != h->b[hi])
          fprintf(f, "<mark>%02x</mark>", h->b[hi]);
        else
          fprintf(f, "%02x", h->b[hi]);
      }
      fputs("</td>", f);
    }
    fputs("</tr>", f);
  }
  fputs("</table>", f);
}

/* ---- Page sections ------------------------------------------------------ */

static int overall_status(const report *R) {
  if (R->counts[TORC_CRASH] || R->counts[TORC_TIMEOUT] || R->counts[TORC_ERROR])
    return TORC_EXIT_INCOMPLETE;
  return R->counts[TORC_FAIL] ? TORC_EXIT_FAIL : TORC_EXIT_OK;
}

static const char *status_text(int st) {
  return st == 0 ? "CONFORMANT" : (st == 1 ? "NOT CONFORMANT" : "INCOMPLETE");
}

static void write_header(FILE *f, const report *R) {
  const json_t *t = json_object_get(R->doc, "target");
  int st = overall_status(R), k;
  fputs("<header class=\"top\"><h1>torc conformance report</h1>", f);
  fprintf(f, "<span class=\"status %s\" id=\"status\">%s</span> ",
          st == 0 ? "ok" : (st == 1 ? "fail" : "incomplete"), status_text(st));
  fputs("<span>target <b id=\"target-name\">", f);
  esc(f, str(t, "name"));
  fputs("</b> ", f);
  esc(f, str(t, "version"));
  fputs("</span><dl class=\"meta\">", f);
  fputs("<dt>suite</dt><dd>torc <span id=\"suite-version\">", f);
  esc(f, str(R->doc, "torc_version"));
  fprintf(f, "</span> (results format %" JSON_INTEGER_FORMAT ")</dd>",
          json_integer_value(json_object_get(R->doc, "format")));
  fputs("<dt>target</dt><dd>", f);
  esc(f, str(t, "name"));
  fprintf(f,
          " %s, ABI version <span id=\"abi-version\">%" JSON_INTEGER_FORMAT
          "</span>, capabilities 0x%" JSON_INTEGER_FORMAT "x</dd>",
          "", json_integer_value(json_object_get(t, "abi_version")),
          json_integer_value(json_object_get(t, "capabilities")));
  fputs("<dt>vector set</dt><dd><code id=\"vector-set-digest\">", f);
  esc(f, str(R->doc, "vector_set_digest"));
  fputs("</code></dd><dt>run</dt><dd><span id=\"run-date\">", f);
  esc(f, str(R->doc, "started"));
  fputs("</span> to ", f);
  esc(f, str(R->doc, "finished"));
  fputs("</dd><dt>results digest</dt><dd><code id=\"results-digest\">", f);
  fputs(R->digest, f);
  fputs("</code> (SHA-256 of ", f);
  esc(f, R->results_path);
  fputs(" in canonical form: sorted keys, compact)</dd></dl></header>\n", f);

  fputs("<main><h2 id=\"summary\">Verdicts</h2><div class=\"counts\" "
        "id=\"verdict-counts\">",
        f);
  fprintf(f,
          "<span class=\"chip v-ERROR\" data-verdict=\"TOTAL\" "
          "data-n=\"%zu\">%zu vectors</span>",
          R->total, R->total);
  for (k = 0; k < TORC_VERDICT_COUNT; k++) {
    int v = vorder[k];
    fprintf(f,
            "<span class=\"chip v-%s\" data-verdict=\"%s\" data-n=\"%zu\">%s "
            "%zu</span>",
            vnames[v], vnames[v], R->counts[v], vnames[v], R->counts[v]);
  }
  fputs("</div>", f);
  if (R->total) {
    fputs("<div class=\"bar\" style=\"width:100%;height:14px\">", f);
    for (k = 0; k < TORC_VERDICT_COUNT; k++) {
      int v = vorder[k];
      if (R->counts[v])
        fprintf(f, "<span style=\"width:%.3f%%;background:%s\"></span>",
                100.0 * (double)R->counts[v] / (double)R->total, vcolour[v]);
    }
    fputs("</div>", f);
  }
}

static void write_filters(FILE *f) {
  int k;
  fputs("<div id=\"filters\"><b>Show</b>", f);
  for (k = 0; k < TORC_VERDICT_COUNT; k++) {
    int v = vorder[k];
    fprintf(f,
            "<label><input type=\"checkbox\" class=\"fv\" id=\"f-%s\" "
            "data-verdict=\"%s\" checked> <span class=\"chip v-%s\">%s</span>"
            "</label>",
            vnames[v], vnames[v], vnames[v], vnames[v]);
  }
  fputs("<label><input type=\"checkbox\" id=\"f-UNCOVERED\" checked> "
        "<span class=\"chip v-UNCOVERED\">uncovered</span></label>"
        "<label>requirement <input type=\"search\" id=\"req-filter\" "
        "placeholder=\"RCV-046\"></label>"
        "<button type=\"button\" id=\"only-failing\">only failures</button>"
        "<button type=\"button\" id=\"show-all\">show all</button>"
        "<span id=\"shown\"></span></div>\n",
        f);
}

static void write_matrix(FILE *f, const report *R) {
  size_t i, covered = 0, testable = 0, gaps = 0, k;
  for (i = 0; i < R->nrows; i++) {
    covered += R->rows[i].nvectors > 0;
    testable += R->rows[i].testable;
    gaps += R->rows[i].nvectors == 0 &&
            (R->rows[i].testable || !R->rows[i].in_catalogue);
  }
  fprintf(f,
          "<h2 id=\"matrix-h\">Requirement matrix</h2><p>%zu requirements "
          "(%zu testable); <b>%zu</b> exercised by at least one vector, "
          "<b id=\"uncovered-count\">%zu</b> testable but not covered "
          "(highlighted). Counts are vectors "
          "exercising the requirement, by verdict; &ldquo;violated&rdquo; "
          "counts failing vectors that name it in a violation. Click an id "
          "to filter.</p>",
          R->nrows, testable, covered, gaps);
  fputs("<table id=\"matrix\"><thead><tr><th>requirement</th><th>grp</th>"
        "<th>strength</th><th>rule and the project's interpretation</th>"
        "<th>vectors</th>",
        f);
  for (k = 0; k < TORC_VERDICT_COUNT; k++)
    fprintf(f, "<th title=\"%s\">%s</th>", vnames[vorder[k]],
            vnames[vorder[k]]);
  fputs("<th>violated</th><th></th></tr></thead><tbody>\n", f);
  for (i = 0; i < R->nrows; i++) {
    const reqrow *r = &R->rows[i];
    int failing = 0;
    fprintf(f, "<tr class=\"req");
    for (k = 0; k < TORC_VERDICT_COUNT; k++)
      failing |= is_failure((int)k) && r->counts[k];
    if (!r->nvectors)
      fputs(r->testable || !r->in_catalogue ? " uncovered" : " untestable", f);
    if (failing)
      fputs(" failing", f);
    if (!r->in_catalogue)
      fputs(" notcat", f);
    fputs("\" data-req=\"", f);
    esc(f, r->id);
    fputs("\" data-verdicts=\"", f);
    for (k = 0; k < TORC_VERDICT_COUNT; k++)
      if (r->counts[k])
        fprintf(f, "%s ", vnames[k]);
    fprintf(f, "\" data-vectors=\"%zu\"><td><a class=\"req\" data-req=\"",
            r->nvectors);
    esc(f, r->id);
    fputs("\" href=\"#\">", f);
    esc(f, r->id);
    fputs("</a></td><td>", f);
    esc(f, r->group);
    fputs("</td><td>", f);
    esc(f, r->strength);
    fputs("</td><td><span class=\"sum\">", f);
    esc(f, r->summary);
    fputs("</span>", f);
    if (*r->interp) {
      fputs("<div class=\"interp\">Interpretation: ", f);
      esc(f, r->interp);
      fputs("</div>", f);
    }
    if (!r->testable && r->in_catalogue) {
      fputs("<div class=\"why\">not testable: ", f);
      esc(f, *r->why ? r->why : "see the catalogue");
      fputs("</div>", f);
    } else if (!r->nvectors) {
      fputs("<div class=\"why\">no vector exercises it</div>", f);
    }
    if (json_array_size(r->failing)) {
      const json_t *x;
      fprintf(f, "<details><summary>%zu failing vector%s</summary>",
              json_array_size(r->failing),
              json_array_size(r->failing) == 1 ? "" : "s");
      json_array_foreach(r->failing, k, x) {
        if (k >= 50) {
          fprintf(f, " &hellip; and %zu more",
                  json_array_size(r->failing) - 50);
          break;
        }
        fputs("<a class=\"mono\" href=\"#v-", f);
        esc(f, json_string_value(x));
        fputs("\">", f);
        esc(f, json_string_value(x));
        fputs("</a> ", f);
      }
      fputs("</details>", f);
    }
    fprintf(f, "</td><td class=\"n vectors\">%zu</td>", r->nvectors);
    for (k = 0; k < TORC_VERDICT_COUNT; k++) {
      int v = vorder[k];
      fprintf(f, "<td class=\"n c-%s%s\" data-verdict=\"%s\">%zu</td>",
              vnames[v], r->counts[v] ? "" : " z", vnames[v], r->counts[v]);
    }
    fprintf(f, "<td class=\"n violated%s\">%zu</td><td><div class=\"bar\">",
            r->nviolated ? "" : " z", r->nviolated);
    for (k = 0; k < TORC_VERDICT_COUNT && r->nvectors; k++) {
      int v = vorder[k];
      if (r->counts[v])
        fprintf(f, "<span style=\"width:%.2f%%;background:%s\"></span>",
                100.0 * (double)r->counts[v] / (double)r->nvectors, vcolour[v]);
    }
    fputs("</div></td></tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

/* The first specific violation of a record, else its detail. */
static const char *first_reason(const json_t *rec, const char **req) {
  const json_t *x;
  size_t i;
  *req = "";
  json_array_foreach(json_object_get(rec, "violations"), i, x) {
    if (is_specific(x)) {
      *req = str(x, "requirement");
      return str(x, "message");
    }
  }
  return str(rec, "detail");
}

/* A failure's signature: verdict, first violated requirement, message with
 * digits folded, so 500 vectors failing the same way are one line. */
static void signature(const json_t *rec, char *out, size_t n) {
  const char *req, *msg = first_reason(rec, &req);
  size_t o = 0;
  int prev_digit = 0;
  o = (size_t)snprintf(out, n, "%s %s: ", str(rec, "verdict"), req);
  for (; *msg && o + 2 < n; msg++) {
    if (*msg >= '0' && *msg <= '9') {
      if (!prev_digit)
        out[o++] = 'N';
      prev_digit = 1;
      continue;
    }
    if (prev_digit && ((*msg >= 'a' && *msg <= 'f') || *msg == 'x'))
      continue; /* hex handles */
    prev_digit = 0;
    out[o++] = *msg;
  }
  out[o < n ? o : n - 1] = '\0';
}

static void write_signatures(FILE *f, const report *R, FILE *mdf) {
  const json_t *results = json_object_get(R->doc, "results"), *rec;
  json_t *sig = json_object(), *ex = json_object(), *v;
  size_t i;
  const char *k;
  char buf[512];
  json_array_foreach(results, i, rec) {
    if (!is_failure(vparse(str(rec, "verdict"))))
      continue;
    signature(rec, buf, sizeof buf);
    v = json_object_get(sig, buf);
    json_object_set_new(sig, buf,
                        json_integer(v ? json_integer_value(v) + 1 : 1));
    if (!json_object_get(ex, buf))
      json_object_set_new(ex, buf, json_string(str(rec, "id")));
  }
  if (json_object_size(sig)) {
    fputs("<h2 id=\"signatures\">Failure signatures</h2><table class=\"sig\">"
          "<thead><tr><th>vectors</th><th>how they fail</th><th>first "
          "example</th></tr></thead><tbody>",
          f);
    fputs("\n| vectors | how they fail | first example |\n|---:|---|---|\n",
          mdf);
    json_object_foreach(sig, k, v) {
      fprintf(f, "<tr><td>%" JSON_INTEGER_FORMAT "</td><td>",
              json_integer_value(v));
      esc(f, k);
      fputs("</td><td><a class=\"mono\" href=\"#v-", f);
      esc(f, str(ex, k));
      fputs("\">", f);
      esc(f, str(ex, k));
      fputs("</a></td></tr>", f);
      fprintf(mdf, "| %" JSON_INTEGER_FORMAT " | ", json_integer_value(v));
      md(mdf, k);
      fprintf(mdf, " | `%s` |\n", str(ex, k));
    }
    fputs("</tbody></table>\n", f);
  }
  json_decref(sig);
  json_decref(ex);
}

static void write_vectors(FILE *f, const report *R) {
  const json_t *results = json_object_get(R->doc, "results"), *rec, *x;
  size_t i, k;
  fputs("<h2 id=\"vectors-h\">Vectors</h2><table id=\"vectors\"><thead><tr>"
        "<th>vector</th><th>verdict</th><th>title</th><th>requirements</th>"
        "<th>why</th></tr></thead><tbody>\n",
        f);
  json_array_foreach(results, i, rec) {
    const char *verdict = str(rec, "verdict"), *req, *why;
    int v = vparse(verdict);
    fputs("<tr data-id=\"", f);
    esc(f, str(rec, "id"));
    fprintf(f, "\" data-verdict=\"%s\" data-reqs=\"", verdict);
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      if (k)
        fputc(' ', f);
      esc(f, json_string_value(x));
    }
    fputs("\"><td class=\"mono\">", f);
    if (v != TORC_PASS && v != TORC_UNSUPPORTED) {
      fputs("<a href=\"#v-", f);
      esc(f, str(rec, "id"));
      fputs("\">", f);
      esc(f, str(rec, "id"));
      fputs("</a>", f);
    } else {
      esc(f, str(rec, "id"));
    }
    fprintf(f, "</td><td><span class=\"chip v-%s\">%s</span></td><td>", verdict,
            verdict);
    esc(f, str(rec, "title"));
    fprintf(f, "</td><td class=\"n\">%zu</td><td>",
            json_array_size(json_object_get(rec, "requirements")));
    why = first_reason(rec, &req);
    if (*req) {
      fputs("<code>", f);
      esc(f, req);
      fputs("</code> ", f);
    }
    esc_cut(f, why, 120);
    if (v == TORC_PASS_NONSTRICT) {
      const json_t *a;
      fputs(" allowances:", f);
      json_array_foreach(json_object_get(rec, "allowances"), k, a) {
        fputc(' ', f);
        esc(f, json_string_value(a));
      }
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

static const reqrow *row_of(const report *R, const char *id) {
  return find_row((report *)(uintptr_t)R, id);
}

static void write_failure(FILE *f, const report *R, const json_t *rec,
                          int diagrams) {
  const char *verdict = str(rec, "verdict");
  const json_t *x, *div = json_object_get(rec, "divergence");
  const json_t *w = json_object_get(rec, "waiver");
  size_t k, nspec = 0;
  long div_act = -1;
  fputs("<article class=\"failure v-", f);
  fprintf(f, "%s-b\" id=\"v-", verdict);
  esc(f, str(rec, "id"));
  fprintf(f, "\" data-verdict=\"%s\" data-reqs=\"", verdict);
  json_array_foreach(json_object_get(rec, "requirements"), k, x) {
    if (k)
      fputc(' ', f);
    esc(f, json_string_value(x));
  }
  json_array_foreach(json_object_get(rec, "violations"), k, x) {
    fputc(' ', f);
    esc(f, str(x, "requirement"));
  }
  fprintf(f, "\"><h3><span class=\"chip v-%s\">%s</span> <code>", verdict,
          verdict);
  esc(f, str(rec, "id"));
  fputs("</code></h3><div class=\"title\">", f);
  esc(f, str(rec, "title"));
  fputs("</div>", f);
  if (*str(rec, "detail")) {
    fputs("<p class=\"detail\">", f);
    esc(f, str(rec, "detail"));
    fputs("</p>", f);
  }
  if (json_is_object(w)) {
    fputs("<p class=\"note\">Waived (was ", f);
    esc(f, str(w, "verdict"));
    fputs("): ", f);
    esc(f, str(w, "reason"));
    fputs(" &mdash; expires ", f);
    esc(f, str(w, "expires"));
    if (*str(w, "link")) {
      fputs(" &mdash; ", f);
      esc(f, str(w, "link"));
    }
    fputs("</p>", f);
  }
  /* Violated requirements with the rule's one-line summary. */
  fputs("<ul class=\"violations\">", f);
  json_array_foreach(json_object_get(rec, "violations"), k, x) {
    const reqrow *r;
    if (!is_specific(x))
      continue;
    nspec++;
    r = row_of(R, str(x, "requirement"));
    fputs("<li class=\"violation\" data-req=\"", f);
    esc(f, str(x, "requirement"));
    fputs("\"><a class=\"req\" href=\"#\" data-req=\"", f);
    esc(f, str(x, "requirement"));
    fputs("\">", f);
    esc(f, str(x, "requirement"));
    fputs("</a> <span class=\"sum\">", f);
    esc(f, r && *r->summary ? r->summary : "(not in the catalogue)");
    fputs("</span><br><span class=\"msg\">", f);
    esc(f, str(x, "message"));
    fputs("</span></li>", f);
  }
  fputs("</ul>", f);
  if (json_array_size(json_object_get(rec, "violations")) > nspec) {
    fputs("<details><summary>also implicated: the requirements this vector "
          "exercises</summary><p class=\"mono\">",
          f);
    json_array_foreach(json_object_get(rec, "violations"), k, x) {
      if (is_specific(x))
        continue;
      fputs("<a class=\"req\" href=\"#\" data-req=\"", f);
      esc(f, str(x, "requirement"));
      fputs("\">", f);
      esc(f, str(x, "requirement"));
      fputs("</a> ", f);
    }
    fputs("</p></details>", f);
  }
  if (json_is_object(div)) {
    div_act = (long)json_integer_value(json_object_get(div, "event_index"));
    fprintf(f,
            "<div class=\"divergence\" data-event-index=\"%ld\" "
            "data-stream-offset=\"",
            div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, "%" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fprintf(f, "\"><b>First divergence</b> at actual event %ld", div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, ", stream offset %" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fputs("<br>expected: <code class=\"exp\">", f);
    esc(f, str(div, "expected"));
    fputs("</code><br>actual: <code class=\"act\">", f);
    esc(f, str(div, "actual"));
    fputs("</code></div>", f);
  } else if (json_is_object(json_object_get(rec, "traces"))) {
    const json_t *tr = json_object_get(rec, "traces");
    div_act = first_diff(json_object_get(tr, "expected"),
                         json_object_get(tr, "actual"));
    if (div_act >= 0)
      fprintf(f,
              "<div class=\"divergence\" data-event-index=\"%ld\" "
              "data-stream-offset=\"\"><b>First divergence</b> at event %ld "
              "of the traces (the first entry that differs)</div>",
              div_act, div_act);
  }
  if (json_is_object(json_object_get(rec, "traces")) && diagrams) {
    fputs("<div class=\"figs\"><figure>", f);
    sequence_svg(f, rec, div_act);
    fputs("<figcaption>Host script (blue) and target calls, expected beside "
          "actual; the first divergence is on the red band.</figcaption>"
          "</figure><figure>",
          f);
    space_svg(f, rec);
    fputs("<figcaption>Sequence space: BufferedData left of RcvNxt, frames "
          "as they arrive (orange: out of order), where posted requests "
          "should be filled, and what was delivered where (red: not as "
          "expected).</figcaption></figure></div>",
          f);
  } else if (!json_is_object(json_object_get(rec, "traces"))) {
    fputs("<p class=\"note\">No event traces in the results (run with a "
          "torc that records them).</p>",
          f);
  } else {
    fputs("<p class=\"note\">Diagrams omitted (over --max-diagrams).</p>", f);
  }
  if (json_is_object(div)) {
    fputs("<div class=\"hexdiff\"><b>Bytes at the divergence</b>", f);
    hex_diff(f, div);
    fputs("</div>", f);
  }
  fputs("<div>Replay this vector alone:</div><pre class=\"replay\">", f);
  if (*str(rec, "replay"))
    esc(f, str(rec, "replay"));
  else {
    fputs("torc run --target ", f);
    esc(f, str(json_object_get(R->doc, "target"), "name"));
    fputs(" --id ", f);
    esc(f, str(rec, "id"));
  }
  fputs("</pre></article>\n", f);
}

/* The embedded data: the document without traces and contexts, '<' escaped
 * so the text cannot close the script element. */
static void write_data(FILE *f, const report *R) {
  json_t *copy = json_deep_copy(R->doc), *rec;
  char *s, *p;
  size_t i;
  if (!copy) {
    fputs("{}", f);
    return;
  }
  json_array_foreach(json_object_get(copy, "results"), i, rec) {
    json_object_del(rec, "traces");
    json_object_del(rec, "context");
  }
  json_object_set_new(copy, "results_digest", json_string(R->digest));
  json_object_set_new(copy, "results_path", json_string(R->results_path));
  s = json_dumps(copy, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
  for (p = s; p && *p; p++) {
    if (*p == '<')
      fputs("\\u003c", f);
    else
      fputc(*p, f);
  }
  free(s);
  json_decref(copy);
}

static void write_body(FILE *f, FILE *mdf, report *R) {
  const json_t *results = json_object_get(R->doc, "results"), *rec;
  size_t i, nfail = 0, drawn = 0;
  write_header(f, R);
  write_filters(f);
  write_signatures(f, R, mdf);
  write_matrix(f, R);
  json_array_foreach(results, i, rec) {
    int v = vparse(str(rec, "verdict"));
    nfail += v != TORC_PASS && v != TORC_UNSUPPORTED;
  }
  fprintf(f,
          "<h2 id=\"failures\">Vectors that did not pass (%zu)</h2>"
          "<p class=\"note\">Each: the requirements it violates, the "
          "sequence diagram, the sequence space, the bytes at the first "
          "divergence and the command that replays it.</p>",
          nfail);
  json_array_foreach(results, i, rec) {
    int v = vparse(str(rec, "verdict"));
    if (v == TORC_PASS || v == TORC_UNSUPPORTED)
      continue;
    write_failure(f, R, rec, R->max_diagrams == 0 || drawn < R->max_diagrams);
    drawn++;
  }
  if (nfail == 0)
    fputs("<p>None: every vector passed.</p>", f);
  write_vectors(f, R);
  fputs("<p class=\"note\">Generated by <code>torc report</code> from ", f);
  esc(f, R->results_path);
  fputs(". This page needs no network.</p></main>", f);
}

/* ---- Files -------------------------------------------------------------- */

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

/* Writes the template with its @MARKERS@ replaced. */
static void fill_template(FILE *out, FILE *mdf, report *R) {
  const char *t = torc_asset_report_html_in, *m;
  while ((m = strchr(t, '@')) != NULL) {
    const char *end = strchr(m + 1, '@');
    size_t name_len;
    if (!end)
      break;
    fwrite(t, 1, (size_t)(m - t), out);
    name_len = (size_t)(end - m - 1);
    if (name_len == 5 && strncmp(m + 1, "TITLE", 5) == 0) {
      fputs("torc report: ", out);
      esc(out, str(json_object_get(R->doc, "target"), "name"));
      fprintf(out, " %s", status_text(overall_status(R)));
    } else if (name_len == 3 && strncmp(m + 1, "CSS", 3) == 0) {
      fputs(torc_asset_report_css, out);
    } else if (name_len == 2 && strncmp(m + 1, "JS", 2) == 0) {
      fputs(torc_asset_report_js, out);
    } else if (name_len == 4 && strncmp(m + 1, "BODY", 4) == 0) {
      write_body(out, mdf, R);
    } else if (name_len == 4 && strncmp(m + 1, "DATA", 4) == 0) {
      write_data(out, R);
    } else {
      fwrite(m, 1, (size_t)(end - m + 1), out);
    }
    t = end + 1;
  }
  fputs(t, out);
}

static void write_summary_md(FILE *m, const report *R, const char *sigs,
                             const char *junit) {
  const json_t *t = json_object_get(R->doc, "target"), *rec;
  int st = overall_status(R), k;
  size_t i, listed = 0;
  fprintf(m, "## torc conformance: %s %s\n\n", status_text(st),
          st == 0 ? ":white_check_mark:" : ":x:");
  fprintf(m, "Target **");
  md(m, str(t, "name"));
  fprintf(m, "** ");
  md(m, str(t, "version"));
  fprintf(m, " (ABI %" JSON_INTEGER_FORMAT "), torc %s, %s\n\n",
          json_integer_value(json_object_get(t, "abi_version")),
          str(R->doc, "torc_version"), str(R->doc, "started"));
  fputs("| verdict | vectors |\n|---|---:|\n", m);
  for (k = 0; k < TORC_VERDICT_COUNT; k++)
    if (R->counts[vorder[k]])
      fprintf(m, "| %s | %zu |\n", vnames[vorder[k]], R->counts[vorder[k]]);
  fprintf(m, "| **total** | **%zu** |\n", R->total);
  if (*sigs)
    fprintf(m, "\n### How they fail\n%s", sigs);
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const char *req, *why;
    if (!is_failure(vparse(str(rec, "verdict"))))
      continue;
    if (listed == 0)
      fputs("\n### Failing vectors\n\n", m);
    if (listed++ == 20) {
      fputs("- ... (see the HTML report)\n", m);
      break;
    }
    why = first_reason(rec, &req);
    fprintf(m, "- `%s` %s %s: ", str(rec, "id"), str(rec, "verdict"), req);
    md(m, why);
    if (*str(rec, "replay"))
      fprintf(m, "  \n  `%s`", str(rec, "replay"));
    fputc('\n', m);
  }
  fprintf(m,
          "\nVector set `%.16s...`; results digest (SHA-256, canonical) "
          "`%s`.%s\n",
          str(R->doc, "vector_set_digest"), R->digest,
          junit ? " JUnit XML: `junit.xml`." : "");
}

int torc_cmd_report(int argc, char **argv) {
  static const struct option lo[] = {
      {"output", required_argument, NULL, 'o'},
      {"catalogue", required_argument, NULL, 'c'},
      {"junit", required_argument, NULL, 'j'},
      {"max-diagrams", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *out_dir = NULL, *catalogue = NULL, *junit = NULL;
  report R;
  json_error_t je;
  char err[1024], path[PATH_MAX], *html = NULL, *sigs = NULL, *summ = NULL;
  size_t html_len = 0, sigs_len = 0, summ_len = 0;
  FILE *f, *mdf;
  unsigned long u;
  int c, rc = TORC_EXIT_USAGE;

  memset(&R, 0, sizeof R);
  R.max_diagrams = DEFAULT_MAX_DIAGRAMS;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
    switch (c) {
    case 'o':
      out_dir = optarg;
      break;
    case 'c':
      catalogue = optarg;
      break;
    case 'j':
      junit = optarg;
      break;
    case 'm':
      if (torc_cli_parse_uint(optarg, 0, 1000000, &u) != 0)
        return torc_cli_usage_error(
            "report", "--max-diagrams '%s': expected 0..1000000", optarg);
      R.max_diagrams = (unsigned)u;
      break;
    case 'h':
      fputs(report_help, stdout);
      return TORC_EXIT_OK;
    default:
      if (optopt)
        return torc_cli_usage_error("report", "option '%s' needs a value",
                                    argv[optind - 1]);
      return torc_cli_usage_error("report", "unknown option '%s'",
                                  argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return torc_cli_usage_error("report", "expected one RESULTS.json");
  if (!out_dir)
    return torc_cli_usage_error("report", "-o DIR is required");
  R.results_path = argv[optind];

  R.doc = json_load_file(R.results_path, 0, &je);
  if (!R.doc) {
    fprintf(stderr, "torc report: %s: line %d: %s\n", R.results_path, je.line,
            je.text);
    return TORC_EXIT_USAGE;
  }
  if (check_doc(R.results_path, R.doc, err, sizeof err) != 0) {
    fprintf(stderr, "torc report: %s\n", err);
    goto out;
  }
  if (torc_canon_digest(R.doc, R.digest) != 0) {
    fprintf(stderr,
            "torc report: %s: cannot write canonical form (a number "
            "that is not finite?)\n",
            R.results_path);
    goto out;
  }
  R.cat_path = find_catalogue(catalogue);
  if (R.cat_path) {
    R.cat = json_load_file(R.cat_path, 0, &je);
    if (!R.cat) {
      fprintf(stderr, "torc report: %s: line %d: %s\n", R.cat_path, je.line,
              je.text);
      goto out;
    }
    if (!json_is_array(json_object_get(R.cat, "requirements"))) {
      fprintf(stderr, "torc report: %s: $.requirements: expected an array\n",
              R.cat_path);
      goto out;
    }
  } else {
    fprintf(stderr, "torc report: no requirement catalogue found (use "
                    "--catalogue FILE); the matrix lists only the "
                    "requirements the results cite\n");
  }
  build_matrix(&R);

  if (mkdir_p(out_dir) != 0) {
    fprintf(stderr, "torc report: %s: %s\n", out_dir, strerror(errno));
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
  fill_template(f, mdf, &R);
  fclose(f);
  fclose(mdf);
  if ((size_t)snprintf(path, sizeof path, "%s/report.html", out_dir) >=
          sizeof path ||
      write_file(path, html, html_len) != 0) {
    fprintf(stderr, "torc report: %s: %s\n", path, strerror(errno));
    goto out;
  }
  if (junit) {
    char jp[PATH_MAX];
    if ((size_t)snprintf(jp, sizeof jp, "%s/junit.xml", out_dir) >= sizeof jp ||
        copy_file(junit, jp) != 0) {
      fprintf(stderr, "torc report: %s: cannot copy to %s: %s\n", junit,
              out_dir, strerror(errno));
      goto out;
    }
  }
  mdf = open_memstream(&summ, &summ_len);
  if (!mdf) {
    fprintf(stderr, "torc report: out of memory\n");
    goto out;
  }
  write_summary_md(mdf, &R, sigs ? sigs : "", junit);
  fclose(mdf);
  {
    char mp[PATH_MAX];
    if ((size_t)snprintf(mp, sizeof mp, "%s/summary.md", out_dir) >=
            sizeof mp ||
        write_file(mp, summ, summ_len) != 0) {
      fprintf(stderr, "torc report: %s: %s\n", mp, strerror(errno));
      goto out;
    }
  }
  printf("%s\n", path);
  rc = TORC_EXIT_OK;
out:
  free(html);
  free(sigs);
  free(summ);
  free_report(&R);
  return rc;
}
