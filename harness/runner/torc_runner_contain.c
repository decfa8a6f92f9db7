/*
 * torc_runner_contain.c - the sandbox torc-target-runner --contain puts
 * itself in before it loads the target it serves.
 *
 * Where it sits: torc runs every shared-object target through the runner
 * (torc_load_contained, harness/targets/torc_load.c) and judges on its own
 * side, so the verdicts stay out of the target's reach only if the target
 * cannot reach torc.  main() calls torc_runner_contain() once, before the
 * HELLO that loads the target (so its constructors run contained too).
 * What it does, and against what (issue 16):
 *  - becomes the subreaper of everything the target starts, and reaps it
 *    (SIGCHLD ignored): orphans stay in the runner's tree, where torc kills
 *    them at the end of every vector (torc_px_kill_descendants);
 *  - drops every capability (a root runner could otherwise open torc's
 *    /proc/PID/mem; torc also makes itself non-dumpable) and sets
 *    no_new_privs;
 *  - installs a seccomp filter (libseccomp) refusing with EPERM: signals to
 *    any process but its own (kill, tgkill, rt_sigqueueinfo and
 *    rt_tgsigqueueinfo with another pid; tkill, pidfd_send_signal), tracing
 *    and cross-process memory (ptrace, process_vm_readv/writev,
 *    pidfd_getfd, kcmp), leaving its process group or session (setsid,
 *    setpgid), and the system-wide calls no target needs (mount, umount2,
 *    reboot, kexec_load, init_module, finit_module, delete_module, swapon,
 *    swapoff, settimeofday, clock_settime, bpf, perf_event_open,
 *    userfaultfd).  Everything else a driver's adapter may do (threads,
 *    memory, files, sockets, fork) stays allowed.
 * Failing to contain is fatal: the runner exits 2 before loading anything.
 */
#include "torc_runner_contain.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int drop_capabilities(void) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int cap = 0; cap <= 63; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL &&
        errno != EPERM)
      return -1;
  return (int)syscall(SYS_capset, &hdr, data);
}

/* Signals only to the runner itself: arg0 (the pid or thread group) must be
 * its own. */
static int self_only(scmp_filter_ctx f, int nr, pid_t self) {
  if (seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 1,
                       SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self)) != 0)
    return -1;
  return 0;
}

int torc_runner_contain(char *err, size_t n) {
  static const int denied[] = {
      SCMP_SYS(tkill),
      SCMP_SYS(pidfd_send_signal),
      SCMP_SYS(ptrace),
      SCMP_SYS(process_vm_readv),
      SCMP_SYS(process_vm_writev),
      SCMP_SYS(pidfd_getfd),
      SCMP_SYS(kcmp),
      SCMP_SYS(setsid),
      SCMP_SYS(setpgid),
      SCMP_SYS(mount),
      SCMP_SYS(umount2),
      SCMP_SYS(reboot),
      SCMP_SYS(kexec_load),
      SCMP_SYS(init_module),
      SCMP_SYS(finit_module),
      SCMP_SYS(delete_module),
      SCMP_SYS(swapon),
      SCMP_SYS(swapoff),
      SCMP_SYS(settimeofday),
      SCMP_SYS(clock_settime),
      SCMP_SYS(bpf),
      SCMP_SYS(perf_event_open),
      SCMP_SYS(userfaultfd),
  };
  static const int signalling[] = {SCMP_SYS(kill), SCMP_SYS(tgkill),
                                   SCMP_SYS(rt_sigqueueinfo),
                                   SCMP_SYS(rt_tgsigqueueinfo)};
  pid_t self = getpid();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    snprintf(err, n, "cannot become a subreaper: %s", strerror(errno));
    return -1;
  }
  signal(SIGCHLD, SIG_IGN); /* whatever dies in the tree is reaped */
  if (drop_capabilities() != 0) {
    snprintf(err, n, "cannot drop capabilities: %s", strerror(errno));
    return -1;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    snprintf(err, n, "cannot set no_new_privs: %s", strerror(errno));
    return -1;
  }
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
  if (!f) {
    snprintf(err, n, "seccomp_init failed");
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < sizeof denied / sizeof denied[0]; i++)
    rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
  for (size_t i = 0; rc == 0 && i < sizeof signalling / sizeof signalling[0];
       i++)
    rc = self_only(f, signalling[i], self);
  if (rc == 0)
    rc = seccomp_load(f);
  seccomp_release(f);
  if (rc != 0) {
    snprintf(err, n, "cannot install the seccomp filter: %s", strerror(-rc));
    return -1;
  }
  return 0;
}
