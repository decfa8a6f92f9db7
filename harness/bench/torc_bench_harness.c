/*
 * torc_bench_harness.c - `make bench-harness`: what isolating a vector
 * costs, against running it with no isolation.
 *
 * Loads the committed vectors once (loading is `make bench-e2e`'s subject,
 * the process boundary of an `exec:` or contained target `make
 * bench-exec`'s) and runs every one of them against the reference, a pass
 * at a time, three ways:
 *   in-process   torc_engine_run directly (`--isolate none`): the baseline,
 *                the same vectors and the same target, only no isolation;
 *   forked       torc_isolate_run: a forked child per vector (`torc run
 *                --isolate vector`);
 *   batch        torc_isolate_server: one forked child runs vectors, each on
 *                a fresh target instance, until one crashes or hangs (what
 *                `torc run` does by default for in-process targets); the
 *                server is started inside the timed pass.
 * Each isolation is compared with the baseline in paired, alternating
 * passes (the side that goes first alternates from pair to pair), and the
 * median and spread of the per-pair ratios and of the per-vector overhead
 * are printed (bench_ratio.h), against the target (isolation
 * overhead <= 200 us per vector in batch).  Numbers are wall-clock
 * measurements of the harness, never judgements.
 * Usage: torc-bench-harness [--pairs N] [VECTOR PATHS...]  (default: vectors)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_ratio.h"
#include "torc_engine.h"
#include "torc_isolate.h"
#include "torc_vector.h"

enum { MODE_INPROC, MODE_FORK, MODE_BATCH };
static const char *const mode_names[] = {"in-process", "forked", "batch"};

#define MAX_PAIRS 50

typedef struct bench {
  torc_vector **vs;
  size_t n;
  torc_engine *e;
} bench;

/* Seconds for one pass over every vector in mode; non-PASS/UNTESTED
 * verdicts added to *odd. */
static double pass(const bench *b, int mode, size_t *odd) {
  torc_isolate_opts io;
  torc_isolate_server *srv = NULL;
  memset(&io, 0, sizeof io);
  io.timeout_ms = 10000;
  io.memory_limit = (uint64_t)1 << 30;
  uint64_t t0 = torc_isolate_now_ns();
  if (mode == MODE_BATCH)
    srv = torc_isolate_server_new(b->e, (const torc_vector *const *)b->vs, b->n,
                                  &io);
  for (size_t i = 0; i < b->n; i++) {
    torc_result r;
    memset(&r, 0, sizeof r);
    if (mode == MODE_FORK)
      torc_isolate_run(b->e, b->vs[i], &io, &r);
    else if (srv)
      torc_isolate_server_run(srv, i, &r);
    else
      torc_engine_run(b->e, b->vs[i], &r);
    if (r.verdict != TORC_PASS && r.verdict != TORC_UNTESTED)
      (*odd)++;
    torc_result_clear(&r);
  }
  torc_isolate_server_free(srv);
  return (double)(torc_isolate_now_ns() - t0) / 1e9;
}

int main(int argc, char **argv) {
  const char **paths = calloc((size_t)argc + 1, sizeof *paths);
  size_t np = 0, odd = 0;
  char err[TORC_ERRBUF_SIZE] = "";
  int pairs = 7;
  bench b;

  memset(&b, 0, sizeof b);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--pairs") && i + 1 < argc)
      pairs = atoi(argv[++i]);
    else
      paths[np++] = argv[i];
  }
  if (pairs < 1 || pairs > MAX_PAIRS)
    pairs = 7;
  if (np == 0)
    paths[np++] = "vectors";
  if (torc_vector_load_all(paths, np, &b.vs, &b.n, err, sizeof err) != 0 ||
      b.n == 0) {
    fprintf(stderr, "bench: %s\n", err[0] ? err : "no vectors");
    return 2;
  }
  torc_engine_opts eo;
  memset(&eo, 0, sizeof eo);
  if (torc_engine_new("reference", &eo, &b.e, err) != 0) {
    fprintf(stderr, "bench: cannot load the reference: %s\n", err);
    return 2;
  }
  pass(&b, MODE_INPROC, &odd); /* warm up: captures read, caches filled */
  printf("torc harness benchmark: %zu vectors against the reference, %d "
         "paired passes per isolation\n",
         b.n, pairs);
  double batch_us = 0;
  for (int m = MODE_FORK; m <= MODE_BATCH; m++) {
    double ratio[MAX_PAIRS], over[MAX_PAIRS], base = 0, iso = 0;
    for (int i = 0; i < pairs; i++) {
      double a, t;
      if (i % 2 == 0) {
        a = pass(&b, MODE_INPROC, &odd);
        t = pass(&b, m, &odd);
      } else {
        t = pass(&b, m, &odd);
        a = pass(&b, MODE_INPROC, &odd);
      }
      ratio[i] = t / a;
      over[i] = (t - a) * 1e6 / (double)b.n;
      base += a / pairs;
      iso += t / pairs;
    }
    printf("%s: %.1f us per vector (in-process %.1f us; means)\n",
           mode_names[m], iso * 1e6 / (double)b.n, base * 1e6 / (double)b.n);
    bench_ratio_print("time / in-process", bench_ratio_of(ratio, pairs), "");
    bench_ratio o = bench_ratio_of(over, pairs);
    bench_ratio_print("overhead, us per vector", o,
                      m == MODE_BATCH ? "target <= 200 (torc run's default)"
                                      : "(--isolate vector)");
    if (m == MODE_BATCH)
      batch_us = o.median;
  }
  if (odd)
    fprintf(stderr, "bench: %zu runs not PASS/UNTESTED\n", odd);
  printf("target: isolation overhead <= 200 us/vector (batch): %.1f us - %s\n",
         batch_us, batch_us <= 200 ? "met" : "MISSED");
  torc_engine_free(b.e);
  torc_vector_free_all(b.vs, b.n);
  free(paths);
  return odd ? 1 : 0;
}
