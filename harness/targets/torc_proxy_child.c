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
#include <sys/socket.h>
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
  if (WIFSIGNALED(st))
    torc_wire_fmt(out, n, "killed by signal %d (%s)", WTERMSIG(st),
                  strsignal(WTERMSIG(st)));
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
  char how[96];
  long grace = p->chan.failed == TORC_WIRE_EOF ? 100 : 0;
  if (grace == 0 && p->pid > 0)
    kill(-p->pid, SIGKILL);
  torc_px_reap_child(p, grace, how, sizeof(how));
  if (p->chan.failed == TORC_WIRE_TIMEOUT)
    torc_wire_fmt(p->why, sizeof(p->why),
                  "no reply from the target within %u ms (during %s); "
                  "target process %s",
                  p->timeout_ms, torc_wire_type_name(p->op_type), how);
  else if (p->chan.failed == TORC_WIRE_EOF && how[0])
    torc_wire_fmt(p->why, sizeof(p->why), "target process %s", how);
  else
    torc_wire_fmt(p->why, sizeof(p->why), "%s%s%s", p->chan.why,
                  how[0] ? "; target process " : "", how);
  torc_px_close_channel(p);
}

int torc_px_spawn(torc_proxy *p, char *errbuf) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: socketpair: %s",
                  p->command, strerror(errno));
    return -1;
  }
  /* A plain command line (no shell syntax) is executed directly, so the
   * child is the target itself and its death signal is reported as is;
   * anything else goes through /bin/sh -c. */
  char *words = NULL, *argv[64];
  int argc = 0;
  if (!strpbrk(p->command, "|&;<>()$`\\\"'*?[#~\n") &&
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
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: fork: %s", p->command,
                  strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
      _exit(127);
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
  p->status = 0;
  p->why[0] = '\0';
  p->destroyed = 0;
  p->gen++;
  return 0;
}
