/*
 * torc_strlist.c - a growable list of borrowed strings (torc_strlist.h).
 *
 * Used while options are parsed, before any vector is loaded; the strings
 * stay owned by argv.
 */
#include "torc_strlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_exit.h"

void torc_strlist_add(torc_strlist *l, const char *s) {
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 8;
    const char **nv = realloc(l->v, ncap * sizeof *nv);
    if (!nv) {
      fprintf(stderr, "torc: out of memory\n");
      exit(TORC_EXIT_USAGE);
    }
    l->v = nv;
    l->cap = ncap;
  }
  l->v[l->n++] = s;
}

void torc_strlist_free(torc_strlist *l) {
  free(l->v);
  memset(l, 0, sizeof *l);
}
