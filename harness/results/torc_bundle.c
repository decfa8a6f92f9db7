/*
 * torc_bundle.c - what a failing vector looks like, for reports, and the
 * reproduction bundle `torc run --bundle DIR` writes for it.
 *
 * Sits after the engine: the run (harness/run/torc_run_finish.c) has a result
 * and the loaded vector. The context (torc_bundle_context) is read from the
 * loaded vector's private body (torc_vector_int.h).  The bundle re-reads the
 * vector's JSON file, rewrites its provenance onto a sliced capture
 * (pcap_open_dead with the capture's own DLT, then pcap_dump), gives it its new
 * content-derived id, and re-runs it once in a forked child with the target's
 * log and event traces recorded, so a crash of the target ends the child, not
 * the run.
 *
 * Files are made relative to the bundle folder's descriptor and never
 * through a link planted there: the folder is opened with O_NOFOLLOW, each
 * file created with O_CREAT|O_EXCL|O_NOFOLLOW (an earlier bundle's regular
 * file is removed first; a symbolic link or anything else is refused, naming
 * it).  Every write and close is checked: a full disk or a file-size limit
 * is an error naming the file and the reason, also for the files the re-run
 * child writes (its first error comes back through a pipe).
 */
#include "torc_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <torc/target.h>
#include <unistd.h>

#include "torc_engine.h"
#include "torc_load.h"
#include "torc_sha256.h"
#include "torc_shquote.h"
#include "torc_vector_int.h"

static void flags_text(uint8_t f, char out[8]) {
  char *p = out;
  if (f & TORC_TCP_SYN)
    *p++ = 'S';
  if (f & TORC_TCP_FIN)
    *p++ = 'F';
  if (f & TORC_TCP_RST)
    *p++ = 'R';
  if (f & TORC_TCP_PSH)
    *p++ = 'P';
  if (f & TORC_TCP_ACK)
    *p++ = 'A';
  if (f & TORC_TCP_URG)
    *p++ = 'U';
  *p = '\0';
}

json_t *torc_bundle_context(const torc_vector *v) {
  const torc_vector_body *b = v->body;
  json_t *ctx, *script, *lists;
  size_t i, k;
  if (!b)
    return NULL;
  script = json_array();
  lists = json_array();
  for (i = 0; i < b->nevents; i++) {
    const torc_event *ev = &b->events[i];
    json_t *e =
        json_pack("{s:I, s:I, s:s}", "i", (json_int_t)i, "t_us",
                  (json_int_t)ev->t_us, "op", torc_vector_op_name(ev->op));
    if (!e)
      continue;
    if (ev->op == TORC_OP_POST || ev->op == TORC_OP_POST_IN_COMPLETION ||
        ev->op == TORC_OP_POST_IN_INDICATION) {
      json_object_set_new(e, "id", json_integer((json_int_t)ev->req_id));
      json_object_set_new(e, "size", json_integer(ev->size));
      json_object_set_new(e, "push", json_boolean(ev->push));
      if (ev->prefilled)
        json_object_set_new(e, "prefilled", json_integer(ev->prefilled));
    } else if (ev->op == TORC_OP_FRAME && b->cap &&
               ev->frame < b->cap->nframes) {
      torc_frame f;
      char fl[8];
      torc_vector_frame_info(b, ev, &f);
      flags_text(f.flags, fl);
      json_object_set_new(e, "frame", json_integer(f.number));
      if (ev->derived)
        json_object_set_new(e, "derived", json_integer(ev->derived));
      json_object_set_new(e, "offset",
                          json_integer((json_int_t)(int32_t)(f.seq - b->isn)));
      json_object_set_new(e, "len", json_integer(f.payload_len));
      json_object_set_new(e, "flags", json_string(fl));
    }
    json_array_append_new(script, e);
  }
  for (i = 0; i < b->nlists; i++) {
    json_t *l = json_array();
    for (k = 0; k < b->list_count[i]; k++)
      json_array_append_new(l,
                            json_integer(b->frags[b->list_first[i] + k].len));
    json_array_append_new(lists, l);
  }
  ctx = json_pack("{s:o, s:I, s:I, s:o, s:o, s:I, s:I, s:I}", "script", script,
                  "buffered_len", (json_int_t)b->buffered_len, "stream_len",
                  (json_int_t)b->stream_len, "fin_offset",
                  b->fin_offset == UINT64_MAX
                      ? json_null()
                      : json_integer((json_int_t)b->fin_offset),
                  "buffered_lists", lists, "isn", (json_int_t)b->isn, "rcv_nxt",
                  (json_int_t)b->rcv_nxt, "rcv_wnd", (json_int_t)b->rcv_wnd);
  return ctx;
}

