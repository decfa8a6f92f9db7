/*
 * torc_allowance.h - interface for the judge to compare traces as atoms and
 * to apply a vector's allowances (docs/DECISIONS.md) to them.
 *
 * torc_judge.c flattens both traces into atoms (one per completed request,
 * indication, event, offload or terminate completion) and asks here where
 * they first differ and whether some set of the vector's allowances makes
 * them equal; torc_allowance.c holds each allowance as a normalization of
 * an atom list.
 */
#ifndef TORC_ALLOWANCE_H
#define TORC_ALLOWANCE_H

#include <stddef.h>
#include <stdint.h>

#include "torc_trace.h"
#include "torc_vector_int.h"

typedef struct atom {
  uint32_t kind, at, status, callstart;
  uint64_t id;
  uint32_t bytes; /* complete: bytes; indicate: len; terminate: handback */
  uint32_t consumed, event, info, rcv_nxt;
  uint32_t entry; /* index of the trace entry it came from */
  int dropped;
} atom;

typedef struct atoms {
  atom *a;
  size_t n;
} atoms;

/* First index where the (non-dropped) atom lists differ; sets *ia, *ib to
 * it (n when a list ran out).  Returns 1 when they differ. */
int torcint_atoms_first_diff(const atoms *a, const atoms *b, size_t *ia,
                             size_t *ib);
/* A copy of src into dst (dst->a malloc'd).  Returns 0 or -1. */
int torcint_atoms_copy(const atoms *src, atoms *dst);
/* Applies allowance bit k to a list; returns 1 if it changed anything. */
int torcint_allow_normalize(const torc_vector_body *vb, unsigned k, atoms *l);
/* The smallest subset of the vector's allowances under which the atom
 * lists are equal, into *needed; returns 1, or 0 when none makes them
 * equal. */
int torcint_allow_smallest_set(const torc_vector_body *vb, const atoms *e,
                               const atoms *a, uint32_t *needed);

/* The post event that made request id, or NULL. */
const torc_event *torcint_post_of(const torc_vector_body *vb, uint64_t id);

#endif /* TORC_ALLOWANCE_H */
