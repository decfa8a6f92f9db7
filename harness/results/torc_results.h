/*
 * torc_results.h - interface for a module to collect, write, read and merge
 * the results of a run.
 *
 * A run's results are one JSON document (format 2):
 *   {torc_version, format, vector_set_digest (the full set loaded),
 *    suite {digest, is_suite}: the set this torc ships, and whether it ran,
 *    target {name, version, abi_version, capabilities, capability_names,
 *            missing_mandatory [{capability, requirements, what}],
 *            absent_optional [{capability, because}]},
 *    scope {set_size, selected, selection {ids, requirements, tags,
 *           exclude}, shards [{index, count}], finished, stopped_by, strict},
 *    waivers {applied, unmatched} (with --waivers),
 *    started, finished, results: [...], summary {counts, total},
 *    claim {headline, exit_status, reasons, untested_requirements,
 *           missing_mandatory} (torc_claim.h, computed when written)}
 * Each result record {id, title, verdict, requirements, allowances,
 * violations, divergence, detail, duration_ms, attributed_to (the rules a
 * FAIL broke, when the judge knows them), waiver, traces, context, ...} is
 * a jansson object; the run builds it from the
 * engine's torc_result and the vector (torc_results_record.h), the only part
 * of the results that knows the engine.  The same records are appended, one
 * per line, to a journal (FILE.journal) as each vector finishes so that an
 * interrupted run loses nothing finished and `torc run --resume` can skip
 * them.  This module also writes the JUnit XML and TAP forms, and merges the
 * JSON documents of shards.  It knows nothing of the engine, of isolation or
 * of the CLI.
 */
#ifndef TORC_RESULTS_H
#define TORC_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "torc_verdict.h"

#define TORC_RESULTS_FORMAT 2

/* What a run says about its target.  Strings are owned by the caller. */
typedef struct torc_target_info {
  const char *name;
  const char *version;
  unsigned abi_version;
  unsigned long long capabilities;
  /* Declared limits (torc_target.max_*), 0 = none. */
  unsigned long max_initial_rcv_wnd, max_buffered_bytes;
  /* Where its code ran (torc_loaded_containment): "builtin", "process" or
   * "in-process"; NULL: not recorded. */
  const char *containment;
  /* What the adapter reports of its device (torc_target.driver and
   * .firmware); NULL or "": not reported. */
  const char *driver, *firmware;
} torc_target_info;

typedef struct torc_results torc_results;

/* A new, empty result set for the vector-set digest and target.  Returns
 * NULL only when out of memory. */
torc_results *torc_results_new(const char *digest,
                               const torc_target_info *target);
void torc_results_free(torc_results *rs);

/* Adds a record (ownership transfers to rs). */
void torc_results_add(torc_results *rs, json_t *rec);
size_t torc_results_count(const torc_results *rs);
/* Record i (borrowed; valid until the set changes). */
const json_t *torc_results_get(const torc_results *rs, size_t i);
/* 1 when a record with this id is present (hashed: the first look-up
 * after records were added indexes them). */
int torc_results_has(torc_results *rs, const char *id);

/* Timestamps "YYYY-MM-DDTHH:MM:SSZ" of the run (the only wall-clock use
 * besides waiver expiry). */
void torc_results_set_times(torc_results *rs, const char *started,
                            const char *finished);
void torc_results_now(char out[32]);

/* Sets (value non-NULL; ownership transfers) or removes a top-level member
 * of the document ("scope", "waivers", ...), written as is and read back by
 * torc_results_load. */
void torc_results_set_member(torc_results *rs, const char *key, json_t *value);
/* A top-level member (borrowed), or NULL. */
const json_t *torc_results_member(const torc_results *rs, const char *key);
/* The claim of the document as it stands (torc_claim_compute over its
 * members and records; a new reference, NULL when out of memory). */
json_t *torc_results_claim(const torc_results *rs);

/* The verdict of a record, or -1 when the record has none it understands. */
int torc_results_verdict(const json_t *rec);

/* Counts per verdict (n[TORC_VERDICT_COUNT]). */
void torc_results_counts(const torc_results *rs, size_t *n);

/* Writes the JSON document atomically (path.tmp then rename).  Records are
 * sorted by id first.  Returns 0, or -1 with "PATH: cannot write: REASON"
 * in errbuf (path then untouched). */
int torc_results_write_json(torc_results *rs, const char *path, char *errbuf,
                            size_t errlen);
/* Writes JUnit XML (testsuites/testsuite/testcase) atomically. */
int torc_results_write_junit(torc_results *rs, const char *path, int strict,
                             char *errbuf, size_t errlen);