/* ---- Files --------------------------------------------------------------- */

static void set_err(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, n, fmt, ap);
  va_end(ap);
}

/* dir/name into out; -1 (and errno ENAMETOOLONG) when it does not fit. */
static int path_join(char *out, size_t n, const char *dir, const char *name) {
  if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n) {
    errno = ENAMETOOLONG;
    return -1;
  }
  return 0;
}

/* A bundle folder: its descriptor and its name for messages. */
typedef struct bdir {
  int fd;
  const char *path;
} bdir;

/* Creates name in d for writing, as a new file: an earlier bundle's
 * regular file is removed first, anything else there (a symbolic link, a
 * folder, a FIFO) is refused and left alone.  Returns the descriptor, or
 * -1 with "DIR/NAME: reason" in err. */
static int create_file(const bdir *d, const char *name, int mode, char *err,
                       size_t errlen) {
  struct stat st;
  int fd;
  if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISREG(st.st_mode)) {
      set_err(err, errlen, "%s/%s: %s, not followed or replaced", d->path, name,
              S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
      return -1;
    }
    if (unlinkat(d->fd, name, 0) != 0) {
      set_err(err, errlen, "%s/%s: %s", d->path, name, strerror(errno));
      return -1;
    }
  }
  fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              mode);
  if (fd < 0)
    set_err(err, errlen, "%s/%s: %s", d->path, name,
            errno == ELOOP ? "a symbolic link, not followed" : strerror(errno));
  return fd;
}

/* Writes all n bytes; 0, or -1 with errno. */
static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    if (w == 0) {
      errno = EIO;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int write_text(const bdir *d, const char *name, const char *text,
                      int mode, char *err, size_t errlen) {
  int fd = create_file(d, name, mode, err, errlen), rc;
  if (fd < 0)
    return -1;
  rc = write_all(fd, text, strlen(text));
  if (rc != 0) {
    set_err(err, errlen, "%s/%s: %s", d->path, name, strerror(errno));
    close(fd);
    return -1;
  }
  if (close(fd) != 0) {
    set_err(err, errlen, "%s/%s: %s", d->path, name, strerror(errno));
    return -1;
  }
  return 0;
}

static int write_json(const bdir *d, const char *name, const json_t *j,
                      char *err, size_t errlen) {
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  int rc;
  if (!s) {
    set_err(err, errlen, "%s/%s: out of memory", d->path, name);
    return -1;
  }
  rc = write_text(d, name, s, 0644, err, errlen);
  free(s);
  return rc;
}

/* The trace text as indented JSON (it is compact JSON already). */
static int write_trace(const bdir *d, const char *name, const char *trace,
                       char *err, size_t errlen) {
  json_error_t je;
  json_t *j = trace ? json_loads(trace, 0, &je) : NULL;
  int rc;
  if (!j)
    return write_text(d, name, trace ? trace : "null\n", 0644, err, errlen);
  rc = write_json(d, name, j, err, errlen);
  json_decref(j);
  return rc;
}

/* Frames listed by the vector (numbers and [first, last] ranges), in listed
 * order.  Returns the count (0 on a malformed list; the loader has already
 * rejected those). */
static size_t listed_frames(json_t *frames, uint32_t **out) {
  size_t i, n = 0, cap = 0;
  json_t *f;
  uint32_t *v = NULL;
  json_array_foreach(frames, i, f) {
    json_int_t a, z, k;
    if (json_is_integer(f))
      a = z = json_integer_value(f);
    else if (json_is_array(f) && json_array_size(f) == 2) {
      a = json_integer_value(json_array_get(f, 0));
      z = json_integer_value(json_array_get(f, 1));
    } else
      continue;
    if (a < 1 || z < a || z - a > 10000000)
      continue;
    for (k = a; k <= z; k++) {
      if (n == cap) {
        uint32_t *t = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v);
        if (!t) {
          free(v);
          *out = NULL;
          return 0;
        }
        v = t;
      }
      v[n++] = (uint32_t)k;
    }
  }
  *out = v;
  return n;
}

