/*
 * torc_cli_opts.c - helpers every torc command shares: usage errors,
 * number and shard parsing, and where vectors and the catalogue come from
 * by default.
 *
 * Used by the command files (torc_cli_run.c, torc_cli_lint.c, ...) while
 * they parse their options, before any vector runs.
 */
#include "torc_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TORC_DATADIR
#define TORC_DATADIR "/usr/local/share"
#endif

int torc_cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "torc %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'torc %s --help'.\n", cmd);
  return TORC_EXIT_USAGE;
}

int torc_cli_parse_uint(const char *s, unsigned long min, unsigned long max,
                        unsigned long *out) {
  char *end;
  unsigned long v;
  if (!s || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoul(s, &end, 10);
  if (errno || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int torc_cli_parse_shard(const char *s, unsigned *i, unsigned *n) {
  const char *slash = strchr(s, '/');
  char head[32];
  unsigned long a, b;
  if (!slash || (size_t)(slash - s) >= sizeof head)
    return -1;
  memcpy(head, s, (size_t)(slash - s));
  head[slash - s] = '\0';
  if (torc_cli_parse_uint(head, 1, 1000000, &a) != 0 ||
      torc_cli_parse_uint(slash + 1, 1, 1000000, &b) != 0 || a > b)
    return -1;
  *i = (unsigned)a;
  *n = (unsigned)b;
  return 0;
}

/* PREFIX/share/torc/NAME for an installed PREFIX/bin/torc (found from
 * /proc/self/exe, so an installation can move), or "" when there is none. */
void torc_cli_installed_path(const char *name, char *out, size_t n) {
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  char *slash;
  out[0] = '\0';
  if (len <= 0)
    return;
  exe[len] = '\0';
  if ((slash = strrchr(exe, '/')) == NULL)
    return;
  *slash = '\0'; /* PREFIX/bin */
  if ((slash = strrchr(exe, '/')) == NULL)
    return;
  *slash = '\0'; /* PREFIX */
  snprintf(out, n, "%.*s/share/torc/%s", (int)(n / 2), exe, name);
  if (access(out, R_OK) != 0)
    out[0] = '\0';
}

const char *torc_cli_default_catalogue(void) {
  static char installed[4096];
  const char *env = getenv("TORC_CATALOGUE");
  if (env && *env)
    return env;
  if (access("conformance/catalogue.json", R_OK) == 0)
    return "conformance/catalogue.json";
  torc_cli_installed_path("catalogue.json", installed, sizeof installed);
  if (installed[0])
    return installed;
  snprintf(installed, sizeof installed, "%s/torc/catalogue.json", TORC_DATADIR);
  return access(installed, R_OK) == 0 ? installed
                                      : "conformance/catalogue.json";
}

const char *torc_cli_default_vectors(void) {
  static char installed[4096];
  struct stat st;
  const char *env = getenv("TORC_VECTORS");
  if (env && *env)
    return env;
  if (stat("vectors", &st) == 0 && S_ISDIR(st.st_mode))
    return "vectors";
  torc_cli_installed_path("vectors", installed, sizeof installed);
  if (!installed[0])
    snprintf(installed, sizeof installed, "%s/torc/vectors", TORC_DATADIR);
  return installed;
}

int torc_cli_load_vectors(const char *cmd, const char *const *paths, size_t n,
                          unsigned flags, unsigned threads, torc_vector ***vs,
                          size_t *nvs) {
  char err[1024];
  const char *def[1];
  if (n == 0) {
    def[0] = torc_cli_default_vectors();
    paths = def;
    n = 1;
  }
  err[0] = '\0';
  if (torc_vector_load_set(paths, n, flags, threads, vs, nvs, err,
                           sizeof err) != 0) {
    fprintf(stderr, "%s\n", err[0] ? err : "cannot load vectors");
    (void)cmd;
    return -1;
  }
  return 0;
}
