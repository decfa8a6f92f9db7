/*
 * torc_proxy.c - the "exec:COMMAND" flavour of target: a torc_target table
 * whose every operation is a call over the wire protocol to a child process,
 * and whose child's upcalls become calls of the host's callbacks.
 *
 * Where it sits: torc_load.c hands "exec:" specs here; the engine then sees
 * an ordinary table.  The child is usually torc-target-runner serving a .so,
 * but any program speaking docs/wire-protocol.md will do.
 *
 * What the proxy keeps on the host side, and why:
 *  - posted requests (id, host buffer, size): a completion carries the bytes
 *    the child placed; they are copied into the host's real buffer, never
 *    more than the request's size, and the completion itself is passed to
 *    the host exactly as the child claimed it so the engine judges it
 *    (RCV-112, RCV-113);
 *  - indicated data and handed-back upload data ("holds"): the host may keep
 *    pointing at them until it gives them back with receive_return
 *    (RCV-133, RCV-212), so the proxy owns a copy until then;
 *  - blocks the child allocated through the host's alloc hook: the host's
 *    pointer stays here, the child only sees a token, so a forged free can
 *    never reach the host.
 * Nothing the child says is believed without a bounds check.  A malformed
 * message, EOF or a reply timeout kills the child and turns every operation
 * into a no-op until torc_proxy_restart().
 */
#include "torc_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torc_load.h"
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
  torc_wire_arena mem;
} proxy_hold;

struct torc_proxy {
  char *command;
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
  proxy_req *reqs;
  size_t nreqs, capreqs;
  proxy_hold *holds;
  void **allocs; /* token - 1 -> host block; NULL = free slot */
  size_t nallocs, capallocs;
};

/* ---- Child process ------------------------------------------------------- */

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void describe_exit(int st, char *out, size_t n) {
  if (WIFSIGNALED(st))
    torc_wire_fmt(out, n, "killed by signal %d (%s)", WTERMSIG(st),
                  strsignal(WTERMSIG(st)));
  else if (WIFEXITED(st))
    torc_wire_fmt(out, n, "exited with status %d", WEXITSTATUS(st));
  else
    torc_wire_fmt(out, n, "stopped");
}

/* Waits up to ms for the child to exit by itself (without reaping it). */
static int wait_exit(pid_t pid, long ms) {
  for (long t = 0;; t++) {
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
      return 1; /* gone already (or not ours) */
    if (si.si_pid == pid)
      return 1;
    if (t >= ms)
      return 0;
    sleep_ms(1);
  }
}

/* Stops the child: grace_ms to exit by itself, then SIGTERM, then SIGKILL to
 * its process group; reaps it.  Writes how it ended into how. */
static void reap_child(torc_proxy *p, long grace_ms, char *how, size_t n) {
  if (how && n)
    how[0] = '\0';
  if (p->pid <= 0)
    return;
  if (!wait_exit(p->pid, grace_ms)) {
    kill(-p->pid, SIGTERM);
    if (!wait_exit(p->pid, 200))
      kill(-p->pid, SIGKILL);
  }
  /* The leader is a zombie now (its pid still reserved): clear the rest of
   * its group, then reap it. */
  kill(-p->pid, SIGKILL);
  int st = 0;
  while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (how && n)
    describe_exit(st, how, n);
  p->pid = 0;
}

static void close_channel(torc_proxy *p) {
  if (p->fd >= 0)
    close(p->fd);
  p->fd = -1;
  torc_wire_chan_free(&p->chan);
}

/* Called once a wait on the channel failed: mark, kill, reap. */
static void on_failure(torc_proxy *p) {
  if (p->status != 0)
    return;
  p->status = p->chan.failed == TORC_WIRE_TIMEOUT ? TORC_LOAD_TIMEOUT
                                                  : TORC_LOAD_CRASHED;
  char how[96];
  long grace = p->chan.failed == TORC_WIRE_EOF ? 100 : 0;
  if (grace == 0 && p->pid > 0)
    kill(-p->pid, SIGKILL);
  reap_child(p, grace, how, sizeof(how));
  if (p->chan.failed == TORC_WIRE_TIMEOUT)
    torc_wire_fmt(p->why, sizeof(p->why),
                  "no reply from the target within %u ms (during %s); "
                  "target process %s",
                  p->timeout_ms, torc_wire_type_name(p->op_type), how);
  else if (p->chan.failed == TORC_WIRE_EOF && how[0])
    torc_wire_fmt(p->why, sizeof(p->why), "target process %s", how);
  else
    torc_wire_fmt(p->why, sizeof(p->why), "%s%s%s", p->chan.why,
                  how[0] ? "; target process " : "", how);
  close_channel(p);
}

