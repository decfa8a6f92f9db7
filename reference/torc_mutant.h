/*
 * torc_mutant.h - interface for a module to mark a deliberate fault that
 * exists only in one mutant build of the reference (conformance/mutants/).
 *
 * A mutant is the reference with one fault, built to prove that the vectors
 * catch it (conformance/mutants/README.md).  Most mutants wrap the built
 * reference through the public interface; the few faults that can only live
 * inside the reference's logic are guarded by
 *
 *   #if TORC_MUTANT_ON(NAME)
 *     ...the fault...
 *   #else
 *     ...the reference...
 *   #endif
 *
 * and conformance/mutants/module.mk compiles the reference sources a second
 * time for that mutant with -DTORC_MUTANT_NAME=1.  In every normal build each
 * TORC_MUTANT_NAME is 0 here, so the preprocessor keeps only the reference's
 * branch: the normal build compiles exactly the reference code.
 *
 * Every name used with TORC_MUTANT_ON must be listed below (-Wundef).
 */
#ifndef TORC_MUTANT_H
#define TORC_MUTANT_H

#ifndef TORC_MUTANT_INDICATES_BUFFERED_EARLY
#define TORC_MUTANT_INDICATES_BUFFERED_EARLY 0
#endif
#ifndef TORC_MUTANT_NEW_OVERTAKES_HELD
#define TORC_MUTANT_NEW_OVERTAKES_HELD 0
#endif
#ifndef TORC_MUTANT_FILLS_NEWEST_FIRST
#define TORC_MUTANT_FILLS_NEWEST_FIRST 0
#endif
#ifndef TORC_MUTANT_COMPLETES_PARTIAL_NONPUSH
#define TORC_MUTANT_COMPLETES_PARTIAL_NONPUSH 0
#endif
#ifndef TORC_MUTANT_PUSH_TIMER_NEVER_STARTS
#define TORC_MUTANT_PUSH_TIMER_NEVER_STARTS 0
#endif
#ifndef TORC_MUTANT_PUSH_TIMER_NOT_STOPPED
#define TORC_MUTANT_PUSH_TIMER_NOT_STOPPED 0
#endif
#ifndef TORC_MUTANT_PUSH_TIMER_NOT_RESTARTED
#define TORC_MUTANT_PUSH_TIMER_NOT_RESTARTED 0
#endif
#ifndef TORC_MUTANT_REINDICATES_REFUSED
#define TORC_MUTANT_REINDICATES_REFUSED 0
#endif
#ifndef TORC_MUTANT_DROPS_PARTIAL_TAIL
#define TORC_MUTANT_DROPS_PARTIAL_TAIL 0
#endif
#ifndef TORC_MUTANT_DELIVERS_OVERLAP_TWICE
#define TORC_MUTANT_DELIVERS_OVERLAP_TWICE 0
#endif
#ifndef TORC_MUTANT_OUT_OF_ORDER_EARLY
#define TORC_MUTANT_OUT_OF_ORDER_EARLY 0
#endif
#ifndef TORC_MUTANT_ZERO_BYTE_CONSUMES
#define TORC_MUTANT_ZERO_BYTE_CONSUMES 0
#endif
#ifndef TORC_MUTANT_IGNORES_PSH
#define TORC_MUTANT_IGNORES_PSH 0
#endif
#ifndef TORC_MUTANT_REENTRANT_POST_RECURSES
#define TORC_MUTANT_REENTRANT_POST_RECURSES 0
#endif
#ifndef TORC_MUTANT_DISCONNECT_BEFORE_DATA
#define TORC_MUTANT_DISCONNECT_BEFORE_DATA 0
#endif

/* 1 in the one mutant build that enables NAME, 0 everywhere else. */
#define TORC_MUTANT_ON(name) (TORC_MUTANT_##name)

#endif /* TORC_MUTANT_H */
