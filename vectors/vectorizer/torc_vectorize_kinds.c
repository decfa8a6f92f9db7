/*
 * torc_vectorize_kinds.c - the scenario kinds of `torc vectorize`: their
 * names (file names, tags, the per-kind summary), their titles, and which
 * of them want BufferedData.
 *
 * Vector number i of a flow is of kind i % K_COUNT (torc_vectorize_vector.c);
 * torc_vectorize_script.c writes the script each kind stands for.
 */
#include "torc_vectorize_int.h"

static const char *const kind_name[K_COUNT] = {"buffered-none-posts-first",
                                               "buffered-less-than-request",
                                               "buffered-exact-request",
                                               "buffered-more-than-posts",
                                               "buffered-spread",
                                               "posts-after-data",
                                               "push-timer",
                                               "nonpush",
                                               "refuse",
                                               "partial-accept",
                                               "terminate",
                                               "alloc-fail-offload",
                                               "zero-byte-request",
                                               "indication-size",
                                               "reentrant-post",
                                               "prefilled",
                                               "receive-window",
                                               "long-clock",
                                               "wraparound",
                                               "rst",
                                               "fin-with-data",
                                               "window-edge",
                                               "post-in-indication",
                                               "zero-byte-behind",
                                               "overlap-rcvnxt",
                                               "duplicates",
                                               "fin-ahead-of-data",
                                               "tail-first",
                                               "alloc-fail-post",
                                               "many-requests"};

/* K_ALLOC_FAIL's second vector of a flow: the failure after the offload
 * (DEC-25). */
#define VZ_ALLOC_AFTER_NAME "alloc-fail-after-offload"
#define VZ_ALLOC_AFTER_TITLE                                                   \
  "Verify that an allocation failure after the offload asks for an upload "    \
  "and stops the connection"

static const char *const kind_title[K_COUNT] = {
    "Verify that requests posted before captured data arrives are filled in "
    "stream order",
    "Verify that BufferedData smaller than the first request is held by it "
    "until push or fill",
    "Verify that BufferedData exactly filling a request completes it",
    "Verify that BufferedData beyond the posted requests is indicated after "
    "them",
    "Verify that BufferedData spread over several lists and fragments is "
    "delivered in order",
    "Verify that data without posted requests is indicated and later posts "
    "are filled",
    "Verify that a partly filled push request completes at the push deadline "
    "and not before",
    "Verify that non-push requests complete only when full, whatever PSH says",
    "Verify that refused indicated data is kept and moved into later posts",
    "Verify that the unconsumed tail of a partly accepted indication is kept "
    "in order",
    "Verify that a terminate hands back undelivered data and completes "
    "pending requests",
    "Verify that an offload whose BufferedData cannot be copied fails",
    "Verify that a zero-byte request takes no data and still completes",
    "Verify that indications follow RcvIndicationSize",
    "Verify that a request posted from inside a completion is served before "
    "any indication",
    "Verify that a prefilled push request keeps its bytes and times out",
    "Verify that data beyond the receive window is not accepted",
    "Verify that the push timer still works after weeks of virtual time",
    "Verify that a stream whose sequence numbers cross 2^32 is delivered in "
    "order",
    "Verify that an RST or SYN is acted on only where the rules accept it",
    "Verify that a FIN carrying new data delivers the data and ends the "
    "stream",
    "Verify that a segment ending at or one byte past the window's right "
    "edge is trimmed there",
    "Verify that requests posted from inside an indication are served in "
    "order",
    "Verify that a zero-byte request behind others completes in its turn",
    "Verify that a retransmission overlapping RcvNxt delivers only its new "
    "bytes",
    "Verify that duplicates of held and of delivered data change nothing",
    "Verify that data and a second FIN beyond a known FIN are dropped",
    "Verify that bytes queued out of order win over the same bytes arriving "
    "in sequence later",
    "Verify that a request that cannot be queued for lack of memory is "
    "aborted and an upload asked for",
    "Verify that more requests than one completion carries complete in "
    "posting order"};

/* What each kind was made to test, in a few words (the vector's "focus"). */
static const char *const kind_focus[K_COUNT] = {
    "requests posted before the data: FIFO placement",
    "BufferedData held by a larger first request",
    "BufferedData filling a request exactly",
    "BufferedData beyond the requests, then indicated",
    "BufferedData in many lists and fragments, in order",
    "indication without requests, then posts",
    "push timer completes a partly filled push request",
    "non-push requests complete only when full",
    "refused indication kept for later posts",
    "partly accepted indication keeps its tail",
    "terminate: completions and hand-back",
    "offload fails when BufferedData cannot be copied",
    "zero-byte request takes no data",
    "indications follow RcvIndicationSize",
    "posts from inside a completion come first",
    "prefilled push request keeps its bytes",
    "nothing beyond the receive window",
    "push timer after weeks of virtual time",
    "sequence space crossing 2^32",
    "RST and SYN acceptability",
    "FIN carrying new data",
    "segment at the window's right edge",
    "posts from inside an indication",
    "zero-byte request behind others",
    "retransmission overlapping RcvNxt",
    "duplicate held and delivered data",
    "data and FIN beyond a known FIN",
    "queued tail wins over the in-sequence copy",
    "post refused for memory: aborted, upload",
    "many small requests, several completion calls"};

const char *torc_vz_kind_focus(int kind, int alloc_after) {
  return alloc_after ? "allocation failure after the offload: upload"
                     : kind_focus[kind];
}

const char *torc_vz_kind_name(int kind, int alloc_after) {
  return alloc_after ? VZ_ALLOC_AFTER_NAME : kind_name[kind];
}

const char *torc_vz_kind_title(int kind, int alloc_after) {
  return alloc_after ? VZ_ALLOC_AFTER_TITLE : kind_title[kind];
}

int torc_vz_kind_needs_buffered(int kind, vz_rng *r) {
  switch (kind) {
  case K_BUF_LT_FIRST:
  case K_BUF_EQ:
  case K_BUF_GT:
  case K_BUF_SPREAD:
  case K_ALLOC_FAIL:
    return 1;
  case K_TERMINATE:
    return torc_vz_rng_chance(r, 60);
  case K_REENTRANT:
  case K_NONPUSH:
  case K_ZERO:
    return torc_vz_rng_chance(r, 50);
  case K_PREFILLED:
  case K_PUSH_TIMER:
  case K_LONGCLOCK:
  case K_WRAP:
  case K_RST:
  case K_FIN_DATA:
  case K_ZERO_BEHIND:
    return torc_vz_rng_chance(r, 30);
  case K_WINDOW:
    return torc_vz_rng_chance(r, 40);
  default:
    return 0;
  }
}