static int dispatch(void *ctx, const uint8_t *body, size_t len);

static int spawn(torc_proxy *p, char *errbuf) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: socketpair: %s",
                  p->command, strerror(errno));
    return -1;
  }
  /* A plain command line (no shell syntax) is executed directly, so the
   * child is the target itself and its death signal is reported as is;
   * anything else goes through /bin/sh -c. */
  char *words = NULL, *argv[64];
  int argc = 0;
  if (!strpbrk(p->command, "|&;<>()$`\\\"'*?[#~\n") &&
      (words = strdup(p->command)) != NULL) {
    char *save = NULL;
    for (char *w = strtok_r(words, " \t", &save); w && argc < 63;
         w = strtok_r(NULL, " \t", &save))
      argv[argc++] = w;
    argv[argc] = NULL;
    if (argc == 0 || argc == 63 || strchr(argv[0], '=')) {
      free(words);
      words = NULL;
    }
  }
  pid_t pid = fork();
  if (pid < 0) {
    free(words);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: fork: %s", p->command,
                  strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
      _exit(127);
    if (words) {
      execvp(argv[0], argv); /* on failure (a shell builtin?) try sh */
    }
    execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
    _exit(127);
  }
  free(words);
  setpgid(pid, pid); /* either side may win the race; both set the same */
  close(sv[1]);
  p->pid = pid;
  p->fd = sv[0];
  fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
  torc_wire_chan_init(&p->chan, p->fd, p->fd, dispatch, p);
  p->status = 0;
  p->why[0] = '\0';
  p->destroyed = 0;
  p->gen++;
  return 0;
}

/* ---- Host-side records --------------------------------------------------- */

static void free_hold(proxy_hold *h) {
  torc_arena_free(&h->mem);
  free(h);
}

static proxy_hold *new_hold(uint64_t id, uint64_t handle) {
  proxy_hold *h = calloc(1, sizeof(*h));
  if (h) {
    h->id = id;
    h->handle = handle;
  }
  return h;
}

static void link_hold(torc_proxy *p, proxy_hold *h) {
  h->next = p->holds;
  p->holds = h;
}

/* Unlinks h if it is still held; 1 when it was. */
static int unlink_hold(torc_proxy *p, proxy_hold *h) {
  for (proxy_hold **pp = &p->holds; *pp; pp = &(*pp)->next)
    if (*pp == h) {
      *pp = h->next;
      return 1;
    }
  return 0;
}

/* Frees the oldest hold with this id (holds are linked newest first). */
static void release_hold(torc_proxy *p, uint64_t id) {
  proxy_hold **found = NULL;
  for (proxy_hold **pp = &p->holds; *pp; pp = &(*pp)->next)
    if ((*pp)->id == id)
      found = pp;
  if (found) {
    proxy_hold *h = *found;
    *found = h->next;
    free_hold(h);
  }
}

