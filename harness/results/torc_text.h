/*
 * torc_text.h - interface for a module to tell which characters torc's
 * text may carry.
 *
 * Everything torc writes may end up in XML (JUnit) or HTML (the report):
 * the vector loader refuses, naming the JSON path, any string with a
 * character that XML 1.0 cannot carry or that Unicode reserves as a
 * non-character (harness/input/torc_vector_json.c), and every writer
 * replaces such characters in strings from elsewhere (results documents
 * read by `torc report` and `torc merge`): torc_markup_escape, the TAP
 * writer, torc_json_text.  Pure computation, no I/O.
 */
#ifndef TORC_TEXT_H
#define TORC_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the UTF-8 sequence at s (n >= 1 bytes left) into *cp.  Returns
 * its length (1..4), or 0 when it is not well-formed UTF-8 (overlong,
 * surrogate, beyond U+10FFFF, cut short). */
size_t torc_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* 1 when cp is an XML 1.0 Char (tab, LF, CR, U+0020..U+D7FF,
 * U+E000..U+FFFD, U+10000..U+10FFFF) and not a Unicode non-character
 * (U+FDD0..U+FDEF, U+xFFFE and U+xFFFF of every plane); else 0. */
int torc_text_char_ok(uint32_t cp);

#endif /* TORC_TEXT_H */
