/*
 * push_timer_not_stopped.c - mutant: the reference, except that it
 * does not stop the push timer when it completes filled requests (box D7),
 * so a later partly filled request inherits the old deadline.  Breaks RCV-073.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/push_timer_not_stopped.patch applied, which changes
 * reference/torc_deliver.c (main_path, D7) where it is marked "MUTANT".  This
 * file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "push_timer_not_stopped", NULL)
             ? 0
             : -1;
}
