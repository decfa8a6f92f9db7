/*
 * torc/target.h - the offload-target interface: the whole vendor ABI of torc.
 *
 * torc (TCP Offload Receive Conformance) plays the host stack of an NDIS TCP
 * chimney and drives an offload target through this interface. A target
 * (the built-in reference model, a vendor's adapter built as a shared object,
 * or a program speaking the wire protocol of docs/wire-protocol.md) exports
 * one function, torc_target_init(), which fills a table of operations.  The
 * harness hands the target a table of host callbacks in return.
 *
 * If a type, function or constant does not appear in this file, it is not
 * part of the published interface.
 *
 * Rules that hold for the whole file:
 *  - Calls are single-threaded: the harness never calls into a target from two
 *    threads, and a target calls host callbacks only from inside one of its
 *    own operations (never from a thread of its own).
 *  - Ownership of every pointer is stated with one of three phrasings:
 *    "borrowed for the call", "valid until <event>", or
 *    "ownership transfers to <side>".
 *  - Status values are NDIS_STATUS numbers (TORC_STATUS_*), with NDIS's own
 *    values, so a driver can pass its statuses through unchanged.
 *  - Time is virtual.  The target has no clock of its own: the harness tells
 *    it the time with advance_time().  Nothing may depend on the wall clock.
 *  - Versioning is append-only.  New operations and fields are added at the
 *    end of a structure under a comment naming the ABI version that added
 *    them; nothing is reordered or resized.  A structure carries its size so
 *    that either side can tell which fields the other one knows.
 *
 * RCV-nnn references are to the requirement catalogue
 * (conformance/catalogue.json, from the NDIS TCP chimney documentation).
 */
#ifndef TORC_TARGET_H
#define TORC_TARGET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header.  Bumped when fields are appended. */
#define TORC_TARGET_ABI_VERSION 1u

/* Suite version as 0xMMmmpp. */
#define TORC_VERSION_NUM 0x000100u
#define TORC_VERSION_STRING "0.1.0"

/* Size of the error buffer handed to torc_target_init(). */
#define TORC_ERRBUF_SIZE 256

/* ---- NDIS status values (ndis.h numbering) ---------------------------- */

#define TORC_STATUS_SUCCESS 0x00000000u
#define TORC_STATUS_PENDING 0x00000103u
#define TORC_STATUS_NOT_ACCEPTED 0x00010003u /* NDIS_STATUS_NOT_ACCEPTED */
#define TORC_STATUS_FAILURE 0xC0000001u
#define TORC_STATUS_RESOURCES 0xC000009Au
#define TORC_STATUS_NOT_SUPPORTED 0xC00000BBu
#define TORC_STATUS_INVALID_STATE 0xC0000184u
#define TORC_STATUS_REQUEST_ABORTED 0xC001000Cu
#define TORC_STATUS_UPLOAD_IN_PROGRESS 0xC0231001u
#define TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER 0xC023100Bu
#define TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW 0xC023100Cu
#define TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED 0xC023100Eu
#define TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED 0xC0231010u

/* ---- Event indications (TCP_OFFLOAD_EVENT_TYPE) ----------------------- */

#define TORC_EVENT_DISCONNECT 2u /* TcpIndicateDisconnect: FIN received */
#define TORC_EVENT_RETRIEVE 3u   /* TcpIndicateRetrieve: target asks upload */
#define TORC_EVENT_ABORT 4u      /* TcpIndicateAbort: acceptable RST */

/* Upload reasons (TCP_UPLOAD_REASON), the info of TORC_EVENT_RETRIEVE. */
#define TORC_UPLOAD_RECEIVED_URGENT_DATA 5u
#define TORC_UPLOAD_INVALID_STATE 9u
#define TORC_UPLOAD_UPLOAD_REQUESTED 10u /* e.g. after a resource failure */
#define TORC_UPLOAD_HARDWARE_FAILURE 11u

/* ---- TCP header flags as in the TCP header's flag byte ---------------- */

#define TORC_TCP_FIN 0x01u
#define TORC_TCP_SYN 0x02u
#define TORC_TCP_RST 0x04u
#define TORC_TCP_PSH 0x08u
#define TORC_TCP_ACK 0x10u
#define TORC_TCP_URG 0x20u

/* ---- Log levels -------------------------------------------------------- */

#define TORC_LOG_ERROR 0
#define TORC_LOG_WARN 1
#define TORC_LOG_INFO 2
#define TORC_LOG_DEBUG 3

