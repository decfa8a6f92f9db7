/*
 * torc_load.c - chooses and loads a target flavour (torc_load.h).
 *
 * Where it sits: the engine and the torc-target-runner call torc_load() once
 * per run; everything after that goes through the torc_target table.  The
 * flavours (STYLE R12): "reference" (linked in), "null" (torc_null_target.c),
 * "exec:COMMAND" (torc_proxy.c) and a path to a shared object (dlopen).
 *
 * A target is untrusted from its first call: the table its init fills is
 * checked before anything else uses it (ABI version, size, mandatory
 * operations, capability bits, name), and the init writes into a buffer with
 * slack so a target built against a larger, newer table cannot overrun ours
 * before it is refused.
 */
#include "torc_load.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torc_asan.h"
#include "torc_null_target.h"
#include "torc_proxy.h"
#include "torc_reference.h"
#include "torc_wire.h"

enum { KIND_BUILTIN, KIND_SO, KIND_EXEC };

struct torc_loaded {
  int kind;
  int contained; /* KIND_EXEC serving a .so through the runner */
  char *spec;
  torc_target_init_fn init; /* in-process flavours */
  const torc_host_ops *host;
  void *host_ctx;
  void *dl;
  torc_proxy *proxy;
  torc_target ops; /* what the caller got (for destroy) */
};

/* The smallest sizeof(torc_target) each ABI version allows; index =
 * version.  v1 grew the declared limits at its end (issue 14): a table
 * compiled before them is still v1, and reads as declaring none. */
static const uint32_t abi_struct_size[] = {0, TORC_TARGET_V1_MIN_SIZE};
#define ABI_KNOWN (sizeof(abi_struct_size) / sizeof(abi_struct_size[0]) - 1)

/* The init writes here: room for a table of a future ABI. */
typedef union init_out {
  torc_target t;
  unsigned char slack[4096];
} init_out;

/* Writes "SPEC: reason" into errbuf; returns -1. */
static int fail(char *errbuf, const char *spec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *errbuf, const char *spec, const char *fmt, ...) {
  char reason[TORC_ERRBUF_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof(reason), fmt, ap);
  va_end(ap);
  torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: %s", spec, reason);
  return -1;
}

/* Checks a table filled by a target's init.  Returns 0 or -1 with errbuf. */
static int validate(const char *spec, const torc_target *t, char *errbuf) {
  char tmp[160];
  if (t->abi_version == 0)
    return fail(errbuf, spec, "%s", "target declares ABI version 0");
  if (t->abi_version > TORC_TARGET_ABI_VERSION) {
    torc_wire_fmt(tmp, sizeof(tmp),
                  "target ABI %u is newer than this torc (ABI %u)",
                  t->abi_version, TORC_TARGET_ABI_VERSION);
    return fail(errbuf, spec, "%s", tmp);
  }
  if (t->struct_size < abi_struct_size[1] ||
      (t->abi_version < ABI_KNOWN &&
       t->struct_size != abi_struct_size[t->abi_version])) {
    torc_wire_fmt(tmp, sizeof(tmp),
                  "target table size %u does not match ABI %u (expected %u)",
                  t->struct_size, t->abi_version,
                  abi_struct_size[t->abi_version]);
    return fail(errbuf, spec, "%s", tmp);
  }
  struct {
    const char *name;
    int present;
  } ops[] = {
      {"destroy", t->destroy != NULL},
      {"conn_open", t->conn_open != NULL},
      {"conn_close", t->conn_close != NULL},
      {"initiate_offload", t->initiate_offload != NULL},
      {"receive", t->receive != NULL},
      {"receive_return", t->receive_return != NULL},
      {"segment", t->segment != NULL},
      {"advance_time", t->advance_time != NULL},
      {"terminate_offload", t->terminate_offload != NULL},
  };
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
    if (!ops[i].present)
      return fail(errbuf, spec, "mandatory operation %s is NULL", ops[i].name);
  if (t->capabilities & ~(uint64_t)TORC_CAP_ALL) {
    torc_wire_fmt(
        tmp, sizeof(tmp), "unknown capability bits 0x%llx (known: 0x%x)",
        (unsigned long long)(t->capabilities & ~(uint64_t)TORC_CAP_ALL),
        TORC_CAP_ALL);
    return fail(errbuf, spec, "%s", tmp);
  }
  if (!t->name || !t->name[0])
    return fail(errbuf, spec, "%s", "target has no name");
  return 0;
}

