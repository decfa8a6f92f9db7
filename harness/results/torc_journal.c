/*
 * torc_journal.c - the journal behind `torc run --resume`: result records
 * appended one per line as each vector finishes.
 *
 * The run opens it before the first vector and appends every record at
 * once, written whole with one write(2): from then on it is the kernel's,
 * so a run that is killed, crashes or is interrupted loses nothing finished;
 * with --resume the records already there are kept in the results and not
 * run again.  fsync, which only a power failure needs, is grouped: once per
 * JOURNAL_SYNC_RECORDS records or JOURNAL_SYNC_NS, and when the run ends
 * (torc_journal_flush), so a power cut re-runs at most that batch.  Removed
 * when the run writes its JSON document.
 *
 * Line 1, the header, says what the records belong to: the vector set, the
 * target with its capabilities, and the run's options that scope the
 * claim (selection, shards, --strict).  A resumed run with any of them
 * different is refused, naming what differs, so the resumed results are
 * what one uninterrupted run would have written.
 *
 * Nothing whole is lost (issue 16).  An append that fails (disk full) is
 * cut off again (ftruncate to the last whole record) and kept in memory,
 * to be written before the next one; the reader keeps every whole record
 * wherever the damage is (a torn line in the middle, a torn piece with a
 * whole record after it on the same line, a torn last line), skips the
 * rest and says where each skipped piece was, so its vector runs again.
 */
#include "torc_results_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

struct torc_journal {
  int fd; /* O_APPEND */
  char *path;
  off_t good;      /* the file's size up to the end of its last whole line */
  int cut_failed;  /* a failed append could not be cut off: start the next
                    * one on a line of its own */
  json_t *pending; /* records not yet written, oldest first (owned) */
  json_t *notes;   /* what the reader skipped, one string each (owned) */
  size_t unsynced; /* records written since the last fsync */
  struct timespec synced; /* when that was (CLOCK_MONOTONIC) */
};

#define JOURNAL_MAX_NOTES 20
#define JOURNAL_SYNC_RECORDS 256
#define JOURNAL_SYNC_NS 200000000ull /* 200 ms */

#define JOURNAL_FORMAT 2

static json_t *journal_header(const char *digest,
                              const torc_target_info *target,
                              const json_t *options) {
  return json_pack("{s:i, s:s, s:o, s:O}", "torc_journal", JOURNAL_FORMAT,
                   "vector_set_digest", digest, "target",
                   torcint_results_target_json(target), "options",
                   options ? options : json_null());
}

/* Compact JSON of j for a message (owned by the caller; "" on failure). */
static char *compact(const json_t *j) {
  char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  return s ? s : strdup("null");
}

/* "A,B,C" of a target's capability names, into out. */
static void cap_names(const json_t *target, char *out, size_t n) {
  const json_t *x;
  size_t i, len = 0;
  out[0] = '\0';
  json_array_foreach(json_object_get(target, "capability_names"), i, x) {
    int k = snprintf(out + len, n - len, "%s%s", i ? "," : "",
                     json_string_value(x) ? json_string_value(x) : "");
    if (k < 0 || (size_t)k >= n - len)
      break;
    len += (size_t)k;
  }
  if (!out[0])
    snprintf(out, n, "none");
}

/* Checks the header j of the journal at path against the one this run
 * would write (want).  Returns 0, or -1 with what differs in errbuf. */
