/*
 * torc_report_claim.c - the claim and its scope, as the report's first
 * section and the summary's first lines.
 *
 * Drawn right after the header (torc_report_page.c) and at the top of
 * summary.md (torc_report_summary.c), from the claim the report recomputed
 * (report.claim, torc_claim_compute) and the document's "target", "scope",
 * "suite" and "waivers" members: the reasons, what the run covered, the
 * mandatory features the target does not declare (with the requirements
 * that make them so, from the catalogue), the requirements left untested
 * and the waivers applied or unmatched.
 */
#include "torc_report_int.h"

static void names(FILE *f, const json_t *a, const char *none) {
  const json_t *x;
  size_t i;
  if (!json_array_size(a))
    fputs(none, f);
  json_array_foreach(a, i, x) {
    if (i)
      fputs(", ", f);
    esc(f, json_string_value(x) ? json_string_value(x) : "?");
  }
}

static void scope_html(FILE *f, const report *R) {
  const json_t *scope = json_object_get(R->doc, "scope");
  const json_t *sel = json_object_get(scope, "selection");
  const json_t *suite = json_object_get(R->doc, "suite");
  const json_t *sh, *stop = json_object_get(scope, "stopped_by");
  size_t i;
  fputs("<dl class=\"meta\" id=\"scope\"><dt>capabilities</dt><dd "
        "id=\"capability-names\">",
        f);
  names(f,
        json_object_get(json_object_get(R->doc, "target"), "capability_names"),
        "none declared");
  fprintf(f,
          "</dd><dt>vectors</dt><dd>%" JSON_INTEGER_FORMAT
          " results of a set of %" JSON_INTEGER_FORMAT " (%s)</dd>",
          (json_int_t)R->total,
          json_integer_value(json_object_get(scope, "set_size")),
          json_is_true(json_object_get(suite, "is_suite"))
              ? "the suite this torc ships"
              : "not the suite this torc ships");
  fputs("<dt>selection</dt><dd id=\"selection\">ids: ", f);
  names(f, json_object_get(sel, "ids"), "-");
  fputs("; requirements: ", f);
  names(f, json_object_get(sel, "requirements"), "-");
  fputs("; tags: ", f);
  names(f, json_object_get(sel, "tags"), "-");
  fputs("; excluded: ", f);
  names(f, json_object_get(sel, "exclude"), "-");
  fputs("</dd><dt>shards</dt><dd id=\"shards\">", f);
  if (!json_array_size(json_object_get(scope, "shards")))
    fputs("not sharded", f);
  json_array_foreach(json_object_get(scope, "shards"), i, sh) {
    fprintf(f, "%s%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
            i ? ", " : "", json_integer_value(json_object_get(sh, "index")),
            json_integer_value(json_object_get(sh, "count")));
  }
  fputs("</dd><dt>finished</dt><dd id=\"finished\">", f);
  if (json_is_true(json_object_get(scope, "finished")))
    fputs("yes", f);
  else {
    fputs("no", f);
    if (json_is_string(stop)) {
      fputs(" (stopped by ", f);
      esc(f, json_string_value(stop));
      fputc(')', f);
    }
  }
  fprintf(f, "%s</dd></dl>\n",
          json_is_true(json_object_get(scope, "strict")) ? " (--strict)" : "");
}

/* One list item per requirement id, with the catalogue's summary. */
static void req_items(FILE *f, const report *R, const json_t *ids) {
  const json_t *x;
  size_t i;
  json_array_foreach(ids, i, x) {
    const reqrow *row = torcint_report_row(R, json_string_value(x));
    fputs("<li><b>", f);
    esc(f, json_string_value(x));
    fputs("</b> ", f);
    esc(f, row && row->summary ? row->summary : "");
    fputs("</li>", f);
  }
}

