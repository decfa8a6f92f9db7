/*
 * torc_cli.h - interface for a module to implement one command of the torc
 * program, and the helpers the commands share.
 *
 * torc_main.c dispatches `torc COMMAND ...` to torc_cmd_<command>(); each
 * command parses its own options (getopt_long), prints its own --help and
 * returns the process's exit status (TORC_EXIT_*, harness/run/torc_exit.h).
 * Commands hold no domain logic: they parse options and call the
 * libraries (the run itself is harness/run/torc_run.h).
 */
#ifndef TORC_CLI_H
#define TORC_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "torc_engine.h"
#include "torc_exit.h"    /* TORC_EXIT_* */
#include "torc_select.h"  /* torc_selection, torc_selection_free */
#include "torc_strlist.h" /* torc_strlist, torc_strlist_add/free */
#include "torc_vector.h"

int torc_cmd_run(int argc, char **argv);
int torc_cmd_lint(int argc, char **argv);
int torc_cmd_list(int argc, char **argv);
int torc_cmd_merge(int argc, char **argv);
/* torc_cli_report.c: `torc report RESULTS.json -o DIR` (HTML, Markdown);
 * torc_cli_diff.c: `torc diff OLD.json NEW.json`. */
int torc_cmd_report(int argc, char **argv);
int torc_cmd_diff(int argc, char **argv);
/* torc_cli_vectorize.c: `torc vectorize`, and the coverage table of `torc
 * list --coverage` (per catalogue row: id, strength, testable, vectors,
 * distinct flows; returns TORC_EXIT_FAIL when a testable requirement of
 * groups A-I has vectors from fewer than 3 flows). */
int torc_cmd_vectorize(int argc, char **argv);
int torc_cmd_explain(int argc, char **argv);
/* torc_cli_package.c: `torc package` and `torc verify PKG`. */
int torc_cmd_package(int argc, char **argv);
int torc_cmd_verify(int argc, char **argv);
int torc_cli_coverage(torc_vector *const *vs, size_t n, const char *catalogue);

/* ---- torc_cli_opts.c ---------------------------------------------------- */

/* Prints "torc CMD: message" and "Try 'torc CMD --help'." to stderr and
 * returns TORC_EXIT_USAGE. */
int torc_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a decimal integer in [min, max].  Returns 0 or -1. */
int torc_cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                        unsigned long *out);

/* Parses "i/N" (1 <= i <= N) for --shard.  Returns 0 or -1. */
int torc_cli_parse_shard(const char *s, unsigned *i, unsigned *n);

/* The vectors to use when none are named: $TORC_VECTORS, else ./vectors
 * when it exists, else the installed DATADIR/torc/vectors. */
const char *torc_cli_default_vectors(void);
/* The catalogue to use when none is named: $TORC_CATALOGUE, else
 * ./conformance/catalogue.json when it exists, else the installed one
 * (else "conformance/catalogue.json", whose absence the caller reports). */
const char *torc_cli_default_catalogue(void);
/* PREFIX/share/torc/NAME of an installed torc, or "" (out: n bytes). */
void torc_cli_installed_path(const char *name, char *out, size_t n);

/* The vector-set digest of the suite this torc ships (torc_cli_suite.c). */
const char *torc_cli_suite_digest(void);

/* Loads the vectors of paths (defaults when n = 0) with that many
 * threads; flags are TORC_VECTOR_* (torc_vector.h).  Returns 0, or prints
 * the loader's "FILE: $.path: problem" and returns -1. */
int torc_cli_load_vectors(const char *cmd, const char *const *paths, size_t n,
                          unsigned flags, unsigned threads, torc_vector ***vs,
                          size_t *nvs);

/* The vectors of vs that sel keeps, sorted by id, one shard
 * (harness/run/torc_select.h). */
static inline void torc_cli_select(const torc_selection *sel,
                                   torc_vector *const *vs, size_t n,
                                   torc_vector **sel_out, size_t *n_out) {
  torc_select_vectors(sel, vs, n, sel_out, n_out);
}

#endif /* TORC_CLI_H */
