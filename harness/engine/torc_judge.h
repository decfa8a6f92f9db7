/*
 * torc_judge.h - interface for a module to reach a verdict on one vector.
 *
 * The judge compares the trace the host recorded with the vector's expected
 * trace: identical is PASS; equal only after applying the normalizations of
 * the vector's allowances (docs/DECISIONS.md) is PASS-NONSTRICT naming the
 * allowances needed; anything else, any rule violation the host saw, or any
 * delivered byte that differs from the stream is FAIL with RCV ids and the
 * first divergence.  Pure function of its inputs: no clock, no I/O.
 */
#ifndef TORC_JUDGE_H
#define TORC_JUDGE_H

#include "torc_engine.h"
#include "torc_hostsim.h"
#include "torc_trace.h"
#include "torc_vector_int.h"

/* Fills r->verdict, allowances, violations and divergence (r->id, detail,
 * duration are the caller's). */
void torc_judge(const torc_vector *v, const torc_trace *actual,
                const torc_hs_violation *viol, size_t nviol,
                const torc_hs_data_div *div, torc_result *r);

/* Adds a violation to r unless the same requirement and message are there
 * (bounded by TORC_MAX_VIOLATIONS). */
void torc_result_add_violation(torc_result *r, const char *rcv,
                               const char *msg);

#endif /* TORC_JUDGE_H */
