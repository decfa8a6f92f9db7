/*
 * torc_runner_frame.h - interface for torc-target-runner to lend the target
 * the frame of an OP_SEGMENT (torc_runner_frame.c): one memory seen twice,
 * written by the runner and only readable by the target.
 */
#ifndef TORC_RUNNER_FRAME_H
#define TORC_RUNNER_FRAME_H

#include <stddef.h>
#include <stdint.h>

typedef struct torc_runner_frame {
  uint8_t *rw; /* the runner copies the frame here and poisons it after */
  uint8_t *ro; /* what the target is lent: the same bytes, read-only */
  size_t cap;
  int twice; /* rw and ro are two views (else one mapping, mprotected) */
} torc_runner_frame;

/* Makes room for need bytes (at least 16 pages); 0, or -1 out of memory. */
int torc_runner_frame_reserve(torc_runner_frame *f, size_t need, size_t page);
/* Around the target's call: the lent bytes read-only and registered as the
 * frame (a write is the frame rule broken), then writable again for the
 * runner.  With two views only the first call registers them. */
void torc_runner_frame_lend(torc_runner_frame *f);
void torc_runner_frame_back(torc_runner_frame *f);
void torc_runner_frame_free(torc_runner_frame *f);

#endif /* TORC_RUNNER_FRAME_H */
