/*
 * torc_vectorize.h - interface for a command to turn captures into test
 * vectors (`torc vectorize`) and to count how well vectors cover the
 * catalogue (`torc list --coverage`).
 *
 * The torc program parses the options (harness/cli/torc_cli_vectorize.c)
 * and calls torc_vectorize(); everything after that - reading the captures,
 * synthesizing scenarios, running the reference for the expected traces and
 * writing the vectors - is this library (vectors/vectorizer/).
 */
#ifndef TORC_VECTORIZE_H
#define TORC_VECTORIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "torc_vector.h"

/* Which receiver directions of a capture become vectors (--flows): every
 * member set must match; an empty address or a port of -1 matches any. */
typedef struct torc_vectorize_filter {
  char src[64], dst[64];
  long sport, dport; /* -1: any */
} torc_vectorize_filter;

typedef struct torc_vectorize_opts {
  const char *out;       /* output folder (replaced atomically) */
  const char *catalogue; /* requirement catalogue: only testable ids */
  uint64_t seed;         /* scenario seed */
  unsigned per_flow;     /* vectors per flow (candidates with select) */
  unsigned select;       /* 0: keep every vector; K: keep a coverage-guided
                            set reaching each decision outcome in K flows */
  int quiet;             /* no per-capture summary, no dropped vectors */
  torc_vectorize_filter flows;
} torc_vectorize_opts;

/* Writes the vectors of captures[0..n) into o->out.  Returns 0, or -1 after
 * printing "torc vectorize: ..." to stderr (an unreadable catalogue, an
 * unreadable or malformed capture, an output error); o->out is untouched
 * on error. */
int torc_vectorize(const char *const *captures, size_t n,
                   const torc_vectorize_opts *o);

/* The coverage table of `torc list --coverage`: per catalogue row, id,
 * strength, testable, vectors and distinct flows on stdout.  Returns
 * TORC_COVERAGE_MET, TORC_COVERAGE_GAPS when a testable requirement of
 * groups A-I has vectors from fewer than 3 flows (each named on stderr), or
 * TORC_COVERAGE_ERROR when the catalogue cannot be read. */
enum { TORC_COVERAGE_MET = 0, TORC_COVERAGE_GAPS = 1, TORC_COVERAGE_ERROR = 2 };
int torc_vectorize_coverage(torc_vector *const *vs, size_t n,
                            const char *catalogue);

/* `torc explain`: prints why the reference makes each expected call of the
 * vector at path (its because) and, with write, rewrites the file with
 * them, its requirements the testable rules (catalogue) that decided its
 * events, and its id recomputed.  The reference must PASS the vector with
 * its exact trace.  Returns 0, or -1 with the reason in err. */
int torc_vectorize_explain(const char *path, const char *catalogue, int write,
                           FILE *out, char *err, size_t n);

#endif /* TORC_VECTORIZE_H */
