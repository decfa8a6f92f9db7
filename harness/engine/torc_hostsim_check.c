/*
 * torc_hostsim_check.c - the rule checks every host callback shares: the
 * violation list, the comparison of delivered bytes with the stream, the
 * fingerprint of lent bytes, and the checks common to every upcall.
 *
 * Where it sits: called by the host callbacks (torc_hostsim_upcalls.c,
 * torc_hostsim_indicate.c) and the requests (torc_hostsim_requests.c); the
 * engine reads the results through torc_hostsim_violations and
 * torc_hostsim_data_div (torc_hostsim.c).
 */
#include "torc_hostsim_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* ---- Violations --------------------------------------------------------- */

void torc_hostsim_violation(torc_hostsim *hs, const char *rcv, const char *fmt,
                            ...) {
  torc_hs_violation v;
  va_list ap;
  size_t i;
  snprintf(v.requirement, sizeof v.requirement, "%s", rcv);
  va_start(ap, fmt);
  vsnprintf(v.message, sizeof v.message, fmt, ap);
  va_end(ap);
  for (i = 0; i < hs->nviol; i++)
    if (strcmp(hs->viol[i].requirement, v.requirement) == 0 &&
        strcmp(hs->viol[i].message, v.message) == 0)
      return;
  if (hs->nviol < TORC_HS_MAX_VIOLATIONS)
    hs->viol[hs->nviol++] = v;
}

/* ---- Data checks -------------------------------------------------------- */

static void hex_context(char *out, size_t n, const uint8_t *p, size_t plen,
                        size_t at) {
  size_t from = at >= 4 ? at - 4 : 0, to = at + 12 < plen ? at + 12 : plen, k;
  size_t used = 0;
  out[0] = '\0';
  for (k = from; k < to && used + 4 < n; k++)
    used += (size_t)snprintf(out + used, n - used, "%s%s%02x",
                             k == from ? "" : " ", k == at ? "[" : "", p[k]);
  if (at < plen && used + 2 < n)
    snprintf(out + used, n - used, "%s", "");
  if (at >= plen)
    snprintf(out + used, n - used, "%s(no byte)", used ? " " : "");
}

/* Compares n delivered bytes with the stream at hs->delivered and advances
 * it.  The first difference of the vector is recorded with context. */
void torc_hs_check_data(torc_hostsim *hs, const uint8_t *p, uint32_t n) {
  uint32_t diff;
  const torc_vector_body *vb = hs->vb;
  if (n == 0)
    return;
  if (!hs->div.present &&
      torc_vector_stream_cmp(vb, hs->delivered, p, n, &diff) != 0) {
    uint8_t exp[16];
    uint64_t off = hs->delivered + diff, efrom = off >= 4 ? off - 4 : 0;
    uint32_t elen = 0, k;
    while (elen < 16 && efrom + elen < vb->stream_len &&
           efrom + elen < off + 12)
      elen++;
    if (elen)
      torc_vector_stream_copy(vb, efrom, elen, exp);
    hs->div.present = 1;
    hs->div.trace_index = hs->trace.n ? (uint32_t)hs->trace.n - 1 : 0;
    hs->div.stream_offset = off;
    if (off >= vb->stream_len)
      snprintf(hs->div.expected, sizeof hs->div.expected,
               "no byte: the stream ends at offset %" PRIu64 " (the target "
               "delivered more than it received)",
               vb->stream_len);
    else
      hex_context(hs->div.expected, sizeof hs->div.expected, exp, elen,
                  (size_t)(off - efrom));
    hex_context(hs->div.actual, sizeof hs->div.actual, p, n, diff);
    hs->div.poison = 1;
    for (k = diff; k < n && k < diff + 8; k++)
      if (p[k] != POISON)
        hs->div.poison = 0;
  }
  hs->delivered += n;
}

/* Fingerprint of indicated bytes (not cryptographic: it detects a target
 * reusing or rewriting buffers it lent, RCV-133).  Eight bytes at a time. */
uint64_t torc_hs_fnv(uint64_t h, const uint8_t *p, uint32_t n) {
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* ---- Common upcall checks ------------------------------------------------ */

/* Returns 0 when the upcall may be processed, -1 when it must be ignored. */
int torc_hs_upcall_check(torc_hostsim *hs, uint64_t handle, const char *what,
                         int data_upcall) {
  if (!hs->vb || !hs->conn_open) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s on no open connection (from conn_open, "
                           "conn_close or outside any connection)",
                           what);
    return -1;
  }
  if (hs->cur_op == TORC_CALL_CONN_OPEN || hs->cur_op == TORC_CALL_CONN_CLOSE) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s from inside %s (not allowed to call the host)",
                           what, torc_call_op_name(hs->cur_op));
    return -1;
  }
  if (handle != hs->handle) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s with host_handle 0x%" PRIx64
                           ", the connection's is 0x%" PRIx64,
                           what, handle, hs->handle);
  }
  if (data_upcall && hs->offload_done != 1) {
    if (hs->offload_done == 2)
      torc_hostsim_violation(hs, "RCV-017",
                             "%s on a connection whose offload failed", what);
    else
      torc_hostsim_violation(hs, "RCV-027", "%s before the offload completed",
                             what);
  }
  if (data_upcall && hs->terminate_done)
    torc_hostsim_violation(hs, "RCV-230",
                           "%s after the terminate offload completed", what);
  return 0;
}

/* Serialization: a completion or indication while another is in progress
 * (RCV-046, RCV-047; RCV-108 for a completion inside a completion). */
void torc_hs_serial_check(torc_hostsim *hs, int kind) {
  if (!hs->busy)
    return;
  torc_hostsim_violation(hs, "RCV-046",
                         "%s started while a %s is in progress on the "
                         "connection",
                         kind == TORC_TR_COMPLETE ? "receive completion"
                                                  : "receive indication",
                         hs->busy == TORC_TR_COMPLETE ? "receive completion"
                                                      : "receive indication");
  torc_hostsim_violation(hs, "RCV-047",
                         "completion/indication calls not serialized");
  if (hs->busy == TORC_TR_COMPLETE && kind == TORC_TR_COMPLETE)
    torc_hostsim_violation(hs, "RCV-108",
                           "receive completion called again before the "
                           "previous one returned (re-entrant post)");
}
