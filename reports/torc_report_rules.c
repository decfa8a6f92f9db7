/*
 * torc_report_rules.c - the main page's account of what failed and what
 * passed only with allowances, right after the claim: the failing vectors
 * grouped by the rule each failure is attributed to, and the vectors that
 * passed with allowances grouped by allowance.
 *
 * Written by the page (torc_report_page.c).  A failure's rule is the first
 * of the record's "attributed_to" (torc_attribute.c decides it when the
 * run judges), else its first specific violation (a missing mandatory
 * feature names the rule that makes it mandatory), else none (a CRASH,
 * TIMEOUT or ERROR that names no rule).  Each vector links to its own page
 * (torc_report_vector.c) for the diagrams, the bytes and the replay.
 */
#include "torc_report_int.h"

#define SHOWN_PER_GROUP 12
#define WAYS_PER_GROUP 4

static const char *rule_of(const json_t *rec) {
  const char *req;
  const char *att = json_string_value(
      json_array_get(json_object_get(rec, "attributed_to"), 0));
  if (att)
    return att;
  torcint_report_first_reason(rec, &req);
  return req;
}

static void vector_link(FILE *f, const json_t *rec) {
  char name[256];
  torcint_report_page_name(str(rec, "id"), name, sizeof name);
  fprintf(f, "<a class=\"mono\" href=\"vectors/%s\">", name);
  esc(f, str(rec, "id"));
  fputs("</a>", f);
}

/* One row per vector: the link, the verdict, the title (and what follows
 * title, e.g. the allowances, from the caller). */
static void vector_row(FILE *f, const json_t *rec) {
  fputs("<tr><td>", f);
  vector_link(f, rec);
  fprintf(f, "</td><td><span class=\"chip v-%s\">%s</span></td><td>",
          str(rec, "verdict"), str(rec, "verdict"));
  esc_cut(f, str(rec, "title"), 90);
  fputs("</td></tr>", f);
}

/* The distinct ways the group's vectors fail (signature, count, the first
 * message decoded), most frequent first, at most WAYS_PER_GROUP. */
static void ways(FILE *f, const json_t *recs) {
  json_t *count = json_object(), *first = json_object(), *v;
  const json_t *rec;
  size_t i, shown = 0;
  char sig[512];
  const char *k;
  json_array_foreach(recs, i, rec) {
    torcint_report_signature(rec, sig, sizeof sig);
    v = json_object_get(count, sig);
    json_object_set_new(count, sig,
                        json_integer(v ? json_integer_value(v) + 1 : 1));
    if (!json_object_get(first, sig))
      json_object_set(first, sig, (json_t *)(uintptr_t)rec);
  }
  fputs("<ul class=\"ways\">", f);
  while (json_object_size(count) && shown < WAYS_PER_GROUP) {
    const char *best = NULL;
    json_int_t bn = 0;
    const char *req, *why;
    json_object_foreach(count, k, v) {
      if (json_integer_value(v) > bn) {
        bn = json_integer_value(v);
        best = k;
      }
    }
    why = torcint_report_first_reason(json_object_get(first, best), &req);
    fprintf(f, "<li><b>%" JSON_INTEGER_FORMAT "&times;</b> ", bn);
    torcint_report_msg(f, *why ? why : "(no message)");
    fputs("</li>", f);
    json_object_del(count, best);
    shown++;
  }
  if (json_object_size(count))
    fprintf(f, "<li class=\"note\">%zu other ways (see each vector)</li>",
            json_object_size(count));
  fputs("</ul>", f);
  json_decref(count);
  json_decref(first);
}

/* A group's vectors: the first SHOWN_PER_GROUP in a table, the rest (of n)
 * folded under "N more". */
static void vector_list(FILE *f, const json_t *recs, size_t n) {
  const json_t *rec;
  size_t i;
  fputs("<table class=\"vlist\"><tbody>", f);
  json_array_foreach(recs, i, rec) {
    if (i == SHOWN_PER_GROUP)
      fprintf(f,
              "</tbody></table><details><summary>%zu more</summary>"
              "<table class=\"vlist\"><tbody>",
              n - SHOWN_PER_GROUP);
    vector_row(f, rec);
  }
  fputs("</tbody></table>", f);
  if (n > SHOWN_PER_GROUP)
    fputs("</details>", f);
}

static void group(FILE *f, const report *R, const char *rule,
                  const json_t *recs) {
  const reqrow *r = *rule ? torcint_report_row(R, rule) : NULL;
  size_t n = json_array_size(recs);
  fputs("<section class=\"rule\" id=\"rule-", f);
  esc(f, *rule ? rule : "none");
  fprintf(f, "\" data-rule=\"");
  esc(f, rule);
  fprintf(f, "\" data-n=\"%zu\"><h3>", n);
  if (*rule) {
    fputs("<a class=\"req\" href=\"#req-", f);
    esc(f, rule);
    fputs("\" data-req=\"", f);
    esc(f, rule);
    fputs("\">", f);
    esc(f, rule);
    fputs("</a> ", f);
    esc(f, r && *r->summary ? r->summary : "(not in the catalogue)");
  } else {
    fputs("No rule named (the target crashed, timed out or the harness "
          "could not judge)",
          f);
  }
  fprintf(f, " <span class=\"count\">%zu vector%s</span></h3>", n,
          n == 1 ? "" : "s");
  if (r && *r->interp) {
    fputs("<div class=\"interp\">Interpretation: ", f);
    esc(f, r->interp);
    fputs("</div>", f);
  }
  ways(f, recs);
  vector_list(f, recs, n);
  fputs("</section>\n", f);
}

