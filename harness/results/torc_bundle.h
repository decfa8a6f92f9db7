/*
 * torc_bundle.h - interface for a module to describe a failing vector for
 * reports and to write a self-contained reproduction bundle for it.
 *
 * `torc run` calls torc_bundle_context for every result that is not PASS
 * (its script, stream and delegated state in the form the report draws),
 * and, with --bundle DIR, torc_bundle_write for every failing vector: one
 * folder a vendor can attach to a bug report as is.  The bundle's vector
 * points at a sliced capture (just the frames it lists, renumbered 1..n), so
 * it replays without the rest of the corpus.
 */
#ifndef TORC_BUNDLE_H
#define TORC_BUNDLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_vector.h"

/* The vector as the report pictures it (ownership transfers to the caller;
 * NULL when out of memory):
 *   {"script": [{"i", "t_us", "op", ...}],  frames carry "frame" (1-based),
 *               "offset"/"len" (stream bytes) and "flags" ("FSRPAU");
 *               posts carry "id", "size", "push", "prefilled"
 *    "buffered_len", "stream_len", "fin_offset" (or null),
 *    "buffered_lists": [[len, ...], ...], "isn", "rcv_nxt", "rcv_wnd"} */
json_t *torc_bundle_context(const torc_vector *v);

typedef struct torc_bundle_opts {
  const char *target_spec; /* as given to --target */
  int strict;
  unsigned timeout_ms;   /* watchdog of the re-run; 0: none */
  uint64_t memory_limit; /* bytes; 0: none */
  int in_process;        /* --in-process: the re-run loads a .so here too;
                            else it runs contained, as the run did */
} torc_bundle_opts;

/* Writes root/<vector id>/ for vector v whose result record is rec
 * (borrowed): vector.json (the vector, rewritten onto capture.pcap),
 * capture.pcap (the frames it lists, same link type), fed.pcap (the frames
 * in the order the script feeds them, stamped with the virtual clock),
 * expected-trace.json and actual-trace.json and target.log (from a re-run
 * of the vector in a forked child), result.json (rec), README.md and
 * replay.sh.  root may be a link (the user named it); root/<id> and the
 * files in it are never followed through one: each file is created new
 * (O_EXCL|O_NOFOLLOW), replacing only an earlier regular file.  Returns 0,
 * or -1 with "PATH: reason" in err at the first file that cannot be made,
 * written or closed.  Nothing written before an error is removed (a
 * partial bundle still helps). */
int torc_bundle_write(const char *root, const torc_vector *v, const json_t *rec,
                      const torc_bundle_opts *o, char *err, size_t errlen);

#endif /* TORC_BUNDLE_H */
