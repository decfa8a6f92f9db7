/*
 * torc_report_summary.c - summary.md: the report in a few lines of
 * Markdown, for a pull-request comment.
 *
 * The claim (recomputed by the report, torc_report_claim.c: headline,
 * reasons, missing features, untested requirements, waivers, scope),
 * target, counts per verdict, the failure signatures (the Markdown
 * table written with the page) and the first failing vectors, with the
 * results digest that ties the summary to its results file.
 */
#include "torc_report_int.h"

void torcint_report_summary(FILE *m, const report *R, const char *sigs,
                            const char *junit) {
  const json_t *t = json_object_get(R->doc, "target"), *rec;
  int st = torcint_report_status(R), k;
  size_t i, listed = 0;
  fprintf(m, "## torc conformance: %s %s\n\n", torcint_report_headline(R),
          st == 0 && strcmp(torcint_report_headline(R), TORC_CLAIM_PARTIAL)
              ? ":white_check_mark:"
              : ":x:");
  torcint_report_claim_md(m, R);
  fprintf(m, "Target **");
  md(m, str(t, "name"));
  fprintf(m, "** ");
  md(m, str(t, "version"));
  fprintf(m, " (ABI %" JSON_INTEGER_FORMAT "), torc %s, %s\n\n",
          json_integer_value(json_object_get(t, "abi_version")),
          str(R->doc, "torc_version"), str(R->doc, "started"));
  fputs("| verdict | vectors |\n|---|---:|\n", m);
  for (k = 0; k < TORC_VERDICT_COUNT; k++)
    if (R->counts[vorder(k)])
      fprintf(m, "| %s | %zu |\n", vname(vorder(k)), R->counts[vorder(k)]);
  fprintf(m, "| **total** | **%zu** |\n", R->total);
  if (*sigs)
    fprintf(m, "\n### How they fail\n%s", sigs);
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const char *req, *why;
    if (!is_failure(vparse(str(rec, "verdict"))))
      continue;
    if (listed == 0)
      fputs("\n### Failing vectors\n\n(\"at script step sN\": the step "
            "of the vector's script, counted from s0, during which the "
            "event came; each vector's page, `vectors/ID.html`, draws "
            "them.)\n\n",
            m);
    if (listed++ == 20) {
      fputs("- ... (see the HTML report, failures by rule)\n", m);
      break;
    }
    why = torcint_report_first_reason(rec, &req);
    fprintf(m, "- `%s` %s %s: ", str(rec, "id"), str(rec, "verdict"), req);
    torcint_report_msg_md(m, why);
    if (*str(rec, "replay"))
      fprintf(m, "  \n  `%s`", str(rec, "replay"));
    fputc('\n', m);
  }
  fprintf(m,
          "\nVector set `%.16s...`; results digest (SHA-256, canonical) "
          "`%s`.%s\n",
          str(R->doc, "vector_set_digest"), R->digest,
          junit ? " JUnit XML: `junit.xml`." : "");
}
