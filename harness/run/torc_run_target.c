/*
 * torc_run_target.c - one vector of a run on the loaded target.
 *
 * The target is loaded once (torc_engine_new) when the run starts, and
 * again by each --jobs worker (torc_run_workers.c).  Then, per vector:
 *   - in-process target: by default one forked child runs vector after
 *     vector, each on a fresh target instance, and is replaced when a
 *     vector crashes or hangs (--isolate batch); --isolate vector forks a
 *     child per vector; --isolate none runs it here (torc_isolate.c);
 *   - out-of-process target (exec:): directly, then torc_loaded_status
 *     maps a dead or silent child to CRASH/TIMEOUT and restarts it; a
 *     child that cannot restart ends every later vector as ERROR.
 * Whatever the target prints goes to its log (--target-log or a temporary
 * file), never into torc's stdout (--tap) or stderr: a contained .so and an
 * exec: command are started with it as their output (torc_load.c); an
 * --in-process target has fds 1 and 2 on the log in its isolated children
 * (torc_isolate.c) and, in this process, while its code runs here (load,
 * --isolate none, destroy), torc's own streams kept on dups meanwhile.
 */
#include "torc_run_int.h"

#include <errno.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a contained target may write to its log: per vector (beyond it the
 * vector is a CRASH naming the quota) and per run (RLIMIT_FSIZE of its
 * process: SIGXFSZ). */
#define LOG_PER_VECTOR (16ull << 20)
#define LOG_PER_RUN (1024ull << 20)

/* The log the target's stdout and stderr go to: --target-log FILE
 * (appended to), else a temporary file kept only if the target wrote to
 * it; never on descriptors 0..2, even when torc was started without them
 * (or TAP, written to a closed stdout, would land in it).  Returns 0 or
 * -1 with errbuf. */
static int open_log(torc_run_target *t, const torc_run_opts *o, char *errbuf) {
  if (o->target_log) {
    snprintf(t->log_path, sizeof t->log_path, "%s", o->target_log);
    t->log_fd =
        open(o->target_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  } else {
    const char *dir = getenv("TMPDIR");
    snprintf(t->log_path, sizeof t->log_path, "%s/torc-target-XXXXXX.log",
             dir && dir[0] ? dir : "/tmp");
    t->log_fd = mkostemps(t->log_path, 4, O_CLOEXEC | O_APPEND);
    t->log_is_temp = 1;
  }
  if (t->log_fd >= 0 && t->log_fd <= 2) {
    int high = fcntl(t->log_fd, F_DUPFD_CLOEXEC, 3);
    close(t->log_fd);
    t->log_fd = high;
  }
  if (t->log_fd < 0) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "--target-log %.160s: %s", t->log_path,
             strerror(errno));
    return -1;
  }
  return 0;
}

/* --in-process: fds 1 and 2 on the log while target code runs in this
 * process (to_log), and back on torc's own (to_torc; one torc was started
 * without is closed again).  What either side left in stdio's buffers is
 * flushed first, to where it was meant to go. */
static void to_log(const torc_run_target *t) {
  if (!t->redirect)
    return;
  fflush(stdout);
  fflush(stderr);
  dup2(t->log_fd, 1);
  dup2(t->log_fd, 2);
}

static void to_torc(const torc_run_target *t) {
  int k;
  if (!t->redirect)
    return;
  fflush(stdout);
  fflush(stderr);
  for (k = 0; k < 2; k++)
    if (t->torc_fd[k] >= 0)
      dup2(t->torc_fd[k], k + 1);
    else
      close(k + 1);
}

static uint64_t log_size(const torc_run_target *t) {
  struct stat st;
  return t->log_fd >= 0 && fstat(t->log_fd, &st) == 0 ? (uint64_t)st.st_size
                                                      : 0;
}

