/*
 * torc_shquote.c - quoting words for POSIX sh (torc_shquote.h).
 *
 * Used where torc builds a command for people to paste or for sh to run:
 * the replay command of each results record and a bundle's README and
 * replay.sh.  Inside single quotes sh expands nothing, so only the quote
 * itself needs care: it ends the quoted run, is written escaped, and a new
 * run starts ('\'').
 */
#include "torc_shquote.h"

#include <stdlib.h>
#include <string.h>

static int plain(const char *s) {
  if (!*s)
    return 0; /* the empty word must be written '' */
  for (; *s; s++)
    if (!strchr("@%+=:,./_-", *s) && !(*s >= 'a' && *s <= 'z') &&
        !(*s >= 'A' && *s <= 'Z') && !(*s >= '0' && *s <= '9'))
      return 0;
  return 1;
}

char *torc_sh_quote(const char *s) {
  size_t n = 2, i;
  char *out, *p;
  if (plain(s))
    return strdup(s);
  for (i = 0; s[i]; i++)
    n += s[i] == '\'' ? 4 : 1;
  if (!(out = malloc(n + 1)))
    return NULL;
  p = out;
  *p++ = '\'';
  for (i = 0; s[i]; i++) {
    if (s[i] == '\'') {
      memcpy(p, "'\\''", 4);
      p += 4;
    } else
      *p++ = s[i];
  }
  *p++ = '\'';
  *p = '\0';
  return out;
}

char *torc_sh_command(const char *const *argv, size_t n) {
  char *out = NULL;
  size_t len = 0, i;
  for (i = 0; i < n; i++) {
    char *w = torc_sh_quote(argv[i]), *t;
    size_t wl;
    if (!w) {
      free(out);
      return NULL;
    }
    wl = strlen(w);
    t = realloc(out, len + (i > 0) + wl + 1);
    if (!t) {
      free(w);
      free(out);
      return NULL;
    }
    out = t;
    if (i > 0)
      out[len++] = ' ';
    memcpy(out + len, w, wl + 1);
    len += wl;
    free(w);
  }
  return out ? out : strdup("");
}
