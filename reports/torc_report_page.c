/*
 * torc_report_page.c - report.html: one self-contained offline page filled
 * into the compiled-in template (reports/report.html.in, with its CSS and
 * script).
 *
 * In the order a customer reads it: the header, the claim and its reasons
 * (torc_report_claim.c), the failures grouped by the rule each is
 * attributed to and the passes with allowances (torc_report_rules.c), the
 * verdict counts and filters, the requirement matrix (compact: counts
 * only; the failing vectors are in the groups above), and every vector in
 * one line, linked to its own page (torc_report_vector.c) when it did not
 * pass.  The embedded data is the results digest only, so the page stays
 * small (under 1 MB for the committed corpus, failing or not).  Static HTML
 * throughout; the inline script (reports/report.js) only filters.
 */
#include "torc_report_int.h"

#include <stdlib.h>

#include "torc_report_assets.h"

static void write_header(FILE *f, const report *R) {
  const json_t *t = json_object_get(R->doc, "target");
  int st = torcint_report_status(R);
  const char *h = torcint_report_headline(R);
  fputs("<header class=\"top\"><h1>torc conformance report</h1>", f);
  fprintf(f, "<span class=\"status %s\" id=\"status\">",
          st == 1                              ? "fail"
          : st == 3                            ? "incomplete"
          : strcmp(h, TORC_CLAIM_PARTIAL) == 0 ? "incomplete"
                                               : "ok");
  esc(f, h);
  fputs("</span> ", f);
  fputs("<span>target <b id=\"target-name\">", f);
  esc(f, str(t, "name"));
  fputs("</b> ", f);
  esc(f, str(t, "version"));
  fputs("</span><dl class=\"meta\">", f);
  fputs("<dt>suite</dt><dd>torc <span id=\"suite-version\">", f);
  esc(f, str(R->doc, "torc_version"));
  fprintf(f, "</span> (results format %" JSON_INTEGER_FORMAT ")</dd>",
          json_integer_value(json_object_get(R->doc, "format")));
  fputs("<dt>target</dt><dd>", f);
  esc(f, str(t, "name"));
  fputc(' ', f);
  esc(f, str(t, "version"));
  fprintf(f,
          ", ABI version <span id=\"abi-version\">%" JSON_INTEGER_FORMAT
          "</span>, capabilities <span id=\"capabilities\">0x%llx</span>: "
          "<span id=\"capability-bits\">",
          json_integer_value(json_object_get(t, "abi_version")),
          (unsigned long long)json_integer_value(
              json_object_get(t, "capabilities")));
  torcint_report_caps(
      f, (uint64_t)json_integer_value(json_object_get(t, "capabilities")));
  fputs("</span></dd>", f);
  fputs("<dt>vector set</dt><dd><code id=\"vector-set-digest\">", f);
  esc(f, str(R->doc, "vector_set_digest"));
  fputs("</code></dd><dt>run</dt><dd><span id=\"run-date\">", f);
  esc(f, str(R->doc, "started"));
  fputs("</span> to ", f);
  esc(f, str(R->doc, "finished"));
  fputs("</dd><dt>results digest</dt><dd><code id=\"results-digest\">", f);
  fputs(R->digest, f);
  fputs("</code> (SHA-256 of ", f);
  esc(f, R->results_path);
  fputs(" in canonical form: sorted keys, compact)</dd></dl></header>\n"
        "<main>",
        f);
}

