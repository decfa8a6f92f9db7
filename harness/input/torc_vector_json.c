/*
 * torc_vector_json.c - the vector loader's JSON reading: the loader context
 * (file name, current JSON path, first error) and the typed getters.
 *
 * Every section parser (torc_vector_provenance.c, torc_vector_state.c,
 * torc_vector_events.c, torc_vector_expected.c) reads members through these
 * getters, which check the JSON type and range the schema gives and, on a
 * mismatch, write "FILE: $.json.path: problem" into the loader's error
 * buffer.  The path is pushed and popped as the parsers descend, so the
 * message names the member that failed.  Before any section is parsed,
 * torcint_vector_check_text walks the whole document and refuses a string
 * with a character XML reports cannot carry or a Unicode non-character.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_text.h"
#include "torc_vector_parse_int.h"

/* Writes "FILE: $.path: " and the message into the loader's error buffer. */
void torcint_vector_fail(ld *L, const char *fmt, ...) {
  va_list ap;
  int k = snprintf(L->err, L->errlen, "%s: %s: ", L->file, L->path);
  if (k < 0 || (size_t)k >= L->errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(L->err + k, L->errlen - (size_t)k, fmt, ap);
  va_end(ap);
}

/* Appends n bytes of s to the JSON path, cut (as snprintf would) at its
 * end.  The path grows for every member and element the loader visits, so
 * this is on the hot path of loading: no printf. */
static void path_append(ld *L, const char *s, size_t n) {
  size_t room = sizeof L->path - 1 - L->plen;
  if (n > room)
    n = room;
  memcpy(L->path + L->plen, s, n);
  L->plen += n;
  L->path[L->plen] = '\0';
}

/* Appends ".key" to the JSON path; returns the old length for pop. */
size_t torcint_vector_push_key(ld *L, const char *key) {
  size_t old = L->plen;
  path_append(L, ".", 1);
  path_append(L, key, strlen(key));
  return old;
}
/* Appends "[i]" to the JSON path; returns the old length for pop. */
size_t torcint_vector_push_idx(ld *L, size_t i) {
  size_t old = L->plen;
  char d[24];
  size_t n = sizeof d;
  d[--n] = ']';
  do
    d[--n] = (char)('0' + i % 10);
  while ((i /= 10) != 0);
  d[--n] = '[';
  path_append(L, d + n, sizeof d - n);
  return old;
}
/* Cuts the JSON path back to the length push_key/push_idx returned. */
void torcint_vector_pop(ld *L, size_t old) {
  L->plen = old;
  L->path[old] = '\0';
}

/* Every key of obj must be in allowed (NULL-terminated). */
int torcint_vector_check_keys(ld *L, json_t *obj, const char *const *allowed) {
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
      torcint_vector_fail(L, "unknown member \"%s\"", key);
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
      torcint_vector_fail(L, "missing required member \"%s\"", key);
    return NULL;
  }
  if (json_typeof(v) != type) {
    size_t o = torcint_vector_push_key(L, key);
    torcint_vector_fail(L, "expected %s", what);
    torcint_vector_pop(L, o);
    return NULL;
  }
  return v;
}

json_t *torcint_vector_want_object(ld *L, json_t *parent, const char *key,
                                   int required) {
  return want_member(L, parent, key, required, JSON_OBJECT, "object");
}

json_t *torcint_vector_want_array(ld *L, json_t *parent, const char *key,
                                  int required) {
  return want_member(L, parent, key, required, JSON_ARRAY, "array");
}

/* Integer member in [min, max]; absent -> dflt unless required.
 * Returns 0, 1 when absent (and *out = dflt), -1 on error. */
int torcint_vector_get_int(ld *L, json_t *obj, const char *key, int required,
                           uint64_t min, uint64_t max, uint64_t dflt,
                           uint64_t *out) {
  json_t *v = json_object_get(obj, key);
  json_int_t x;
  size_t o;
  if (!v) {
    if (required) {
      torcint_vector_fail(L, "missing required member \"%s\"", key);
      return -1;
    }
    *out = dflt;
    return 1;
  }
  o = torcint_vector_push_key(L, key);
  if (!json_is_integer(v)) {
    torcint_vector_fail(L, "expected integer >= %" PRIu64, min);
    torcint_vector_pop(L, o);
    return -1;
  }
  x = json_integer_value(v);
  if (x < 0 || (uint64_t)x < min || (uint64_t)x > max) {
    torcint_vector_fail(L,
                        "expected integer in [%" PRIu64 ", %" PRIu64
                        "], got %" JSON_INTEGER_FORMAT,
                        min, max, x);
    torcint_vector_pop(L, o);
    return -1;
  }
  torcint_vector_pop(L, o);
  *out = (uint64_t)x;
  return 0;
}

int torcint_vector_get_u32(ld *L, json_t *obj, const char *key, int required,
                           uint32_t min, uint32_t max, uint32_t dflt,
                           uint32_t *out) {
  uint64_t v;
  int rc = torcint_vector_get_int(L, obj, key, required, min, max, dflt, &v);
  if (rc >= 0)
    *out = (uint32_t)v;
  return rc;
}

