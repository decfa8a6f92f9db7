/*
 * torc_runner_memory.c - what torc-target-runner keeps of the memory it
 * lends the target: the blocks of the host's allocation hook, and the
 * read-only ranges a write into which is a rule broken, not a crash.
 *
 * Where it sits: torc_target_runner.c's host callbacks record each block
 * they lend (h_alloc) and look it up when the target frees it (h_free), so
 * a double free or a forged pointer is told apart without reading the
 * target's memory (RCV-233, judged by the host as in process); OP_SEGMENT
 * and OP_INITIATE_OFFLOAD register the frame and the copy of BufferedData
 * they map read-only, and the SIGSEGV handler installed here names the rule
 * when the target writes into one (exit statuses of torc_wire.h).  The
 * runner is one process serving one target: its tables are globals.
 */
#include "torc_runner_memory.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "torc_wire.h"

/* ---- Read-only ranges ---------------------------------------------------- */

/* Memory the host lends the target only to read, mapped read-only while
 * the target may reach it: the frame of the OP_SEGMENT in progress, and
 * each connection's copy of BufferedData (RCV-007, RCV-011).  Globals: a
 * signal handler has nothing else to go by. */
enum { RO_MAX = 64 };
static struct {
  const uint8_t *volatile start;
  volatile size_t len; /* 0: free slot */
  volatile int kind;
} ro[RO_MAX];

void torc_runner_ro_add(const uint8_t *p, size_t len, int kind) {
  for (size_t i = 0; i < RO_MAX; i++)
    if (!ro[i].len) {
      ro[i].start = p;
      ro[i].kind = kind;
      ro[i].len = len;
      return;
    }
}

void torc_runner_ro_del(const uint8_t *p) {
  for (size_t i = 0; i < RO_MAX; i++)
    if (ro[i].len && ro[i].start == p)
      ro[i].len = 0;
}

/* A fault inside read-only host memory is the target writing where it may
 * only read: said on stderr (the target's log) and an exit status torc
 * reports by name (torc_wire.h).  Any other fault is the target's crash,
 * left to the default action. */
static void on_segv(int sig, siginfo_t *si, void *uc) {
  static const char frame_msg[] =
      "torc-target-runner: the target wrote into the frame it was lent for "
      "OP_SEGMENT, which it may only read\n";
  static const char bd_msg[] =
      "torc-target-runner: the target wrote into the host's BufferedData, "
      "which it may only copy (RCV-007, RCV-011)\n";
  const uint8_t *a = si->si_addr;
  (void)uc;
  for (size_t i = 0; i < RO_MAX; i++)
    if (ro[i].len && a >= ro[i].start && a < ro[i].start + ro[i].len) {
      int frame = ro[i].kind == TORC_RO_FRAME;
      if (write(2, frame ? frame_msg : bd_msg,
                (frame ? sizeof frame_msg : sizeof bd_msg) - 1) < 0) {
        /* nothing more to say */
      }
      _exit(frame ? TORC_RUNNER_EXIT_FRAME_WRITE
                  : TORC_RUNNER_EXIT_BUFFERED_WRITE);
    }
  signal(sig, SIG_DFL); /* the fault repeats and kills us as it should */
}

void torc_runner_catch_writes(void) {
  static uint8_t altstack[64 * 1024];
  stack_t ss;
  struct sigaction sa;
  memset(&ss, 0, sizeof ss);
  ss.ss_sp = altstack;
  ss.ss_size = sizeof altstack;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaltstack(&ss, NULL);
  sigaction(SIGSEGV, &sa, NULL);
}

