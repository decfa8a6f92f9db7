/*
 * torc_test_host_alloc.c - the test host's alloc hook and injected
 * allocation failures (STYLE R14, R16).
 *
 * Every allocation the target makes goes through th_cb_alloc (installed in
 * torc_host_ops by th_new, torc_test_host.c): blocks carry a header so a bad
 * or double free is recorded as a violation, are poisoned when handed out and
 * when freed, and are counted so th_free can assert none is outstanding.
 * th_fail_alloc_at makes the n-th one fail; th_failmalloc_run drives a
 * scenario once per allocation it makes, failing each in turn.  The
 * target's log hook (th_cb_log, on stderr when TH_LOG is set) sits here
 * with the other service hooks.
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- alloc hook -----------------------------------------------------------
 */

void *th_cb_alloc(void *ctx, size_t size) {
  torc_test_host *h = ctx;
  h->nalloc++;
  if (h->fail_at != 0 && h->nalloc == h->fail_at) {
    h->alloc_failed = 1;
    return NULL;
  }
  if (size > ((size_t)1 << 40))
    return NULL;
  th_blk *b = malloc(sizeof(th_blk) + (size == 0 ? 1 : size));
  if (b == NULL)
    return NULL;
  b->magic = TH_ALLOC_MAGIC;
  b->size = size;
  memset(b + 1, TH_POISON, size); /* no reliance on zeroed memory */
  h->live++;
  return b + 1;
}

void th_cb_free(void *ctx, void *ptr) {
  torc_test_host *h = ctx;
  if (ptr == NULL)
    return;
  th_blk *b = (th_blk *)ptr - 1;
  if (b->magic != TH_ALLOC_MAGIC) {
    th_violation(h, "free of a block not from the alloc hook (or twice)");
    return;
  }
  b->magic = 0;
  memset(ptr, TH_POISON, b->size);
  h->live--;
  free(b);
}

void th_cb_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  if (getenv("TH_LOG") != NULL && msg != NULL)
    fprintf(stderr, "target[%d]: %s\n", level, msg);
}

/* ---- allocation faults ------------------------------------------------------
 */

void th_fail_alloc_at(torc_test_host *h, uint64_t n) {
  h->fail_at = n ? h->nalloc + n : 0;
}
uint64_t th_alloc_count(const torc_test_host *h) {
  return h->nalloc;
}
uint64_t th_alloc_outstanding(const torc_test_host *h) {
  return h->live;
}
int th_alloc_failed(const torc_test_host *h) {
  return h->alloc_failed;
}

uint64_t th_failmalloc_run(th_scenario_fn fn, const char *name) {
  char label[160];
  torc_test_host *h = th_new();
  uint64_t base = th_alloc_count(h);
  snprintf(label, sizeof label, "%s (counting run): ", name);
  h->label = label;
  fn(h);
  uint64_t n = th_alloc_count(h) - base;
  th_free(h);
  for (uint64_t i = 1; i <= n; i++) {
    h = th_new();
    snprintf(label, sizeof label, "%s failing allocation %llu of %llu: ", name,
             (unsigned long long)i, (unsigned long long)n);
    h->label = label;
    th_fail_alloc_at(h, i);
    fn(h);
    th_free(h);
  }
  return n;
}
