/*
 * torc_bench_harness.c - `make bench-harness`: what running a vector costs.
 *
 * Loads the committed vectors and runs them, repeated, against the null
 * target (the baseline: the engine's own work, no target work) and the
 * reference target, three ways in the same run:
 *   in-process   torc_engine_run directly (no isolation);
 *   forked       torc_isolate_run: a forked child per vector (`torc run
 *                --isolate vector`);
 *   batch        torc_isolate_server: one forked child runs vectors, each on
 *                a fresh target instance, until one crashes or hangs (what
 *                `torc run` does by default for in-process targets);
 *   exec:        the target in torc-target-runner, over the wire protocol.
 * It prints vectors per second, ratios, and the per-vector overhead of fork
 * isolation and of the out-of-process protocol, against the issue's
 * targets (>= 5,000 vectors/s in-process, isolation overhead <= 200 us).
 * Numbers are wall-clock measurements of the harness, never judgements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "torc_engine.h"
#include "torc_isolate.h"
#include "torc_vector.h"

enum { MODE_INPROC, MODE_FORK, MODE_BATCH, MODE_EXEC, MODE_COUNT };
static const char *const mode_names[] = {"in-process", "forked", "batch",
                                         "exec:"};

typedef struct bench {
  torc_vector **vs;
  size_t n;
  double seconds; /* minimum measuring time per cell */
} bench;

/* Runs the vectors round-robin for at least b->seconds; returns vectors/s
 * (0 on a load error) and counts non-PASS verdicts in *odd. */
static double measure(const bench *b, const char *spec, int mode, size_t *odd) {
  torc_engine *e;
  torc_engine_opts eo;
  torc_isolate_opts io;
  torc_isolate_server *srv = NULL;
  char err[TORC_ERRBUF_SIZE] = "";
  uint64_t t0, t, limit = (uint64_t)(b->seconds * 1e9);
  size_t runs = 0;

  memset(&eo, 0, sizeof eo);
  memset(&io, 0, sizeof io);
  io.timeout_ms = 10000;
  io.memory_limit = (uint64_t)1 << 30;
  *odd = 0;
  if (torc_engine_new(spec, &eo, &e, err) != 0) {
    fprintf(stderr, "bench: cannot load %s: %s\n", spec, err);
    return 0;
  }
  /* Warm up: captures read, caches filled. */
  for (size_t i = 0; i < b->n; i++) {
    torc_result r;
    memset(&r, 0, sizeof r);
    torc_engine_run(e, b->vs[i], &r);
    torc_result_clear(&r);
  }
  if (mode == MODE_BATCH)
    srv = torc_isolate_server_new(e, (const torc_vector *const *)b->vs, b->n,
                                  &io);
  t0 = torc_isolate_now_ns();
  do {
    for (size_t i = 0; i < b->n; i++) {
      torc_result r;
      memset(&r, 0, sizeof r);
      if (mode == MODE_FORK)
        torc_isolate_run(e, b->vs[i], &io, &r);
      else if (srv)
        torc_isolate_server_run(srv, i, &r);
      else
        torc_engine_run(e, b->vs[i], &r);
      if (r.verdict != TORC_PASS && r.verdict != TORC_UNTESTED)
        (*odd)++;
      torc_result_clear(&r);
      runs++;
    }
    t = torc_isolate_now_ns() - t0;
  } while (t < limit);
  torc_isolate_server_free(srv);
  torc_engine_free(e);
  return (double)runs / ((double)t / 1e9);
}

static double us_per(double rate) {
  return rate > 0 ? 1e6 / rate : 0;
}