/* Groups records by key (a JSON object of arrays, in first-seen order),
 * then writes them largest first through each(). */
static void largest_first(FILE *f, const report *R, json_t *groups,
                          void (*each)(FILE *, const report *, const char *,
                                       const json_t *)) {
  while (json_object_size(groups)) {
    const char *k, *best = NULL;
    json_t *v;
    size_t bn = 0;
    json_object_foreach(groups, k, v) {
      if (json_array_size(v) > bn) {
        bn = json_array_size(v);
        best = k;
      }
    }
    each(f, R, best, json_object_get(groups, best));
    json_object_del(groups, best);
  }
}

/* A line of the table of contents: the rule, its summary, how many. */
static void toc_row(FILE *f, const report *R, const char *rule,
                    const json_t *recs) {
  const reqrow *r = *rule ? torcint_report_row(R, rule) : NULL;
  fprintf(f, "<tr><td class=\"n\">%zu</td><td><a href=\"#rule-",
          json_array_size(recs));
  esc(f, *rule ? rule : "none");
  fputs("\">", f);
  esc(f, *rule ? rule : "no rule named");
  fputs("</a></td><td>", f);
  esc_cut(f, r && *r->summary ? r->summary : "", 110);
  fputs("</td></tr>", f);
}

void torcint_report_rules(FILE *f, const report *R) {
  json_t *groups = json_object();
  const json_t *rec;
  size_t i, n = 0;
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const char *rule;
    json_t *g;
    if (!is_failure(vparse(str(rec, "verdict"))))
      continue;
    rule = rule_of(rec);
    if (!(g = json_object_get(groups, rule))) {
      g = json_array();
      json_object_set_new(groups, rule, g);
    }
    json_array_append(g, (json_t *)(uintptr_t)rec);
    n++;
  }
  if (n == 0)
    fputs("<section id=\"failures\"><h2>Failures by rule</h2>", f);
  else
    fprintf(f,
            "<section id=\"failures\"><h2>Failures by rule: %zu vector%s, "
            "%zu rule%s</h2>",
            n, n == 1 ? "" : "s", json_object_size(groups),
            json_object_size(groups) == 1 ? "" : "s");
  if (n == 0)
    fputs("<p id=\"no-failures\">No vector failed.</p>", f);
  else
    fputs("<p class=\"note\">Each failing vector is listed once, under the "
          "rule its failure is attributed to (for a missing mandatory "
          "feature, the rule that makes it mandatory), with the ways the "
          "group fails. Each id opens the vector's own page: the sequence "
          "diagram, the sequence space with the receive window, the bytes "
          "and the command that replays it.</p>",
          f);
  if (n) {
    json_t *copy = json_copy(groups);
    fputs("<table class=\"toc\" id=\"rules-toc\"><thead><tr><th>vectors</th>"
          "<th>rule</th><th>what it says</th></tr></thead><tbody>",
          f);
    if (copy)
      largest_first(f, R, copy, toc_row);
    json_decref(copy);
    fputs("</tbody></table>", f);
  }
  largest_first(f, R, groups, group);
  fputs("</section>\n", f);
  json_decref(groups);
}

static void allowance_group(FILE *f, const report *R, const char *name,
                            const json_t *recs) {
  size_t n = json_array_size(recs);
  (void)R;
  fputs("<section class=\"allowance\" data-allowance=\"", f);
  esc(f, name);
  fprintf(f, "\" data-n=\"%zu\"><h3><code>", n);
  esc(f, name);
  fprintf(f, "</code> <span class=\"count\">%zu vector%s</span></h3>", n,
          n == 1 ? "" : "s");
  vector_list(f, recs, n);
  fputs("</section>", f);
}

void torcint_report_allowed(FILE *f, const report *R) {
  json_t *groups = json_object();
  const json_t *rec, *a;
  size_t i, k, n = 0;
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    char key[512];
    size_t o = 0;
    json_t *g;
    if (vparse(str(rec, "verdict")) != TORC_PASS_NONSTRICT)
      continue;
    key[0] = '\0';
    json_array_foreach(json_object_get(rec, "allowances"), k, a) {
      o += (size_t)snprintf(key + o, o < sizeof key ? sizeof key - o : 0,
                            "%s%s", k ? " + " : "",
                            json_string_value(a) ? json_string_value(a) : "?");
      if (o >= sizeof key)
        break;
    }
    if (!key[0])
      snprintf(key, sizeof key, "(no allowance named)");
    if (!(g = json_object_get(groups, key))) {
      g = json_array();
      json_object_set_new(groups, key, g);
    }
    json_array_append(g, (json_t *)(uintptr_t)rec);
    n++;
  }
  if (n) {
    fprintf(f,
            "<section id=\"allowed\"><h2>Passed with allowances: %zu "
            "vector%s</h2><p class=\"note\">PASS-NONSTRICT is a pass: the "
            "target took a behaviour the vector allows, named here (a "
            "reading of the specification or a normalization, "
            "docs/DECISIONS.md; <code>torc list --allowances</code> "
            "describes each). It fails only under <code>--strict</code>."
            "</p>",
            n, n == 1 ? "" : "s");
    largest_first(f, R, groups, allowance_group);
    fputs("</section>\n", f);
  }
  json_decref(groups);
}