static void dump_frame(pcap_dumper_t *d, const torc_capture *cap,
                       const torc_frame *f, uint64_t ts_us) {
  struct pcap_pkthdr h;
  memset(&h, 0, sizeof h);
  h.ts.tv_sec = (time_t)(ts_us / 1000000u);
  h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
  h.caplen = f->caplen;
  h.len = f->wirelen >= f->caplen ? f->wirelen : f->caplen;
  pcap_dump((u_char *)d, &h, torc_capture_bytes(cap, f));
}

/* The segment a frame event gives the target (rebased or derived frames as
 * the target sees them), at the event's virtual time. */
static void dump_segment(pcap_dumper_t *d, const torc_vector_body *b,
                         const torc_event *ev) {
  const torc_frame *f = &b->cap->frames[ev->frame];
  struct pcap_pkthdr h;
  torc_segment seg;
  uint8_t *buf = malloc((size_t)f->caplen + 1);
  uint32_t len;
  if (!buf)
    return;
  len = torc_vector_build_segment(b, ev, buf, (size_t)f->caplen + 1, &seg);
  memset(&h, 0, sizeof h);
  h.ts.tv_sec = (time_t)(ev->t_us / 1000000u);
  h.ts.tv_usec = (suseconds_t)(ev->t_us % 1000000u);
  h.caplen = h.len = len;
  if (len)
    pcap_dump((u_char *)d, &h, buf);
  free(buf);
}

/* Creates d/name for writing a capture of cap's link type. */
static pcap_dumper_t *open_dump(const bdir *d, const char *name,
                                const torc_capture *cap, pcap_t **pd, char *err,
                                size_t errlen) {
  pcap_dumper_t *dp;
  FILE *fp;
  int fd;
  *pd = pcap_open_dead(cap->dlt, 262144);
  if (!*pd) {
    set_err(err, errlen, "%s/%s: pcap_open_dead failed", d->path, name);
    return NULL;
  }
  fd = create_file(d, name, 0644, err, errlen);
  if (fd < 0 || !(fp = fdopen(fd, "wb"))) {
    if (fd >= 0) {
      set_err(err, errlen, "%s/%s: %s", d->path, name, strerror(errno));
      close(fd);
    }
    pcap_close(*pd);
    *pd = NULL;
    return NULL;
  }
  dp = pcap_dump_fopen(*pd, fp);
  if (!dp) {
    set_err(err, errlen, "%s/%s: %s", d->path, name, pcap_geterr(*pd));
    fclose(fp);
    pcap_close(*pd);
    *pd = NULL;
  }
  return dp;
}

/* Flushes and closes what open_dump opened; 0, or -1 with "DIR/NAME:
 * reason" in err (a short write shows as an error of the flush). */
static int close_dump(const bdir *d, const char *name, pcap_dumper_t *dp,
                      pcap_t *pd, char *err, size_t errlen) {
  FILE *fp = pcap_dump_file(dp);
  int rc = 0;
  errno = 0;
  if (pcap_dump_flush(dp) != 0 || ferror(fp)) {
    set_err(err, errlen, "%s/%s: %s", d->path, name,
            strerror(errno ? errno : EIO));
    rc = -1;
  }
  pcap_dump_close(dp);
  pcap_close(pd);
  return rc;
}

static int file_sha256(const bdir *d, const char *name, char out[65]) {
  int fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  torc_sha256 s;
  uint8_t buf[8192], dg[32];
  size_t n;
  int bad;
  if (!f) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  torc_sha256_init(&s);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    torc_sha256_update(&s, buf, n);
  bad = ferror(f);
  fclose(f);
  if (bad) {
    errno = EIO;
    return -1;
  }
  torc_sha256_final(&s, dg);
  torc_sha256_to_hex(dg, out);
  return 0;
}

/* capture.pcap, fed.pcap and vector.json.  new_id receives the bundle
 * vector's id. */