int torc_run_target_open(torc_run_target *t, const torc_run_opts *o,
                         torc_vector *const *vs, size_t nvs,
                         volatile sig_atomic_t *stop, char *errbuf) {
  torc_engine_opts eo;
  memset(t, 0, sizeof *t);
  memset(&eo, 0, sizeof eo);
  eo.strict = o->strict;
  /* Kept for vectors that do not PASS (the report), for all with --traces:
   * a PASS's traces are never serialised otherwise. */
  eo.record_traces = o->traces ? TORC_TRACES_ALL : TORC_TRACES_UNLESS_PASS;
  t->log_fd = t->torc_fd[0] = t->torc_fd[1] = -1;
  eo.load_timeout_ms = o->timeout_ms;
  if (open_log(t, o, errbuf) != 0)
    return -1;
  if (o->in_process) {
    for (int k = 0; k < 2; k++) {
      t->torc_fd[k] = fcntl(k + 1, F_DUPFD_CLOEXEC, 3);
      if (t->torc_fd[k] < 0 && errno != EBADF) { /* EBADF: started closed */
        snprintf(errbuf, TORC_ERRBUF_SIZE, "dup: %s", strerror(errno));
        torc_run_target_close(t);
        return -1;
      }
    }
    t->redirect = 1;
  } else {
    t->contain.log_fd = t->log_fd;
    t->contain.log_limit = LOG_PER_RUN;
    t->contain.memory_mb = (unsigned)o->memory_mb;
    t->contain.timeout_ms = o->timeout_ms;
    eo.contain = &t->contain;
  }
  to_log(t);
  if (torc_engine_new(o->target, &eo, &t->e, errbuf) != 0) {
    to_torc(t);
    torc_run_target_close(t);
    return -1;
  }
  to_torc(t);
  t->loaded = torc_engine_loaded(t->e);
  t->remote = t->loaded ? torc_loaded_is_remote(t->loaded) : 0;
  if (t->remote)
    torc_loaded_set_timeout(t->loaded, o->timeout_ms);
  t->iso.timeout_ms = o->timeout_ms;
  t->iso.memory_limit = (uint64_t)o->memory_mb << 20;
  t->iso.stop = stop;
  t->iso.log_fd = o->in_process ? t->log_fd : -1;
  t->isolate = o->isolate;
  t->vs = vs;
  t->nvs = nvs;
  if (!t->remote && t->isolate == TORC_RUN_ISO_BATCH) {
    t->server = torc_isolate_server_new(t->e, (const torc_vector *const *)vs,
                                        nvs, &t->iso);
    if (!t->server) {
      snprintf(errbuf, TORC_ERRBUF_SIZE, "out of memory");
      torc_engine_free(t->e);
      t->e = NULL;
      return -1;
    }
  }
  return 0;
}

static void set_detail(torc_result *r, torc_verdict v, const char *msg) {
  r->verdict = v;
  snprintf(r->detail, sizeof r->detail, "%s", msg);
}

int torc_run_target_run(torc_run_target *t, size_t idx, torc_result *r) {
  const torc_vector *v = t->vs[idx];
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", v->id);
  if (t->dead[0]) {
    set_detail(r, TORC_ERROR, t->dead);
    return 0;
  }
  if (t->server)
    return torc_isolate_server_run(t->server, idx, r) == 1;
  if (!t->remote && t->isolate == TORC_RUN_ISO_VECTOR)
    return torc_isolate_run(t->e, v, &t->iso, r) == 1;
  {
    uint64_t t0 = torc_isolate_now_ns(), log0 = log_size(t), log1, logged;
    char why[TORC_ERRBUF_SIZE] = "";
    int st;
    to_log(t);
    torc_engine_run(t->e, v, r);
    to_torc(t);
    log1 = log_size(t);
    logged = log1 >= log0 ? log1 - log0 : 0;
    if (logged > LOG_PER_VECTOR) {
      torc_result_clear(r);
      snprintf(why, sizeof why,
               "quota: the target wrote %llu bytes to its log (%.120s) during "
               "this vector, more than %llu MiB",
               (unsigned long long)logged, t->log_path,
               (unsigned long long)(LOG_PER_VECTOR >> 20));
      set_detail(r, TORC_CRASH, why);
      return 0;
    }
    if (!r->duration_ns)
      r->duration_ns = torc_isolate_now_ns() - t0;
    if (!t->remote)
      return 0;
    st = torc_loaded_status(t->loaded, why, sizeof why);
    if (st == 0)
      return 0;
    torc_result_clear(r);
    r->nviolations = 0;
    r->divergence.present = 0;
    r->allowances[0] = '\0';
    set_detail(r, st == TORC_LOAD_TIMEOUT ? TORC_TIMEOUT : TORC_CRASH,
               why[0] ? why : "target process failed");
    if (torc_loaded_restart(t->loaded, why) != 0)
      snprintf(t->dead, sizeof t->dead, "target could not be restarted: %.200s",
               why);
  }
  return 0;
}

void torc_run_target_close(torc_run_target *t) {
  torc_isolate_server_free(t->server);
  t->server = NULL;
  to_log(t); /* destroy is the target's code */
  if (t->e)
    torc_engine_free(t->e);
  t->e = NULL;
  to_torc(t);
  for (int k = 0; k < 2; k++)
    if (t->torc_fd[k] >= 0)
      close(t->torc_fd[k]);
  t->torc_fd[0] = t->torc_fd[1] = -1;
  t->redirect = 0;
  if (t->log_fd >= 0) {
    uint64_t n = log_size(t);
    close(t->log_fd);
    t->log_fd = -1;
    if (t->log_is_temp && n == 0)
      unlink(t->log_path);
    else if (t->log_is_temp)
      fprintf(stderr,
              "torc run: the target wrote %llu bytes to stdout and "
              "stderr: %s\n",
              (unsigned long long)n, t->log_path);
  }
}
