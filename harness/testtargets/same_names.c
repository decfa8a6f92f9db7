/*
 * same_names.c - test target: a vendor's target whose own functions carry
 * the names of torc's internals, linked as a vendor would link it (plain
 * -shared, no -Bsymbolic: harness/module.mk).
 *
 * torc_target_init calls this file's torc_reference_target_init (the
 * reference's entry point's name, same signature), which names the target
 * through this file's torcint_why_emit (a name of reference/torc_why.c,
 * another signature there).  Run as itself, it is the target "same_names"
 * declaring no capability: every vector FAILs at the gate, "missing
 * mandatory feature".  Had its calls bound to torc's functions of these
 * names (torc exported them, -rdynamic), it would be torc's built-in
 * reference passing every vector, or a crash.  Checked by
 * harness/tests/test_symbols.py in and out of process.
 */
#include <string.h>

#include "torc/target.h"

const char *torcint_why_emit(int which);
int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

const char *torcint_why_emit(int which) {
  return which ? "1.0-same-names" : "same_names";
}

static void sn_destroy(void *ud) {
}

static int sn_conn_open(void *ud, uint64_t host_handle, void **out_conn) {
  *out_conn = NULL;
  return -1;
}

static void sn_conn_close(void *ud, void *conn) {
}

static void sn_initiate_offload(void *ud, void *conn,
                                const torc_offload_state *st) {
}

static uint32_t sn_receive(void *ud, void *conn, const torc_recv_request *reqs,
                           uint32_t count) {
  return TORC_STATUS_PENDING;
}

static void sn_receive_return(void *ud, void *conn, const uint64_t *ids,
                              uint32_t count) {
}

static void sn_segment(void *ud, void *conn, const torc_segment *seg) {
}

static void sn_advance_time(void *ud, uint64_t now_us) {
}

static void sn_terminate_offload(void *ud, void *conn) {
}

int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf) {
  memset(out, 0, sizeof *out);
  out->abi_version = TORC_TARGET_ABI_VERSION;
  out->struct_size = sizeof *out;
  out->name = torcint_why_emit(0);
  out->version = torcint_why_emit(1);
  out->capabilities = 0;
  out->destroy = sn_destroy;
  out->conn_open = sn_conn_open;
  out->conn_close = sn_conn_close;
  out->initiate_offload = sn_initiate_offload;
  out->receive = sn_receive;
  out->receive_return = sn_receive_return;
  out->segment = sn_segment;
  out->advance_time = sn_advance_time;
  out->terminate_offload = sn_terminate_offload;
  return 0;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return torc_reference_target_init(host_abi_version, host, host_ctx, out,
                                    errbuf);
}
