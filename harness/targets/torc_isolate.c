/*
 * torc_isolate.c - one vector in a forked child, under a watchdog and a
 * memory limit.
 *
 * Called by the run (harness/run/torc_run_target.c) for in-process
 * targets: torc_isolate_run once per vector (--isolate vector), the server
 * below once per batch child (--isolate batch, the default).  The child
 * inherits the loaded engine by fork, sets RLIMIT_AS, runs torc_engine_run,
 * writes the packed torc_result to a pipe and _exits.  The parent polls the
 * pipe and a pidfd of the child until the deadline: EOF + clean exit gives the
 * child's verdict; a signal gives CRASH ("killed by SIGSEGV"); the deadline
 * gives TIMEOUT (SIGKILL); bytes that do not unpack give ERROR.  Whatever the
 * target did to the child's memory, the parent believes nothing it reads
 * without a bounds check.
 */
#include "torc_isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torc_asan.h"

#define PACK_MAGIC 0x31535254u /* "TRS1" */
#define PACK_MAX_TRACE (64u << 20)
#define PACK_HDR 20u

uint64_t torc_isolate_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put32(unsigned char *p, uint32_t v) {
  memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

size_t torc_result_pack(const torc_result *r, unsigned char **out) {
  size_t el = r->expected_trace_json ? strlen(r->expected_trace_json) : 0;
  size_t al = r->actual_trace_json ? strlen(r->actual_trace_json) : 0;
  size_t len;
  unsigned char *b;
  torc_result copy;

  if (el > PACK_MAX_TRACE)
    el = 0;
  if (al > PACK_MAX_TRACE)
    al = 0;
  len = PACK_HDR + sizeof copy + el + al;
  b = malloc(len);
  if (!b)
    return 0;
  copy = *r;
  copy.expected_trace_json = NULL;
  copy.actual_trace_json = NULL;
  put32(b, PACK_MAGIC);
  put32(b + 4, (uint32_t)sizeof copy);
  put32(b + 8, (uint32_t)el);
  put32(b + 12, (uint32_t)al);
  put32(b + 16, 0);
  memcpy(b + PACK_HDR, &copy, sizeof copy);
  if (el)
    memcpy(b + PACK_HDR + sizeof copy, r->expected_trace_json, el);
  if (al)
    memcpy(b + PACK_HDR + sizeof copy + el, r->actual_trace_json, al);
  *out = b;
  return len;
}

static char *dup_bytes(const unsigned char *p, size_t n) {
  char *s;
  if (n == 0)
    return NULL;
  s = malloc(n + 1);
  if (s) {
    memcpy(s, p, n);
    s[n] = '\0';
  }
  return s;
}

#define TERMINATE(a) ((a)[sizeof(a) - 1] = '\0')

int torc_result_unpack(const unsigned char *buf, size_t len, torc_result *r) {
  uint32_t sl, el, al, i;
  memset(r, 0, sizeof *r);
  if (len < PACK_HDR || get32(buf) != PACK_MAGIC)
    return -1;
  sl = get32(buf + 4);
  el = get32(buf + 8);
  al = get32(buf + 12);
  if (sl != sizeof *r || el > PACK_MAX_TRACE || al > PACK_MAX_TRACE ||
      len != PACK_HDR + (size_t)sl + el + al)
    return -1;
  memcpy(r, buf + PACK_HDR, sizeof *r);
  r->expected_trace_json = NULL;
  r->actual_trace_json = NULL;
  if ((unsigned)r->verdict >= TORC_VERDICT_COUNT ||
      r->nviolations > TORC_MAX_VIOLATIONS ||
      r->nattributed > TORC_MAX_VIOLATIONS) {
    memset(r, 0, sizeof *r);
    return -1;
  }
  TERMINATE(r->id);
  TERMINATE(r->allowances);
  TERMINATE(r->detail);
  TERMINATE(r->divergence.expected);
  TERMINATE(r->divergence.actual);
  for (i = 0; i < TORC_MAX_VIOLATIONS; i++) {
    TERMINATE(r->violations[i].requirement);
    TERMINATE(r->violations[i].message);
    TERMINATE(r->attributed[i]);
  }
  r->expected_trace_json = dup_bytes(buf + PACK_HDR + sl, el);
  r->actual_trace_json = dup_bytes(buf + PACK_HDR + sl + el, al);
  return 0;
}

static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    p += w;
    n -= (size_t)w;
  }
}

/* The process's address space in bytes (/proc/self/statm), 0 unknown. */
static uint64_t address_space(void) {
  unsigned long pages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1)
      pages = 0;
    fclose(f);
  }
  long page = sysconf(_SC_PAGESIZE);
  return (uint64_t)pages * (uint64_t)(page > 0 ? page : 4096);
}

static uint64_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return (uint64_t)mi.uordblks + mi.hblkhd;
}

