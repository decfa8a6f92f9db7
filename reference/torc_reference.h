/*
 * torc_reference.h - Interface for a module to create the reference offload
 * target: the built-in implementation of harness/include/torc/target.h.
 *
 * The reference is a pure library: no I/O, no global state, no clock (time
 * comes from advance_time()), every allocation through host->alloc.  It
 * follows docs/DECISIONS.md wherever the specification is ambiguous.
 */
#ifndef TORC_REFERENCE_H
#define TORC_REFERENCE_H

#include <stdint.h>

#include "torc/target.h"

/* Fills *out with the reference's operations (name "reference", version
 * TORC_VERSION_STRING, capabilities TORC_CAP_ALL).  host and host_ctx stay
 * valid until out->destroy(); host must provide alloc, free and every
 * callback.  Returns 0, or a negative value with a message in errbuf
 * (TORC_ERRBUF_SIZE bytes):
 *   -1  host_abi_version is older than TORC_TARGET_ABI_VERSION, or host or
 *       out is NULL, or host lacks a callback
 *   -2  no memory for the instance */
int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf);

/* Private counters beyond torc_target_stats, for the reference's own unit
 * tests and reports (conn is the handle conn_open returned).  Returns 0, or
 * -1 when conn is NULL. */
typedef struct torc_reference_counters {
  uint64_t dropped_no_memory;     /* segments dropped, no memory to hold them */
  uint64_t dropped_syn;           /* SYN on an offloaded connection */
  uint64_t dropped_after_fin;     /* data or FIN beyond the FIN (DEC-18) */
  uint64_t dropped_not_open;      /* before offload, after abort or terminate */
  uint64_t dropped_urgent;        /* at and after an urgent segment (DEC-08) */
  uint64_t rst_challenged;        /* in-window RST off RcvNxt (RCV-304) */
  uint64_t indicate_no_memory;    /* indications put off, no memory */
  uint64_t requests_rejected;     /* posts completed with REQUEST_ABORTED */
  uint64_t unknown_returns;       /* receive_return ids never handed out */
  uint64_t dropped_upload_wanted; /* after an allocation failure asked for
                                     an upload (DEC-25, RCV-242) */
  uint64_t posts_upload_in_progress; /* posts after a mandatory
                                        TcpIndicateRetrieve (DEC-24) */
} torc_reference_counters;

int torc_reference_counters_get(const void *conn, torc_reference_counters *out);

/* The reference explains its host calls.  Just before each host call on
 * conn (the offload completion, a receive completion, an indication, an
 * event, the terminate completion), fn gets the notes made since the
 * previous host call, in the order taken (each once): the
 * flowchart boxes passed and decisions taken as
 * shared/spec/delivery-algorithm.md numbers them ("E2", "D3=no", "P1"),
 * and the rules applied ("RCV-167", "DEC-18").  The strings are static.
 * fn NULL stops it; without a hook nothing is recorded.  Returns 0, or -1
 * when conn is NULL. */
typedef void (*torc_reference_explain_fn)(void *ctx, const char *const *because,
                                          uint32_t n);
int torc_reference_explain(void *conn, torc_reference_explain_fn fn, void *ctx);

/* Other readings of the specification.  Where docs/DECISIONS.md calls a
 * second reading as defensible as the one the reference takes, the
 * reference can take that one instead, on conn, so that `torc vectorize`
 * and `torc explain --write` can record what it leads to as an alternative
 * expected trace the judge accepts by the allowance's name.  Each bit is
 * one allowance of DECISIONS.md:
 *   DISCONNECT_BEFORE_PLACED  disconnect-before-placed (DEC-30): the
 *       disconnect once no held data remains, bytes placed in an
 *       uncompleted request notwithstanding
 *   FIN_NONPUSH_COMPLETE      fin-nonpush-complete (DEC-18, DEC-30): the FIN
 *       completes a partly filled non-push request too
 *   DISCONNECT_POSTS_AT_ONCE  disconnect-posts-at-once (DEC-18): a post
 *       after the disconnect completes with INVALID_STATE at once, ahead of
 *       older requests still pending
 *   GAP_FILL_PER_SEGMENT      gap-fill-per-segment (DEC-29): the segments a
 *       gap-filler releases go through entry 2 one by one, each with its own
 *       PSH
 *   OOO_RESTARTS_TIMER        ooo-restarts-timer (DEC-01): out-of-order
 *       data restarts a running push timer
 *   TRIMMED_PSH_IGNORED       trimmed-psh-ignored (DEC-31): the PSH of a
 *       segment cut at the window's right edge does not count
 * Set before the offload; 0 (the default) is the reference's own reading.
 * Returns 0, or -1 when conn is NULL or a bit is unknown. */
#define TORC_READING_DISCONNECT_BEFORE_PLACED 0x01u
#define TORC_READING_FIN_NONPUSH_COMPLETE 0x02u
#define TORC_READING_DISCONNECT_POSTS_AT_ONCE 0x04u
#define TORC_READING_GAP_FILL_PER_SEGMENT 0x08u
#define TORC_READING_OOO_RESTARTS_TIMER 0x10u
#define TORC_READING_TRIMMED_PSH_IGNORED 0x20u
#define TORC_READING_ALL 0x3fu
int torc_reference_read_as(void *conn, uint32_t readings);

#endif /* TORC_REFERENCE_H */
