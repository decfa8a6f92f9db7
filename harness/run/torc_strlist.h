/*
 * torc_strlist.h - a growable list of borrowed strings.
 *
 * Filled by the commands while they parse their options (argv entries:
 * vector paths, id globs, tags) and read by the selection (torc_select.c).
 */
#ifndef TORC_STRLIST_H
#define TORC_STRLIST_H

#include <stddef.h>

typedef struct torc_strlist {
  const char **v;
  size_t n, cap;
} torc_strlist;

/* Appends s (borrowed); out of memory ends the process with exit 2. */
void torc_strlist_add(torc_strlist *l, const char *s);
void torc_strlist_free(torc_strlist *l);

#endif /* TORC_STRLIST_H */
