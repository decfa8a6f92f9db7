/*
 * torc_run_workers.c - `torc run --jobs N`: N worker processes, each with
 * its own engine and target (torc_run_target.c), fed vector indexes over a
 * pipe and answering packed results (torc_result_pack).
 *
 * Each worker is handed up to QUEUE_DEPTH vectors ahead and answers them
 * in order, so it never waits for the parent between two vectors (on two
 * CPUs the parent, two workers and their isolation servers share them;
 * issue 15).  The parent polls the result pipes, records each result
 * (torc_run_record.c) as it comes, the oldest vector of that worker's
 * queue, and tops the queue up with the next vectors not yet done.  A
 * worker that dies or answers nonsense ends the vector at the head of its
 * queue (the one it was running) as CRASH; the others of its queue go back
 * to be handed out again, and a fresh worker takes over.
 * SIGINT/SIGTERM/SIGHUP/SIGQUIT stop handing out vectors and kill the
 * workers still busy (what they held runs on --resume).
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

/* Vectors handed to one worker ahead of its answers.  2 keeps a worker
 * busy while the parent records its last answer; more only delays what a
 * --fail-fast stop still lets finish. */
#define QUEUE_DEPTH 2

typedef struct worker {
  pid_t pid;
  int task_fd;           /* parent writes uint32 indexes */
  int result_fd;         /* parent reads [uint32 len][packed result] */
  size_t q[QUEUE_DEPTH]; /* handed out, oldest first: q[head], ... */
  unsigned head, nq;
} worker;

/* Vectors handed back by a worker that died before running them: handed
 * out again before the cursor moves on. */
typedef struct again {
  size_t *v;
  size_t n;
} again;

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
  w->head = w->nq = 0;
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
static long next_task(torc_run_ctx *c, size_t *cursor, again *ag) {
  if (*c->stop || c->fail_stop)
    return -1;
  if (ag->n)
    return (long)ag->v[--ag->n];
  while (*cursor < c->nsel && c->done[*cursor])
    (*cursor)++;
  if (*cursor >= c->nsel)
    return -1;
  return (long)(*cursor)++;
}

/* Tops w's queue up.  Returns the number handed out, or -1 when the task
 * pipe refused one (it goes back to ag). */
static int give(torc_run_ctx *c, worker *w, size_t *cursor, again *ag) {
  int given = 0;
  while (w->nq < QUEUE_DEPTH) {
    long t = next_task(c, cursor, ag);
    uint32_t idx;
    if (t < 0)
      break;
    idx = (uint32_t)t;
    if (write_full(w->task_fd, &idx, sizeof idx) != 0) {
      ag->v[ag->n++] = (size_t)t; /* hand it out again */
      return -1;
    }
    w->q[(w->head + w->nq++) % QUEUE_DEPTH] = (size_t)t;
    given++;
  }
  return given;
}

/* Pops the vector at the head of w's queue. */
static size_t pop(worker *w) {
  size_t idx = w->q[w->head];
  w->head = (w->head + 1) % QUEUE_DEPTH;
  w->nq--;
  return idx;
}

int torc_run_parallel(torc_run_ctx *c) {
  worker ws[TORC_RUN_MAX_JOBS];
  struct pollfd pf[TORC_RUN_MAX_JOBS];
  unsigned nw = c->o->jobs, i;
  size_t cursor = 0;
  /* At most every queue's vectors are handed back at once. */
  again ag = {calloc(TORC_RUN_MAX_JOBS * QUEUE_DEPTH + 1, sizeof(size_t)), 0};
  int busy = 0;

  if (!ag.v) {
    fprintf(stderr, "torc run: out of memory\n");
    return 0;
  }
  for (i = 0; i < nw; i++) {
    ws[i].pid = 0;
    ws[i].task_fd = ws[i].result_fd = -1;
    ws[i].head = ws[i].nq = 0;
    if (worker_spawn(c, &ws[i], ws, i) != 0) {
      fprintf(stderr, "torc run: cannot start worker: %s\n", strerror(errno));
      break;
    }
  }
  nw = i;
  for (i = 0; i < nw; i++) {
    give(c, &ws[i], &cursor, &ag);
    busy += (int)ws[i].nq;
  }
  while (busy > 0 && !*c->stop) {
    int rc;
    for (i = 0; i < nw; i++) {
      pf[i].fd = ws[i].nq ? ws[i].result_fd : -1;
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
      if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)) || !ws[i].nq)
        continue;
      idx = pop(&ws[i]);
      busy--;
      memset(&r, 0, sizeof r);
      b = NULL;
      if (read_full(ws[i].result_fd, &len, sizeof len) != 0 ||
          len > (200u << 20) || !(b = malloc(len ? len : 1)) ||
          read_full(ws[i].result_fd, b, len) != 0 ||
          torc_result_unpack(b, len, &r) != 0) {
        /* The worker died or spoke nonsense while running idx: that vector
         * ends as CRASH, the rest of its queue is handed out again, and a
         * fresh worker takes over. */
        free(b);
        if (*c->stop)
          break;
        memset(&r, 0, sizeof r);
        r.verdict = TORC_CRASH;
        snprintf(r.detail, sizeof r.detail, "the worker process died");
        torc_run_record(c, idx, &r);
        while (ws[i].nq) {
          ag.v[ag.n++] = ws[i].q[(ws[i].head + ws[i].nq - 1) % QUEUE_DEPTH];
          ws[i].nq--;
          busy--;
        }
        worker_stop(&ws[i], 1);
        if (worker_spawn(c, &ws[i], ws, nw) == 0 &&
            give(c, &ws[i], &cursor, &ag) >= 0)
          busy += (int)ws[i].nq;
        continue;
      }
      free(b);
      snprintf(r.id, sizeof r.id, "%s", c->sel[idx]->id);
      torc_run_record(c, idx, &r);
      torc_result_clear(&r);
      {
        unsigned before = ws[i].nq;
        give(c, &ws[i], &cursor, &ag);
        busy += (int)(ws[i].nq - before);
      }
    }
  }
  for (i = 0; i < nw; i++)
    worker_stop(&ws[i], *c->stop || ws[i].nq > 0);
  free(ag.v);
  return *c->stop ? 1 : 0;
}
