/*
 * torc_report_failure.c - the article of the page for one vector that did
 * not pass: its violations with the rules' summaries, its waiver, the first
 * divergence, the diagrams, the bytes and the command that replays it.
 *
 * Written by the page (torc_report_page.c) for every vector whose verdict
 * is not PASS or UNTESTED, drawing on the sequence diagram, the sequence
 * space and the hex diff.
 */
#include "torc_report_int.h"

void torcint_report_failure(FILE *f, const report *R, const json_t *rec,
                            int diagrams) {
  const char *verdict = str(rec, "verdict");
  const json_t *x, *div = json_object_get(rec, "divergence");
  const json_t *w = json_object_get(rec, "waiver");
  size_t k, nspec = 0;
  long div_act = -1;
  fputs("<article class=\"failure v-", f);
  fprintf(f, "%s-b\" id=\"v-", verdict);
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
  fprintf(f, "\"><h3><span class=\"chip v-%s\">%s</span> <code>", verdict,
          verdict);
  esc(f, str(rec, "id"));
  fputs("</code></h3><div class=\"title\">", f);
  esc(f, str(rec, "title"));
  fputs("</div>", f);
  if (*str(rec, "detail")) {
    fputs("<p class=\"detail\">", f);
    esc(f, str(rec, "detail"));
    fputs("</p>", f);
  }
  if (json_is_object(w)) {
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
  /* Violated requirements with the rule's one-line summary. */
  fputs("<ul class=\"violations\">", f);
  json_array_foreach(json_object_get(rec, "violations"), k, x) {
    const reqrow *r;
    if (!is_specific(x))
      continue;
    nspec++;
    r = torcint_report_row(R, str(x, "requirement"));
    fputs("<li class=\"violation\" data-req=\"", f);
    esc(f, str(x, "requirement"));
    fputs("\"><a class=\"req\" href=\"#\" data-req=\"", f);
    esc(f, str(x, "requirement"));
    fputs("\">", f);
    esc(f, str(x, "requirement"));
    fputs("</a> <span class=\"sum\">", f);
    esc(f, r && *r->summary ? r->summary : "(not in the catalogue)");
    fputs("</span><br><span class=\"msg\">", f);
    esc(f, str(x, "message"));
    fputs("</span></li>", f);
  }
  fputs("</ul>", f);
  if (json_array_size(json_object_get(rec, "violations")) > nspec) {
    fputs("<details><summary>also implicated: the requirements this vector "
          "exercises</summary><p class=\"mono\">",
          f);
    json_array_foreach(json_object_get(rec, "violations"), k, x) {
      if (is_specific(x))
        continue;
      fputs("<a class=\"req\" href=\"#\" data-req=\"", f);
      esc(f, str(x, "requirement"));
      fputs("\">", f);
      esc(f, str(x, "requirement"));
      fputs("</a> ", f);
    }
    fputs("</p></details>", f);
  }
  if (json_is_object(div)) {
    div_act = (long)json_integer_value(json_object_get(div, "event_index"));
    fprintf(f,
            "<div class=\"divergence\" data-event-index=\"%ld\" "
            "data-stream-offset=\"",
            div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, "%" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fprintf(f, "\"><b>First divergence</b> at actual event %ld", div_act);
    if (json_is_integer(json_object_get(div, "stream_offset")))
      fprintf(f, ", stream offset %" JSON_INTEGER_FORMAT,
              json_integer_value(json_object_get(div, "stream_offset")));
    fputs("<br>expected: <code class=\"exp\">", f);
    esc(f, str(div, "expected"));
    fputs("</code><br>actual: <code class=\"act\">", f);
    esc(f, str(div, "actual"));
    fputs("</code></div>", f);
  } else if (json_is_object(json_object_get(rec, "traces"))) {
    const json_t *tr = json_object_get(rec, "traces");
    div_act = torcint_report_first_diff(json_object_get(tr, "expected"),
                                        json_object_get(tr, "actual"));
    if (div_act >= 0)
      fprintf(f,
              "<div class=\"divergence\" data-event-index=\"%ld\" "
              "data-stream-offset=\"\"><b>First divergence</b> at event %ld "
              "of the traces (the first entry that differs)</div>",
              div_act, div_act);
  }
  if (json_is_object(json_object_get(rec, "traces")) && diagrams) {
    fputs("<div class=\"figs\"><figure>", f);
    torcint_report_sequence_svg(f, rec, div_act);
    fputs("<figcaption>Host script (blue) and target calls, expected beside "
          "actual; the first divergence is on the red band.</figcaption>"
          "</figure><figure>",
          f);
    torcint_report_space_svg(f, rec);
    fputs("<figcaption>Sequence space: BufferedData left of RcvNxt, frames "
          "as they arrive (orange: out of order), where posted requests "
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
