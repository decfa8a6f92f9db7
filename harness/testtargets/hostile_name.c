/*
 * hostile_name.c - test target: the reference under a name and version no
 * XML document may carry.  Its name holds U+FFFE (a Unicode non-character,
 * not an XML 1.0 Char), a control character (U+0001) and the markup
 * characters < & "; its version holds U+FDD0 (a non-character).
 *
 * Expected (issue 16): it PASSes like the reference, and everything torc
 * writes about it stays valid: the results JSON names it with '?' for each
 * character torc's text may not carry ("hostile??<&\"name", version
 * "1.?"), the JUnit file parses as XML, the TAP stream holds no such
 * character (harness/tests/test_text_safety.py).
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "hostile\xEF\xBF\xBE\x01<&\"name", NULL))
    return -1;
  out->version = "1.\xEF\xB7\x90";
  return 0;
}