/* The heap the child inherited: its growth is the target's (retiring). */
static uint64_t heap_at_start;

/* What every isolated child does first: die with its parent, leave
 * interruption to the parent, take the memory limit and put its stdout
 * and stderr on the target's log (opts->log_fd). */
static void child_setup(const torc_isolate_opts *opts, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127);
  /* The parent decides about interruption and kills us itself. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (opts->memory_limit && !TORC_ASAN) {
    /* The limit is the target's: on top of what the child inherited (the
     * loaded vectors and torc's tables), not including it. */
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)(address_space() + opts->memory_limit);
    setrlimit(RLIMIT_AS, &rl);
  }
  if (opts->log_fd > 2) {
    /* What the target prints: unbuffered, so a crash loses none of it. */
    dup2(opts->log_fd, 1);
    dup2(opts->log_fd, 2);
    setvbuf(stdout, NULL, _IONBF, 0);
  }
  heap_at_start = heap_in_use();
}

/* The child: never returns. */
static void child_main(torc_engine *e, const torc_vector *v,
                       const torc_isolate_opts *opts, int fd, pid_t parent) {
  torc_result r;
  unsigned char *b = NULL;
  size_t n;

  child_setup(opts, parent);
  memset(&r, 0, sizeof r);
  torc_engine_run(e, v, &r);
  n = torc_result_pack(&r, &b);
  if (n)
    write_all(fd, b, n);
  _exit(n ? 0 : 126);
}

static int pidfd_of(pid_t pid) {
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  return -1;
#endif
}

static void fill(torc_result *r, const torc_vector *v, torc_verdict verdict,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fill(torc_result *r, const torc_vector *v, torc_verdict verdict,
                 const char *fmt, ...) {
  va_list ap;
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", v->id);
  r->verdict = verdict;
  va_start(ap, fmt);
  vsnprintf(r->detail, sizeof r->detail, fmt, ap);
  va_end(ap);
}

static const char *signame(int sig) {
  static const struct {
    int sig;
    const char *name;
  } names[] = {{SIGSEGV, "SIGSEGV"}, {SIGBUS, "SIGBUS"},   {SIGABRT, "SIGABRT"},
               {SIGFPE, "SIGFPE"},   {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"},
               {SIGTERM, "SIGTERM"}, {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},
               {SIGPIPE, "SIGPIPE"}, {SIGXCPU, "SIGXCPU"}, {SIGINT, "SIGINT"}};
  size_t i;
  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].sig == sig)
      return names[i].name;
  return "a signal";
}

/* CRASH for a child that died by a signal or exited without a result. */
static void death_verdict(torc_result *r, const torc_vector *v,
                          const torc_isolate_opts *opts, int status,
                          const struct rusage *ru) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (opts->memory_limit &&
        (uint64_t)ru->ru_maxrss * 1024u >= opts->memory_limit / 10u * 9u)
      fill(r, v, TORC_CRASH, "killed by %s (near the memory limit, %u MiB)",
           signame(sig), (unsigned)(opts->memory_limit >> 20));
    else
      fill(r, v, TORC_CRASH, "killed by %s", signame(sig));
  } else {
    fill(r, v, TORC_CRASH, "the vector's process exited with status %u",
         WIFEXITED(status) ? (unsigned)WEXITSTATUS(status) : 255u);
  }
}