/* Runs init into slack space, validates, copies the table to *ops. */
static int init_target(const char *spec, torc_target_init_fn init,
                       const torc_host_ops *host, void *host_ctx,
                       torc_target *ops, char *errbuf) {
  init_out *o = calloc(1, sizeof(*o));
  if (!o)
    return fail(errbuf, spec, "%s", "out of memory");
  char eb[TORC_ERRBUF_SIZE] = "";
  int rc = init(TORC_TARGET_ABI_VERSION, host, host_ctx, &o->t, eb);
  eb[TORC_ERRBUF_SIZE - 1] = '\0';
  if (rc != 0) {
    free(o);
    return fail(errbuf, spec, "init refused: %s", eb[0] ? eb : "(no message)");
  }
  if (validate(spec, &o->t, errbuf) != 0) {
    /* destroy sits in the v1 prefix, where every version keeps it. */
    if (o->t.destroy)
      o->t.destroy(o->t.user_data);
    free(o);
    return -1;
  }
  /* Only the bytes the target's own table has: fields past its
   * struct_size (a table compiled before they existed) read as zero. */
  memset(ops, 0, sizeof(*ops));
  memcpy(ops, &o->t,
         o->t.struct_size < sizeof(*ops) ? o->t.struct_size : sizeof(*ops));
  /* A pointer the table covers only in part is not one. */
  if (o->t.struct_size < offsetof(torc_target, driver) + sizeof(ops->driver))
    ops->driver = NULL;
  if (o->t.struct_size <
      offsetof(torc_target, firmware) + sizeof(ops->firmware))
    ops->firmware = NULL;
  if (!ops->version)
    ops->version = "";
  free(o);
  return 0;
}

static int load_so(const char *spec, torc_loaded *l, const torc_host_ops *host,
                   void *host_ctx, torc_target *ops, char *errbuf) {
  /* A bare "x.so" is a file here, not a library search. */
  char path[4096];
  torc_wire_fmt(path, sizeof(path), "%s%s", strchr(spec, '/') ? "" : "./",
                spec);
  dlerror();
  /* RTLD_DEEPBIND: the target's own names bind to its own definitions
   * first, before those of torc's libraries (jansson, libpcap); ASan
   * refuses it, and torc exports nothing anyway (harness/torc.map). */
  l->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | (TORC_ASAN ? 0 : RTLD_DEEPBIND));
  if (!l->dl) {
    const char *e = dlerror();
    e = e ? e : "unknown error";
    /* dlerror() usually starts with the path already. */
    size_t n = strlen(path);
    if (strncmp(e, path, n) == 0 && e[n] == ':')
      e += n + 1 + (e[n + 1] == ' ');
    return fail(errbuf, spec, "cannot load: %s", e);
  }
  dlerror();
  void *sym = dlsym(l->dl, TORC_TARGET_INIT_SYMBOL);
  if (!sym || dlerror())
    return fail(errbuf, spec, "undefined symbol %s", TORC_TARGET_INIT_SYMBOL);
  torc_target_init_fn init;
  memcpy(&init, &sym, sizeof(init)); /* object -> function pointer */
  l->init = init;
  return init_target(spec, init, host, host_ctx, ops, errbuf);
}

static int is_so_spec(const char *spec) {
  size_t n = strlen(spec);
  return strncmp(spec, "exec:", 5) != 0 &&
         (strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".so") == 0));
}

/* The runner a contained .so runs in: c->runner, $TORC_TARGET_RUNNER, or
 * torc-target-runner in the running program's directory (the build tree's
 * bin/ and the installed bindir alike). */
static int find_runner(const torc_contain *c, char *out, size_t n) {
  const char *env = getenv("TORC_TARGET_RUNNER");
  if (c->runner || (env && env[0])) {
    torc_wire_fmt(out, n, "%s", c->runner ? c->runner : env);
    return access(out, X_OK);
  }
  char self[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0)
    return -1;
  self[len] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash)
    return -1;
  *slash = '\0';
  torc_wire_fmt(out, n, "%s/torc-target-runner", self);
  return access(out, X_OK);
}

static int load_contained(const char *spec, const torc_contain *c,
                          torc_loaded *l, const torc_host_ops *host,
                          void *host_ctx, torc_target *ops, char *errbuf) {
  char runner[PATH_MAX] = "", path[PATH_MAX], mem[32];
  if (find_runner(c, runner, sizeof runner) != 0)
    return fail(errbuf, spec,
                "cannot run it contained: no executable %s (set "
                "TORC_TARGET_RUNNER, or use --in-process for a development "
                "run)",
                runner[0] ? runner : "torc-target-runner");
  if (!realpath(spec, path))
    return fail(errbuf, spec, "cannot load: %s", strerror(errno));
  torc_wire_fmt(mem, sizeof mem, "%u", c->memory_mb);
  const char *argv[] = {runner,
                        "--contain",
                        "--fd",
                        "3",
                        "--target",
                        path,
                        c->memory_mb ? "--mem-limit" : NULL,
                        mem,
                        NULL};
  torc_proxy_spawn sp = {argv, spec, c->log_fd, c->log_limit};
  /* The target runs as torc's user: make torc's memory unreachable to it
   * through /proc/PID/mem (the runner also drops every capability). */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  l->kind = KIND_EXEC;
  l->contained = 1;
  return torc_proxy_start_contained(&sp, host, host_ctx, c->timeout_ms,
                                    &l->proxy, ops, errbuf);
}

