/*
 * torc_diff.h - interface for a module to compare the results of two runs
 * (`torc diff OLD.json NEW.json`).
 *
 * Vector ids are derived from the vectors' content, so an id present in
 * both documents names the same vector: a verdict change there was caused
 * by the target (or the harness), never by the vectors.  Ids present in
 * only one document are vectors added to or removed from the set.  The two
 * kinds are printed apart.
 */
#ifndef TORC_DIFF_H
#define TORC_DIFF_H

#include <stddef.h>
#include <stdio.h>

/* Loads both documents and prints onto out what changed between them.
 * Returns the number of vectors present in both runs that newly fail
 * (FAIL, CRASH, TIMEOUT or ERROR where they did not before; 0: no
 * regression), or -1 with "FILE: $.path: problem" (or "out of memory") in
 * errbuf.  New vectors that fail are listed but are not regressions. */
long torc_diff_files(const char *old_path, const char *new_path, FILE *out,
                     char *errbuf, size_t errlen);

#endif /* TORC_DIFF_H */
