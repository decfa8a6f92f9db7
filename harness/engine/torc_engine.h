/*
 * torc_engine.h - interface for a module to run one vector against a target
 * and judge what it did.
 *
 * The engine plays the host stack (poisoned BufferedData, guard-paged request
 * buffers, allocation faults, serialization checks), replays the vector's
 * script on its virtual clock, records the target's calls as a trace and
 * judges it against the vector's expectation.  It knows nothing of the CLI,
 * of isolation (fork, watchdog) or of output formats: torc_run.c does those.
 */
#ifndef TORC_ENGINE_H
#define TORC_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <torc/target.h>

#include "torc_verdict.h"
#include "torc_vector.h"

typedef struct torc_violation {
  char requirement[16]; /* "RCV-046" */
  char message[TORC_MSG_SIZE];
} torc_violation;

/* Where the target first left the expected behaviour. */
typedef struct torc_divergence {
  int present;
  uint32_t event_index;   /* index in the actual trace */
  uint64_t stream_offset; /* offset in the flow's byte stream, or UINT64_MAX */
  char
      expected[TORC_MSG_SIZE]; /* human text: event or hex bytes with context */
  char actual[TORC_MSG_SIZE];
} torc_divergence;

typedef struct torc_result {
  char id[64];
  torc_verdict verdict;
  char allowances[TORC_MSG_SIZE]; /* comma-separated, for PASS-NONSTRICT */
  uint32_t nviolations;
  torc_violation violations[TORC_MAX_VIOLATIONS];
  torc_divergence divergence;
  /* The requirements a FAIL is attributed to: the rules the judge found
   * broken at the first divergence (each one of the expected event's
   * reasons).  Only these can be waived by requirement (torc_waivers.c).
   * Empty while the vectors carry no per-event reasons: a violation's
   * requirement above is then what the vector cites, not what it broke. */
  uint32_t nattributed;
  char attributed[TORC_MAX_VIOLATIONS][16];
  char detail[TORC_MSG_SIZE]; /* reason for UNTESTED/ERROR/CRASH/TIMEOUT */
  uint64_t duration_ns;
  /* Event traces as JSON text (owned, malloc'd, may be NULL): for reports and
   * repro bundles.  Freed by torc_result_clear(). */
  char *expected_trace_json;
  char *actual_trace_json;
} torc_result;

void torc_result_clear(torc_result *r);

/* torc_engine_opts.record_traces */
#define TORC_TRACES_ALL 1
#define TORC_TRACES_UNLESS_PASS 2

typedef struct torc_engine_opts {
  int strict;           /* PASS-NONSTRICT becomes FAIL */
  const char *log_path; /* target log lines go here (NULL: discarded) */
  int record_traces;    /* fill *_trace_json: TORC_TRACES_ALL, or
                           TORC_TRACES_UNLESS_PASS (what a run keeps) */
  int record_because;   /* the built-in reference explains each event: the
                           actual trace carries its "because" (torc vectorize) */
  uint32_t readings;    /* the built-in reference takes these other readings
                           (TORC_READING_* of torc_reference.h; torc
                           vectorize records their traces as alternatives) */
  const struct torc_contain *contain; /* a .so runs contained as this says
                           (torc_load_contained); NULL: in this process,
                           after a watched trial load (torc_load_preflight) */
  unsigned load_timeout_ms;           /* that trial's watchdog, 0: 10000 */
} torc_engine_opts;

typedef struct torc_engine torc_engine;

/* Loads the target named by target_spec once (see torc_load.h) for many
 * vectors.  Returns 0, or -1 with a message in errbuf (TORC_ERRBUF_SIZE). */
int torc_engine_new(const char *target_spec, const torc_engine_opts *opts,
                    torc_engine **out, char *errbuf);

/* The loaded target's table (name, version, abi_version, capabilities) and
 * its loader handle (status, is_remote, restart). */
const torc_target *torc_engine_ops(const torc_engine *e);
struct torc_loaded *torc_engine_loaded(torc_engine *e);

/* Runs vector v against the target in the calling process (the caller
 * isolates in-process targets with fork; out-of-process ones are isolated by
 * their process).  Fills *r.  Returns 0 when a verdict was reached (any
 * verdict), -1 on an internal error (r->verdict = TORC_ERROR). */
int torc_engine_run(torc_engine *e, const torc_vector *v, torc_result *r);

void torc_engine_free(torc_engine *e);

/* Changes opts.readings for the vectors run from now on. */
void torc_engine_set_readings(torc_engine *e, uint32_t readings);

#endif /* TORC_ENGINE_H */
