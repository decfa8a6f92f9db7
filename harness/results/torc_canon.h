/*
 * torc_canon.h - interface for a module to write a JSON value in canonical
 * form and digest it.
 *
 * The canonical form is what Python writes with
 *   json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
 * (keys sorted by code point, no whitespace, non-ASCII as \uXXXX with
 * surrogate pairs, reals in Python's shortest repr such as 2.5, 1e-05,
 * 3.0).  Reports print the SHA-256 of the canonical results document so a
 * reader (or a three-line Python check) can tell that a report belongs to a
 * results file.  Pure computation, no I/O.
 */
#ifndef TORC_CANON_H
#define TORC_CANON_H

#include <jansson.h>

/* The canonical text of j (malloc'd, ownership transfers to the caller), or
 * NULL when out of memory or when j holds a non-finite real. */
char *torc_canon_dump(const json_t *j);

/* SHA-256 (64 lowercase hex digits and a NUL) of torc_canon_dump(j).
 * Returns 0, or -1 (out of memory; out is "") . */
int torc_canon_digest(const json_t *j, char out[65]);

#endif /* TORC_CANON_H */