int torcint_vector_get_bool(ld *L, json_t *obj, const char *key, int dflt,
                            int *out) {
  json_t *v = json_object_get(obj, key);
  if (!v) {
    *out = dflt;
    return 1;
  }
  if (!json_is_boolean(v)) {
    size_t o = torcint_vector_push_key(L, key);
    torcint_vector_fail(L, "expected true or false");
    torcint_vector_pop(L, o);
    return -1;
  }
  *out = json_is_true(v);
  return 0;
}

/* String member; NULL (and an error if required) when absent or wrong. */
const char *torcint_vector_get_str(ld *L, json_t *obj, const char *key,
                                   int required, int *bad) {
  json_t *v = json_object_get(obj, key);
  *bad = 0;
  if (!v) {
    if (required) {
      torcint_vector_fail(L, "missing required member \"%s\"", key);
      *bad = 1;
    }
    return NULL;
  }
  if (!json_is_string(v) || json_string_length(v) == 0) {
    size_t o = torcint_vector_push_key(L, key);
    torcint_vector_fail(L, "expected non-empty string");
    torcint_vector_pop(L, o);
    *bad = 1;
    return NULL;
  }
  return json_string_value(v);
}

/* Array of unique strings each passing ok(); copies them into *out. */
int torcint_vector_get_str_list(ld *L, json_t *root, const char *key,
                                int (*ok)(const char *), const char *what,
                                char ***out, size_t *n) {
  json_t *a = torcint_vector_want_array(L, root, key, 1), *v;
  size_t i, j, o;
  int sorted = 1;
  if (!a)
    return -1;
  *n = json_array_size(a);
  *out = calloc(*n ? *n : 1, sizeof(char *));
  if (!*out) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  o = torcint_vector_push_key(L, key);
  json_array_foreach(a, i, v) {
    size_t o2 = torcint_vector_push_idx(L, i);
    if (!json_is_string(v) || !ok(json_string_value(v))) {
      torcint_vector_fail(L, "expected %s", what);
      return -1;
    }
    /* While the list is in strictly increasing order (requirement lists
     * are), a string after the one before it is none of them. */
    if (i > 0 && sorted && strcmp((*out)[i - 1], json_string_value(v)) < 0)
      j = i;
    else
      j = 0, sorted = i == 0;
    for (; j < i; j++)
      if (strcmp((*out)[j], json_string_value(v)) == 0) {
        torcint_vector_fail(L, "duplicate \"%s\"", json_string_value(v));
        return -1;
      }
    if (!((*out)[i] = strdup(json_string_value(v)))) {
      torcint_vector_fail(L, "out of memory");
      return -1;
    }
    torcint_vector_pop(L, o2);
  }
  torcint_vector_pop(L, o);
  return 0;
}

/* 0, or -1 naming the first character of s that torc's text may not
 * carry, at the loader's current path (what: "" for a value, "member name:
 * " for a name). */
static int check_string(ld *L, const char *s, size_t n, const char *what) {
  size_t i = 0, nth = 0;
  while (i < n) {
    uint32_t cp = 0;
    size_t l = torc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    nth++;
    if (l == 0) { /* jansson hands out UTF-8 only; kept for safety */
      torcint_vector_fail(L, "%sbyte %zu is not UTF-8", what, i);
      return -1;
    }
    if (!torc_text_char_ok(cp)) {
      if (cp < 0x20)
        torcint_vector_fail(L,
                            "%scontrol character U+%04X at character %zu: "
                            "not allowed (XML cannot carry it)",
                            what, (unsigned)cp, nth);
      else
        torcint_vector_fail(L,
                            "%sU+%04X at character %zu is a Unicode "
                            "non-character: not allowed (XML reports could "
                            "not carry it)",
                            what, (unsigned)cp, nth);
      return -1;
    }
    i += l;
  }
  return 0;
}

int torcint_vector_text_is_plain(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c > 0x7e)
      return 0;
    if (c == '\\' && i + 1 < n &&
        (s[i + 1] == 'u' || s[i + 1] == 'b' || s[i + 1] == 'f'))
      return 0;
  }
  return 1;
}

int torcint_vector_check_text(ld *L, json_t *j) {
  size_t i, o;
  const char *key;
  json_t *v;
  if (json_is_string(j))
    return check_string(L, json_string_value(j), json_string_length(j), "");
  if (json_is_array(j)) {
    json_array_foreach(j, i, v) {
      o = torcint_vector_push_idx(L, i);
      if (torcint_vector_check_text(L, v) < 0)
        return -1;
      torcint_vector_pop(L, o);
    }
  } else if (json_is_object(j)) {
    json_object_foreach(j, key, v) {
      /* A bad name is reported at its object, the name kept out of the
       * path. */
      if (check_string(L, key, strlen(key), "member name: ") < 0)
        return -1;
      o = torcint_vector_push_key(L, key);
      if (torcint_vector_check_text(L, v) < 0)
        return -1;
      torcint_vector_pop(L, o);
    }
  }
  return 0;
}