static void drop_conn_records(torc_proxy *p, uint64_t handle, int all) {
  for (proxy_hold **pp = &p->holds; *pp;) {
    if (all || (*pp)->handle == handle) {
      proxy_hold *h = *pp;
      *pp = h->next;
      free_hold(h);
    } else {
      pp = &(*pp)->next;
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < p->nreqs; i++)
    if (!all && p->reqs[i].handle != handle)
      p->reqs[k++] = p->reqs[i];
  p->nreqs = k;
}

/* Gives every block the child still held back to the host. */
static void drop_allocs(torc_proxy *p) {
  for (size_t i = 0; i < p->nallocs; i++)
    if (p->allocs[i] && p->host->free)
      p->host->free(p->host_ctx, p->allocs[i]);
  p->nallocs = 0;
}

static int add_req(torc_proxy *p, const torc_recv_request *r, uint64_t handle) {
  if (p->nreqs == p->capreqs) {
    size_t cap = p->capreqs ? p->capreqs * 2 : 16;
    proxy_req *n = realloc(p->reqs, cap * sizeof(*n));
    if (!n)
      return -1;
    p->reqs = n;
    p->capreqs = cap;
  }
  proxy_req *q = &p->reqs[p->nreqs++];
  q->id = r->id;
  q->handle = handle;
  q->buf = r->buf;
  q->size = r->buf ? r->size : 0;
  return 0;
}

/* Index of the first posted request with this id, preferring one of this
 * handle (a target may pass a wrong handle, RCV-122); -1 when none. */
static long find_req(const torc_proxy *p, uint64_t id, uint64_t handle) {
  long any = -1;
  for (size_t i = 0; i < p->nreqs; i++)
    if (p->reqs[i].id == id) {
      if (p->reqs[i].handle == handle)
        return (long)i;
      if (any < 0)
        any = (long)i;
    }
  return any;
}

static void remove_req(torc_proxy *p, size_t i) {
  memmove(&p->reqs[i], &p->reqs[i + 1],
          (p->nreqs - i - 1) * sizeof(p->reqs[0]));
  p->nreqs--;
}

/* ---- Upcalls from the child ---------------------------------------------- */

static int protocol_error(torc_proxy *p, const char *what) {
  torc_wire_fail(&p->chan, TORC_WIRE_PROTOCOL, "protocol error: %s", what);
  return -1;
}

static int up_alloc(torc_proxy *p, torc_rbuf *r) {
  uint64_t size = torc_rbuf_u64(r);
  void *blk = NULL;
  if (size <= SIZE_MAX && p->host->alloc)
    blk = p->host->alloc(p->host_ctx, (size_t)size);
  uint64_t token = 0;
  if (blk) {
    size_t i = 0;
    while (i < p->nallocs && p->allocs[i])
      i++;
    if (i == p->nallocs) {
      if (p->nallocs == p->capallocs) {
        size_t cap = p->capallocs ? p->capallocs * 2 : 64;
        void **n = realloc(p->allocs, cap * sizeof(*n));
        if (!n) {
          p->host->free(p->host_ctx, blk);
          return protocol_error(p, "out of memory for an allocation token");
        }
        p->allocs = n;
        p->capallocs = cap;
      }
      p->nallocs++;
    }
    p->allocs[i] = blk;
    token = i + 1;
  }
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_ALLOC);
  torc_wbuf_u64(&p->chan.tx, token);
  return torc_wire_send(&p->chan);
}

static int up_free(torc_proxy *p, torc_rbuf *r) {
  uint64_t token = torc_rbuf_u64(r);
  if (token == 0 || token > p->nallocs || !p->allocs[token - 1])
    return protocol_error(p, "free of a block the host never gave");
  void *blk = p->allocs[token - 1];
  p->allocs[token - 1] = NULL;
  if (p->host->free)
    p->host->free(p->host_ctx, blk);
  return 0;
}

static int up_log(torc_proxy *p, torc_rbuf *r) {
  int level = (int)torc_rbuf_u32(r);
  char msg[TORC_WIRE_MAX_STR + 1];
  torc_rbuf_str(r, msg, sizeof(msg));
  if (p->host->log)
    p->host->log(p->host_ctx, level, msg);
  return 0;
}

static int up_offload_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  p->host->initiate_offload_complete(p->host_ctx, handle, status);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_OFFLOAD_COMPLETE);
  return torc_wire_send(&p->chan);
}

static int up_receive_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t count = torc_rbuf_u32(r); /* validated: count * 20 <= left */
  torc_completion *c = calloc(count ? count : 1, sizeof(*c));
  if (!c)
    return protocol_error(p, "out of memory for completions");
  for (uint32_t i = 0; i < count; i++) {
    c[i].id = torc_rbuf_u64(r);
    c[i].status = torc_rbuf_u32(r);
    c[i].bytes = torc_rbuf_u32(r);
    uint32_t datalen = torc_rbuf_u32(r);
    const uint8_t *data = torc_rbuf_bytes(r, datalen);
    if (r->err)
      break;
    long k = find_req(p, c[i].id, handle);
    if (k >= 0) {
      /* Never beyond the host's buffer, whatever the child claims. */
      proxy_req *q = &p->reqs[k];
      uint32_t n = datalen < q->size ? datalen : q->size;
      if (n)
        memcpy(q->buf, data, n);
      remove_req(p, (size_t)k);
    }
  }
  if (r->err) {
    free(c);
    return protocol_error(p, "malformed UP_RECEIVE_COMPLETE");
  }
  p->host->receive_complete(p->host_ctx, handle, c, count);
  free(c);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_RECEIVE_COMPLETE);
  return torc_wire_send(&p->chan);
}

