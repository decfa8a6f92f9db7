/*
 * torc_cli_run.c - `torc run`: the suite against one target.
 *
 * The flow: parse options -> load vectors (torc_vector_load_all) and
 * compute the vector-set digest -> select (torc_cli_select.c) -> load
 * waivers (an expired one stops here, exit 2) -> load the target once
 * (torc_engine_new; a refused target is exit 2) -> open the journal (and
 * with --resume keep what it holds) -> run every selected vector:
 *   - in-process target: by default one forked child runs vector after
 *     vector, each on a fresh target instance, and is replaced when a
 *     vector crashes or hangs (--isolate batch); --isolate vector forks a
 *     child per vector (torc_isolate.c);
 *   - out-of-process target (exec:): directly, then torc_loaded_status
 *     maps a dead or silent child to CRASH/TIMEOUT and restarts it;
 *   - --jobs N: N worker processes, each with its own engine and target,
 *     fed vector indexes over a pipe and answering packed results;
 * -> each result is waived or not, appended to the journal (fsync'd),
 * printed (TAP, progress) -> at the end, or on SIGINT/SIGTERM, the JSON
 * and JUnit files are written atomically and the exit status chosen.
 */
#include "torc_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "torc_bundle.h"
#include "torc_isolate.h"
#include "torc_load.h"
#include "torc_results.h"
#include "torc_results_record.h"

#define MAX_JOBS 256

enum { ISO_VECTOR, ISO_BATCH, ISO_NONE };

static volatile sig_atomic_t g_stop; /* set by SIGINT/SIGTERM */

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
}

typedef struct run_opts {
  const char *target;
  torc_strlist vectors;
  torc_selection sel;
  unsigned jobs;
  const char *json, *junit, *waivers;
  const char *bundle; /* --bundle DIR (H14) */
  int traces;         /* --traces: event traces for every vector */
  int tap, strict, fail_fast, resume, quiet;
  int isolate; /* ISO_VECTOR, ISO_BATCH or ISO_NONE */
  unsigned timeout_ms;
  unsigned long memory_mb;
} run_opts;

typedef struct run_ctx {
  run_opts *o;
  torc_vector **sel;
  size_t nsel;
  unsigned char *done; /* done[i]: sel[i] has a result */
  torc_results *rs;
  torc_journal *journal;
  torc_waivers waivers;
  torc_progress prog;
  size_t tap_n;
  int fail_stop; /* --fail-fast saw a failure */
  int journal_warned;
} run_ctx;

static const char run_help[] =
    "Usage: torc run --target SPEC [--vectors DIR|FILE]... [OPTIONS] "
    "[DIR|FILE]...\n"
    "Run test vectors against an offload target and judge it.\n"
    "\n"
    "Target:\n"
    "  --target SPEC        reference | null | PATH.so | exec:COMMAND\n"
    "Vectors and selection:\n"
    "  --vectors DIR|FILE   vector files or directories (repeatable; default\n"
    "                       $TORC_VECTORS, ./vectors, or the installed set)\n"
    "  --id GLOB            keep vectors whose id matches (repeatable)\n"
    "  --requirement RCV    keep vectors exercising RCV-nnn (repeatable)\n"
    "  --tag TAG            keep vectors carrying TAG (repeatable)\n"
    "  --exclude GLOB       drop vectors whose id matches (repeatable)\n"
    "  --shard I/N          keep shard I of N (1 <= I <= N, by sorted id)\n"
    "Running:\n"
    "  --jobs N             N worker processes (default 1)\n"
    "  --timeout MS         per-vector watchdog (default 10000)\n"
    "  --memory-limit MB    per-vector address-space limit (default 1024, 0:\n"
    "                       none)\n"
    "  --isolate MODE       in-process targets: batch (default: a forked\n"
    "                       child runs vectors, each on a fresh target\n"
    "                       instance, until one crashes or hangs; then a new\n"
    "                       child goes on), vector (a forked child per\n"
    "                       vector: also resets a .so's global variables),\n"
    "                       none (debugging: a crash ends the run)\n"
    "  --no-isolate         same as --isolate none\n"
    "  --strict             PASS-NONSTRICT counts as a failure\n"
    "  --fail-fast          stop after the first failing vector\n"
    "  --waivers FILE       JSON list of waivers; an expired one is exit 2\n"
    "  --resume             continue an interrupted run from FILE.journal\n"
    "                       (needs --json FILE)\n"
    "Output:\n"
    "  --json FILE          results as JSON (written atomically)\n"
    "  --junit FILE         results as JUnit XML\n"
    "  --tap                TAP version 13 on stdout\n"
    "  --quiet              no progress or summary on stderr\n"
    "  --traces             record event traces and the script for every\n"
    "                       vector (always done for vectors that do not PASS;\n"
    "                       `torc report` draws them)\n"
    "  --bundle DIR         per failing vector, a self-contained repro folder\n"
    "                       DIR/ID (vector, sliced capture, traces, target "
    "log,\n"
    "                       replay command)\n"
    "\n"
    "Exit status: 0 conformant, 1 non-conformant (a FAIL), 2 usage, input or\n"
    "target-load error, 3 incomplete (CRASH, TIMEOUT, ERROR or interrupted).\n"
    "When several apply the highest-priority one wins: 2, then 3, then 1.\n";

