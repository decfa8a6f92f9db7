/*
 * torc_vector.c - the vector loader: JSON file -> checked torc_vector.
 *
 * Flow: torc_vector_load_all (torc_vector_set.c) expands paths into *.json
 * files (sorted), and for each one torc_vector_load_cached here parses it
 * with jansson, applies every rule of vectors/schema/vector.schema.json
 * (same messages shape: "FILE: $.events[3].size: expected integer >= 0"),
 * applies the defaults (they live in torc_vector_parse_int.h and in the
 * schema's "default" keywords, nowhere else), resolves the capture through a
 * shared cache (each capture read once per set), builds the flow's byte
 * stream from the frames the vector lists, and checks the cross-field rules
 * the schema cannot express: the id matches the content (when asked:
 * TORC_VECTOR_VERIFY_IDS, as torc lint and torc run --verify-ids do; a
 * plain run trusts the ids and digests the file's bytes), frames exist and
 * belong to the flow, buffered data is a contiguous prefix of the stream
 * ending at rcv_nxt, expected deliveries are contiguous stream ranges,
 * request ids are known.  Malformed input is an error, never a crash.
 *
 * This file holds the root object (format, id, title, requirements, tags,
 * requires), the order of the sections and the rules that span them; each
 * section has its own file (see torc_vector_parse_int.h), and the canonical
 * form and id are in torc_vector_digest.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_sha256.h"
#include "torc_vector_parse_int.h"

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
static void body_free(torc_vector_body *b) {
  if (!b)
    return;
  torc_capture_unref(b->cap);
  free(b->runs);
  free(b->frags);
  free(b->list_first);
  free(b->list_count);
  free(b->events);
  free(b->derived);
  free(b->answers);
  torc_trace_free(&b->expected);
  for (size_t i = 0; i < b->nalt; i++)
    torc_trace_free(&b->alt[i]);
  free(b->alt);
  free(b->alt_allow);
  free(b);
}

void torc_vector_free(torc_vector *v) {
  size_t i;
  if (!v)
    return;
  free(v->path);
  free(v->id);
  free(v->title);
  free(v->focus);
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
  return torcint_vector_cap_bit(s) != 0;
}

static int parse_root(ld *L, json_t *root, torc_vector *v,
                      torc_capture_cache *cc, unsigned flags) {
  static const char *const keys[] = {
      "format", "id",       "title",      "focus",    "requirements",
      "tags",   "requires", "state",      "buffered", "host",
      "events", "expected", "provenance", NULL};
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
    torcint_vector_fail(L, "expected a JSON object");
    return -1;
  }
  if (torcint_vector_check_keys(L, root, keys) < 0 ||
      torcint_vector_get_int(L, root, "format", 1, 1, 1, 1, &fmt) < 0)
    goto out;
  id = torcint_vector_get_str(L, root, "id", 1, &bad);
  if (bad)
    goto out;
  title = torcint_vector_get_str(L, root, "title", 1, &bad);
  if (bad)
    goto out;
  if (strncmp(title, "Verify that ", 12) != 0 || strlen(title) > 200 ||
      strchr(title, '\n')) {
    torcint_vector_push_key(L, "title");
    torcint_vector_fail(L, "expected one line starting \"Verify that \"");
    goto out;
  }
  {
    const char *focus = torcint_vector_get_str(L, root, "focus", 0, &bad);
    if (bad)
      goto out;
    if (focus && (!*focus || strlen(focus) > 120 || strchr(focus, '\n'))) {
      torcint_vector_push_key(L, "focus");
      torcint_vector_fail(L, "expected one short line (at most 120 bytes)");
      goto out;
    }
    if (focus && !(v->focus = strdup(focus))) {
      torcint_vector_fail(L, "out of memory");
      goto out;
    }
  }
  if (torcint_vector_get_str_list(L, root, "requirements", is_rcv_id,
                                  "an id like RCV-035", &v->requirements,
                                  &v->nrequirements) < 0 ||
      torcint_vector_get_str_list(
          L, root, "tags", is_tag,
          "a tag of [a-z0-9-] starting with a letter or digit", &v->tags,
          &v->ntags) < 0 ||
      torcint_vector_get_str_list(
          L, root, "requires", is_cap_name,
          "a capability name (buffered_data, push_mode, ...)", &caps,
          &ncaps) < 0)
    goto out;
  if (ncaps == 0) {
    torcint_vector_push_key(L, "requires");
    torcint_vector_fail(L, "expected at least one capability");
    goto out;
  }
  if (v->nrequirements == 0) {
    torcint_vector_push_key(L, "requirements");
    torcint_vector_fail(L, "expected at least one requirement id");
    goto out;
  }
  for (i = 0; i < ncaps; i++)
    v->requires_caps |= torcint_vector_cap_bit(caps[i]);
  if (!(v->id = strdup(id)) || !(v->title = strdup(title))) {
    torcint_vector_fail(L, "out of memory");
    goto out;
  }
  if (torcint_vector_parse_provenance(L, root, b, cc, &fs) < 0 ||
      torcint_vector_parse_state(L, root, b) < 0 ||
      torcint_vector_parse_buffered(L, root, b) < 0 ||
      torcint_vector_parse_host(L, root, b) < 0 ||
      torcint_vector_parse_transform(L, root, b, &fs) < 0 ||
      torcint_vector_build_stream(L, b, &fs) < 0 ||
      torcint_vector_parse_events(L, root, b, &fs, &ids) < 0 ||
      torcint_vector_parse_expected(L, root, b, &ids) < 0)
    goto out;
  /* Buffered data ends just before rcv_nxt (RCV-006). */
  if ((uint32_t)(b->rcv_nxt - b->isn) != b->buffered_len) {
    snprintf(L->path, sizeof L->path, "$.state.rcv_nxt");
    torcint_vector_fail(
        L,
        "rcv_nxt - isn = %u but the buffered data holds %" PRIu64
        " bytes (buffered data ends just before rcv_nxt)",
        (uint32_t)(b->rcv_nxt - b->isn), b->buffered_len);
    goto out;
  }
  if (b->buffered_len > b->stream_len) {
    snprintf(L->path, sizeof L->path, "$.buffered");
    torcint_vector_fail(L,
                        "buffered data reaches stream offset %" PRIu64
                        " but the listed frames cover only [0, %" PRIu64 ")",
                        b->buffered_len, b->stream_len);
    goto out;
  }
  rc = 0;
  if (!(flags & TORC_VECTOR_VERIFY_IDS))
    goto out;
  /* The id is derived from the content. */
  rc = -1;
  snprintf(L->path, sizeof L->path, "$.id");
  copy = json_deep_copy(root);
  if (!copy || json_object_del(copy, "id") < 0 ||
      !(canon = torc_vector_canonical(copy))) {
    torcint_vector_fail(L, "out of memory");
    goto out;
  }
  torc_vector_compute_id(canon, want);
  if (strcmp(want, id) != 0) {
    torcint_vector_fail(
        L, "id \"%s\" does not match the content (expected \"%s\")", id, want);
    goto out;
  }
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