int main(int argc, char **argv) {
  static const char *const targets[] = {"null", "reference"};
  const char *runner = "build/bin/torc-target-runner";
  const char **paths = calloc((size_t)argc + 1, sizeof *paths);
  size_t np = 0, odd;
  double rate[2][MODE_COUNT];
  char err[1024] = "", spec[4096];
  bench b;
  int i, t, m;

  memset(&b, 0, sizeof b);
  b.seconds = 1.0;
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runner") && i + 1 < argc)
      runner = argv[++i];
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      b.seconds = atof(argv[++i]);
    else
      paths[np++] = argv[i];
  }
  if (np == 0)
    paths[np++] = "vectors";
  if (torc_vector_load_all(paths, np, &b.vs, &b.n, err, sizeof err) != 0 ||
      b.n == 0) {
    fprintf(stderr, "bench: %s\n", err[0] ? err : "no vectors");
    return 2;
  }
  printf("torc harness benchmark: %zu vectors, repeated for >= %.1f s per "
         "cell\n\n",
         b.n, b.seconds);
  printf("%-10s %14s %14s %14s %14s\n", "target", "in-process/s", "forked/s",
         "batch/s", "exec:/s");
  for (t = 0; t < 2; t++) {
    for (m = 0; m < MODE_COUNT; m++) {
      if (m == MODE_EXEC) {
        snprintf(spec, sizeof spec, "exec:%s --target %s", runner, targets[t]);
        rate[t][m] = measure(&b, spec, 0, &odd);
      } else {
        rate[t][m] = measure(&b, targets[t], m, &odd);
      }
      if (odd)
        fprintf(stderr, "bench: %s %s: %zu runs not PASS/UNTESTED\n",
                targets[t], mode_names[m], odd);
    }
    printf("%-10s %14.0f %14.0f %14.0f %14.0f\n", targets[t],
           rate[t][MODE_INPROC], rate[t][MODE_FORK], rate[t][MODE_BATCH],
           rate[t][MODE_EXEC]);
  }
  printf("\nper vector (us)    in-process  +fork/vector  +batch child  "
         "+exec: protocol\n");
  for (t = 0; t < 2; t++)
    printf("%-18s %10.1f %13.1f %13.1f %16.1f\n", targets[t],
           us_per(rate[t][MODE_INPROC]),
           us_per(rate[t][MODE_FORK]) - us_per(rate[t][MODE_INPROC]),
           us_per(rate[t][MODE_BATCH]) - us_per(rate[t][MODE_INPROC]),
           us_per(rate[t][MODE_EXEC]) - us_per(rate[t][MODE_INPROC]));
  {
    /* What the machine charges for a process, whatever torc does. */
    uint64_t t0 = torc_isolate_now_ns();
    int k;
    for (k = 0; k < 200; k++) {
      pid_t pid = fork();
      if (pid == 0)
        _exit(0);
      if (pid > 0)
        waitpid(pid, NULL, 0);
    }
    printf("baseline: bare fork+_exit+waitpid of this process: %.1f us\n",
           (double)(torc_isolate_now_ns() - t0) / 1e3 / 200);
  }
  printf("\nratios: reference/null in-process %.2f, forked %.2f, exec: "
         "%.2f\n",
         rate[1][MODE_INPROC] > 0 ? rate[0][MODE_INPROC] / rate[1][MODE_INPROC]
                                  : 0,
         rate[1][MODE_FORK] > 0 ? rate[0][MODE_FORK] / rate[1][MODE_FORK] : 0,
         rate[1][MODE_EXEC] > 0 ? rate[0][MODE_EXEC] / rate[1][MODE_EXEC] : 0);
  printf("        (time of a reference vector over a null-target vector)\n");
  {
    double fork_us = us_per(rate[1][MODE_FORK]) - us_per(rate[1][MODE_INPROC]);
    double batch_us =
        us_per(rate[1][MODE_BATCH]) - us_per(rate[1][MODE_INPROC]);
    printf("\ntarget: >= 5000 vectors/s in-process (reference): %.0f - %s\n",
           rate[1][MODE_INPROC],
           rate[1][MODE_INPROC] >= 5000 ? "met" : "MISSED");
    printf("target: isolation overhead <= 200 us/vector (batch, torc run's "
           "default): %.1f us - %s\n",
           batch_us, batch_us <= 200 ? "met" : "MISSED");
    printf("        (--isolate vector, a process per vector: %.1f us)\n",
           fork_us);
  }
  torc_vector_free_all(b.vs, b.n);
  free(paths);
  return 0;
}
