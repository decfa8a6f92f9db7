/*
 * torc_run.c - `torc run`'s flow: the suite against one target.
 *
 * Called by the command (harness/cli/torc_cli_run.c) with its options and
 * the loaded vectors: compute the vector-set digest -> select
 * (torc_select.c) -> load waivers (an expired one stops here, exit 2) ->
 * load the target once (a refused target is exit 2; with --jobs the
 * workers load their own) -> open the journal (and with --resume keep
 * what it holds; one that cannot be written is exit 5) -> catch the
 * signals again (torc_run_signal.c; the command caught them before
 * loading the vectors, and a signal caught since stops the loop before
 * its first vector) -> run every
 * selected vector not yet done, here one after the other
 * (torc_run_target.c) or in worker processes (torc_run_workers.c), each
 * result recorded as it comes (torc_run_record.c) -> the result files,
 * the summary and the exit status (torc_run_finish.c).
 */
#include "torc_run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void target_info_copy(const torc_target *ops, torc_target_info *ti,
                             char *name, char *version, char *driver,
                             char *firmware) {
  snprintf(name, 128, "%.*s", 127, ops && ops->name ? ops->name : "(unnamed)");
  snprintf(version, 128, "%.*s", 127, ops && ops->version ? ops->version : "");
  snprintf(driver, 128, "%.*s", 127, ops && ops->driver ? ops->driver : "");
  snprintf(firmware, 128, "%.*s", 127,
           ops && ops->firmware ? ops->firmware : "");
  ti->driver = driver;
  ti->firmware = firmware;
  ti->name = name;
  ti->version = version;
  ti->abi_version = ops ? ops->abi_version : 0;
  ti->capabilities = ops ? (unsigned long long)ops->capabilities : 0;
  ti->max_initial_rcv_wnd = ops ? ops->max_initial_rcv_wnd : 0;
  ti->max_buffered_bytes = ops ? ops->max_buffered_bytes : 0;
}

/* FILE.journal of --json FILE: opened (with --resume: the results it
 * holds kept, the pieces it skipped said on stderr, and their vectors
 * marked done).  Returns 0 or an exit status (printed): 2 when the journal
 * is refused, 5 when it cannot be read or written. */
static int open_journal(torc_run_ctx *c, const char *digest,
                        const torc_target_info *ti) {
  const torc_run_opts *o = c->o;
  size_t n = strlen(o->json) + 9, i;
  char err[1024];
  json_t *options = torc_run_scope_options(c);
  int rc;
  c->journal_path = malloc(n);
  if (!c->journal_path || !options) {
    json_decref(options);
    fprintf(stderr, "torc run: out of memory\n");
    return TORC_EXIT_USAGE;
  }
  snprintf(c->journal_path, n, "%s.journal", o->json);
  rc = torc_journal_open(c->journal_path, digest, ti, options, o->resume, c->rs,
                         &c->journal, err, sizeof err);
  json_decref(options);
  if (rc != 0) {
    fprintf(stderr, "torc run: %s\n", err);
    return rc == TORC_RESULTS_EWRITE ? TORC_EXIT_OUTPUT : TORC_EXIT_USAGE;
  }
  for (i = 0; i < torc_journal_notes(c->journal); i++)
    fprintf(stderr, "torc run: %s: %s\n", c->journal_path,
            torc_journal_note(c->journal, i));
  /* torc_results_has is hashed: this is linear in the selection. */
  for (i = 0; i < c->nsel; i++)
    c->done[i] = (unsigned char)torc_results_has(c->rs, c->sel[i]->id);
  return 0;
}

void torc_run_tap_failed(torc_run_ctx *c, int err) {
  if (c->tap_err)
    return;
  c->tap_err = err ? err : EIO;
  fprintf(stderr, "torc run: standard output (--tap): cannot write: %s\n",
          strerror(c->tap_err));
}

/* Every vector not yet done, one after the other.  Returns 1 when
 * interrupted, else 0. */
static int run_serial(torc_run_ctx *c, torc_run_target *t) {
  size_t i;
  for (i = 0; i < c->nsel; i++) {
    torc_result r;
    if (c->done[i])
      continue;
    if (*c->stop || c->fail_stop)
      break;
    if (torc_run_target_run(t, i, &r) == 1 || (*c->stop && !t->remote)) {
      torc_result_clear(&r);
      break;
    }
    torc_run_record(c, i, &r);
    torc_result_clear(&r);
  }
  return *c->stop ? 1 : 0;
}

