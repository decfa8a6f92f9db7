/*
 * torc_runner_alloc.h - interface for torc-target-runner to answer its
 * target's allocation hook (torc_runner_alloc.c): asked of the host
 * (UP_ALLOC), or served under the host's policy and reported (UP_ALLOCATED,
 * wire protocol 2).
 */
#ifndef TORC_RUNNER_ALLOC_H
#define TORC_RUNNER_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "torc_wire.h"

typedef struct torc_runner_allocs {
  torc_wire_chan *chan;
  int policy; /* TORC_ALLOC_*: OP_ALLOC_POLICY's; ASK until the first */
  /* What the host's quotas count this vector (torc_proxy.h), so that a
   * runaway is reported before its blocks pile up here unseen. */
  uint64_t vec_bytes;
  size_t vec_blocks;
  uint64_t next_token;
} torc_runner_allocs;

/* The target's alloc and free hooks.  A failure of the channel is left in
 * a->chan->failed for the caller (the runner then exits). */
void *torc_runner_alloc(torc_runner_allocs *a, size_t size);
void torc_runner_free(torc_runner_allocs *a, void *ptr);
/* A new vector (OP_RESET): the host's quotas count from 0 again. */
void torc_runner_alloc_reset(torc_runner_allocs *a);

#endif /* TORC_RUNNER_ALLOC_H */
