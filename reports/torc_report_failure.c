/*
 * torc_report_failure.c - the article of a vector's own page
 * (vectors/<id>.html, torc_report_vector.c) for a vector that did not
 * simply pass: the allowances it needed, the rule its failure is attributed
 * to, its violations with the rules' summaries and interpretations, its
 * waiver, the first divergence, the diagrams, the bytes and the command
 * that replays it.
 *
 * Messages are printed decoded (torc_report_names.c) and the two numberings
 * they use are explained where they are shown: script steps s0, s1, ...
 * (what the host did, in the vector's order) and trace entries e0, e1, ...
 * (what the target did, counted from 0 in each trace).
 */
#include "torc_report_int.h"

#define MAIN_PAGE "../report.html"

static void req_link(FILE *f, const char *id) {
  fputs("<a class=\"req\" href=\"" MAIN_PAGE "#req-", f);
  esc(f, id);
  fputs("\" data-req=\"", f);
  esc(f, id);
  fputs("\">", f);
  esc(f, id);
  fputs("</a>", f);
}

static void rule_text(FILE *f, const report *R, const char *id) {
  const reqrow *r = torcint_report_row(R, id);
  fputs(" <span class=\"sum\">", f);
  esc(f, r && *r->summary ? r->summary : "(not in the catalogue)");
  fputs("</span>", f);
  if (r && *r->interp) {
    fputs("<div class=\"interp\">Interpretation: ", f);
    esc(f, r->interp);
    fputs("</div>", f);
  }
}

static void numbering_note(FILE *f) {
  fputs("<p class=\"note numbering\">Numbering: <b>s0, s1, ...</b> are the "
        "steps of the vector's script (what the host does, in order); "
        "<b>e0, e1, ...</b> are the entries of a trace (what the target "
        "did, in order, each trace counted from 0). &ldquo;at script step "
        "sN&rdquo; in a message is the step during which that event came."
        "</p>",
        f);
}

/* The violations, one item per distinct message, naming every requirement
 * that carries it. */
static size_t violations(FILE *f, const report *R, const json_t *rec) {
  const json_t *vs = json_object_get(rec, "violations"), *x, *y;
  size_t k, j, nspec = 0, others;
  fputs("<ul class=\"violations\">", f);
  json_array_foreach(vs, k, x) {
    int seen = 0;
    if (!is_specific(x))
      continue;
    nspec++;
    for (j = 0; j < k && !seen; j++)
      seen = !strcmp(str(json_array_get(vs, j), "message"), str(x, "message"));
    if (seen)
      continue;
    fputs("<li class=\"violation\" data-req=\"", f);
    esc(f, str(x, "requirement"));
    fputs("\" data-reqs=\"", f);
    json_array_foreach(vs, j, y) {
      if (j >= k && !strcmp(str(y, "message"), str(x, "message"))) {
        esc(f, str(y, "requirement"));
        fputc(' ', f);
      }
    }
    fputs("\">", f);
    req_link(f, str(x, "requirement"));
    others = 0;
    json_array_foreach(vs, j, y) {
      if (j > k && !strcmp(str(y, "message"), str(x, "message"))) {
        fputs(others++ ? ", " : " <span class=\"note\">(and ", f);
        req_link(f, str(y, "requirement"));
      }
    }
    if (others)
      fputs(", the same message)</span>", f);
    rule_text(f, R, str(x, "requirement"));
    fputs("<br><span class=\"msg\">", f);
    torcint_report_msg(f, str(x, "message"));
    fputs("</span></li>", f);
  }
  fputs("</ul>", f);
  return nspec;
}

