/*
 * torc_diff.h - interface for a module to compare the results of two runs
 * (`torc diff OLD.json NEW.json`).
 *
 * Vector ids are derived from the vectors' content, so an id present in
 * both documents names the same vector: a verdict change there was caused
 * by the target (or the harness), never by the vectors.  Ids present in
 * only one document are vectors added to or removed from the set.  The two
 * kinds are printed apart, and so is lost coverage: a vector judged
 * passing in OLD that NEW did not judge (UNTESTED, or absent), a
 * requirement check the new run no longer makes.  The two runs' claims are
 * printed side by side, and a note says when they judged different
 * targets (name, version, capabilities) or different vector sets.
 */
#ifndef TORC_DIFF_H
#define TORC_DIFF_H

#include <stddef.h>
#include <stdio.h>

typedef struct torc_diff_counts {
  /* Present in both runs, FAIL, CRASH, TIMEOUT or ERROR in NEW where they
   * were not in OLD: regressions. */
  size_t newly_failing;
  size_t newly_passing;
  /* PASS or PASS-NONSTRICT in OLD, UNTESTED or absent in NEW. */
  size_t lost_coverage;
  size_t added, added_failing, removed;
} torc_diff_counts;

/* Loads both documents (torc_results_load) and prints onto out what
 * changed between them; *counts gets the numbers.  Returns 0, or -1 with
 * "FILE: $.path: problem" (or "out of memory") in errbuf.  New vectors that
 * fail are listed but are not regressions. */
int torc_diff_files(const char *old_path, const char *new_path, FILE *out,
                    torc_diff_counts *counts, char *errbuf, size_t errlen);

#endif /* TORC_DIFF_H */
