/*
 * torc_linux_target_int.h - what the parts of the Linux adapter share: the
 * adapter and connection state, the kernel structures glibc lacks, and the
 * helpers one part offers the others.
 *
 * The adapter is torc_linux_target.c (the table, connections),
 * torc_linux_repair.c (TCP_REPAIR: build and read back) and
 * torc_linux_deliver.c (requests, segments, time).  All hidden: the .so
 * exports torc_target_init only.
 */
#ifndef TORC_LINUX_TARGET_INT_H
#define TORC_LINUX_TARGET_INT_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <torc/target.h>

#include "torc_linux_netns.h"
#include "torc_linux_packet.h"

#ifndef TCP_REPAIR_WINDOW
#define TCP_REPAIR_WINDOW 29
#endif
#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP -1
#endif

/* The kernel's struct tcp_repair_window (linux/tcp.h clashes with glibc). */
typedef struct lx_repair_window {
  uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;
} lx_repair_window;

/* struct tcp_info as the kernel has it, up to tcpi_segs_in (glibc's copy
 * stops at tcpi_total_retrans). */
typedef struct lx_tcp_info {
  struct tcp_info base;
  uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
  uint32_t segs_out, segs_in;
} lx_tcp_info;

#define LX_PKT_MAX 65600u
#define LX_RCVBUF (64 << 20)
#define LX_WAIT_NS 200000000L /* how long a segment may take to arrive */

/* The adapter: one per loaded target. */
typedef struct lx {
  const torc_host_ops *host; /* valid until destroy() */
  void *host_ctx;
  int home_ns; /* the namespace each connection's setup returns to */
  int debug;   /* TORC_LINUX_DEBUG set: log lines also go to stderr */
  char version[96];
} lx;

/* One posted request; buf is valid until it is completed. */
typedef struct lx_req {
  uint64_t id;
  uint8_t *buf;
  uint32_t cap;    /* bytes the target may place: size - prefilled */
  uint32_t placed; /* bytes placed so far */
  uint8_t push;
} lx_req;

enum { LX_OPEN, LX_EOF, LX_RESET };

/* One offloaded connection. */
typedef struct lx_conn {
  uint64_t handle;
  int tun_fd, sock_fd;
  int live;     /* the offload completed with SUCCESS, no terminate yet */
  int pumping;  /* inside pump(): nested posts only queue */
  int end;      /* LX_OPEN, LX_EOF (FIN read), LX_RESET */
  int end_told; /* the disconnect/abort event was indicated */
  torc_linux_rewrite rw;
  lx_req *reqs; /* FIFO: reqs[head .. head + n) */
  uint32_t head, n, capn;
  uint8_t *handback; /* terminate's handed-back bytes, until returned */
  uint64_t handback_id;
  torc_fragment hb_frag;
  torc_buffer_list hb_list;
  uint8_t pkt[LX_PKT_MAX];
} lx_conn;

#pragma GCC visibility push(hidden)

/* ---- torc_linux_target.c ------------------------------------------------- */

/* A log line to the host (and to stderr with TORC_LINUX_DEBUG). */
void lx_logf(lx *t, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lx_close_fds(lx_conn *c);

/* ---- torc_linux_repair.c ------------------------------------------------- */

int lx_sopt(int fd, int level, int name, int val);
void lx_initiate_offload(void *ud, void *conn, const torc_offload_state *st);
void lx_terminate_offload(void *ud, void *conn);

/* ---- torc_linux_deliver.c ------------------------------------------------ */

/* Takes the first k requests off the FIFO and completes them (statuses st). */
void lx_complete_head(lx *t, lx_conn *c, uint32_t k, const uint32_t *st);
/* Bytes queued for a reader, or -1. */
int lx_unread(lx_conn *c);
/* Places what the socket has into the posted requests (see the file). */
void lx_pump(lx *t, lx_conn *c);
uint32_t lx_receive(void *ud, void *conn, const torc_recv_request *reqs,
                    uint32_t count);
void lx_receive_return(void *ud, void *conn, const uint64_t *ids,
                       uint32_t count);
void lx_segment(void *ud, void *conn, const torc_segment *seg);
void lx_advance_time(void *ud, uint64_t now_us);

#pragma GCC visibility pop

#endif /* TORC_LINUX_TARGET_INT_H */
