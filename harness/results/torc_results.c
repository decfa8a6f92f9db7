/*
 * torc_results.c - the results of a run: records, JSON, JUnit, TAP, merge and
 * the journal behind --resume.
 *
 * Sits at the end of the flow: the CLI (harness/cli/torc_cli_run.c) gets a
 * torc_result per vector from the engine (directly or through torc_isolate),
 * turns it into a record here, appends it to the journal at once, and at the
 * end writes the JSON document and the JUnit XML.  `torc merge` reads shard
 * documents back through torc_results_load and torc_results_merge.  Files are
 * written atomically (tmp + rename); nothing read back is trusted without a
 * shape check.
 */
#include "torc_results.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct torc_results {
  json_t *doc;     /* the document without results/summary (owned) */
  json_t *results; /* array of records (owned) */
};

struct torc_journal {
  FILE *f;
  char *path;
};

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *errbuf, size_t errlen, const char *fmt, ...) {
  va_list ap;
  if (!errbuf || !errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(errbuf, errlen, fmt, ap);
  va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  size_t len, i;
  uint32_t cp;
  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xE0) == 0xC0) {
    len = 2;
    cp = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    len = 3;
    cp = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    len = 4;
    cp = s[0] & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

json_t *torc_json_text(const char *s, size_t max) {
  size_t n, i = 0, o = 0;
  char *buf;
  json_t *j;
  if (!s)
    return json_string("");
  n = strnlen(s, max);
  buf = malloc(n + 1);
  if (!buf)
    return NULL;
  while (i < n) {
    const unsigned char *p = (const unsigned char *)s + i;
    size_t l = utf8_seq(p, n - i);
    if (l == 0 || (l == 1 && p[0] < 0x20 && p[0] != '\t' && p[0] != '\n')) {
      buf[o++] = '?';
      i++;
      continue;
    }
    memcpy(buf + o, p, l);
    o += l;
    i += l;
  }
  buf[o] = '\0';
  j = json_stringn(buf, o);
  free(buf);
  return j;
}

static json_t *target_json(const torc_target_info *t) {
  return json_pack("{s:o, s:o, s:I, s:I}", "name", torc_json_text(t->name, 256),
                   "version", torc_json_text(t->version, 256), "abi_version",
                   (json_int_t)t->abi_version, "capabilities",
                   (json_int_t)t->capabilities);
}

torc_results *torc_results_new(const char *digest,
                               const torc_target_info *target) {
  torc_results *rs = calloc(1, sizeof *rs);
  if (!rs)
    return NULL;
  rs->doc = json_pack("{s:s, s:i, s:s, s:o, s:s, s:s}", "torc_version",
                      TORC_VERSION_STRING, "format", TORC_RESULTS_FORMAT,
                      "vector_set_digest", digest ? digest : "", "target",
                      target_json(target), "started", "", "finished", "");
  rs->results = json_array();
  if (!rs->doc || !rs->results) {
    torc_results_free(rs);
    return NULL;
  }
  return rs;
}

void torc_results_free(torc_results *rs) {
  if (!rs)
    return;
  json_decref(rs->doc);
  json_decref(rs->results);
  free(rs);
}

static json_t *allowances_json(const char *s) {
  json_t *a = json_array();
  char buf[TORC_MSG_SIZE];
  char *tok, *save = NULL;
  snprintf(buf, sizeof buf, "%.*s", (int)strnlen(s, TORC_MSG_SIZE - 1), s);
  for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
    json_array_append_new(a, torc_json_text(tok, TORC_MSG_SIZE));
  return a;
}

json_t *torc_results_record(const torc_result *r, const torc_vector *v) {
  json_t *rec, *reqs, *viol, *div = json_null();
  size_t i;
  uint32_t nv = r->nviolations;
  int verdict = (int)r->verdict;

  if (verdict < 0 || verdict >= TORC_VERDICT_COUNT)
    verdict = TORC_ERROR;
  reqs = json_array();
  if (v)
    for (i = 0; i < v->nrequirements; i++)
      json_array_append_new(reqs, torc_json_text(v->requirements[i], 64));
  viol = json_array();
  if (nv > TORC_MAX_VIOLATIONS)
    nv = TORC_MAX_VIOLATIONS;
  for (i = 0; i < nv; i++)
    json_array_append_new(
        viol,
        json_pack("{s:o, s:o}", "requirement",
                  torc_json_text(r->violations[i].requirement,
                                 sizeof r->violations[i].requirement),
                  "message",
                  torc_json_text(r->violations[i].message, TORC_MSG_SIZE)));
  if (r->divergence.present) {
    json_decref(div);
    div = json_pack(
        "{s:I, s:o, s:o, s:o}", "event_index",
        (json_int_t)r->divergence.event_index, "stream_offset",
        r->divergence.stream_offset == UINT64_MAX
            ? json_null()
            : json_integer((json_int_t)r->divergence.stream_offset),
        "expected", torc_json_text(r->divergence.expected, TORC_MSG_SIZE),
        "actual", torc_json_text(r->divergence.actual, TORC_MSG_SIZE));
  }
  rec = json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:f}", "id",
                  torc_json_text(v ? v->id : r->id, 64), "title",
                  torc_json_text(v ? v->title : "", 1024), "verdict",
                  torc_verdict_name((torc_verdict)verdict), "requirements",
                  reqs, "allowances", allowances_json(r->allowances),
                  "violations", viol, "divergence", div, "detail",
                  torc_json_text(r->detail, TORC_MSG_SIZE), "duration_ms",
                  (double)r->duration_ns / 1e6);
  return rec;
}