/* The verdict counts and their bar. */
static void write_counts(FILE *f, const report *R) {
  int k;
  fputs("<h2 id=\"summary\">Verdicts</h2><div class=\"counts\" "
        "id=\"verdict-counts\">",
        f);
  fprintf(f,
          "<span class=\"chip v-ERROR\" data-verdict=\"TOTAL\" "
          "data-n=\"%zu\">%zu vectors</span>",
          R->total, R->total);
  for (k = 0; k < TORC_VERDICT_COUNT; k++) {
    int v = vorder(k);
    fprintf(f,
            "<span class=\"chip v-%s\" data-verdict=\"%s\" data-n=\"%zu\">%s "
            "%zu</span>",
            vname(v), vname(v), R->counts[v], vname(v), R->counts[v]);
  }
  fputs("</div>", f);
  if (R->total) {
    fputs("<div class=\"bar\" style=\"width:100%;height:14px\">", f);
    for (k = 0; k < TORC_VERDICT_COUNT; k++) {
      int v = vorder(k);
      if (R->counts[v])
        fprintf(f, "<span style=\"width:%.3f%%;background:%s\"></span>",
                100.0 * (double)R->counts[v] / (double)R->total, vcolour(v));
    }
    fputs("</div>", f);
  }
}

static void write_filters(FILE *f) {
  int k;
  fputs("<div id=\"filters\"><b>Show</b>", f);
  for (k = 0; k < TORC_VERDICT_COUNT; k++) {
    int v = vorder(k);
    fprintf(f,
            "<label><input type=\"checkbox\" class=\"fv\" id=\"f-%s\" "
            "data-verdict=\"%s\" checked> <span class=\"chip v-%s\">%s</span>"
            "</label>",
            vname(v), vname(v), vname(v), vname(v));
  }
  fputs("<label><input type=\"checkbox\" id=\"f-UNCOVERED\" checked> "
        "<span class=\"chip v-UNCOVERED\">uncovered</span></label>"
        "<label>requirement <input type=\"search\" id=\"req-filter\" "
        "placeholder=\"RCV-046\"></label>"
        "<button type=\"button\" id=\"only-failing\">only failures</button>"
        "<button type=\"button\" id=\"show-all\">show all</button>"
        "<span id=\"shown\"></span></div>\n",
        f);
}

