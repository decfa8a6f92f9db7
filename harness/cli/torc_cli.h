/*
 * torc_cli.h - interface for a module to implement one command of the torc
 * program, and the helpers the commands share.
 *
 * torc_main.c dispatches `torc COMMAND ...` to torc_cmd_<command>(); each
 * command parses its own options (getopt_long), prints its own --help and
 * returns the process's exit status:
 *   0 conformant, 1 non-conformant, 2 usage/input/target-load error,
 *   3 incomplete (CRASH, TIMEOUT, ERROR, interrupted); 2 > 3 > 1 > 0.
 */
#ifndef TORC_CLI_H
#define TORC_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "torc_engine.h"
#include "torc_vector.h"

#define TORC_EXIT_OK 0
#define TORC_EXIT_FAIL 1
#define TORC_EXIT_USAGE 2
#define TORC_EXIT_INCOMPLETE 3

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
int torc_cli_coverage(torc_vector *const *vs, size_t n, const char *catalogue);

/* ---- torc_cli_opts.c ---------------------------------------------------- */

/* A growable list of borrowed strings (argv entries). */
typedef struct torc_strlist {
  const char **v;
  size_t n, cap;
} torc_strlist;
void torc_strlist_add(torc_strlist *l, const char *s);
void torc_strlist_free(torc_strlist *l);

/* Prints "torc CMD: message" and "Try 'torc CMD --help'." to stderr and
 * returns TORC_EXIT_USAGE. */
int torc_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a decimal integer in [min, max].  Returns 0 or -1. */
int torc_cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                        unsigned long *out);

/* The vectors to use when none are named: $TORC_VECTORS, else ./vectors
 * when it exists, else the installed DATADIR/torc/vectors. */
const char *torc_cli_default_vectors(void);
/* PREFIX/share/torc/NAME of an installed torc, or "" (out: n bytes). */
void torc_cli_installed_path(const char *name, char *out, size_t n);

/* Loads the vectors of paths (defaults when n = 0).  Returns 0, or prints
 * the loader's "FILE: $.path: problem" and returns -1. */
int torc_cli_load_vectors(const char *cmd, const char *const *paths, size_t n,
                          torc_vector ***vs, size_t *nvs);

/* ---- torc_cli_select.c -------------------------------------------------- */

typedef struct torc_selection {
  torc_strlist ids;          /* id globs (any matches) */
  torc_strlist requirements; /* RCV ids or globs (any matches) */
  torc_strlist tags;         /* tags (any matches) */
  torc_strlist excludes;     /* id globs (none may match) */
  unsigned shard_index;      /* 1..shard_count; 0: no sharding */
  unsigned shard_count;
} torc_selection;

/* Parses "i/N" (1 <= i <= N).  Returns 0 or -1. */
int torc_cli_parse_shard(const char *s, unsigned *i, unsigned *n);

/* Fills sel_out (n_out) with the vectors of vs that the selection keeps,
 * sorted by id; shard i/N keeps every N-th of them starting at the i-th.
 * sel_out must hold n entries; the vectors stay owned by vs. */
void torc_cli_select(const torc_selection *sel, torc_vector *const *vs,
                     size_t n, torc_vector **sel_out, size_t *n_out);
void torc_selection_free(torc_selection *sel);

/* ---- torc_cli_waivers.c ------------------------------------------------- */

typedef struct torc_waiver {
  char *vector;      /* id glob, or NULL */
  char *requirement; /* RCV id, or NULL */
  char *reason;
  char *link;
  char expires[11]; /* YYYY-MM-DD */
} torc_waiver;

typedef struct torc_waivers {
  torc_waiver *v;
  size_t n;
} torc_waivers;

/* Loads a waiver file: a JSON list of {vector|requirement, reason, link,
 * expires}.  Returns 0; -1 with "FILE: $[i].field: problem" in errbuf; -2
 * when a waiver has expired (today from $TORC_TODAY, else the system
 * clock), errbuf naming it. */
int torc_waivers_load(const char *path, torc_waivers *w, char *errbuf,
                      size_t errlen);
/* The waiver covering a result of vector v (by id glob, by one of its
 * requirements or of the result's violated requirements), or NULL. */
const torc_waiver *torc_waivers_match(const torc_waivers *w,
                                      const torc_vector *v,
                                      const torc_result *r);
void torc_waivers_free(torc_waivers *w);

/* ---- torc_cli_progress.c ------------------------------------------------ */

typedef struct torc_progress {
  int tty;   /* redraw one line with \r on stderr */
  int quiet; /* print nothing but errors */
  int strict;
  size_t total, done, failures;
  uint64_t t0_ns, last_draw_ns;
  size_t ran; /* vectors run by this process (for the rate) */
} torc_progress;

/* total: vectors selected; already: those kept from a journal. */
void torc_progress_init(torc_progress *p, size_t total, size_t already,
                        int quiet, int strict);
/* One finished vector: redraws the live line, or (not a terminal) prints a
 * plain line when the verdict is not PASS. */
void torc_progress_add(torc_progress *p, const char *id, torc_verdict v,
                       const char *detail);
/* Clears the live line and prints the summary from counts (per verdict). */
void torc_progress_finish(torc_progress *p, const size_t *counts,
                          int interrupted, size_t not_run);

#endif /* TORC_CLI_H */
