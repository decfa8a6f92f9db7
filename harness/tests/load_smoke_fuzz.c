/*
 * load_smoke_fuzz.c - load_smoke's codec commands: fuzzing (load_smoke
 * fuzz N SEED), the wire codec (torc_wire.h) on well-formed samples of
 * every message type, their strict prefixes, random mutations and random
 * streams; and load_smoke validate HEX, the codec's verdict on one message
 * (test_wire_doc.py feeds it the example session of the protocol page).
 *
 * Where it sits: a command of load_smoke.c; it needs no target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <unistd.h>

#include "load_smoke_int.h"

/* ---- Codec fuzzing --------------------------------------------------------
 * Well-formed samples of every message type must validate; every strict
 * prefix of one must not (all fields are fixed-size or length-prefixed);
 * random mutations and random streams must be answered, never crash. */

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

typedef struct sample {
  uint8_t *p;
  size_t len; /* body only (after the length prefix) */
} sample;

static void keep(sample *s, int *n, torc_wbuf *b) {
  if (torc_wbuf_finish(b) != 0)
    abort();
  s[*n].len = b->len - 4;
  s[*n].p = malloc(s[*n].len);
  memcpy(s[*n].p, b->p + 4, s[*n].len);
  (*n)++;
}

static int make_samples(sample *s) {
  int n = 0;
  torc_wbuf b = {0};
  uint8_t bytes[64];
  for (int i = 0; i < 64; i++)
    bytes[i] = (uint8_t)i;
  torc_fragment fr[2] = {{bytes, 10}, {bytes + 10, 20}};
  torc_buffer_list l2 = {NULL, fr + 1, 1}, l1 = {&l2, fr, 1};
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  st.buffered_data = &l1;
  torc_segment seg = {bytes, 60, 101, 0, 20, 1, 2, 3, 0x18, 0, bytes + 40, 20};

  torc_wbuf_begin(&b, TORC_MSG_HELLO);
  torc_wbuf_u32(&b, TORC_WIRE_MAGIC);
  torc_wbuf_u16(&b, 1);
  torc_wbuf_u32(&b, 1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_RET);
  torc_wbuf_u8(&b, TORC_MSG_HELLO);
  torc_wbuf_u8(&b, 1);
  torc_wbuf_u16(&b, 1);
  torc_wbuf_u32(&b, 1);
  torc_wbuf_u32(&b, 120);
  torc_wbuf_u64(&b, 0x3FFF);
  torc_wbuf_str(&b, "name");
  torc_wbuf_str(&b, "1.0");
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_INITIATE_OFFLOAD);
  torc_wbuf_u64(&b, 1);
  torc_wire_put_offload_state(&b, &st);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_RECEIVE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  for (int i = 0; i < 2; i++) {
    torc_wbuf_u64(&b, (uint64_t)i);
    torc_wbuf_u32(&b, 100);
    torc_wbuf_u32(&b, 3);
    torc_wbuf_u8(&b, 1);
    torc_wbuf_bytes(&b, bytes, 3);
  }
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_RECEIVE_RETURN);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_u64(&b, 5);
  torc_wbuf_u64(&b, 6);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_SEGMENT);
  torc_wbuf_u64(&b, 1);
  torc_wire_put_segment(&b, &seg);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_LOG);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_str(&b, "hello");
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_RECEIVE_COMPLETE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  for (int i = 0; i < 2; i++) {
    torc_wbuf_u64(&b, (uint64_t)i);
    torc_wbuf_u32(&b, 0);
    torc_wbuf_u32(&b, 7);
    torc_wbuf_u32(&b, 7);
    torc_wbuf_bytes(&b, bytes, 7);
  }
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_RECEIVE_INDICATE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u64(&b, 9);
  torc_wbuf_u32(&b, 0);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_u32(&b, 5);
  torc_wbuf_bytes(&b, bytes, 5);
  torc_wbuf_u32(&b, 1);
  torc_wbuf_bytes(&b, bytes, 1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_TERMINATE_COMPLETE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 0);
  torc_wbuf_u8(&b, 1);
  torc_wbuf_u32(&b, 10);
  torc_wbuf_u32(&b, 20);
  torc_wbuf_u64(&b, 30);
  torc_wbuf_chain(&b, &l1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_RET);
  torc_wbuf_u8(&b, TORC_MSG_OP_GET_STATS);
  torc_wbuf_u32(&b, 0);
  torc_target_stats ts;
  memset(&ts, 0, sizeof(ts));
  torc_wire_put_stats(&b, &ts);
  keep(s, &n, &b);
  torc_wbuf_free(&b);
  return n;
}

