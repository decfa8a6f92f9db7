/*
 * torc_text.c - which characters torc's text may carry (torc_text.h).
 *
 * The loader checks vector strings with it before anything else reads
 * them; the writers of XML, HTML, TAP and results JSON replace what it
 * refuses, so no document torc writes is invalid because of a string it
 * was given.
 */
#include "torc_text.h"

size_t torc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  size_t len, i;
  uint32_t c;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if ((s[0] & 0xE0) == 0xC0) {
    len = 2;
    c = s[0] & 0x1F;
  } else if ((s[0] & 0xF0) == 0xE0) {
    len = 3;
    c = s[0] & 0x0F;
  } else if ((s[0] & 0xF8) == 0xF0) {
    len = 4;
    c = s[0] & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
      (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
      (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return len;
}

int torc_text_char_ok(uint32_t cp) {
  if (cp < 0x20)
    return cp == '\t' || cp == '\n' || cp == '\r';
  if (cp >= 0xD800 && cp <= 0xDFFF)
    return 0;
  if (cp >= 0xFDD0 && cp <= 0xFDEF)
    return 0;
  if ((cp & 0xFFFE) == 0xFFFE) /* U+xFFFE, U+xFFFF in every plane */
    return 0;
  return cp <= 0x10FFFF;
}