enum {
  OPT_TARGET = 256,
  OPT_VECTORS,
  OPT_ID,
  OPT_REQ,
  OPT_TAG,
  OPT_EXCLUDE,
  OPT_SHARD,
  OPT_JOBS,
  OPT_JSON,
  OPT_JUNIT,
  OPT_TAP,
  OPT_STRICT,
  OPT_FAILFAST,
  OPT_TIMEOUT,
  OPT_WAIVERS,
  OPT_RESUME,
  OPT_QUIET,
  OPT_MEMLIMIT,
  OPT_NOISOLATE,
  OPT_ISOLATE,
  OPT_BUNDLE,
  OPT_TRACES,
  OPT_HELP
};

static const struct option run_longopts[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"vectors", required_argument, NULL, OPT_VECTORS},
    {"id", required_argument, NULL, OPT_ID},
    {"requirement", required_argument, NULL, OPT_REQ},
    {"tag", required_argument, NULL, OPT_TAG},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"json", required_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"tap", no_argument, NULL, OPT_TAP},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"fail-fast", no_argument, NULL, OPT_FAILFAST},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"waivers", required_argument, NULL, OPT_WAIVERS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"memory-limit", required_argument, NULL, OPT_MEMLIMIT},
    {"no-isolate", no_argument, NULL, OPT_NOISOLATE},
    {"isolate", required_argument, NULL, OPT_ISOLATE},
    {"bundle", required_argument, NULL, OPT_BUNDLE},
    {"traces", no_argument, NULL, OPT_TRACES},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