/* Descriptors 0..2 that torc was started without are held by /dev/null
 * opened read-only, so no file, pipe or socket of the run (the journal,
 * the target's log, a protocol socket) becomes stdout or stderr, and a
 * write to them still fails (EBADF: TAP to a closed stdout is exit 5). */
static void hold_std_fds(void) {
  int fd;
  for (fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
      continue;
    int got = open("/dev/null", O_RDONLY);
    if (got != fd) {
      if (got >= 0)
        close(got);
      return;
    }
  }
}

/* The results of the last run, freed by the next one or left to the exit
 * (still reachable): freeing 8,000 results one by one costs more than
 * writing them (issue 15). */
static torc_results *left_rs;

int torc_run(const torc_run_opts *o, const char *started, torc_vector **all,
             size_t nall) {
  hold_std_fds();
  torc_run_ctx c;
  torc_run_target t;
  size_t i;
  char digest[65], err[1024], name[128], version[128], driver[128],
      firmware[128];
  torc_target_info ti;
  int rc = TORC_EXIT_USAGE, interrupted;
  int have_target = 0;

  memset(&c, 0, sizeof c);
  memset(&t, 0, sizeof t);
  c.o = o;
  c.stop = torc_run_stop_flag();
  c.nall = nall;
  torc_vector_set_digest(all, nall, digest);
  c.sel = calloc(nall + 1, sizeof *c.sel);
  c.done = calloc(nall + 1, 1);
  if (!c.sel || !c.done) {
    fprintf(stderr, "torc run: out of memory\n");
    goto out;
  }
  torc_select_vectors(&o->sel, all, nall, c.sel, &c.nsel);
  if (c.nsel == 0 && o->sel.shard_count <= 1) {
    /* A gate that runs nothing must not pass silently.  (An empty shard
     * of a small set is fine: the other shards hold the vectors.) */
    fprintf(stderr, "torc run: no vector matches the selection (%zu loaded)\n",
            nall);
    goto out;
  }

  if (o->waivers) {
    int wrc = torc_waivers_load(o->waivers, &c.waivers, err, sizeof err);
    if (wrc != 0) {
      fprintf(stderr, "torc run: %s\n", err);
      goto out;
    }
  }

  /* The target is loaded once here: a refused target is exit 2 before any
   * vector runs.  With --jobs the workers load their own. */
  err[0] = '\0';
  if (torc_run_target_open(&t, o, c.sel, c.nsel, c.stop, err) != 0) {
    fprintf(stderr, "torc run: cannot load target '%s': %s\n", o->target,
            err[0] ? err : "unknown error");
    goto out;
  }
  have_target = 1;
  target_info_copy(torc_engine_ops(t.e), &ti, name, version, driver, firmware);
  ti.containment = torc_loaded_containment(torc_engine_loaded(t.e));
  if (o->jobs > 1) {
    torc_run_target_close(&t);
    have_target = 0;
  }

  c.rs = torc_results_new(digest, &ti);
  if (!c.rs) {
    fprintf(stderr, "torc run: out of memory\n");
    goto out;
  }
  if (o->json && (rc = open_journal(&c, digest, &ti)) != 0)
    goto out;

  torc_run_catch_signals();
  torc_progress_init(&c.prog, c.nsel, torc_results_count(c.rs), o->quiet,
                     o->strict);
  if (o->tap) {
    /* The plan counts every selected vector and the claim's line
     * (torc_run_finish.c); those kept from the journal are reported
     * first. */
    if (torc_tap_plan(stdout, c.nsel + 1) != 0)
      torc_run_tap_failed(&c, errno);
    for (i = 0; i < torc_results_count(c.rs); i++)
      if (torc_tap_line(stdout, ++c.tap_n, torc_results_get(c.rs, i),
                        o->strict) != 0)
        torc_run_tap_failed(&c, errno);
  }

  if (o->jobs > 1)
    interrupted = torc_run_parallel(&c);
  else
    interrupted = run_serial(&c, &t);
  rc = torc_run_finish(&c, started, interrupted);

out:
  if (have_target)
    torc_run_target_close(&t);
  torc_journal_close(c.journal, 0);
  free(c.journal_path);
  torc_results_free(left_rs);
  left_rs = c.rs;
  torc_waivers_free(&c.waivers);
  free(c.sel);
  free(c.done);
  return rc;
}