static int up_receive_indicate(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint64_t ind_id = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  uint32_t nfrags = torc_rbuf_u32(r); /* validated: nfrags * 4 <= left */
  proxy_hold *h = new_hold(ind_id, handle);
  torc_fragment *frags =
      h ? torc_arena_alloc(&h->mem, (nfrags ? nfrags : 1) * sizeof(*frags))
        : NULL;
  if (!frags) {
    if (h)
      free_hold(h);
    return protocol_error(p, "out of memory for an indication");
  }
  for (uint32_t i = 0; i < nfrags && !r->err; i++) {
    uint32_t len = torc_rbuf_u32(r);
    const uint8_t *src = torc_rbuf_bytes(r, len);
    uint8_t *dst = src ? torc_arena_alloc(&h->mem, len) : NULL;
    if (!dst) {
      r->err = 1;
      break;
    }
    if (len)
      memcpy(dst, src, len);
    frags[i].data = dst;
    frags[i].len = len;
  }
  if (r->err) {
    free_hold(h);
    return protocol_error(p, "malformed UP_RECEIVE_INDICATE");
  }
  /* Linked before the call: the host may return it from inside. */
  link_hold(p, h);
  uint32_t consumed = 0;
  uint32_t answer = p->host->receive_indicate(p->host_ctx, handle, ind_id,
                                              status, frags, nfrags, &consumed);
  if (answer != TORC_STATUS_SUCCESS &&
      answer != TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED &&
      unlink_hold(p, h))
    free_hold(h); /* not kept: the bytes are the target's again (RCV-135) */
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_RECEIVE_INDICATE);
  torc_wbuf_u32(&p->chan.tx, answer);
  torc_wbuf_u32(&p->chan.tx, consumed);
  return torc_wire_send(&p->chan);
}

static int up_event(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t event = torc_rbuf_u32(r);
  uint32_t info = torc_rbuf_u32(r);
  p->host->event_indicate(p->host_ctx, handle, event, info);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_EVENT);
  return torc_wire_send(&p->chan);
}

static int up_terminate_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  uint8_t has = torc_rbuf_u8(r);
  torc_upload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  proxy_hold *h = NULL;
  if (has) {
    st.rcv_nxt = torc_rbuf_u32(r);
    st.rcv_wnd = torc_rbuf_u32(r);
    st.buffered_id = torc_rbuf_u64(r);
    h = new_hold(st.buffered_id, handle);
    uint64_t total;
    if (!h ||
        torc_wire_get_chain(r, &h->mem, 1, &st.buffered_data, &total) != 0) {
      if (h)
        free_hold(h);
      return protocol_error(p, "malformed UP_TERMINATE_COMPLETE");
    }
    if (st.buffered_data)
      link_hold(p, h); /* until receive_return(buffered_id), RCV-212 */
    else {
      free_hold(h);
      h = NULL;
    }
  }
  p->host->terminate_offload_complete(p->host_ctx, handle, status,
                                      has ? &st : NULL);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_TERMINATE_COMPLETE);
  return torc_wire_send(&p->chan);
}

static int dispatch(void *ctx, const uint8_t *body, size_t len) {
  torc_proxy *p = ctx;
  torc_rbuf r;
  torc_rbuf_init(&r, body, len);
  unsigned type = torc_rbuf_u8(&r);
  switch (type) {
  case TORC_MSG_UP_ALLOC:
    return up_alloc(p, &r);
  case TORC_MSG_UP_FREE:
    return up_free(p, &r);
  case TORC_MSG_UP_LOG:
    return up_log(p, &r);
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    return up_offload_complete(p, &r);
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    return up_receive_complete(p, &r);
  case TORC_MSG_UP_RECEIVE_INDICATE:
    return up_receive_indicate(p, &r);
  case TORC_MSG_UP_EVENT:
    return up_event(p, &r);
  case TORC_MSG_UP_TERMINATE_COMPLETE:
    return up_terminate_complete(p, &r);
  default: {
    char what[64];
    torc_wire_fmt(what, sizeof(what), "unexpected %s from the target",
                  torc_wire_type_name(type));
    return protocol_error(p, what);
  }
  }
}

