/*
 * torc_exit.h - the exit statuses of the torc program.
 *
 * Chosen at the end of a run (torc_run.c, from torc_results_status) and
 * returned by every command (harness/cli/):
 *   0 conformant, 1 non-conformant, 2 usage/input/target-load error,
 *   3 incomplete (CRASH, TIMEOUT, ERROR, interrupted); 2 > 3 > 1 > 0.
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

#endif /* TORC_EXIT_H */
