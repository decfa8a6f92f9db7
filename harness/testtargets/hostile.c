/*
 * hostile.c - bad target: the reference, plus one attack on the harness
 * chosen by TORC_TT_HOSTILE (the environment reaches the runner torc starts
 * for a .so, and the batch child in process).
 *
 * It is the harness's proof that a shared object cannot reach torc (issue
 * 16); harness/tests/test_containment.py runs each attack contained (the
 * default) and names the verdict and exit status it expects:
 *   forge         on every receive, writes a forged packed PASS record into
 *                 every pipe or socket it finds among its descriptors and
 *                 then completes nothing: no vector may PASS;
 *   signal        on every receive, kill(getppid(), SIGKILL), then behaves:
 *                 the run must end normally, every vector PASS;
 *   trace         on the first receive, tries PTRACE_ATTACH to its parent and
 *                 opens /proc/PPID/mem for writing; if either works it
 *                 completes nothing (FAIL), else behaves (PASS);
 *   print         writes a marker line to stdout and stderr on every receive,
 *                 and one to stdout in init (not flushed): nothing of it in
 *                 torc's output, all of it in the log, whether the target
 *                 runs contained, --in-process (each --isolate mode) or as
 *                 exec:torc-target-runner;
 *   grandchild    on the first receive, forks a child that forks a
 *                 grandchild, appends its pid to $TORC_TT_PIDFILE and exits;
 *                 the grandchild sleeps an hour holding every
 *                 descriptor: torc must finish and the grandchild be gone;
 *   thread-crash  init starts a thread that dereferences NULL once the first
 *                 receive wakes it (the receive waits for it): a CRASH,
 *                 and the run goes on;
 *   exit-receive  exit(0) on the first receive: a CRASH in every mode;
 *   write-buffered  writes into the BufferedData it is handed at offload (the
 *                 host's, only to be copied, RCV-007/RCV-011; read-only): a
 *                 CRASH in every mode, named as such when contained;
 *   write-frame   writes into the first frame it is lent (read-only, target.h:
 *                 borrowed for the call): a CRASH in every mode, named as
 *                 such when contained;
 *   alloc-flood   on the first receive, 20,000 host allocations of 16
 *                 bytes, none freed: beyond the 16,384 blocks a vector may
 *                 hold, a CRASH naming the quota;
 *   exit-init     exit(0) in torc_target_init: torc exits 2, naming it;
 *   crash-init    a NULL dereference in torc_target_init: exit 2;
 *   hang-init     torc_target_init never returns: exit 2 after --timeout;
 *   crash-ctor    a NULL dereference in a constructor, while loading: exit 2;
 *   crash-destroy a NULL dereference in destroy;
 *   hang-destroy  destroy never returns.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_wrap.h"

static sem_t wake_thread; /* thread-crash: posted by the first receive */

static int is(const char *what) {
  const char *h = getenv("TORC_TT_HOSTILE");
  return h && strcmp(h, what) == 0;
}

static void crash(void) {
  volatile int *volatile p = NULL;
  *p = 1;
}

__attribute__((constructor)) static void hostile_ctor(void) {
  if (is("crash-ctor"))
    crash();
}

/* A packed result as torc_isolate.c writes it: magic "TRS1" and a PASS. */
static void forge(void) {
  static const unsigned char rec[20] = {'T', 'R', 'S', '1'};
  for (int fd = 0; fd < 256; fd++) {
    struct stat st;
    if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
      if (write(fd, rec, sizeof rec) < 0) {
        /* refused: nothing to do */
      }
  }
}

static int reached_parent(void) {
  pid_t parent = getppid();
  char path[64];
  int hit = 0;
  if (ptrace(PTRACE_ATTACH, parent, NULL, NULL) == 0) {
    ptrace(PTRACE_DETACH, parent, NULL, NULL);
    hit = 1;
  }
  snprintf(path, sizeof path, "/proc/%d/mem", (int)parent);
  int fd = open(path, O_RDWR);
  if (fd >= 0) {
    close(fd);
    hit = 1;
  }
  return hit;
}

static void grandchild(void) {
  pid_t c = fork();
  if (c == 0) {
    pid_t g = fork();
    if (g == 0) {
      sleep(3600);
      _exit(0);
    }
    const char *pf = getenv("TORC_TT_PIDFILE");
    FILE *f = pf && g > 0 ? fopen(pf, "a") : NULL;
    if (f) {
      fprintf(f, "%d\n", (int)g);
      fclose(f);
    }
    _exit(0);
  }
  if (c > 0)
    waitpid(c, NULL, 0);
}

static uint32_t hostile_receive(void *ud, void *conn,
                                const torc_recv_request *r, uint32_t n) {
  tt *t = ud;
  if (is("forge")) {
    forge();
    return 0; /* accepted, never completed */
  }
  if (is("signal"))
    kill(getppid(), SIGKILL);
  if (is("exit-receive"))
    exit(0);
  if (is("thread-crash")) {
    sem_post(&wake_thread);
    for (;;) /* the other thread's crash ends the process */
      pause();
  }
  if (is("alloc-flood") && t->count++ == 0)
    for (int i = 0; i < 20000; i++)
      if (!t->host->alloc(t->host_ctx, 16))
        break;
  if (is("trace") && t->count++ == 0 && reached_parent())
    t->state = malloc(1); /* remembered: complete nothing from now on */
  if (is("trace") && t->state)
    return 0;
  if (is("print")) {
    printf("hostile-marker stdout\n");
    fflush(stdout);
    fprintf(stderr, "hostile-marker stderr\n");
  }
  if (is("grandchild") && t->count++ == 0)
    grandchild();
  return tt_receive(ud, conn, r, n);
}

static void hostile_segment(void *ud, void *conn, const torc_segment *seg) {
  tt *t = ud;
  if (is("write-frame") && seg->frame && seg->frame_len && t->count++ == 0)
    ((volatile uint8_t *)(uintptr_t)seg->frame)[0] ^= 0xFF;
  tt_segment(ud, conn, seg);
}

static void hostile_initiate_offload(void *ud, void *conn,
                                     const torc_offload_state *st) {
  if (is("write-buffered") && st->buffered_data && st->buffered_data->nfrags &&
      st->buffered_data->frags[0].len)
    ((volatile uint8_t *)(uintptr_t)st->buffered_data->frags[0].data)[0] ^=
        0xFF;
  tt_initiate_offload(ud, conn, st);
}

static void hostile_destroy(void *ud) {
  if (is("crash-destroy"))
    crash();
  if (is("hang-destroy"))
    for (;;)
      pause();
  tt_destroy(ud);
}

static void *late_crash(void *arg) {
  (void)arg;
  while (sem_wait(&wake_thread) != 0)
    ;
  crash();
  return NULL;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  static int thread_started;
  if (is("exit-init"))
    exit(0);
  if (is("crash-init"))
    crash();
  if (is("hang-init"))
    for (;;)
      pause();
  if (is("print")) /* left in stdio's buffer: whoever flushes it */
    printf("hostile-marker init stdout\n");
  if (is("thread-crash") && !thread_started++) {
    pthread_t th;
    sem_init(&wake_thread, 0, 0);
    pthread_create(&th, NULL, late_crash, NULL);
    pthread_detach(th);
  }
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "hostile", NULL))
    return -1;
  out->receive = hostile_receive;
  out->segment = hostile_segment;
  out->initiate_offload = hostile_initiate_offload;
  out->destroy = hostile_destroy;
  return 0;
}
