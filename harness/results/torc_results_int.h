/*
 * torc_results_int.h - interface for the modules of the results document to
 * share its representation (private to harness/results/torc_results*.c and
 * torc_journal.c).
 *
 * torc_results.c owns the document (records, JSON, counts); the JUnit and
 * TAP writers, the reader and merger, and the journal work on the same
 * struct and use the same error, file and shape helpers defined there.
 */
#ifndef TORC_RESULTS_INT_H
#define TORC_RESULTS_INT_H

#include <jansson.h>
#include <stdio.h>

#include "torc_results.h"

struct torc_results {
  json_t *doc;     /* the document without results/summary (owned) */
  json_t *results; /* array of records (owned) */
  /* The ids of results[0..nindexed) as an object's keys (owned; NULL until
   * torc_results_has first needs it): records are only ever appended or
   * reordered, so the index catches up with the array on each look-up. */
  json_t *index;
  size_t nindexed;
};

/* Writes the formatted message into errbuf (when there is one). */
void torcint_results_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The "target" object of a document or journal header. */
json_t *torcint_results_target_json(const torc_target_info *t);

/* Sorts the records by id. */
void torcint_results_sort(torc_results *rs);

/* Opens path.tmp.PID for writing; *tmp receives its name (owned, freed
 * only by torcint_results_close_rename).  The stream remembers the reason
 * (errno) of its first failed write. */
FILE *torcint_results_open_tmp(const char *path, char **tmp, char *errbuf,
                               size_t errlen);
/* Flushes, syncs and closes f, then renames tmp to path (frees tmp).
 * Returns 0, or -1
 * with "PATH: cannot write: REASON" (the first failure's strerror) in
 * errbuf, tmp removed and path untouched. */
int torcint_results_close_rename(FILE *f, char *tmp, const char *path,
                                 char *errbuf, size_t errlen);

/* Checks one record's shape; returns NULL or the name of the bad field. */
const char *torcint_results_check_record(const json_t *rec);
/* Checks the members of a format-2 document that scope its claim (suite,
 * target, scope, waivers when present, claim; torc_results_shape.c).
 * Returns 0, or -1 with "FILE: $.path: problem" in errbuf. */
int torcint_results_check_shape(const json_t *doc, const char *file,
                                char *errbuf, size_t errlen);
/* 1 when two "target" objects name the same target (name, version, ABI). */
int torcint_results_same_target(const json_t *a, const json_t *b);

static inline const char *torcint_results_str(const json_t *o,
                                              const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* The id of a record, or "". */
static inline const char *torcint_results_rec_id(const json_t *rec) {
  return torcint_results_str(rec, "id");
}

#endif /* TORC_RESULTS_INT_H */
