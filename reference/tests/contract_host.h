/*
 * contract_host.h - what the test_contract_*.c files share: the time units
 * of their virtual clock and contract_host(), a recording test host
 * (torc_test_host.h) offloaded with SUCCESS.
 *
 * Those files test the target's contract as the host sees it through
 * torc/target.h, by subject: test_contract_completions.c,
 * test_contract_delivery.c, test_contract_push.c, test_contract_urgent_fin.c
 * and, with the direct host, test_contract_connections.c.  Expected traces
 * are worked out by hand from the flowcharts (delivery-algorithm.md, boxes
 * D1..D20) and docs/DECISIONS.md; times are virtual microseconds.  Defaults
 * of the test host: isn 0x1000, push interval 500 ms, RcvIndicationSize 0
 * (one indication for all held data, DEC-21), indications answered SUCCESS.
 */
#ifndef TORC_CONTRACT_HOST_H
#define TORC_CONTRACT_HOST_H

#include <check.h>
#include <stdint.h>

#include "torc_test_host.h"

#define MS 1000ull
#define PUSH_US (500 * MS) /* the default push interval */

/* A fresh test host, offloaded with buffered stream bytes [0, buffered);
 * ck_asserts the offload completed SUCCESS.  Owned by the caller
 * (th_free()). */
static inline torc_test_host *contract_host(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

#endif /* TORC_CONTRACT_HOST_H */
