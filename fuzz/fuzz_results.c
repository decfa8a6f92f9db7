/*
 * fuzz_results.c - libFuzzer target for the readers of results documents:
 * `torc merge`, `torc diff` and `torc report`.
 *
 * Where it sits: torc_results_load (harness/results/torc_results_read.c,
 * torc_results_shape.c) checks a document written by `torc run --json`
 * before merge (torc_results_merge.c) and diff (torc_diff.c) use it; the
 * report (reports/torc_report.c) checks the same document its own way
 * (torc_report_model.c) and renders it.  All of them read files a user
 * hands over, so their input is untrusted.  Input: the bytes of a results
 * document, written to a private temporary file.  A document that loads is
 * merged with itself alone, diffed against itself and written back; every
 * input goes to the report, written into a private temporary directory
 * with a one-requirement catalogue.  Oracles: a failed load or diff says
 * why; a document that loads diffs against itself without error and with
 * no change; nothing leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "torc_diff.h"
#include "torc_report.h"
#include "torc_results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[128], cat[128], out[128], written[128];

static void rm_rf_dir(void) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "fuzz_results: could not remove %s\n", dir);
}

static void setup(void) {
  static const char catalogue[] =
      "{\"requirements\": [{\"id\": \"RCV-001\", \"group\": \"g\", "
      "\"strength\": \"MUST\", \"summary\": \"s\", \"testable\": true}]}\n";
  FILE *f;
  strcpy(dir, "/tmp/torc_fuzz_results_XXXXXX");
  if (!mkdtemp(dir))
    abort();
  atexit(rm_rf_dir);
  snprintf(path, sizeof path, "%s/results.json", dir);
  snprintf(cat, sizeof cat, "%s/catalogue.json", dir);
  snprintf(out, sizeof out, "%s/report", dir);
  snprintf(written, sizeof written, "%s/written.json", dir);
  if (!(f = fopen(cat, "wb")) || fputs(catalogue, f) < 0 || fclose(f) != 0)
    abort();
}

static void loaded(torc_results *rs) {
  char err[1024];
  torc_results *merged = NULL;
  json_t *claim = torc_results_claim(rs);
  json_decref(claim);
  err[0] = '\0';
  if (torc_results_merge(&rs, 1, &merged, err, sizeof err) == 0)
    torc_results_free(merged);
  else if (!err[0])
    abort();
  if (torc_results_write_json(rs, written, err, sizeof err) != 0 && !err[0])
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024], page[256];
  torc_results *rs = NULL;
  torc_diff_counts counts;
  FILE *devnull;
  if (dir[0] == '\0')
    setup();
  fuzz_input_write(path, data, size);

  err[0] = '\0';
  int ok = torc_results_load(path, &rs, err, sizeof err) == 0;
  if (ok) {
    loaded(rs);
    torc_results_free(rs);
  } else if (err[0] == '\0') {
    abort(); /* an error must say what went wrong */
  }

  devnull = fopen("/dev/null", "w");
  if (!devnull)
    abort();
  memset(&counts, 0, sizeof counts);
  err[0] = '\0';
  int drc = torc_diff_files(path, path, devnull, &counts, err, sizeof err);
  fclose(devnull);
  if (drc != 0 && err[0] == '\0')
    abort();
  if (ok && drc != 0)
    abort(); /* what loads, diffs */
  if (drc == 0 && (counts.newly_failing || counts.newly_passing ||
                   counts.added || counts.removed || counts.lost_coverage))
    abort(); /* a document does not differ from itself */

  torc_report_opts o = {path, out, cat, NULL, 4};
  torc_report_write(&o, page, sizeof page);
  return 0;
}