int torc_isolate_run(torc_engine *e, const torc_vector *v,
                     const torc_isolate_opts *opts, torc_result *r) {
  int fds[2], pidfd, status = 0, got_status = 0, eof = 0, timed_out = 0;
  unsigned char *buf = NULL;
  size_t len = 0, cap = 0;
  uint64_t t0 = torc_isolate_now_ns(), deadline;
  struct rusage ru;
  pid_t pid, parent = getpid();

  memset(&ru, 0, sizeof ru);
  deadline = opts->timeout_ms ? t0 + (uint64_t)opts->timeout_ms * 1000000u
                              : UINT64_MAX;
  if (pipe2(fds, O_CLOEXEC) != 0) {
    fill(r, v, TORC_ERROR, "cannot isolate: pipe: %s", strerror(errno));
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    fill(r, v, TORC_ERROR, "cannot isolate: fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(e, v, opts, fds[1], parent);
  }
  close(fds[1]);
  pidfd = pidfd_of(pid);

  /* Drain the pipe until EOF, then wait for the exit (pidfd), all before the
   * deadline. */
  while (!got_status) {
    struct pollfd p;
    uint64_t now = torc_isolate_now_ns();
    int tmo, rc;
    if (opts->stop && *opts->stop)
      break;
    if (now >= deadline) {
      timed_out = 1;
      break;
    }
    tmo = deadline == UINT64_MAX ? -1 : (int)((deadline - now) / 1000000u + 1);
    if (eof && pidfd < 0) {
      if (wait4(pid, &status, 0, &ru) == pid)
        got_status = 1;
      else if (errno == EINTR)
        continue;
      break;
    }
    p.fd = eof ? pidfd : fds[0];
    p.events = POLLIN;
    p.revents = 0;
    rc = poll(&p, 1, tmo);
    if (rc < 0 && errno != EINTR)
      break;
    if (rc <= 0)
      continue;
    if (eof) {
      if (wait4(pid, &status, WNOHANG, &ru) == pid)
        got_status = 1;
      continue;
    }
    if (cap - len < 65536) {
      size_t ncap = cap ? cap * 2 : 65536;
      unsigned char *nb =
          ncap > (size_t)PACK_MAX_TRACE * 3 ? NULL : realloc(buf, ncap);
      if (!nb)
        break; /* far too much: killed below, reported as ERROR */
      buf = nb;
      cap = ncap;
    }
    {
      ssize_t n = read(fds[0], buf + len, cap - len);
      if (n > 0)
        len += (size_t)n;
      else if (n == 0 || errno != EINTR)
        eof = 1;
    }
  }
  if (!got_status) {
    kill(pid, SIGKILL);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
      ;
  }
  close(fds[0]);
  if (pidfd >= 0)
    close(pidfd);

  if (!got_status && !timed_out && opts->stop && *opts->stop) {
    free(buf);
    fill(r, v, TORC_ERROR, "interrupted");
    return 1;
  }
  if (timed_out) {
    fill(r, v, TORC_TIMEOUT, "no verdict after %u ms; killed",
         opts->timeout_ms);
  } else if (got_status && WIFSIGNALED(status)) {
    death_verdict(r, v, opts, status, &ru);
  } else if (got_status && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
             torc_result_unpack(buf, len, r) == 0) {
    snprintf(r->id, sizeof r->id, "%s", v->id);
  } else if (got_status && WIFEXITED(status) &&
             (WEXITSTATUS(status) != 0 || len == 0)) {
    /* exit() from the target, with no result: a CRASH, as in batch mode */
    fill(r, v, TORC_CRASH, "the vector's process exited with status %u",
         (unsigned)WEXITSTATUS(status));
  } else {
    fill(r, v, TORC_ERROR,
         "malformed result from the isolated child (%zu bytes)", len);
  }
  free(buf);
  if (r->verdict == TORC_CRASH || r->verdict == TORC_TIMEOUT ||
      r->duration_ns == 0)
    r->duration_ns = torc_isolate_now_ns() - t0;
  return 0;
}

/* ---- Batch isolation: one child runs vectors until it dies ------------- */

struct torc_isolate_server {
  torc_engine *e;
  const torc_vector *const *vs;
  size_t n;
  torc_isolate_opts opts;
  pid_t pid; /* 0 when no child runs */
  int task_fd, result_fd;
};

torc_isolate_server *torc_isolate_server_new(torc_engine *e,
                                             const torc_vector *const *vs,
                                             size_t n,
                                             const torc_isolate_opts *opts) {
  torc_isolate_server *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->e = e;
  s->vs = vs;
  s->n = n;
  s->opts = *opts;
  s->task_fd = s->result_fd = -1;
  return s;
}

/* Set in a result's length word: the child's heap holds half its memory
 * limit (what a target leaks stays in the child from vector to vector), so
 * it asks to be replaced before the limit turns a later, innocent vector
 * into a CRASH, as a fresh child per vector would not.  The parent closes
 * the task pipe after reading the result; the child exits at its EOF. */
#define RETIRE_BIT 0x80000000u

static int retiring(const torc_isolate_opts *opts) {
  uint64_t now;
  if (!opts->memory_limit || TORC_ASAN)
    return 0;
  now = heap_in_use();
  return now > heap_at_start && now - heap_at_start >= opts->memory_limit / 2u;
}

static void server_child(torc_isolate_server *s, pid_t parent) {
  uint32_t idx;
  child_setup(&s->opts, parent);
  for (;;) {
    unsigned char *b = NULL;
    torc_result r;
    size_t n;
    uint32_t len;
    ssize_t got = 0, k;
    while (got < (ssize_t)sizeof idx) {
      k = read(s->task_fd, (unsigned char *)&idx + got,
               sizeof idx - (size_t)got);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        _exit(0);
      got += k;
    }
    if (idx >= s->n)
      _exit(0);
    memset(&r, 0, sizeof r);
    torc_engine_run(s->e, s->vs[idx], &r);
    n = torc_result_pack(&r, &b);
    torc_result_clear(&r);
    if (!n)
      _exit(126);
    len = (uint32_t)n;
    if (retiring(&s->opts))
      len |= RETIRE_BIT;
    write_all(s->result_fd, (const unsigned char *)&len, sizeof len);
    write_all(s->result_fd, b, n);
    free(b);
  }
}

static void server_stop(torc_isolate_server *s, int kill_it, int *status,
                        struct rusage *ru) {
  int st = 0;
  if (!s->pid)
    return;
  close(s->task_fd);
  if (kill_it)
    kill(s->pid, SIGKILL);
  while (wait4(s->pid, &st, 0, ru) < 0 && errno == EINTR)
    ;
  if (status)
    *status = st;
  close(s->result_fd);
  s->pid = 0;
  s->task_fd = s->result_fd = -1;
}

static int server_start(torc_isolate_server *s) {
  int t[2], r[2];
  pid_t parent = getpid();
  if (pipe2(t, O_CLOEXEC) != 0)
    return -1;
  if (pipe2(r, O_CLOEXEC) != 0) {
    close(t[0]);
    close(t[1]);
    return -1;
  }
  fflush(NULL);
  s->pid = fork();
  if (s->pid < 0) {
    s->pid = 0;
    close(t[0]);
    close(t[1]);
    close(r[0]);
    close(r[1]);
    return -1;
  }
  if (s->pid == 0) {
    close(t[1]);
    close(r[0]);
    s->task_fd = t[0];
    s->result_fd = r[1];
    server_child(s, parent);
  }
  close(t[0]);
  close(r[1]);
  s->task_fd = t[1];
  s->result_fd = r[0];
  return 0;
}

/* Reads n bytes before the deadline.  0 done, -1 EOF/error, -2 timeout,
 * -3 stopped. */
static int read_deadline(torc_isolate_server *s, unsigned char *p, size_t n,
                         uint64_t deadline) {
  while (n) {
    struct pollfd pf;
    uint64_t now = torc_isolate_now_ns();
    int tmo, rc;
    ssize_t k;
    if (s->opts.stop && *s->opts.stop)
      return -3;
    if (now >= deadline)
      return -2;
    tmo = deadline == UINT64_MAX ? -1 : (int)((deadline - now) / 1000000u + 1);
    pf.fd = s->result_fd;
    pf.events = POLLIN;
    rc = poll(&pf, 1, tmo);
    if (rc < 0 && errno != EINTR)
      return -1;
    if (rc <= 0)
      continue;
    k = read(s->result_fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

int torc_isolate_server_run(torc_isolate_server *s, size_t idx,
                            torc_result *r) {
  const torc_vector *v = s->vs[idx];
  uint64_t t0 = torc_isolate_now_ns(), deadline;
  uint32_t i32 = (uint32_t)idx, len = 0;
  unsigned char *buf = NULL;
  struct rusage ru;
  int rc, retire, status = 0;

  memset(r, 0, sizeof *r);
  memset(&ru, 0, sizeof ru);
  if (!s->pid && server_start(s) != 0) {
    fill(r, v, TORC_ERROR, "cannot isolate: fork: %s", strerror(errno));
    return -1;
  }
  deadline = s->opts.timeout_ms ? t0 + (uint64_t)s->opts.timeout_ms * 1000000u
                                : UINT64_MAX;
  write_all(s->task_fd, (const unsigned char *)&i32, sizeof i32);
  rc = read_deadline(s, (unsigned char *)&len, sizeof len, deadline);
  retire = rc == 0 && (len & RETIRE_BIT);
  len &= ~RETIRE_BIT;
  if (rc == 0 && (len < PACK_HDR || len > 3u * PACK_MAX_TRACE))
    rc = -4;
  if (rc == 0 && !(buf = malloc(len)))
    rc = -4;
  if (rc == 0)
    rc = read_deadline(s, buf, len, deadline);
  if (rc == 0 && torc_result_unpack(buf, len, r) == 0) {
    free(buf);
    snprintf(r->id, sizeof r->id, "%s", v->id);
    if (!r->duration_ns)
      r->duration_ns = torc_isolate_now_ns() - t0;
    if (retire)
      server_stop(s, 0, NULL, NULL); /* it exits at EOF on its task pipe */
    return 0;
  }
  free(buf);
  /* The child is of no more use: dead, silent, stopped or babbling. */
  server_stop(s, 1, &status, &ru);
  if (rc == -3) {
    fill(r, v, TORC_ERROR, "interrupted");
    return 1;
  }
  if (rc == -2)
    fill(r, v, TORC_TIMEOUT, "no verdict after %u ms; killed",
         s->opts.timeout_ms);
  else if (rc == -1)
    death_verdict(r, v, &s->opts, status, &ru);
  else
    fill(r, v, TORC_ERROR, "malformed result from the isolated child");
  r->duration_ns = torc_isolate_now_ns() - t0;
  return 0;
}

void torc_isolate_server_free(torc_isolate_server *s) {
  if (!s)
    return;
  server_stop(s, 0, NULL, NULL);
  free(s);
}