/* The file's bytes, NUL-terminated, in *buf (*len bytes); -1 with the
 * reason in errbuf.  A vector is small: more than 64 MiB is refused. */
static int read_file(const char *path, char **buf, size_t *len, char *errbuf,
                     size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  size_t got = 0;
  *buf = NULL;
  if (fd < 0 || fstat(fd, &st) < 0) {
    snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode) || st.st_size > (off_t)64 << 20) {
    snprintf(errbuf, errlen, "%s: %s", path,
             S_ISREG(st.st_mode) ? "larger than 64 MiB: not a vector"
                                 : "not a regular file");
    close(fd);
    return -1;
  }
  if (!(*buf = malloc((size_t)st.st_size + 1))) {
    snprintf(errbuf, errlen, "%s: out of memory", path);
    close(fd);
    return -1;
  }
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      snprintf(errbuf, errlen, "%s: %s", path,
               r < 0 ? strerror(errno) : "file shrank while read");
      close(fd);
      free(*buf);
      *buf = NULL;
      return -1;
    }
    got += (size_t)r;
  }
  close(fd);
  (*buf)[got] = '\0';
  *len = got;
  return 0;
}

int torc_vector_load_file(const char *path, torc_capture_cache *cc,
                          unsigned flags, torc_vector **out, char *errbuf,
                          size_t errlen) {
  ld L;
  json_error_t je;
  json_t *root;
  torc_vector *v;
  char *text;
  size_t len;
  int rc;
  *out = NULL;
  memset(&L, 0, sizeof L);
  L.file = path;
  L.err = errbuf;
  L.errlen = errlen;
  snprintf(L.path, sizeof L.path, "$");
  L.plen = 1;
  if (read_file(path, &text, &len, errbuf, errlen) < 0)
    return -1;
  root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    if (je.line > 0)
      snprintf(errbuf, errlen, "%s: line %d column %d: %s", path, je.line,
               je.column, je.text);
    else
      snprintf(errbuf, errlen, "%s: %s", path, je.text);
    free(text);
    return -1;
  }
  v = calloc(1, sizeof *v);
  if (!v || !(v->body = calloc(1, sizeof *v->body)) ||
      !(v->path = strdup(path))) {
    snprintf(errbuf, errlen, "%s: out of memory", path);
    json_decref(root);
    free(text);
    torc_vector_free(v);
    return -1;
  }
  /* The set digest is over the files' bytes (torc_vector_digest.c). */
  torc_sha256_hex(text, len, v->body->sha256);
  /* Plain ASCII text holds no character torc's text may not carry: the
   * walk over every string is needed only for the rest. */
  rc = torcint_vector_text_is_plain(text, len) ||
               torcint_vector_check_text(&L, root) == 0
           ? 0
           : -1;
  free(text);
  torc_trace_init(&v->body->expected);
  if (rc == 0)
    rc = parse_root(&L, root, v, cc, flags);
  json_decref(root);
  if (rc < 0) {
    torc_vector_free(v);
    return -1;
  }
  *out = v;
  return 0;
}

int torc_vector_load_cached(const char *path, torc_capture_cache *cc,
                            torc_vector **out, char *errbuf, size_t errlen) {
  return torc_vector_load_file(path, cc, TORC_VECTOR_VERIFY_IDS, out, errbuf,
                               errlen);
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
