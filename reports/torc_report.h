/*
 * torc_report.h - interface for a module to render the results of a run for
 * people (`torc report`).
 *
 * Reads a results document (written by `torc run --json`, checked shape by
 * shape with "FILE: $.path: problem" errors) and the requirement catalogue,
 * and writes into a directory:
 *   report.html  one self-contained offline page: the claim and its
 *                reasons, the failures grouped by the rule each is
 *                attributed to, the passes with allowances, the verdicts,
 *                the requirement matrix and every vector.
 *   vectors/ID.html  for every vector that did not PASS (or was UNTESTED)
 *                its own offline page: its violations, an SVG sequence
 *                diagram (expected beside actual, first divergence
 *                highlighted), an SVG of the sequence space with the
 *                receive window's edges, a hex diff and the command that
 *                replays it.
 *   summary.md   the same in a few lines, for a pull-request comment.
 *   junit.xml    a copy of the run's JUnit XML, when given.
 * Both carry the SHA-256 of the canonical results (torc_canon.h), so a
 * reader can check that a report belongs to a results file.  Reads results
 * files only: nothing of the engine or the targets.
 */
#ifndef TORC_REPORT_H
#define TORC_REPORT_H

#include <stddef.h>

#define TORC_REPORT_DEFAULT_MAX_DIAGRAMS 0 /* all: one page each */

typedef struct torc_report_opts {
  const char *results_path; /* RESULTS.json */
  const char *out_dir;      /* made when missing */
  const char *catalogue;    /* catalogue.json, or NULL: none was found */
  const char *junit;        /* JUnit XML to copy, or NULL */
  unsigned max_diagrams;    /* diagrams on the first N vector pages; 0: all */
} torc_report_opts;

/* Writes the report.  Returns 0 with the page's path in page (n bytes), or
 * -1 after printing "torc report: problem" on stderr.  Without a catalogue
 * it warns on stderr and lists only the requirements the results cite. */
int torc_report_write(const torc_report_opts *o, char *page, size_t n);

#endif /* TORC_REPORT_H */
