/*
 * torc_proxy_child.c - the proxy's child process: starting it on a
 * socketpair, noticing its failure, stopping and reaping it.
 *
 * Where it sits: the life cycle (torc_proxy.c) spawns and stops the child;
 * an operation whose wait on the channel failed (torc_proxy_ops.c) calls
 * torc_px_on_failure, which marks the proxy CRASHED or TIMEOUT with the
 * reason, kills the child and closes the channel.
 */
#include "torc_proxy_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- Child process ------------------------------------------------------- */

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void describe_exit(int st, char *out, size_t n) {
  /* "killed by SIGSEGV", as torc_isolate.c says it in process: the same
   * fault reads the same whichever process it happened in. */
  const char *abbrev = WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : NULL;
  if (WIFSIGNALED(st) && abbrev)
    torc_wire_fmt(out, n, "killed by SIG%s (signal %d)", abbrev, WTERMSIG(st));
  else if (WIFSIGNALED(st))
    torc_wire_fmt(out, n, "killed by signal %d", WTERMSIG(st));
  else if (WIFEXITED(st) && WEXITSTATUS(st) == TORC_RUNNER_EXIT_FRAME_WRITE)
    torc_wire_fmt(out, n,
                  "exited with status %d: the target wrote into the frame "
                  "lent to it, which it may only read (target.h: "
                  "torc_segment.frame is borrowed for the call)",
                  WEXITSTATUS(st));
  else if (WIFEXITED(st) && WEXITSTATUS(st) == TORC_RUNNER_EXIT_BUFFERED_WRITE)
    torc_wire_fmt(out, n,
                  "exited with status %d: the target wrote into the host's "
                  "BufferedData, which it may only copy (RCV-007, RCV-011)",
                  WEXITSTATUS(st));
  else if (WIFEXITED(st))
    torc_wire_fmt(out, n, "exited with status %d", WEXITSTATUS(st));
  else
    torc_wire_fmt(out, n, "stopped");
}

/* Waits up to ms for the child to exit by itself (without reaping it). */
static int wait_exit(pid_t pid, long ms) {
  for (long t = 0;; t++) {
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
      return 1; /* gone already (or not ours) */
    if (si.si_pid == pid)
      return 1;
    if (t >= ms)
      return 0;
    sleep_ms(1);
  }
}

/* Stops the child: grace_ms to exit by itself, then SIGTERM, then SIGKILL to
 * its process group; reaps it.  Writes how it ended into how. */
void torc_px_reap_child(torc_proxy *p, long grace_ms, char *how, size_t n) {
  if (how && n)
    how[0] = '\0';
  if (p->pid <= 0)
    return;
  torc_px_kill_descendants(p);
  if (!wait_exit(p->pid, grace_ms)) {
    kill(-p->pid, SIGTERM);
    if (!wait_exit(p->pid, 200))
      kill(-p->pid, SIGKILL);
  }
  /* The leader is a zombie now (its pid still reserved): clear the rest of
   * its group, then reap it. */
  kill(-p->pid, SIGKILL);
  int st = 0;
  while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (how && n)
    describe_exit(st, how, n);
  p->pid = 0;
}

void torc_px_close_channel(torc_proxy *p) {
  if (p->fd >= 0)
    close(p->fd);
  p->fd = -1;
  torc_wire_chan_free(&p->chan);
}

/* Called once a wait on the channel failed: mark, kill, reap. */
void torc_px_on_failure(torc_proxy *p) {
  if (p->status != 0)
    return;
  p->status = p->chan.failed == TORC_WIRE_TIMEOUT ? TORC_LOAD_TIMEOUT
                                                  : TORC_LOAD_CRASHED;
  char how[256];
  long grace = p->chan.failed == TORC_WIRE_EOF ? 100 : 0;
  /* Whether the child ended by itself before torc kills it: only then is
   * how it ended part of the reason. */
  int ended = p->pid > 0 && wait_exit(p->pid, 0);
  if (grace == 0 && p->pid > 0)
    kill(-p->pid, SIGKILL);
  torc_px_reap_child(p, grace, how, sizeof(how));
  if (p->chan.failed == TORC_WIRE_TIMEOUT)
    torc_wire_fmt(p->why, sizeof(p->why),
                  "no reply from the target within %u ms (during %s); "
                  "target process %s",
                  p->timeout_ms, torc_wire_type_name(p->op_type), how);
  else if (p->chan.failed == TORC_WIRE_EOF && how[0])
    torc_wire_fmt(p->why, sizeof(p->why), "target process %s (during %s)", how,
                  torc_wire_type_name(p->op_type));
  else if (ended && how[0])
    torc_wire_fmt(p->why, sizeof(p->why),
                  "%s (during %s); the target process had already ended: %s",
                  p->chan.why, torc_wire_type_name(p->op_type), how);
  else /* torc's own kill is what ended it, not the cause: not named */
    torc_wire_fmt(p->why, sizeof(p->why),
                  "%s (during %s); torc stopped the target process",
                  p->chan.why, torc_wire_type_name(p->op_type));
  torc_px_close_channel(p);
}

/* In the forked child of a contained spawn: the protocol on descriptor 3,
 * stdin on /dev/null, stdout and stderr on the log, nothing else of torc's
 * open (its journal, its results, the isolation pipes), then exec. */
