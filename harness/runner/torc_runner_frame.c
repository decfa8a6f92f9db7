/*
 * torc_runner_frame.c - the frame torc-target-runner lends the target for
 * one OP_SEGMENT, as the host lends its own (torc_hostsim.c): a memfd mapped
 * read-write for the runner and read-only for the target (MAP_SHARED, one
 * memory), so lending costs no mprotect per segment.  Where no memfd can be
 * had, one anonymous mapping whose protection changes around the call.
 *
 * Where it sits: op_segment of torc_target_runner.c copies the frame into
 * rw, lends ro to the target and poisons rw afterwards; the read-only
 * range is registered with torc_runner_memory.c, whose SIGSEGV handler
 * turns a write into it into TORC_RUNNER_EXIT_FRAME_WRITE.
 */
#include "torc_runner_frame.h"

#include <sys/mman.h>
#include <unistd.h>

#include "torc_runner_memory.h"

static void unmap(torc_runner_frame *f) {
  if (!f->cap)
    return;
  torc_runner_ro_del(f->ro);
  munmap(f->rw, f->cap);
  if (f->twice)
    munmap(f->ro, f->cap);
  f->rw = f->ro = NULL;
  f->cap = 0;
  f->twice = 0;
}

int torc_runner_frame_reserve(torc_runner_frame *f, size_t need, size_t page) {
  if (f->cap && f->cap >= need)
    return 0;
  size_t cap = (need + page - 1) / page * page;
  if (cap < 16 * page)
    cap = 16 * page; /* any frame up to 64 KiB: one mapping */
  unmap(f);
  int fd = memfd_create("torc-runner-frame", MFD_CLOEXEC);
  if (fd >= 0 && ftruncate(fd, (off_t)cap) == 0) {
    void *rw = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *ro = mmap(NULL, cap, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (rw != MAP_FAILED && ro != MAP_FAILED) {
      f->rw = rw;
      f->ro = ro;
      f->cap = cap;
      f->twice = 1;
      torc_runner_ro_add(f->ro, f->cap, TORC_RO_FRAME);
      return 0;
    }
    if (rw != MAP_FAILED)
      munmap(rw, cap);
    if (ro != MAP_FAILED)
      munmap(ro, cap);
  } else if (fd >= 0) {
    close(fd);
  }
  void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (m == MAP_FAILED)
    return -1;
  f->rw = f->ro = m;
  f->cap = cap;
  return 0;
}

void torc_runner_frame_lend(torc_runner_frame *f) {
  if (f->twice || !f->cap)
    return;
  mprotect(f->rw, f->cap, PROT_READ);
  torc_runner_ro_add(f->ro, f->cap, TORC_RO_FRAME);
}

void torc_runner_frame_back(torc_runner_frame *f) {
  if (f->twice || !f->cap)
    return;
  torc_runner_ro_del(f->ro);
  mprotect(f->rw, f->cap, PROT_READ | PROT_WRITE);
}

void torc_runner_frame_free(torc_runner_frame *f) {
  unmap(f);
}
