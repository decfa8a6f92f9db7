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
#include "torc_text.h"

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

/* A YAML-safe single-line rendering (double-quoted scalar): controls,
 * non-characters and what XML 1.0 cannot carry (torc_text.h) as YAML
 * escapes, a byte that is not UTF-8 as '?'. */
static void yaml_str(FILE *f, const char *s) {
  size_t n = strlen(s);
  fputc('"', f);
  while (n > 0) {
    unsigned char c = (unsigned char)*s;
    uint32_t cp;
    size_t l = torc_utf8_decode((const unsigned char *)s, n, &cp);
    if (l == 0) {
      fputc('?', f);
      l = 1;
    } else if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (cp < 0x20)
      fprintf(f, "\\x%02x", c);
    else if (!torc_text_char_ok(cp))
      fprintf(f, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", (unsigned)cp);
    else
      fwrite(s, 1, l, f);
    s += l;
    n -= l;
  }
  fputc('"', f);
}

/* Text on a test line: one line, nothing a TAP or XML reader chokes on. */
static void line_str(FILE *f, const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    uint32_t cp;
    size_t l = torc_utf8_decode((const unsigned char *)s, n, &cp);
    if (l == 0 || cp < 0x20 || !torc_text_char_ok(cp))
      fputc('?', f);
    else
      fwrite(s, 1, l, f);
    l = l ? l : 1;
    s += l;
    n -= l;
  }
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
  fprintf(f, "%s %zu - ", ok ? "ok" : "not ok", n);
  line_str(f, torcint_results_rec_id(rec));
  if (v == TORC_UNTESTED) {
    const char *d = torcint_results_str(rec, "detail");
    if (!strncmp(d, "untested: ", 10))
      d += 10;
    fputs(" # SKIP untested: ", f);
    line_str(f, d);
  } else if (v == TORC_WAIVED) {
    fputs(" # SKIP waived: ", f);
    line_str(f, torcint_results_str(rec, "detail"));
  }
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
