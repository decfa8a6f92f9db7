/*
 * torc_journal.c - the journal behind `torc run --resume`: result records
 * appended one per line as each vector finishes.
 *
 * The run opens it before the first vector and appends every record at
 * once (flushed and fsync'd), so an interrupted run loses nothing finished;
 * with --resume the records already there are kept in the results and not
 * run again.  Removed when the run writes its JSON document.
 *
 * Line 1, the header, says what the records belong to: the vector set, the
 * target with its capabilities, and the run's options that scope the
 * claim (selection, shards, --strict).  A resumed run with any of them
 * different is refused, naming what differs, so the resumed results are
 * what one uninterrupted run would have written.
 */
#include "torc_results_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

struct torc_journal {
  FILE *f;
  char *path;
};

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
      continue;
    }
    if (!j || torcint_results_check_record(j) != NULL) {
      /* A complete but unreadable line is damage, not a torn write. */
      torcint_results_set_err(
          errbuf, errlen, "%s: line %zu: not a result record", path, lineno);
      json_decref(j);
      rc = -1;
      break;
    }
    if (torc_results_has(rs, torcint_results_rec_id(j)))
      json_decref(j);
    else
      torc_results_add(rs, j);
  }
  free(line);
  return rc;
}

int torc_journal_open(const char *path, const char *digest,
                      const torc_target_info *target, const json_t *options,
                      int resume, torc_results *rs, torc_journal **out,
                      char *errbuf, size_t errlen) {
  json_t *hdr = journal_header(digest, target, options), *rec;
  torc_journal *j;
  FILE *f;
  char *tmp;
  size_t i;

  *out = NULL;
  if (!hdr) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
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
  f = torcint_results_open_tmp(path, &tmp, errbuf, errlen);
  if (!f) {
    json_decref(hdr);
    return -1;
  }
  if (append_line(f, hdr) != 0) {
    torcint_results_set_err(errbuf, errlen, "%s: cannot write: %s", tmp,
                            strerror(errno));
    fclose(f);
    unlink(tmp);
    free(tmp);
    json_decref(hdr);
    return -1;
  }
  json_decref(hdr);
  json_array_foreach(rs->results, i, rec) append_line(f, rec);
  if (torcint_results_close_rename(f, tmp, path, errbuf, errlen) != 0)
    return -1;
  j = calloc(1, sizeof *j);
  if (!j || !(j->path = strdup(path)) || !(j->f = fopen(path, "a"))) {
    torcint_results_set_err(errbuf, errlen, "%s: %s", path, strerror(errno));
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
