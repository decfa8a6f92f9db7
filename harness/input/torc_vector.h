/*
 * torc_vector.h - interface for a module to load and check test vectors.
 *
 * A vector is JSON under vectors/schema/vector.schema.json: a script of host
 * and wire events on a virtual clock, the delegated state and buffered data
 * (as byte ranges of a captured flow), the host's answers, faults to inject
 * and the expected host-visible outcome.  This module parses it with jansson,
 * checks it (the same rules as the schema, plus cross-field ones), and
 * resolves the capture bytes it points to (through torc_capture.h, read once
 * per capture).  Every error names the file and the JSON path.
 */
#ifndef TORC_VECTOR_H
#define TORC_VECTOR_H

#include <stddef.h>
#include <stdint.h>

/* Fields other modules (CLI, selection, reports) rely on are listed first;
 * the script and expectation follow in torc_vector_int.h's private part. */
typedef struct torc_vector {
  char *path;  /* file it came from (owned) */
  char *id;    /* content-derived stable id, e.g. "rcv-3f9a0c12d4e5b6a7" */
  char *title; /* "Verify that ..." */
  char *focus; /* what it was made to test, one short line, or NULL */
  char **requirements; /* the rules that decide its events (owned) */
  size_t nrequirements;
  char **tags;
  size_t ntags;
  uint64_t requires_caps;        /* TORC_CAP_* bits the vector needs */
  struct torc_vector_body *body; /* script, state, expectation (private) */
} torc_vector;

/* Loads one vector file.  Returns 0, or -1 with "FILE: $.json.path: problem"
 * in errbuf (errlen bytes).  A loaded vector is freed with torc_vector_free. */
int torc_vector_load(const char *path, torc_vector **out, char *errbuf,
                     size_t errlen);
void torc_vector_free(torc_vector *v);

/* Expands files and directories (recursively, *.json, sorted by path) into a
 * list of vectors.  Returns 0, or -1 with the first error in errbuf; on error
 * nothing is returned.  flags: TORC_VECTOR_VERIFY_IDS re-derives every id
 * from the content (canonical JSON, SHA-256) and refuses a vector whose id
 * does not match; without it the ids are trusted (a run: torc lint and
 * torc run --verify-ids check them).  threads > 1 parses the files in that
 * many threads (same result, same first error).  _load_all verifies, in
 * one thread. */
#define TORC_VECTOR_VERIFY_IDS 1u
int torc_vector_load_set(const char *const *paths, size_t npaths,
                         unsigned flags, unsigned threads, torc_vector ***out,
                         size_t *n, char *errbuf, size_t errlen);
int torc_vector_load_all(const char *const *paths, size_t npaths,
                         torc_vector ***out, size_t *n, char *errbuf,
                         size_t errlen);
void torc_vector_free_all(torc_vector **vs, size_t n);
/* For a set a process holds until it exits (torc run): vs is not freed
 * piece by piece (about 12 us a vector, issue 15) but left to the exit,
 * held by a static pointer so that leak checkers see it still reachable.
 * A set left by an earlier call is freed now. */
void torc_vector_free_at_exit(torc_vector **vs, size_t n);

/* SHA-256 (hex) over the lines "SHA-256 of the vector file's bytes\n" of
 * every vector in the set, in id order: the "vector-set digest" of results
 * and reports.  A vector whose file changes by one byte changes it, even if
 * its id was kept. */
void torc_vector_set_digest(torc_vector *const *vs, size_t n, char out[65]);

/* 0 when every requirement v cites is named by the because of one of its
 * expected events and some event has one; else -1 with "FILE: $.path:
 * problem" in err (torc_vector_citations.c, for `torc lint`). */
int torc_vector_check_citations(const torc_vector *v, char *err, size_t n);

#endif /* TORC_VECTOR_H */
