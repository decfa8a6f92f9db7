/*
 * torc_exit.h - the exit statuses of the torc program.
 *
 * For `torc run` and `torc merge` 0, 1 and 3 are the claim's exit status
 * (harness/results/torc_claim.c, taken in torc_run_finish.c); 2 and 5 are
 * decided by the command and outrank it.  Returned by every command
 * (harness/cli/):
 *   0 CONFORMANT, CONFORMANT WITH UNTESTED REQUIREMENTS or PARTIAL RUN,
 *   1 NOT CONFORMANT, 2 usage/input/target-load error, 3 INCOMPLETE
 *   (interrupted, CRASH, TIMEOUT, ERROR, nothing judged), 5 an output
 *   could not be written (disk full, ...: the message names the file and
 *   the reason; what was written before, the journal included, is kept);
 *   5 > 2 > 3 > 1 > 0.
 */
#ifndef TORC_EXIT_H
#define TORC_EXIT_H

#define TORC_EXIT_OK 0
#define TORC_EXIT_FAIL 1
#define TORC_EXIT_USAGE 2
#define TORC_EXIT_INCOMPLETE 3
/* `torc diff` only: a vector passing in the old run is not judged in the
 * new one (2 > 1 > 4 > 0 there). */
#define TORC_EXIT_LOST_COVERAGE 4
/* A results file, the journal, the JUnit file or TAP on stdout could not
 * be written (issue 16). */
#define TORC_EXIT_OUTPUT 5
/* `torc verify` only: the package is not what its MANIFEST and its
 * results say (a sum, a missing or added member, the claim); 2 there is
 * a package that is missing or does not parse. */
#define TORC_EXIT_TAMPERED 6

#endif /* TORC_EXIT_H */
