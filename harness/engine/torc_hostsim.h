/*
 * torc_hostsim.h - interface for a module to play the host stack for one
 * connection of one vector.
 *
 * The host simulation owns the torc_host_ops the target calls, the memory it
 * lends the target (BufferedData poisoned after a successful offload,
 * guard-paged request buffers, the allocation hook with fault injection and
 * leak accounting), and checks every upcall against the rules (RCV ids in
 * torc_hostsim_*.c).  It records what it sees as a trace, compares delivered
 * bytes with the stream as they arrive, and collects violations.  The engine
 * drives it; it knows nothing of JSON or verdicts.
 */
#ifndef TORC_HOSTSIM_H
#define TORC_HOSTSIM_H

#include <stdint.h>
#include <stdio.h>
#include <torc/target.h>

#include "torc_call.h"
#include "torc_trace.h"
#include "torc_vector_int.h"

#define TORC_HS_MAX_VIOLATIONS 16

typedef struct torc_hs_violation {
  char requirement[16];
  char message[256];
} torc_hs_violation;

/* The first byte delivered that differs from the stream. */
typedef struct torc_hs_data_div {
  int present;
  uint32_t trace_index;   /* entry of the actual trace that carried it */
  uint64_t stream_offset; /* offset of the first differing byte */
  char expected[256];     /* hex with context */
  char actual[256];
  int poison; /* the actual bytes look like host poison */
} torc_hs_data_div;

typedef struct torc_hostsim torc_hostsim;

/* log: where target log lines go (borrowed; NULL discards). */
torc_hostsim *torc_hostsim_new(FILE *log);
void torc_hostsim_free(torc_hostsim *hs);

/* The host callbacks to hand to the target (valid as long as hs). */
const torc_host_ops *torc_hostsim_ops(void);

/* Binds the target's call site (for re-entrant posts) and returns the hooks
 * the call site must run around every target operation. */
void torc_hostsim_bind(torc_hostsim *hs, torc_callsite *cs);

/* Starts a vector: resets the trace, violations, requests and counters. */
void torc_hostsim_begin(torc_hostsim *hs, const torc_vector_body *vb,
                        uint64_t host_handle);
/* The script event now being played (for trace entries' "at"). */
void torc_hostsim_set_at(torc_hostsim *hs, uint32_t at);
/* Opens/closes the connection through the call site.  open returns 0, or -1
 * with the target's refusal recorded as a violation. */
int torc_hostsim_open(torc_hostsim *hs);
/* The connection conn_open returned (NULL before). */
void *torc_hostsim_conn(const torc_hostsim *hs);
/* The reference's explain hook (torc_loaded_explain, ctx = hs): keeps the
 * because of the host call about to be made, for its trace entry. */
void torc_hostsim_explain(void *ctx, const char *const *because, uint32_t n);
void torc_hostsim_close(torc_hostsim *hs);

/* Script operations (see torc_vector_int.h). */
void torc_hostsim_offload(torc_hostsim *hs);
void torc_hostsim_post(torc_hostsim *hs, const torc_event *e);
void torc_hostsim_frame(torc_hostsim *hs, const torc_event *ev);
void torc_hostsim_advance(torc_hostsim *hs, uint64_t now_us);
void torc_hostsim_terminate(torc_hostsim *hs);
/* Returns every accepted indication and handed-back upload to the target
 * (after re-checking their bytes did not change, RCV-133/RCV-212). */
void torc_hostsim_return_all(torc_hostsim *hs);
/* Returns only the nth indication the host accepted (1-based), if it is
 * still outstanding. */
void torc_hostsim_return_one(torc_hostsim *hs, uint32_t nth);
/* Queues a post the host makes from inside the next receive_indicate
 * callback, before it answers (RCV-107's re-entrancy, on an indication). */
void torc_hostsim_post_in_indication(torc_hostsim *hs, const torc_event *e);
void torc_hostsim_post_in_completion(torc_hostsim *hs, const torc_event *e);
/* fail_alloc at the current event: every allocation the target makes
 * while the host plays the next event fails (issue 14: a situation stated
 * in protocol terms, the same for every target however it allocates). */
void torc_hostsim_fail_alloc(torc_hostsim *hs);
/* Brackets the host's playing of event at (the clock's advance to its time
 * included): allocations fail in between if fail_alloc armed that event. */
void torc_hostsim_event_begin(torc_hostsim *hs, uint32_t at);
void torc_hostsim_event_end(torc_hostsim *hs);
/* 1 while allocations fail (between event_begin and event_end of an event
 * fail_alloc armed), else 0: what the host's hook will answer. */
int torc_hostsim_alloc_failing(const torc_hostsim *hs);
/* The first event whose allocations the vector made fail although the
 * target made none while handling it, or UINT32_MAX. */
uint32_t torc_hostsim_fail_missed(const torc_hostsim *hs);
/* Disarms a failure fail_alloc armed for an event not played yet. */
void torc_hostsim_fail_clear(torc_hostsim *hs);

/* 0 not offloaded yet, 1 offload pending, 2 offloaded, 3 offload failed. */
int torc_hostsim_offload_state(const torc_hostsim *hs);

/* 1 when terminate_offload was called and has not completed yet. */
int torc_hostsim_terminate_pending(const torc_hostsim *hs);

/* Results of the vector. */
const torc_trace *torc_hostsim_trace(const torc_hostsim *hs);
size_t torc_hostsim_violations(const torc_hostsim *hs,
                               const torc_hs_violation **out);
const torc_hs_data_div *torc_hostsim_data_div(const torc_hostsim *hs);
/* Stream bytes delivered so far (completions + consumed + handed back). */
uint64_t torc_hostsim_delivered(const torc_hostsim *hs);

/* Adds a violation (deduplicated by id and message). */
void torc_hostsim_violation(torc_hostsim *hs, const char *rcv, const char *fmt,
                            ...) __attribute__((format(printf, 3, 4)));

#endif /* TORC_HOSTSIM_H */