/* Returns -1 to go on, else an exit status. */
static int parse_run(int argc, char **argv, run_opts *o) {
  int c;
  unsigned long u;
  o->jobs = 1;
  o->timeout_ms = 10000;
  o->memory_mb = 1024;
  o->isolate = ISO_BATCH; /* as isolating as ISO_VECTOR through target.h */
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", run_longopts, NULL)) != -1) {
    switch (c) {
    case OPT_TARGET:
      o->target = optarg;
      break;
    case OPT_VECTORS:
      torc_strlist_add(&o->vectors, optarg);
      break;
    case OPT_ID:
      torc_strlist_add(&o->sel.ids, optarg);
      break;
    case OPT_REQ:
      torc_strlist_add(&o->sel.requirements, optarg);
      break;
    case OPT_TAG:
      torc_strlist_add(&o->sel.tags, optarg);
      break;
    case OPT_EXCLUDE:
      torc_strlist_add(&o->sel.excludes, optarg);
      break;
    case OPT_SHARD:
      if (torc_cli_parse_shard(optarg, &o->sel.shard_index,
                               &o->sel.shard_count) != 0)
        return torc_cli_usage_error("run",
                                    "--shard '%s': expected I/N with "
                                    "1 <= I <= N",
                                    optarg);
      break;
    case OPT_JOBS:
      if (torc_cli_parse_uint(optarg, 1, MAX_JOBS, &u) != 0)
        return torc_cli_usage_error("run", "--jobs '%s': expected 1..%d",
                                    optarg, MAX_JOBS);
      o->jobs = (unsigned)u;
      break;
    case OPT_JSON:
      o->json = optarg;
      break;
    case OPT_JUNIT:
      o->junit = optarg;
      break;
    case OPT_TAP:
      o->tap = 1;
      break;
    case OPT_STRICT:
      o->strict = 1;
      break;
    case OPT_FAILFAST:
      o->fail_fast = 1;
      break;
    case OPT_TIMEOUT:
      if (torc_cli_parse_uint(optarg, 1, 86400000, &u) != 0)
        return torc_cli_usage_error(
            "run", "--timeout '%s': expected milliseconds, 1..86400000",
            optarg);
      o->timeout_ms = (unsigned)u;
      break;
    case OPT_WAIVERS:
      o->waivers = optarg;
      break;
    case OPT_RESUME:
      o->resume = 1;
      break;
    case OPT_QUIET:
      o->quiet = 1;
      break;
    case OPT_MEMLIMIT:
      if (torc_cli_parse_uint(optarg, 0, 1u << 20, &u) != 0)
        return torc_cli_usage_error(
            "run", "--memory-limit '%s': expected MB, 0..1048576", optarg);
      o->memory_mb = u;
      break;
    case OPT_NOISOLATE:
      o->isolate = ISO_NONE;
      break;
    case OPT_ISOLATE:
      if (strcmp(optarg, "vector") == 0)
        o->isolate = ISO_VECTOR;
      else if (strcmp(optarg, "batch") == 0)
        o->isolate = ISO_BATCH;
      else if (strcmp(optarg, "none") == 0)
        o->isolate = ISO_NONE;
      else
        return torc_cli_usage_error(
            "run", "--isolate '%s': expected vector, batch or none", optarg);
      break;
    case OPT_BUNDLE:
      o->bundle = optarg;
      break;
    case OPT_TRACES:
      o->traces = 1;
      break;
    case OPT_HELP:
      fputs(run_help, stdout);
      return TORC_EXIT_OK;
    default:
      if (optopt)
        return torc_cli_usage_error("run", "option '%s' needs a value",
                                    argv[optind - 1]);
      return torc_cli_usage_error("run", "unknown option '%s'",
                                  argv[optind - 1]);
    }
  }
  for (; optind < argc; optind++)
    torc_strlist_add(&o->vectors, argv[optind]);
  if (!o->target)
    return torc_cli_usage_error("run", "--target SPEC is required");
  if (o->resume && !o->json)
    return torc_cli_usage_error(
        "run", "--resume needs --json FILE (the journal is FILE.journal)");
  return -1;
}

/* ---- One vector ---------------------------------------------------------- */

typedef struct runner {
  torc_engine *e;
  torc_loaded *loaded;
  int remote;
  char dead[TORC_ERRBUF_SIZE]; /* remote target could not restart */
  torc_isolate_opts iso;
  int isolate;
  torc_vector *const *vs; /* the selection (borrowed) */
  size_t nvs;
  torc_isolate_server *server; /* ISO_BATCH */
} runner;

static int runner_open(runner *rn, const run_opts *o, torc_vector *const *vs,
                       size_t nvs, char *errbuf) {
  torc_engine_opts eo;
  memset(rn, 0, sizeof *rn);
  memset(&eo, 0, sizeof eo);
  eo.strict = o->strict;
  eo.record_traces = 1; /* kept for vectors that do not PASS (report) */
  if (torc_engine_new(o->target, &eo, &rn->e, errbuf) != 0)
    return -1;
  rn->loaded = torc_engine_loaded(rn->e);
  rn->remote = rn->loaded ? torc_loaded_is_remote(rn->loaded) : 0;
  if (rn->remote)
    torc_loaded_set_timeout(rn->loaded, o->timeout_ms);
  rn->iso.timeout_ms = o->timeout_ms;
  rn->iso.memory_limit = (uint64_t)o->memory_mb << 20;
  rn->iso.stop = &g_stop;
  rn->isolate = o->isolate;
  rn->vs = vs;
  rn->nvs = nvs;
  if (!rn->remote && rn->isolate == ISO_BATCH) {
    rn->server = torc_isolate_server_new(rn->e, (const torc_vector *const *)vs,
                                         nvs, &rn->iso);
    if (!rn->server) {
      snprintf(errbuf, TORC_ERRBUF_SIZE, "out of memory");
      torc_engine_free(rn->e);
      rn->e = NULL;
      return -1;
    }
  }
  return 0;
}

