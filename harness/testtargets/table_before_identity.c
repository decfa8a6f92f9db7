/*
 * table_before_identity.c - test target: the reference with an ABI v1
 * table as a target compiled before issue 17 has it, its struct_size ending
 * at max_buffered_bytes, so without driver and firmware.
 *
 * The bytes past that size are not the target's table: to prove torc does
 * not read them (harness/targets/torc_load.c copies struct_size bytes and
 * drops a pointer the size does not cover), it writes strings there that
 * must never appear in the results (harness/tests/test_target_identity.py).
 */
#include <stddef.h>

#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "table_before_identity", NULL))
    return -1;
  out->struct_size = (uint32_t)offsetof(torc_target, driver);
  out->driver = "past struct_size: never read";
  out->firmware = "past struct_size: never read";
  return 0;
}