static int write_slice(const bdir *dir, const torc_vector *v, char new_id[21],
                       char *err, size_t errlen) {
  const torc_vector_body *b = v->body;
  const torc_capture *cap = b->cap;
  json_error_t je;
  json_t *root = json_load_file(v->path, 0, &je), *prov, *events, *ev, *fa;
  uint32_t *nums = NULL, *renum = NULL;
  size_t n, i;
  pcap_t *pd = NULL;
  pcap_dumper_t *d;
  char sha[65], note[1024], *canon = NULL;
  int rc = -1;

  if (!root) {
    set_err(err, errlen, "%s: line %d: %s", v->path, je.line, je.text);
    return -1;
  }
  prov = json_object_get(root, "provenance");
  n = listed_frames(json_object_get(prov, "frames"), &nums);
  renum = calloc((size_t)cap->nframes + 1, sizeof *renum);
  if (!renum || (n == 0 && nums == NULL &&
                 json_array_size(json_object_get(prov, "frames")) > 0)) {
    set_err(err, errlen, "%s: out of memory", dir->path);
    goto out;
  }
  /* capture.pcap: the listed frames, renumbered 1..n in listed order. */
  if (!(d = open_dump(dir, "capture.pcap", cap, &pd, err, errlen)))
    goto out;
  fa = json_array();
  for (i = 0; i < n; i++) {
    const torc_frame *f = torc_capture_frame(cap, nums[i]);
    if (!f)
      continue;
    dump_frame(d, cap, f, f->ts_us);
    renum[nums[i]] = (uint32_t)i + 1;
    json_array_append_new(fa, json_integer((json_int_t)i + 1));
  }
  if (close_dump(dir, "capture.pcap", d, pd, err, errlen) != 0) {
    json_decref(fa);
    goto out;
  }
  /* fed.pcap: what the script hands the target, on the virtual clock. */
  if (!(d = open_dump(dir, "fed.pcap", cap, &pd, err, errlen))) {
    json_decref(fa);
    goto out;
  }
  for (i = 0; i < b->nevents; i++)
    if (b->events[i].op == TORC_OP_FRAME && b->events[i].frame < cap->nframes)
      dump_segment(d, b, &b->events[i]);
  if (close_dump(dir, "fed.pcap", d, pd, err, errlen) != 0) {
    json_decref(fa);
    goto out;
  }
  if (file_sha256(dir, "capture.pcap", sha) != 0) {
    json_decref(fa);
    set_err(err, errlen, "%s/capture.pcap: %s", dir->path, strerror(errno));
    goto out;
  }
  snprintf(note, sizeof note,
           "repro bundle of %s: frames of %s renumbered 1..%zu in listed "
           "order%s%s",
           v->id, json_string_value(json_object_get(prov, "capture")), n,
           json_is_string(json_object_get(prov, "note")) ? "; " : "",
           json_is_string(json_object_get(prov, "note"))
               ? json_string_value(json_object_get(prov, "note"))
               : "");
  json_object_set_new(prov, "frames", fa);
  json_object_set_new(prov, "capture", json_string("capture.pcap"));
  json_object_set_new(prov, "capture_sha256", json_string(sha));
  json_object_set_new(prov, "note", json_string(note));
  events = json_object_get(root, "events");
  json_array_foreach(events, i, ev) {
    json_t *fr = json_object_get(ev, "frame");
    json_int_t k = json_integer_value(fr);
    if (fr && k >= 1 && k <= (json_int_t)cap->nframes && renum[k])
      json_object_set_new(ev, "frame", json_integer(renum[k]));
  }
  /* Derived segments name their source frame by number too. */
  json_array_foreach(
      json_object_get(json_object_get(prov, "transform"), "derived"), i, ev) {
    json_int_t k = json_integer_value(json_object_get(ev, "from"));
    if (k >= 1 && k <= (json_int_t)cap->nframes && renum[k])
      json_object_set_new(ev, "from", json_integer(renum[k]));
  }
  json_object_del(root, "id");
  canon = torc_vector_canonical(root);
  if (!canon) {
    set_err(err, errlen, "%s: out of memory", dir->path);
    goto out;
  }
  torc_vector_compute_id(canon, new_id);
  json_object_set_new(root, "id", json_string(new_id));
  rc = write_json(dir, "vector.json", root, err, errlen);
out:
  free(canon);
  free(nums);
  free(renum);
  json_decref(root);
  return rc;
}