static void exec_contained(const torc_proxy *p, int chan) {
  /* Out of the way of 0..3 first: either may sit on one of them. */
  int devnull = open("/dev/null", O_RDWR);
  int high = devnull < 0 ? -1 : fcntl(devnull, F_DUPFD, 10);
  int log = fcntl(p->log_fd >= 0 ? p->log_fd : devnull, F_DUPFD, 10);
  chan = fcntl(chan, F_DUPFD, 10);
  if (high < 0 || log < 0 || chan < 0 || dup2(chan, 3) != 3 ||
      dup2(high, 0) != 0 || dup2(log, 1) != 1 || dup2(log, 2) != 2)
    _exit(127);
  fcntl(3, F_SETFD, 0);
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
#endif
  {
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 4; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
      close((int)fd);
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives whoever started it */
  if (p->log_limit) {
    struct rlimit rl = {(rlim_t)p->log_limit, (rlim_t)p->log_limit};
    setrlimit(RLIMIT_FSIZE, &rl);
  }
  signal(SIGXFSZ, SIG_DFL);
  execv(p->argv[0], p->argv);
  dprintf(2, "torc: cannot execute %s: %s\n", p->argv[0], strerror(errno));
  _exit(127);
}

/* The children of pid, from /proc/PID/task/TID/children (every thread's);
 * up to max of them into out.  Returns how many. */
static size_t children_of(pid_t pid, pid_t *out, size_t max) {
  char path[64];
  size_t n = 0;
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (!d)
    return 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < max) {
    if (de->d_name[0] < '0' || de->d_name[0] > '9')
      continue;
    char cpath[384];
    snprintf(cpath, sizeof cpath, "/proc/%d/task/%s/children", (int)pid,
             de->d_name);
    FILE *f = fopen(cpath, "r");
    if (!f)
      continue;
    int c;
    while (n < max && fscanf(f, "%d", &c) == 1)
      out[n++] = (pid_t)c;
    fclose(f);
  }
  closedir(d);
  return n;
}

void torc_px_kill_descendants(torc_proxy *p) {
  enum { MAXK = 256 };
  pid_t kids[MAXK], seen[MAXK];
  size_t nseen = 0;
  if (!p->argv || p->pid <= 0)
    return;
  /* Kill the child's children; theirs become the child's (it is their
   * subreaper) and are found on the next round.  Zombies stay listed until
   * the child reaps them, so a round that finds nothing new ends it. */
  for (int round = 0; round < 16; round++) {
    size_t n = children_of(p->pid, kids, MAXK), fresh = 0;
    for (size_t i = 0; i < n; i++) {
      size_t j = 0;
      while (j < nseen && seen[j] != kids[i])
        j++;
      /* their own children first, so none is orphaned outside the tree */
      pid_t grand[MAXK];
      size_t ng = children_of(kids[i], grand, MAXK);
      for (size_t g = 0; g < ng; g++)
        kill(grand[g], SIGKILL);
      kill(kids[i], SIGKILL);
      if (j == nseen && nseen < MAXK) {
        seen[nseen++] = kids[i];
        fresh++;
      }
    }
    if (!fresh)
      break;
    sleep_ms(1);
  }
}

int torc_px_spawn(torc_proxy *p, char *errbuf) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: socketpair: %s", p->label,
                  strerror(errno));
    return -1;
  }
  /* A plain command line (no shell syntax) is executed directly, so the
   * child is the target itself and its death signal is reported as is;
   * anything else goes through /bin/sh -c. */
  char *words = NULL, *argv[64];
  int argc = 0;
  if (p->argv) {
    /* contained: exec'd as is below */
  } else if (!strpbrk(p->command, "|&;<>()$`\\\"'*?[#~\n") &&
             (words = strdup(p->command)) != NULL) {
    char *save = NULL;
    for (char *w = strtok_r(words, " \t", &save); w && argc < 63;
         w = strtok_r(NULL, " \t", &save))
      argv[argc++] = w;
    argv[argc] = NULL;
    if (argc == 0 || argc == 63 || strchr(argv[0], '=')) {
      free(words);
      words = NULL;
    }
  }
  pid_t pid = fork();
  if (pid < 0) {
    free(words);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: fork: %s", p->label,
                  strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    if (p->argv)
      exec_contained(p, sv[1]); /* does not return */
    if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0 ||
        (p->log_fd >= 0 && dup2(p->log_fd, 2) < 0))
      _exit(127); /* stderr on the target's log: never into torc's */
    if (words) {
      execvp(argv[0], argv); /* on failure (a shell builtin?) try sh */
    }
    execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
    _exit(127);
  }
  free(words);
  setpgid(pid, pid); /* either side may win the race; both set the same */
  close(sv[1]);
  p->pid = pid;
  p->fd = sv[0];
  fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
  torc_wire_chan_init(&p->chan, p->fd, p->fd, torc_px_dispatch, p);
  /* A new child speaks nothing yet and asks for every allocation until it
   * hears a policy (version 2). */
  p->proto = 0;
  p->policy_sent = TORC_ALLOC_ASK;
  p->status = 0;
  p->why[0] = '\0';
  p->destroyed = 0;
  p->gen++;
  return 0;
}
