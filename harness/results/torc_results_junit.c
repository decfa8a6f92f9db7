/*
 * torc_results_junit.c - the results document as JUnit XML, and the markup
 * escape it shares with the HTML report.
 *
 * `torc run --junit` and `torc merge --junit` write it at the end of a run
 * (testsuites/testsuite/testcase, atomically); CI systems read it.  The one
 * testsuite "torc.TARGET" holds, first, the claim's own test case
 * (classname "torc", name "claim": a failure for NOT CONFORMANT or
 * INCOMPLETE, skipped for a PARTIAL RUN, passed otherwise, the reasons as
 * its text), then one test case per vector; its properties carry the
 * claim's headline, the target, its capabilities by name and the
 * vector-set digest.
 */
#include "torc_results_int.h"
#include "torc_attribute.h"

#include "torc_claim.h"
#include "torc_text.h"

#include <string.h>

/* Escapes s for XML or HTML text and attribute values (& < > " '), and
 * replaces with '?' each character XML 1.0 cannot carry or Unicode keeps
 * as a non-character (torc_text.h), and each byte that is not UTF-8: the
 * string may come from a results document made elsewhere. */
void torc_markup_escape(FILE *f, const char *s) {
  size_t n = s ? strlen(s) : 0;
  while (n > 0) {
    unsigned char c = (unsigned char)*s;
    uint32_t cp;
    size_t l = torc_utf8_decode((const unsigned char *)s, n, &cp);
    if (l == 0 || !torc_text_char_ok(cp)) {
      fputc('?', f);
      l = l ? l : 1;
      s += l;
      n -= l;
      continue;
    }
    if (l > 1) {
      fwrite(s, 1, l, f);
      s += l;
      n -= l;
      continue;
    }
    s++;
    n--;
    switch (c) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&apos;", f);
      break;
    default:
      fputc(c, f);
    }
  }
}

/* The explanation of a record: detail, violations and divergence. */
static void rec_explain(FILE *f, const json_t *rec, int xml) {
  const json_t *viol = json_object_get(rec, "violations");
  const json_t *div = json_object_get(rec, "divergence");
  const json_t *w;
  size_t i;
  if (*torcint_results_str(rec, "detail")) {
    xml ? torc_markup_escape(f, torcint_results_str(rec, "detail"))
        : (void)fputs(torcint_results_str(rec, "detail"), f);
    fputc('\n', f);
  }
  json_array_foreach(viol, i, w) {
    char line[TORC_MSG_SIZE + 32];
    snprintf(line, sizeof line, "%s: %s\n",
             torcint_results_str(w, "requirement"),
             torcint_results_str(w, "message"));
    xml ? torc_markup_escape(f, line) : (void)fputs(line, f);
  }
  if (json_is_object(div)) {
    char line[3 * TORC_MSG_SIZE];
    json_t *off = json_object_get(div, "stream_offset");
    snprintf(line, sizeof line,
             "first divergence: event %" JSON_INTEGER_FORMAT
             ", stream offset %" JSON_INTEGER_FORMAT
             "\n  expected: %s\n  actual:   %s\n",
             json_integer_value(json_object_get(div, "event_index")),
             json_is_integer(off) ? json_integer_value(off) : -1,
             torcint_results_str(div, "expected"),
             torcint_results_str(div, "actual"));
    xml ? torc_markup_escape(f, line) : (void)fputs(line, f);
  }
}

static double rec_seconds(const json_t *rec) {
  return json_number_value(json_object_get(rec, "duration_ms")) / 1000.0;
}

/* The claim's own test case: a failure when the run is NOT CONFORMANT or
 * INCOMPLETE, skipped for a PARTIAL RUN (not a claim), passed otherwise, so
 * an all-skipped or all-failed run is never a green job. */
static const char *claim_testcase_kind(const char *headline) {
  if (!strcmp(headline, TORC_CLAIM_NOT_CONFORMANT) ||
      !strcmp(headline, TORC_CLAIM_INCOMPLETE))
    return "failure";
  if (!strcmp(headline, TORC_CLAIM_PARTIAL))
    return "skipped";
  return NULL;
}

static void claim_testcase(FILE *f, const json_t *claim, const char *kind) {
  const json_t *r;
  size_t i;
  fputs("    <testcase name=\"claim\" classname=\"torc\" time=\"0\"", f);
  if (!kind) {
    fputs("/>\n", f);
    return;
  }
  fprintf(f, ">\n      <%s message=\"", kind);
  torc_markup_escape(f, torc_claim_headline(claim));
  /* The reasons are the text of both, one per line. */
  fputs(strcmp(kind, "skipped") ? "\" type=\"claim\">"
                                : ": not a conformance claim\">",
        f);
  json_array_foreach(json_object_get(claim, "reasons"), i, r) {
    torc_markup_escape(f, json_string_value(r));
    fputc('\n', f);
  }
  fprintf(f, "</%s>\n    </testcase>\n", kind);
}

/* "A,B,C" from an array of names. */
static void property_names(FILE *f, const json_t *names) {
  const json_t *x;
  size_t i;
  json_array_foreach(names, i, x) {
    if (i)
      fputc(',', f);
    torc_markup_escape(f, json_string_value(x));
  }
}

