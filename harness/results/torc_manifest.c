/*
 * torc_manifest.c - the manifest of a submission package: its text read
 * and written, and the files of a package directory listed.
 *
 * `torc package` (torc_package.c) hashes each member as it copies it and
 * writes MANIFEST last; `torc verify` (torc_package_verify.c) parses
 * MANIFEST here, lists what the directory holds (torc_dir_list) and
 * compares the two.  The format is in torc_manifest.h.  The parser trusts
 * nothing: every line is checked whole, and a problem names the line.
 */
#include "torc_manifest.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int seg_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+';
}

int torc_manifest_path_ok(const char *path) {
  size_t len = strlen(path), seg = 0, depth = 0;
  if (len == 0 || len > TORC_MANIFEST_MAX_PATH)
    return 0;
  if (strcmp(path, TORC_MANIFEST_FILE) == 0 ||
      strcmp(path, TORC_MANIFEST_SIG_FILE) == 0)
    return 0;
  for (size_t i = 0; i <= len; i++) {
    if (path[i] == '/' || path[i] == '\0') {
      if (seg == 0)
        return 0; /* empty component: leading, trailing or doubled "/" */
      if ((seg == 1 && path[i - 1] == '.') ||
          (seg == 2 && path[i - 1] == '.' && path[i - 2] == '.'))
        return 0;
      seg = 0;
      if (path[i] == '/' && ++depth > TORC_MANIFEST_MAX_DEPTH)
        return 0;
    } else if (!seg_char_ok(path[i])) {
      return 0;
    } else {
      seg++;
    }
  }
  return 1;
}

void torc_manifest_free(torc_manifest *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].path);
  free(m->v);
  m->v = NULL;
  m->n = 0;
}

int torc_manifest_add(torc_manifest *m, const char *path, const char sha256[65],
                      unsigned long long size) {
  torc_manifest_entry *v = realloc(m->v, (m->n + 1) * sizeof(*v));
  if (!v)
    return -1;
  m->v = v;
  v[m->n].path = strdup(path);
  if (!v[m->n].path)
    return -1;
  memcpy(v[m->n].sha256, sha256, 65);
  v[m->n].size = size;
  m->n++;
  return 0;
}

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const torc_manifest_entry *)a)->path,
                ((const torc_manifest_entry *)b)->path);
}

int torc_manifest_sort(torc_manifest *m) {
  if (m->n)
    qsort(m->v, m->n, sizeof(*m->v), entry_cmp);
  for (size_t i = 0; i < m->n; i++) {
    if (!torc_manifest_path_ok(m->v[i].path))
      return -1;
    if (i && strcmp(m->v[i - 1].path, m->v[i].path) == 0)
      return -1;
  }
  return 0;
}

const torc_manifest_entry *torc_manifest_find(const torc_manifest *m,
                                              const char *path) {
  torc_manifest_entry key = {.path = (char *)(uintptr_t)path};
  if (!m->n)
    return NULL;
  return bsearch(&key, m->v, m->n, sizeof(*m->v), entry_cmp);
}

char *torc_manifest_format(const torc_manifest *m) {
  size_t cap = sizeof(TORC_MANIFEST_HEADER) + 1, len;
  for (size_t i = 0; i < m->n; i++)
    cap += strlen(m->v[i].path) + 100;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  len = (size_t)snprintf(s, cap, "%s\n", TORC_MANIFEST_HEADER);
  for (size_t i = 0; i < m->n; i++)
    len += (size_t)snprintf(s + len, cap - len, "sha256 %s %llu %s\n",
                            m->v[i].sha256, m->v[i].size, m->v[i].path);
  return s;
}