/* ---- Operations (the table the engine calls) ----------------------------- */

static int usable(const torc_proxy *p) {
  return p->status == 0 && p->pid > 0 && !p->destroyed;
}

static int conn_ok(const torc_proxy *p, const proxy_conn *c) {
  return usable(p) && c && c->gen == p->gen;
}

/* Starts a message for an operation; arms the watchdog at the outermost
 * level. */
static void op_begin(torc_proxy *p, unsigned type) {
  if (p->chan.depth == 0) {
    p->chan.deadline = torc_wire_now_ms() + (int64_t)p->timeout_ms;
    p->op_type = type;
  }
  torc_wbuf_begin(&p->chan.tx, type);
}

/* Makes the call; on success ret and r hold the RET.  Disarms at the outermost
 * level, and handles a failure. */
static int op_call(torc_proxy *p, uint8_t **ret, torc_rbuf *r) {
  int rc = torc_wire_call(&p->chan, ret, r);
  if (rc == 0 && r->err)
    rc = -1;
  if (rc != 0) {
    free(*ret);
    *ret = NULL;
    on_failure(p);
  }
  if (p->chan.depth == 0)
    p->chan.deadline = -1;
  return rc;
}

static void op_simple(torc_proxy *p) {
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) == 0)
    free(ret);
}

static void px_destroy(void *ud) {
  torc_proxy *p = ud;
  if (!usable(p))
    return;
  op_begin(p, TORC_MSG_OP_DESTROY);
  op_simple(p);
  p->destroyed = 1;
}

static int px_conn_open(void *ud, uint64_t host_handle, void **out_conn) {
  torc_proxy *p = ud;
  if (!usable(p))
    return -1;
  op_begin(p, TORC_MSG_OP_CONN_OPEN);
  torc_wbuf_u64(&p->chan.tx, host_handle);
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) != 0)
    return -1;
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  uint64_t token = torc_rbuf_u64(&r);
  free(ret);
  if (rc != 0)
    return rc < 0 ? rc : -1;
  proxy_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return -1;
  c->token = token;
  c->handle = host_handle;
  c->gen = p->gen;
  *out_conn = c;
  return 0;
}

static void px_conn_close(void *ud, void *conn) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!c)
    return;
  if (conn_ok(p, c)) {
    op_begin(p, TORC_MSG_OP_CONN_CLOSE);
    torc_wbuf_u64(&p->chan.tx, c->token);
    op_simple(p);
  }
  drop_conn_records(p, c->handle, 0);
  free(c);
}

static void px_initiate_offload(void *ud, void *conn,
                                const torc_offload_state *st) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !st)
    return;
  op_begin(p, TORC_MSG_OP_INITIATE_OFFLOAD);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wire_put_offload_state(&p->chan.tx, st);
  op_simple(p);
}

static uint32_t px_receive(void *ud, void *conn, const torc_recv_request *reqs,
                           uint32_t count) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || (count && !reqs))
    return TORC_STATUS_PENDING;
  op_begin(p, TORC_MSG_OP_RECEIVE);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wbuf_u32(&p->chan.tx, count);
  for (uint32_t i = 0; i < count; i++) {
    const torc_recv_request *q = &reqs[i];
    uint32_t size = q->buf ? q->size : 0;
    uint32_t pre = q->prefilled <= size ? q->prefilled : size;
    torc_wbuf_u64(&p->chan.tx, q->id);
    torc_wbuf_u32(&p->chan.tx, q->size);
    torc_wbuf_u32(&p->chan.tx, pre);
    torc_wbuf_u8(&p->chan.tx, q->push);
    torc_wbuf_bytes(&p->chan.tx, q->buf, pre);
    if (add_req(p, q, c->handle) != 0) {
      torc_wire_fail(&p->chan, TORC_WIRE_PROTOCOL, "out of memory");
      on_failure(p);
      return TORC_STATUS_PENDING;
    }
  }
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) != 0)
    return TORC_STATUS_PENDING;
  uint32_t status = torc_rbuf_u32(&r);
  free(ret);
  return status;
}

