/*
 * torc_asan.h - TORC_ASAN: 1 in an AddressSanitizer build (gcc's
 * __SANITIZE_ADDRESS__, clang's address_sanitizer feature), else 0.
 *
 * For the few places that must behave differently under ASan: it reserves
 * terabytes of address space (no RLIMIT_AS, no heap-size retirement) and
 * refuses dlopen's RTLD_DEEPBIND (torc_isolate.c, torc_load.c, the runner).
 */
#ifndef TORC_ASAN_H
#define TORC_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define TORC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TORC_ASAN 1
#endif
#endif
#ifndef TORC_ASAN
#define TORC_ASAN 0
#endif

#endif /* TORC_ASAN_H */