static void write_matrix(FILE *f, const report *R) {
  size_t i, covered = 0, testable = 0, gaps = 0, k;
  for (i = 0; i < R->nrows; i++) {
    covered += R->rows[i].nvectors > 0;
    testable += R->rows[i].testable;
    gaps += R->rows[i].nvectors == 0 &&
            (R->rows[i].testable || !R->rows[i].in_catalogue);
  }
  fprintf(f,
          "<h2 id=\"matrix-h\">Requirement matrix</h2><p>%zu requirements "
          "(%zu testable); <b>%zu</b> exercised by at least one vector, "
          "<b id=\"uncovered-count\">%zu</b> testable but not covered "
          "(highlighted). The status is the worst verdict of the vectors "
          "exercising the requirement (UNTESTED only when no other verdict "
          "judged it), and FAIL for a requirement that makes mandatory a "
          "feature the target does not declare. Counts are vectors "
          "exercising the requirement, by verdict; &ldquo;violated&rdquo; "
          "counts failing vectors that name it in a violation (they are "
          "listed under &ldquo;Failures by rule&rdquo;). Click an id to "
          "filter.</p>",
          R->nrows, testable, covered, gaps);
  fputs("<table id=\"matrix\"><thead><tr><th>requirement</th><th>grp</th>"
        "<th>strength</th><th>status</th>"
        "<th>rule and the project's interpretation</th>"
        "<th>vectors</th>",
        f);
  for (k = 0; k < TORC_VERDICT_COUNT; k++) {
    static const char *const abbr[TORC_VERDICT_COUNT] = {
        "PASS", "allow", "FAIL", "CRASH", "t/o", "ERR", "untest", "waived"};
    fprintf(f, "<th title=\"%s\">%s</th>", vname(vorder(k)), abbr[k]);
  }
  fputs("<th>violated</th></tr></thead><tbody>\n", f);
  for (i = 0; i < R->nrows; i++) {
    const reqrow *r = &R->rows[i];
    const char *status = r->status < 0 ? "-" : vname(r->status);
    fprintf(f, "<tr class=\"req");
    if (!r->nvectors)
      fputs(r->testable || !r->in_catalogue ? " uncovered" : " untestable", f);
    if (r->status >= 0 && is_failure(r->status))
      fputs(" failing", f);
    if (!r->in_catalogue)
      fputs(" notcat", f);
    fputs("\" id=\"req-", f);
    esc(f, r->id);
    fputs("\" data-req=\"", f);
    esc(f, r->id);
    fputs("\" data-verdicts=\"", f);
    for (k = 0; k < TORC_VERDICT_COUNT; k++)
      if (r->counts[k])
        fprintf(f, "%s ", vname(k));
    fprintf(f,
            "\" data-status=\"%s\" data-vectors=\"%zu\"><td><a class=\"req\" "
            "data-req=\"",
            status, r->nvectors);
    esc(f, r->id);
    fputs("\" href=\"#\">", f);
    esc(f, r->id);
    fputs("</a></td><td>", f);
    esc(f, r->group);
    fputs("</td><td>", f);
    esc(f, r->strength);
    fprintf(f, "</td><td class=\"status\"><span class=\"chip v-%s\">%s</span>",
            status, status);
    fputs("</td><td><span class=\"sum\">", f);
    esc(f, r->summary);
    fputs("</span>", f);
    if (*r->interp) {
      fputs("<div class=\"interp\">Interpretation: ", f);
      esc(f, r->interp);
      fputs("</div>", f);
    }
    if (r->missing) {
      fputs("<div class=\"why\">not met: the target does not declare "
            "<code>TORC_CAP_",
            f);
      esc(f, r->missing);
      fputs("</code>, which this requirement makes mandatory</div>", f);
    }
    if (!r->testable && r->in_catalogue) {
      fputs("<div class=\"why\">not testable: ", f);
      esc(f, *r->why ? r->why : "see the catalogue");
      fputs("</div>", f);
    } else if (!r->nvectors) {
      fputs("<div class=\"why\">no vector exercises it</div>", f);
    }
    fprintf(f, "</td><td class=\"n vectors\">%zu</td>", r->nvectors);
    for (k = 0; k < TORC_VERDICT_COUNT; k++) {
      int v = vorder(k);
      if (r->counts[v])
        fprintf(f, "<td class=\"n c-%s\" data-verdict=\"%s\">%zu</td>",
                vname(v), vname(v), r->counts[v]);
      else
        fprintf(f, "<td class=\"n z\" data-verdict=\"%s\">0</td>", vname(v));
    }
    fprintf(f, "<td class=\"n violated%s\">%zu</td></tr>\n",
            r->nviolated ? "" : " z", r->nviolated);
  }
  fputs("</tbody></table>\n", f);
}