void torc_results_add(torc_results *rs, json_t *rec) {
  if (rec)
    json_array_append_new(rs->results, rec);
}

size_t torc_results_count(const torc_results *rs) {
  return json_array_size(rs->results);
}

const json_t *torc_results_get(const torc_results *rs, size_t i) {
  return json_array_get(rs->results, i);
}

static const char *rec_id(const json_t *rec) {
  const char *s = json_string_value(json_object_get(rec, "id"));
  return s ? s : "";
}

int torc_results_has(const torc_results *rs, const char *id) {
  size_t i;
  json_t *rec;
  json_array_foreach(rs->results, i, rec) {
    if (strcmp(rec_id(rec), id) == 0)
      return 1;
  }
  return 0;
}

void torc_results_set_times(torc_results *rs, const char *started,
                            const char *finished) {
  if (started)
    json_object_set_new(rs->doc, "started", json_string(started));
  if (finished)
    json_object_set_new(rs->doc, "finished", json_string(finished));
}

void torc_results_now(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int torc_results_verdict(const json_t *rec) {
  const char *s = json_string_value(json_object_get(rec, "verdict"));
  return s ? torc_verdict_parse(s) : -1;
}

void torc_results_counts(const torc_results *rs, size_t *n) {
  size_t i;
  json_t *rec;
  memset(n, 0, sizeof(size_t) * TORC_VERDICT_COUNT);
  json_array_foreach(rs->results, i, rec) {
    int v = torc_results_verdict(rec);
    if (v >= 0 && v < TORC_VERDICT_COUNT)
      n[v]++;
    else
      n[TORC_ERROR]++;
  }
}

int torc_results_status(const torc_results *rs, int strict) {
  size_t n[TORC_VERDICT_COUNT];
  torc_results_counts(rs, n);
  if (n[TORC_CRASH] || n[TORC_TIMEOUT] || n[TORC_ERROR])
    return 3;
  if (n[TORC_FAIL] || (strict && n[TORC_PASS_NONSTRICT]))
    return 1;
  return 0;
}

static int cmp_rec(const void *a, const void *b) {
  return strcmp(rec_id(*(json_t *const *)a), rec_id(*(json_t *const *)b));
}

static void sort_results(torc_results *rs) {
  size_t n = json_array_size(rs->results), i;
  json_t **v;
  json_t *sorted;
  if (n < 2)
    return;
  v = malloc(n * sizeof *v);
  sorted = json_array();
  if (!v || !sorted) {
    free(v);
    json_decref(sorted);
    return;
  }
  for (i = 0; i < n; i++)
    v[i] = json_array_get(rs->results, i);
  qsort(v, n, sizeof *v, cmp_rec);
  for (i = 0; i < n; i++)
    json_array_append(sorted, v[i]);
  free(v);
  json_decref(rs->results);
  rs->results = sorted;
}

static json_t *summary_json(const torc_results *rs) {
  size_t n[TORC_VERDICT_COUNT];
  json_t *counts = json_object();
  int v;
  torc_results_counts(rs, n);
  for (v = 0; v < TORC_VERDICT_COUNT; v++)
    json_object_set_new(counts, torc_verdict_name((torc_verdict)v),
                        json_integer((json_int_t)n[v]));
  return json_pack("{s:o, s:I}", "counts", counts, "total",
                   (json_int_t)json_array_size(rs->results));
}

/* Opens path.tmp for writing; *tmp receives its name (owned). */
static FILE *open_tmp(const char *path, char **tmp, char *errbuf,
                      size_t errlen) {
  size_t n = strlen(path) + 16;
  FILE *f;
  *tmp = malloc(n);
  if (!*tmp) {
    set_err(errbuf, errlen, "%s: out of memory", path);
    return NULL;
  }
  snprintf(*tmp, n, "%s.tmp.%ld", path, (long)getpid());
  f = fopen(*tmp, "w");
  if (!f) {
    set_err(errbuf, errlen, "%s: %s", *tmp, strerror(errno));
    free(*tmp);
    *tmp = NULL;
  }
  return f;
}

static int close_rename(FILE *f, char *tmp, const char *path, char *errbuf,
                        size_t errlen) {
  int bad = ferror(f);
  if (fflush(f) != 0 || fsync(fileno(f)) != 0)
    bad = 1;
  if (fclose(f) != 0)
    bad = 1;
  if (bad || rename(tmp, path) != 0) {
    set_err(errbuf, errlen, "%s: cannot write: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return -1;
  }
  free(tmp);
  return 0;
}

int torc_results_write_json(torc_results *rs, const char *path, char *errbuf,
                            size_t errlen) {
  json_t *doc;
  FILE *f;
  char *tmp;
  int rc;
  sort_results(rs);
  doc = json_deep_copy(rs->doc);
  if (!doc) {
    set_err(errbuf, errlen, "%s: out of memory", path);
    return -1;
  }
  json_object_set(doc, "results", rs->results);
  json_object_set_new(doc, "summary", summary_json(rs));
  f = open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(doc);
    return -1;
  }
  rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', f);
  json_decref(doc);
  if (rc != 0) {
    fclose(f);
    unlink(tmp);
    free(tmp);
    set_err(errbuf, errlen, "%s: cannot write", path);
    return -1;
  }
  return close_rename(f, tmp, path, errbuf, errlen);
}

/* ---- JUnit XML --------------------------------------------------------- */

/* Escapes s for XML or HTML text and attribute values (& < > " '), and
 * replaces the control characters XML 1.0 forbids with '?'. */
void torc_markup_escape(FILE *f, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
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
      /* Records are valid UTF-8 already; drop what XML 1.0 forbids. */
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        fputc('?', f);
      else
        fputc(c, f);
    }
  }
}