static void px_receive_return(void *ud, void *conn, const uint64_t *ids,
                              uint32_t count) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (count && !ids)
    return;
  /* The host is done with these bytes whatever happens next. */
  for (uint32_t i = 0; i < count; i++)
    release_hold(p, ids[i]);
  if (!conn_ok(p, c))
    return;
  op_begin(p, TORC_MSG_OP_RECEIVE_RETURN);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wbuf_u32(&p->chan.tx, count);
  for (uint32_t i = 0; i < count; i++)
    torc_wbuf_u64(&p->chan.tx, ids[i]);
  op_simple(p);
}

static void px_segment(void *ud, void *conn, const torc_segment *seg) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !seg)
    return;
  op_begin(p, TORC_MSG_OP_SEGMENT);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wire_put_segment(&p->chan.tx, seg);
  op_simple(p);
}

static void px_advance_time(void *ud, uint64_t now_us) {
  torc_proxy *p = ud;
  if (!usable(p))
    return;
  op_begin(p, TORC_MSG_OP_ADVANCE_TIME);
  torc_wbuf_u64(&p->chan.tx, now_us);
  op_simple(p);
}

static void px_terminate_offload(void *ud, void *conn) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c))
    return;
  op_begin(p, TORC_MSG_OP_TERMINATE_OFFLOAD);
  torc_wbuf_u64(&p->chan.tx, c->token);
  op_simple(p);
}

static int px_get_stats(void *ud, void *conn, torc_target_stats *out) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !out)
    return -1;
  op_begin(p, TORC_MSG_OP_GET_STATS);
  torc_wbuf_u64(&p->chan.tx, c->token);
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) != 0)
    return -1;
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  torc_target_stats s;
  memset(&s, 0, sizeof(s));
  torc_wire_get_stats(&r, &s);
  free(ret);
  /* At most out->struct_size bytes, as target.h says. */
  size_t n = out->struct_size < sizeof(s) ? out->struct_size : sizeof(s);
  uint32_t keep = out->struct_size;
  if (n > sizeof(s.struct_size))
    memcpy((char *)out + sizeof(s.struct_size),
           (char *)&s + sizeof(s.struct_size), n - sizeof(s.struct_size));
  out->struct_size = keep;
  return rc;
}

/* ---- Life cycle ---------------------------------------------------------- */

static int hello(torc_proxy *p, torc_target *ops, char *errbuf) {
  op_begin(p, TORC_MSG_HELLO);
  torc_wbuf_u32(&p->chan.tx, TORC_WIRE_MAGIC);
  torc_wbuf_u16(&p->chan.tx, TORC_WIRE_PROTO_VERSION);
  torc_wbuf_u32(&p->chan.tx, TORC_TARGET_ABI_VERSION);
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE,
                  "exec:%s: no HELLO from the target: %s", p->command, p->why);
    return -1;
  }
  int ok = torc_rbuf_u8(&r);
  if (!ok) {
    char msg[TORC_ERRBUF_SIZE];
    torc_rbuf_str(&r, msg, sizeof(msg));
    free(ret);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: %s", p->command, msg);
    return -1;
  }
  unsigned proto = torc_rbuf_u16(&r);
  uint32_t abi = torc_rbuf_u32(&r);
  torc_rbuf_u32(&r); /* the target's struct_size, informative */
  uint64_t caps = torc_rbuf_u64(&r);
  torc_rbuf_str(&r, p->name, sizeof(p->name));
  torc_rbuf_str(&r, p->version, sizeof(p->version));
  free(ret);
  const char *bad = NULL;
  char tmp[96];
  if (proto != TORC_WIRE_PROTO_VERSION) {
    torc_wire_fmt(tmp, sizeof(tmp), "wire protocol %u, this torc speaks %u",
                  proto, TORC_WIRE_PROTO_VERSION);
    bad = tmp;
  } else if (abi == 0) {
    bad = "target declares ABI version 0";
  } else if (abi > TORC_TARGET_ABI_VERSION) {
    torc_wire_fmt(tmp, sizeof(tmp),
                  "target ABI %u is newer than this torc (ABI %u)", abi,
                  TORC_TARGET_ABI_VERSION);
    bad = tmp;
  } else if (caps & ~(uint64_t)TORC_CAP_ALL) {
    torc_wire_fmt(tmp, sizeof(tmp), "unknown capability bits 0x%llx",
                  (unsigned long long)(caps & ~(uint64_t)TORC_CAP_ALL));
    bad = tmp;
  } else if (!p->name[0]) {
    bad = "target has no name";
  }
  if (bad) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: %s", p->command, bad);
    return -1;
  }
  if (ops) {
    memset(ops, 0, sizeof(*ops));
    ops->abi_version = abi;
    ops->struct_size = sizeof(*ops);
    ops->user_data = p;
    ops->name = p->name;
    ops->version = p->version;
    ops->capabilities = caps;
    ops->destroy = px_destroy;
    ops->conn_open = px_conn_open;
    ops->conn_close = px_conn_close;
    ops->initiate_offload = px_initiate_offload;
    ops->receive = px_receive;
    ops->receive_return = px_receive_return;
    ops->segment = px_segment;
    ops->advance_time = px_advance_time;
    ops->terminate_offload = px_terminate_offload;
    ops->get_stats = px_get_stats;
  }
  return 0;
}