static void write_vectors(FILE *f, const report *R) {
  const json_t *results = json_object_get(R->doc, "results"), *rec, *x;
  size_t i, k;
  fputs("<h2 id=\"vectors-h\">Vectors</h2><table id=\"vectors\"><thead><tr>"
        "<th>vector</th><th>verdict</th><th>title</th><th>requirements</th>"
        "<th>why</th></tr></thead><tbody>\n",
        f);
  json_array_foreach(results, i, rec) {
    const char *verdict = str(rec, "verdict"), *req, *why;
    int v = vparse(verdict);
    fputs("<tr data-id=\"", f);
    esc(f, str(rec, "id"));
    fprintf(f, "\" data-verdict=\"%s\" data-reqs=\"", verdict);
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      if (k)
        fputc(' ', f);
      esc(f, json_string_value(x));
    }
    fputs("\"><td class=\"mono\">", f);
    if (v != TORC_PASS && v != TORC_UNTESTED) {
      char name[256];
      torcint_report_page_name(str(rec, "id"), name, sizeof name);
      fprintf(f, "<a href=\"vectors/%s\">", name);
      esc(f, str(rec, "id"));
      fputs("</a>", f);
    } else {
      esc(f, str(rec, "id"));
    }
    fprintf(f, "</td><td><span class=\"chip v-%s\">%s</span></td><td>", verdict,
            verdict);
    esc(f, str(rec, "title"));
    fprintf(f, "</td><td class=\"n\">%zu</td><td>",
            json_array_size(json_object_get(rec, "requirements")));
    why = torcint_report_first_reason(rec, &req);
    if (*req) {
      fputs("<code>", f);
      esc(f, req);
      fputs("</code> ", f);
    }
    esc_cut(f, why, 100);
    if (v == TORC_PASS_NONSTRICT) {
      const json_t *a;
      fputs("a pass with allowances:", f);
      json_array_foreach(json_object_get(rec, "allowances"), k, a) {
        fputc(' ', f);
        esc(f, json_string_value(a));
      }
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table>\n", f);
}

/* The embedded data: what the filter script needs (the digest, which it
 * shows it has read), '<' escaped so the text cannot close the script
 * element. */
static void write_data(FILE *f, const report *R) {
  json_t *d = json_pack("{s:s, s:s}", "results_digest", R->digest,
                        "results_path", R->results_path);
  char *s = d ? json_dumps(d, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL, *p;
  for (p = s; p && *p; p++) {
    if (*p == '<')
      fputs("\\u003c", f);
    else
      fputc(*p, f);
  }
  if (!s)
    fputs("{}", f);
  free(s);
  json_decref(d);
}

static void write_body(FILE *f, FILE *mdf, report *R) {
  write_header(f, R);
  torcint_report_claim_html(f, R);
  fprintf(f,
          "<p class=\"jump\">Below: <a href=\"#failures\">failures by "
          "rule</a>%s<a href=\"#summary\">verdicts</a><a "
          "href=\"#matrix-h\">requirement matrix</a><a "
          "href=\"#vectors-h\">every vector</a></p>",
          R->counts[TORC_PASS_NONSTRICT]
              ? "<a href=\"#allowed\">passes with allowances</a>"
              : "");
  torcint_report_rules(f, R);
  torcint_report_allowed(f, R);
  torcint_report_signatures(R, mdf);
  write_counts(f, R);
  write_filters(f);
  write_matrix(f, R);
  write_vectors(f, R);
  fputs("<p class=\"note\">Generated by <code>torc report</code> from ", f);
  esc(f, R->results_path);
  fputs(". This page and the vector pages (<code>vectors/</code>) need no "
        "network.</p></main>",
        f);
}

/* Writes the template with its @MARKERS@ replaced. */
void torcint_report_page(FILE *out, FILE *mdf, report *R) {
  const char *t = torc_asset_report_html_in, *m;
  while ((m = strchr(t, '@')) != NULL) {
    const char *end = strchr(m + 1, '@');
    size_t name_len;
    if (!end)
      break;
    fwrite(t, 1, (size_t)(m - t), out);
    name_len = (size_t)(end - m - 1);
    if (name_len == 5 && strncmp(m + 1, "TITLE", 5) == 0) {
      fputs("torc report: ", out);
      esc(out, str(json_object_get(R->doc, "target"), "name"));
      fputc(' ', out);
      esc(out, torcint_report_headline(R));
    } else if (name_len == 3 && strncmp(m + 1, "CSS", 3) == 0) {
      fputs(torc_asset_report_css, out);
    } else if (name_len == 2 && strncmp(m + 1, "JS", 2) == 0) {
      fputs(torc_asset_report_js, out);
    } else if (name_len == 4 && strncmp(m + 1, "BODY", 4) == 0) {
      write_body(out, mdf, R);
    } else if (name_len == 4 && strncmp(m + 1, "DATA", 4) == 0) {
      write_data(out, R);
    } else {
      fwrite(m, 1, (size_t)(end - m + 1), out);
    }
    t = end + 1;
  }
  fputs(t, out);
}
