/*
 * load_smoke.c - drives targets through torc_load() with a recording host,
 * for harness/tests/test_loading.py (no engine, no vectors needed).
 *
 * Where it sits: a test program beside the engine.  It plays a small host:
 * one fixed script (offload with BufferedData in two lists, posts, in-order,
 * out-of-order and duplicate segments, push timer, indications answered
 * SUCCESS / PARTIALLY_ACCEPTED / NOT_ACCEPTED in turn, receive-return, posts
 * made from inside a completion (RCV-107), terminate with handed-back data,
 * a second connection) and records every upcall with its bytes, in call
 * order, as text.  Run in process and through exec:torc-target-runner, the
 * two recordings must be identical line for line.
 *
 *   load_smoke load SPEC [--fail-alloc K] load + unload; prints the error
 *   load_smoke trace SPEC [--fail-alloc K]
 *   load_smoke compare SPEC_A SPEC_B [--fail-alloc K]
 *   load_smoke status SPEC [TIMEOUT_MS]  runs the script; prints the status
 *                                        it ends in, then restarts
 *   load_smoke bench SPEC N              N scripts; prints us per script
 *   load_smoke fuzz N SEED               the codec on N mutated messages
 *   load_smoke validate HEX              the codec's verdict on one message
 *
 * The parts: load_smoke_host.c is the recording host, load_smoke_script.c
 * the script it plays, load_smoke_fuzz.c the codec fuzzing; this file runs
 * the commands (load, trace, compare, status, bench).  They share
 * load_smoke_int.h.
 *
 * Exit status: 0 ok, 1 mismatch / unexpected, 2 load error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "load_smoke_int.h"

/* Loads spec, runs the script, unloads.  Returns the recording (owned). */
static char *record(const char *spec, long fail_at, size_t *lines) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  r->fail_at = fail_at;
  torc_host_ops h = smoke_host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    exit(2);
  }
  smoke_emit(r, "loaded name=%s caps=%llx abi=%u", ops.name,
             (unsigned long long)ops.capabilities, ops.abi_version);
  smoke_run_script(r, &ops);
  /* A fresh instance (torc_loaded_reset) must replay the script exactly:
   * nothing (clock, counters) survives from the first run. */
  int rs = torc_loaded_reset(l, &ops, err);
  smoke_emit(r, "op reset -> %d %s", rs, rs ? err : "");
  if (rs == 0) {
    r->next_id = 1;
    r->indications = 0;
    r->naccepted = 0;
    r->has_upload = 0;
    smoke_run_script(r, &ops);
  }
  char why[TORC_ERRBUF_SIZE];
  int st = torc_loaded_status(l, why, sizeof(why));
  smoke_emit(r, "status %d %s", st, why);
  torc_unload(l);
  smoke_emit(r, "host blocks still allocated after unload: %ld",
             r->outstanding);
  *lines = r->lines;
  char *t = r->text;
  free(r);
  return t;
}

static long parse_fail(int argc, char **argv, int at) {
  if (argc > at + 1 && strcmp(argv[at], "--fail-alloc") == 0)
    return atol(argv[at + 1]);
  return 0;
}

static int cmd_compare(const char *a, const char *b, long fail_at) {
  size_t na, nb;
  char *ta = record(a, fail_at, &na);
  char *tb = record(b, fail_at, &nb);
  /* The "loaded" lines may differ only in nothing: same name, caps, ABI. */
  const char *pa = ta, *pb = tb;
  for (size_t line = 1;; line++) {
    const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
    if (!ea && !eb)
      break;
    if (!ea || !eb || ea - pa != eb - pb || memcmp(pa, pb, (size_t)(ea - pa))) {
      printf("MISMATCH at line %zu\n  %s: %.*s\n  %s: %.*s\n", line, a,
             ea ? (int)(ea - pa) : 5, ea ? pa : "(end)", b,
             eb ? (int)(eb - pb) : 5, eb ? pb : "(end)");
      free(ta);
      free(tb);
      return 1;
    }
    pa = ea + 1;
    pb = eb + 1;
  }
  printf("identical: %zu events\n", na);
  free(ta);
  free(tb);
  return 0;
}

static const char *status_name(int st) {
  return st == 0                   ? "OK"
         : st == TORC_LOAD_CRASHED ? "CRASHED"
         : st == TORC_LOAD_TIMEOUT ? "TIMEOUT"
                                   : "?";
}

static int cmd_status(const char *spec, unsigned timeout_ms) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  torc_host_ops h = smoke_host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  if (timeout_ms)
    torc_loaded_set_timeout(l, timeout_ms);
  smoke_run_script(r, &ops);
  char why[TORC_ERRBUF_SIZE];
  int st = torc_loaded_status(l, why, sizeof(why));
  printf("status %s: %s\n", status_name(st), why);
  /* Every op is a no-op now: this must neither hang nor crash. */
  void *conn = NULL;
  int rc = ops.conn_open(ops.user_data, 7, &conn);
  printf("conn_open after failure -> %d\n", rc);
  if (rc == 0)
    ops.conn_close(ops.user_data, conn);
  int rs = torc_loaded_restart(l, err);
  printf("restart -> %d %s\n", rs, rs ? err : "");
  printf("status after restart %s\n",
         status_name(torc_loaded_status(l, why, sizeof(why))));
  torc_unload(l);
  free(r->text);
  smoke_free_reqs(r);
  free(r);
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(const char *spec, int n) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  torc_host_ops h = smoke_host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  double t0 = now_s();
  size_t events = 0;
  for (int i = 0; i < n; i++) {
    r->len = 0;
    r->lines = 0;
    smoke_run_script(r, &ops);
    events += r->lines;
  }
  double dt = now_s() - t0;
  printf("%s: %d scripts, %.1f us/script, %zu events/script, "
         "%.2f us/event\n",
         spec, n, dt * 1e6 / n, events / (size_t)n, dt * 1e6 / (double)events);
  torc_unload(l);
  free(r->text);
  free(r);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "load")) {
    rec r;
    memset(&r, 0, sizeof(r));
    r.fail_at = parse_fail(argc, argv, 3);
    torc_host_ops h = smoke_host_ops();
    torc_loaded *l;
    torc_target ops;
    char err[TORC_ERRBUF_SIZE];
    if (torc_load(argv[2], &h, &r, &l, &ops, err) != 0) {
      printf("%s\n", err);
      return 2;
    }
    printf("loaded name=%s version=%s abi=%u caps=0x%llx remote=%d\n", ops.name,
           ops.version, ops.abi_version, (unsigned long long)ops.capabilities,
           torc_loaded_is_remote(l));
    torc_unload(l);
    free(r.text);
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "trace")) {
    size_t n;
    char *t = record(argv[2], parse_fail(argc, argv, 3), &n);
    fputs(t, stdout);
    free(t);
    return 0;
  }
  if (argc >= 4 && !strcmp(argv[1], "compare"))
    return cmd_compare(argv[2], argv[3], parse_fail(argc, argv, 4));
  if (argc >= 3 && !strcmp(argv[1], "status"))
    return cmd_status(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 0);
  if (argc >= 4 && !strcmp(argv[1], "bench"))
    return cmd_bench(argv[2], atoi(argv[3]));
  if (argc >= 4 && !strcmp(argv[1], "fuzz"))
    return smoke_cmd_fuzz(atol(argv[2]), strtoul(argv[3], NULL, 10));
  if (argc >= 3 && !strcmp(argv[1], "validate"))
    return smoke_cmd_validate(argv[2]);
  fprintf(stderr,
          "usage: load_smoke load|trace|compare|status|bench|fuzz ...\n");
  return 2;
}
