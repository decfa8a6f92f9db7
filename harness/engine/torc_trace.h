/*
 * torc_trace.h - interface for a module to record host-visible events.
 *
 * A trace is what the host saw the target do, in call order: offload and
 * terminate completions, receive completions (each with its requests),
 * indications with the host's answer, and event indications.  The same
 * structure holds a vector's expected trace (built by the loader) and the
 * actual trace (recorded by the host simulation), so the judge compares like
 * with like.  Buffers grow geometrically and are reused across vectors.
 */
#ifndef TORC_TRACE_H
#define TORC_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "torc_because.h"

typedef enum torc_trace_kind {
  TORC_TR_OFFLOAD_COMPLETE = 0,
  TORC_TR_COMPLETE,
  TORC_TR_INDICATE,
  TORC_TR_EVENT,
  TORC_TR_TERMINATE_COMPLETE,
  TORC_TR_KIND_COUNT
} torc_trace_kind;

/* Stream offset of an entry that carries no data. */
#define TORC_NO_OFFSET UINT64_MAX

/* One request in a receive-complete call. */
typedef struct torc_trace_req {
  uint64_t id;
  uint32_t status;
  uint32_t bytes;  /* bytes the target placed (not counting prefilled) */
  uint64_t offset; /* stream offset of the first placed byte */
} torc_trace_req;

typedef struct torc_trace_entry {
  uint32_t kind;         /* torc_trace_kind */
  uint32_t at;           /* index of the script event during which it happened
                            (== number of events for the host's end-of-run work) */
  uint32_t status;       /* offload/terminate status; indicate: host's answer */
  uint32_t first, count; /* TORC_TR_COMPLETE: reqs[first .. first+count) */
  uint64_t offset;       /* first stream byte carried (indicate, handback) */
  uint32_t len;          /* indicate: bytes indicated; terminate: handback */
  uint32_t consumed;     /* indicate: bytes the host consumed */
  uint32_t event, info;  /* TORC_TR_EVENT */
  uint32_t rcv_nxt;      /* terminate: reported RcvNxt */
  uint32_t why_first, why_count; /* its because: why[first .. +count) */
} torc_trace_entry;

typedef struct torc_trace {
  torc_trace_entry *e; /* (owned) */
  size_t n, cap;
  torc_trace_req *reqs; /* (owned) */
  size_t nreqs, capreqs;
  torc_because *why; /* the because of each entry (torc_because.h) (owned) */
  size_t nwhy, capwhy;
} torc_trace;

void torc_trace_init(torc_trace *t);
void torc_trace_reset(torc_trace *t); /* keeps the buffers */
void torc_trace_free(torc_trace *t);
/* Appends a zeroed entry of kind k; NULL when out of memory. */
torc_trace_entry *torc_trace_add(torc_trace *t, uint32_t kind, uint32_t at);
/* Appends a request to the last entry (which must be TORC_TR_COMPLETE). */
int torc_trace_add_req(torc_trace *t, uint64_t id, uint32_t status,
                       uint32_t bytes, uint64_t offset);
/* Sets the because of the last entry (codes, n of them).  Returns 0 or -1
 * (no entry, out of memory). */
int torc_trace_set_why(torc_trace *t, const torc_because *codes, size_t n);
/* Deep copy (dst must be initialised). Returns 0 or -1. */
int torc_trace_copy(torc_trace *dst, const torc_trace *src);

/* Names used in vectors and reports. */
const char *torc_trace_kind_name(uint32_t kind);
int torc_trace_kind_parse(const char *name);
/* "SUCCESS", "REQUEST_ABORTED", ...; NULL when unknown. */
const char *torc_status_name(uint32_t status);
/* Accepts the names above and "PARTIALLY_ACCEPTED"; -1 when unknown. */
int torc_status_parse(const char *name, uint32_t *out);
const char *torc_event_name(uint32_t event);
int torc_event_parse(const char *name, uint32_t *out);

/* One-line text of entry i ("complete at 3: [id 1 SUCCESS 100B @0]"). */
void torc_trace_entry_text(const torc_trace *t, size_t i, char *buf, size_t n);
/* The trace as a JSON array in the vector format (malloc'd, NULL on OOM). */
char *torc_trace_to_json(const torc_trace *t);

#endif /* TORC_TRACE_H */
