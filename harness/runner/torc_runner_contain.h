/*
 * torc_runner_contain.h - interface for torc-target-runner to sandbox
 * itself (--contain) before it loads a target: subreaper, no capabilities,
 * no_new_privs and a seccomp filter that keeps the target from signalling,
 * tracing or writing into any other process (torc_runner_contain.c).
 */
#ifndef TORC_RUNNER_CONTAIN_H
#define TORC_RUNNER_CONTAIN_H

#include <stddef.h>

/* Returns 0, or -1 with the reason in err (n bytes). */
int torc_runner_contain(char *err, size_t n);

#endif /* TORC_RUNNER_CONTAIN_H */
