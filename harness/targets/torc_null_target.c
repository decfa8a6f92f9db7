/*
 * torc_null_target.c - the built-in "null" target (torc_load "null").
 *
 * Where it sits: a flavour of torc_target beside the reference (STYLE R12).
 * Capabilities 0; every operation is a no-op that never calls the host, so
 * an offload is never completed: the engine reports UNTESTED for every
 * vector.  It holds no state at all: a connection is a pointer to a constant
 * marker, never written.
 */
#include "torc_null_target.h"

#include <stddef.h>

/* Marks an open connection; never written, only its address is used. */
static const char null_conn_marker = 'n';

static void null_destroy(void *user_data) {
  (void)user_data;
}

static int null_conn_open(void *user_data, uint64_t host_handle,
                          void **out_conn) {
  (void)user_data;
  (void)host_handle;
  /* The engine only passes it back; it is never written through. */
  *out_conn = (void *)(uintptr_t)&null_conn_marker;
  return 0;
}

static void null_conn_close(void *user_data, void *conn) {
  (void)user_data;
  (void)conn;
}

static void null_initiate_offload(void *user_data, void *conn,
                                  const torc_offload_state *st) {
  (void)user_data;
  (void)conn;
  (void)st;
}

static uint32_t null_receive(void *user_data, void *conn,
                             const torc_recv_request *reqs, uint32_t count) {
  (void)user_data;
  (void)conn;
  (void)reqs;
  (void)count;
  return TORC_STATUS_PENDING; /* RCV-091: a post always pends */
}

static void null_receive_return(void *user_data, void *conn,
                                const uint64_t *ids, uint32_t count) {
  (void)user_data;
  (void)conn;
  (void)ids;
  (void)count;
}

static void null_segment(void *user_data, void *conn, const torc_segment *seg) {
  (void)user_data;
  (void)conn;
  (void)seg;
}

static void null_advance_time(void *user_data, uint64_t now_us) {
  (void)user_data;
  (void)now_us;
}

static void null_terminate_offload(void *user_data, void *conn) {
  (void)user_data;
  (void)conn;
}

int torc_null_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                          void *host_ctx, torc_target *out, char *errbuf) {
  (void)host_abi_version;
  (void)host;
  (void)host_ctx;
  (void)errbuf;
  out->abi_version = TORC_TARGET_ABI_VERSION;
  out->struct_size = sizeof(*out);
  out->user_data = NULL;
  out->name = "null";
  out->version = TORC_VERSION_STRING;
  out->capabilities = 0;
  out->destroy = null_destroy;
  out->conn_open = null_conn_open;
  out->conn_close = null_conn_close;
  out->initiate_offload = null_initiate_offload;
  out->receive = null_receive;
  out->receive_return = null_receive_return;
  out->segment = null_segment;
  out->advance_time = null_advance_time;
  out->terminate_offload = null_terminate_offload;
  out->get_stats = NULL;
  return 0;
}
