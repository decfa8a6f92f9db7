/*
 * torc_results_junit.c - the results document as JUnit XML, and the markup
 * escape it shares with the HTML report.
 *
 * `torc run --junit` and `torc merge --junit` write it at the end of a run
 * (testsuites/testsuite/testcase, atomically); CI systems read it.  What it
 * writes is what the common JUnit schema accepts, the junit-10.xsd of
 * Jenkins' xUnit plugin (harness/tests/data/junit-10.xsd, checked by
 * harness/tests/test_junit.py): no testcase properties, no skipped count on
 * testsuites.  The one testsuite "torc.TARGET" carries the time the run
 * started (timestamp, UTC) and the machine that wrote the file (hostname),
 * and its properties the claim's headline, the target, its version and
 * capabilities, torc's version, the vector-set digest, the digest of the
 * suite this torc ships and whether the set run is that suite.  It holds,
 * first, the claim's own test case (classname "torc", name "claim": a
 * failure for NOT CONFORMANT or INCOMPLETE, skipped for a PARTIAL RUN,
 * passed otherwise, the reasons as its text), then one test case per vector:
 *   - name: the vector's title and, in brackets, its id;
 *   - classname: "torc.TARGET.G", G the catalogue's group (A..L) of the
 *     rule the failure is attributed to, else of its first violation's rule,
 *     else (a PASS, a crash) the group the vector cites most requirements
 *     of (the first letter on a tie), so a CI view groups the vectors by
 *     area of the specification whatever their verdict; "torc.TARGET" when
 *     none is known;
 *   - a failure (FAIL, PASS-NONSTRICT with --strict), an error (CRASH,
 *     TIMEOUT, ERROR) or skipped (UNTESTED, WAIVED): its message is the
 *     rule (RCV id and its short text) and the first differing event, or
 *     the detail, on one line; its text the title, the rule and the other
 *     rules it is attributed to, the violations, the first divergence in
 *     full and the command that replays the vector.
 */
#include "torc_results_int.h"
#include "torc_attribute.h"

#include "torc_claim.h"
#include "torc_text.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

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

static void property(FILE *f, const char *name, const char *value) {
  fprintf(f, "      <property name=\"%s\" value=\"", name);
  torc_markup_escape(f, value);
  fputs("\"/>\n", f);
}

/* The rule a failing record is about: the first it is attributed to, else
 * its first violation's; "" if none. */
static const char *rec_rule(const json_t *rec) {
  const char *r = json_string_value(
      json_array_get(json_object_get(rec, "attributed_to"), 0));
  const json_t *w = json_array_get(json_object_get(rec, "violations"), 0);
  if (!r || !*r)
    r = json_string_value(json_object_get(w, "requirement"));
  return r ? r : "";
}

/* The group a record is filed under (a letter of the catalogue, "" if
 * none): that of rec_rule; else (a PASS, a crash) the group the vector
 * cites the most requirements of, the first letter on a tie: a vector
 * cites its rules in numeric order, so its first would put most under A. */
static const char *rec_group(const json_t *rec) {
  static const char *const letters[26] = {
      "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
      "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"};
  const char *g = torc_requirement_group(rec_rule(rec));
  const json_t *x;
  size_t count[26] = {0}, i, best = 26;
  if (*g)
    return g;
  json_array_foreach(json_object_get(rec, "requirements"), i, x) {
    g = torc_requirement_group(json_string_value(x));
    if (g[0] >= 'A' && g[0] <= 'Z')
      count[g[0] - 'A']++;
  }
  for (i = 0; i < 26; i++)
    if (count[i] && (best == 26 || count[i] > count[best]))
      best = i;
  return best == 26 ? "" : letters[best];
}

/* The violation naming rule, or NULL. */
static const json_t *violation_of(const json_t *rec, const char *rule) {
  const json_t *w;
  size_t k;
  json_array_foreach(json_object_get(rec, "violations"), k, w) {
    if (strcmp(torcint_results_str(w, "requirement"), rule) == 0)
      return w;
  }
  return NULL;
}