int smoke_cmd_fuzz(long iters, unsigned long seed) {
  rng_state = seed;
  sample s[32];
  int n = make_samples(s);
  char why[128];
  long prefixes = 0, accepted = 0, rejected = 0;
  for (int i = 0; i < n; i++) {
    if (torc_wire_validate(s[i].p, s[i].len, why, sizeof(why)) != 0) {
      printf("FAIL: sample %d (%s) rejected: %s\n", i,
             torc_wire_type_name(s[i].p[0]), why);
      return 1;
    }
    for (size_t k = 1; k < s[i].len; k++, prefixes++)
      if (torc_wire_validate(s[i].p, k, why, sizeof(why)) == 0) {
        printf("FAIL: %zu-byte prefix of %s accepted\n", k,
               torc_wire_type_name(s[i].p[0]));
        return 1;
      }
  }
  uint8_t *m = malloc(4096);
  for (long it = 0; it < iters; it++) {
    const sample *x = &s[rnd() % (uint32_t)n];
    size_t len = x->len;
    memcpy(m, x->p, len);
    int flips = 1 + (int)(rnd() % 4);
    for (int f = 0; f < flips; f++) {
      switch (rnd() % 4) {
      case 0:
        m[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
        break;
      case 1:
        m[rnd() % len] = (uint8_t)rnd();
        break;
      case 2: /* a count or length to something huge */
        if (len >= 5) {
          size_t at = rnd() % (len - 3);
          m[at] = m[at + 1] = m[at + 2] = m[at + 3] = 0xFF;
        }
        break;
      default:
        len = 1 + rnd() % len;
        break;
      }
    }
    if (torc_wire_validate(m, len, why, sizeof(why)) == 0)
      accepted++;
    else
      rejected++;
  }
  /* A stream of garbage through a real channel: it must end in an error. */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 1;
  for (int i = 0; i < 4096; i++)
    m[i] = (uint8_t)rnd();
  m[0] = 9; /* a plausible first length */
  m[1] = m[2] = m[3] = 0;
  if (write(sv[1], m, 4096) != 4096)
    return 1;
  close(sv[1]);
  torc_wire_chan c;
  torc_wire_chan_init(&c, sv[0], sv[0], NULL, NULL);
  c.deadline = torc_wire_now_ms() + 2000;
  int msgs = 0;
  for (;;) {
    uint8_t *body;
    size_t blen;
    if (torc_wire_recv(&c, &body, &blen) != 0)
      break;
    free(body);
    msgs++;
  }
  printf("garbage stream: %d messages, then: %s\n", msgs, c.why);
  torc_wire_chan_free(&c);
  close(sv[0]);
  free(m);
  for (int i = 0; i < n; i++)
    free(s[i].p);
  printf("fuzz ok: %d samples, %ld prefixes rejected, %ld mutants: %ld "
         "accepted, %ld rejected\n",
         n, prefixes, iters, accepted, rejected);
  return c.failed ? 0 : 1;
}

/* ---- One message --------------------------------------------------------
 * HEX is a whole message, length prefix included.  Prints "ok TYPE" or
 * "bad: why"; exit 0 or 1. */
int smoke_cmd_validate(const char *hex) {
  size_t n = strlen(hex) / 2;
  uint8_t *m = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
      printf("bad: not hex at %zu\n", 2 * i);
      free(m);
      return 1;
    }
    m[i] = (uint8_t)v;
  }
  char why[TORC_ERRBUF_SIZE];
  uint32_t len = n >= 4 ? (uint32_t)m[0] | (uint32_t)m[1] << 8 |
                              (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24
                        : 0;
  int rc = 1;
  if (n < 5 || len != n - 4)
    printf("bad: length field %u, %zu bytes follow it\n", len,
           n < 4 ? 0 : n - 4);
  else if (torc_wire_validate(m + 4, n - 4, why, sizeof why) != 0)
    printf("bad: %s\n", why);
  else {
    printf("ok %s\n", torc_wire_type_name(m[4]));
    rc = 0;
  }
  free(m);
  return rc;
}
