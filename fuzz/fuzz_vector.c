/*
 * fuzz_vector.c - libFuzzer target for the vector loader.
 *
 * Where it sits: torc_vector_load (harness/input/torc_vector*.c) parses
 * untrusted JSON vectors before anything runs.  Input: the bytes of a vector
 * file, written to a private temporary file and loaded from there (the loader
 * takes a path).  A failed load must leave a message; a successful one is
 * freed, so leaks show up under ASan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "torc_vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024];
  torc_vector *v = NULL;
  const char *path =
      fuzz_input_file("/tmp/torc_fuzz_vector_XXXXXX.json", data, size);
  err[0] = '\0';
  if (torc_vector_load(path, &v, err, sizeof err) == 0)
    torc_vector_free(v);
  else if (err[0] == '\0')
    abort(); /* an error must say what went wrong */
  return 0;
}
