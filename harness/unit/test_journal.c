/*
 * test_journal.c - Check tests of the journal's appends on a disk that
 * fills up and frees again (harness/results/torc_journal.c, issue 16).
 *
 * The run appends each finished vector's record to the journal
 * (torc_run_record.c).  An append the disk refuses must leave no torn piece
 * behind (the part written is cut off again) and must not be lost: it is
 * written, before the new one, by the next append that the disk accepts.
 * The full disk is RLIMIT_FSIZE with SIGXFSZ ignored (writes past it fail
 * with EFBIG); the limit and the signal are put back after each case, so
 * the cases also run with CK_FORK=no (under valgrind).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_results.h"

static char dir[64];
static char path[128];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/torc-journal-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/r.json.journal", dir);
}

static void teardown(void) {
  unlink(path);
  rmdir(dir);
}

static off_t size_of(const char *p) {
  struct stat st;
  ck_assert_int_eq(stat(p, &st), 0);
  return st.st_size;
}

/* A record with id and a detail of pad bytes. */
static json_t *record(const char *id, size_t pad) {
  char *detail = malloc(pad + 1);
  json_t *rec;
  ck_assert_ptr_nonnull(detail);
  memset(detail, 'x', pad);
  detail[pad] = '\0';
  rec = json_pack("{s:s, s:s, s:s}", "id", id, "verdict", "PASS", "detail",
                  detail);
  free(detail);
  ck_assert_ptr_nonnull(rec);
  return rec;
}

/* The ids of the lines after the header, each of which must be whole
 * JSON, joined by ','. */
static void ids_in(const char *p, char *out, size_t n) {
  FILE *f = fopen(p, "r");
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  ck_assert_ptr_nonnull(f);
  out[0] = '\0';
  while ((len = getline(&line, &cap, f)) > 0) {
    json_error_t je;
    json_t *j;
    ck_assert_msg(line[len - 1] == '\n', "line %zu is torn", lineno + 1);
    j = json_loadb(line, (size_t)len, 0, &je);
    ck_assert_msg(j != NULL, "line %zu is not JSON: %s", lineno + 1, je.text);
    if (lineno++ > 0) {
      strncat(out, out[0] ? "," : "", n - strlen(out) - 1);
      strncat(out, json_string_value(json_object_get(j, "id")),
              n - strlen(out) - 1);
    }
    json_decref(j);
  }
  free(line);
  fclose(f);
}

START_TEST(refused_append_is_cut_off_and_written_with_the_next_bug) {
  /* Issue 16: after a temporary disk-full the journal held a torn record
   * in the middle. */
  torc_target_info ti = {"t", "1", 1, 0, 0, 0, "builtin", NULL, NULL};
  torc_results *rs = torc_results_new("d", &ti);
  torc_journal *j = NULL;
  struct rlimit saved, full;
  void (*old)(int);
  json_t *a = record("rcv-a", 600), *b = record("rcv-b", 10);
  json_t *c = record("rcv-c", 10);
  char err[256], ids[256];
  off_t s0;
  ck_assert_ptr_nonnull(rs);
  ck_assert_int_eq(
      torc_journal_open(path, "d", &ti, NULL, 0, rs, &j, err, sizeof err), 0);
  ck_assert_int_eq(torc_journal_append(j, c), 0);
  s0 = size_of(path);

  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
  full = saved;
  full.rlim_cur = (rlim_t)s0 + 100; /* room for part of a only */
  old = signal(SIGXFSZ, SIG_IGN);
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &full), 0);
  errno = 0;
  ck_assert_int_eq(torc_journal_append(j, a), -1);
  ck_assert_int_eq(errno, EFBIG);
  ck_assert_int_eq(size_of(path), s0); /* no torn piece left */
  ck_assert_uint_eq(torc_journal_pending(j), 1);
  ck_assert_int_eq(torc_journal_flush(j), -1);
  ck_assert_int_eq(size_of(path), s0);

  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0); /* room again */
  signal(SIGXFSZ, old);
  ck_assert_int_eq(torc_journal_append(j, b), 0);
  ck_assert_uint_eq(torc_journal_pending(j), 0);
  torc_journal_close(j, 0);
  ids_in(path, ids, sizeof ids);
  ck_assert_str_eq(ids, "rcv-c,rcv-a,rcv-b");
  json_decref(a);
  json_decref(b);
  json_decref(c);
  torc_results_free(rs);
}
END_TEST

START_TEST(journal_that_cannot_be_created_names_it) {
  torc_target_info ti = {"t", "1", 1, 0, 0, 0, "builtin", NULL, NULL};
  torc_results *rs = torc_results_new("d", &ti);
  torc_journal *j = NULL;
  char err[256], p[160];
  snprintf(p, sizeof p, "%s/no-such-dir/r.json.journal", dir);
  ck_assert_int_eq(
      torc_journal_open(p, "d", &ti, NULL, 0, rs, &j, err, sizeof err),
      TORC_RESULTS_EWRITE);
  ck_assert_ptr_null(j);
  ck_assert_msg(strstr(err, "no-such-dir/r.json.journal.tmp.") &&
                    strstr(err, "No such file or directory"),
                "%s", err);
  torc_results_free(rs);
}
END_TEST

Suite *journal_suite(void);
Suite *journal_suite(void) {
  Suite *s = suite_create("journal");
  TCase *t = tcase_create("full_disk");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, refused_append_is_cut_off_and_written_with_the_next_bug);
  tcase_add_test(t, journal_that_cannot_be_created_names_it);
  suite_add_tcase(s, t);
  return s;
}