static int check_header(const json_t *j, const char *path, const json_t *want,
                        char *errbuf, size_t errlen) {
  const json_t *t = json_object_get(j, "target");
  const json_t *wt = json_object_get(want, "target");
  const json_t *opt = json_object_get(j, "options");
  const json_t *wopt = json_object_get(want, "options");
  static const char *const keys[] = {"selection", "shards", "strict"};
  size_t i;
  json_int_t format = json_integer_value(json_object_get(j, "torc_journal"));
  if (format >= 1 && format < JOURNAL_FORMAT) {
    torcint_results_set_err(errbuf, errlen,
                            "%s: journal of an older torc (format %d); "
                            "remove it or run without --resume",
                            path, (int)format);
    return -1;
  }
  if (format != JOURNAL_FORMAT) {
    torcint_results_set_err(errbuf, errlen, "%s: line 1: not a torc journal",
                            path);
    return -1;
  }
  if (strcmp(torcint_results_str(j, "vector_set_digest"),
             torcint_results_str(want, "vector_set_digest")) != 0) {
    torcint_results_set_err(
        errbuf, errlen,
        "%s: journal is for another vector set (digest %.16s...); "
        "remove it or run without --resume",
        path, torcint_results_str(j, "vector_set_digest"));
    return -1;
  }
  if (!torcint_results_same_target(t, wt)) {
    torcint_results_set_err(
        errbuf, errlen,
        "%s: journal is for target %s %s; remove it or run without "
        "--resume",
        path, torcint_results_str(t, "name"),
        torcint_results_str(t, "version"));
    return -1;
  }
  if (json_integer_value(json_object_get(t, "capabilities")) !=
      json_integer_value(json_object_get(wt, "capabilities"))) {
    char was[512], now[512];
    cap_names(t, was, sizeof was);
    cap_names(wt, now, sizeof now);
    torcint_results_set_err(
        errbuf, errlen,
        "%s: journal is for target %s declaring capabilities %s (now %s); "
        "remove it or run without --resume",
        path, torcint_results_str(t, "name"), was, now);
    return -1;
  }
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const json_t *a = json_object_get(opt, keys[i]);
    const json_t *b = json_object_get(wopt, keys[i]);
    if (!json_equal(a, b) && (a || b)) {
      char *sa = compact(a), *sb = compact(b);
      torcint_results_set_err(errbuf, errlen,
                              "%s: journal is for a run with %s %s (now %s); "
                              "resume with the same options or run without "
                              "--resume",
                              path, keys[i], sa, sb);
      free(sa);
      free(sb);
      return -1;
    }
  }
  return 0;
}

static int append_line(FILE *f, const json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  int rc = 0;
  if (!s)
    return -1;
  if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
    rc = -1;
  free(s);
  return rc;
}

/* What the reader found while reading a journal: the records it keeps go
 * into rs (ids in seen, so each is kept once), what it skips into notes. */
typedef struct reader {
  const char *path;
  torc_results *rs;
  json_t *seen;
  json_t *notes;
  size_t nskipped; /* pieces skipped, noted or not */
} reader;

/* Notes a skipped piece p[0..n) at line lineno, byte offset off: the id it
 * starts with, when the piece got that far. */
static void note_torn(reader *R, size_t lineno, long long off, const char *p,
                      size_t n, int last) {
  char id[64] = "";
  static const char pre[] = "{\"id\":\"";
  R->nskipped++;
  if (json_array_size(R->notes) >= JOURNAL_MAX_NOTES)
    return;
  if (n > sizeof pre - 1 && !memcmp(p, pre, sizeof pre - 1)) {
    size_t k = sizeof pre - 1, m = 0;
    while (k < n && p[k] != '"' && p[k] != '\\' && m < sizeof id - 1)
      id[m++] = p[k++];
    id[k < n && p[k] == '"' ? m : 0] = '\0';
  }
  json_array_append_new(
      R->notes,
      json_sprintf("line %zu (byte %lld): %s%s%s (%zu byte%s) skipped; its "
                   "vector runs again",
                   lineno, off, last ? "torn last record" : "torn record",
                   id[0] ? " of " : "", id, n, n == 1 ? "" : "s"));
}

/* Keeps rec (reference stolen) unless a record with its id is kept. */
static void keep(reader *R, json_t *rec) {
  const char *id = torcint_results_rec_id(rec);
  if (json_object_get(R->seen, id)) {
    json_decref(rec);
    return;
  }
  json_object_set_new(R->seen, id, json_true());
  torc_results_add(R->rs, rec);
}

/* One line after the header, p[0..n) without its newline, at byte off:
 * every whole record on it is kept, and every piece between them that is
 * not one is noted.  A record starts with {"id": (torc_results_record),
 * which a string inside one cannot hold unescaped, so after a torn piece
 * the next whole record is the next {"id": that parses as one. */