/* ---- Capabilities ------------------------------------------------------
 * A target declares in torc_target.capabilities what it implements.  Every
 * capability but TORC_CAP_ALLOC_HOOK is a feature the specification makes
 * mandatory: a target that does not declare one is NOT CONFORMANT, and each
 * vector needing it is a FAIL citing the requirement named below.  Only
 * TORC_CAP_ALLOC_HOOK is about testability (allocation failures can be
 * injected only through the host's allocator): without it, its vectors are
 * UNTESTED and the claim says "conformant with untested requirements".
 * The map is data in conformance/catalogue.json ("features"); `man torc`,
 * CAPABILITIES, lists it too.
 */
/* mandatory, RCV-007: copies BufferedData at offload, delivers it first */
#define TORC_CAP_BUFFERED_DATA (1u << 0)
/* mandatory, RCV-176: push-mode requests, completed on PSH or when the push
 * timer expires (RCV-179..RCV-182); where the timer's clock comes from is
 * TORC_CAP_VIRTUAL_TIME */
#define TORC_CAP_PUSH_MODE (1u << 1)
/* mandatory, RCV-176: non-push requests */
#define TORC_CAP_NONPUSH_MODE (1u << 2)
/* mandatory, RCV-083: receive indications, receive_return */
#define TORC_CAP_INDICATE (1u << 3)
/* mandatory, RCV-141: PARTIALLY_ACCEPTED answers (BytesConsumed) */
#define TORC_CAP_PARTIAL_ACCEPT (1u << 4)
/* mandatory, RCV-114: zero-byte requests */
#define TORC_CAP_ZERO_BYTE_REQUEST (1u << 5)
/* mandatory, RCV-180: requests prefilled (TcpReceiveBytesTransferred) */
#define TORC_CAP_PREFILLED_REQUEST (1u << 6)
/* mandatory, RCV-108: posts from inside a completion */
#define TORC_CAP_REENTRANT_POST (1u << 7)
/* mandatory, RCV-230: terminate offload (upload) */
#define TORC_CAP_TERMINATE (1u << 8)
/* mandatory, RCV-255: FIN -> disconnect indication */
#define TORC_CAP_FIN (1u << 9)
/* mandatory, RCV-259: RST -> abort indication */
#define TORC_CAP_RST (1u << 10)
/* optional (testability): every allocation the target makes while it runs
 * goes through host->alloc, so a vector can make one fail.  Allocating
 * elsewhere is allowed; the fail_alloc vectors are then UNTESTED. */
#define TORC_CAP_ALLOC_HOOK (1u << 11)
/* mandatory, RCV-199: the target's timers (the push timer) run on the
 * host's clock, advance_time(), never on a clock of the target's own */
#define TORC_CAP_VIRTUAL_TIME (1u << 12)
/* mandatory, RCV-062: out-of-order queue */
#define TORC_CAP_OUT_OF_ORDER (1u << 13)
#define TORC_CAP_ALL 0x3FFFu

/* ---- Data descriptors --------------------------------------------------- */

/* One contiguous piece of data (an MDL).  Used in both directions; each use
 * says who owns the bytes. */
typedef struct torc_fragment {
  const uint8_t *data;
  uint32_t len;
} torc_fragment;

/* One NET_BUFFER_LIST-like list: an array of fragments whose bytes follow each
 * other in stream order, and a link to the next list of a chain. */
typedef struct torc_buffer_list {
  const struct torc_buffer_list *next; /* NULL ends the chain */
  const torc_fragment *frags;
  uint32_t nfrags;
} torc_buffer_list;

/* The delegated, cached and constant state handed over at initiate offload.
 * The harness fills every field it knows and sets struct_size to
 * sizeof(torc_offload_state) as it was compiled. */
