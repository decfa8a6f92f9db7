/*
 * torc_shquote.h - interface for a module to quote words for POSIX sh.
 *
 * The commands torc prints for people to paste (the replay command of a
 * results record, harness/run/torc_run_record.c; the README and replay.sh
 * of a bundle, torc_bundle.c) name paths and target specs that come from
 * outside: a word with anything but [A-Za-z0-9@%+=:,./_-] in it is put in
 * single quotes, each ' written as '\'' (Python's shlex.quote), so that sh
 * reads it back as the same single word and expands nothing in it.  Pure
 * computation, no I/O.
 */
#ifndef TORC_SHQUOTE_H
#define TORC_SHQUOTE_H

#include <stddef.h>

/* s as one sh word (malloc'd, ownership transfers to the caller), or NULL
 * when out of memory. */
char *torc_sh_quote(const char *s);

/* The n words of argv quoted and joined by spaces (malloc'd, ownership
 * transfers to the caller), or NULL when out of memory. */
char *torc_sh_command(const char *const *argv, size_t n);

#endif /* TORC_SHQUOTE_H */