/* One entry line (without its "\n"), into m.  Returns NULL or a problem. */
static const char *parse_line(const char *p, size_t n, torc_manifest *m) {
  char hex[65], path[TORC_MANIFEST_MAX_PATH + 1];
  unsigned long long size = 0;
  size_t i = 0;
  if (n < 7 || memcmp(p, "sha256 ", 7) != 0)
    return "expected \"sha256 HEX SIZE PATH\"";
  i = 7;
  for (size_t k = 0; k < 64; k++, i++) {
    if (i >= n ||
        !((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
      return "the digest is not 64 lowercase hex digits";
    hex[k] = p[i];
  }
  hex[64] = '\0';
  if (i >= n || p[i++] != ' ')
    return "the digest is not 64 lowercase hex digits";
  size_t d0 = i;
  while (i < n && p[i] >= '0' && p[i] <= '9') {
    if (size > (~0ULL - 9) / 10)
      return "the size is too large";
    size = size * 10 + (unsigned)(p[i++] - '0');
  }
  if (i == d0 || (i - d0 > 1 && p[d0] == '0'))
    return "the size is not a decimal number";
  if (i >= n || p[i++] != ' ')
    return "expected one space after the size";
  if (n - i > TORC_MANIFEST_MAX_PATH)
    return "the path is too long";
  memcpy(path, p + i, n - i);
  path[n - i] = '\0';
  if (!torc_manifest_path_ok(path))
    return "the path is not a valid member path (relative, no \".\" or "
           "\"..\", [A-Za-z0-9._+-] names)";
  if (m->n && strcmp(m->v[m->n - 1].path, path) >= 0)
    return "the paths are not in strictly increasing order (or one is "
           "listed twice)";
  if (torc_manifest_add(m, path, hex, size) != 0)
    return "out of memory";
  return NULL;
}

int torc_manifest_parse(const char *name, const char *text, size_t len,
                        torc_manifest *m, char *errbuf, size_t errlen) {
  size_t pos = 0, line = 0;
  m->v = NULL;
  m->n = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    const char *bad = NULL;
    line++;
    if (!nl) {
      bad = "the last line does not end with a newline";
    } else {
      size_t n = (size_t)(nl - (text + pos));
      if (memchr(text + pos, '\0', n))
        bad = "a NUL byte";
      else if (line == 1)
        bad = n == strlen(TORC_MANIFEST_HEADER) &&
                      memcmp(text, TORC_MANIFEST_HEADER, n) == 0
                  ? NULL
                  : "not a torc package manifest (expected "
                    "\"" TORC_MANIFEST_HEADER "\")";
      else
        bad = parse_line(text + pos, n, m);
    }
    if (bad) {
      snprintf(errbuf, errlen, "%s:%zu: %s", name, line, bad);
      torc_manifest_free(m);
      return -1;
    }
    pos = (size_t)(nl - text) + 1;
  }
  if (line == 0) {
    snprintf(errbuf, errlen, "%s:1: empty (expected \"%s\")", name,
             TORC_MANIFEST_HEADER);
    return -1;
  }
  return 0;
}

char *torc_file_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  struct stat st;
  char *buf;
  if (!f)
    return NULL;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    errno = EINVAL;
    return NULL;
  }
  size_t cap = (size_t)st.st_size + 1, n = 0;
  buf = malloc(cap);
  while (buf) {
    size_t k = fread(buf + n, 1, cap - n - 1, f);
    n += k;
    if (n < cap - 1) {
      if (ferror(f)) {
        free(buf);
        buf = NULL;
      }
      break;
    }
    char *b = realloc(buf, cap * 2); /* it grew while we read */
    if (!b) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = b;
    cap *= 2;
  }
  int e = errno;
  fclose(f);
  if (!buf) {
    errno = e ? e : ENOMEM;
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

typedef struct dir_walk {
  char **v;
  size_t n;
  char *err;
  size_t errlen;
  const char *root;
} dir_walk;

static int walk_add(dir_walk *w, const char *rel) {
  char **v = realloc(w->v, (w->n + 1) * sizeof(*v));
  if (!v)
    return -1;
  w->v = v;
  if (!(v[w->n] = strdup(rel)))
    return -1;
  w->n++;
  return 0;
}

static int walk_problem(dir_walk *w, const char *rel, const char *what) {
  snprintf(w->err, w->errlen, "%s/%s: %s", w->root, rel, what);
  return -1;
}

/* Lists the folder rel ("" for the top) of w->root. */
static int walk_dir(dir_walk *w, const char *rel, int depth) {
  char full[4096 + TORC_MANIFEST_MAX_PATH + 2];
  snprintf(full, sizeof(full), "%s%s%s", w->root, rel[0] ? "/" : "", rel);
  DIR *d = opendir(full);
  struct dirent *e;
  int rc = 0;
  if (!d) {
    snprintf(w->err, w->errlen, "%s: cannot read: %s", full, strerror(errno));
    return -1;
  }
  while (rc == 0 && (e = readdir(d)) != NULL) {
    char sub[TORC_MANIFEST_MAX_PATH * 2 + 2], path[sizeof(full) + 256];
    struct stat st;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (!rel[0] && (strcmp(e->d_name, TORC_MANIFEST_FILE) == 0 ||
                    strcmp(e->d_name, TORC_MANIFEST_SIG_FILE) == 0))
      continue;
    snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
    snprintf(path, sizeof(path), "%s/%s", full, e->d_name);
    if (!torc_manifest_path_ok(sub)) {
      rc = walk_problem(w, sub, "not a valid member name");
    } else if (lstat(path, &st) != 0) {
      rc = walk_problem(w, sub, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      rc = depth >= TORC_MANIFEST_MAX_DEPTH
               ? walk_problem(w, sub, "folders nested too deep")
               : walk_dir(w, sub, depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      if (walk_add(w, sub) != 0)
        rc = walk_problem(w, sub, "out of memory");
    } else {
      rc = walk_problem(w, sub,
                        S_ISLNK(st.st_mode)
                            ? "a symbolic link (members are regular files)"
                            : "not a regular file");
    }
  }
  closedir(d);
  return rc;
}

static int str_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int torc_dir_list(const char *root, char ***out, size_t *n, char *errbuf,
                  size_t errlen) {
  dir_walk w = {NULL, 0, errbuf, errlen, root};
  if (walk_dir(&w, "", 0) != 0) {
    torc_dir_list_free(w.v, w.n);
    return -1;
  }
  if (w.n)
    qsort(w.v, w.n, sizeof(*w.v), str_cmp);
  *out = w.v;
  *n = w.n;
  return 0;
}

void torc_dir_list_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}
