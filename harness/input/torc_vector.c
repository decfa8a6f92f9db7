/*
 * torc_vector.c - the vector loader: JSON file -> checked torc_vector.
 *
 * Flow: torc_vector_load_all expands paths into *.json files (sorted), and
 * for each one parses it with jansson, applies every rule of
 * vectors/schema/vector.schema.json (same messages shape:
 * "FILE: $.events[3].size: expected integer >= 0"), applies the defaults
 * (they live here and in the schema's "default" keywords, nowhere else),
 * resolves the capture through a shared cache (each capture read once per
 * set), builds the flow's byte stream from the frames the vector lists, and
 * checks the cross-field rules the schema cannot express: the id matches the
 * content, frames exist and belong to the flow, buffered data is a
 * contiguous prefix of the stream ending at rcv_nxt, expected deliveries are
 * contiguous stream ranges, request ids are known.  Malformed input is an
 * error, never a crash.
 *
 * Canonical form (for ids): the document without its "id" member, dumped by
 * jansson with JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII: keys sorted
 * bytewise, no whitespace, non-ASCII as \uXXXX.  For ASCII documents without
 * control characters in strings this equals Python's
 * json.dumps(doc, sort_keys=True, separators=(",", ":")).  Only integers are
 * allowed as numbers, so no float formatting is involved.  The id is
 * "rcv-" + the first 16 hex digits of SHA-256 of that text.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <torc/target.h>

#include "torc_sha256.h"
#include "torc_vector_int.h"

/* ---- Defaults (the one place they live besides the schema) ------------- */
#define DEF_RCV_WND 65535u
#define DEF_TICKS_PER_SECOND 1000u
#define DEF_MSS 1460u
#define DEF_PUSH 1
#define MAX_EVENTS 100000u
#define MAX_REQUEST_SIZE (1u << 30)

static const char *const allowance_names[TORC_ALLOW_COUNT] = {
    "completion-batching", "offload-fail-status",  "upload-request-status",
    "upload-deliver",      "rst-requests-pending", "fin-nonpush-complete",
    "indication-size",     "upload-wanted-posts",  "resource-no-retrieve",
    "terminate-async"};

const char *torc_allowance_name(unsigned bit_index) {
  return bit_index < TORC_ALLOW_COUNT ? allowance_names[bit_index] : "?";
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
                                                    "fail_alloc"};

const char *torc_vector_op_name(unsigned op) {
  return op < TORC_OP_COUNT ? op_names[op] : "?";
}

/* ---- Loader context: file name, JSON path, first error ----------------- */
typedef struct ld {
  const char *file;
  char path[256];
  size_t plen;
  char *err;
  size_t errlen;
} ld;

static void fail(ld *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(ld *L, const char *fmt, ...) {
  va_list ap;
  int k = snprintf(L->err, L->errlen, "%s: %s: ", L->file, L->path);
  if (k < 0 || (size_t)k >= L->errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(L->err + k, L->errlen - (size_t)k, fmt, ap);
  va_end(ap);
}

static size_t push_key(ld *L, const char *key) {
  size_t old = L->plen;
  int k = snprintf(L->path + old, sizeof L->path - old, ".%s", key);
  if (k > 0)
    L->plen =
        old + (size_t)k < sizeof L->path ? old + (size_t)k : sizeof L->path - 1;
  return old;
}
static size_t push_idx(ld *L, size_t i) {
  size_t old = L->plen;
  int k = snprintf(L->path + old, sizeof L->path - old, "[%zu]", i);
  if (k > 0)
    L->plen =
        old + (size_t)k < sizeof L->path ? old + (size_t)k : sizeof L->path - 1;
  return old;
}
static void pop(ld *L, size_t old) {
  L->plen = old;
  L->path[old] = '\0';
}

/* Every key of obj must be in allowed (NULL-terminated). */
static int check_keys(ld *L, json_t *obj, const char *const *allowed) {
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val) {
    const char *const *a;
    int ok = 0;
    (void)val;
    for (a = allowed; *a; a++)
      if (strcmp(*a, key) == 0)
        ok = 1;
    if (!ok) {
      fail(L, "unknown member \"%s\"", key);
      return -1;
    }
  }
  return 0;
}

/* The member key of parent when it has JSON type `type` (named `what` in the
 * error); NULL with an error when it has another type, or when it is
 * missing and required. */
static json_t *want_member(ld *L, json_t *parent, const char *key, int required,
                           json_type type, const char *what) {
  json_t *v = json_object_get(parent, key);
  if (!v) {
    if (required)
      fail(L, "missing required member \"%s\"", key);
    return NULL;
  }
  if (json_typeof(v) != type) {
    size_t o = push_key(L, key);
    fail(L, "expected %s", what);
    pop(L, o);
    return NULL;
  }
  return v;
}

static json_t *want_object(ld *L, json_t *parent, const char *key,
                           int required) {
  return want_member(L, parent, key, required, JSON_OBJECT, "object");
}

static json_t *want_array(ld *L, json_t *parent, const char *key,
                          int required) {
  return want_member(L, parent, key, required, JSON_ARRAY, "array");
}

/* Integer member in [min, max]; absent -> dflt unless required.
 * Returns 0, 1 when absent (and *out = dflt), -1 on error. */
static int get_int(ld *L, json_t *obj, const char *key, int required,
                   uint64_t min, uint64_t max, uint64_t dflt, uint64_t *out) {
  json_t *v = json_object_get(obj, key);
  json_int_t x;
  size_t o;
  if (!v) {
    if (required) {
      fail(L, "missing required member \"%s\"", key);
      return -1;
    }
    *out = dflt;
    return 1;
  }
  o = push_key(L, key);
  if (!json_is_integer(v)) {
    fail(L, "expected integer >= %" PRIu64, min);
    pop(L, o);
    return -1;
  }
  x = json_integer_value(v);
  if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
    fail(L,
         "expected integer in [%" PRIu64 ", %" PRIu64
         "], got %" JSON_INTEGER_FORMAT,
         min, max, x);
    pop(L, o);
    return -1;
  }
  pop(L, o);
  *out = (uint64_t)x;
  return 0;
}

static int get_u32(ld *L, json_t *obj, const char *key, int required,
                   uint32_t min, uint32_t max, uint32_t dflt, uint32_t *out) {
  uint64_t v;
  int rc = get_int(L, obj, key, required, min, max, dflt, &v);
  if (rc >= 0)
    *out = (uint32_t)v;
  return rc;
}

static int get_bool(ld *L, json_t *obj, const char *key, int dflt, int *out) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = dflt;
    return 1;
  }
  if (!json_is_boolean(v)) {
    size_t o = push_key(L, key);
    fail(L, "expected true or false");
    pop(L, o);
    return -1;
  }
  *out = json_is_true(v);
  return 0;
}

