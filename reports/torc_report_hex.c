/*
 * torc_report_hex.c - the bytes at a vector's first divergence, expected
 * beside actual, as a hex table.
 *
 * The divergence's texts ("c0 ab [1d a7 ...", the '[' marking the first
 * divergent byte) are parsed here; the failure article prints the table and
 * the sequence space uses the parse to tell a byte divergence from a call
 * pattern one.
 */
#include "torc_report_int.h"

/* Parses "c0 ab [1d a7 ..." ; returns 0 when the text is hex bytes. */
int torcint_report_parse_hex(const char *s, hexbytes *h) {
  h->n = 0;
  h->mark = -1;
  while (*s) {
    unsigned v;
    int k;
    if (*s == ' ' || *s == ']' || *s == '.') {
      s++;
      continue;
    }
    if (*s == '[') {
      h->mark = h->n;
      s++;
      continue;
    }
    if (sscanf(s, "%2x%n", &v, &k) != 1 || k != 2 ||
        (s[2] && s[2] != ' ' && s[2] != ']' && s[2] != '.'))
      return -1;
    if (h->n < 64)
      h->b[h->n++] = (int)v;
    s += 2;
  }
  return h->n > 0 || h->mark >= 0 ? 0 : -1;
}

void torcint_report_hex_diff(FILE *f, const json_t *div) {
  hexbytes e, a;
  long long base = jint(div, "stream_offset");
  int pre, i, row;
  if (torcint_report_parse_hex(str(div, "expected"), &e) != 0 ||
      torcint_report_parse_hex(str(div, "actual"), &a) != 0 ||
      !json_is_integer(json_object_get(div, "stream_offset"))) {
    /* The texts are in the divergence box above. */
    fputs("<p class=\"note\">No byte divergence: the call pattern differs "
          "(the first divergence above, and the diagram).</p>",
          f);
    return;
  }
  if (e.mark < 0)
    e.mark = 0;
  if (a.mark < 0)
    a.mark = 0;
  /* Align both at the divergence mark (stream offset base). */
  pre = e.mark > a.mark ? e.mark : a.mark;
  fputs("<table class=\"hex\"><tr><td>stream offset</td><td>expected</td>"
        "<td>actual</td></tr>",
        f);
  for (row = 0; row * 16 < pre + (e.n - e.mark > a.n - a.mark ? e.n - e.mark
                                                              : a.n - a.mark);
       row++) {
    int pos;
    int k;
    fprintf(f, "<tr><td>%lld</td>", base - pre + row * 16);
    for (k = 0; k < 2; k++) {
      const hexbytes *h = k == 0 ? &e : &a, *o = k == 0 ? &a : &e;
      fputs("<td>", f);
      for (i = 0; i < 16; i++) {
        int hi = row * 16 + i - pre + h->mark,
            oi = row * 16 + i - pre + o->mark;
        pos = row * 16 + i;
        if (i)
          fputc(' ', f);
        if (hi < 0 || hi >= h->n) {
          fputs("  ", f);
          continue;
        }
        if (pos < pre)
          fprintf(f, "<span class=\"ctx\">%02x</span>", h->b[hi]);
        else if (oi < 0 || oi >= o->n || o->b[oi] != h->b[hi])
          fprintf(f, "<mark>%02x</mark>", h->b[hi]);
        else
          fprintf(f, "%02x", h->b[hi]);
      }
      fputs("</td>", f);
    }
    fputs("</tr>", f);
  }
  fputs("</table>", f);
}