static void read_records(reader *R, const char *p, size_t n, size_t lineno,
                         long long off, int last) {
  static const char start[] = "{\"id\":";
  size_t at = 0, torn = 0;
  int in_torn = 0; /* p[torn..at) is not a record */
  while (at < n) {
    json_error_t jerr;
    json_t *j = json_loadb(p + at, n - at, JSON_DISABLE_EOF_CHECK, &jerr);
    if (j && torcint_results_check_record(j) == NULL && jerr.position > 0 &&
        (size_t)jerr.position <= n - at) {
      if (in_torn)
        note_torn(R, lineno, off + (long long)torn, p + torn, at - torn, 0);
      in_torn = 0;
      keep(R, j);
      at += (size_t)jerr.position;
      while (at < n && (p[at] == ' ' || p[at] == '\r' || p[at] == '\t'))
        at++;
      continue;
    }
    json_decref(j);
    if (!in_torn)
      torn = at;
    in_torn = 1;
    for (at++; at < n; at++)
      if (p[at] == '{' && n - at >= sizeof start - 1 &&
          !memcmp(p + at, start, sizeof start - 1))
        break;
  }
  if (in_torn)
    note_torn(R, lineno, off + (long long)torn, p + torn, n - torn, last);
}

/* Reads the journal into rs after checking its header.  Returns 0, or -1
 * (the header refused, with why in errbuf); *damaged is set when a piece
 * was skipped (the file must be rewritten before appending to it). */
static int journal_read(FILE *f, const char *path, const json_t *want,
                        torc_results *rs, json_t *notes, int *damaged,
                        char *errbuf, size_t errlen) {
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  long long off = 0;
  ssize_t len;
  int rc = 0;
  reader R = {path, rs, json_object(), notes, 0};
  *damaged = 0;
  if (!R.seen) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    return -1;
  }
  while ((len = getline(&line, &cap, f)) > 0) {
    int last = line[len - 1] != '\n';
    size_t n = (size_t)len - !last;
    lineno++;
    if (lineno == 1) {
      json_error_t jerr;
      json_t *j = last ? NULL : json_loadb(line, n, 0, &jerr);
      if (last) {
        /* The run died writing its header: nothing after it. */
        *damaged = 1;
        break;
      }
      if (!j) {
        torcint_results_set_err(errbuf, errlen,
                                "%s: line 1: not a torc journal", path);
        rc = -1;
      } else {
        rc = check_header(j, path, want, errbuf, errlen);
      }
      json_decref(j);
      if (rc)
        break;
    } else {
      read_records(&R, line, n, lineno, off, last);
    }
    off += len;
  }
  free(line);
  json_decref(R.seen);
  if (R.nskipped)
    *damaged = 1;
  if (R.nskipped > JOURNAL_MAX_NOTES)
    json_array_append_new(notes, json_sprintf("and %zu more pieces skipped",
                                              R.nskipped - JOURNAL_MAX_NOTES));
  return rc;
}

static torc_journal *journal_new(const char *path) {
  torc_journal *j = calloc(1, sizeof *j);
  if (!j)
    return NULL;
  j->fd = -1;
  clock_gettime(CLOCK_MONOTONIC, &j->synced);
  j->path = strdup(path);
  j->pending = json_array();
  j->notes = json_array();
  if (!j->path || !j->pending || !j->notes) {
    torc_journal_close(j, 0);
    return NULL;
  }
  return j;
}

/* Writes header + records to path.tmp and renames it over path. */
static int journal_rewrite(const char *path, const json_t *hdr,
                           const torc_results *rs, char *errbuf,
                           size_t errlen) {
  char *tmp;
  FILE *f = torcint_results_open_tmp(path, &tmp, errbuf, errlen);
  const json_t *rec;
  size_t i;
  if (!f)
    return -1;
  append_line(f, hdr); /* a failure is the stream's, reported below */
  json_array_foreach(rs->results, i, rec) append_line(f, rec);
  return torcint_results_close_rename(f, tmp, path, errbuf, errlen);
}

