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

#include <stdlib.h>

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
  fputs("<dl class=\"meta\" id=\"scope\"><dt>target</dt><dd>", f);
  esc(f, str(json_object_get(R->doc, "target"), "name"));
  fputc(' ', f);
  esc(f, str(json_object_get(R->doc, "target"), "version"));
  fprintf(f, ", ABI %" JSON_INTEGER_FORMAT ", torc ",
          json_integer_value(json_object_get(json_object_get(R->doc, "target"),
                                             "abi_version")));
  esc(f, str(R->doc, "torc_version"));
  fputs("</dd><dt>capabilities</dt><dd id=\"capability-names\">", f);
  names(f,
        json_object_get(json_object_get(R->doc, "target"), "capability_names"),
        "none declared");
  fprintf(f,
          "</dd><dt>vectors</dt><dd>%" JSON_INTEGER_FORMAT
          " results of %" JSON_INTEGER_FORMAT
          " selected, in a set of %" JSON_INTEGER_FORMAT "</dd>",
          (json_int_t)R->total,
          json_integer_value(json_object_get(scope, "selected")),
          json_integer_value(json_object_get(scope, "set_size")));
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
  fputs("</dd><dt>suite</dt><dd id=\"suite\">", f);
  esc(f, json_is_true(json_object_get(suite, "is_suite"))
             ? "the vectors run are the suite this torc ships"
             : "the vectors run are not the suite this torc ships");
  fputs(" (set <code>", f);
  esc(f, str(R->doc, "vector_set_digest"));
  fputs("</code>, suite <code>", f);
  esc(f, str(suite, "digest"));
  fputs("</code>)</dd><dt>finished</dt><dd id=\"finished\">", f);
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
  fprintf(f, "</dd><dt>strict</dt><dd id=\"strict\">%s</dd></dl>\n",
          json_is_true(json_object_get(scope, "strict"))
              ? "yes (--strict: PASS-NONSTRICT counts as a failure)"
              : "no");
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

/* 1 when the gate's detail "missing mandatory feature: A, B" names cap. */
static int detail_names(const char *d, const char *cap) {
  static const char head[] = "missing mandatory feature: ";
  size_t len = strlen(cap);
  if (strncmp(d, head, sizeof head - 1) != 0)
    return 0;
  for (d += sizeof head - 1; *d; d += strspn(d, ", ")) {
    size_t n = strcspn(d, ",");
    if (n == len && !strncmp(d, cap, len))
      return 1;
    d += n;
  }
  return 0;
}

/* The FAIL records the engine's gate failed for the missing feature cap: a
 * violation "target does not declare CAP (..." or CAP in the detail. */
static size_t failed_for(const report *R, const char *cap) {
  char want[96];
  const json_t *rec, *x;
  size_t i, k, n = 0;
  snprintf(want, sizeof want, "target does not declare %s (", cap);
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    int hit;
    if (vparse(str(rec, "verdict")) != TORC_FAIL)
      continue;
    hit = detail_names(str(rec, "detail"), cap);
    json_array_foreach(json_object_get(rec, "violations"), k, x) hit |=
        !strncmp(str(x, "message"), want, strlen(want));
    n += hit != 0;
  }
  return n;
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
    size_t n = failed_for(R, str(m, "capability"));
    fputs("<li data-capability=\"", f);
    esc(f, str(m, "capability"));
    fputs("\"><code>TORC_CAP_", f);
    esc(f, str(m, "capability"));
    fputs("</code>: ", f);
    esc(f, str(m, "what"));
    fprintf(f,
            ". <span class=\"failed-for\">%zu vector%s FAIL for it</span>; "
            "made mandatory by:<ul>",
            n, n == 1 ? "" : "s");
    req_items(f, R, json_object_get(m, "requirements"));
    fputs("</ul></li>", f);
  }
  fputs("</ul>\n", f);
}

/* Why a requirement is untested: the absent feature the first UNTESTED
 * vector citing it lacks ("untested: target lacks NAME (...)", the engine's
 * gate) with the document's "because" for it, else that vector's detail. */
