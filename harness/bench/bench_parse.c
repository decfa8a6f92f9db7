/*
 * bench_parse.c - the baseline of `make bench-e2e`: merely reading and
 * parsing vector files with jansson, nothing else.
 *
 * Sits beside torc in scripts/bench_pairs.py's paired runs: the same files
 * torc run loads, read as torc's loader reads them (one read(2) each) and
 * parsed with json_loadb, the tree freed.  What torc does beyond that per
 * vector (checking, running, judging, recording, writing the results) is
 * the ratio the benchmark prints.  Folders are walked recursively for
 * *.json, as torc does (the schema folder skipped).
 *
 * Usage: bench_parse DIR|FILE...   prints the number of files parsed.
 * Exit status 0, or 2 naming the file that could not be read or parsed.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t parsed;

static int parse_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  char *buf;
  size_t got = 0;
  json_error_t je;
  json_t *root;
  if (fd < 0 || fstat(fd, &st) < 0 || !(buf = malloc((size_t)st.st_size + 1))) {
    fprintf(stderr, "bench_parse: %s: cannot read\n", path);
    return -1;
  }
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  root = json_loadb(buf, got, JSON_REJECT_DUPLICATES, &je);
  free(buf);
  if (!root) {
    fprintf(stderr, "bench_parse: %s: line %d: %s\n", path, je.line, je.text);
    return -1;
  }
  json_decref(root);
  parsed++;
  return 0;
}

static int ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

static int walk(const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *de;
  if (stat(path, &st) < 0) {
    fprintf(stderr, "bench_parse: %s: no such file or folder\n", path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return parse_file(path);
  if (!(d = opendir(path)))
    return -1;
  while ((de = readdir(d)) != NULL) {
    char p[4096];
    if (de->d_name[0] == '.' || strcmp(de->d_name, "schema") == 0)
      continue;
    snprintf(p, sizeof p, "%s/%s", path, de->d_name);
    if (stat(p, &st) < 0)
      continue;
    if ((S_ISDIR(st.st_mode) ||
         (ends_with(p, ".json") && !ends_with(p, ".schema.json"))) &&
        walk(p) < 0) {
      closedir(d);
      return -1;
    }
  }
  closedir(d);
  return 0;
}

int main(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++)
    if (walk(argv[i]) < 0)
      return 2;
  printf("%zu\n", parsed);
  return 0;
}
