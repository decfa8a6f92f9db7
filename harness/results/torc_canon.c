/*
 * torc_canon.c - canonical JSON text (Python-compatible) and its digest.
 *
 * Used by `torc report` (harness/cli/torc_cli_report.c) to print the digest
 * of the results document it rendered; reports/tests recompute the same
 * digest with Python's json module.  jansson's own JSON_SORT_KEYS dump is
 * not used because it prints reals with 17 significant digits where Python
 * prints the shortest text that reads back as the same double.
 */
#include "torc_canon.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_sha256.h"

typedef struct cbuf {
  char *s;
  size_t n, cap;
  int oom;
} cbuf;

static void put(cbuf *b, const char *s, size_t n) {
  if (b->oom)
    return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *t;
    while (cap < b->n + n + 1)
      cap *= 2;
    t = realloc(b->s, cap);
    if (!t) {
      b->oom = 1;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static void puts_(cbuf *b, const char *s) {
  put(b, s, strlen(s));
}

/* Decodes one UTF-8 sequence (jansson strings are valid UTF-8). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned long *cp) {
  size_t len, i;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if ((s[0] & 0xE0) == 0xC0) {
    len = 2;
    *cp = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    len = 3;
    *cp = s[0] & 0x0F;
  } else {
    len = 4;
    *cp = s[0] & 0x07;
  }
  if (len > n)
    len = n;
  for (i = 1; i < len; i++)
    *cp = (*cp << 6) | (s[i] & 0x3F);
  return len;
}

static void put_string(cbuf *b, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  char esc[32];
  put(b, "\"", 1);
  while (i < n) {
    unsigned long cp;
    size_t k = utf8_next(p + i, n - i, &cp);
    i += k;
    switch (cp) {
    case '"':
      puts_(b, "\\\"");
      break;
    case '\\':
      puts_(b, "\\\\");
      break;
    case '\n':
      puts_(b, "\\n");
      break;
    case '\r':
      puts_(b, "\\r");
      break;
    case '\t':
      puts_(b, "\\t");
      break;
    case '\b':
      puts_(b, "\\b");
      break;
    case '\f':
      puts_(b, "\\f");
      break;
    default:
      if (cp < 0x20 || cp > 0x7E) {
        if (cp >= 0x10000) {
          unsigned long v = cp - 0x10000;
          snprintf(esc, sizeof esc, "\\u%04lx\\u%04lx", 0xD800 + (v >> 10),
                   0xDC00 + (v & 0x3FF));
        } else {
          snprintf(esc, sizeof esc, "\\u%04lx", cp);
        }
        puts_(b, esc);
      } else {
        char c = (char)cp;
        put(b, &c, 1);
      }
    }
  }
  put(b, "\"", 1);
}

/* Python's repr of a finite double: the shortest digits that read back
 * exactly, fixed notation when the decimal exponent is in [-5, 16), else
 * d.ddde+XX. */
static int put_real(cbuf *b, double d) {
  char tmp[64], digits[32], out[64];
  int prec, exp10, nd = 0, decpt, neg = 0;
  char *p;
  if (!isfinite(d))
    return -1;
  if (d == 0) {
    puts_(b, signbit(d) ? "-0.0" : "0.0");
    return 0;
  }
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  p = tmp;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9')
      digits[nd++] = *p;
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  digits[nd] = '\0';
  exp10 = atoi(p + 1);
  decpt = exp10 + 1;
  p = out;
  if (neg)
    *p++ = '-';
  if (decpt <= -4 || decpt > 16) {
    *p++ = digits[0];
    if (nd > 1) {
      *p++ = '.';
      memcpy(p, digits + 1, (size_t)nd - 1);
      p += nd - 1;
    }
    snprintf(p, sizeof out - (size_t)(p - out), "e%c%02d",
             exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  } else if (decpt <= 0) {
    *p++ = '0';
    *p++ = '.';
    memset(p, '0', (size_t)-decpt);
    p += -decpt;
    memcpy(p, digits, (size_t)nd + 1);
  } else if (decpt >= nd) {
    memcpy(p, digits, (size_t)nd);
    p += nd;
    memset(p, '0', (size_t)(decpt - nd));
    p += decpt - nd;
    memcpy(p, ".0", 3);
  } else {
    memcpy(p, digits, (size_t)decpt);
    p += decpt;
    *p++ = '.';
    memcpy(p, digits + decpt, (size_t)(nd - decpt) + 1);
  }
  puts_(b, out);
  return 0;
}

static int cmp_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dump(cbuf *b, const json_t *j) {
  char tmp[32];
  size_t i, n;
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    const char **keys;
    const char *k;
    json_t *v;
    n = json_object_size(j);
    keys = calloc(n + 1, sizeof *keys);
    if (!keys) {
      b->oom = 1;
      return -1;
    }
    i = 0;
    json_object_foreach((json_t *)(uintptr_t)j, k, v) keys[i++] = k;
    /* UTF-8 byte order equals code point order (Python sorts by code
     * point). */
    qsort(keys, n, sizeof *keys, cmp_key);
    put(b, "{", 1);
    for (i = 0; i < n; i++) {
      if (i)
        put(b, ",", 1);
      put_string(b, keys[i], strlen(keys[i]));
      put(b, ":", 1);
      if (dump(b, json_object_get(j, keys[i])) < 0) {
        free(keys);
        return -1;
      }
    }
    put(b, "}", 1);
    free(keys);
    return 0;
  }
  case JSON_ARRAY:
    put(b, "[", 1);
    for (i = 0; i < json_array_size(j); i++) {
      if (i)
        put(b, ",", 1);
      if (dump(b, json_array_get(j, i)) < 0)
        return -1;
    }
    put(b, "]", 1);
    return 0;
  case JSON_STRING:
    put_string(b, json_string_value(j), json_string_length(j));
    return 0;
  case JSON_INTEGER:
    snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    puts_(b, tmp);
    return 0;
  case JSON_REAL:
    return put_real(b, json_real_value(j));
  case JSON_TRUE:
    puts_(b, "true");
    return 0;
  case JSON_FALSE:
    puts_(b, "false");
    return 0;
  default:
    puts_(b, "null");
    return 0;
  }
}

char *torc_canon_dump(const json_t *j) {
  cbuf b = {NULL, 0, 0, 0};
  put(&b, "", 0);
  if (dump(&b, j) < 0 || b.oom) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

int torc_canon_digest(const json_t *j, char out[65]) {
  char *s = torc_canon_dump(j);
  out[0] = '\0';
  if (!s)
    return -1;
  torc_sha256_hex(s, strlen(s), out);
  free(s);
  return 0;
}