/* String member; NULL (and an error if required) when absent or wrong. */
static const char *get_str(ld *L, json_t *obj, const char *key, int required,
                           int *bad) {
  json_t *v = json_object_get(obj, key);
  *bad = 0;
  if (!v) {
    if (required) {
      fail(L, "missing required member \"%s\"", key);
      *bad = 1;
    }
    return NULL;
  }
  if (!json_is_string(v) || json_string_length(v) == 0) {
    size_t o = push_key(L, key);
    fail(L, "expected non-empty string");
    pop(L, o);
    *bad = 1;
    return NULL;
  }
  return json_string_value(v);
}

static int is_hex(const char *s, size_t n) {
  size_t i;
  if (strlen(s) != n)
    return 0;
  for (i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

static int is_rcv_id(const char *s) {
  return strlen(s) == 7 && strncmp(s, "RCV-", 4) == 0 && s[4] >= '0' &&
         s[4] <= '9' && s[5] >= '0' && s[5] <= '9' && s[6] >= '0' &&
         s[6] <= '9';
}

static int is_tag(const char *s) {
  const char *p;
  if (!*s || strlen(s) > 64)
    return 0;
  if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
    return 0;
  for (p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return 0;
  return 1;
}

/* Array of unique strings each passing ok(); copies them into *out. */
static int get_str_list(ld *L, json_t *root, const char *key,
                        int (*ok)(const char *), const char *what, char ***out,
                        size_t *n) {
  json_t *a = want_array(L, root, key, 1), *v;
  size_t i, j, o;
  if (!a)
    return -1;
  *n = json_array_size(a);
  *out = calloc(*n ? *n : 1, sizeof(char *));
  if (!*out) {
    fail(L, "out of memory");
    return -1;
  }
  o = push_key(L, key);
  json_array_foreach(a, i, v) {
    size_t o2 = push_idx(L, i);
    if (!json_is_string(v) || !ok(json_string_value(v))) {
      fail(L, "expected %s", what);
      return -1;
    }
    for (j = 0; j < i; j++)
      if (strcmp((*out)[j], json_string_value(v)) == 0) {
        fail(L, "duplicate \"%s\"", json_string_value(v));
        return -1;
      }
    if (!((*out)[i] = strdup(json_string_value(v)))) {
      fail(L, "out of memory");
      return -1;
    }
    pop(L, o2);
  }
  pop(L, o);
  return 0;
}

/* ---- Canonical form and id --------------------------------------------- */

char *torc_vector_canonical(json_t *root_without_id) {
  return json_dumps(root_without_id,
                    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

void torc_vector_compute_id(const char *canonical, char out[21]) {
  char hex[65];
  torc_sha256_hex(canonical, strlen(canonical), hex);
  memcpy(out, "rcv-", 4);
  memcpy(out + 4, hex, 16);
  out[20] = '\0';
}

/* ---- Stream ------------------------------------------------------------ */

int torc_vector_stream_copy(const torc_vector_body *b, uint64_t off, uint32_t n,
                            uint8_t *dst) {
  size_t lo = 0, hi = b->nruns;
  if (off + n > b->stream_len)
    return -1;
  /* first run whose end is beyond off */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (b->runs[mid].offset + b->runs[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  while (n > 0 && lo < b->nruns) {
    const torc_srun *r = &b->runs[lo++];
    uint64_t skip = off - r->offset;
    uint32_t take =
        (uint32_t)(r->len - skip) < n ? (uint32_t)(r->len - skip) : n;
    memcpy(dst, r->data + skip, take);
    dst += take, off += take, n -= take;
  }
  return n == 0 ? 0 : -1;
}

int torc_vector_stream_cmp(const torc_vector_body *b, uint64_t off,
                           const uint8_t *buf, uint32_t n, uint32_t *diff) {
  size_t lo = 0, hi = b->nruns;
  uint32_t done = 0;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (b->runs[mid].offset + b->runs[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  while (done < n) {
    const torc_srun *r;
    uint64_t skip;
    uint32_t take, i;
    if (lo >= b->nruns || off + done >= b->stream_len ||
        b->runs[lo].offset > off + done) {
      *diff = done;
      return 1;
    }
    r = &b->runs[lo++];
    skip = off + done - r->offset;
    take = (uint32_t)(r->len - skip);
    if (take > n - done)
      take = n - done;
    if (memcmp(r->data + skip, buf + done, take) != 0) {
      for (i = 0; i < take; i++)
        if (r->data[skip + i] != buf[done + i]) {
          *diff = done + i;
          return 1;
        }
    }
    done += take;
  }
  return 0;
}

/* Inserts capture bytes [a, a+len) at stream offset a where not yet covered
 * (first-arrived wins).  runs stays sorted and non-overlapping. */
static int stream_insert(torc_vector_body *b, size_t *cap, uint64_t a,
                         uint32_t len, const uint8_t *data) {
  uint64_t end = a + len, cur = a;
  size_t i = 0;
  while (cur < end) {
    uint64_t gap_end;
    /* skip runs that end at or before cur */
    while (i < b->nruns && b->runs[i].offset + b->runs[i].len <= cur)
      i++;
    if (i < b->nruns && b->runs[i].offset <= cur) {
      cur = b->runs[i].offset + b->runs[i].len; /* covered already */
      continue;
    }
    gap_end = i < b->nruns && b->runs[i].offset < end ? b->runs[i].offset : end;
    if (b->nruns == *cap) {
      size_t nc = *cap ? *cap * 2 : 16;
      torc_srun *nr = realloc(b->runs, nc * sizeof *nr);
      if (!nr)
        return -1;
      b->runs = nr;
      *cap = nc;
    }
    memmove(&b->runs[i + 1], &b->runs[i], (b->nruns - i) * sizeof *b->runs);
    b->runs[i].offset = cur;
    b->runs[i].len = (uint32_t)(gap_end - cur);
    b->runs[i].data = data + (cur - a);
    b->nruns++;
    i++;
    cur = gap_end;
  }
  return 0;
}

/* ---- Sections ----------------------------------------------------------- */

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

typedef struct frameset {
  uint32_t *nums; /* listed frame numbers, in listed (arrival) order */
  size_t n;
  uint8_t *listed; /* listed[number] != 0 */
} frameset;

static int parse_provenance(ld *L, json_t *root, torc_vector_body *b,
                            torc_capture_cache *cc, frameset *fs) {
  static const char *const keys[] = {
      "capture",      "capture_sha256", "flow", "frames", "tool",
      "tool_version", "seed",           "note", NULL};
  static const char *const fkeys[] = {"src", "dst", "sport", "dport", NULL};
  json_t *p = want_object(L, root, "provenance", 1), *flow, *frames, *v;
  const char *capture, *sha, *src, *dst;
  char resolved[4096];
  uint8_t v1 = 0, v2 = 0;
  uint64_t u;
  size_t o, o2, i;
  int bad;
  if (!p)
    return -1;
  o = push_key(L, "provenance");
  if (check_keys(L, p, keys) < 0)
    return -1;
  capture = get_str(L, p, "capture", 1, &bad);
  if (bad)
    return -1;
  sha = get_str(L, p, "capture_sha256", 1, &bad);
  if (bad)
    return -1;
  get_str(L, p, "tool", 1, &bad);
  if (bad)
    return -1;
  get_str(L, p, "tool_version", 1, &bad);
  if (bad)
    return -1;
  if (json_object_get(p, "note")) {
    get_str(L, p, "note", 0, &bad);
    if (bad)
      return -1;
  }
  if (get_int(L, p, "seed", 0, 0, UINT64_MAX >> 12, 0, &u) < 0)
    return -1;
  if (!is_hex(sha, 64)) {
    o2 = push_key(L, "capture_sha256");
    fail(L, "expected 64 lowercase hex digits");
    return -1;
  }
  /* flow */
  if (!(flow = want_object(L, p, "flow", 1)))
    return -1;
  o2 = push_key(L, "flow");
  if (check_keys(L, flow, fkeys) < 0)
    return -1;
  src = get_str(L, flow, "src", 1, &bad);
  if (bad)
    return -1;
  dst = get_str(L, flow, "dst", 1, &bad);
  if (bad)
    return -1;
  if (parse_addr(src, b->src, &v1) < 0) {
    push_key(L, "src");
    fail(L, "expected an IPv4 or IPv6 address");
    return -1;
  }
  if (parse_addr(dst, b->dst, &v2) < 0 || v1 != v2) {
    push_key(L, "dst");
    fail(L, "expected an address of the same family as src");
    return -1;
  }
  b->ip_version = v1;
  if (get_int(L, flow, "sport", 1, 1, 65535, 0, &u) < 0)
    return -1;
  b->sport = (uint16_t)u;
  if (get_int(L, flow, "dport", 1, 1, 65535, 0, &u) < 0)
    return -1;
  b->dport = (uint16_t)u;
  pop(L, o2);
  /* capture */
  if (resolve_capture(L->file, capture, resolved, sizeof resolved) == 0) {
    /* One cache entry per file, however vectors spell the path. */
    char *real = realpath(resolved, NULL);
    if (real && strlen(real) < sizeof resolved)
      memcpy(resolved, real, strlen(real) + 1);
    free(real);
  } else {
    push_key(L, "capture");
    fail(L,
         "capture \"%s\" not found (relative to the vector or a parent "
         "folder)",
         capture);
    return -1;
  }
  {
    char cerr[512];
    b->cap = torc_capture_cache_get(cc, resolved, cerr, sizeof cerr);
    if (!b->cap) {
      push_key(L, "capture");
      fail(L, "%s", cerr);
      return -1;
    }
  }
  if (strcmp(b->cap->sha256, sha) != 0) {
    push_key(L, "capture_sha256");
    fail(L, "does not match the capture (%s has %s)", capture, b->cap->sha256);
    return -1;
  }
  /* frames: numbers or [first, last] ranges */
  if (!(frames = want_array(L, p, "frames", 1)))
    return -1;
  fs->listed = calloc((size_t)b->cap->nframes + 1, 1);
  if (!fs->listed) {
    fail(L, "out of memory");
    return -1;
  }
  o2 = push_key(L, "frames");
  json_array_foreach(frames, i, v) {
    uint64_t first, last, k;
    size_t o3 = push_idx(L, i);
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
      fail(L, "expected a frame number >= 1 or a range [first, last]");
      return -1;
    }
    if (last > b->cap->nframes) {
      fail(L, "frame %" PRIu64 " is not in %s (%u frames)", last, capture,
           b->cap->nframes);
      return -1;
    }
    for (k = first; k <= last; k++) {
      const torc_frame *f = torc_capture_frame(b->cap, (uint32_t)k);
      uint32_t *nn;
      if (fs->listed[k]) {
        fail(L, "frame %" PRIu64 " listed twice", k);
        return -1;
      }
      if (f->kind != TORC_FRAME_TCP) {
        fail(L, "%s: frame %" PRIu64 " is %s", capture, k,
             torc_frame_kind_name(f->kind));
        return -1;
      }
      if (f->ip_version != b->ip_version || memcmp(f->src, b->src, 16) != 0 ||
          memcmp(f->dst, b->dst, 16) != 0 || f->sport != b->sport ||
          f->dport != b->dport) {
        fail(L,
             "%s: frame %" PRIu64 " is not a segment of the flow %s:%u -> "
             "%s:%u",
             capture, k, src, b->sport, dst, b->dport);
        return -1;
      }
      nn = realloc(fs->nums, (fs->n + 1) * sizeof *nn);
      if (!nn) {
        fail(L, "out of memory");
        return -1;
      }
      fs->nums = nn;
      fs->nums[fs->n++] = (uint32_t)k;
      fs->listed[k] = 1;
    }
    pop(L, o3);
  }
  pop(L, o2);
  pop(L, o);
  return 0;
}

static int parse_state(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"isn",
                                     "rcv_nxt",
                                     "rcv_wnd",
                                     "snd_una",
                                     "snd_nxt",
                                     "snd_wnd",
                                     "push_ticks",
                                     "ticks_per_second",
                                     "rcv_indication_size",
                                     "initial_rcv_wnd",
                                     "mss",
                                     "snd_wscale",
                                     "rcv_wscale",
                                     NULL};
  json_t *s = want_object(L, root, "state", 1);
  uint32_t tps;
  size_t o;
  if (!s)
    return -1;
  o = push_key(L, "state");
  if (check_keys(L, s, keys) < 0 ||
      get_u32(L, s, "isn", 1, 0, UINT32_MAX, 0, &b->isn) < 0 ||
      get_u32(L, s, "rcv_nxt", 1, 0, UINT32_MAX, 0, &b->rcv_nxt) < 0 ||
      get_u32(L, s, "rcv_wnd", 0, 0, UINT32_MAX, DEF_RCV_WND, &b->rcv_wnd) <
          0 ||
      get_u32(L, s, "snd_una", 0, 0, UINT32_MAX, 0, &b->snd_una) < 0 ||
      get_u32(L, s, "snd_nxt", 0, 0, UINT32_MAX, 0, &b->snd_nxt) < 0 ||
      get_u32(L, s, "snd_wnd", 0, 0, UINT32_MAX, 0, &b->snd_wnd) < 0 ||
      get_u32(L, s, "push_ticks", 0, 0, UINT32_MAX, 0, &b->push_ticks) < 0 ||
      get_u32(L, s, "ticks_per_second", 0, 0, 1000, DEF_TICKS_PER_SECOND,
              &tps) < 0 ||
      get_u32(L, s, "rcv_indication_size", 0, 0, UINT32_MAX, 0,
              &b->rcv_indication_size) < 0 ||
      get_u32(L, s, "initial_rcv_wnd", 0, 0, UINT32_MAX, b->rcv_wnd,
              &b->initial_rcv_wnd) < 0)
    return -1;
  if (tps != 0 && tps != 10 && tps != 100 && tps != 1000) {
    push_key(L, "ticks_per_second");
    fail(L, "expected one of 0, 10, 100, 1000 (RCV-205)");
    return -1;
  }
  b->ticks_per_second = tps;
  {
    uint32_t mss, sw, rw;
    if (get_u32(L, s, "mss", 0, 1, 65535, DEF_MSS, &mss) < 0 ||
        get_u32(L, s, "snd_wscale", 0, 0, 14, 0, &sw) < 0 ||
        get_u32(L, s, "rcv_wscale", 0, 0, 14, 0, &rw) < 0)
      return -1;
    b->mss = (uint16_t)mss;
    b->snd_wscale = (uint8_t)sw;
    b->rcv_wscale = (uint8_t)rw;
  }
  pop(L, o);
  return 0;
}

static int parse_buffered(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"offset", "len", NULL};
  json_t *a = want_array(L, root, "buffered", 1), *list, *fr;
  size_t i, j, o, o2, o3, total = 0;
  uint64_t next = 0;
  if (!a)
    return -1;
  o = push_key(L, "buffered");
  b->nlists = json_array_size(a);
  b->list_first = calloc(b->nlists + 1, sizeof *b->list_first);
  b->list_count = calloc(b->nlists + 1, sizeof *b->list_count);
  if (!b->list_first || !b->list_count) {
    fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, list) {
    o2 = push_idx(L, i);
    if (!json_is_array(list) || json_array_size(list) == 0) {
      fail(L, "expected a non-empty array of fragments");
      return -1;
    }
    total += json_array_size(list);
    pop(L, o2);
  }
  b->frags = calloc(total + 1, sizeof *b->frags);
  if (!b->frags) {
    fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, list) {
    o2 = push_idx(L, i);
    b->list_first[i] = (uint32_t)b->nfrags;
    json_array_foreach(list, j, fr) {
      uint64_t off, len;
      o3 = push_idx(L, j);
      if (!json_is_object(fr)) {
        fail(L, "expected object {offset, len}");
        return -1;
      }
      if (check_keys(L, fr, keys) < 0 ||
          get_int(L, fr, "offset", 1, 0, UINT32_MAX, 0, &off) < 0 ||
          get_int(L, fr, "len", 1, 1, UINT32_MAX, 0, &len) < 0)
        return -1;
      if (off != next) {
        fail(L,
             "fragment starts at stream offset %" PRIu64 ", expected %" PRIu64
             " (buffered data is contiguous from "
             "offset 0)",
             off, next);
        return -1;
      }
      next = off + len;
      b->frags[b->nfrags].offset = off;
      b->frags[b->nfrags].len = (uint32_t)len;
      b->nfrags++;
      pop(L, o3);
    }
    b->list_count[i] = (uint32_t)json_array_size(list);
    pop(L, o2);
  }
  b->buffered_len = next;
  pop(L, o);
  return 0;
}

static int parse_answer(ld *L, json_t *v, torc_answer *ans) {
  static const char *const keys[] = {"status", "consumed", NULL};
  const char *st;
  int bad;
  uint32_t consumed;
  if (!json_is_object(v)) {
    fail(L, "expected object {status, consumed?}");
    return -1;
  }
  if (check_keys(L, v, keys) < 0)
    return -1;
  st = get_str(L, v, "status", 1, &bad);
  if (bad)
    return -1;
  if (strcmp(st, "SUCCESS") == 0)
    ans->status = TORC_STATUS_SUCCESS;
  else if (strcmp(st, "NOT_ACCEPTED") == 0)
    ans->status = TORC_STATUS_NOT_ACCEPTED;
  else if (strcmp(st, "OFFLOAD_DATA_NOT_ACCEPTED") == 0)
    ans->status = TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  else if (strcmp(st, "PARTIALLY_ACCEPTED") == 0)
    ans->status = TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED;
  else {
    push_key(L, "status");
    fail(L, "expected one of SUCCESS, NOT_ACCEPTED, "
            "OFFLOAD_DATA_NOT_ACCEPTED, PARTIALLY_ACCEPTED");
    return -1;
  }
  if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    /* RCV-140: the host reports a non-zero count */
    if (get_u32(L, v, "consumed", 1, 1, UINT32_MAX, 0, &consumed) < 0)
      return -1;
  } else {
    if (json_object_get(v, "consumed")) {
      push_key(L, "consumed");
      fail(L, "only PARTIALLY_ACCEPTED carries a consumed count");
      return -1;
    }
    consumed = 0;
  }
  ans->consumed = consumed;
  return 0;
}

static int parse_host(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"answers", "default_answer", "auto_return",
                                     NULL};
  json_t *h = json_object_get(root, "host"), *a, *v;
  const char *ar;
  size_t o, o2, i;
  int bad;
  b->default_answer.status = TORC_STATUS_SUCCESS;
  b->auto_return = TORC_RETURN_AT_END;
  if (!h)
    return 0;
  o = push_key(L, "host");
  if (!json_is_object(h)) {
    fail(L, "expected object");
    return -1;
  }
  if (check_keys(L, h, keys) < 0)
    return -1;
  if ((v = json_object_get(h, "default_answer"))) {
    o2 = push_key(L, "default_answer");
    if (parse_answer(L, v, &b->default_answer) < 0)
      return -1;
    pop(L, o2);
  }
  ar = get_str(L, h, "auto_return", 0, &bad);
  if (bad)
    return -1;
  if (ar) {
    if (strcmp(ar, "at_end") == 0)
      b->auto_return = TORC_RETURN_AT_END;
    else if (strcmp(ar, "explicit") == 0)
      b->auto_return = TORC_RETURN_EXPLICIT;
    else if (strcmp(ar, "after_event") == 0)
      b->auto_return = TORC_RETURN_AFTER_EVENT;
    else {
      push_key(L, "auto_return");
      fail(L, "expected one of at_end, explicit, after_event");
      return -1;
    }
  }
  if ((a = json_object_get(h, "answers"))) {
    o2 = push_key(L, "answers");
    if (!json_is_array(a)) {
      fail(L, "expected array");
      return -1;
    }
    b->nanswers = json_array_size(a);
    b->answers = calloc(b->nanswers + 1, sizeof *b->answers);
    if (!b->answers) {
      fail(L, "out of memory");
      return -1;
    }
    json_array_foreach(a, i, v) {
      size_t o3 = push_idx(L, i);
      if (parse_answer(L, v, &b->answers[i]) < 0)
        return -1;
      pop(L, o3);
    }
    pop(L, o2);
  }
  pop(L, o);
  return 0;
}

/* Posted request ids, for checking the expectation. */
typedef struct idset {
  uint64_t *ids;
  size_t n;
} idset;

static int idset_has(const idset *s, uint64_t id) {
  size_t i;
  for (i = 0; i < s->n; i++)
    if (s->ids[i] == id)
      return 1;
  return 0;
}

static int parse_events(ld *L, json_t *root, torc_vector_body *b,
                        const frameset *fs, idset *ids) {
  static const char *const k_plain[] = {"t_us", "op", NULL};
  static const char *const k_post[] = {"t_us",      "op", "size", "push",
                                       "prefilled", "id", NULL};
  static const char *const k_frame[] = {"t_us", "op", "frame", NULL};
  static const char *const k_fail[] = {"t_us", "op", "nth", NULL};
  json_t *a = want_array(L, root, "events", 1), *ev;
  uint64_t now = 0;
  size_t i, o;
  int saw_offload = 0;
  if (!a)
    return -1;
  o = push_key(L, "events");
  b->nevents = json_array_size(a);
  if (b->nevents == 0 || b->nevents > MAX_EVENTS) {
    fail(L, "expected 1 to %u events", MAX_EVENTS);
    return -1;
  }
  b->events = calloc(b->nevents, sizeof *b->events);
  ids->ids = calloc(b->nevents, sizeof *ids->ids);
  if (!b->events || !ids->ids) {
    fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, ev) {
    torc_event *e = &b->events[i];
    const char *opn;
    int bad, op = -1, k;
    size_t o2 = push_idx(L, i);
    uint64_t t;
    if (!json_is_object(ev)) {
      fail(L, "expected object {t_us, op, ...}");
      return -1;
    }
    opn = get_str(L, ev, "op", 1, &bad);
    if (bad)
      return -1;
    for (k = 0; k < TORC_OP_COUNT; k++)
      if (strcmp(op_names[k], opn) == 0)
        op = k;
    if (op < 0) {
      push_key(L, "op");
      fail(L, "unknown op \"%s\"", opn);
      return -1;
    }
    e->op = (uint32_t)op;
    b->ops_used |= 1u << op;
    if (check_keys(L, ev,
                   op == TORC_OP_POST || op == TORC_OP_POST_IN_COMPLETION
                       ? k_post
                   : op == TORC_OP_FRAME      ? k_frame
                   : op == TORC_OP_FAIL_ALLOC ? k_fail
                                              : k_plain) < 0)
      return -1;
    if (get_int(L, ev, "t_us", op == TORC_OP_ADVANCE, 0, UINT64_MAX >> 12, now,
                &t) < 0)
      return -1;
    if (t < now) {
      push_key(L, "t_us");
      fail(L, "time goes backwards (%" PRIu64 " < %" PRIu64 ")", t, now);
      return -1;
    }
    e->t_us = now = t;
    switch (op) {
    case TORC_OP_OFFLOAD:
      if (saw_offload) {
        fail(L, "a vector offloads once");
        return -1;
      }
      saw_offload = 1;
      break;
    case TORC_OP_POST:
    case TORC_OP_POST_IN_COMPLETION: {
      uint64_t id;
      int push, r;
      if (get_u32(L, ev, "size", 1, 0, MAX_REQUEST_SIZE, 0, &e->size) < 0 ||
          get_u32(L, ev, "prefilled", 0, 0, MAX_REQUEST_SIZE, 0,
                  &e->prefilled) < 0 ||
          get_bool(L, ev, "push", DEF_PUSH, &push) < 0)
        return -1;
      e->push = (uint8_t)push;
      if (e->prefilled > e->size) {
        push_key(L, "prefilled");
        fail(L, "prefilled (%u) exceeds size (%u)", e->prefilled, e->size);
        return -1;
      }
      r = get_int(L, ev, "id", 0, 1, UINT64_MAX >> 12, ids->n + 1, &id);
      if (r < 0)
        return -1;
      if (idset_has(ids, id)) {
        push_key(L, "id");
        fail(L, "request id %" PRIu64 " used twice", id);
        return -1;
      }
      e->req_id = id;
      ids->ids[ids->n++] = id;
      break;
    }
    case TORC_OP_FRAME: {
      uint32_t num;
      if (get_u32(L, ev, "frame", 1, 1, UINT32_MAX, 0, &num) < 0)
        return -1;
      if (num > b->cap->nframes || !fs->listed[num]) {
        push_key(L, "frame");
        fail(L, "frame %u is not listed in $.provenance.frames", num);
        return -1;
      }
      e->frame = num - 1;
      break;
    }
    case TORC_OP_FAIL_ALLOC:
      if (get_u32(L, ev, "nth", 0, 1, 1000000, 1, &e->nth) < 0)
        return -1;
      break;
    default:
      break;
    }
    if (op != TORC_OP_OFFLOAD && op != TORC_OP_FAIL_ALLOC && !saw_offload) {
      fail(L, "\"%s\" before the offload event", opn);
      return -1;
    }
    pop(L, o2);
  }
  if (!saw_offload) {
    fail(L, "no offload event");
    return -1;
  }
  pop(L, o);
  return 0;
}

static int parse_status_member(ld *L, json_t *obj, const char *key,
                               int required, uint32_t dflt, uint32_t *out) {
  int bad;
  const char *s = get_str(L, obj, key, required, &bad);
  if (bad)
    return -1;
  if (!s) {
    *out = dflt;
    return 1;
  }
  if (torc_status_parse(s, out) < 0) {
    size_t o = push_key(L, key);
    fail(L, "unknown status \"%s\"", s);
    pop(L, o);
    return -1;
  }
  return 0;
}

/* Bytes the host consumes when answering ans to an indication of len bytes
 * (DEC-02, DEC-03). */
static uint32_t consumed_by(const torc_answer *ans, uint32_t len) {
  if (ans->status == TORC_STATUS_SUCCESS)
    return len;
  if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
    return ans->consumed < len ? ans->consumed : len;
  return 0;
}

static int parse_expected(ld *L, json_t *root, torc_vector_body *b,
                          const idset *ids) {
  static const char *const keys[] = {"trace", "allowances", NULL};
  static const char *const k_oc[] = {"at", "ev", "status", NULL};
  static const char *const k_c[] = {"at", "ev", "requests", NULL};
  static const char *const k_r[] = {"id", "status", "bytes", "offset", NULL};
  static const char *const k_i[] = {"at",     "ev",       "offset", "len",
                                    "answer", "consumed", NULL};
  static const char *const k_e[] = {"at", "ev", "event", "info", NULL};
  static const char *const k_t[] = {
      "at", "ev", "status", "rcv_nxt", "handback_offset", "handback_len", NULL};
  json_t *x = want_object(L, root, "expected", 1), *tr, *al, *v;
  size_t o, o2, i, nind = 0;
  uint64_t delivered = 0;
  uint32_t last_at = 0;
  if (!x)
    return -1;
  o = push_key(L, "expected");
  if (check_keys(L, x, keys) < 0)
    return -1;
  if ((al = json_object_get(x, "allowances"))) {
    o2 = push_key(L, "allowances");
    if (!json_is_array(al)) {
      fail(L, "expected array");
      return -1;
    }
    json_array_foreach(al, i, v) {
      unsigned k, found = 0;
      size_t o3 = push_idx(L, i);
      for (k = 0; k < TORC_ALLOW_COUNT && json_is_string(v); k++)
        if (strcmp(allowance_names[k], json_string_value(v)) == 0)
          found = 1u << k;
      if (!found) {
        fail(L, "expected an allowance name of docs/DECISIONS.md");
        return -1;
      }
      if (b->allowances & found) {
        fail(L, "duplicate allowance");
        return -1;
      }
      b->allowances |= found;
      pop(L, o3);
    }
    pop(L, o2);
  }
  if (!(tr = want_array(L, x, "trace", 1)))
    return -1;
  o2 = push_key(L, "trace");
  json_array_foreach(tr, i, v) {
    size_t o3 = push_idx(L, i);
    int bad, kind;
    const char *evn;
    uint32_t at;
    torc_trace_entry *te;
    if (!json_is_object(v)) {
      fail(L, "expected object {at, ev, ...}");
      return -1;
    }
    evn = get_str(L, v, "ev", 1, &bad);
    if (bad)
      return -1;
    kind = torc_trace_kind_parse(evn);
    if (kind < 0) {
      push_key(L, "ev");
      fail(L, "unknown trace event \"%s\"", evn);
      return -1;
    }
    if (check_keys(L, v,
                   kind == TORC_TR_OFFLOAD_COMPLETE ? k_oc
                   : kind == TORC_TR_COMPLETE       ? k_c
                   : kind == TORC_TR_INDICATE       ? k_i
                   : kind == TORC_TR_EVENT          ? k_e
                                                    : k_t) < 0)
      return -1;
    if (get_u32(L, v, "at", 1, 0, (uint32_t)b->nevents, 0, &at) < 0)
      return -1;
    if (at < last_at) {
      push_key(L, "at");
      fail(L, "trace entries are in call order (at %u after %u)", at, last_at);
      return -1;
    }
    last_at = at;
    te = torc_trace_add(&b->expected, (uint32_t)kind, at);
    if (!te) {
      fail(L, "out of memory");
      return -1;
    }
    switch (kind) {
    case TORC_TR_OFFLOAD_COMPLETE:
      if (parse_status_member(L, v, "status", 1, 0, &te->status) < 0)
        return -1;
      break;
    case TORC_TR_COMPLETE: {
      json_t *rq = want_array(L, v, "requests", 1), *r;
      size_t j, o4;
      if (!rq)
        return -1;
      o4 = push_key(L, "requests");
      if (json_array_size(rq) == 0) {
        fail(L, "expected at least one request");
        return -1;
      }
      json_array_foreach(rq, j, r) {
        size_t o5 = push_idx(L, j);
        uint64_t id, off;
        uint32_t st, bytes;
        int has_off;
        if (!json_is_object(r)) {
          fail(L, "expected object {id, status, bytes}");
          return -1;
        }
        if (check_keys(L, r, k_r) < 0 ||
            get_int(L, r, "id", 1, 1, UINT64_MAX >> 12, 0, &id) < 0 ||
            parse_status_member(L, r, "status", 1, 0, &st) < 0 ||
            get_u32(L, r, "bytes", 1, 0, MAX_REQUEST_SIZE, 0, &bytes) < 0)
          return -1;
        has_off =
            get_int(L, r, "offset", 0, 0, UINT64_MAX >> 12, delivered, &off);
        if (has_off < 0)
          return -1;
        if (!idset_has(ids, id)) {
          push_key(L, "id");
          fail(L, "request %" PRIu64 " is never posted", id);
          return -1;
        }
        if (has_off == 0 && off != delivered) {
          push_key(L, "offset");
          fail(L,
               "expected deliveries are contiguous: this one starts at "
               "%" PRIu64 ", the previous ones end at %" PRIu64,
               off, delivered);
          return -1;
        }
        if (torc_trace_add_req(&b->expected, id, st, bytes,
                               bytes ? delivered : TORC_NO_OFFSET) < 0) {
          fail(L, "out of memory");
          return -1;
        }
        delivered += bytes;
        pop(L, o5);
      }
      pop(L, o4);
      break;
    }
    case TORC_TR_INDICATE: {
      const torc_answer *ans =
          nind < b->nanswers ? &b->answers[nind] : &b->default_answer;
      uint64_t off;
      int r;
      uint32_t given;
      if (get_u32(L, v, "len", 1, 1, UINT32_MAX, 0, &te->len) < 0)
        return -1;
      r = get_int(L, v, "offset", 0, 0, UINT64_MAX >> 12, delivered, &off);
      if (r < 0)
        return -1;
      if (r == 0 && off != delivered) {
        push_key(L, "offset");
        fail(L,
             "expected deliveries are contiguous: this one starts at "
             "%" PRIu64 ", the previous ones end at %" PRIu64,
             off, delivered);
        return -1;
      }
      te->offset = delivered;
      te->status = ans->status;
      te->consumed = consumed_by(ans, te->len);
      r = parse_status_member(L, v, "answer", 0, ans->status, &given);
      if (r < 0)
        return -1;
      if (r == 0 && given != te->status) {
        push_key(L, "answer");
        fail(L, "the host answers indication %zu with %s (host.answers)",
             nind + 1, torc_status_name(te->status));
        return -1;
      }
      r = get_u32(L, v, "consumed", 0, 0, UINT32_MAX, te->consumed, &given);
      if (r < 0)
        return -1;
      if (r == 0 && given != te->consumed) {
        push_key(L, "consumed");
        fail(L, "the host's answer consumes %u of %u bytes", te->consumed,
             te->len);
        return -1;
      }
      delivered += te->consumed;
      nind++;
      break;
    }
    case TORC_TR_EVENT: {
      int bad2;
      const char *en = get_str(L, v, "event", 1, &bad2);
      if (bad2)
        return -1;
      if (torc_event_parse(en, &te->event) < 0) {
        push_key(L, "event");
        fail(L, "expected DISCONNECT, RETRIEVE or ABORT");
        return -1;
      }
      if (get_u32(L, v, "info", 0, 0, UINT32_MAX, 0, &te->info) < 0)
        return -1;
      break;
    }
    case TORC_TR_TERMINATE_COMPLETE: {
      uint64_t off;
      int r;
      if (parse_status_member(L, v, "status", 1, 0, &te->status) < 0 ||
          get_u32(L, v, "rcv_nxt", 1, 0, UINT32_MAX, 0, &te->rcv_nxt) < 0 ||
          get_u32(L, v, "handback_len", 0, 0, UINT32_MAX, 0, &te->len) < 0)
        return -1;
      r = get_int(L, v, "handback_offset", 0, 0, UINT64_MAX >> 12, delivered,
                  &off);
      if (r < 0)
        return -1;
      if (r == 0 && off != delivered) {
        push_key(L, "handback_offset");
        fail(L, "handed-back data continues the delivered stream at %" PRIu64,
             delivered);
        return -1;
      }
      te->offset = te->len ? delivered : TORC_NO_OFFSET;
      /* DEC-07: delivered bytes + handed-back bytes end at RcvNxt (one
       * further when the FIN they end at was received). */
      if (te->status == TORC_STATUS_SUCCESS &&
          (uint32_t)(te->rcv_nxt - b->isn) != delivered + te->len &&
          !(delivered + te->len == b->fin_offset &&
            (uint32_t)(te->rcv_nxt - b->isn) == delivered + te->len + 1)) {
        push_key(L, "rcv_nxt");
        fail(L,
             "rcv_nxt - isn (%u) must equal delivered (%" PRIu64
             ") + handback_len (%u) (DEC-07)",
             (uint32_t)(te->rcv_nxt - b->isn), delivered, te->len);
        return -1;
      }
      delivered += te->len;
      break;
    }
    }
    pop(L, o3);
  }
  pop(L, o2);
  if (delivered > b->stream_len) {
    fail(L,
         "the expected deliveries reach stream offset %" PRIu64
         " but the listed frames cover only %" PRIu64 " bytes",
         delivered, b->stream_len);
    return -1;
  }
  pop(L, o);
  return 0;
}

/* Builds the stream from the listed frames, in listed order. */
static int build_stream(ld *L, torc_vector_body *b, const frameset *fs) {
  size_t i, cap = 0;
  uint64_t end = 0;
  b->fin_offset = UINT64_MAX;
  for (i = 0; i < fs->n; i++) {
    const torc_frame *f = torc_capture_frame(b->cap, fs->nums[i]);
    const uint8_t *pl = torc_capture_bytes(b->cap, f) + f->payload_offset;
    int64_t rel = (int32_t)(f->seq - b->isn);
    uint32_t len = f->payload_len, skip = 0;
    if ((f->flags & TORC_TCP_FIN) && b->fin_offset == UINT64_MAX &&
        rel + (int64_t)len >= 0)
      b->fin_offset = (uint64_t)(rel + (int64_t)len); /* first FIN wins */
    if (len == 0)
      continue;
    if (rel < 0) { /* bytes before the stream origin are not part of it */
      if ((uint64_t)-rel >= len)
        continue;
      skip = (uint32_t)-rel;
      rel = 0;
    }
    if (stream_insert(b, &cap, (uint64_t)rel, len - skip, pl + skip) < 0) {
      fail(L, "out of memory");
      return -1;
    }
  }
  for (i = 0; i < b->nruns && b->runs[i].offset == end; i++)
    end += b->runs[i].len;
  b->stream_len = end;
  return 0;
}

static void body_free(torc_vector_body *b) {
  if (!b)
    return;
  torc_capture_unref(b->cap);
  free(b->runs);
  free(b->frags);
  free(b->list_first);
  free(b->list_count);
  free(b->events);
  free(b->answers);
  torc_trace_free(&b->expected);
  free(b);
}

void torc_vector_free(torc_vector *v) {
  size_t i;
  if (!v)
    return;
  free(v->path);
  free(v->id);
  free(v->title);
  for (i = 0; v->requirements && i < v->nrequirements; i++)
    free(v->requirements[i]);
  free(v->requirements);
  for (i = 0; v->tags && i < v->ntags; i++)
    free(v->tags[i]);
  free(v->tags);
  body_free(v->body);
  free(v);
}

static int is_cap_name(const char *s) {
  size_t i;
  for (i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcmp(cap_names[i].name, s) == 0)
      return 1;
  return 0;
}

static int parse_root(ld *L, json_t *root, torc_vector *v,
                      torc_capture_cache *cc) {
  static const char *const keys[] = {
      "format",   "id",         "title", "requirements", "tags",
      "requires", "provenance", "state", "buffered",     "host",
      "events",   "expected",   NULL};
  torc_vector_body *b = v->body;
  frameset fs = {NULL, 0, NULL};
  idset ids = {NULL, 0};
  const char *id, *title;
  char want[21], **caps = NULL;
  size_t ncaps = 0, i;
  uint64_t fmt;
  int bad, rc = -1;
  json_t *copy = NULL;
  char *canon = NULL;

  if (!json_is_object(root)) {
    fail(L, "expected a JSON object");
    return -1;
  }
  if (check_keys(L, root, keys) < 0 ||
      get_int(L, root, "format", 1, 1, 1, 1, &fmt) < 0)
    goto out;
  id = get_str(L, root, "id", 1, &bad);
  if (bad)
    goto out;
  title = get_str(L, root, "title", 1, &bad);
  if (bad)
    goto out;
  if (strncmp(title, "Verify that ", 12) != 0 || strlen(title) > 200 ||
      strchr(title, '\n')) {
    push_key(L, "title");
    fail(L, "expected one line starting \"Verify that \"");
    goto out;
  }
  if (get_str_list(L, root, "requirements", is_rcv_id, "an id like RCV-035",
                   &v->requirements, &v->nrequirements) < 0 ||
      get_str_list(L, root, "tags", is_tag,
                   "a tag of [a-z0-9-] starting with a letter or digit",
                   &v->tags, &v->ntags) < 0 ||
      get_str_list(L, root, "requires", is_cap_name,
                   "a capability name (buffered_data, push_mode, ...)", &caps,
                   &ncaps) < 0)
    goto out;
  if (ncaps == 0) {
    push_key(L, "requires");
    fail(L, "expected at least one capability");
    goto out;
  }
  if (v->nrequirements == 0) {
    push_key(L, "requirements");
    fail(L, "expected at least one requirement id");
    goto out;
  }
  for (i = 0; i < ncaps; i++) {
    size_t k;
    for (k = 0; k < sizeof cap_names / sizeof cap_names[0]; k++)
      if (strcmp(cap_names[k].name, caps[i]) == 0)
        v->requires_caps |= cap_names[k].bit;
  }
  if (!(v->id = strdup(id)) || !(v->title = strdup(title))) {
    fail(L, "out of memory");
    goto out;
  }
  if (parse_provenance(L, root, b, cc, &fs) < 0 ||
      parse_state(L, root, b) < 0 || parse_buffered(L, root, b) < 0 ||
      parse_host(L, root, b) < 0 || build_stream(L, b, &fs) < 0 ||
      parse_events(L, root, b, &fs, &ids) < 0 ||
      parse_expected(L, root, b, &ids) < 0)
    goto out;
  /* Buffered data ends just before rcv_nxt (RCV-006). */
  if ((uint32_t)(b->rcv_nxt - b->isn) != b->buffered_len) {
    snprintf(L->path, sizeof L->path, "$.state.rcv_nxt");
    fail(L,
         "rcv_nxt - isn = %u but the buffered data holds %" PRIu64
         " bytes (buffered data ends just before rcv_nxt)",
         (uint32_t)(b->rcv_nxt - b->isn), b->buffered_len);
    goto out;
  }
  if (b->buffered_len > b->stream_len) {
    snprintf(L->path, sizeof L->path, "$.buffered");
    fail(L,
         "buffered data reaches stream offset %" PRIu64
         " but the listed frames cover only [0, %" PRIu64 ")",
         b->buffered_len, b->stream_len);
    goto out;
  }
  /* The id is derived from the content. */
  snprintf(L->path, sizeof L->path, "$.id");
  copy = json_deep_copy(root);
  if (!copy || json_object_del(copy, "id") < 0 ||
      !(canon = torc_vector_canonical(copy))) {
    fail(L, "out of memory");
    goto out;
  }
  torc_vector_compute_id(canon, want);
  if (strcmp(want, id) != 0) {
    fail(L, "id \"%s\" does not match the content (expected \"%s\")", id, want);
    goto out;
  }
  free(canon);
  canon = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  if (!canon) {
    fail(L, "out of memory");
    goto out;
  }
  torc_sha256_hex(canon, strlen(canon), b->sha256);
  rc = 0;
out:
  for (i = 0; caps && i < ncaps; i++)
    free(caps[i]);
  free(caps);
  free(fs.nums);
  free(fs.listed);
  free(ids.ids);
  free(canon);
  json_decref(copy);
  return rc;
}

int torc_vector_load_cached(const char *path, torc_capture_cache *cc,
                            torc_vector **out, char *errbuf, size_t errlen) {
  ld L;
  json_error_t je;
  json_t *root;
  torc_vector *v;
  int rc;
  *out = NULL;
  memset(&L, 0, sizeof L);
  L.file = path;
  L.err = errbuf;
  L.errlen = errlen;
  snprintf(L.path, sizeof L.path, "$");
  L.plen = 1;
  root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    if (je.line > 0)
      snprintf(errbuf, errlen, "%s: line %d column %d: %s", path, je.line,
               je.column, je.text);
    else
      snprintf(errbuf, errlen, "%s: %s", path, je.text);
    return -1;
  }
  v = calloc(1, sizeof *v);
  if (!v || !(v->body = calloc(1, sizeof *v->body)) ||
      !(v->path = strdup(path))) {
    snprintf(errbuf, errlen, "%s: out of memory", path);
    json_decref(root);
    torc_vector_free(v);
    return -1;
  }
  torc_trace_init(&v->body->expected);
  rc = parse_root(&L, root, v, cc);
  json_decref(root);
  if (rc < 0) {
    torc_vector_free(v);
    return -1;
  }
  *out = v;
  return 0;
}

int torc_vector_load(const char *path, torc_vector **out, char *errbuf,
                     size_t errlen) {
  torc_capture_cache *cc = torc_capture_cache_new();
  int rc;
  if (!cc) {
    snprintf(errbuf, errlen, "%s: out of memory", path);
    return -1;
  }
  rc = torc_vector_load_cached(path, cc, out, errbuf, errlen);
  torc_capture_cache_free(cc);
  return rc;
}

/* ---- Sets --------------------------------------------------------------- */

typedef struct pathlist {
  char **p;
  size_t n, cap;
} pathlist;

static int pl_add(pathlist *pl, const char *s) {
  if (pl->n == pl->cap) {
    size_t nc = pl->cap ? pl->cap * 2 : 64;
    char **np = realloc(pl->p, nc * sizeof *np);
    if (!np)
      return -1;
    pl->p = np;
    pl->cap = nc;
  }
  if (!(pl->p[pl->n] = strdup(s)))
    return -1;
  pl->n++;
  return 0;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Recursively collects *.json under dir; the schema folder is skipped. */
static int walk(const char *dir, pathlist *pl, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  struct dirent *de;
  if (!d) {
    snprintf(err, errlen, "%s: cannot open folder: %s", dir, strerror(errno));
    return -1;
  }
  while ((de = readdir(d)) != NULL) {
    char p[4096];
    struct stat st;
    if (de->d_name[0] == '.')
      continue;
    if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= sizeof p)
      continue;
    if (stat(p, &st) < 0)
      continue;
    if (S_ISDIR(st.st_mode)) {
      if (strcmp(de->d_name, "schema") == 0)
        continue;
      if (walk(p, pl, err, errlen) < 0) {
        closedir(d);
        return -1;
      }
    } else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".json") &&
               !ends_with(de->d_name, ".schema.json")) {
      if (pl_add(pl, p) < 0) {
        closedir(d);
        snprintf(err, errlen, "%s: out of memory", dir);
        return -1;
      }
    }
  }
  closedir(d);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int torc_vector_load_all(const char *const *paths, size_t npaths,
                         torc_vector ***out, size_t *n, char *errbuf,
                         size_t errlen) {
  pathlist pl = {NULL, 0, 0};
  torc_capture_cache *cc = NULL;
  torc_vector **vs = NULL;
  size_t i, nv = 0;
  int rc = -1;
  *out = NULL;
  *n = 0;
  for (i = 0; i < npaths; i++) {
    struct stat st;
    if (stat(paths[i], &st) < 0) {
      snprintf(errbuf, errlen, "%s: %s", paths[i], strerror(errno));
      goto out;
    }
    if (S_ISDIR(st.st_mode)) {
      size_t before = pl.n;
      char tmp[4096];
      snprintf(tmp, sizeof tmp, "%s", paths[i]);
      while (strlen(tmp) > 1 && tmp[strlen(tmp) - 1] == '/')
        tmp[strlen(tmp) - 1] = '\0';
      if (walk(tmp, &pl, errbuf, errlen) < 0)
        goto out;
      qsort(pl.p + before, pl.n - before, sizeof *pl.p, cmp_str);
    } else if (pl_add(&pl, paths[i]) < 0) {
      snprintf(errbuf, errlen, "%s: out of memory", paths[i]);
      goto out;
    }
  }
  cc = torc_capture_cache_new();
  vs = calloc(pl.n + 1, sizeof *vs);
  if (!cc || !vs) {
    snprintf(errbuf, errlen, "out of memory");
    goto out;
  }
  for (i = 0; i < pl.n; i++) {
    size_t k;
    if (torc_vector_load_cached(pl.p[i], cc, &vs[nv], errbuf, errlen) < 0)
      goto out;
    for (k = 0; k < nv; k++)
      if (strcmp(vs[k]->id, vs[nv]->id) == 0 &&
          strcmp(vs[k]->path, vs[nv]->path) != 0) {
        snprintf(errbuf, errlen, "%s: $.id: same content (id %s) as %s",
                 pl.p[i], vs[nv]->id, vs[k]->path);
        nv++;
        goto out;
      }
    nv++;
  }
  *out = vs;
  *n = nv;
  vs = NULL;
  rc = 0;
out:
  if (vs)
    torc_vector_free_all(vs, nv);
  for (i = 0; i < pl.n; i++)
    free(pl.p[i]);
  free(pl.p);
  torc_capture_cache_free(cc);
  return rc;
}

void torc_vector_free_all(torc_vector **vs, size_t n) {
  size_t i;
  if (!vs)
    return;
  for (i = 0; i < n; i++)
    torc_vector_free(vs[i]);
  free(vs);
}

static int cmp_vec_id(const void *a, const void *b) {
  const torc_vector *x = *(torc_vector *const *)a;
  const torc_vector *y = *(torc_vector *const *)b;
  return strcmp(x->id, y->id);
}

void torc_vector_set_digest(torc_vector *const *vs, size_t n, char out[65]) {
  torc_sha256 s;
  uint8_t d[32];
  const torc_vector **sorted = malloc((n ? n : 1) * sizeof *sorted);
  size_t i;
  torc_sha256_init(&s);
  if (sorted) {
    for (i = 0; i < n; i++)
      sorted[i] = vs[i];
    qsort(sorted, n, sizeof *sorted, cmp_vec_id);
    /* Digest of "sha256(canonical vector)\n" lines, in id order. */
    for (i = 0; i < n; i++) {
      torc_sha256_update(&s, sorted[i]->body->sha256, 64);
      torc_sha256_update(&s, "\n", 1);
    }
    free(sorted);
  }
  torc_sha256_final(&s, d);
  torc_sha256_to_hex(d, out);
}
