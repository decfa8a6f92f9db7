/*
 * torc_report_signatures.c - failure signatures: the failing vectors grouped
 * by how they fail (verdict, first violated requirement, message with
 * digits folded), so 500 vectors failing the same way are one line.
 *
 * Written as a Markdown table that the summary (torc_report_summary.c)
 * includes; the page groups failures by rule (torc_report_rules.c), each
 * group listing its signatures.
 */
#include "torc_report_int.h"

/* A failure's signature: verdict, first violated requirement, message with
 * digits folded, so 500 vectors failing the same way are one line. */
void torcint_report_signature(const json_t *rec, char *out, size_t n) {
  const char *req, *msg = torcint_report_first_reason(rec, &req);
  size_t o = 0;
  int prev_digit = 0;
  o = (size_t)snprintf(out, n, "%s %s: ", str(rec, "verdict"), req);
  for (; *msg && o + 2 < n; msg++) {
    if (*msg >= '0' && *msg <= '9') {
      if (!prev_digit)
        out[o++] = 'N';
      prev_digit = 1;
      continue;
    }
    if (prev_digit && ((*msg >= 'a' && *msg <= 'f') || *msg == 'x'))
      continue; /* hex handles */
    prev_digit = 0;
    out[o++] = *msg;
  }
  out[o < n ? o : n - 1] = '\0';
}

void torcint_report_signatures(const report *R, FILE *mdf) {
  const json_t *results = json_object_get(R->doc, "results"), *rec;
  json_t *sig = json_object(), *ex = json_object(), *v;
  size_t i;
  const char *k;
  char buf[512];
  json_array_foreach(results, i, rec) {
    if (!is_failure(vparse(str(rec, "verdict"))))
      continue;
    torcint_report_signature(rec, buf, sizeof buf);
    v = json_object_get(sig, buf);
    json_object_set_new(sig, buf,
                        json_integer(v ? json_integer_value(v) + 1 : 1));
    if (!json_object_get(ex, buf))
      json_object_set_new(ex, buf, json_string(str(rec, "id")));
  }
  if (json_object_size(sig)) {
    fputs("\n| vectors | how they fail | first example |\n|---:|---|---|\n",
          mdf);
    json_object_foreach(sig, k, v) {
      fprintf(mdf, "| %" JSON_INTEGER_FORMAT " | ", json_integer_value(v));
      torcint_report_msg_md(mdf, k);
      fprintf(mdf, " | `%s` |\n", str(ex, k));
    }
  }
  json_decref(sig);
  json_decref(ex);
}