/* ---- The re-run ---------------------------------------------------------- */

static void flush_and_die(int sig) {
  fflush(NULL); /* the target's log: best effort on the way down */
  signal(sig, SIG_DFL);
  raise(sig);
}

/* The child's first file error, sent to the parent (best effort: the
 * parent reads it once the child has ended). */
static void child_report(int errfd, const char *err) {
  if (errfd >= 0 && write_all(errfd, err, strlen(err)) == 0) {
    close(errfd);
  }
}

/* Child: run v once with traces and the log (logfd, target.log, created by
 * the parent), write the trace files into d; the first error writing them
 * goes to errfd. */
static void rerun_child(const bdir *d, int logfd, int errfd,
                        const torc_vector *v, const torc_bundle_opts *o) {
  char log_path[PATH_MAX], err[TORC_ERRBUF_SIZE + PATH_MAX];
  torc_engine_opts eo;
  torc_contain contain;
  torc_engine *e;
  torc_result r;
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGALRM};
  size_t i;

  for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    signal(sigs[i], flush_and_die);
  if (o->memory_limit) {
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)o->memory_limit;
    setrlimit(RLIMIT_AS, &rl);
  }
  if (o->timeout_ms)
    alarm((o->timeout_ms + 999) / 1000);
  /* What the target prints itself goes to the same file; the engine's log
   * opens it through the descriptor, never by its name again. */
  snprintf(log_path, sizeof log_path, "/proc/self/fd/%d", logfd);
  if (access(log_path, W_OK) != 0) /* no /proc: by name, as before */
    path_join(log_path, sizeof log_path, d->path, "target.log");
  dup2(logfd, 1);
  dup2(logfd, 2);
  memset(&eo, 0, sizeof eo);
  eo.strict = o->strict;
  eo.log_path = log_path;
  eo.record_traces = TORC_TRACES_ALL;
  eo.load_timeout_ms = o->timeout_ms;
  /* The re-run meets the target as the run did: a .so contained (its
   * output on target.log), unless the run was --in-process. */
  memset(&contain, 0, sizeof contain);
  contain.log_fd = logfd;
  contain.memory_mb = (unsigned)(o->memory_limit >> 20);
  contain.timeout_ms = o->timeout_ms;
  if (!o->in_process)
    eo.contain = &contain;
  if (torc_engine_new(o->target_spec, &eo, &e, err) != 0) {
    fprintf(stderr, "torc: cannot load target '%s': %s\n", o->target_spec, err);
    fflush(NULL);
    _exit(2);
  }
  torc_engine_run(e, v, &r);
  fflush(NULL);
  if (write_trace(d, "expected-trace.json", r.expected_trace_json, err,
                  sizeof err) != 0 ||
      write_trace(d, "actual-trace.json", r.actual_trace_json, err,
                  sizeof err) != 0)
    child_report(errfd, err);
  else {
    json_t *j = json_pack("{s:s, s:s}", "id", r.id, "verdict",
                          torc_verdict_name(r.verdict));
    if (!j)
      child_report(errfd, "rerun.json: out of memory");
    else if (write_json(d, "rerun.json", j, err, sizeof err) != 0)
      child_report(errfd, err);
    json_decref(j);
  }
  torc_result_clear(&r);
  torc_engine_free(e);
  fflush(NULL);
  _exit(0);
}

/* Re-runs v in a child; how gets a short description of how it ended.
 * Returns 0, or -1 with "DIR/NAME: reason" in err when a file of the
 * re-run could not be written. */