static void divergence(FILE *f, const json_t *rec, long *div_act) {
  const json_t *div = json_object_get(rec, "divergence");
  if (json_is_object(div)) {
    *div_act = (long)json_integer_value(json_object_get(div, "event_index"));
    fprintf(f,
            "<div class=\"divergence\" data-event-index=\"%ld\" "
            "data-stream-offset=\"",
            *div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, "%" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fputs("\" data-expected=\"", f);
    esc(f, str(div, "expected"));
    fputs("\" data-actual=\"", f);
    esc(f, str(div, "actual"));
    fprintf(f,
            "\"><b>First divergence</b> at trace entry e%ld of the "
            "target's trace",
            *div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, ", stream offset %" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fputs("<br>expected: <code class=\"exp\">", f);
    torcint_report_msg(f, str(div, "expected"));
    fputs("</code><br>actual: <code class=\"act\">", f);
    torcint_report_msg(f, str(div, "actual"));
    fputs("</code></div>", f);
  } else if (json_is_object(json_object_get(rec, "traces"))) {
    const json_t *tr = json_object_get(rec, "traces");
    *div_act = torcint_report_first_diff(json_object_get(tr, "expected"),
                                         json_object_get(tr, "actual"));
    if (*div_act >= 0)
      fprintf(f,
              "<div class=\"divergence\" data-event-index=\"%ld\" "
              "data-stream-offset=\"\"><b>First divergence</b> at trace "
              "entry e%ld (the first entry where the traces differ)</div>",
              *div_act, *div_act);
  }
}

static void waiver(FILE *f, const json_t *w) {
  fputs("<p class=\"note\">Waived (was ", f);
  esc(f, str(w, "verdict"));
  fputs("): ", f);
  esc(f, str(w, "reason"));
  fputs(" &mdash; owner ", f);
  esc(f, str(w, "owner"));
  fputs(" &mdash; expires ", f);
  esc(f, str(w, "expires"));
  if (*str(w, "link")) {
    fputs(" &mdash; ", f);
    esc(f, str(w, "link"));
  }
  fputs("</p>", f);
}

static void figures(FILE *f, const json_t *rec, long div_act, int diagrams) {
  if (json_is_object(json_object_get(rec, "traces")) && diagrams) {
    fputs("<div class=\"figs\"><figure>", f);
    torcint_report_sequence_svg(f, rec, div_act);
    fputs("<figcaption>Host script steps s0, s1, ... (blue) and the "
          "target's trace entries e0, e1, ..., expected (left) beside "
          "actual (right); the first divergence is on the red band."
          "</figcaption></figure><figure>",
          f);
    torcint_report_space_svg(f, rec);
    fputs("<figcaption>Sequence space (stream offsets): the receive window "
          "at offload on top (green: from RcvNxt to RcvNxt + RcvWnd), "
          "BufferedData left of RcvNxt, frames as they arrive (orange: out "
          "of order; pink: reaching past the right edge at offload), where "
          "posted requests "
          "should be filled, and what was delivered where (red: not as "
          "expected).</figcaption></figure></div>",
          f);
  } else if (!json_is_object(json_object_get(rec, "traces"))) {
    fputs("<p class=\"note\">No event traces in the results (run with a "
          "torc that records them).</p>",
          f);
  } else {
    fputs("<p class=\"note\">Diagrams omitted (over --max-diagrams).</p>", f);
  }
}

void torcint_report_failure(FILE *f, const report *R, const json_t *rec,
                            int diagrams) {
  const char *verdict = str(rec, "verdict");
  const json_t *x, *div = json_object_get(rec, "divergence");
  const json_t *att = json_object_get(rec, "attributed_to");
  size_t k, nspec;
  long div_act = -1;
  fprintf(f, "<article class=\"failure v-%s-b\" id=\"v-", verdict);
  esc(f, str(rec, "id"));
  fprintf(f, "\" data-verdict=\"%s\" data-reqs=\"", verdict);
  json_array_foreach(json_object_get(rec, "requirements"), k, x) {
    if (k)
      fputc(' ', f);
    esc(f, json_string_value(x));
  }
  json_array_foreach(json_object_get(rec, "violations"), k, x) {
    fputc(' ', f);
    esc(f, str(x, "requirement"));
  }
  fprintf(f, "\"><h2><span class=\"chip v-%s\">%s</span> <code>", verdict,
          verdict);
  esc(f, str(rec, "id"));
  fputs("</code></h2><div class=\"title\">", f);
  esc(f, str(rec, "title"));
  if (*str(rec, "vector")) {
    fputs(" &mdash; <code>", f);
    esc(f, str(rec, "vector"));
    fputs("</code>", f);
  }
  fputs("</div>", f);
  if (vparse(verdict) == TORC_PASS_NONSTRICT) {
    fputs("<p class=\"allowed\">A pass with allowances: the target took a "
          "behaviour the vector allows (a reading of the specification or "
          "a normalization, docs/DECISIONS.md; <code>torc list "
          "--allowances</code> describes each): ",
          f);
    json_array_foreach(json_object_get(rec, "allowances"), k, x) {
      fputs(k ? ", <code class=\"allowance\">" : "<code class=\"allowance\">",
            f);
      esc(f, json_string_value(x) ? json_string_value(x) : "?");
      fputs("</code>", f);
    }
    fputs(".</p>", f);
  }
  if (*str(rec, "detail")) {
    fputs("<p class=\"detail\">", f);
    torcint_report_msg(f, str(rec, "detail"));
    fputs("</p>", f);
  }
  if (json_is_object(json_object_get(rec, "waiver")))
    waiver(f, json_object_get(rec, "waiver"));
  if (json_array_size(att)) {
    fputs("<p class=\"attributed\">Attributed to ", f);
    req_link(f, json_string_value(json_array_get(att, 0)));
    rule_text(f, R, json_string_value(json_array_get(att, 0)));
    if (json_array_size(att) > 1) {
      fputs("<br><span class=\"note\">also decided by: ", f);
      json_array_foreach(att, k, x) {
        if (k) {
          req_link(f, json_string_value(x));
          fputc(' ', f);
        }
      }
      fputs("</span>", f);
    }
    fputs("</p>", f);
  }
  numbering_note(f);
  nspec = violations(f, R, rec);
  if (json_array_size(json_object_get(rec, "violations")) > nspec) {
    fputs("<details><summary>also implicated: the requirements this vector "
          "exercises</summary><p class=\"mono\">",
          f);
    json_array_foreach(json_object_get(rec, "violations"), k, x) {
      if (is_specific(x))
        continue;
      req_link(f, str(x, "requirement"));
      fputc(' ', f);
    }
    fputs("</p></details>", f);
  }
  divergence(f, rec, &div_act);
  figures(f, rec, div_act, diagrams);
  if (json_is_object(div)) {
    fputs("<div class=\"hexdiff\"><b>Bytes at the divergence</b>", f);
    torcint_report_hex_diff(f, div);
    fputs("</div>", f);
  }
  fputs("<div>Replay this vector alone:</div><pre class=\"replay\">", f);
  if (*str(rec, "replay"))
    esc(f, str(rec, "replay"));
  else {
    fputs("torc run --target ", f);
    esc(f, str(json_object_get(R->doc, "target"), "name"));
    fputs(" --id ", f);
    esc(f, str(rec, "id"));
  }
  fputs("</pre></article>\n", f);
}