typedef struct torc_offload_state {
  uint32_t struct_size;
  /* ---- ABI v1 ---- */
  /* TCP_OFFLOAD_STATE_DELEGATED */
  uint32_t rcv_nxt; /* RcvNxt: the next byte expected from the peer */
  uint32_t rcv_wnd; /* RcvWnd: current receive window in bytes */
  uint32_t snd_una; /* SndUna, SndNxt, SndWnd: the send side, for targets */
  uint32_t snd_nxt; /*   that build a real connection (they are not used by */
  uint32_t snd_wnd; /*   the receive path's rules) */
  /* Host-buffered receive data (RCV-003..RCV-006): its bytes end just before
   * rcv_nxt, i.e. they are [rcv_nxt - total, rcv_nxt).  NULL when none.
   * Valid until the target calls host->initiate_offload_complete(); the
   * target must copy what it keeps (RCV-007).  After a successful completion
   * the host poisons and frees these buffers (RCV-011).  They are only to
   * be read: torc maps them read-only, so a write faults (a CRASH naming
   * RCV-007/RCV-011). */
  const torc_buffer_list *buffered_data;
  /* NDIS_TCP_CONNECTION_OFFLOAD_PARAMETERS and TCP_OFFLOAD_STATE_CACHED */
  uint32_t ticks_per_second;    /* TicksPerSecond: 10, 100 or 1000 (RCV-205) */
  uint32_t push_ticks;          /* TcpPushTicks; 0 means the 500 ms default */
  uint32_t rcv_indication_size; /* RcvIndicationSize; 0 = unspecified */
  uint32_t initial_rcv_wnd;     /* InitialRcvWnd */
  uint16_t mss;       /* the largest segment the peer may send: the MSS option
                         of the receiver's SYN, as captured (RFC 9293 3.7.1) */
  uint8_t snd_wscale; /* window scale shifts (0 if none) */
  uint8_t rcv_wscale;
  uint8_t conn_state; /* TCP_OFFLOAD_CONNECTION_STATE: 4 = Established */
  /* TCP_OFFLOAD_STATE_CONST: the connection's addresses, for targets that
   * build a real connection.  ip_version is 4 or 6; IPv4 addresses sit in
   * the first 4 bytes.  "local" is the receiver, the side being offloaded. */
  uint8_t ip_version;
  uint16_t local_port;
  uint16_t remote_port;
  uint8_t local_addr[16];
  uint8_t remote_addr[16];
} torc_offload_state;

/* A posted receive request (one NET_BUFFER_LIST with one NET_BUFFER). */
typedef struct torc_recv_request {
  uint64_t id; /* chosen by the host, echoed in the completion */
  /* The application buffer: valid until the request is completed.  The
   * target writes only bytes [prefilled, size). */
  uint8_t *buf;
  uint32_t size;      /* DataLength; 0 is a zero-byte request (RCV-116) */
  uint32_t prefilled; /* TcpReceiveBytesTransferred: bytes the host already
                         placed at the start of buf (RCV-180, RCV-187) */
  uint8_t push;       /* 1: push mode; 0: non-push (TcpReceiveNoPush) */
} torc_recv_request;

/* One completed request in a receive-complete call (RCV-109..RCV-113). */
typedef struct torc_completion {
  uint64_t id;     /* the request's id */
  uint32_t status; /* SUCCESS, REQUEST_ABORTED, UPLOAD_IN_PROGRESS or
                      INVALID_STATE (RCV-110) */
  uint32_t bytes;  /* TcpOffloadBytesTransferred: bytes the target placed,
                      not counting prefilled ones */
} torc_completion;

/* A TCP segment from the wire (RCV-067).  The frame (and the payload in it)
 * is lent for the call and only to be read: torc maps it read-only while
 * the target holds it, so a write faults (a CRASH naming the rule), and
 * poisons it after the call. */
typedef struct torc_segment {
  const uint8_t *frame; /* the frame as captured; borrowed for the call */
  uint32_t frame_len;
  uint32_t link_type;  /* LINKTYPE_* of frame (1 Ethernet, 101 raw IP, ...) */
  uint32_t ip_offset;  /* offset of the IP header within frame */
  uint32_t tcp_offset; /* offset of the TCP header within frame */
  /* Parsed fields, for convenience (host byte order). */
  uint32_t seq;
  uint32_t ack;
  uint16_t window; /* unscaled, as on the wire */
  uint8_t flags;   /* TORC_TCP_* */
  uint8_t reserved;
  const uint8_t *payload; /* points into frame; borrowed for the call */
  uint32_t payload_len;
} torc_segment;

/* The delegated state handed back at terminate offload (RCV-171, RCV-224). */
typedef struct torc_upload_state {
  uint32_t struct_size;
  /* ---- ABI v1 ---- */
  /* RcvNxt is RFC 9293's RCV.NXT: once an in-sequence FIN was accepted it
   * counts the FIN, whether or not the disconnect was indicated
   * (docs/DECISIONS.md DEC-28). */
  uint32_t rcv_nxt;
  uint32_t rcv_wnd;
  /* Undelivered receive data handed back to the host (RCV-208, RCV-209),
   * whose bytes end just before rcv_nxt, or just before the FIN when one
   * was accepted.  NULL when none.  The bytes must
   * stay valid and unchanged until the host returns them with
   * receive_return(buffered_id) (RCV-212). */
  const torc_buffer_list *buffered_data;
  uint64_t buffered_id;
} torc_upload_state;

