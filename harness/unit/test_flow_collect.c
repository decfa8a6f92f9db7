/*
 * test_flow_collect.c - Check tests of whole captures collected in memory
 * (torc_flow_collect.c): every committed capture in vectors/captures/.
 *
 * Each capture is reassembled with torc_flow_collect and the
 * receiver-direction stream (to port 5001) is compared with the stream
 * regenerated from tcp_peer.py's definition: block i = SHA-256(le64(seed) ||
 * le64(i)), seed and length taken from MANIFEST.tsv.  Behaviours pinned:
 * issue 4 "TCP flows reassembled per direction" on real captures of every
 * link type.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_flow.h"
#include "torc_sha256.h"

static torc_flow_capture *cap;
static char err[512];

static void setup(void) {
  cap = NULL;
  err[0] = '\0';
}

static void teardown(void) {
  torc_flow_capture_free(cap);
  cap = NULL;
}

/* ---- the committed captures ---- */

typedef struct manifest_row {
  char file[256];
  uint64_t seed, bytes, frames;
} manifest_row;

static const char *srcdir(void) {
  const char *d = getenv("TORC_SRCDIR");
  return d != NULL ? d : ".";
}

/* Reads MANIFEST.tsv: columns named in its header line. */
static size_t read_manifest(manifest_row *rows, size_t max) {
  char path[512], line[4096];
  int cfile = -1, cseed = -1, cbytes = -1, cframes = -1;
  size_t n = 0;
  FILE *fp;
  snprintf(path, sizeof path, "%s/vectors/captures/MANIFEST.tsv", srcdir());
  fp = fopen(path, "r");
  ck_assert_msg(fp != NULL, "cannot open %s", path);
  while (fgets(line, sizeof line, fp) != NULL) {
    char *save = NULL, *tok;
    int col = 0;
    manifest_row r;
    memset(&r, 0, sizeof r);
    line[strcspn(line, "\r\n")] = '\0';
    for (tok = strtok_r(line, "\t", &save); tok != NULL;
         tok = strtok_r(NULL, "\t", &save), col++) {
      if (cfile < 0 || cseed < 0 || cbytes < 0 || cframes < 0) {
        if (strcmp(tok, "file") == 0)
          cfile = col;
        else if (strcmp(tok, "seed") == 0)
          cseed = col;
        else if (strcmp(tok, "bytes") == 0)
          cbytes = col;
        else if (strcmp(tok, "frames") == 0)
          cframes = col;
        continue;
      }
      if (col == cfile)
        snprintf(r.file, sizeof r.file, "%s", tok);
      else if (col == cseed)
        r.seed = strtoull(tok, NULL, 10);
      else if (col == cbytes)
        r.bytes = strtoull(tok, NULL, 10);
      else if (col == cframes)
        r.frames = strtoull(tok, NULL, 10);
    }
    if (r.file[0] != '\0' && n < max)
      rows[n++] = r;
  }
  fclose(fp);
  return n;
}

/* tcp_peer.stream_bytes: block i = SHA-256(le64(seed) || le64(i)). */
static uint8_t *expected_stream(uint64_t seed, size_t n) {
  uint8_t *out = malloc(n + 32), in[16];
  size_t i, k;
  ck_assert_ptr_nonnull(out);
  for (i = 0; i * 32 < n; i++) {
    torc_sha256 h;
    for (k = 0; k < 8; k++) {
      in[k] = (uint8_t)(seed >> (8 * k));
      in[8 + k] = (uint8_t)((uint64_t)i >> (8 * k));
    }
    torc_sha256_init(&h);
    torc_sha256_update(&h, in, 16);
    torc_sha256_final(&h, out + i * 32);
  }
  return out;
}

#define NCAPTURES 19
static manifest_row rows[NCAPTURES + 4];

/* covers: issue 4 (the stream generator: FIPS 180-2 "abc", and the set of
 * committed captures is the one this suite iterates) */
START_TEST(test_flow_captures_manifest) {
  char hex[65];
  torc_sha256_hex("abc", 3, hex);
  ck_assert_str_eq(
      hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ck_assert_uint_eq(read_manifest(rows, NCAPTURES + 4), NCAPTURES);
}
END_TEST

/* covers: issue 4 every committed capture (all link types) reassembles to
 * the stream tcp_peer.py sent, byte for byte, in the receiver direction */
START_TEST(test_flow_capture) {
  char path[512];
  const manifest_row *r;
  const torc_flow_stream *s = NULL;
  uint8_t *want;
  uint64_t newb = 0;
  size_t i, nrecv = 0;
  ck_assert_uint_eq(read_manifest(rows, NCAPTURES + 4), NCAPTURES);
  r = &rows[_i];
  snprintf(path, sizeof path, "%s/vectors/captures/%s", srcdir(), r->file);
  ck_assert_msg(torc_flow_collect(path, NULL, 0, &cap, err, sizeof err) == 0,
                "%s", err);
  ck_assert_uint_eq(cap->stats.frames, r->frames);
  /* tshark agrees (tcp.check_checksum): no IPv4 header is bad; on loopback
   * no TCP checksum is filled in (the kernel skips it), elsewhere all are
   * good. */
  ck_assert_uint_eq(cap->stats.bad_ip_checksum, 0);
  ck_assert_uint_eq(cap->stats.bad_tcp_checksum,
                    strstr(r->file, "-lo-") ? cap->stats.tcp_frames : 0);
  for (i = 0; i < cap->ndirs; i++)
    if (cap->dirs[i].info.key.dport == 5001) {
      s = &cap->dirs[i];
      nrecv++;
    }
  ck_assert_msg(nrecv == 1, "%s: %zu directions to port 5001", r->file, nrecv);
  ck_assert_int_eq(s->info.syn_seen, 1);
  ck_assert_uint_ne(s->info.fin_frame, 0);
  ck_assert_uint_eq(s->info.fin_offset, r->bytes);
  ck_assert_uint_eq(s->info.gaps, 0);
  ck_assert_uint_eq(s->info.conflicts, 0);
  ck_assert_uint_ne(s->info.reverse_id, UINT32_MAX);
  ck_assert_msg(s->len == r->bytes, "%s: %zu bytes, expected %llu", r->file,
                s->len, (unsigned long long)r->bytes);
  want = expected_stream(r->seed, (size_t)r->bytes);
  for (i = 0; i < s->len; i++)
    if (s->data[i] != want[i]) {
      free(want);
      ck_abort_msg("%s: stream byte %zu differs", r->file, i);
    }
  free(want);
  for (i = 0; i < s->nmap; i++)
    newb += s->map[i].new_bytes;
  ck_assert_uint_eq(newb, r->bytes); /* the frame map covers the stream */
}
END_TEST

Suite *flow_collect_suite(void); /* collected by harness/module.mk */

Suite *flow_collect_suite(void) {
  Suite *su = suite_create("flow_collect");
  TCase *tc;
#define CASE(name, ...)                                                        \
  do {                                                                         \
    tc = tcase_create(name);                                                   \
    tcase_add_checked_fixture(tc, setup, teardown);                            \
    __VA_ARGS__;                                                               \
    suite_add_tcase(su, tc);                                                   \
  } while (0)
  CASE("captures", tcase_add_test(tc, test_flow_captures_manifest);
       tcase_add_loop_test(tc, test_flow_capture, 0, NCAPTURES);
       tcase_set_timeout(tc, 60));
#undef CASE
  return su;
}
