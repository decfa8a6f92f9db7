/*
 * forged_free.c - test target: the reference, which also hands the host's
 * free() a pointer the host never lent.  After each conn_open it maps two
 * pages, makes the first inaccessible and frees the start of the second:
 * the 16 bytes before the pointer, where a block header would be, fault
 * when read.
 *
 * Expected (issue 16): every vector FAILs naming RCV-233 ("free() of a block
 * the host did not allocate or already freed").  The host judges the
 * pointer from its own table of live blocks (torc_hostsim_alloc.c); a host
 * that looked for a header before the pointer would crash (CRASH, SIGSEGV).
 */
#include <sys/mman.h>
#include <unistd.h>

#include "tt_wrap.h"

static int ff_conn_open(void *ud, uint64_t h, void **out) {
  tt *t = ud;
  int rc = tt_conn_open(ud, h, out);
  size_t ps = (size_t)sysconf(_SC_PAGESIZE);
  uint8_t *m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return rc;
  mprotect(m, ps, PROT_NONE);
  t->host->free(t->host_ctx, m + ps);
  munmap(m, 2 * ps);
  return rc;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "forged_free",
               NULL))
    return -1;
  out->conn_open = ff_conn_open;
  return 0;
}
