/*
 * fuzz_input.h - the fuzz input as a file, for the loaders that take a path.
 *
 * Used by fuzz_vector.c, fuzz_waivers.c and fuzz_results.c: the loaders
 * under test read a file by name, so each input is written, whole, to one
 * private temporary file (made on the first call from a mkstemps pattern
 * ending in ".json", removed at exit) or to a path the caller made.
 * Nothing here judges the input; a write that fails aborts, since a
 * fuzzer that cannot write its input tests nothing.
 */
#ifndef TORC_FUZZ_INPUT_H
#define TORC_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes size bytes of data to path, replacing what was there. */
static inline void fuzz_input_write(const char *path, const uint8_t *data,
                                    size_t size) {
  FILE *fp = fopen(path, "wb");
  if (fp == NULL)
    abort();
  if (size > 0 && fwrite(data, 1, size, fp) != size)
    abort();
  if (fclose(fp) != 0)
    abort();
}

static char fuzz_input_tmp[64];

static inline void fuzz_input_remove(void) {
  unlink(fuzz_input_tmp);
}

/* The private temporary file (pattern like "/tmp/torc_fuzz_X_XXXXXX.json"),
 * made on the first call, holding data afterwards; its path. */
static inline const char *fuzz_input_file(const char *pattern,
                                          const uint8_t *data, size_t size) {
  if (fuzz_input_tmp[0] == '\0') {
    int fd;
    snprintf(fuzz_input_tmp, sizeof fuzz_input_tmp, "%s", pattern);
    fd = mkstemps(fuzz_input_tmp, 5);
    if (fd < 0)
      abort();
    close(fd);
    atexit(fuzz_input_remove);
  }
  fuzz_input_write(fuzz_input_tmp, data, size);
  return fuzz_input_tmp;
}

#endif /* TORC_FUZZ_INPUT_H */
