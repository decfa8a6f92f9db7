/*
 * torc_report_names.c - the numbers of a results document decoded into the
 * names a reader knows: capability bits (TORC_CAP_*), event indications and
 * their info (RETRIEVE's upload reason), the two numberings of the engine's
 * messages, and the file name of a vector's own page.
 *
 * Used by every part of the page that prints what the run recorded: the
 * header and the claim (capabilities), the failure groups and the vector
 * pages (messages), the sequence diagram (events).  The names come from the
 * vendor ABI (harness/include/torc/target.h), the one header of the harness
 * the reports share with every target.
 */
#include "torc_report_int.h"

#include <ctype.h>
#include <stdlib.h>

#include "torc/target.h"

static const struct {
  uint64_t bit;
  const char *name;
} caps[] = {
    {TORC_CAP_BUFFERED_DATA, "BUFFERED_DATA"},
    {TORC_CAP_PUSH_MODE, "PUSH_MODE"},
    {TORC_CAP_NONPUSH_MODE, "NONPUSH_MODE"},
    {TORC_CAP_INDICATE, "INDICATE"},
    {TORC_CAP_PARTIAL_ACCEPT, "PARTIAL_ACCEPT"},
    {TORC_CAP_ZERO_BYTE_REQUEST, "ZERO_BYTE_REQUEST"},
    {TORC_CAP_PREFILLED_REQUEST, "PREFILLED_REQUEST"},
    {TORC_CAP_REENTRANT_POST, "REENTRANT_POST"},
    {TORC_CAP_TERMINATE, "TERMINATE"},
    {TORC_CAP_FIN, "FIN"},
    {TORC_CAP_RST, "RST"},
    {TORC_CAP_ALLOC_HOOK, "ALLOC_HOOK"},
    {TORC_CAP_VIRTUAL_TIME, "VIRTUAL_TIME"},
    {TORC_CAP_OUT_OF_ORDER, "OUT_OF_ORDER"},
};

void torcint_report_caps(FILE *f, uint64_t bits) {
  size_t i, n = 0;
  for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    if (!(bits & caps[i].bit))
      continue;
    fprintf(f, "%s<code>TORC_CAP_%s</code>", n++ ? " " : "", caps[i].name);
    bits &= ~caps[i].bit;
  }
  if (bits)
    fprintf(f, "%sunknown bits 0x%llx", n++ ? " " : "",
            (unsigned long long)bits);
  if (!n)
    fputs("none", f);
}

const char *torcint_report_upload_reason(unsigned long long info) {
  switch (info) {
  case TORC_UPLOAD_RECEIVED_URGENT_DATA:
    return "RECEIVED_URGENT_DATA";
  case TORC_UPLOAD_INVALID_STATE:
    return "INVALID_STATE";
  case TORC_UPLOAD_UPLOAD_REQUESTED:
    return "UPLOAD_REQUESTED";
  case TORC_UPLOAD_HARDWARE_FAILURE:
    return "HARDWARE_FAILURE";
  default:
    return "an unknown reason";
  }
}

void torcint_report_event_text(const char *name, unsigned long long info,
                               char *buf, size_t n) {
  if (!strcmp(name, "RETRIEVE"))
    snprintf(buf, n, "RETRIEVE (upload reason %llu %s)", info,
             torcint_report_upload_reason(info));
  else if (!strcmp(name, "DISCONNECT"))
    snprintf(buf, n, "DISCONNECT (FIN received)%s", info ? " info?" : "");
  else if (!strcmp(name, "ABORT"))
    snprintf(buf, n, "ABORT (RST accepted)%s", info ? " info?" : "");
  else
    snprintf(buf, n, "%s info %llu", name, info);
}

/* Length of the decimal number at s (0 when none). */
static size_t digits(const char *s) {
  size_t k = 0;
  while (isdigit((unsigned char)s[k]))
    k++;
  return k;
}

char *torcint_report_decode(const char *s) {
  static const char *const evs[] = {"RETRIEVE", "DISCONNECT", "ABORT"};
  char *out = NULL, ev[96];
  size_t len = 0, i, k;
  FILE *m = open_memstream(&out, &len);
  if (!m)
    return NULL;
  while (*s) {
    int done = 0;
    /* "(event N)": the script step during which the event came. */
    k = !strncmp(s, "(event ", 7) ? digits(s + 7) : 0;
    if (k == 0 && !strncmp(s, "(event N)", 9))
      k = 1; /* a signature's folded number */
    if (k > 0 && s[7 + k] == ')') {
      fprintf(m, "(at script step s%.*s)", (int)k, s + 7);
      s += 8 + k;
      continue;
    }
    /* "NAME info N": the event decoded. */
    for (i = 0; i < sizeof evs / sizeof evs[0] && !done; i++) {
      size_t l = strlen(evs[i]);
      if (strncmp(s, evs[i], l) || strncmp(s + l, " info ", 6) ||
          !(k = digits(s + l + 6)))
        continue;
      torcint_report_event_text(evs[i], strtoull(s + l + 6, NULL, 10), ev,
                                sizeof ev);
      fputs(ev, m);
      s += l + 6 + k;
      done = 1;
    }
    if (!done)
      fputc(*s++, m);
  }
  fclose(m);
  return out;
}

void torcint_report_msg(FILE *f, const char *s) {
  char *d = torcint_report_decode(s);
  esc(f, d ? d : s);
  free(d);
}

void torcint_report_msg_md(FILE *f, const char *s) {
  char *d = torcint_report_decode(s);
  md(f, d ? d : s);
  free(d);
}

void torcint_report_page_name(const char *id, char *buf, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (; *id && o + 8 < n; id++) {
    unsigned char c = (unsigned char)*id;
    if (isalnum(c) || c == '-') {
      buf[o++] = (char)c;
    } else {
      buf[o++] = '_';
      buf[o++] = hex[c >> 4];
      buf[o++] = hex[c & 15];
    }
  }
  if (o == 0)
    buf[o++] = '_';
  buf[o] = '\0';
  if (o + 6 <= n)
    memcpy(buf + o, ".html", 6);
}
