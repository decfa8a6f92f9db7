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
#include <unistd.h>

#include "torc_vector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_tmp(void) {
  unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024];
  torc_vector *v = NULL;
  FILE *fp;
  if (path[0] == '\0') {
    int fd;
    strcpy(path, "/tmp/torc_fuzz_vector_XXXXXX.json");
    fd = mkstemps(path, 5);
    if (fd < 0)
      abort();
    close(fd);
    atexit(remove_tmp);
  }
  fp = fopen(path, "wb");
  if (fp == NULL)
    abort();
  if (size > 0 && fwrite(data, 1, size, fp) != size)
    abort();
  fclose(fp);
  err[0] = '\0';
  if (torc_vector_load(path, &v, err, sizeof err) == 0)
    torc_vector_free(v);
  else if (err[0] == '\0')
    abort(); /* an error must say what went wrong */
  return 0;
}