static void untested_because(FILE *f, const report *R, const char *id) {
  static const char lacks[] = "untested: target lacks ";
  const json_t *rec, *x, *a;
  size_t i, k;
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const char *d = str(rec, "detail");
    int cites = 0;
    if (vparse(str(rec, "verdict")) != TORC_UNTESTED)
      continue;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) cites |=
        !strcmp(json_string_value(x), id);
    if (!cites)
      continue;
    if (!strncmp(d, lacks, sizeof lacks - 1)) {
      const char *name = d + sizeof lacks - 1;
      size_t len = strcspn(name, " (");
      json_array_foreach(
          json_object_get(json_object_get(R->doc, "target"), "absent_optional"),
          k, a) {
        if (strlen(str(a, "capability")) == len &&
            !strncmp(str(a, "capability"), name, len)) {
          fputs("because the target lacks <code>TORC_CAP_", f);
          esc(f, str(a, "capability"));
          fputs("</code>: ", f);
          esc(f, str(a, "because"));
          return;
        }
      }
    }
    esc(f, d);
    return;
  }
}

/* The untested requirements grouped by why (most share one absent
 * feature), each with the catalogue's summary. */
static void untested_html(FILE *f, const report *R) {
  const json_t *ids = json_object_get(R->claim, "untested_requirements");
  const json_t *x, *g;
  json_t *groups;
  const char *why;
  size_t i, k;
  if (!json_array_size(ids))
    return;
  groups = json_object();
  json_array_foreach(ids, i, x) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    json_t *list;
    if (!m)
      continue;
    untested_because(m, R, json_string_value(x));
    fclose(m);
    if (!(list = json_object_get(groups, buf ? buf : ""))) {
      list = json_array();
      json_object_set_new(groups, buf ? buf : "", list);
    }
    json_array_append(list, (json_t *)(uintptr_t)x);
    free(buf);
  }
  fputs("<h3>Requirements left untested</h3><p>Cited by UNTESTED vectors and "
        "by no vector that passed.</p><ul id=\"untested-requirements\">",
        f);
  json_object_foreach(groups, why, g) {
    fputs("<li class=\"because\"><span class=\"why\">", f);
    fputs(*why ? why : "(no reason recorded)", f); /* already markup */
    fputs("</span><ul>", f);
    json_array_foreach(g, k, x) {
      const reqrow *row = torcint_report_row(R, json_string_value(x));
      fputs("<li data-req=\"", f);
      esc(f, json_string_value(x));
      fputs("\"><b>", f);
      esc(f, json_string_value(x));
      fputs("</b> ", f);
      esc(f, row && row->summary ? row->summary : "");
      fputs("</li>", f);
    }
    fputs("</ul></li>", f);
  }
  fputs("</ul>\n", f);
  json_decref(groups);
}

