/*
 * adapter.c - a minimal torc offload-target adapter: the starting point for
 * a vendor.
 *
 * torc plays the host stack and calls the operations below; an adapter maps
 * each one onto its driver (or firmware model, or a bridge to real
 * hardware) and reports what the driver does through the host callbacks.
 * This skeleton implements nothing yet and says so: it declares no
 * capability, so `torc run --target ./libadapter.so` FAILs every vector for
 * a missing mandatory feature, each citing the requirement that makes it
 * mandatory, and the claim is NOT CONFORMANT (exit 1).  Every TORC_CAP_*
 * feature is mandatory except TORC_CAP_ALLOC_HOOK (testability only; see
 * the comments in <torc/target.h> and `man torc`, CAPABILITIES).  Fill in
 * one operation at a time, add its TORC_CAP_* bit to capabilities, and the
 * vectors that need it start to run.
 *
 * Build:  make            (uses `pkg-config --cflags torc`)
 * Run:    torc run --target ./libadapter.so --json results.json
 *
 * Rules that matter (see <torc/target.h> for all of them):
 *  - calls are single-threaded; call host callbacks only from inside one of
 *    these operations, never from a thread of your own;
 *  - time is virtual: use the now_us given to advance_time(), never a clock;
 *  - allocate through host->alloc if you can: torc can then fail an
 *    allocation on purpose and declare TORC_CAP_ALLOC_HOOK (optional;
 *    without it the allocation-failure vectors are UNTESTED);
 *  - host->alloc, free and log may be called anywhere, even here in init;
 *    the connection's upcalls never from conn_open, conn_close or destroy;
 *  - copy the BufferedData you keep before completing the offload: the host
 *    poisons it afterwards (RCV-007, RCV-011).
 */
#include <string.h>

#include <torc/target.h>

/* The adapter's state: one per instance.  torc makes a fresh instance for
 * every vector (init ... destroy, init again), so nothing lives in globals. */
typedef struct skel {
  const torc_host_ops *host; /* valid until destroy() */
  void *host_ctx;
} skel;

/* One offloaded connection. */
typedef struct skel_conn {
  uint64_t host_handle; /* passed back in every upcall (RCV-122) */
  /* driver: your connection handle / offload context goes here */
} skel_conn;

static void skel_destroy(void *ud) {
  skel *s = ud;
  /* driver: unload / release the device. */
  s->host->free(s->host_ctx, s);
}

static int skel_conn_open(void *ud, uint64_t host_handle, void **out_conn) {
  skel *s = ud;
  skel_conn *c = s->host->alloc(s->host_ctx, sizeof *c);
  if (!c)
    return -1; /* allocation failed on purpose: fail cleanly */
  memset(c, 0, sizeof *c);
  c->host_handle = host_handle;
  /* driver: allocate the offload context for a new connection. */
  *out_conn = c;
  return 0;
}

static void skel_conn_close(void *ud, void *conn) {
  skel *s = ud;
  /* driver: free the connection's context, whatever state it is in. */
  s->host->free(s->host_ctx, conn);
}

static void skel_initiate_offload(void *ud, void *conn,
                                  const torc_offload_state *st) {
  skel *s = ud;
  skel_conn *c = conn;
  (void)st;
  /* driver: MiniportInitiateOffload.  Copy st->buffered_data now (it is
   * poisoned once you complete with SUCCESS), program RcvNxt/RcvWnd and the
   * push parameters, then complete -- here or from a later operation.
   * Declare TORC_CAP_BUFFERED_DATA once BufferedData is handled. */
  s->host->initiate_offload_complete(s->host_ctx, c->host_handle,
                                     TORC_STATUS_FAILURE);
}

