/*
 * torc_vector_provenance.c - the vector's "provenance" section: which
 * capture, which flow, which frames.
 *
 * torc_vector.c calls it first among the sections: it checks the flow's
 * addresses and ports, finds the capture (relative to the vector or a parent
 * folder), reads it through the set's capture cache, checks its SHA-256, and
 * collects the listed frame numbers (each a TCP segment of the flow) for the
 * stream (torc_vector_stream.c) and for the frame events
 * (torc_vector_events.c).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "torc_vector_parse_int.h"

static int is_hex(const char *s, size_t n) {
  size_t i;
  if (strlen(s) != n)
    return 0;
  for (i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

static int parse_addr(const char *s, uint8_t out[16], uint8_t *ver) {
  memset(out, 0, 16);
  if (inet_pton(AF_INET, s, out) == 1) {
    *ver = 4;
    return 0;
  }
  if (inet_pton(AF_INET6, s, out) == 1) {
    *ver = 6;
    return 0;
  }
  return -1;
}

/* Resolves the capture path: relative to the vector's folder, else to the
 * nearest ancestor folder where it exists (the repository root). */
static int resolve_capture(const char *vec_path, const char *rel, char *out,
                           size_t n) {
  char dir[4096];
  struct stat st;
  char *slash;
  if (rel[0] == '/') {
    snprintf(out, n, "%s", rel);
    return stat(out, &st) == 0 ? 0 : -1;
  }
  snprintf(dir, sizeof dir, "%s", vec_path);
  slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  for (;;) {
    if ((size_t)snprintf(out, n, "%s/%s", dir, rel) < n &&
        stat(out, &st) == 0 && S_ISREG(st.st_mode))
      return 0;
    slash = strrchr(dir, '/');
    if (!slash) {
      if (strcmp(dir, ".") == 0)
        break;
      snprintf(dir, sizeof dir, ".");
      continue;
    }
    if (slash == dir) { /* "/x" -> "/" */
      if (dir[1] == '\0')
        break;
      dir[1] = '\0';
      continue;
    }
    *slash = '\0';
  }
  return -1;
}

/* $.provenance: the flow, the capture (through cc) and the listed frames
 * (into fs). */