/* The one-line message of a failing record: the attributed rule with its
 * short text and what differed first ("RCV-167 (The target accepts ...):
 * the byte count differs ...: expected ...; got ..."), else the detail,
 * else the first violation, else the first divergence, else the
 * allowances.  Any verdict but FAIL comes first ("CRASH: ..."), unless the
 * detail starts with it ("untested: ..."): error and skipped elements each
 * stand for several verdicts. */
static void rec_message(FILE *f, const json_t *rec) {
  const char *att = json_string_value(
      json_array_get(json_object_get(rec, "attributed_to"), 0));
  const json_t *div = json_object_get(rec, "divergence");
  const json_t *w = att ? violation_of(rec, att) : NULL;
  const char *detail = torcint_results_str(rec, "detail");
  const char *verdict = torcint_results_str(rec, "verdict");
  const char *msg = "";
  if (strcmp(verdict, "FAIL") != 0 &&
      strncasecmp(detail, verdict, strlen(verdict)) != 0) {
    torc_markup_escape(f, verdict);
    fputs(": ", f);
  }
  if (att && *att) {
    msg = w ? torcint_results_str(w, "message") : "";
    if (!strstr(msg, att)) {
      /* A judge's violation names its rule and summary itself; a host
       * rule's does not. */
      torc_markup_escape(f, att);
      if (*torc_requirement_summary(att)) {
        fputs(" (", f);
        torc_markup_escape(f, torc_requirement_summary(att));
        fputc(')', f);
      }
      if (*msg)
        fputs(": ", f);
    }
    torc_markup_escape(f, msg);
  } else if (*detail) {
    torc_markup_escape(f, detail);
    return;
  } else if ((w = json_array_get(json_object_get(rec, "violations"), 0))) {
    msg = torcint_results_str(w, "message");
    torc_markup_escape(f, torcint_results_str(w, "requirement"));
    fputs(": ", f);
    torc_markup_escape(f, msg);
  } else if (!json_is_object(div)) {
    torc_markup_escape(f, "allowances ");
    property_names(f, json_object_get(rec, "allowances"));
    return;
  }
  /* What differed first, unless the sentence already says it. */
  if (json_is_object(div) && !strstr(msg, "expected ")) {
    fprintf(f,
            "%sfirst difference at event %" JSON_INTEGER_FORMAT ": expected ",
            *msg || att ? "; " : "",
            json_integer_value(json_object_get(div, "event_index")));
    torc_markup_escape(f, torcint_results_str(div, "expected"));
    fputs("; got ", f);
    torc_markup_escape(f, torcint_results_str(div, "actual"));
  }
}

/* The text of a failing record's element: its title, the rule it is filed
 * under (with its page of the specification) and every rule it is
 * attributed to, the explanation, and the replay command. */
static void rec_text(FILE *f, const json_t *rec) {
  const char *rule = rec_rule(rec);
  const json_t *a;
  size_t k;
  torc_markup_escape(f, torcint_results_str(rec, "title"));
  fputs("\nvector: ", f);
  torc_markup_escape(f, torcint_results_rec_id(rec));
  fputs("\nverdict: ", f);
  torc_markup_escape(f, torcint_results_str(rec, "verdict"));
  if (*rule && *torc_requirement_summary(rule)) {
    fputs("\nrule: ", f);
    torc_markup_escape(f, rule);
    fputs(" - ", f);
    torc_markup_escape(f, torc_requirement_summary(rule));
    if (*torc_requirement_page(rule)) {
      fputs(" (", f);
      torc_markup_escape(f, torc_requirement_page(rule));
      fputc(')', f);
    }
  }
  json_array_foreach(json_object_get(rec, "attributed_to"), k, a) {
    fputs(k ? ", " : "\nattributed to: ", f);
    torc_markup_escape(f, json_string_value(a) ? json_string_value(a) : "");
  }
  fputc('\n', f);
  rec_explain(f, rec, 1);
  if (*torcint_results_str(rec, "replay")) {
    fputs("replay: ", f);
    torc_markup_escape(f, torcint_results_str(rec, "replay"));
    fputc('\n', f);
  }
}