/* Optional counters a target may expose (all may be zero). */
typedef struct torc_target_stats {
  uint32_t struct_size;
  /* ---- ABI v1 ---- */
  uint64_t segments_in;
  uint64_t dropped_out_of_window;
  uint64_t dropped_duplicate;
  uint64_t queued_out_of_order;
  uint64_t bytes_trimmed;
} torc_target_stats;

/* ---- Host callbacks (harness -> target) ---------------------------------
 * host_ctx is passed back unchanged.  host_handle is the connection's
 * NdisOffloadHandle given to conn_open; the target passes it back in every
 * upcall for that connection (RCV-122).
 */
typedef struct torc_host_ops {
  uint32_t struct_size;
  /* ---- ABI v1 ---- */

  /* Memory for the target.  May return NULL (the harness fails allocations
   * on purpose); the target must then fail cleanly.  Every block must be
   * freed by conn_close()/destroy(). */
  void *(*alloc)(void *host_ctx, size_t size);
  void (*free)(void *host_ctx, void *ptr);

  /* A line of the target's log; msg is borrowed for the call. */
  void (*log)(void *host_ctx, int level, const char *msg);

  /* NdisMInitiateOffloadComplete.  status is SUCCESS, or FAILURE,
   * RESOURCES, OFFLOAD_TCP_RCV_BUFFER, ... (RCV-018..RCV-023).  Call exactly
   * once per initiate_offload(), from inside it or from a later operation. */
  void (*initiate_offload_complete)(void *host_ctx, uint64_t host_handle,
                                    uint32_t status);

  /* NdisTcpOffloadReceiveComplete: completes count requests, in the order
   * they were posted (RCV-061).  c is borrowed for the call.  The host may
   * call target->receive() from inside this callback (RCV-107). */
  void (*receive_complete)(void *host_ctx, uint64_t host_handle,
                           const torc_completion *c, uint32_t count);

  /* NdisTcpOffloadReceiveHandler: indicates data (one stand-alone list with
   * as many fragments as needed, RCV-123/RCV-124).  status must be SUCCESS
   * (RCV-125).  Returns the host's answer:
   *  - SUCCESS: all consumed; frags' bytes must then stay valid and unchanged
   *    until the host passes indication_id to target->receive_return()
   *    (RCV-133);
   *  - OFFLOAD_DATA_NOT_ACCEPTED or NOT_ACCEPTED: nothing consumed, frags are
   *    the target's again on return (RCV-135);
   *  - OFFLOAD_DATA_PARTIALLY_ACCEPTED: *bytes_consumed bytes were consumed,
   *    the rest is the target's again on return (RCV-139..RCV-141).
   * frags (the array) is borrowed for the call. */
  uint32_t (*receive_indicate)(void *host_ctx, uint64_t host_handle,
                               uint64_t indication_id, uint32_t status,
                               const torc_fragment *frags, uint32_t nfrags,
                               uint32_t *bytes_consumed);

  /* NdisTcpOffloadEventHandler: TORC_EVENT_*; info is the upload reason for
   * RETRIEVE and 0 otherwise. */
  void (*event_indicate)(void *host_ctx, uint64_t host_handle, uint32_t event,
                         uint32_t info);

  /* NdisMTerminateOffloadComplete.  status is SUCCESS or FAILURE (RCV-226).
   * st is borrowed for the call, but st->buffered_data stays valid until the
   * host returns st->buffered_id through receive_return().  Every posted
   * request must have been completed before this call (RCV-230). */
  void (*terminate_offload_complete)(void *host_ctx, uint64_t host_handle,
                                     uint32_t status,
                                     const torc_upload_state *st);
} torc_host_ops;

/* ---- Target operations (target -> harness) -------------------------------
 * user_data is passed first to every operation.  Every operation, and
 * torc_target_init(), may call host->alloc, host->free and host->log.  The
 * other callbacks speak for a connection: they may be called from inside
 * initiate_offload, receive, receive_return, segment, advance_time and
 * terminate_offload, never from destroy, conn_open or conn_close (the host
 * judges such a call a violation of RCV-122).
 */
