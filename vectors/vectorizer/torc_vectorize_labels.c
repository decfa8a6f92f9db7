/*
 * torc_vectorize_labels.c - what a vector says about itself besides its
 * requirement ids: its tags (vectorized, kind, link type, IP version,
 * reordering, duplicates, FIN, buffered), the target capabilities it
 * requires, and the judge allowances its script needs.
 *
 * Read from the finished scenario and, for the allowances, the reference's
 * trace; called by torc_vectorize_vector.c before the final write.
 */
#include "torc_vectorize_int.h"

void torc_vz_add_str(json_t *a, const char *s) {
  json_array_append_new(a, json_string(s));
}

/* The tags: vectorized, the kind, the link type, the IP version, and what
 * the replay holds. */
void torc_vz_tags(const vz_ctx *c, const vz_scen *s, const torc_flow_dir *d,
                  const char *kname, json_t *tags) {
  torc_vz_add_str(tags, "vectorized");
  torc_vz_add_str(tags, kname);
  torc_vz_add_str(tags, c->link_tag);
  torc_vz_add_str(tags, d->key.ip_version == 6 ? "ipv6" : "ipv4");
  if (s->has_ooo)
    torc_vz_add_str(tags, "ooo");
  if (s->has_dup)
    torc_vz_add_str(tags, "dup");
  if (s->has_fin)
    torc_vz_add_str(tags, "fin");
  if (s->buffered)
    torc_vz_add_str(tags, "buffered");
  if (s->seq_shift)
    torc_vz_add_str(tags, "seq-rebased");
  if (s->derived)
    torc_vz_add_str(tags, "derived");
}

/* The capabilities (state.requires) the script uses; "indicate" when it
 * uses none of the others. */
void torc_vz_requires(const vz_scen *s, int n_ind, json_t *requires) {
  json_array_clear(requires);
  if (s->buffered)
    torc_vz_add_str(requires, "buffered_data");
  if (s->has_push)
    torc_vz_add_str(requires, "push_mode");
  if (s->has_nonpush)
    torc_vz_add_str(requires, "nonpush_mode");
  if (n_ind || s->has_refuse_answer || s->has_partial_answer)
    torc_vz_add_str(requires, "indicate");
  if (s->has_partial_answer)
    torc_vz_add_str(requires, "partial_accept");
  if (s->has_zero)
    torc_vz_add_str(requires, "zero_byte_request");
  if (s->has_prefilled)
    torc_vz_add_str(requires, "prefilled_request");
  if (s->has_reentrant || s->has_in_indication)
    torc_vz_add_str(requires, "reentrant_post");
  if (s->has_terminate)
    torc_vz_add_str(requires, "terminate");
  if (s->has_fin)
    torc_vz_add_str(requires, "fin");
  if (s->has_rst)
    torc_vz_add_str(requires, "rst");
  if (s->has_fail_alloc)
    torc_vz_add_str(requires, "alloc_hook");
  if (s->has_advance)
    torc_vz_add_str(requires, "virtual_time");
  if (s->has_ooo)
    torc_vz_add_str(requires, "out_of_order");
  if (json_array_size(requires) == 0)
    torc_vz_add_str(requires, "indicate");
}

/* The judge allowances the script needs (an array, possibly empty). */
json_t *torc_vz_allowances(const vz_scen *s, json_t *trace, int multi) {
  json_t *allow = json_array();
  if (s->nposts >= 2 || multi)
    torc_vz_add_str(allow, "completion-batching");
  if (s->has_fail_alloc)
    torc_vz_add_str(allow, "offload-fail-status");
  if (s->has_terminate) {
    torc_vz_add_str(allow, "upload-request-status");
    torc_vz_add_str(allow, "upload-deliver");
  }
  {
    size_t rat;
    uint32_t info;
    if (torc_vz_trace_retrieve(trace, &rat, &info) >= 0)
      torc_vz_add_str(allow, "upload-wanted-posts");
  }
  if (s->has_fail_alloc && s->alloc_after)
    torc_vz_add_str(allow, "resource-no-retrieve");
  if (s->has_terminate)
    torc_vz_add_str(allow, "terminate-async");
  if (s->has_rst)
    torc_vz_add_str(allow, "rst-requests-pending");
  if (s->ind_size)
    torc_vz_add_str(allow, "indication-size");
  return allow;
}