static void missing_html(FILE *f, const report *R) {
  const json_t *miss =
      json_object_get(json_object_get(R->doc, "target"), "missing_mandatory");
  const json_t *m;
  size_t i;
  if (!json_array_size(miss))
    return;
  fputs("<h3>Mandatory features the target does not declare</h3>"
        "<ul id=\"missing-mandatory\">",
        f);
  json_array_foreach(miss, i, m) {
    fputs("<li><code>TORC_CAP_", f);
    esc(f, str(m, "capability"));
    fputs("</code>: ", f);
    esc(f, str(m, "what"));
    fputs("<ul>", f);
    req_items(f, R, json_object_get(m, "requirements"));
    fputs("</ul></li>", f);
  }
  fputs("</ul>\n", f);
}

static void waiver_items(FILE *f, const json_t *list, int applied) {
  const json_t *w;
  size_t i;
  json_array_foreach(list, i, w) {
    const char *v = str(w, "vector");
    fputs("<li>", f);
    esc(f, *v ? v : str(w, "requirement"));
    fputs(": ", f);
    esc(f, str(w, "reason"));
    fputs(" (owner ", f);
    esc(f, str(w, "owner"));
    fputs(", expires ", f);
    esc(f, str(w, "expires"));
    if (*str(w, "link")) {
      fputs(", ", f);
      esc(f, str(w, "link"));
    }
    fputc(')', f);
    if (applied) {
      fputs("; waived: ", f);
      names(f, json_object_get(w, "vectors"), "-");
    }
    fputs("</li>", f);
  }
}

void torcint_report_claim_html(FILE *f, const report *R) {
  const json_t *r, *w = json_object_get(R->doc, "waivers");
  const json_t *untested = json_object_get(R->claim, "untested_requirements");
  const char *h = torcint_report_headline(R);
  size_t i;
  fputs("<section id=\"claim\"><h2>Claim: <span id=\"claim-headline\">", f);
  esc(f, h);
  fputs("</span></h2>", f);
  if (!strcmp(h, TORC_CLAIM_PARTIAL) || !strcmp(h, TORC_CLAIM_INCOMPLETE))
    fputs("<p><b>Not a conformance claim.</b></p>", f);
  fputs("<ul id=\"claim-reasons\">", f);
  json_array_foreach(json_object_get(R->claim, "reasons"), i, r) {
    fputs("<li>", f);
    esc(f, json_string_value(r));
    fputs("</li>", f);
  }
  fputs("</ul>", f);
  scope_html(f, R);
  missing_html(f, R);
  if (json_array_size(untested)) {
    fputs("<h3>Requirements judged by no vector that ran</h3>"
          "<ul id=\"untested-requirements\">",
          f);
    req_items(f, R, untested);
    fputs("</ul>", f);
  }
  if (w) {
    fputs("<h3>Waivers</h3><p>Applied:</p><ul id=\"waivers-applied\">", f);
    waiver_items(f, json_object_get(w, "applied"), 1);
    fputs("</ul><p>Matched nothing:</p><ul id=\"waivers-unmatched\">", f);
    waiver_items(f, json_object_get(w, "unmatched"), 0);
    fputs("</ul>", f);
  }
  fputs("</section>\n", f);
}

void torcint_report_claim_md(FILE *m, const report *R) {
  const json_t *r;
  const json_t *miss =
      json_object_get(json_object_get(R->doc, "target"), "missing_mandatory");
  size_t i;
  json_array_foreach(json_object_get(R->claim, "reasons"), i, r) {
    fputs("- ", m);
    md(m, json_string_value(r));
    fputc('\n', m);
  }
  json_array_foreach(miss, i, r) {
    const json_t *reqs = json_object_get(r, "requirements");
    fputs("- missing mandatory feature `TORC_CAP_", m);
    md(m, str(r, "capability"));
    fputs("` (", m);
    md(m, json_string_value(json_array_get(reqs, 0)));
    fputs(")\n", m);
  }
  fputc('\n', m);
}