typedef struct torc_target {
  uint32_t abi_version; /* TORC_TARGET_ABI_VERSION the target was built with */
  uint32_t struct_size; /* sizeof(torc_target) as the target compiled it */
  void *user_data;
  /* ---- ABI v1 ---- */
  const char *name; /* static strings: valid until destroy() */
  const char *version;
  uint64_t capabilities; /* TORC_CAP_* */

  void (*destroy)(void *user_data);

  /* Opens a connection whose upcalls carry host_handle.  Returns 0 and sets
   * *out_conn, or a negative value when it cannot. */
  int (*conn_open)(void *user_data, uint64_t host_handle, void **out_conn);
  /* Frees everything of the connection, in whatever state it is. */
  void (*conn_close)(void *user_data, void *conn);

  /* MiniportInitiateOffload.  st (and what it points to) is valid until the
   * target calls host->initiate_offload_complete(). */
  void (*initiate_offload)(void *user_data, void *conn,
                           const torc_offload_state *st);

  /* MiniportTcpOffloadReceive: posts count requests in FIFO order.  reqs is
   * borrowed for the call; each request's buffer is valid until completed.
   * Must return TORC_STATUS_PENDING (RCV-091). */
  uint32_t (*receive)(void *user_data, void *conn,
                      const torc_recv_request *reqs, uint32_t count);

  /* MiniportTcpOffloadReceiveReturn: the host gives back indications it
   * accepted, and handed-back upload data (ids borrowed for the call). */
  void (*receive_return)(void *user_data, void *conn, const uint64_t *ids,
                         uint32_t count);

  /* A segment from the wire for this connection; seg is borrowed. */
  void (*segment)(void *user_data, void *conn, const torc_segment *seg);

  /* The virtual clock is now now_us microseconds (monotonic, starts at 0).
   * Timers that are due fire from inside this call. */
  void (*advance_time)(void *user_data, uint64_t now_us);

  /* MiniportTerminateOffload: the target completes every posted request,
   * hands back or delivers undelivered data, and calls
   * host->terminate_offload_complete() (from inside this call or later). */
  void (*terminate_offload)(void *user_data, void *conn);

  /* Optional (may be NULL): copies the connection's counters into *out,
   * writing at most out->struct_size bytes.  Returns 0 or negative. */
  int (*get_stats)(void *user_data, void *conn, torc_target_stats *out);

  /* ---- ABI v1, optional since issue 14: declared limits (0 = none) ----
   * A table compiled without them (struct_size ending at get_stats) is
   * still ABI v1: torc reads these only when struct_size covers them.  A
   * vector beyond a declared limit expects the offload to be refused with
   * the status the specification names for it, and is UNTESTED when it is:
   * a limit narrows what the run checks, and the report's claim says so. */
  /* The largest InitialRcvWnd the target supports; a larger one is refused
   * with TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW (RCV-022). */
  uint32_t max_initial_rcv_wnd;
  /* The most BufferedData bytes the target can take over at offload; more
   * is refused with TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER (RCV-021) or
   * TORC_STATUS_RESOURCES (RCV-020). */
  uint32_t max_buffered_bytes;

  /* ---- ABI v1, optional since issue 17: what the adapter reports of the
   * device it drives (NULL or "" = not reported).  Read only when
   * struct_size covers the field; static strings, valid until destroy().
   * They go into the results' "target" object and a submission package
   * (torc package), as the identity a claim is made for. */
  const char *driver;   /* the driver's version string, e.g. "mlx5 5.8-1" */
  const char *firmware; /* the firmware's version string */
} torc_target;

/* The size of an ABI v1 table compiled before the declared limits. */
#define TORC_TARGET_V1_MIN_SIZE offsetof(torc_target, max_initial_rcv_wnd)

/* The one symbol a target exports.  Fills *out (zeroed by the caller) and
 * returns 0, or returns a negative value with a message in errbuf
 * (TORC_ERRBUF_SIZE bytes).  host and host_ctx stay valid until
 * out->destroy() is called.  A target built for a newer ABI than
 * host_abi_version should refuse.
 * It is called once per instance, and torc makes a fresh instance for every
 * vector: init, the vector's operations, destroy, then init again, usually
 * in the same process (a new one after a crash).  Keep every piece of state
 * in what init allocates, none in globals that outlive destroy(). */
#define TORC_TARGET_INIT_SYMBOL "torc_target_init"
typedef int (*torc_target_init_fn)(uint32_t host_abi_version,
                                   const torc_host_ops *host, void *host_ctx,
                                   torc_target *out, char *errbuf);

#ifdef __cplusplus
}
#endif

#endif /* TORC_TARGET_H */
