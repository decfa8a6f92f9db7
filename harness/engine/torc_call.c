/*
 * torc_call.c - the call shim between the engine and a target's table.
 *
 * Flow: torc_engine.c and torc_hostsim.c (re-entrant posts) call these
 * wrappers; each checks the operation exists in the table the target built
 * (struct_size covers the field, the pointer is set), runs the host's enter
 * hook, calls the target, and runs the leave hook.  Nothing else in the
 * harness dereferences a target function pointer.
 */
#include "torc_call.h"

static const char *const op_names[TORC_CALL_OP_COUNT] = {
    "conn_open",    "conn_close",        "initiate_offload",
    "receive",      "receive_return",    "segment",
    "advance_time", "terminate_offload", "get_stats"};

const char *torc_call_op_name(torc_call_op op) {
  return (unsigned)op < TORC_CALL_OP_COUNT ? op_names[op] : "?";
}

/* The field must lie inside the table the target compiled. */
#define HAS_FIELD(t, f)                                                        \
  ((t)->struct_size >= offsetof(torc_target, f) + sizeof((t)->f) &&            \
   (t)->f != NULL)

int torc_call_has(const torc_target *t, torc_call_op op) {
  if (!t || t->abi_version < 1)
    return 0;
  switch (op) {
  case TORC_CALL_CONN_OPEN:
    return HAS_FIELD(t, conn_open);
  case TORC_CALL_CONN_CLOSE:
    return HAS_FIELD(t, conn_close);
  case TORC_CALL_INITIATE_OFFLOAD:
    return HAS_FIELD(t, initiate_offload);
  case TORC_CALL_RECEIVE:
    return HAS_FIELD(t, receive);
  case TORC_CALL_RECEIVE_RETURN:
    return HAS_FIELD(t, receive_return);
  case TORC_CALL_SEGMENT:
    return HAS_FIELD(t, segment);
  case TORC_CALL_ADVANCE_TIME:
    return HAS_FIELD(t, advance_time);
  case TORC_CALL_TERMINATE_OFFLOAD:
    return HAS_FIELD(t, terminate_offload);
  case TORC_CALL_GET_STATS:
    return HAS_FIELD(t, get_stats);
  default:
    return 0;
  }
}

static void enter(torc_callsite *cs, torc_call_op op) {
  cs->depth++;
  if (cs->hooks.enter)
    cs->hooks.enter(cs->hooks.ctx, op, cs->depth);
}

static void leave(torc_callsite *cs, torc_call_op op) {
  if (cs->hooks.leave)
    cs->hooks.leave(cs->hooks.ctx, op, cs->depth);
  cs->depth--;
}

int torc_call_conn_open(torc_callsite *cs, uint64_t host_handle,
                        void **out_conn, int *ret) {
  if (!torc_call_has(cs->t, TORC_CALL_CONN_OPEN))
    return -1;
  enter(cs, TORC_CALL_CONN_OPEN);
  *ret = cs->t->conn_open(cs->t->user_data, host_handle, out_conn);
  leave(cs, TORC_CALL_CONN_OPEN);
  return 0;
}

int torc_call_conn_close(torc_callsite *cs, void *conn) {
  if (!torc_call_has(cs->t, TORC_CALL_CONN_CLOSE))
    return -1;
  enter(cs, TORC_CALL_CONN_CLOSE);
  cs->t->conn_close(cs->t->user_data, conn);
  leave(cs, TORC_CALL_CONN_CLOSE);
  return 0;
}

int torc_call_initiate_offload(torc_callsite *cs, void *conn,
                               const torc_offload_state *st) {
  if (!torc_call_has(cs->t, TORC_CALL_INITIATE_OFFLOAD))
    return -1;
  enter(cs, TORC_CALL_INITIATE_OFFLOAD);
  cs->t->initiate_offload(cs->t->user_data, conn, st);
  leave(cs, TORC_CALL_INITIATE_OFFLOAD);
  return 0;
}

int torc_call_receive(torc_callsite *cs, void *conn,
                      const torc_recv_request *reqs, uint32_t count,
                      uint32_t *ret) {
  if (!torc_call_has(cs->t, TORC_CALL_RECEIVE))
    return -1;
  enter(cs, TORC_CALL_RECEIVE);
  *ret = cs->t->receive(cs->t->user_data, conn, reqs, count);
  leave(cs, TORC_CALL_RECEIVE);
  return 0;
}

int torc_call_receive_return(torc_callsite *cs, void *conn, const uint64_t *ids,
                             uint32_t count) {
  if (!torc_call_has(cs->t, TORC_CALL_RECEIVE_RETURN))
    return -1;
  enter(cs, TORC_CALL_RECEIVE_RETURN);
  cs->t->receive_return(cs->t->user_data, conn, ids, count);
  leave(cs, TORC_CALL_RECEIVE_RETURN);
  return 0;
}

int torc_call_segment(torc_callsite *cs, void *conn, const torc_segment *seg) {
  if (!torc_call_has(cs->t, TORC_CALL_SEGMENT))
    return -1;
  enter(cs, TORC_CALL_SEGMENT);
  cs->t->segment(cs->t->user_data, conn, seg);
  leave(cs, TORC_CALL_SEGMENT);
  return 0;
}

int torc_call_advance_time(torc_callsite *cs, void *conn, uint64_t now_us) {
  if (!torc_call_has(cs->t, TORC_CALL_ADVANCE_TIME))
    return -1;
  enter(cs, TORC_CALL_ADVANCE_TIME);
  cs->t->advance_time(cs->t->user_data, now_us);
  leave(cs, TORC_CALL_ADVANCE_TIME);
  (void)conn;
  return 0;
}

int torc_call_terminate_offload(torc_callsite *cs, void *conn) {
  if (!torc_call_has(cs->t, TORC_CALL_TERMINATE_OFFLOAD))
    return -1;
  enter(cs, TORC_CALL_TERMINATE_OFFLOAD);
  cs->t->terminate_offload(cs->t->user_data, conn);
  leave(cs, TORC_CALL_TERMINATE_OFFLOAD);
  return 0;
}

int torc_call_get_stats(torc_callsite *cs, void *conn, torc_target_stats *out,
                        int *ret) {
  if (!torc_call_has(cs->t, TORC_CALL_GET_STATS))
    return -1;
  enter(cs, TORC_CALL_GET_STATS);
  *ret = cs->t->get_stats(cs->t->user_data, conn, out);
  leave(cs, TORC_CALL_GET_STATS);
  return 0;
}
