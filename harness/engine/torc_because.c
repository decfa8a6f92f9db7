/*
 * torc_because.c - the names and codes of the notes behind a host call
 * (torc_because.h): parsed from vectors and from the reference's
 * explanations, printed into traces and verdicts.
 */
#include "torc_because.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* n when s is exactly `digits` decimal digits (n >= lo, <= hi), else -1. */
static int number(const char *s, size_t digits, int lo, int hi) {
  size_t i;
  int n = 0;
  if (strlen(s) != digits)
    return -1;
  for (i = 0; i < digits; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    n = n * 10 + (s[i] - '0');
  }
  return n >= lo && n <= hi ? n : -1;
}

torc_because torc_because_parse(const char *s) {
  int n;
  if (!s)
    return 0;
  if (strncmp(s, "RCV-", 4) == 0)
    return (n = number(s + 4, 3, 1, 999)) > 0 ? (torc_because)(1000 + n) : 0;
  if (strncmp(s, "DEC-", 4) == 0)
    return (n = number(s + 4, 2, 1, 99)) > 0 ? (torc_because)(2000 + n) : 0;
  if (s[0] == 'E' && (n = number(s + 1, 1, 1, 3)) > 0)
    return (torc_because)n;
  if (s[0] == 'W' &&
      ((n = number(s + 1, 1, 1, 9)) > 0 || (n = number(s + 1, 2, 10, 30)) > 0))
    return (torc_because)(200 + n);
  if (strcmp(s, "P1") == 0)
    return 4;
  if (strcmp(s, "A") == 0)
    return 5;
  if (strcmp(s, "B") == 0)
    return 6;
  if (s[0] == 'J' && (n = number(s + 1, 1, 1, 8)) > 0)
    return (torc_because)(10 + n);
  if (s[0] == 'D') {
    const char *eq = strchr(s, '=');
    char d[3];
    int yes;
    if (!eq || eq - s < 2 || eq - s > 3)
      return 0;
    if (strcmp(eq, "=yes") == 0)
      yes = 1;
    else if (strcmp(eq, "=no") == 0)
      yes = 0;
    else
      return 0;
    memcpy(d, s + 1, (size_t)(eq - s - 1));
    d[eq - s - 1] = '\0';
    if ((n = number(d, strlen(d), 1, 20)) < 0 || d[0] == '0')
      return 0;
    return (torc_because)(100 + 2 * n + yes);
  }
  return 0;
}

void torc_because_name(torc_because c, char *buf, size_t n) {
  if (c >= 2001 && c <= 2099)
    snprintf(buf, n, "DEC-%02u", (unsigned)(c - 2000));
  else if (c >= 1001 && c <= 1999)
    snprintf(buf, n, "RCV-%03u", (unsigned)(c - 1000));
  else if (c >= 201 && c <= 230)
    snprintf(buf, n, "W%u", (unsigned)(c - 200));
  else if (c >= 102 && c <= 141)
    snprintf(buf, n, "D%u=%s", (unsigned)(c - 100) / 2, c % 2 ? "yes" : "no");
  else if (c >= 11 && c <= 18)
    snprintf(buf, n, "J%u", (unsigned)(c - 10));
  else if (c >= 1 && c <= 3)
    snprintf(buf, n, "E%u", (unsigned)c);
  else if (c == 4)
    snprintf(buf, n, "P1");
  else if (c == 5)
    snprintf(buf, n, "A");
  else if (c == 6)
    snprintf(buf, n, "B");
  else if (n > 0)
    buf[0] = '\0';
}

unsigned torc_because_rcv(torc_because c) {
  return c >= 1001 && c <= 1999 ? (unsigned)(c - 1000) : 0;
}

int torc_because_is_box(torc_because c) {
  return c >= 1 && c < 200;
}
