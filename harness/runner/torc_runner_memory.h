/*
 * torc_runner_memory.h - interface for torc-target-runner to keep track of
 * the memory it lends the target (torc_runner_memory.c): the blocks of the
 * allocation hook, and the ranges mapped read-only while the target may
 * reach them.
 */
#ifndef TORC_RUNNER_MEMORY_H
#define TORC_RUNNER_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <torc/target.h>

/* What a read-only range holds: says which rule a write into it breaks. */
enum { TORC_RO_FRAME = 1, TORC_RO_BUFFERED = 2 };

/* Registers / forgets [p, p + len) (at most 64 at once). */
void torc_runner_ro_add(const uint8_t *p, size_t len, int kind);
void torc_runner_ro_del(const uint8_t *p);
/* Installs the SIGSEGV handler (on an alternate stack) that turns a write
 * into a registered range into the exit status of torc_wire.h naming it. */
void torc_runner_catch_writes(void);

/* Moves the bytes of chain l onto pages of their own (page bytes each),
 * repointing its fragments there (the fragment arrays must be writable
 * memory), maps them read-only and registers them as BufferedData.  *map
 * and *len get the pages (NULL, 0 for no bytes).  0, or -1 out of memory. */
int torc_runner_protect_chain(const torc_buffer_list *l, size_t page,
                              uint8_t **map, size_t *len);
/* Poisons such pages (RCV-011: the host freed them), still read-only. */
void torc_runner_poison(uint8_t *map, size_t len);
/* Forgets and unmaps them (map may be NULL). */
void torc_runner_unprotect(uint8_t *map, size_t len);

/* Records block p lent under the host's token; 0, or -1 out of memory. */
int torc_runner_block_put(void *p, uint64_t token);
/* Forgets p; its token, or 0 when p is not a block lent now. */
uint64_t torc_runner_block_take(const void *p);
void torc_runner_blocks_free(void);

#endif /* TORC_RUNNER_MEMORY_H */