static void set_detail(torc_result *r, torc_verdict v, const char *msg) {
  r->verdict = v;
  snprintf(r->detail, sizeof r->detail, "%s", msg);
}

/* Runs vector idx of the selection; returns 1 when interrupted (no
 * verdict), else 0. */
static int runner_run(runner *rn, size_t idx, torc_result *r) {
  const torc_vector *v = rn->vs[idx];
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", v->id);
  if (rn->dead[0]) {
    set_detail(r, TORC_ERROR, rn->dead);
    return 0;
  }
  if (rn->server)
    return torc_isolate_server_run(rn->server, idx, r) == 1;
  if (!rn->remote && rn->isolate == ISO_VECTOR)
    return torc_isolate_run(rn->e, v, &rn->iso, r) == 1;
  {
    uint64_t t0 = torc_isolate_now_ns();
    char why[TORC_ERRBUF_SIZE] = "";
    int st;
    torc_engine_run(rn->e, v, r);
    if (!r->duration_ns)
      r->duration_ns = torc_isolate_now_ns() - t0;
    if (!rn->remote)
      return 0;
    st = torc_loaded_status(rn->loaded, why, sizeof why);
    if (st == 0)
      return 0;
    torc_result_clear(r);
    r->nviolations = 0;
    r->divergence.present = 0;
    r->allowances[0] = '\0';
    set_detail(r, st == TORC_LOAD_TIMEOUT ? TORC_TIMEOUT : TORC_CRASH,
               why[0] ? why : "target process failed");
    if (torc_loaded_restart(rn->loaded, why) != 0)
      snprintf(rn->dead, sizeof rn->dead,
               "target could not be restarted: %.200s", why);
  }
  return 0;
}

static void runner_close(runner *rn) {
  torc_isolate_server_free(rn->server);
  rn->server = NULL;
  if (rn->e)
    torc_engine_free(rn->e);
  rn->e = NULL;
}

/* ---- Results of one vector ------------------------------------------- */

static int failing(const run_opts *o, torc_verdict v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR || (o->strict && v == TORC_PASS_NONSTRICT);
}

/* What `torc report` draws for a vector that did not PASS (or for every
 * vector with --traces): the expected and actual event traces, the script
 * and stream (torc_bundle_context), the vector file and the one command
 * that replays it alone. */
static void add_report_context(const run_opts *o, json_t *rec,
                               const torc_result *r, const torc_vector *v) {
  json_error_t je;
  json_t *ex, *ac, *ctx;
  char *cmd = NULL;
  if (r->verdict == TORC_PASS && !o->traces)
    return;
  ex = r->expected_trace_json ? json_loads(r->expected_trace_json, 0, &je)
                              : NULL;
  ac = r->actual_trace_json ? json_loads(r->actual_trace_json, 0, &je) : NULL;
  if (ex || ac)
    json_object_set_new(rec, "traces",
                        json_pack("{s:o, s:o}", "expected",
                                  ex ? ex : json_null(), "actual",
                                  ac ? ac : json_null()));
  ctx = torc_bundle_context(v);
  if (ctx)
    json_object_set_new(rec, "context", ctx);
  json_object_set_new(rec, "vector", torc_json_text(v->path, 4096));
  if (asprintf(&cmd, "torc run --target %s%s --vectors %s", o->target,
               o->strict ? " --strict" : "", v->path) > 0) {
    json_object_set_new(rec, "replay", torc_json_text(cmd, 8192));
    free(cmd);
  }
}