static int load_spec(const char *spec, const torc_contain *c,
                     const torc_host_ops *host, void *host_ctx,
                     torc_loaded **out, torc_target *ops, char *errbuf) {
  *out = NULL;
  errbuf[0] = '\0';
  if (!spec || !spec[0]) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "empty target name");
    return -1;
  }
  torc_loaded *l = calloc(1, sizeof(*l));
  if (!l)
    return fail(errbuf, spec, "%s", "out of memory");
  int rc;
  size_t n = strlen(spec);
  if (strncmp(spec, "exec:", 5) == 0) {
    l->kind = KIND_EXEC;
    if (!spec[5])
      rc = fail(errbuf, spec, "%s", "no command after exec:");
    else
      rc = torc_proxy_start(spec + 5, c ? c->log_fd : -1, host, host_ctx, 10000,
                            &l->proxy, ops, errbuf);
  } else if (c && is_so_spec(spec)) {
    rc = load_contained(spec, c, l, host, host_ctx, ops, errbuf);
  } else if (strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".so") == 0)) {
    l->kind = KIND_SO;
    rc = load_so(spec, l, host, host_ctx, ops, errbuf);
  } else if (strcmp(spec, "reference") == 0) {
    l->kind = KIND_BUILTIN;
    l->init = torc_reference_target_init;
    rc = init_target(spec, l->init, host, host_ctx, ops, errbuf);
  } else if (strcmp(spec, "null") == 0) {
    l->kind = KIND_BUILTIN;
    l->init = torc_null_target_init;
    rc = init_target(spec, l->init, host, host_ctx, ops, errbuf);
  } else {
    rc = fail(errbuf, spec, "%s",
              "unknown target (expected reference, null, exec:COMMAND or "
              "a path to a .so)");
  }
  if (rc != 0) {
    if (l->dl)
      dlclose(l->dl);
    free(l);
    return -1;
  }
  l->ops = *ops;
  l->host = host;
  l->host_ctx = host_ctx;
  l->spec = strdup(spec);
  if (!l->spec) {
    torc_unload(l);
    return fail(errbuf, spec, "%s", "out of memory");
  }
  *out = l;
  return 0;
}

int torc_load(const char *spec, const torc_host_ops *host, void *host_ctx,
              torc_loaded **out, torc_target *ops, char *errbuf) {
  return load_spec(spec, NULL, host, host_ctx, out, ops, errbuf);
}

int torc_load_contained(const char *spec, const torc_contain *c,
                        const torc_host_ops *host, void *host_ctx,
                        torc_loaded **out, torc_target *ops, char *errbuf) {
  return load_spec(spec, c, host, host_ctx, out, ops, errbuf);
}

/* The trial child's status when the target loaded, initialised and was
 * destroyed: not 0, which a target calling exit(0) would give too. */
#define PREFLIGHT_OK 90

int torc_load_preflight(const char *spec, const torc_host_ops *host,
                        void *host_ctx, unsigned timeout_ms, char *errbuf) {
  if (!spec || !is_so_spec(spec))
    return 0;
  fflush(NULL); /* the child's exit must not write torc's buffers twice */
  pid_t pid = fork();
  if (pid < 0)
    return 0; /* no watchdog to be had: the real load goes on unguarded */
  if (pid == 0) {
    torc_loaded *l;
    torc_target ops;
    char eb[TORC_ERRBUF_SIZE];
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (torc_load(spec, host, host_ctx, &l, &ops, eb) != 0)
      _exit(2);
    torc_unload(l);
    _exit(PREFLIGHT_OK);
  }
  int st = 0;
  uint64_t waited_us = 0,
           limit_us = (uint64_t)(timeout_ms ? timeout_ms : 10000) * 1000u;
  for (;;) {
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid)
      break;
    if (w < 0 && errno != EINTR)
      return 0;
    if (waited_us >= limit_us) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
      return fail(errbuf, spec,
                  "did not finish loading, initialising and destroying "
                  "within %u ms (in a watched child, before loading it "
                  "here)",
                  timeout_ms ? timeout_ms : 10000);
    }
    struct timespec ts = {0, 1000000L};
    nanosleep(&ts, NULL);
    waited_us += 1000;
  }
  if (WIFSIGNALED(st)) {
    const char *abbrev = sigabbrev_np(WTERMSIG(st));
    return fail(errbuf, spec,
                "killed by SIG%s (signal %d) while loading, initialising or "
                "destroying it (in a watched child, before loading it here)",
                abbrev ? abbrev : "?", WTERMSIG(st));
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) != PREFLIGHT_OK && WEXITSTATUS(st) != 2)
    return fail(errbuf, spec,
                "exited with status %d while loading, initialising or "
                "destroying it (in a watched child, before loading it here)",
                WEXITSTATUS(st));
  return 0; /* loaded, or refused: the real load gives the reason */
}