int torcint_vector_parse_provenance(ld *L, json_t *root, torc_vector_body *b,
                                    torc_capture_cache *cc, frameset *fs) {
  static const char *const keys[] = {
      "capture",      "capture_sha256", "flow", "frames",    "tool",
      "tool_version", "seed",           "note", "transform", NULL};
  static const char *const fkeys[] = {"src", "dst", "sport", "dport", NULL};
  json_t *p = torcint_vector_want_object(L, root, "provenance", 1), *flow,
         *frames, *v;
  const char *capture, *sha, *src, *dst;
  char resolved[4096];
  uint8_t v1 = 0, v2 = 0;
  uint64_t u;
  size_t o, o2, i;
  int bad;
  if (!p)
    return -1;
  o = torcint_vector_push_key(L, "provenance");
  if (torcint_vector_check_keys(L, p, keys) < 0)
    return -1;
  capture = torcint_vector_get_str(L, p, "capture", 1, &bad);
  if (bad)
    return -1;
  sha = torcint_vector_get_str(L, p, "capture_sha256", 1, &bad);
  if (bad)
    return -1;
  torcint_vector_get_str(L, p, "tool", 1, &bad);
  if (bad)
    return -1;
  torcint_vector_get_str(L, p, "tool_version", 1, &bad);
  if (bad)
    return -1;
  if (json_object_get(p, "note")) {
    torcint_vector_get_str(L, p, "note", 0, &bad);
    if (bad)
      return -1;
  }
  if (torcint_vector_get_int(L, p, "seed", 0, 0, UINT64_MAX >> 12, 0, &u) < 0)
    return -1;
  if (!is_hex(sha, 64)) {
    o2 = torcint_vector_push_key(L, "capture_sha256");
    torcint_vector_fail(L, "expected 64 lowercase hex digits");
    return -1;
  }
  /* flow */
  if (!(flow = torcint_vector_want_object(L, p, "flow", 1)))
    return -1;
  o2 = torcint_vector_push_key(L, "flow");
  if (torcint_vector_check_keys(L, flow, fkeys) < 0)
    return -1;
  src = torcint_vector_get_str(L, flow, "src", 1, &bad);
  if (bad)
    return -1;
  dst = torcint_vector_get_str(L, flow, "dst", 1, &bad);
  if (bad)
    return -1;
  if (parse_addr(src, b->src, &v1) < 0) {
    torcint_vector_push_key(L, "src");
    torcint_vector_fail(L, "expected an IPv4 or IPv6 address");
    return -1;
  }
  if (parse_addr(dst, b->dst, &v2) < 0 || v1 != v2) {
    torcint_vector_push_key(L, "dst");
    torcint_vector_fail(L, "expected an address of the same family as src");
    return -1;
  }
  b->ip_version = v1;
  if (torcint_vector_get_int(L, flow, "sport", 1, 1, 65535, 0, &u) < 0)
    return -1;
  b->sport = (uint16_t)u;
  if (torcint_vector_get_int(L, flow, "dport", 1, 1, 65535, 0, &u) < 0)
    return -1;
  b->dport = (uint16_t)u;
  torcint_vector_pop(L, o2);
  /* capture: each spelling resolved once per folder of the set */
  {
    char dir[4096], *slash;
    snprintf(dir, sizeof dir, "%s", L->file);
    slash = strrchr(dir, '/');
    if (slash)
      *slash = '\0';
    else
      snprintf(dir, sizeof dir, ".");
    b->cap = torc_capture_cache_spelled(cc, dir, capture);
    if (!b->cap &&
        resolve_capture(L->file, capture, resolved, sizeof resolved) == 0) {
      /* One cache entry per file, however vectors spell the path. */
      char cerr[512];
      char *real = realpath(resolved, NULL);
      if (real && strlen(real) < sizeof resolved)
        memcpy(resolved, real, strlen(real) + 1);
      free(real);
      b->cap = torc_capture_cache_get(cc, resolved, cerr, sizeof cerr);
      if (!b->cap) {
        torcint_vector_push_key(L, "capture");
        torcint_vector_fail(L, "%s", cerr);
        return -1;
      }
      torc_capture_cache_spell(cc, dir, capture, b->cap);
    } else if (!b->cap) {
      torcint_vector_push_key(L, "capture");
      torcint_vector_fail(
          L,
          "capture \"%s\" not found (relative to the vector or a parent "
          "folder)",
          capture);
      return -1;
    }
  }
  if (strcmp(b->cap->sha256, sha) != 0) {
    torcint_vector_push_key(L, "capture_sha256");
    torcint_vector_fail(L, "does not match the capture (%s has %s)", capture,
                        b->cap->sha256);
    return -1;
  }
  /* frames: numbers or [first, last] ranges */
  if (!(frames = torcint_vector_want_array(L, p, "frames", 1)))
    return -1;
  fs->listed = calloc((size_t)b->cap->file_frames + 1, 1);
  if (!fs->listed) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  o2 = torcint_vector_push_key(L, "frames");
  json_array_foreach(frames, i, v) {
    uint64_t first, last, k;
    size_t o3 = torcint_vector_push_idx(L, i);
    if (json_is_integer(v) && json_integer_value(v) >= 1) {
      first = last = (uint64_t)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2 &&
               json_is_integer(json_array_get(v, 0)) &&
               json_is_integer(json_array_get(v, 1)) &&
               json_integer_value(json_array_get(v, 0)) >= 1 &&
               json_integer_value(json_array_get(v, 1)) >=
                   json_integer_value(json_array_get(v, 0))) {
      first = (uint64_t)json_integer_value(json_array_get(v, 0));
      last = (uint64_t)json_integer_value(json_array_get(v, 1));
    } else {
      torcint_vector_fail(
          L, "expected a frame number >= 1 or a range [first, last]");
      return -1;
    }
    if (last > b->cap->file_frames) {
      torcint_vector_fail(L, "frame %" PRIu64 " is not in %s (%u frames)", last,
                          capture, b->cap->file_frames);
      return -1;
    }
    for (k = first; k <= last; k++) {
      const torc_frame *f = torc_capture_frame(b->cap, (uint32_t)k);
      uint32_t *nn;
      if (fs->listed[k]) {
        torcint_vector_fail(L, "frame %" PRIu64 " listed twice", k);
        return -1;
      }
      if (!f) { /* a capture of some frames that lacks this one */
        torcint_vector_fail(L, "%s: frame %" PRIu64 " was not read", capture,
                            k);
        return -1;
      }
      if (f->kind != TORC_FRAME_TCP) {
        torcint_vector_fail(L, "%s: frame %" PRIu64 " is %s", capture, k,
                            torc_frame_kind_name(f->kind));
        return -1;
      }
      if (f->ip_version != b->ip_version || memcmp(f->src, b->src, 16) != 0 ||
          memcmp(f->dst, b->dst, 16) != 0 || f->sport != b->sport ||
          f->dport != b->dport) {
        torcint_vector_fail(L,
                            "%s: frame %" PRIu64
                            " is not a segment of the flow %s:%u -> "
                            "%s:%u",
                            capture, k, src, b->sport, dst, b->dport);
        return -1;
      }
      nn = realloc(fs->nums, (fs->n + 1) * sizeof *nn);
      if (!nn) {
        torcint_vector_fail(L, "out of memory");
        return -1;
      }
      fs->nums = nn;
      fs->nums[fs->n++] = (uint32_t)k;
      fs->listed[k] = 1;
    }
    torcint_vector_pop(L, o3);
  }
  torcint_vector_pop(L, o2);
  torcint_vector_pop(L, o);
  return 0;
}