int torc_journal_open(const char *path, const char *digest,
                      const torc_target_info *target, const json_t *options,
                      int resume, torc_results *rs, torc_journal **out,
                      char *errbuf, size_t errlen) {
  json_t *hdr = journal_header(digest, target, options);
  torc_journal *j = journal_new(path);
  int damaged = 1; /* no journal read: write a new one */
  struct stat st;
  FILE *f;

  *out = NULL;
  if (!hdr || !j) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    json_decref(hdr);
    torc_journal_close(j, 0);
    return -1;
  }
  if (resume && (f = fopen(path, "r")) != NULL) {
    int rc = journal_read(f, path, hdr, rs, j->notes, &damaged, errbuf, errlen);
    fclose(f);
    if (rc) {
      json_decref(hdr);
      torc_journal_close(j, 0);
      return -1;
    }
  } else if (resume && errno != ENOENT) {
    torcint_results_set_err(errbuf, errlen, "%s: cannot read: %s", path,
                            strerror(errno));
    json_decref(hdr);
    torc_journal_close(j, 0);
    return TORC_RESULTS_EWRITE;
  }
  /* A clean journal is appended to as it is (no second copy on a nearly
   * full disk); one with skipped pieces is rewritten first, header and
   * kept records, so that they never come back. */
  if (damaged && journal_rewrite(path, hdr, rs, errbuf, errlen) != 0) {
    json_decref(hdr);
    torc_journal_close(j, 0);
    return TORC_RESULTS_EWRITE;
  }
  json_decref(hdr);
  j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (j->fd < 0 || fstat(j->fd, &st) != 0) {
    torcint_results_set_err(errbuf, errlen, "%s: cannot write: %s", path,
                            strerror(errno));
    torc_journal_close(j, 0);
    return TORC_RESULTS_EWRITE;
  }
  j->good = st.st_size;
  *out = j;
  return 0;
}

size_t torc_journal_notes(const torc_journal *j) {
  return j ? json_array_size(j->notes) : 0;
}

const char *torc_journal_note(const torc_journal *j, size_t i) {
  return json_string_value(json_array_get(j->notes, i));
}

/* Writes one record as one line with one write(2) (looped only if the
 * kernel writes part of it).  On failure the part written is cut off
 * again.  Returns 0, or -1 with errno set. */
static int write_record(torc_journal *j, const json_t *rec) {
  char *s = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
  size_t n, done = 0;
  char *line;
  int err = 0;
  if (!s) {
    errno = ENOMEM;
    return -1;
  }
  n = strlen(s) + 1 + (j->cut_failed != 0);
  line = malloc(n + 1);
  if (!line) {
    free(s);
    errno = ENOMEM;
    return -1;
  }
  snprintf(line, n + 1, "%s%s\n", j->cut_failed ? "\n" : "", s);
  free(s);
  while (done < n && !err) {
    ssize_t w = write(j->fd, line + done, n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      err = w < 0 ? errno : ENOSPC;
    else
      done += (size_t)w;
  }
  free(line);
  if (!err) {
    j->good += (off_t)n;
    j->cut_failed = 0;
    j->unsynced++;
    return 0;
  }
  if (done > 0 && ftruncate(j->fd, j->good) != 0)
    j->cut_failed = 1; /* the reader will skip the torn piece */
  errno = err;
  return -1;
}

/* Writes the pending records; then fsyncs when force is set or a batch
 * is due. */
static int write_pending(torc_journal *j, int force) {
  struct timespec now;
  uint64_t ns;
  while (json_array_size(j->pending)) {
    if (write_record(j, json_array_get(j->pending, 0)) != 0)
      return -1;
    json_array_remove(j->pending, 0);
  }
  if (!j->unsynced)
    return 0;
  clock_gettime(CLOCK_MONOTONIC, &now);
  ns = (uint64_t)(now.tv_sec - j->synced.tv_sec) * 1000000000ull +
       (uint64_t)now.tv_nsec - (uint64_t)j->synced.tv_nsec;
  if (!force && j->unsynced < JOURNAL_SYNC_RECORDS && ns < JOURNAL_SYNC_NS)
    return 0;
  if (fsync(j->fd) != 0)
    return -1;
  j->unsynced = 0;
  j->synced = now;
  return 0;
}

int torc_journal_flush(torc_journal *j) {
  return j ? write_pending(j, 1) : 0;
}

int torc_journal_append(torc_journal *j, json_t *rec) {
  if (!j)
    return 0;
  if (json_array_append(j->pending, rec) != 0) {
    errno = ENOMEM;
    return -1;
  }
  return write_pending(j, 0);
}

size_t torc_journal_pending(const torc_journal *j) {
  return j ? json_array_size(j->pending) : 0;
}

void torc_journal_close(torc_journal *j, int remove_file) {
  if (!j)
    return;
  if (j->fd >= 0)
    close(j->fd);
  if (remove_file)
    unlink(j->path);
  free(j->path);
  json_decref(j->pending);
  json_decref(j->notes);
  free(j);
}