const char *torc_loaded_containment(const torc_loaded *l) {
  if (l->kind == KIND_EXEC)
    return "process";
  return l->kind == KIND_SO ? "in-process" : "builtin";
}

int torc_loaded_reset(torc_loaded *l, torc_target *ops, char *errbuf) {
  if (l->kind == KIND_EXEC) {
    if (torc_proxy_reset(l->proxy, errbuf) != 0)
      return -1;
    *ops = l->ops; /* the proxy's table does not change */
    return 0;
  }
  if (l->ops.destroy)
    l->ops.destroy(l->ops.user_data);
  memset(&l->ops, 0, sizeof(l->ops));
  if (init_target(l->spec, l->init, l->host, l->host_ctx, ops, errbuf) != 0)
    return -1;
  l->ops = *ops;
  return 0;
}

int torc_loaded_status(const torc_loaded *l, char *why, size_t n) {
  if (l->kind == KIND_EXEC)
    return torc_proxy_status(l->proxy, why, n);
  if (why && n)
    why[0] = '\0';
  return 0;
}

int torc_loaded_restart(torc_loaded *l, char *errbuf) {
  if (l->kind == KIND_EXEC)
    return torc_proxy_restart(l->proxy, errbuf);
  return 0;
}

int torc_loaded_explain(torc_loaded *l, void *conn,
                        void (*fn)(void *ctx, const char *const *because,
                                   uint32_t n),
                        void *ctx) {
  if (!l || l->kind != KIND_BUILTIN || l->init != torc_reference_target_init)
    return -1;
  return torc_reference_explain(conn, fn, ctx);
}

int torc_loaded_read_as(torc_loaded *l, void *conn, uint32_t readings) {
  if (!l || l->kind != KIND_BUILTIN || l->init != torc_reference_target_init)
    return -1;
  return torc_reference_read_as(conn, readings);
}

/* The readings the reference can take, with the allowance each one is
 * (docs/DECISIONS.md). */
static const struct {
  uint32_t bit;
  const char *allowance;
} readings[] = {
    {TORC_READING_DISCONNECT_BEFORE_PLACED, "disconnect-before-placed"},
    {TORC_READING_FIN_NONPUSH_COMPLETE, "fin-nonpush-complete"},
    {TORC_READING_DISCONNECT_POSTS_AT_ONCE, "disconnect-posts-at-once"},
    {TORC_READING_GAP_FILL_PER_SEGMENT, "gap-fill-per-segment"},
    {TORC_READING_OOO_RESTARTS_TIMER, "ooo-restarts-timer"},
    {TORC_READING_TRIMMED_PSH_IGNORED, "trimmed-psh-ignored"},
};

const char *torc_reading(unsigned i, uint32_t *bit) {
  if (i >= sizeof readings / sizeof readings[0])
    return NULL;
  *bit = readings[i].bit;
  return readings[i].allowance;
}

int torc_loaded_is_remote(const torc_loaded *l) {
  return l->kind == KIND_EXEC;
}

void torc_loaded_set_timeout(torc_loaded *l, unsigned ms) {
  if (l->kind == KIND_EXEC)
    torc_proxy_set_timeout(l->proxy, ms);
}

_Static_assert(TORC_ALLOCS_ASK == TORC_ALLOC_ASK &&
                   TORC_ALLOCS_GRANTED == TORC_ALLOC_SERVE &&
                   TORC_ALLOCS_REFUSED == TORC_ALLOC_REFUSE,
               "torc_load.h's policies are the wire protocol's");

void torc_loaded_alloc_policy(torc_loaded *l, int policy) {
  if (l && l->kind == KIND_EXEC)
    torc_proxy_alloc_policy(l->proxy, policy);
}

void torc_unload(torc_loaded *l) {
  if (!l)
    return;
  if (l->kind == KIND_EXEC) {
    torc_proxy_stop(l->proxy); /* sends DESTROY itself */
  } else {
    if (l->ops.destroy)
      l->ops.destroy(l->ops.user_data);
    if (l->dl)
      dlclose(l->dl);
  }
  free(l->spec);
  free(l);
}