/* --bundle DIR: one repro folder per failing vector (torc_bundle.c). */
static void write_bundles(const run_ctx *c) {
  torc_bundle_opts bo;
  size_t i, k, n = 0, nerr = 0;
  memset(&bo, 0, sizeof bo);
  bo.target_spec = c->o->target;
  bo.strict = c->o->strict;
  bo.timeout_ms = c->o->timeout_ms;
  bo.memory_limit = (uint64_t)c->o->memory_mb << 20;
  for (i = 0; i < torc_results_count(c->rs); i++) {
    const json_t *rec = torc_results_get(c->rs, i);
    const char *id = json_string_value(json_object_get(rec, "id"));
    int verdict = torc_results_verdict(rec);
    char err[1024];
    if (verdict < 0 || !id || !failing(c->o, (torc_verdict)verdict))
      continue;
    for (k = 0; k < c->nsel && strcmp(c->sel[k]->id, id) != 0; k++)
      ;
    if (k == c->nsel)
      continue;
    if (torc_bundle_write(c->o->bundle, c->sel[k], rec, &bo, err, sizeof err) !=
        0) {
      if (nerr++ < 5)
        fprintf(stderr, "torc run: bundle %s: %s\n", id, err);
    } else {
      n++;
    }
  }
  if (!c->o->quiet || nerr)
    fprintf(stderr, "torc run: %zu repro bundle%s in %s%s\n", n,
            n == 1 ? "" : "s", c->o->bundle, nerr ? " (some failed)" : "");
}

static void finish_one(run_ctx *c, size_t idx, torc_result *r) {
  const torc_vector *v = c->sel[idx];
  const torc_waiver *w = NULL;
  torc_verdict orig = r->verdict;
  json_t *rec;

  if ((unsigned)r->verdict >= TORC_VERDICT_COUNT)
    r->verdict = TORC_ERROR;
  if ((r->verdict == TORC_FAIL || r->verdict == TORC_CRASH ||
       r->verdict == TORC_TIMEOUT ||
       (c->o->strict && r->verdict == TORC_PASS_NONSTRICT)) &&
      (w = torc_waivers_match(&c->waivers, v, r)) != NULL) {
    orig = r->verdict;
    r->verdict = TORC_WAIVED;
    snprintf(r->detail, sizeof r->detail, "was %s: %s", torc_verdict_name(orig),
             w->reason);
  }
  rec = torc_results_record(r, v);
  if (!rec) {
    fprintf(stderr, "torc run: out of memory\n");
    return;
  }
  if (w)
    json_object_set_new(rec, "waiver",
                        json_pack("{s:s, s:o, s:s, s:o, s:s}", "verdict",
                                  torc_verdict_name(orig), "reason",
                                  torc_json_text(w->reason, 1024), "expires",
                                  w->expires, "link",
                                  torc_json_text(w->link ? w->link : "", 1024),
                                  w->vector ? "vector" : "requirement",
                                  w->vector ? w->vector : w->requirement));
  add_report_context(c->o, rec, r, v);
  if (torc_journal_append(c->journal, rec) != 0 && !c->journal_warned) {
    fprintf(stderr, "torc run: cannot append to the journal: %s\n",
            strerror(errno));
    c->journal_warned = 1;
  }
  if (c->o->tap)
    torc_tap_line(stdout, ++c->tap_n, rec, c->o->strict);
  torc_results_add(c->rs, rec);
  c->done[idx] = 1;
  {
    /* One line for humans: the detail, else the first violation, else the
     * allowances that made it PASS-NONSTRICT. */
    char line[2 * TORC_MSG_SIZE + 32];
    if (r->detail[0])
      snprintf(line, sizeof line, "%s", r->detail);
    else if (r->nviolations > 0)
      snprintf(line, sizeof line, "%s: %s%s", r->violations[0].requirement,
               r->violations[0].message, r->nviolations > 1 ? " (...)" : "");
    else if (r->allowances[0])
      snprintf(line, sizeof line, "allowance %s", r->allowances);
    else
      line[0] = '\0';
    torc_progress_add(&c->prog, v->id, r->verdict, line);
  }
  if (c->o->fail_fast && failing(c->o, r->verdict))
    c->fail_stop = 1;
}

/* ---- Serial run ---------------------------------------------------------- */

static int run_serial(run_ctx *c, runner *rn) {
  size_t i;
  for (i = 0; i < c->nsel; i++) {
    torc_result r;
    if (c->done[i])
      continue;
    if (g_stop || c->fail_stop)
      break;
    if (runner_run(rn, i, &r) == 1 || (g_stop && !rn->remote)) {
      torc_result_clear(&r);
      break;
    }
    finish_one(c, i, &r);
    torc_result_clear(&r);
  }
  return g_stop ? 1 : 0;
}

/* ---- Parallel run: worker processes ------------------------------------ */

