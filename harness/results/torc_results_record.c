/*
 * torc_results_record.c - one result record built from the engine's
 * torc_result and the vector it judged.
 *
 * Called by the run for every finished vector; the record then goes to the
 * results document and the journal.  Every text from the target side goes
 * through torc_json_text (valid UTF-8, bounded).
 */
#include "torc_results_record.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "torc_results.h"

static json_t *allowances_json(const char *s) {
  json_t *a = json_array();
  char buf[TORC_MSG_SIZE];
  char *tok, *save = NULL;
  snprintf(buf, sizeof buf, "%.*s", (int)strnlen(s, TORC_MSG_SIZE - 1), s);
  for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
    json_array_append_new(a, torc_json_text(tok, TORC_MSG_SIZE));
  return a;
}

json_t *torc_results_record(const torc_result *r, const torc_vector *v) {
  json_t *rec, *reqs, *viol, *div = json_null();
  size_t i;
  uint32_t nv = r->nviolations;
  int verdict = (int)r->verdict;

  if (verdict < 0 || verdict >= TORC_VERDICT_COUNT)
    verdict = TORC_ERROR;
  reqs = json_array();
  if (v)
    for (i = 0; i < v->nrequirements; i++)
      json_array_append_new(reqs, torc_json_text(v->requirements[i], 64));
  viol = json_array();
  if (nv > TORC_MAX_VIOLATIONS)
    nv = TORC_MAX_VIOLATIONS;
  for (i = 0; i < nv; i++)
    json_array_append_new(
        viol,
        json_pack("{s:o, s:o}", "requirement",
                  torc_json_text(r->violations[i].requirement,
                                 sizeof r->violations[i].requirement),
                  "message",
                  torc_json_text(r->violations[i].message, TORC_MSG_SIZE)));
  if (r->divergence.present) {
    json_decref(div);
    div = json_pack(
        "{s:I, s:o, s:o, s:o}", "event_index",
        (json_int_t)r->divergence.event_index, "stream_offset",
        r->divergence.stream_offset == UINT64_MAX
            ? json_null()
            : json_integer((json_int_t)r->divergence.stream_offset),
        "expected", torc_json_text(r->divergence.expected, TORC_MSG_SIZE),
        "actual", torc_json_text(r->divergence.actual, TORC_MSG_SIZE));
  }
  rec = json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:f}", "id",
                  torc_json_text(v ? v->id : r->id, 64), "title",
                  torc_json_text(v ? v->title : "", 1024), "verdict",
                  torc_verdict_name((torc_verdict)verdict), "requirements",
                  reqs, "allowances", allowances_json(r->allowances),
                  "violations", viol, "divergence", div, "detail",
                  torc_json_text(r->detail, TORC_MSG_SIZE), "duration_ms",
                  (double)r->duration_ns / 1e6);
  if (rec && r->nattributed > 0) {
    json_t *att = json_array();
    for (i = 0; i < r->nattributed && i < TORC_MAX_VIOLATIONS; i++)
      json_array_append_new(
          att, torc_json_text(r->attributed[i], sizeof r->attributed[i]));
    json_object_set_new(rec, "attributed_to", att);
  }
  return rec;
}
