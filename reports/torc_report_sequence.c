/*
 * torc_report_sequence.c - the SVG sequence diagram of a vector that did
 * not pass: host script and target calls, expected beside actual, the first
 * divergence on a red band.
 *
 * Drawn by the failure article (torc_report_failure.c) from the record's
 * traces and script; long traces are cut to SEQ_MAX_ROWS rows around the
 * divergence.  Script steps are labelled s0, s1, ... and trace entries e0,
 * e1, ... (each trace counted from 0), the numbering the article explains;
 * events are decoded (RETRIEVE with its upload reason).
 */
#include "torc_report_int.h"

#include <stdlib.h>

#define SEQ_MAX_ROWS 48

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
    if (json_is_string(x)) {
      torcint_report_event_text(json_string_value(x),
                                (unsigned long long)jint(e, "info"), buf, n);
    } else {
      snprintf(buf, n, "event #%" JSON_INTEGER_FORMAT " info %lld",
               json_integer_value(x), jint(e, "info"));
    }
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
long torcint_report_first_diff(const json_t *ex, const json_t *ac) {
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
  esc_cut(f, label, 52);
  fputs("</text>", f);
}

void torcint_report_sequence_svg(FILE *f, const json_t *rec, long div_act) {
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
      snprintf(label, sizeof label, "s%d: %s", r->host, lab);
      arrow(f, 60, W - 60, y, "#4285f4", label, 0);
      arrow(f, W + 20 + 60, 2 * W + 20 - 60, y, "#4285f4", label, 0);
    } else {
      char lab[200];
      if (r->exp >= 0) {
        entry_text(json_array_get(ex, (size_t)r->exp), lab, sizeof lab);
        snprintf(label, sizeof label, "e%d: %s", r->exp, lab);
        arrow(f, W - 60, 60, y, isdiv ? "#f9a825" : "#188038", label, 0);
      }
      if (r->act >= 0) {
        int same =
            r->exp >= 0 && json_equal(json_array_get(ex, (size_t)r->exp),
                                      json_array_get(ac, (size_t)r->act));
        entry_text(json_array_get(ac, (size_t)r->act), lab, sizeof lab);
        snprintf(label, sizeof label, "e%d: %s", r->act, lab);
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