/* One vector's test case. */
static void rec_testcase(FILE *f, const json_t *rec, const char *suite,
                         int strict) {
  int v = torc_results_verdict(rec);
  const char *kind = NULL, *group = rec_group(rec);
  const char *title = torcint_results_str(rec, "title");
  fputs("    <testcase name=\"", f);
  if (*title) {
    torc_markup_escape(f, title);
    fputs(" [", f);
  }
  torc_markup_escape(f, torcint_results_rec_id(rec));
  fputs(*title ? "]\" classname=\"" : "\" classname=\"", f);
  torc_markup_escape(f, suite);
  if (*group) {
    fputc('.', f);
    torc_markup_escape(f, group);
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
    return;
  }
  fprintf(f, ">\n      <%s message=\"", kind);
  rec_message(f, rec);
  fputs("\" type=\"", f);
  torc_markup_escape(f, torcint_results_str(rec, "verdict"));
  fputs("\">", f);
  rec_text(f, rec);
  fprintf(f, "</%s>\n    </testcase>\n", kind);
}

int torc_results_write_junit(torc_results *rs, const char *path, int strict,
                             char *errbuf, size_t errlen) {
  size_t n[TORC_VERDICT_COUNT], i, failures, errors, skipped;
  double total = 0;
  json_t *claim;
  const char *headline, *claim_kind;
  json_t *rec;
  const json_t *target = json_object_get(rs->doc, "target");
  const json_t *suite_of = json_object_get(rs->doc, "suite");
  char suite[300], host[256];
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
  if (gethostname(host, sizeof host) != 0)
    host[0] = '\0';
  host[sizeof host - 1] = '\0';

  f = torcint_results_open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(claim);
    return -1;
  }
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f,
          "<testsuites name=\"torc\" tests=\"%zu\" failures=\"%zu\" "
          "errors=\"%zu\" time=\"%.6f\">\n",
          torc_results_count(rs) + 1, failures, errors, total);
  fputs("  <testsuite name=\"", f);
  torc_markup_escape(f, suite);
  fprintf(f,
          "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
          "time=\"%.6f\" timestamp=\"",
          torc_results_count(rs) + 1, failures, errors, skipped, total);
  torc_markup_escape(f, torcint_results_str(rs->doc, "started"));
  fputs("\" hostname=\"", f);
  torc_markup_escape(f, host);
  fputs("\">\n    <properties>\n", f);
  property(f, "claim", headline);
  property(f, "target", torcint_results_str(target, "name"));
  property(f, "target_version", torcint_results_str(target, "version"));
  fputs("      <property name=\"capabilities\" value=\"", f);
  property_names(f, json_object_get(target, "capability_names"));
  fputs("\"/>\n", f);
  property(f, "torc_version", torcint_results_str(rs->doc, "torc_version"));
  property(f, "vector_set_digest",
           torcint_results_str(rs->doc, "vector_set_digest"));
  property(f, "suite_digest", torcint_results_str(suite_of, "digest"));
  property(f, "is_suite",
           json_is_true(json_object_get(suite_of, "is_suite")) ? "true"
                                                               : "false");
  fputs("    </properties>\n", f);
  claim_testcase(f, claim, claim_kind);
  json_decref(claim);
  json_array_foreach(rs->results, i, rec) rec_testcase(f, rec, suite, strict);
  fputs("  </testsuite>\n</testsuites>\n", f);
  return torcint_results_close_rename(f, tmp, path, errbuf, errlen);
}