/* TAP 13: the plan, then one line (plus a YAML block when not ok) per
 * record; n is the test number.  The run's plan counts one test more than
 * it has vectors: the last line, "claim" (torc_tap_claim), is not ok when
 * the claim (torc_claim.h) is NOT CONFORMANT or INCOMPLETE, a SKIP for a
 * PARTIAL RUN, ok otherwise, with the headline and reasons in YAML. */
/* Each flushes f and returns 0, or -1 with errno set when f has failed
 * (now or before: a full disk, a closed pipe). */
int torc_tap_plan(FILE *f, size_t total);
int torc_tap_line(FILE *f, size_t n, const json_t *rec, int strict);
int torc_tap_claim(FILE *f, size_t n, const json_t *claim);

/* Loads a results document written by torc_results_write_json, checking its
 * shape.  Returns 0, or -1 with "FILE: $.path: problem" in errbuf. */
int torc_results_load(const char *path, torc_results **out, char *errbuf,
                      size_t errlen);

/* Merges n result sets (shards of one run) into a new one whose claim is
 * recomputed (torc_results_merge.c).  Refuses (returns -1 with a message)
 * sets that differ in what they judged (torc version, vector set, target,
 * capabilities, selection, --strict, waivers), one shard twice or shards of
 * different counts, and a vector present in two sets. */
int torc_results_merge(torc_results *const *in, size_t n, torc_results **out,
                       char *errbuf, size_t errlen);
/* Loads the documents at paths[0..n) (torc_results_load) and merges them
 * (torc_results_merge).  Returns 0, or -1 with the first problem in errbuf. */
int torc_results_merge_files(const char *const *paths, size_t n,
                             torc_results **out, char *errbuf, size_t errlen);

/* ---- Journal: results appended as each vector finishes (JSON lines) ----
 * Line 1 is a header {"torc_journal":2, vector_set_digest, target (with its
 * capabilities), options {selection, shards, strict}}; each following line
 * is one record.  Every append is one write, then fsync'd; one that fails
 * is cut off and kept to be written before the next. */
typedef struct torc_journal torc_journal;

/* What torc_journal_open and the writers return when a file cannot be read
 * or written (disk full, ...): errbuf names the file and the reason. */
#define TORC_RESULTS_EWRITE (-2)

/* Opens path for a run.  options (borrowed; the run's "selection", "shards"
 * and "strict" as its results' scope records them) is written into the
 * header.  With resume = 0 the journal is started afresh.  With resume = 1
 * an existing journal is read: its header must match digest, target,
 * capabilities and options (else -1 with a message naming what differs),
 * and every whole record on the lines after it is added to rs (the first
 * of an id), wherever torn ones are: a torn piece (a write cut short, a
 * line that is not a record) is skipped and noted (torc_journal_note), and
 * the journal is rewritten without it before appends continue.  A missing
 * journal with resume = 1 starts afresh.  Returns 0, -1 (refused), or
 * TORC_RESULTS_EWRITE. */
int torc_journal_open(const char *path, const char *digest,
                      const torc_target_info *target, const json_t *options,
                      int resume, torc_results *rs, torc_journal **out,
                      char *errbuf, size_t errlen);
/* The pieces the reader skipped: how many notes, and note i ("line 7
 * (byte 5120): torn record of rcv-... (312 bytes) skipped; its vector runs
 * again"; borrowed, valid until close). */
size_t torc_journal_notes(const torc_journal *j);
const char *torc_journal_note(const torc_journal *j, size_t i);
/* Appends one record (rec borrowed: a reference is kept until written),
 * after any still pending.  Returns 0, or -1 with errno set when it could
 * not be written (the run goes on; it stays pending). */
int torc_journal_append(torc_journal *j, json_t *rec);
/* Writes the pending records and fsyncs.  Returns 0 when none is left and
 * all is on disk, or -1 with errno set. */
int torc_journal_flush(torc_journal *j);
/* Records appended but not yet written. */
size_t torc_journal_pending(const torc_journal *j);
/* Closes; removes the file when remove_file is set. */
void torc_journal_close(torc_journal *j, int remove_file);

/* Copies s into a fresh json string, replacing bytes that are not valid
 * UTF-8, control characters other than tab/newline and the characters
 * torc's text may not carry (non-characters, torc_text.h) with '?'.
 * Reads at most max bytes. */
json_t *torc_json_text(const char *s, size_t max);

/* Writes s onto f escaped for XML or HTML text and attribute values
 * (& < > " ' as entities; control characters XML forbids become '?'). */
void torc_markup_escape(FILE *f, const char *s);

#endif /* TORC_RESULTS_H */
