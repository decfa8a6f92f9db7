/*
 * torc_proxy_int.h - what the parts of the "exec:" proxy share: its state
 * (struct torc_proxy), its host-side records, and the helpers one part
 * offers the others.
 *
 * The proxy is torc_proxy.c (life cycle), torc_proxy_child.c (the child
 * process), torc_proxy_records.c (host-side records), torc_proxy_upcalls.c
 * (the child's upcalls) and torc_proxy_ops.c (the operations table).
 * Private to them: the loader uses torc_proxy.h.
 */
#ifndef TORC_PROXY_INT_H
#define TORC_PROXY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <torc/target.h>

#include "torc_load.h"
#include "torc_proxy.h"
#include "torc_wire.h"

typedef struct proxy_conn {
  uint64_t token;  /* the child's name for the connection */
  uint64_t handle; /* host_handle given at conn_open */
  unsigned gen;    /* child generation it belongs to */
} proxy_conn;

typedef struct proxy_req {
  uint64_t id, handle;
  uint8_t *buf; /* the host's buffer: valid until completed (target.h) */
  uint32_t size;
} proxy_req;

/* Data the host may point at until it returns id through receive_return. */
typedef struct proxy_hold {
  struct proxy_hold *next;
  uint64_t id, handle;
  int handback;               /* handed-back upload data, else indicated */
  const torc_fragment *frags; /* in mem: what the host was given */
  uint32_t nfrags;
  const torc_buffer_list *lists; /* handback: the chain, in mem */
  torc_wire_arena mem;
} proxy_hold;

struct torc_proxy {
  char *command; /* exec:COMMAND's command line */
  char *label;   /* what messages call the target: "exec:COMMAND", or the
                    .so a contained runner serves */
  char **argv;   /* contained: executed as is, no shell (NULL otherwise) */
  int log_fd;    /* contained: the child's stdout and stderr; exec: stderr */
  uint64_t log_limit;
  size_t upcalls;      /* since the last reset: the per-vector quotas */
  uint64_t held_bytes; /* allocated through the host during this vector */
  size_t held_blocks;  /* of those, not freed yet */
  char never_lent;     /* its address stands for a pointer the host never
                          lent (UP_FREE of token 0) */
  const torc_host_ops *host;
  void *host_ctx;
  unsigned timeout_ms;
  pid_t pid;
  int fd;
  torc_wire_chan chan;
  int status; /* 0, TORC_LOAD_CRASHED, TORC_LOAD_TIMEOUT */
  char why[TORC_ERRBUF_SIZE];
  unsigned gen;
  int destroyed;
  unsigned op_type; /* outermost operation in progress */
  char name[128], version[128];
  char driver[128], firmware[128]; /* RET(HELLO)'s optional tail, or "" */
  proxy_req *reqs;
  size_t nreqs, capreqs;
  proxy_hold *holds;
  void **allocs; /* version 1: token - 1 -> host block; NULL = free slot */
  size_t nallocs, capallocs;
  /* Version 2 (UP_ALLOCATED): the target side's token -> host block, open
   * addressing (token 0 an empty slot, cap a power of two or 0, at most
   * half full). */
  struct proxy_blk {
    uint64_t token;
    void *blk;
  } * blks;
  size_t nblks, capblks;
  unsigned proto;          /* the protocol the child answered in HELLO */
  int policy, policy_sent; /* TORC_ALLOC_*: the host's, the child's */
};

/* ---- torc_proxy_child.c -------------------------------------------------- */

/* Starts the child on a socketpair (p->argv or p->command); 0 or -1 with
 * errbuf. */
int torc_px_spawn(torc_proxy *p, char *errbuf);
/* Contained children: SIGKILLs every descendant of the child (the runner is
 * their subreaper, so orphans are its children too), leaving the child. */
void torc_px_kill_descendants(torc_proxy *p);
/* Stops the child: grace_ms to exit by itself, then SIGTERM, then SIGKILL to
 * its process group; reaps it.  Writes how it ended into how. */
void torc_px_reap_child(torc_proxy *p, long grace_ms, char *how, size_t n);
void torc_px_close_channel(torc_proxy *p);
/* Called once a wait on the channel failed: mark, kill, reap. */
void torc_px_on_failure(torc_proxy *p);

/* ---- torc_proxy_records.c ------------------------------------------------ */

void torc_px_free_hold(proxy_hold *h);
proxy_hold *torc_px_new_hold(uint64_t id, uint64_t handle);
void torc_px_link_hold(torc_proxy *p, proxy_hold *h);
/* Unlinks h if it is still held; 1 when it was. */
int torc_px_unlink_hold(torc_proxy *p, proxy_hold *h);
/* Frees the oldest hold with this id (holds are linked newest first). */
void torc_px_release_hold(torc_proxy *p, uint64_t id);
/* Drops the holds and requests of one connection (all: of every one). */
void torc_px_drop_conn_records(torc_proxy *p, uint64_t handle, int all);
/* Gives every block the child still held back to the host. */
void torc_px_drop_allocs(torc_proxy *p);
/* Version 2's blocks: records token -> blk (0, or -1: token already names a
 * block, or out of memory); takes it back (NULL when token names none). */
int torc_px_blk_put(torc_proxy *p, uint64_t token, void *blk);
void *torc_px_blk_take(torc_proxy *p, uint64_t token);
int torc_px_add_req(torc_proxy *p, const torc_recv_request *r, uint64_t handle);
/* Index of the first posted request with this id, preferring one of this
 * handle; -1 when none. */
long torc_px_find_req(const torc_proxy *p, uint64_t id, uint64_t handle);
void torc_px_remove_req(torc_proxy *p, size_t i);

/* ---- torc_proxy_upcalls.c ------------------------------------------------ */

/* The channel's dispatch function for the child's calls (ctx: the proxy). */
int torc_px_dispatch(void *ctx, const uint8_t *body, size_t len);

/* ---- torc_proxy_ops.c ---------------------------------------------------- */

/* 1 while the child runs, answers and was not destroyed. */
int torc_px_usable(const torc_proxy *p);
/* Starts a message for an operation; arms the watchdog at the outermost
 * level. */
void torc_px_op_begin(torc_proxy *p, unsigned type);
/* Makes the call; on success ret and r hold the RET. */
int torc_px_op_call(torc_proxy *p, uint8_t **ret, torc_rbuf *r);
/* Makes a call whose RET has no fields. */
void torc_px_op_simple(torc_proxy *p);
/* Sets the operation pointers of a table to the proxy's. */
void torc_px_fill_ops(torc_target *ops);

#endif /* TORC_PROXY_INT_H */
