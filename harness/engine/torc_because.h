/*
 * torc_because.h - interface for a module to name why an event happened.
 *
 * A "because" is the ordered list of notes behind one host call: the
 * flowchart boxes passed and decisions taken, as
 * shared/spec/delivery-algorithm.md numbers them ("E2", "D4=yes", "J5",
 * "P1", "A", "B"), and the rules applied ("RCV-167", "DEC-18").  The
 * reference hands them out (torc_reference_explain()); vectors carry them
 * on each expected event; the judge reads the rules of the event where a
 * target diverges.  Each note is stored as a small code, so traces hold no
 * strings.
 */
#ifndef TORC_BECAUSE_H
#define TORC_BECAUSE_H

#include <stddef.h>
#include <stdint.h>

/* Codes: 1-3 E1-E3, 4 P1, 5 A, 6 B, 10+k Jk (k 1..8), 100+2d / 101+2d
 * Dd=no / Dd=yes (d 1..20), 200+w Ww (w 1..30: the wire input path's
 * branches, reference/torc_input.c), 1000+n RCV-n, 2000+n DEC-n
 * (n 1..999).  A wire note, like a rule, appears once per because. */
typedef uint16_t torc_because;

/* The code of a note ("D4=yes", "RCV-071"), or 0 when it is not one. */
torc_because torc_because_parse(const char *name);
/* Its name into buf ("RCV-071"); "" for a code that is not one. */
void torc_because_name(torc_because code, char *buf, size_t n);
/* The requirement number of a rule code (RCV-n: n), else 0. */
unsigned torc_because_rcv(torc_because code);
/* 1 for a flowchart box or decision (not a rule, not a wire note). */
int torc_because_is_box(torc_because code);

#endif /* TORC_BECAUSE_H */
