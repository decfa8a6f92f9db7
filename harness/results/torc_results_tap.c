/*
 * torc_results_tap.c - the results as TAP 13, one line per record as each
 * vector finishes (`torc run --tap`).
 *
 * The plan first, then "ok"/"not ok" lines, with a YAML block that explains
 * a record that is not ok (or passed only non-strictly), and last the
 * claim's own line (torc_claim.h), so a TAP consumer fails a run that is
 * NOT CONFORMANT or INCOMPLETE even when every vector line is a SKIP.
 */
#include "torc_results_int.h"

#include <errno.h>
#include <string.h>

#include "torc_claim.h"

/* Flushes f: 0, or -1 with errno set when f has failed (the callers clear
 * errno first, so a write that failed before the flush keeps its reason). */
static int tap_flush(FILE *f) {
  if (fflush(f) != 0)
    return -1;
  if (ferror(f)) {
    if (!errno)
      errno = EIO;
    return -1;
  }
  return 0;
}

int torc_tap_plan(FILE *f, size_t total) {
  errno = 0;
  fprintf(f, "TAP version 13\n1..%zu\n", total);
  return tap_flush(f);
}

/* A YAML-safe single-line rendering (double-quoted scalar). */
static void yaml_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c < 0x20)
      fprintf(f, "\\x%02x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

int torc_tap_line(FILE *f, size_t n, const json_t *rec, int strict) {
  int v = torc_results_verdict(rec);
  int ok = v == TORC_PASS || v == TORC_UNTESTED || v == TORC_WAIVED ||
           (v == TORC_PASS_NONSTRICT && !strict);
  const json_t *viol = json_object_get(rec, "violations");
  const json_t *div = json_object_get(rec, "divergence");
  const json_t *w;
  size_t i;

  errno = 0;
  fprintf(f, "%s %zu - %s", ok ? "ok" : "not ok", n,
          torcint_results_rec_id(rec));
  if (v == TORC_UNTESTED) {
    const char *d = torcint_results_str(rec, "detail");
    if (!strncmp(d, "untested: ", 10))
      d += 10;
    fprintf(f, " # SKIP untested: %s", d);
  } else if (v == TORC_WAIVED)
    fprintf(f, " # SKIP waived: %s", torcint_results_str(rec, "detail"));
  fputc('\n', f);
  if (!ok || v == TORC_PASS_NONSTRICT) {
    fputs("  ---\n  verdict: ", f);
    yaml_str(f, torcint_results_str(rec, "verdict"));
    fputs("\n  title: ", f);
    yaml_str(f, torcint_results_str(rec, "title"));
    if (*torcint_results_str(rec, "detail")) {
      fputs("\n  detail: ", f);
      yaml_str(f, torcint_results_str(rec, "detail"));
    }
    if (json_array_size(json_object_get(rec, "attributed_to"))) {
      /* The rules the failure broke (issue 12). */
      const json_t *a;
      size_t k;
      fputs("\n  attributed_to:", f);
      json_array_foreach(json_object_get(rec, "attributed_to"), k, a) {
        fputs("\n    - ", f);
        yaml_str(f, json_string_value(a) ? json_string_value(a) : "");
      }
    }
    if (json_array_size(viol)) {
      fputs("\n  violations:", f);
      json_array_foreach(viol, i, w) {
        fputs("\n    - requirement: ", f);
        yaml_str(f, torcint_results_str(w, "requirement"));
        fputs("\n      message: ", f);
        yaml_str(f, torcint_results_str(w, "message"));
      }
    }
    if (json_is_object(div)) {
      json_t *off = json_object_get(div, "stream_offset");
      fprintf(f, "\n  divergence:\n    event_index: %" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "event_index")));
      if (json_is_integer(off))
        fprintf(f, "\n    stream_offset: %" JSON_INTEGER_FORMAT,
                json_integer_value(off));
      fputs("\n    expected: ", f);
      yaml_str(f, torcint_results_str(div, "expected"));
      fputs("\n    actual: ", f);
      yaml_str(f, torcint_results_str(div, "actual"));
    }
    fputs("\n  ...\n", f);
  }
  return tap_flush(f);
}

int torc_tap_claim(FILE *f, size_t n, const json_t *claim) {
  const char *h = torc_claim_headline(claim);
  const json_t *r;
  size_t i;
  int bad = !strcmp(h, TORC_CLAIM_NOT_CONFORMANT) ||
            !strcmp(h, TORC_CLAIM_INCOMPLETE);
  errno = 0;
  fprintf(f, "%s %zu - claim", bad ? "not ok" : "ok", n);
  if (!strcmp(h, TORC_CLAIM_PARTIAL))
    fprintf(f, " # SKIP %s: not a conformance claim", h);
  fputs("\n  ---\n  claim: ", f);
  yaml_str(f, h);
  if (json_array_size(json_object_get(claim, "reasons"))) {
    fputs("\n  reasons:", f);
    json_array_foreach(json_object_get(claim, "reasons"), i, r) {
      fputs("\n    - ", f);
      yaml_str(f, json_string_value(r) ? json_string_value(r) : "");
    }
  }
  fputs("\n  ...\n", f);
  return tap_flush(f);
}
