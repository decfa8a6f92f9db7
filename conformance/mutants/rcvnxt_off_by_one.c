/*
 * rcvnxt_off_by_one.c - mutant: the reference, except that it takes the
 * delegated RcvNxt as the sequence number of the last byte already
 * received, i.e. it expects RcvNxt + 1 next: BufferedData is placed one
 * byte late and the first new byte from the wire is dropped as old.
 * Breaks RCV-006 (BufferedData ends just before RcvNxt), observed as
 * RCV-057 (the host gets the stream out of order).
 *
 * Wrapper: initiate_offload passes a copy of the state with rcv_nxt + 1.
 */
#include "tt_wrap.h"

static void rob_initiate_offload(void *ud, void *conn,
                                 const torc_offload_state *st) {
  torc_offload_state copy;
  if (st == NULL) {
    tt_initiate_offload(ud, conn, st);
    return;
  }
  memset(&copy, 0, sizeof(copy));
  memcpy(&copy, st,
         st->struct_size < sizeof(copy) ? st->struct_size : sizeof(copy));
  copy.rcv_nxt += 1; /* the fault */
  tt_initiate_offload(ud, conn, &copy);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "rcvnxt_off_by_one", NULL))
    return -1;
  out->initiate_offload = rob_initiate_offload;
  return 0;
}
