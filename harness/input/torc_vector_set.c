/*
 * torc_vector_set.c - loading a set of vectors from files and folders.
 *
 * torc_vector_load_all expands folders recursively into their *.json files
 * (sorted by path; the schema folder skipped), loads each one through
 * torc_vector.c with one capture cache for the whole set (each capture read
 * once), and refuses two files with the same content (the ids in a hash
 * table: a set of 100,000 vectors costs no more per vector than one of
 * 1,000).  With threads > 1 (torc run --jobs N) the files are parsed by N
 * threads, each a contiguous slice, and then checked in path order as one
 * thread would: the same vectors, the same first error.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "torc_vector_int.h"

typedef struct pathlist {
  char **p;
  size_t n, cap;
} pathlist;

/* Ids seen so far: open addressing over indexes into the loaded vectors,
 * FNV-1a of the id, at most half full. */
typedef struct idset {
  size_t *slot; /* index + 1; 0 empty */
  size_t cap;
} idset;

static size_t id_hash(const char *id) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *id; id++)
    h = (h ^ (unsigned char)*id) * 0x100000001b3ull;
  return (size_t)h;
}

/* The index of the first vector of vs with v's id, or v's own index nv
 * once recorded; (size_t)-1 when out of memory.  cap >= 2 * (nv + 1). */
static size_t id_first(idset *s, torc_vector **vs, size_t nv) {
  size_t j = id_hash(vs[nv]->id) & (s->cap - 1);
  for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
    if (strcmp(vs[s->slot[j] - 1]->id, vs[nv]->id) == 0)
      return s->slot[j] - 1;
  s->slot[j] = nv + 1;
  return nv;
}

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
    /* The folder's entry says what it is, but for a link (followed, as
     * stat does) or a file system that does not say. */
    if (de->d_type == DT_DIR)
      st.st_mode = S_IFDIR;
    else if (de->d_type == DT_REG)
      st.st_mode = S_IFREG;
    else if (stat(p, &st) < 0)
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
  return torc_vector_load_set(paths, npaths, TORC_VECTOR_VERIFY_IDS, 1, out, n,
                              errbuf, errlen);
}

/* One thread's slice of the files: [from, to) of pl, into vs[from..to).
 * It stops at its first error, keeping the message and the file's index. */
typedef struct slice {
  const pathlist *pl;
  torc_vector **vs;
  torc_capture_cache *cc;
  unsigned flags;
  size_t from, to;
  size_t failed; /* index of the file that failed, or to */
  char err[1024];
} slice;

static void *load_slice(void *arg) {
  slice *s = arg;
  size_t i;
  s->failed = s->to;
  for (i = s->from; i < s->to; i++)
    if (torc_vector_load_file(s->pl->p[i], s->cc, s->flags, &s->vs[i], s->err,
                              sizeof s->err) < 0) {
      s->failed = i;
      break;
    }
  return NULL;
}

#define MAX_LOAD_THREADS 16

/* Parses every file of pl into vs[i], with up to threads threads.  Returns
 * the number of files loaded in order before the first that failed (pl->n
 * when none did), that failure's message in errbuf. */
static size_t load_files(const pathlist *pl, torc_vector **vs,
                         torc_capture_cache *cc, unsigned flags,
                         unsigned threads, char *errbuf, size_t errlen) {
  slice sl[MAX_LOAD_THREADS];
  pthread_t tid[MAX_LOAD_THREADS];
  int started[MAX_LOAD_THREADS] = {0};
  size_t k, nt = threads < 1 ? 1 : threads;
  size_t good = pl->n;
  if (nt > MAX_LOAD_THREADS)
    nt = MAX_LOAD_THREADS;
  if (nt > pl->n / 64 + 1)
    nt = pl->n / 64 + 1; /* a thread costs more than 64 files */
  json_object_seed(0);   /* jansson: before any thread parses */
  for (k = 0; k < nt; k++) {
    sl[k].pl = pl;
    sl[k].vs = vs;
    sl[k].cc = cc;
    sl[k].flags = flags;
    sl[k].from = pl->n * k / nt;
    sl[k].to = pl->n * (k + 1) / nt;
    sl[k].err[0] = '\0';
    if (k > 0)
      started[k] = pthread_create(&tid[k], NULL, load_slice, &sl[k]) == 0;
  }
  load_slice(&sl[0]);
  for (k = 1; k < nt; k++) {
    if (started[k])
      pthread_join(tid[k], NULL);
    else
      load_slice(&sl[k]); /* no thread to be had: this one does it */
  }
  for (k = 0; k < nt; k++)
    if (sl[k].failed < sl[k].to) {
      good = sl[k].failed;
      snprintf(errbuf, errlen, "%s", sl[k].err);
      break;
    }
  return good;
}

int torc_vector_load_set(const char *const *paths, size_t npaths,
                         unsigned flags, unsigned threads, torc_vector ***out,
                         size_t *n, char *errbuf, size_t errlen) {
  pathlist pl = {NULL, 0, 0};
  torc_capture_cache *cc = NULL;
  torc_vector **vs = NULL;
  idset ids = {NULL, 0};
  size_t i, nv = 0, loaded = 0;
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
  for (ids.cap = 16; ids.cap < 2 * (pl.n + 1); ids.cap *= 2)
    ;
  ids.slot = calloc(ids.cap, sizeof *ids.slot);
  if (!cc || !vs || !ids.slot) {
    snprintf(errbuf, errlen, "out of memory");
    goto out;
  }
  loaded = load_files(&pl, vs, cc, flags, threads, errbuf, errlen);
  for (i = 0; i < pl.n; i++) {
    size_t k;
    if (i == loaded)
      goto out; /* errbuf says why */
    /* The first file with this id is the one to compare with: any later
     * one of another path was refused when it came. */
    k = id_first(&ids, vs, nv);
    if (k != nv && strcmp(vs[k]->path, vs[nv]->path) != 0) {
      snprintf(errbuf, errlen,
               "%s: $.id: same id (%s) as %s: ids are content hashes, so "
               "one vector is there twice (or one was edited: torc lint)",
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
  if (vs) /* every slot a thread filled, past the first error too */
    torc_vector_free_all(vs, pl.n);
  for (i = 0; i < pl.n; i++)
    free(pl.p[i]);
  free(pl.p);
  torc_capture_cache_free(cc);
  free(ids.slot);
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

static torc_vector **left_vs;
static size_t left_n;

void torc_vector_free_at_exit(torc_vector **vs, size_t n) {
  torc_vector_free_all(left_vs, left_n);
  left_vs = vs;
  left_n = n;
}
