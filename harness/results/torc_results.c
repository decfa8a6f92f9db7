/*
 * torc_results.c - the results document of a run: records held in order,
 * counts per verdict, the exit status they call for, the JSON document.
 *
 * Sits at the end of the flow: the run (harness/run/torc_run_record.c) gets a
 * torc_result per vector from the engine (directly or through torc_isolate),
 * turns it into a record (torc_results_record.c), appends it to the journal
 * at once (torc_journal.c), and at the end writes the JSON document here and
 * the JUnit XML (torc_results_junit.c).  `torc merge`, `torc diff` and the
 * report read documents back (torc_results_read.c).  Files are written
 * atomically (tmp + rename); nothing read back is trusted without a shape
 * check.  Knows nothing of the engine: records are JSON.
 */
#include "torc_results_int.h"

#include "torc_claim.h"
#include "torc_features.h"
#include "torc_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <torc/target.h>
#include <unistd.h>

void torcint_results_set_err(char *errbuf, size_t errlen, const char *fmt,
                             ...) {
  va_list ap;
  if (!errbuf || !errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(errbuf, errlen, fmt, ap);
  va_end(ap);
}

json_t *torc_json_text(const char *s, size_t max) {
  size_t n, i = 0, o = 0;
  char *buf;
  json_t *j;
  if (!s)
    return json_string("");
  n = strnlen(s, max);
  /* ASCII without control characters but tab and newline, as ids, titles
   * and requirement names are: nothing to replace, and valid UTF-8, so no
   * copy and no second check (a record holds about 50 such strings; issue
   * 15). */
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x80 || (ch < 0x20 && ch != '\t' && ch != '\n'))
      break;
  }
  if (i == n)
    return json_stringn_nocheck(s, n);
  i = 0;
  buf = malloc(n + 1);
  if (!buf)
    return NULL;
  while (i < n) {
    const unsigned char *p = (const unsigned char *)s + i;
    uint32_t cp;
    size_t l = torc_utf8_decode(p, n - i, &cp);
    if (l == 0 || (l == 1 && p[0] < 0x20 && p[0] != '\t' && p[0] != '\n') ||
        !torc_text_char_ok(cp)) {
      buf[o++] = '?'; /* one '?' per character, one per bad byte */
      i += l ? l : 1;
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

/* The declared features by name, the mandatory ones missing (with the
 * requirements that make them so) and the optional ones absent, from the
 * catalogue's map (torc_features.h). */
static void add_feature_lists(json_t *target, unsigned long long caps) {
  json_t *names = json_array(), *missing = json_array(), *absent = json_array();
  size_t n, i;
  const torc_feature *f = torc_features(&n);
  for (i = 0; i < n; i++) {
    if (caps & f[i].cap) {
      json_array_append_new(names, json_string(f[i].name));
    } else if (f[i].mandatory) {
      json_t *reqs = json_array();
      const char *p = f[i].requirements;
      while (p && *p) {
        size_t len = strcspn(p, ",");
        json_array_append_new(reqs, json_stringn(p, len));
        p += len + (p[len] == ',');
      }
      json_array_append_new(missing, json_pack("{s:s, s:o, s:s}", "capability",
                                               f[i].name, "requirements", reqs,
                                               "what", f[i].what));
    } else {
      json_array_append_new(absent,
                            json_pack("{s:s, s:s}", "capability", f[i].name,
                                      "because", f[i].because));
    }
  }
  json_object_set_new(target, "capability_names", names);
  json_object_set_new(target, "missing_mandatory", missing);
  json_object_set_new(target, "absent_optional", absent);
}

json_t *torcint_results_target_json(const torc_target_info *t) {
  json_t *target = json_pack(
      "{s:o, s:o, s:I, s:I}", "name", torc_json_text(t->name, 256), "version",
      torc_json_text(t->version, 256), "abi_version",
      (json_int_t)t->abi_version, "capabilities", (json_int_t)t->capabilities);
  if (target)
    add_feature_lists(target, t->capabilities);
  if (target && t->driver && t->driver[0])
    json_object_set_new(target, "driver", torc_json_text(t->driver, 256));
  if (target && t->firmware && t->firmware[0])
    json_object_set_new(target, "firmware", torc_json_text(t->firmware, 256));
  if (target && t->containment)
    json_object_set_new(target, "containment", json_string(t->containment));
  if (target && (t->max_initial_rcv_wnd || t->max_buffered_bytes))
    json_object_set_new(target, "declared_limits",
                        json_pack("{s:I, s:I}", "max_initial_rcv_wnd",
                                  (json_int_t)t->max_initial_rcv_wnd,
                                  "max_buffered_bytes",
                                  (json_int_t)t->max_buffered_bytes));
  return target;
}

torc_results *torc_results_new(const char *digest,
                               const torc_target_info *target) {
  torc_results *rs = calloc(1, sizeof *rs);
  if (!rs)
    return NULL;
  rs->doc = json_pack("{s:s, s:i, s:s, s:o, s:s, s:s}", "torc_version",
                      TORC_VERSION_STRING, "format", TORC_RESULTS_FORMAT,
                      "vector_set_digest", digest ? digest : "", "target",
                      torcint_results_target_json(target), "started", "",
                      "finished", "");
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
  json_decref(rs->index);
  free(rs);
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

int torc_results_has(torc_results *rs, const char *id) {
  /* Hashed: a resumed run asks once per selected vector, so a linear scan
   * would make resuming n records cost n^2 (issue 16). */
  torc_results *w = rs;
  size_t n = json_array_size(rs->results);
  if (!w->index && !(w->index = json_object()))
    return 0;
  if (w->nindexed > n) { /* the array was replaced: index it again */
    json_object_clear(w->index);
    w->nindexed = 0;
  }
  for (; w->nindexed < n; w->nindexed++)
    json_object_set_new(
        w->index,
        torcint_results_rec_id(json_array_get(rs->results, w->nindexed)),
        json_true());
  return json_object_get(rs->index, id) != NULL;
}

void torc_results_set_times(torc_results *rs, const char *started,
                            const char *finished) {
  if (started)
    json_object_set_new(rs->doc, "started", json_string(started));
  if (finished)
    json_object_set_new(rs->doc, "finished", json_string(finished));
}

void torc_results_set_member(torc_results *rs, const char *key, json_t *value) {
  if (value)
    json_object_set_new(rs->doc, key, value);
  else
    json_object_del(rs->doc, key);
}

const json_t *torc_results_member(const torc_results *rs, const char *key) {
  return json_object_get(rs->doc, key);
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

json_t *torc_results_claim(const torc_results *rs) {
  return torc_claim_compute(rs->doc, rs->results);
}

static int cmp_rec(const void *a, const void *b) {
  return strcmp(torcint_results_rec_id(*(json_t *const *)a),
                torcint_results_rec_id(*(json_t *const *)b));
}

void torcint_results_sort(torc_results *rs) {
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

/* The stream behind torcint_results_open_tmp: its file, the errno of its
 * first failed write (stdio's own errno is long gone when the file is
 * closed), and the temporary name handed out as *tmp. */
typedef struct out_file {
  int fd;
  int err;
  char tmp[];
} out_file;

static ssize_t out_write(void *cookie, const char *buf, size_t n) {
  out_file *o = cookie;
  size_t done = 0;
  while (done < n && !o->err) {
    ssize_t w = write(o->fd, buf + done, n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      o->err = w < 0 ? errno : ENOSPC;
    else
      done += (size_t)w;
  }
  return o->err ? 0 : (ssize_t)n; /* 0: stdio sets the error flag */
}

/* Marks the stream behind tmp failed with err (unless it already is). */
static void out_fail(char *tmp, int err) {
  out_file *o = (out_file *)(void *)(tmp - offsetof(out_file, tmp));
  if (!o->err)
    o->err = err;
}

static int out_close(void *cookie) {
  (void)cookie; /* the fd is synced and closed by close_rename */
  return 0;
}

FILE *torcint_results_open_tmp(const char *path, char **tmp, char *errbuf,
                               size_t errlen) {
  size_t n = strlen(path) + 32;
  cookie_io_functions_t io = {NULL, out_write, NULL, out_close};
  out_file *o = malloc(sizeof *o + n);
  FILE *f;
  *tmp = NULL;
  if (!o) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    return NULL;
  }
  snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
  o->err = 0;
  o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (o->fd < 0) {
    torcint_results_set_err(errbuf, errlen, "%s: cannot write: %s", o->tmp,
                            strerror(errno));
    free(o);
    return NULL;
  }
  f = fopencookie(o, "w", io);
  if (!f) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    close(o->fd);
    unlink(o->tmp);
    free(o);
    return NULL;
  }
  *tmp = o->tmp;
  return f;
}

int torcint_results_close_rename(FILE *f, char *tmp, const char *path,
                                 char *errbuf, size_t errlen) {
  out_file *o = (out_file *)(void *)(tmp - offsetof(out_file, tmp));
  int bad = ferror(f) || fflush(f) != 0;
  int err;
  bad |= fclose(f) != 0;
  err = o->err ? o->err : bad ? EIO : 0;
  if (!err && fsync(o->fd) != 0)
    err = errno;
  if (close(o->fd) != 0 && !err)
    err = errno;
  if (!err && rename(o->tmp, path) != 0)
    err = errno;
  if (err) {
    torcint_results_set_err(errbuf, errlen, "%s: cannot write: %s", path,
                            strerror(err));
    unlink(o->tmp);
  }
  free(o);
  return err ? -1 : 0;
}

/* The document is dumped into memory and written with one fwrite: jansson
 * dumping to a FILE calls fwrite for every token (a locked stdio call each,
 * about half of writing 8,000 results; issue 15).  The bytes are the same. */
typedef struct membuf {
  char *p;
  size_t n, cap;
} membuf;

static int to_mem(const char *buf, size_t size, void *data) {
  membuf *m = data;
  if (m->n + size + 1 > m->cap) {
    size_t nc = m->cap ? m->cap : 1 << 16;
    char *np;
    while (nc < m->n + size + 1)
      nc *= 2;
    if (!(np = realloc(m->p, nc)))
      return -1;
    m->p = np;
    m->cap = nc;
  }
  memcpy(m->p + m->n, buf, size);
  m->n += size;
  return 0;
}

int torc_results_write_json(torc_results *rs, const char *path, char *errbuf,
                            size_t errlen) {
  membuf m = {NULL, 0, 0};
  json_t *doc;
  FILE *f;
  char *tmp;
  torcint_results_sort(rs);
  doc = json_deep_copy(rs->doc);
  if (!doc) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    return -1;
  }
  json_object_set(doc, "results", rs->results);
  json_object_set_new(doc, "summary", summary_json(rs));
  json_object_set_new(doc, "claim", torc_results_claim(rs));
  f = torcint_results_open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(doc);
    return -1;
  }
  /* A failed write is remembered by the stream and reported, with its
   * reason, by close_rename; the old file at path stays as it was. */
  if (json_dump_callback(doc, to_mem, &m,
                         JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
      to_mem("\n", 1, &m) == 0)
    fwrite(m.p, 1, m.n, f);
  else
    out_fail(tmp, ENOMEM); /* or the write's own reason, kept first */
  free(m.p);
  json_decref(doc);
  return torcint_results_close_rename(f, tmp, path, errbuf, errlen);
}