static const char *str_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* The explanation of a record: detail, violations and divergence. */
static void rec_explain(FILE *f, const json_t *rec, int xml) {
  const json_t *viol = json_object_get(rec, "violations");
  const json_t *div = json_object_get(rec, "divergence");
  const json_t *w;
  size_t i;
  if (*str_of(rec, "detail")) {
    xml ? torc_markup_escape(f, str_of(rec, "detail"))
        : (void)fputs(str_of(rec, "detail"), f);
    fputc('\n', f);
  }
  json_array_foreach(viol, i, w) {
    char line[TORC_MSG_SIZE + 32];
    snprintf(line, sizeof line, "%s: %s\n", str_of(w, "requirement"),
             str_of(w, "message"));
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
             str_of(div, "expected"), str_of(div, "actual"));
    xml ? torc_markup_escape(f, line) : (void)fputs(line, f);
  }
}

static double rec_seconds(const json_t *rec) {
  return json_number_value(json_object_get(rec, "duration_ms")) / 1000.0;
}

int torc_results_write_junit(torc_results *rs, const char *path, int strict,
                             char *errbuf, size_t errlen) {
  size_t n[TORC_VERDICT_COUNT], i, failures, errors, skipped;
  double total = 0;
  json_t *rec;
  const json_t *target = json_object_get(rs->doc, "target");
  char suite[300];
  char *tmp;
  FILE *f;

  sort_results(rs);
  torc_results_counts(rs, n);
  failures = n[TORC_FAIL] + (strict ? n[TORC_PASS_NONSTRICT] : 0);
  errors = n[TORC_ERROR] + n[TORC_CRASH] + n[TORC_TIMEOUT];
  skipped = n[TORC_UNSUPPORTED] + n[TORC_WAIVED];
  json_array_foreach(rs->results, i, rec) total += rec_seconds(rec);
  snprintf(suite, sizeof suite, "torc.%s", str_of(target, "name"));

  f = open_tmp(path, &tmp, errbuf, errlen);
  if (!f)
    return -1;
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(f,
          "<testsuites name=\"torc\" tests=\"%zu\" failures=\"%zu\" "
          "errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\">\n",
          torc_results_count(rs), failures, errors, skipped, total);
  fputs("  <testsuite name=\"", f);
  torc_markup_escape(f, suite);
  fprintf(f,
          "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
          "time=\"%.6f\">\n",
          torc_results_count(rs), failures, errors, skipped, total);
  fputs("    <properties>\n", f);
  fputs("      <property name=\"vector_set_digest\" value=\"", f);
  torc_markup_escape(f, str_of(rs->doc, "vector_set_digest"));
  fputs("\"/>\n      <property name=\"target_version\" value=\"", f);
  torc_markup_escape(f, str_of(target, "version"));
  fputs("\"/>\n    </properties>\n", f);
  json_array_foreach(rs->results, i, rec) {
    int v = torc_results_verdict(rec);
    const char *kind = NULL;
    fputs("    <testcase name=\"", f);
    torc_markup_escape(f, rec_id(rec));
    fputs("\" classname=\"", f);
    torc_markup_escape(f, suite);
    fprintf(f, "\" time=\"%.6f\"", rec_seconds(rec));
    if (v == TORC_FAIL || (strict && v == TORC_PASS_NONSTRICT))
      kind = "failure";
    else if (v == TORC_ERROR || v == TORC_CRASH || v == TORC_TIMEOUT || v < 0)
      kind = "error";
    else if (v == TORC_UNSUPPORTED || v == TORC_WAIVED)
      kind = "skipped";
    if (!kind) {
      fputs("/>\n", f);
      continue;
    }
    fprintf(f, ">\n      <%s message=\"", kind);
    torc_markup_escape(f, str_of(rec, "verdict"));
    if (*str_of(rec, "detail")) {
      fputs(": ", f);
      torc_markup_escape(f, str_of(rec, "detail"));
    }
    if (strcmp(kind, "skipped") == 0) {
      fputs("\"/>\n", f);
    } else {
      fprintf(f, "\" type=\"%s\">", str_of(rec, "verdict"));
      torc_markup_escape(f, str_of(rec, "title"));
      fputc('\n', f);
      rec_explain(f, rec, 1);
      fprintf(f, "</%s>\n", kind);
    }
    fputs("    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  return close_rename(f, tmp, path, errbuf, errlen);
}

/* ---- TAP 13 -------------------------------------------------------------- */

void torc_tap_plan(FILE *f, size_t total) {
  fprintf(f, "TAP version 13\n1..%zu\n", total);
  fflush(f);
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

void torc_tap_line(FILE *f, size_t n, const json_t *rec, int strict) {
  int v = torc_results_verdict(rec);
  int ok = v == TORC_PASS || v == TORC_UNSUPPORTED || v == TORC_WAIVED ||
           (v == TORC_PASS_NONSTRICT && !strict);
  const json_t *viol = json_object_get(rec, "violations");
  const json_t *div = json_object_get(rec, "divergence");
  const json_t *w;
  size_t i;

  fprintf(f, "%s %zu - %s", ok ? "ok" : "not ok", n, rec_id(rec));
  if (v == TORC_UNSUPPORTED)
    fprintf(f, " # SKIP unsupported: %s", str_of(rec, "detail"));
  else if (v == TORC_WAIVED)
    fprintf(f, " # SKIP waived: %s", str_of(rec, "detail"));
  fputc('\n', f);
  if (!ok || v == TORC_PASS_NONSTRICT) {
    fputs("  ---\n  verdict: ", f);
    yaml_str(f, str_of(rec, "verdict"));
    fputs("\n  title: ", f);
    yaml_str(f, str_of(rec, "title"));
    if (*str_of(rec, "detail")) {
      fputs("\n  detail: ", f);
      yaml_str(f, str_of(rec, "detail"));
    }
    if (json_array_size(viol)) {
      fputs("\n  violations:", f);
      json_array_foreach(viol, i, w) {
        fputs("\n    - requirement: ", f);
        yaml_str(f, str_of(w, "requirement"));
        fputs("\n      message: ", f);
        yaml_str(f, str_of(w, "message"));
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
      yaml_str(f, str_of(div, "expected"));
      fputs("\n    actual: ", f);
      yaml_str(f, str_of(div, "actual"));
    }
    fputs("\n  ...\n", f);
  }
  fflush(f);
}

/* ---- Reading back ------------------------------------------------------ */

/* Checks one record's shape; returns NULL or the name of the bad field. */
static const char *check_record(const json_t *rec) {
  if (!json_is_object(rec))
    return "";
  if (!json_is_string(json_object_get(rec, "id")) || !*rec_id(rec))
    return ".id";
  if (torc_results_verdict(rec) < 0)
    return ".verdict";
  if (!json_is_array(json_object_get(rec, "violations")))
    return ".violations";
  if (!json_is_array(json_object_get(rec, "requirements")))
    return ".requirements";
  return NULL;
}

int torc_results_load(const char *path, torc_results **out, char *errbuf,
                      size_t errlen) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr), *results, *rec;
  const json_t *target;
  torc_results *rs;
  const char *bad;
  size_t i;

  *out = NULL;
  if (!doc) {
    set_err(errbuf, errlen, "%s: line %d: %s", path, jerr.line, jerr.text);
    return -1;
  }
  if (!json_is_object(doc)) {
    set_err(errbuf, errlen, "%s: $: not an object", path);
    goto fail;
  }
  if (json_integer_value(json_object_get(doc, "format")) !=
      TORC_RESULTS_FORMAT) {
    set_err(errbuf, errlen, "%s: $.format: not %d", path, TORC_RESULTS_FORMAT);
    goto fail;
  }
  if (!json_is_string(json_object_get(doc, "vector_set_digest"))) {
    set_err(errbuf, errlen, "%s: $.vector_set_digest: missing", path);
    goto fail;
  }
  target = json_object_get(doc, "target");
  if (!json_is_object(target) ||
      !json_is_string(json_object_get(target, "name")) ||
      !json_is_string(json_object_get(target, "version")) ||
      !json_is_integer(json_object_get(target, "abi_version"))) {
    set_err(errbuf, errlen, "%s: $.target: missing name/version/abi_version",
            path);
    goto fail;
  }
  results = json_object_get(doc, "results");
  if (!json_is_array(results)) {
    set_err(errbuf, errlen, "%s: $.results: not an array", path);
    goto fail;
  }
  json_array_foreach(results, i, rec) {
    if ((bad = check_record(rec)) != NULL) {
      set_err(errbuf, errlen, "%s: $.results[%zu]%s: missing or invalid", path,
              i, bad);
      goto fail;
    }
  }
  rs = calloc(1, sizeof *rs);
  if (!rs) {
    set_err(errbuf, errlen, "%s: out of memory", path);
    goto fail;
  }
  rs->results = json_incref(results);
  json_object_del(doc, "results");
  json_object_del(doc, "summary");
  rs->doc = doc;
  *out = rs;
  return 0;
fail:
  json_decref(doc);
  return -1;
}

static int same_target(const json_t *a, const json_t *b) {
  return strcmp(str_of(a, "name"), str_of(b, "name")) == 0 &&
         strcmp(str_of(a, "version"), str_of(b, "version")) == 0 &&
         json_integer_value(json_object_get(a, "abi_version")) ==
             json_integer_value(json_object_get(b, "abi_version"));
}

int torc_results_merge(torc_results *const *in, size_t n, torc_results **out,
                       char *errbuf, size_t errlen) {
  torc_results *m;
  const char *digest, *started = NULL, *finished = NULL;
  const json_t *target;
  size_t k, i;
  json_t *rec;

  *out = NULL;
  if (n == 0) {
    set_err(errbuf, errlen, "nothing to merge");
    return -1;
  }
  digest = str_of(in[0]->doc, "vector_set_digest");
  target = json_object_get(in[0]->doc, "target");
  for (k = 1; k < n; k++) {
    if (strcmp(digest, str_of(in[k]->doc, "vector_set_digest")) != 0) {
      set_err(errbuf, errlen,
              "input %zu: vector-set digest %.16s... differs from input 1's "
              "%.16s...: results of different vector sets",
              k + 1, str_of(in[k]->doc, "vector_set_digest"), digest);
      return -1;
    }
    if (!same_target(target, json_object_get(in[k]->doc, "target"))) {
      set_err(errbuf, errlen,
              "input %zu: target %s %s differs from input 1's %s %s", k + 1,
              str_of(json_object_get(in[k]->doc, "target"), "name"),
              str_of(json_object_get(in[k]->doc, "target"), "version"),
              str_of(target, "name"), str_of(target, "version"));
      return -1;
    }
  }
  m = calloc(1, sizeof *m);
  if (!m || !(m->doc = json_deep_copy(in[0]->doc)) ||
      !(m->results = json_array())) {
    torc_results_free(m);
    set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  for (k = 0; k < n; k++) {
    const char *s = str_of(in[k]->doc, "started");
    const char *f = str_of(in[k]->doc, "finished");
    if (*s && (!started || strcmp(s, started) < 0))
      started = s;
    if (*f && (!finished || strcmp(f, finished) > 0))
      finished = f;
    json_array_foreach(in[k]->results, i, rec) {
      if (torc_results_has(m, rec_id(rec))) {
        set_err(errbuf, errlen,
                "input %zu: vector %s is already in an earlier input "
                "(overlapping shards)",
                k + 1, rec_id(rec));
        torc_results_free(m);
        return -1;
      }
      json_array_append(m->results, rec);
    }
  }
  torc_results_set_times(m, started ? started : "", finished ? finished : "");
  *out = m;
  return 0;
}

/* ---- Journal ------------------------------------------------------------ */

static json_t *journal_header(const char *digest,
                              const torc_target_info *target) {
  return json_pack("{s:i, s:s, s:o}", "torc_journal", 1, "vector_set_digest",
                   digest, "target", target_json(target));
}

static int append_line(FILE *f, const json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  int rc = 0;
  if (!s)
    return -1;
  if (fputs(s, f) == EOF || fputc('\n', f) == EOF || fflush(f) != 0 ||
      fsync(fileno(f)) != 0)
    rc = -1;
  free(s);
  return rc;
}

/* Reads the journal's complete lines into rs after checking its header. */
static int journal_read(FILE *f, const char *path, const json_t *want,
                        torc_results *rs, char *errbuf, size_t errlen) {
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  int rc = 0;
  while ((len = getline(&line, &cap, f)) > 0) {
    json_error_t jerr;
    json_t *j;
    lineno++;
    if (line[len - 1] != '\n')
      break; /* torn last line: the run died while writing it */
    j = json_loadb(line, (size_t)len, 0, &jerr);
    if (lineno == 1) {
      const json_t *t = j ? json_object_get(j, "target") : NULL;
      if (!j || json_integer_value(json_object_get(j, "torc_journal")) != 1) {
        set_err(errbuf, errlen, "%s: line 1: not a torc journal", path);
        rc = -1;
      } else if (strcmp(str_of(j, "vector_set_digest"),
                        str_of(want, "vector_set_digest")) != 0) {
        set_err(errbuf, errlen,
                "%s: journal is for another vector set (digest %.16s...); "
                "remove it or run without --resume",
                path, str_of(j, "vector_set_digest"));
        rc = -1;
      } else if (!same_target(t, json_object_get(want, "target"))) {
        set_err(errbuf, errlen,
                "%s: journal is for target %s %s; remove it or run without "
                "--resume",
                path, str_of(t, "name"), str_of(t, "version"));
        rc = -1;
      }
      json_decref(j);
      if (rc)
        break;
      continue;
    }
    if (!j || check_record(j) != NULL) {
      /* A complete but unreadable line is damage, not a torn write. */
      set_err(errbuf, errlen, "%s: line %zu: not a result record", path,
              lineno);
      json_decref(j);
      rc = -1;
      break;
    }
    if (torc_results_has(rs, rec_id(j)))
      json_decref(j);
    else
      torc_results_add(rs, j);
  }
  free(line);
  return rc;
}

int torc_journal_open(const char *path, const char *digest,
                      const torc_target_info *target, int resume,
                      torc_results *rs, torc_journal **out, char *errbuf,
                      size_t errlen) {
  json_t *hdr = journal_header(digest, target), *rec;
  torc_journal *j;
  FILE *f;
  char *tmp;
  size_t i;

  *out = NULL;
  if (!hdr) {
    set_err(errbuf, errlen, "%s: out of memory", path);
    return -1;
  }
  if (resume && (f = fopen(path, "r")) != NULL) {
    int rc = journal_read(f, path, hdr, rs, errbuf, errlen);
    fclose(f);
    if (rc) {
      json_decref(hdr);
      return -1;
    }
  }
  /* Rewrite header + kept records, dropping any torn line, then append. */
  f = open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(hdr);
    return -1;
  }
  if (append_line(f, hdr) != 0) {
    set_err(errbuf, errlen, "%s: cannot write: %s", tmp, strerror(errno));
    fclose(f);
    unlink(tmp);
    free(tmp);
    json_decref(hdr);
    return -1;
  }
  json_decref(hdr);
  json_array_foreach(rs->results, i, rec) append_line(f, rec);
  if (close_rename(f, tmp, path, errbuf, errlen) != 0)
    return -1;
  j = calloc(1, sizeof *j);
  if (!j || !(j->path = strdup(path)) || !(j->f = fopen(path, "a"))) {
    set_err(errbuf, errlen, "%s: %s", path, strerror(errno));
    if (j)
      free(j->path);
    free(j);
    return -1;
  }
  *out = j;
  return 0;
}

int torc_journal_append(torc_journal *j, const json_t *rec) {
  return j ? append_line(j->f, rec) : 0;
}

void torc_journal_close(torc_journal *j, int remove_file) {
  if (!j)
    return;
  fclose(j->f);
  if (remove_file)
    unlink(j->path);
  free(j->path);
  free(j);
}
