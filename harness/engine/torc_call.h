/*
 * torc_call.h - interface for a module to call a target's operations.
 *
 * The only place in the harness that calls through torc_target function
 * pointers (STYLE R5).  Each wrapper checks that the target's table is large
 * enough to hold the operation (version gating by struct_size) and that the
 * pointer is non-NULL, and brackets the call with the host's in-flight hooks
 * (so the host simulation knows which operation an upcall happens in, and can
 * run work it deferred until the target returns).
 */
#ifndef TORC_CALL_H
#define TORC_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <torc/target.h>

/* Operations, for gating and for the hooks. */
typedef enum torc_call_op {
  TORC_CALL_CONN_OPEN = 0,
  TORC_CALL_CONN_CLOSE,
  TORC_CALL_INITIATE_OFFLOAD,
  TORC_CALL_RECEIVE,
  TORC_CALL_RECEIVE_RETURN,
  TORC_CALL_SEGMENT,
  TORC_CALL_ADVANCE_TIME,
  TORC_CALL_TERMINATE_OFFLOAD,
  TORC_CALL_GET_STATS,
  TORC_CALL_OP_COUNT
} torc_call_op;

/* Called before and after every target operation (ctx is the host's).
 * depth is the nesting depth of target calls after enter / before leave
 * (1 for a call made from the engine's loop). */
typedef struct torc_call_hooks {
  void *ctx;
  void (*enter)(void *ctx, torc_call_op op, unsigned depth);
  void (*leave)(void *ctx, torc_call_op op, unsigned depth);
} torc_call_hooks;

/* A target table plus the hooks around its calls.  The table is borrowed
 * (valid until the target is unloaded). */
typedef struct torc_callsite {
  const torc_target *t;
  torc_call_hooks hooks;
  unsigned depth;
} torc_callsite;

/* "conn_open", ... */
const char *torc_call_op_name(torc_call_op op);
/* 1 when the target implements op (table large enough, pointer set). */
int torc_call_has(const torc_target *t, torc_call_op op);

/* The wrappers.  Each returns -1 (and calls nothing) when the target lacks
 * the operation; otherwise conn_open's and receive's results are returned
 * through *ret and the wrapper returns 0. */
int torc_call_conn_open(torc_callsite *cs, uint64_t host_handle,
                        void **out_conn, int *ret);
int torc_call_conn_close(torc_callsite *cs, void *conn);
int torc_call_initiate_offload(torc_callsite *cs, void *conn,
                               const torc_offload_state *st);
int torc_call_receive(torc_callsite *cs, void *conn,
                      const torc_recv_request *reqs, uint32_t count,
                      uint32_t *ret);
int torc_call_receive_return(torc_callsite *cs, void *conn, const uint64_t *ids,
                             uint32_t count);
int torc_call_segment(torc_callsite *cs, void *conn, const torc_segment *seg);
int torc_call_advance_time(torc_callsite *cs, void *conn, uint64_t now_us);
int torc_call_terminate_offload(torc_callsite *cs, void *conn);
int torc_call_get_stats(torc_callsite *cs, void *conn, torc_target_stats *out,
                        int *ret);

#endif /* TORC_CALL_H */