typedef struct worker {
  pid_t pid;
  int task_fd;   /* parent writes uint32 indexes */
  int result_fd; /* parent reads [uint32 len][packed result] */
  long inflight; /* index being run, -1 when idle */
} worker;

static int read_full(int fd, void *buf, size_t n) {
  unsigned char *p = buf;
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int write_full(int fd, const void *buf, size_t n) {
  const unsigned char *p = buf;
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void worker_main(run_ctx *c, int task_fd, int result_fd) {
  runner rn;
  char err[TORC_ERRBUF_SIZE] = "";
  uint32_t idx;
  int ok;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_DFL);
  ok = runner_open(&rn, c->o, c->sel, c->nsel, err) == 0;
  if (!ok) {
    memset(&rn, 0, sizeof rn);
    rn.vs = c->sel;
    rn.nvs = c->nsel;
    snprintf(rn.dead, sizeof rn.dead, "target failed to load in worker: %.200s",
             err);
  }
  while (read_full(task_fd, &idx, sizeof idx) == 0) {
    torc_result r;
    unsigned char *b = NULL;
    size_t n;
    uint32_t len;
    if (idx >= c->nsel)
      break;
    runner_run(&rn, idx, &r);
    n = torc_result_pack(&r, &b);
    torc_result_clear(&r);
    len = (uint32_t)n;
    if (!n || write_full(result_fd, &len, sizeof len) != 0 ||
        write_full(result_fd, b, n) != 0) {
      free(b);
      break;
    }
    free(b);
  }
  if (ok)
    runner_close(&rn);
  _exit(0);
}

/* ws/nws: the other workers, whose pipe ends a new worker must not keep
 * open (else a worker would never see EOF on its task pipe). */
static int worker_spawn(run_ctx *c, worker *w, worker *ws, unsigned nws) {
  int t[2], r[2];
  pid_t pid;
  if (pipe2(t, O_CLOEXEC) != 0)
    return -1;
  if (pipe2(r, O_CLOEXEC) != 0) {
    close(t[0]);
    close(t[1]);
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(t[0]);
    close(t[1]);
    close(r[0]);
    close(r[1]);
    return -1;
  }
  if (pid == 0) {
    unsigned k;
    close(t[1]);
    close(r[0]);
    for (k = 0; k < nws; k++) {
      if (&ws[k] == w || ws[k].pid <= 0)
        continue;
      close(ws[k].task_fd);
      close(ws[k].result_fd);
    }
    worker_main(c, t[0], r[1]);
  }
  close(t[0]);
  close(r[1]);
  w->pid = pid;
  w->task_fd = t[1];
  w->result_fd = r[0];
  w->inflight = -1;
  return 0;
}

static void worker_stop(worker *w, int kill_it) {
  int st;
  if (w->pid <= 0)
    return;
  if (w->task_fd >= 0)
    close(w->task_fd);
  if (kill_it)
    kill(w->pid, SIGKILL);
  while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
    ;
  close(w->result_fd);
  w->pid = 0;
  w->task_fd = w->result_fd = -1;
}

/* Next vector to hand out, or -1. */
static long next_task(run_ctx *c, size_t *cursor) {
  while (*cursor < c->nsel && c->done[*cursor])
    (*cursor)++;
  if (*cursor >= c->nsel || g_stop || c->fail_stop)
    return -1;
  return (long)(*cursor)++;
}

static int give(run_ctx *c, worker *w, size_t *cursor) {
  long t = next_task(c, cursor);
  uint32_t idx;
  if (t < 0)
    return 0;
  idx = (uint32_t)t;
  if (write_full(w->task_fd, &idx, sizeof idx) != 0) {
    (*cursor)--; /* hand it out again */
    return -1;
  }
  w->inflight = t;
  return 1;
}

static int run_parallel(run_ctx *c) {
  worker ws[MAX_JOBS];
  struct pollfd pf[MAX_JOBS];
  unsigned nw = c->o->jobs, i;
  size_t cursor = 0;
  int busy = 0;

  for (i = 0; i < nw; i++) {
    ws[i].pid = 0;
    ws[i].task_fd = ws[i].result_fd = -1;
    ws[i].inflight = -1;
    if (worker_spawn(c, &ws[i], ws, i) != 0) {
      fprintf(stderr, "torc run: cannot start worker: %s\n", strerror(errno));
      break;
    }
  }
  nw = i;
  for (i = 0; i < nw; i++)
    busy += give(c, &ws[i], &cursor) == 1;
  while (busy > 0 && !g_stop) {
    int rc;
    for (i = 0; i < nw; i++) {
      pf[i].fd = ws[i].inflight >= 0 ? ws[i].result_fd : -1;
      pf[i].events = POLLIN;
      pf[i].revents = 0;
    }
    rc = poll(pf, nw, -1);
    if (rc < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (i = 0; i < nw; i++) {
      torc_result r;
      uint32_t len;
      unsigned char *b;
      size_t idx;
      if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)) || ws[i].inflight < 0)
        continue;
      idx = (size_t)ws[i].inflight;
      ws[i].inflight = -1;
      busy--;
      memset(&r, 0, sizeof r);
      b = NULL;
      if (read_full(ws[i].result_fd, &len, sizeof len) != 0 ||
          len > (200u << 20) || !(b = malloc(len ? len : 1)) ||
          read_full(ws[i].result_fd, b, len) != 0 ||
          torc_result_unpack(b, len, &r) != 0) {
        /* The worker died or spoke nonsense: that vector ends as CRASH and
         * a fresh worker takes over. */
        free(b);
        if (g_stop)
          break;
        memset(&r, 0, sizeof r);
        r.verdict = TORC_CRASH;
        snprintf(r.detail, sizeof r.detail, "the worker process died");
        finish_one(c, idx, &r);
        worker_stop(&ws[i], 1);
        if (worker_spawn(c, &ws[i], ws, nw) == 0)
          busy += give(c, &ws[i], &cursor) == 1;
        continue;
      }
      free(b);
      snprintf(r.id, sizeof r.id, "%s", c->sel[idx]->id);
      finish_one(c, idx, &r);
      torc_result_clear(&r);
      busy += give(c, &ws[i], &cursor) == 1;
    }
  }
  for (i = 0; i < nw; i++)
    worker_stop(&ws[i], g_stop || ws[i].inflight >= 0);
  return g_stop ? 1 : 0;
}