static int rerun(const bdir *d, const torc_vector *v, const torc_bundle_opts *o,
                 char *how, size_t n, char *err, size_t errlen) {
  pid_t pid;
  int st, logfd, pfd[2];
  ssize_t got;
  logfd = create_file(d, "target.log", 0644, err, errlen);
  if (logfd < 0)
    return -1;
  /* The read end never blocks: a descendant of the target may keep the
   * write end open after the child is gone. */
  if (pipe2(pfd, O_CLOEXEC) != 0 || fcntl(pfd[0], F_SETFL, O_NONBLOCK) != 0) {
    set_err(err, errlen, "%s: pipe: %s", d->path, strerror(errno));
    close(logfd);
    return -1;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    snprintf(how, n, "the re-run could not start: %s", strerror(errno));
    close(pfd[0]);
    close(pfd[1]);
    close(logfd);
    return 0;
  }
  if (pid == 0) {
    close(pfd[0]);
    rerun_child(d, logfd, pfd[1], v, o);
  }
  close(pfd[1]);
  close(logfd);
  /* A watchdog of torc's own, not only the child's alarm(): loading, the
   * vector and destroying it get three timeouts and a second between them,
   * then the child is killed. */
  {
    uint64_t waited_ms = 0,
             limit_ms = o->timeout_ms ? 3u * (uint64_t)o->timeout_ms + 1000u
                                      : UINT64_MAX;
    pid_t w;
    while ((w = waitpid(pid, &st, WNOHANG)) == 0 && waited_ms < limit_ms) {
      struct timespec ts = {0, 2000000L};
      nanosleep(&ts, NULL);
      waited_ms += 2;
    }
    if (w == 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
      close(pfd[0]);
      snprintf(how, n,
               "the re-run was killed by its watchdog after %" PRIu64 " ms",
               limit_ms);
      if (errlen > 0)
        err[0] = '\0';
      return 0;
    }
  }
  got = read(pfd[0], err, errlen > 0 ? errlen - 1 : 0);
  close(pfd[0]);
  if (WIFSIGNALED(st))
    snprintf(how, n, "the re-run was killed by %s%s", strsignal(WTERMSIG(st)),
             WTERMSIG(st) == SIGALRM ? " (watchdog)" : "");
  else if (WEXITSTATUS(st) != 0)
    snprintf(how, n, "the re-run exited with status %d", WEXITSTATUS(st));
  else
    snprintf(how, n, "the re-run finished");
  if (got > 0) {
    err[got] = '\0';
    return -1;
  }
  if (errlen > 0)
    err[0] = '\0';
  return 0;
}

/* ---- README and replay.sh ------------------------------------------------ */

/* The target spec as the bundle should name it: a path made absolute. */
static void spec_for_bundle(const char *spec, char *out, size_t n) {
  char *real;
  if (strchr(spec, '/') && strncmp(spec, "exec:", 5) != 0 &&
      (real = realpath(spec, NULL)) != NULL) {
    snprintf(out, n, "%s", real);
    free(real);
    return;
  }
  snprintf(out, n, "%s", spec);
}