static void shutdown_child(torc_proxy *p) {
  if (usable(p)) {
    op_begin(p, TORC_MSG_OP_DESTROY);
    op_simple(p);
    p->destroyed = 1;
  }
  close_channel(p); /* the child sees EOF and exits */
  reap_child(p, 200, NULL, 0);
  drop_conn_records(p, 0, 1);
  drop_allocs(p);
}

int torc_proxy_start(const char *command, const torc_host_ops *host,
                     void *host_ctx, unsigned timeout_ms, torc_proxy **out,
                     torc_target *ops, char *errbuf) {
  *out = NULL;
  torc_proxy *p = calloc(1, sizeof(*p));
  if (!p || !(p->command = strdup(command))) {
    free(p);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: out of memory", command);
    return -1;
  }
  p->host = host;
  p->host_ctx = host_ctx;
  p->timeout_ms = timeout_ms ? timeout_ms : 10000;
  p->fd = -1;
  if (spawn(p, errbuf) != 0 || hello(p, ops, errbuf) != 0) {
    torc_proxy_stop(p);
    return -1;
  }
  *out = p;
  return 0;
}

int torc_proxy_status(const torc_proxy *p, char *why, size_t n) {
  if (why && n)
    torc_wire_fmt(why, n, "%s", p->status ? p->why : "");
  return p->status;
}

int torc_proxy_restart(torc_proxy *p, char *errbuf) {
  if (p->pid > 0) {
    kill(-p->pid, SIGKILL);
    close_channel(p);
    reap_child(p, 0, NULL, 0);
  }
  close_channel(p);
  drop_conn_records(p, 0, 1);
  drop_allocs(p);
  if (spawn(p, errbuf) != 0)
    return -1;
  char name[sizeof(p->name)];
  memcpy(name, p->name, sizeof(name));
  if (hello(p, NULL, errbuf) != 0) {
    if (p->status == 0)
      p->status = TORC_LOAD_CRASHED;
    torc_wire_fmt(p->why, sizeof(p->why), "%s", errbuf);
    return -1;
  }
  if (strcmp(name, p->name) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE,
                  "exec:%s: restarted target is \"%s\", was \"%s\"", p->command,
                  p->name, name);
    memcpy(p->name, name, sizeof(name));
    return -1;
  }
  return 0;
}

int torc_proxy_reset(torc_proxy *p, char *errbuf) {
  if (!usable(p)) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: target not running%s%s",
                  p->command, p->why[0] ? ": " : "", p->why);
    return -1;
  }
  op_begin(p, TORC_MSG_OP_RESET);
  uint8_t *ret;
  torc_rbuf r;
  if (op_call(p, &ret, &r) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: reset: %s", p->command,
                  p->why);
    return -1;
  }
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  char msg[TORC_ERRBUF_SIZE];
  torc_rbuf_str(&r, msg, sizeof(msg));
  free(ret);
  /* Connections of the old instance become no-ops; its records go.  Its
   * allocation tokens stay: blocks it leaked are leaks as in process, and
   * the new instance already holds tokens of its own. */
  p->gen++;
  drop_conn_records(p, 0, 1);
  if (rc != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: reset: %s", p->command,
                  msg);
    return -1;
  }
  return 0;
}

void torc_proxy_set_timeout(torc_proxy *p, unsigned ms) {
  p->timeout_ms = ms ? ms : 10000;
}

int torc_proxy_child_pid(const torc_proxy *p) {
  return p->pid;
}

void torc_proxy_stop(torc_proxy *p) {
  if (!p)
    return;
  shutdown_child(p);
  free(p->reqs);
  free(p->allocs);
  free(p->command);
  free(p);
}