static void waiver_items(FILE *f, const json_t *list, int applied) {
  const json_t *w;
  size_t i;
  if (!json_array_size(list))
    fputs("<li class=\"none\">none</li>", f);
  json_array_foreach(list, i, w) {
    const char *v = str(w, "vector");
    fputs("<li class=\"waiver\" data-waives=\"", f);
    esc(f, *v ? v : str(w, "requirement"));
    fprintf(f, "\">%s <code>", *v ? "vector" : "requirement");
    esc(f, *v ? v : str(w, "requirement"));
    fputs("</code>: ", f);
    esc(f, str(w, "reason"));
    fputs(" (owner ", f);
    esc(f, str(w, "owner"));
    fputs(", expires ", f);
    esc(f, str(w, "expires"));
    if (*str(w, "link")) {
      fputs(", link ", f);
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
  missing_html(f, R);
  untested_html(f, R);
  if (w) {
    fputs("<h3>Waivers</h3><p>Applied:</p><ul id=\"waivers-applied\">", f);
    waiver_items(f, json_object_get(w, "applied"), 1);
    fputs("</ul><p>Matched nothing:</p><ul id=\"waivers-unmatched\">", f);
    waiver_items(f, json_object_get(w, "unmatched"), 0);
    fputs("</ul>", f);
  }
  fputs("<details class=\"scope\"><summary>Scope of the run: target, "
        "capabilities, selection, shards, suite</summary>",
        f);
  scope_html(f, R);
  fputs("</details></section>\n", f);
}

static void md_names(FILE *m, const json_t *a, const char *none) {
  const json_t *x;
  size_t i;
  if (!json_array_size(a))
    fputs(none, m);
  json_array_foreach(a, i, x) {
    fputs(i ? ", " : "", m);
    md(m, json_string_value(x));
  }
}

static void md_scope(FILE *m, const report *R) {
  const json_t *scope = json_object_get(R->doc, "scope"), *sh;
  const json_t *stop = json_object_get(scope, "stopped_by");
  size_t i;
  fprintf(m,
          "\nScope: %zu results of %" JSON_INTEGER_FORMAT
          " selected in a set of %" JSON_INTEGER_FORMAT " (%s); shards: ",
          R->total, json_integer_value(json_object_get(scope, "selected")),
          json_integer_value(json_object_get(scope, "set_size")),
          json_is_true(
              json_object_get(json_object_get(R->doc, "suite"), "is_suite"))
              ? "the suite this torc ships"
              : "not the suite this torc ships");
  if (!json_array_size(json_object_get(scope, "shards")))
    fputs("none", m);
  json_array_foreach(json_object_get(scope, "shards"), i, sh) {
    fprintf(m, "%s%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
            i ? ", " : "", json_integer_value(json_object_get(sh, "index")),
            json_integer_value(json_object_get(sh, "count")));
  }
  fputs("; ", m);
  if (json_is_true(json_object_get(scope, "finished")))
    fputs("finished", m);
  else {
    fputs("not finished", m);
    if (json_is_string(stop)) {
      fputs(" (stopped by ", m);
      md(m, json_string_value(stop));
      fputc(')', m);
    }
  }
  fprintf(m, "%s. Capabilities: ",
          json_is_true(json_object_get(scope, "strict")) ? "; --strict" : "");
  md_names(
      m, json_object_get(json_object_get(R->doc, "target"), "capability_names"),
      "none declared");
  fputs(".\n", m);
}

static void md_waivers(FILE *m, const json_t *list, const char *what) {
  const json_t *w;
  size_t i;
  json_array_foreach(list, i, w) {
    const char *v = str(w, "vector");
    fprintf(m, "- %s waiver %s `", what, *v ? "of vector" : "of requirement");
    md(m, *v ? v : str(w, "requirement"));
    fputs("`: ", m);
    md(m, str(w, "reason"));
    fputs(" (owner ", m);
    md(m, str(w, "owner"));
    fputs(", expires ", m);
    md(m, str(w, "expires"));
    if (*str(w, "link")) {
      fputs(", ", m);
      md(m, str(w, "link"));
    }
    fputc(')', m);
    if (json_object_get(w, "vectors")) {
      fputs("; waived: ", m);
      md_names(m, json_object_get(w, "vectors"), "-");
    }
    fputc('\n', m);
  }
}

void torcint_report_claim_md(FILE *m, const report *R) {
  const json_t *r, *w = json_object_get(R->doc, "waivers");
  const json_t *miss =
      json_object_get(json_object_get(R->doc, "target"), "missing_mandatory");
  const json_t *untested = json_object_get(R->claim, "untested_requirements");
  const char *h = torcint_report_headline(R);
  size_t i;
  if (!strcmp(h, TORC_CLAIM_PARTIAL) || !strcmp(h, TORC_CLAIM_INCOMPLETE))
    fputs("**Not a conformance claim.**\n\n", m);
  json_array_foreach(json_object_get(R->claim, "reasons"), i, r) {
    fputs("- ", m);
    md(m, json_string_value(r));
    fputc('\n', m);
  }
  json_array_foreach(miss, i, r) {
    fputs("- missing mandatory feature `TORC_CAP_", m);
    md(m, str(r, "capability"));
    fputs("` (", m);
    md_names(m, json_object_get(r, "requirements"), "-");
    fprintf(m, "): %zu vectors FAIL for it\n",
            failed_for(R, str(r, "capability")));
  }
  if (json_array_size(untested)) {
    fputs("- untested requirements: ", m);
    md_names(m, untested, "-");
    fputc('\n', m);
  }
  if (w) {
    md_waivers(m, json_object_get(w, "applied"), "applied");
    md_waivers(m, json_object_get(w, "unmatched"), "unmatched");
  }
  md_scope(m, R);
  fputc('\n', m);
}