static uint32_t skel_receive(void *ud, void *conn,
                             const torc_recv_request *reqs, uint32_t count) {
  skel *s = ud;
  skel_conn *c = conn;
  uint32_t i;
  /* driver: MiniportTcpOffloadReceive: queue the requests (FIFO) and fill
   * them from held and arriving data; complete them with
   * host->receive_complete().  Until then, give them back unused. */
  for (i = 0; i < count; i++) {
    torc_completion done;
    done.id = reqs[i].id;
    done.status = TORC_STATUS_REQUEST_ABORTED;
    done.bytes = 0;
    s->host->receive_complete(s->host_ctx, c->host_handle, &done, 1);
  }
  return TORC_STATUS_PENDING; /* always (RCV-091) */
}

static void skel_receive_return(void *ud, void *conn, const uint64_t *ids,
                                uint32_t count) {
  /* driver: MiniportTcpOffloadReceiveReturn: the host is done with these
   * indicated buffers (or handed-back upload data); release them. */
  (void)ud;
  (void)conn;
  (void)ids;
  (void)count;
}

static void skel_segment(void *ud, void *conn, const torc_segment *seg) {
  /* driver: a frame from the wire for this connection.  Hand seg->frame to
   * the NIC's receive path (or your model), then report what the driver
   * does: host->receive_complete() for filled requests,
   * host->receive_indicate() when no request is posted, host->event_indicate()
   * for FIN/RST. */
  (void)ud;
  (void)conn;
  (void)seg;
}

static void skel_advance_time(void *ud, uint64_t now_us) {
  /* driver: the virtual clock is now now_us: run due timers (push timer). */
  (void)ud;
  (void)now_us;
}

static void skel_terminate_offload(void *ud, void *conn) {
  skel *s = ud;
  skel_conn *c = conn;
  torc_upload_state up;
  /* driver: MiniportTerminateOffload: complete every posted request, hand
   * back undelivered data in up.buffered_data, report RcvNxt/RcvWnd. */
  memset(&up, 0, sizeof up);
  up.struct_size = (uint32_t)sizeof up;
  s->host->terminate_offload_complete(s->host_ctx, c->host_handle,
                                      TORC_STATUS_SUCCESS, &up);
}

/* The one exported symbol: torc calls it once per instance, that is once per
 * vector, each time after the previous instance's destroy(). */
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  skel *s;
  if (host_abi_version < TORC_TARGET_ABI_VERSION) {
    /* Built for a newer torc than the one loading us: refuse clearly. */
    strncpy(errbuf, "skeleton adapter needs a newer torc", TORC_ERRBUF_SIZE);
    errbuf[TORC_ERRBUF_SIZE - 1] = '\0';
    return -1;
  }
  s = host->alloc(host_ctx, sizeof *s);
  if (!s) {
    strncpy(errbuf, "skeleton adapter: out of memory", TORC_ERRBUF_SIZE);
    errbuf[TORC_ERRBUF_SIZE - 1] = '\0';
    return -1;
  }
  /* driver: open / probe the device here; on failure, explain in errbuf. */
  s->host = host;
  s->host_ctx = host_ctx;
  out->abi_version = TORC_TARGET_ABI_VERSION;
  out->struct_size = (uint32_t)sizeof *out;
  out->user_data = s;
  out->name = "skeleton";
  out->version = "0.0.1";
  /* What the device reports of itself (ethtool -i's driver/firmware-version
   * lines): they go into the results and the submission package. */
  out->driver = "skeleton";
  out->firmware = "none";
  /* Nothing implemented yet: every vector FAILs for a missing mandatory
   * feature.  Add TORC_CAP_* bits as operations become real: all of them
   * but TORC_CAP_ALLOC_HOOK are needed for a conformant target. */
  out->capabilities = 0;
  out->destroy = skel_destroy;
  out->conn_open = skel_conn_open;
  out->conn_close = skel_conn_close;
  out->initiate_offload = skel_initiate_offload;
  out->receive = skel_receive;
  out->receive_return = skel_receive_return;
  out->segment = skel_segment;
  out->advance_time = skel_advance_time;
  out->terminate_offload = skel_terminate_offload;
  out->get_stats = NULL; /* optional */
  return 0;
}
