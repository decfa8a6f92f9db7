/*
 * torc_run_workers.c - `torc run --jobs N`: N worker processes, each with
 * its own engine and target (torc_run_target.c), fed vector indexes over a
 * pipe and answering packed results (torc_result_pack).
 *
 * The parent polls the result pipes, records each result
 * (torc_run_record.c) and hands the worker the next vector not yet done.
 * A worker that dies or answers nonsense ends its vector as CRASH and a
 * fresh worker takes over; SIGINT/SIGTERM/SIGHUP/SIGQUIT stop handing out
 * vectors and kill the workers still busy.
 */
#include "torc_run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void worker_main(torc_run_ctx *c, int task_fd, int result_fd) {
  torc_run_target rn;
  char err[TORC_ERRBUF_SIZE] = "";
  uint32_t idx;
  int ok;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  torc_run_ignore_signals(); /* a terminal's SIGINT/SIGHUP: the parent */
  signal(SIGTERM, SIG_DFL);
  ok = torc_run_target_open(&rn, c->o, c->sel, c->nsel, c->stop, err) == 0;
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
    torc_run_target_run(&rn, idx, &r);
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
    torc_run_target_close(&rn);
  _exit(0);
}

/* ws/nws: the other workers, whose pipe ends a new worker must not keep
 * open (else a worker would never see EOF on its task pipe). */
static int worker_spawn(torc_run_ctx *c, worker *w, worker *ws, unsigned nws) {
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
static long next_task(torc_run_ctx *c, size_t *cursor) {
  while (*cursor < c->nsel && c->done[*cursor])
    (*cursor)++;
  if (*cursor >= c->nsel || *c->stop || c->fail_stop)
    return -1;
  return (long)(*cursor)++;
}

static int give(torc_run_ctx *c, worker *w, size_t *cursor) {
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

int torc_run_parallel(torc_run_ctx *c) {
  worker ws[TORC_RUN_MAX_JOBS];
  struct pollfd pf[TORC_RUN_MAX_JOBS];
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
  while (busy > 0 && !*c->stop) {
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
        if (*c->stop)
          break;
        memset(&r, 0, sizeof r);
        r.verdict = TORC_CRASH;
        snprintf(r.detail, sizeof r.detail, "the worker process died");
        torc_run_record(c, idx, &r);
        worker_stop(&ws[i], 1);
        if (worker_spawn(c, &ws[i], ws, nw) == 0)
          busy += give(c, &ws[i], &cursor) == 1;
        continue;
      }
      free(b);
      snprintf(r.id, sizeof r.id, "%s", c->sel[idx]->id);
      torc_run_record(c, idx, &r);
      torc_result_clear(&r);
      busy += give(c, &ws[i], &cursor) == 1;
    }
  }
  for (i = 0; i < nw; i++)
    worker_stop(&ws[i], *c->stop || ws[i].inflight >= 0);
  return *c->stop ? 1 : 0;
}