int torc_runner_protect_chain(const torc_buffer_list *l, size_t page,
                              uint8_t **map, size_t *len) {
  size_t total = 0;
  const torc_buffer_list *x;
  *map = NULL;
  *len = 0;
  for (x = l; x; x = x->next)
    for (uint32_t i = 0; i < x->nfrags; i++)
      total += x->frags[i].len;
  if (!total)
    return 0;
  size_t n = (total + page - 1) / page * page;
  uint8_t *m =
      mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return -1;
  uint8_t *p = m;
  for (x = l; x; x = x->next)
    for (uint32_t i = 0; i < x->nfrags; i++) {
      torc_fragment *f = (torc_fragment *)(uintptr_t)&x->frags[i];
      if (f->len)
        memcpy(p, f->data, f->len);
      f->data = p;
      p += f->len;
    }
  mprotect(m, n, PROT_READ);
  torc_runner_ro_add(m, n, TORC_RO_BUFFERED);
  *map = m;
  *len = n;
  return 0;
}

void torc_runner_poison(uint8_t *map, size_t len) {
  if (!map)
    return;
  mprotect(map, len, PROT_READ | PROT_WRITE);
  memset(map, TORC_WIRE_POISON, len);
  mprotect(map, len, PROT_READ); /* still only to be read */
}

void torc_runner_unprotect(uint8_t *map, size_t len) {
  if (!map)
    return;
  torc_runner_ro_del(map);
  munmap(map, len);
}

/* ---- Blocks lent through the host's allocation hook ---------------------- */

/* The blocks lent to the target, pointer -> the host's token, in a table
 * of the runner's own (open addressing, linear probing, backward-shift
 * deletion): a double free or a forged pointer is found here, never by
 * reading the target's memory, and reaches the host as a free of token 0,
 * which the host judges as in process (RCV-233). */
typedef struct lent {
  void *ptr;
  uint64_t token;
} lent;

static struct {
  lent *slot;
  size_t cap, n; /* cap a power of two, n < cap / 2 */
} blocks;

static size_t block_home(const void *p, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 32) & (cap - 1);
}

int torc_runner_block_put(void *p, uint64_t token) {
  if ((blocks.n + 1) * 2 > blocks.cap) {
    size_t ncap = blocks.cap ? blocks.cap * 2 : 256;
    lent *ns = calloc(ncap, sizeof *ns);
    if (!ns)
      return -1;
    for (size_t i = 0; i < blocks.cap; i++)
      if (blocks.slot[i].ptr) {
        size_t j = block_home(blocks.slot[i].ptr, ncap);
        while (ns[j].ptr)
          j = (j + 1) & (ncap - 1);
        ns[j] = blocks.slot[i];
      }
    free(blocks.slot);
    blocks.slot = ns;
    blocks.cap = ncap;
  }
  size_t j = block_home(p, blocks.cap);
  while (blocks.slot[j].ptr)
    j = (j + 1) & (blocks.cap - 1);
  blocks.slot[j].ptr = p;
  blocks.slot[j].token = token;
  blocks.n++;
  return 0;
}

/* Removes p; its token, or 0 when p is not a block lent now. */
uint64_t torc_runner_block_take(const void *p) {
  if (!blocks.cap)
    return 0;
  size_t j = block_home(p, blocks.cap);
  while (blocks.slot[j].ptr && blocks.slot[j].ptr != p)
    j = (j + 1) & (blocks.cap - 1);
  if (!blocks.slot[j].ptr)
    return 0;
  uint64_t token = blocks.slot[j].token;
  blocks.slot[j].ptr = NULL;
  blocks.n--;
  /* Backward shift: move later entries of the run into the hole. */
  for (size_t k = (j + 1) & (blocks.cap - 1); blocks.slot[k].ptr;
       k = (k + 1) & (blocks.cap - 1)) {
    size_t home = block_home(blocks.slot[k].ptr, blocks.cap);
    if (((k - home) & (blocks.cap - 1)) >= ((k - j) & (blocks.cap - 1))) {
      blocks.slot[j] = blocks.slot[k];
      blocks.slot[k].ptr = NULL;
      j = k;
    }
  }
  return token;
}

void torc_runner_blocks_free(void) {
  free(blocks.slot);
  memset(&blocks, 0, sizeof blocks);
}
