/*
 * other_reading.c - test target: the reference taking the other readings
 * named by $TORC_TT_READINGS (a comma-separated list of allowance names of
 * docs/DECISIONS.md: "gap-fill-per-segment", ...), as a vendor who reads
 * those decisions the other way would build it.
 *
 * Expected: a vector whose expected.alternatives holds that reading's trace
 * is PASS-NONSTRICT naming the allowance; the same vector with the
 * alternative and the allowance removed FAILs.  Unknown names make
 * torc_target_init fail, naming them.
 */
#include <stdio.h>

#include "tt_wrap.h"

static const struct {
  const char *name;
  uint32_t bit;
} names[] = {
    {"disconnect-before-placed", TORC_READING_DISCONNECT_BEFORE_PLACED},
    {"fin-nonpush-complete", TORC_READING_FIN_NONPUSH_COMPLETE},
    {"disconnect-posts-at-once", TORC_READING_DISCONNECT_POSTS_AT_ONCE},
    {"gap-fill-per-segment", TORC_READING_GAP_FILL_PER_SEGMENT},
    {"ooo-restarts-timer", TORC_READING_OOO_RESTARTS_TIMER},
    {"trimmed-psh-ignored", TORC_READING_TRIMMED_PSH_IGNORED},
};

static uint32_t readings;

static int open_reading(void *ud, uint64_t h, void **out) {
  int rc = tt_conn_open(ud, h, out);
  if (rc == 0 && torc_reference_read_as(*out, readings) != 0)
    return -1;
  return rc;
}

/* The bits of the comma-separated names in list, or -1 naming the first
 * unknown one in errbuf. */
static int parse(const char *list, uint32_t *bits, char *errbuf) {
  const char *p = list;
  *bits = 0;
  while (*p) {
    size_t n = strcspn(p, ","), i;
    int found = 0;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
      if (strlen(names[i].name) == n && strncmp(names[i].name, p, n) == 0) {
        *bits |= names[i].bit;
        found = 1;
      }
    if (!found) {
      snprintf(errbuf, TORC_ERRBUF_SIZE,
               "other_reading: unknown reading \"%.*s\" in TORC_TT_READINGS",
               (int)(n < 100 ? n : 100), p);
      return -1;
    }
    p += n;
    if (*p == ',')
      p++;
  }
  return 0;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  const char *env = getenv("TORC_TT_READINGS");
  if (parse(env ? env : "", &readings, errbuf) != 0)
    return -1;
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "other_reading",
               NULL))
    return -1;
  out->conn_open = open_reading;
  return 0;
}