static int write_readme(const bdir *dir, const torc_vector *v,
                        const json_t *rec, const char *new_id, const char *spec,
                        const char *how, char *err, size_t errlen) {
  char *s = NULL;
  size_t len = 0, i;
  FILE *f = open_memstream(&s, &len);
  const json_t *viol = json_object_get(rec, "violations"), *x;
  const json_t *div = json_object_get(rec, "divergence");
  const char *detail = json_string_value(json_object_get(rec, "detail"));
  char *qspec = torc_sh_quote(spec);
  int rc;
  if (!f || !qspec) {
    if (f)
      fclose(f);
    free(s);
    free(qspec);
    set_err(err, errlen, "%s: out of memory", dir->path);
    return -1;
  }
  fprintf(f, "# torc repro bundle: %s\n\n", v->id);
  fprintf(f, "%s\n\n", v->title ? v->title : "");
  fprintf(f, "Verdict: **%s**",
          json_string_value(json_object_get(rec, "verdict")));
  if (detail && *detail)
    fprintf(f, " (%s)", detail);
  fprintf(f,
          "\n\nReplay (from this folder):\n\n    torc run --target %s "
          "--vectors vector.json\n\nor `./replay.sh [TARGET]`.\n\n",
          qspec);
  fprintf(f,
          "The vector here is %s rewritten onto `capture.pcap` (its frames "
          "only, renumbered), so its id is %s.\n\n",
          v->path, new_id);
  if (json_array_size(viol)) {
    fprintf(f, "Violations:\n\n");
    json_array_foreach(viol, i, x) {
      const char *m = json_string_value(json_object_get(x, "message"));
      if (m && strcmp(m, "requirement exercised by this vector") == 0)
        continue;
      fprintf(f, "- %s: %s\n",
              json_string_value(json_object_get(x, "requirement")), m ? m : "");
    }
    fprintf(f, "\n");
  }
  if (json_is_object(div)) {
    char off[32] = "-";
    if (json_is_integer(json_object_get(div, "stream_offset")))
      snprintf(off, sizeof off, "%" JSON_INTEGER_FORMAT,
               json_integer_value(json_object_get(div, "stream_offset")));
    fprintf(f,
            "First divergence: actual event %" JSON_INTEGER_FORMAT
            ", stream offset %s\n\n    expected: %s\n    actual:   %s\n\n",
            json_integer_value(json_object_get(div, "event_index")), off,
            json_string_value(json_object_get(div, "expected")),
            json_string_value(json_object_get(div, "actual")));
  }
  fprintf(f,
          "Files:\n\n"
          "- `vector.json`: the vector (points at capture.pcap)\n"
          "- `capture.pcap`: the capture frames the vector lists\n"
          "- `fed.pcap`: the frames in the order the script feeds them to the "
          "target, stamped with the virtual clock\n"
          "- `expected-trace.json`, `actual-trace.json`: host-visible events "
          "(expected by the vector; recorded from the target)\n"
          "- `target.log`: the target's log lines and output during the "
          "re-run (%s)\n"
          "- `result.json`: the result record of the run\n",
          how);
  fclose(f);
  rc = write_text(dir, "README.md", s, 0644, err, errlen);
  free(s);
  if (rc == 0) {
    char *sh = NULL;
    /* The spec is a quoted word of its own: inside "${1:-...}" sh would
     * expand $(...) and backquotes in it. */
    if (asprintf(&sh,
                 "#!/bin/sh\n# Replays %s (vector %s) alone.\n"
                 "target=%s\n"
                 "cd \"$(dirname \"$0\")\" || exit 2\n"
                 "exec \"${TORC:-torc}\" run --target \"${1:-$target}\" "
                 "--vectors vector.json\n",
                 v->id, new_id, qspec) < 0) {
      free(qspec);
      set_err(err, errlen, "%s: out of memory", dir->path);
      return -1;
    }
    rc = write_text(dir, "replay.sh", sh, 0755, err, errlen);
    free(sh);
  }
  free(qspec);
  return rc;
}

int torc_bundle_write(const char *root, const torc_vector *v, const json_t *rec,
                      const torc_bundle_opts *o, char *err, size_t errlen) {
  char dir[PATH_MAX], new_id[21] = "", spec[PATH_MAX], how[256];
  bdir d;
  int rootfd, rc = -1;
  if (!v->body || !v->body->cap) {
    set_err(err, errlen, "%s: vector has no capture", v->id);
    return -1;
  }
  /* DIR itself is the user's to name (a link there is followed); what
   * torc makes inside it is not. */
  if (mkdir(root, 0755) != 0 && errno != EEXIST) {
    set_err(err, errlen, "%s: %s", root, strerror(errno));
    return -1;
  }
  rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    set_err(err, errlen, "%s: %s", root, strerror(errno));
    return -1;
  }
  if (path_join(dir, sizeof dir, root, v->id) != 0 ||
      (mkdirat(rootfd, v->id, 0755) != 0 && errno != EEXIST)) {
    set_err(err, errlen, "%s/%s: %s", root, v->id, strerror(errno));
    close(rootfd);
    return -1;
  }
  d.path = dir;
  d.fd = openat(rootfd, v->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(rootfd);
  if (d.fd < 0) {
    struct stat st;
    int e = errno;
    if (e == ELOOP || e == ENOTDIR)
      set_err(err, errlen, "%s: %s, not followed", dir,
              fstatat(AT_FDCWD, dir, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                      S_ISLNK(st.st_mode)
                  ? "a symbolic link"
                  : "not a folder");
    else
      set_err(err, errlen, "%s: %s", dir, strerror(e));
    return -1;
  }
  if (write_slice(&d, v, new_id, err, errlen) == 0 &&
      write_json(&d, "result.json", rec, err, errlen) == 0 &&
      rerun(&d, v, o, how, sizeof how, err, errlen) == 0) {
    spec_for_bundle(o->target_spec, spec, sizeof spec);
    rc = write_readme(&d, v, rec, new_id, spec, how, err, errlen);
  }
  close(d.fd);
  return rc;
}
