/*
 * torc_report_int.h - interface for the parts of the report renderer to
 * share the report's model and their small text helpers (private to
 * reports/torc_report*.c).
 *
 * torc_report.c loads the results document and the catalogue into a
 * `report` (torc_report_model.c checks the document and builds the
 * requirement matrix); the page, the failure articles, the diagrams, the
 * signatures and the summary read it.  The model holds JSON read from files
 * only: nothing of the engine.
 */
#ifndef TORC_REPORT_INT_H
#define TORC_REPORT_INT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "torc_claim.h"
#include "torc_results.h"
#include "torc_text.h"
#include "torc_verdict.h"

#define EXERCISED "requirement exercised by this vector"

/* ---- Verdicts ----------------------------------------------------------- */

static inline const char *vname(int v) {
  return torc_verdict_name((torc_verdict)v);
}

static inline int vparse(const char *s) {
  return torc_verdict_parse(s);
}

/* The verdict shown in column k of the matrix (display order). */
static inline int vorder(int k) {
  static const int order[TORC_VERDICT_COUNT] = {
      TORC_PASS,    TORC_PASS_NONSTRICT, TORC_FAIL,     TORC_CRASH,
      TORC_TIMEOUT, TORC_ERROR,          TORC_UNTESTED, TORC_WAIVED};
  return order[k];
}

static inline const char *vcolour(int v) {
  static const char *const colour[TORC_VERDICT_COUNT] = {
      "#2e7d32", "#7cb342", "#9e9e9e", "#1565c0",
      "#c62828", "#37474f", "#6a1b9a", "#ef6c00"};
  return colour[v];
}

static inline int is_failure(int v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR;
}

/* ---- Small helpers ------------------------------------------------------ */

static inline const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static inline long long jint(const json_t *o, const char *k) {
  return (long long)json_integer_value(json_object_get(o, k));
}

/* HTML-escapes s onto f (the same escaping as the JUnit writer). */
static inline void esc(FILE *f, const char *s) {
  torc_markup_escape(f, s);
}

/* Escapes at most max characters of s, with "..." when cut. */
static inline void esc_cut(FILE *f, const char *s, size_t max) {
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

/* Markdown table cells: no pipes, no newlines, '?' for what torc's text
 * may not carry (torc_text.h) and bytes that are not UTF-8. */
static inline void md(FILE *f, const char *s) {
  size_t n = s ? strlen(s) : 0;
  while (n > 0) {
    uint32_t cp;
    size_t l = torc_utf8_decode((const unsigned char *)s, n, &cp);
    if (l == 0 || !torc_text_char_ok(cp) || cp == '\r')
      fputc('?', f);
    else if (l == 1)
      fputc(*s == '|' ? '/' : (*s == '\n' ? ' ' : *s), f);
    else
      fwrite(s, 1, l, f);
    l = l ? l : 1;
    s += l;
    n -= l;
  }
}

/* 0 for the generic "requirement exercised" violation every failing vector
 * lists for its requirements. */
static inline int is_specific(const json_t *viol) {
  return strcmp(str(viol, "message"), EXERCISED) != 0;
}

/* ---- The model (torc_report_model.c) ------------------------------------ */

typedef struct reqrow {
  const char *id, *group, *strength, *summary, *interp, *why;
  int testable, in_catalogue;
  size_t counts[TORC_VERDICT_COUNT];
  size_t nvectors, nviolated;
  json_t *failing; /* ids of failing vectors exercising it (owned) */
  /* A mandatory feature the target does not declare whose requirements
   * name this one (target.missing_mandatory), or NULL: then it is not met
   * whatever its vectors say. */
  const char *missing;
  /* What the row shows it as: the verdict of the worst vector exercising
   * it (FAIL, CRASH, TIMEOUT, ERROR, WAIVED, PASS-NONSTRICT, PASS; UNTESTED
   * only when nothing else judged it), FAIL when `missing`, -1 when no
   * vector exercises it. */
  int status;
} reqrow;

typedef struct report {
  const char *results_path;
  json_t *doc;   /* (owned) */
  json_t *claim; /* torc_claim_compute of doc (owned) */
  json_t *cat;   /* (owned, may be NULL) */
  const char *cat_path;
  reqrow *rows;
  size_t nrows, caprows;
  char digest[65];
  size_t counts[TORC_VERDICT_COUNT];
  size_t total;
  unsigned max_diagrams;
} report;

int torcint_report_check_doc(const char *path, const json_t *doc, char *err,
                             size_t n);
void torcint_report_build_matrix(report *R);
void torcint_report_free(report *R);
const reqrow *torcint_report_row(const report *R, const char *id);
const char *torcint_report_first_reason(const json_t *rec, const char **req);
/* The claim's exit status (0, 1, 3) and headline (torc_claim.h). */
int torcint_report_status(const report *R);
const char *torcint_report_headline(const report *R);
/* The claim section of the page and the summary (torc_report_claim.c). */
void torcint_report_claim_html(FILE *f, const report *R);
void torcint_report_claim_md(FILE *m, const report *R);

/* ---- The parts of the page ---------------------------------------------- */

typedef struct hexbytes {
  int b[64];
  int n, mark; /* mark: index of the first byte after '[' (or -1) */
} hexbytes;

/* torc_report_hex.c */
int torcint_report_parse_hex(const char *s, hexbytes *h);
void torcint_report_hex_diff(FILE *f, const json_t *div);
/* torc_report_sequence.c */
long torcint_report_first_diff(const json_t *ex, const json_t *ac);
void torcint_report_sequence_svg(FILE *f, const json_t *rec, long div_act);
/* torc_report_space.c */
void torcint_report_space_svg(FILE *f, const json_t *rec);
/* torc_report_failure.c */
void torcint_report_failure(FILE *f, const report *R, const json_t *rec,
                            int diagrams);
/* torc_report_signatures.c: a failure's signature (verdict, rule, message
 * with digits folded) into out; the table of them, as Markdown, into mdf. */
void torcint_report_signature(const json_t *rec, char *out, size_t n);
void torcint_report_signatures(const report *R, FILE *mdf);
/* torc_report_names.c: numbers decoded.  caps: the TORC_CAP_* names of
 * bits; msg: an engine message escaped with "(event N)" as "(at script
 * step sN)" and event infos decoded; page_name: the file of a vector's
 * page ("<id>.html", bytes other than letters, digits and '-' as _xx). */
void torcint_report_caps(FILE *f, uint64_t bits);
const char *torcint_report_upload_reason(unsigned long long info);
void torcint_report_event_text(const char *name, unsigned long long info,
                               char *buf, size_t n);
void torcint_report_msg(FILE *f, const char *s);
void torcint_report_msg_md(FILE *f, const char *s);
char *torcint_report_decode(const char *s); /* (malloc'd, or NULL) */
void torcint_report_page_name(const char *id, char *buf, size_t n);
/* torc_report_rules.c: failures by rule, passes with allowances. */
void torcint_report_rules(FILE *f, const report *R);
void torcint_report_allowed(FILE *f, const report *R);
/* torc_report_vector.c: DIR/vectors/<id>.html.  Returns 0 or -1 (after a
 * message on stderr). */
int torcint_report_vector_pages(const report *R, const char *out_dir);
/* torc_report_page.c: report.html (signatures' Markdown into mdf). */
void torcint_report_page(FILE *out, FILE *mdf, report *R);
/* torc_report_summary.c: summary.md (sigs: the signatures' Markdown). */
void torcint_report_summary(FILE *m, const report *R, const char *sigs,
                            const char *junit);

#endif /* TORC_REPORT_INT_H */