int torc_results_write_junit(torc_results *rs, const char *path, int strict,
                             char *errbuf, size_t errlen) {
  size_t n[TORC_VERDICT_COUNT], i, failures, errors, skipped;
  double total = 0;
  json_t *claim;
  const char *headline, *claim_kind;
  json_t *rec;
  const json_t *target = json_object_get(rs->doc, "target");
  char suite[300];
  char *tmp;
  FILE *f;

  torcint_results_sort(rs);
  torc_results_counts(rs, n);
  claim = torc_results_claim(rs);
  headline = torc_claim_headline(claim);
  claim_kind = claim_testcase_kind(headline);
  failures = n[TORC_FAIL] + (strict ? n[TORC_PASS_NONSTRICT] : 0) +
             (claim_kind && !strcmp(claim_kind, "failure"));
  errors = n[TORC_ERROR] + n[TORC_CRASH] + n[TORC_TIMEOUT];
  skipped = n[TORC_UNTESTED] + n[TORC_WAIVED] +
            (claim_kind && !strcmp(claim_kind, "skipped"));
  json_array_foreach(rs->results, i, rec) total += rec_seconds(rec);
  snprintf(suite, sizeof suite, "torc.%s", torcint_results_str(target, "name"));

  f = torcint_results_open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(claim);
    return -1;
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f,
          "<testsuites name=\"torc\" tests=\"%zu\" failures=\"%zu\" "
          "errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\">\n",
          torc_results_count(rs) + 1, failures, errors, skipped, total);
  fputs("  <testsuite name=\"", f);
  torc_markup_escape(f, suite);
  fprintf(f,
          "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
          "time=\"%.6f\">\n",
          torc_results_count(rs) + 1, failures, errors, skipped, total);
  fputs("    <properties>\n", f);
  fputs("      <property name=\"claim\" value=\"", f);
  torc_markup_escape(f, headline);
  fputs("\"/>\n      <property name=\"target\" value=\"", f);
  torc_markup_escape(f, torcint_results_str(target, "name"));
  fputs("\"/>\n      <property name=\"capabilities\" value=\"", f);
  property_names(f, json_object_get(target, "capability_names"));
  fputs("\"/>\n", f);
  fputs("      <property name=\"vector_set_digest\" value=\"", f);
  torc_markup_escape(f, torcint_results_str(rs->doc, "vector_set_digest"));
  fputs("\"/>\n      <property name=\"target_version\" value=\"", f);
  torc_markup_escape(f, torcint_results_str(target, "version"));
  fputs("\"/>\n    </properties>\n", f);
  claim_testcase(f, claim, claim_kind);
  json_decref(claim);
  json_array_foreach(rs->results, i, rec) {
    int v = torc_results_verdict(rec);
    const char *kind = NULL;
    const char *att = json_string_value(
        json_array_get(json_object_get(rec, "attributed_to"), 0));
    fputs("    <testcase name=\"", f);
    torc_markup_escape(f, torcint_results_rec_id(rec));
    fputs("\" classname=\"", f);
    torc_markup_escape(f, suite);
    /* A failure attributed to a rule is filed under the rule's group of
     * the catalogue (torc.reference.G for the receive window, ...). */
    if (att && *torc_requirement_group(att)) {
      fputc('.', f);
      torc_markup_escape(f, torc_requirement_group(att));
    }
    fprintf(f, "\" time=\"%.6f\"", rec_seconds(rec));
    if (v == TORC_FAIL || (strict && v == TORC_PASS_NONSTRICT))
      kind = "failure";
    else if (v == TORC_ERROR || v == TORC_CRASH || v == TORC_TIMEOUT || v < 0)
      kind = "error";
    else if (v == TORC_UNTESTED || v == TORC_WAIVED)
      kind = "skipped";
    if (!kind) {
      fputs("/>\n", f);
      continue;
    }
    fputs(">\n", f);
    if (att) {
      size_t k;
      const json_t *a;
      fputs("      <properties>\n", f);
      json_array_foreach(json_object_get(rec, "attributed_to"), k, a) {
        fputs("        <property name=\"attributed_to\" value=\"", f);
        torc_markup_escape(f, json_string_value(a) ? json_string_value(a) : "");
        fputs("\"/>\n", f);
      }
      /* The specification page of the broken rule, as h2spec gives its
       * section. */
      fputs("        <property name=\"spec\" value=\"", f);
      torc_markup_escape(f, torc_requirement_page(att));
      fputs("\"/>\n", f);
      fputs("      </properties>\n", f);
    }
    fprintf(f, "      <%s message=\"", kind);
    torc_markup_escape(f, torcint_results_str(rec, "verdict"));
    if (att) {
      /* The broken rule and its sentence (the first violation naming it). */
      size_t k;
      const json_t *w;
      fputs(" ", f);
      torc_markup_escape(f, att);
      json_array_foreach(json_object_get(rec, "violations"), k, w) {
        if (strcmp(torcint_results_str(w, "requirement"), att) == 0) {
          fputs(": ", f);
          torc_markup_escape(f, torcint_results_str(w, "message"));
          break;
        }
      }
    } else if (*torcint_results_str(rec, "detail")) {
      fputs(": ", f);
      torc_markup_escape(f, torcint_results_str(rec, "detail"));
    }
    if (strcmp(kind, "skipped") == 0) {
      fputs("\"/>\n", f);
    } else {
      fprintf(f, "\" type=\"%s\">", torcint_results_str(rec, "verdict"));
      torc_markup_escape(f, torcint_results_str(rec, "title"));
      fputc('\n', f);
      rec_explain(f, rec, 1);
      fprintf(f, "</%s>\n", kind);
    }
    fputs("    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  return torcint_results_close_rename(f, tmp, path, errbuf, errlen);
}
