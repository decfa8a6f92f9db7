/*
 * torc_vector_names.c - the names a vector spells: allowances
 * (docs/DECISIONS.md), capabilities (TORC_CAP_* of torc/target.h) and
 * script operations.
 *
 * The loader (torc_vector.c, torc_vector_events.c, torc_vector_expected.c)
 * parses names with these tables; the CLI and reports print them back with
 * the same spelling.
 */
#include <stdio.h>
#include <string.h>
#include <torc/target.h>

#include "torc_vector_parse_int.h"

static const char *const allowance_names[TORC_ALLOW_COUNT] = {
    "completion-batching",      "offload-fail-status",
    "upload-request-status",    "upload-deliver",
    "rst-requests-pending",     "fin-nonpush-complete",
    "indication-size",          "upload-wanted-posts",
    "resource-no-retrieve",     "terminate-async",
    "disconnect-before-placed", "disconnect-posts-at-once",
    "gap-fill-per-segment",     "ooo-restarts-timer",
    "trimmed-psh-ignored"};

/* The decision of docs/DECISIONS.md each allowance belongs to. */
static const char *const allowance_decisions[TORC_ALLOW_COUNT] = {
    "DEC-19", "DEC-05", "DEC-06", "DEC-07", "DEC-04",
    "DEC-18", "DEC-21", "DEC-24", "DEC-25", "DEC-26",
    "DEC-30", "DEC-18", "DEC-29", "DEC-01", "DEC-31"};

const char *torc_allowance_name(unsigned bit_index) {
  return bit_index < TORC_ALLOW_COUNT ? allowance_names[bit_index] : "?";
}

const char *torc_allowance_decision(unsigned bit_index) {
  return bit_index < TORC_ALLOW_COUNT ? allowance_decisions[bit_index] : "?";
}

static const struct {
  const char *name;
  uint64_t bit;
} cap_names[] = {
    {"buffered_data", TORC_CAP_BUFFERED_DATA},
    {"push_mode", TORC_CAP_PUSH_MODE},
    {"nonpush_mode", TORC_CAP_NONPUSH_MODE},
    {"indicate", TORC_CAP_INDICATE},
    {"partial_accept", TORC_CAP_PARTIAL_ACCEPT},
    {"zero_byte_request", TORC_CAP_ZERO_BYTE_REQUEST},
    {"prefilled_request", TORC_CAP_PREFILLED_REQUEST},
    {"reentrant_post", TORC_CAP_REENTRANT_POST},
    {"terminate", TORC_CAP_TERMINATE},
    {"fin", TORC_CAP_FIN},
    {"rst", TORC_CAP_RST},
    {"alloc_hook", TORC_CAP_ALLOC_HOOK},
    {"virtual_time", TORC_CAP_VIRTUAL_TIME},
    {"out_of_order", TORC_CAP_OUT_OF_ORDER},
};

void torc_vector_cap_names(uint64_t caps, char *buf, size_t n) {
  size_t i, used = 0;
  if (n)
    buf[0] = '\0';
  for (i = 0; i < sizeof cap_names / sizeof cap_names[0] && used < n; i++)
    if (caps & cap_names[i].bit) {
      int k = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
                       cap_names[i].name);
      if (k < 0)
        break;
      used += (size_t)k;
    }
}

static const char *const op_names[TORC_OP_COUNT] = {"offload",
                                                    "post",
                                                    "frame",
                                                    "advance",
                                                    "terminate",
                                                    "return",
                                                    "post_in_completion",
                                                    "fail_alloc",
                                                    "post_in_indication"};

const char *torc_vector_op_name(unsigned op) {
  return op < TORC_OP_COUNT ? op_names[op] : "?";
}

/* The TORC_CAP_* bit named name, or 0 when no capability has that name. */
uint64_t torcint_vector_cap_bit(const char *name) {
  size_t i;
  for (i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcmp(cap_names[i].name, name) == 0)
      return cap_names[i].bit;
  return 0;
}