/* ---- The command ------------------------------------------------------- */

static int worst(int a, int b) {
  static const int rank[] = {0, 1, 3, 2}; /* exit status -> priority */
  return rank[a] >= rank[b] ? a : b;
}

static void target_info_copy(const torc_target *ops, torc_target_info *ti,
                             char *name, char *version) {
  snprintf(name, 128, "%.*s", 127, ops && ops->name ? ops->name : "(unnamed)");
  snprintf(version, 128, "%.*s", 127, ops && ops->version ? ops->version : "");
  ti->name = name;
  ti->version = version;
  ti->abi_version = ops ? ops->abi_version : 0;
  ti->capabilities = ops ? (unsigned long long)ops->capabilities : 0;
}

int torc_cmd_run(int argc, char **argv) {
  run_opts o;
  run_ctx c;
  runner rn;
  torc_vector **all = NULL;
  size_t nall = 0, i, not_run = 0;
  size_t counts[TORC_VERDICT_COUNT];
  char digest[65], err[1024], name[128], version[128];
  char started[32], finished[32];
  char *journal_path = NULL;
  torc_target_info ti;
  struct sigaction sa;
  int rc, status, interrupted = 0;
  int have_runner = 0;

  memset(&o, 0, sizeof o);
  memset(&c, 0, sizeof c);
  memset(&rn, 0, sizeof rn);
  c.o = &o;
  rc = parse_run(argc, argv, &o);
  if (rc >= 0)
    goto out;
  rc = TORC_EXIT_USAGE;
  torc_results_now(started);

  if (torc_cli_load_vectors("run", o.vectors.v, o.vectors.n, &all, &nall))
    goto out;
  torc_vector_set_digest(all, nall, digest);
  c.sel = calloc(nall + 1, sizeof *c.sel);
  c.done = calloc(nall + 1, 1);
  if (!c.sel || !c.done) {
    fprintf(stderr, "torc run: out of memory\n");
    goto out;
  }
  torc_cli_select(&o.sel, all, nall, c.sel, &c.nsel);
  if (c.nsel == 0 && o.sel.shard_count <= 1) {
    /* A gate that runs nothing must not pass silently.  (An empty shard
     * of a small set is fine: the other shards hold the vectors.) */
    fprintf(stderr, "torc run: no vector matches the selection (%zu loaded)\n",
            nall);
    goto out;
  }

  if (o.waivers) {
    int wrc = torc_waivers_load(o.waivers, &c.waivers, err, sizeof err);
    if (wrc != 0) {
      fprintf(stderr, "torc run: %s\n", err);
      goto out;
    }
  }

  /* The target is loaded once here: a refused target is exit 2 before any
   * vector runs.  With --jobs the workers load their own. */
  err[0] = '\0';
  if (runner_open(&rn, &o, c.sel, c.nsel, err) != 0) {
    fprintf(stderr, "torc run: cannot load target '%s': %s\n", o.target,
            err[0] ? err : "unknown error");
    goto out;
  }
  have_runner = 1;
  target_info_copy(torc_engine_ops(rn.e), &ti, name, version);
  if (o.jobs > 1) {
    runner_close(&rn);
    have_runner = 0;
  }

  c.rs = torc_results_new(digest, &ti);
  if (!c.rs) {
    fprintf(stderr, "torc run: out of memory\n");
    goto out;
  }
  if (o.json) {
    size_t n = strlen(o.json) + 9;
    journal_path = malloc(n);
    if (!journal_path) {
      fprintf(stderr, "torc run: out of memory\n");
      goto out;
    }
    snprintf(journal_path, n, "%s.journal", o.json);
    if (torc_journal_open(journal_path, digest, &ti, o.resume, c.rs, &c.journal,
                          err, sizeof err) != 0) {
      fprintf(stderr, "torc run: %s\n", err);
      goto out;
    }
    for (i = 0; i < c.nsel; i++)
      c.done[i] = (unsigned char)torc_results_has(c.rs, c.sel[i]->id);
  }

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  torc_progress_init(&c.prog, c.nsel, torc_results_count(c.rs), o.quiet,
                     o.strict);
  if (o.tap) {
    /* The plan counts every selected vector; those kept from the journal
     * are reported first. */
    torc_tap_plan(stdout, c.nsel);
    for (i = 0; i < torc_results_count(c.rs); i++)
      torc_tap_line(stdout, ++c.tap_n, torc_results_get(c.rs, i), o.strict);
  }

  if (o.jobs > 1)
    interrupted = run_parallel(&c);
  else
    interrupted = run_serial(&c, &rn);

  for (i = 0; i < c.nsel; i++)
    not_run += !c.done[i];
  torc_results_now(finished);
  torc_results_set_times(c.rs, started, finished);
  status = torc_results_status(c.rs, o.strict);
  if (interrupted)
    status = worst(status, TORC_EXIT_INCOMPLETE);
  if (o.json && torc_results_write_json(c.rs, o.json, err, sizeof err)) {
    fprintf(stderr, "torc run: %s\n", err);
    status = TORC_EXIT_USAGE;
  }
  if (o.junit &&
      torc_results_write_junit(c.rs, o.junit, o.strict, err, sizeof err)) {
    fprintf(stderr, "torc run: %s\n", err);
    status = TORC_EXIT_USAGE;
  }
  if (o.bundle)
    write_bundles(&c);
  torc_journal_close(c.journal, not_run == 0 && status != TORC_EXIT_USAGE);
  c.journal = NULL;
  torc_results_counts(c.rs, counts);
  torc_progress_finish(&c.prog, counts, interrupted, not_run);
  if (interrupted && !o.quiet)
    fprintf(stderr, "torc run: interrupted; %zu vector%s not run%s\n", not_run,
            not_run == 1 ? "" : "s", o.json ? " (continue with --resume)" : "");
  rc = status;

out:
  if (have_runner)
    runner_close(&rn);
  torc_journal_close(c.journal, 0);
  free(journal_path);
  torc_results_free(c.rs);
  torc_waivers_free(&c.waivers);
  free(c.sel);
  free(c.done);
  if (all)
    torc_vector_free_all(all, nall);
  torc_selection_free(&o.sel);
  torc_strlist_free(&o.vectors);
  fflush(stdout);
  return rc;
}
