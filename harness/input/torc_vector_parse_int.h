/*
 * torc_vector_parse_int.h - what the parts of the vector loader share: the
 * loader context, the typed getters, the defaults and the section parsers
 * (private to harness/input/torc_vector*.c).
 *
 * Flow: torc_vector.c reads the JSON document and calls, in this order, the
 * provenance parser (torc_vector_provenance.c), the state, buffered-data and
 * host parsers (torc_vector_state.c), the stream builder
 * (torc_vector_stream.c), the events parser (torc_vector_events.c) and the
 * expectation parser (torc_vector_expected.c); then it checks the rules
 * across sections and the content id.  Every parser reads members through
 * the getters of torc_vector_json.c, which write the first error as
 * "FILE: $.json.path: problem" into the loader context.  Every function
 * returns 0 (or 1 for "absent, default used") or -1 after an error.
 */
#ifndef TORC_VECTOR_PARSE_INT_H
#define TORC_VECTOR_PARSE_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_capture.h"
#include "torc_vector_int.h"

/* ---- Defaults (the one place they live besides the schema) ------------- */
#define DEF_RCV_WND 65535u
#define DEF_TICKS_PER_SECOND 1000u
#define DEF_MSS 1460u
#define DEF_PUSH 1
#define MAX_EVENTS 100000u
#define MAX_REQUEST_SIZE (1u << 30)

/* ---- Loader context: file name, JSON path, first error ----------------- */
typedef struct ld {
  const char *file;
  char path[256];
  size_t plen;
  char *err;
  size_t errlen;
} ld;

void torcint_vector_fail(ld *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t torcint_vector_push_key(ld *L, const char *key);
size_t torcint_vector_push_idx(ld *L, size_t i);
void torcint_vector_pop(ld *L, size_t old);

/* ---- Typed getters (torc_vector_json.c) --------------------------------- */
int torcint_vector_check_keys(ld *L, json_t *obj, const char *const *allowed);
json_t *torcint_vector_want_object(ld *L, json_t *parent, const char *key,
                                   int required);
json_t *torcint_vector_want_array(ld *L, json_t *parent, const char *key,
                                  int required);
int torcint_vector_get_int(ld *L, json_t *obj, const char *key, int required,
                           uint64_t min, uint64_t max, uint64_t dflt,
                           uint64_t *out);
int torcint_vector_get_u32(ld *L, json_t *obj, const char *key, int required,
                           uint32_t min, uint32_t max, uint32_t dflt,
                           uint32_t *out);
int torcint_vector_get_bool(ld *L, json_t *obj, const char *key, int dflt,
                            int *out);
const char *torcint_vector_get_str(ld *L, json_t *obj, const char *key,
                                   int required, int *bad);
int torcint_vector_get_str_list(ld *L, json_t *root, const char *key,
                                int (*ok)(const char *), const char *what,
                                char ***out, size_t *n);
/* Every string of the document j (member names too) holds only characters
 * torc's text may carry (torc_text.h); -1 naming the first that does not,
 * by its JSON path and code point. */
int torcint_vector_check_text(ld *L, json_t *j);
/* 1 when the JSON text s (n bytes) cannot decode to a string that
 * torcint_vector_check_text would refuse: printable ASCII, tab, LF and CR
 * only, and no escape that makes a control character or any other code
 * point (\b, \f, \u).  Conservative: 0 only means "walk the tree". */
int torcint_vector_text_is_plain(const char *s, size_t n);

/* ---- Names (torc_vector_names.c) ---------------------------------------- */
uint64_t torcint_vector_cap_bit(const char *name);

/* ---- Sections ------------------------------------------------------------ */

/* The frames a vector lists ($.provenance.frames). */
typedef struct frameset {
  uint32_t *nums; /* listed frame numbers, in listed (arrival) order */
  size_t n;
  uint8_t *listed; /* listed[number] != 0 */
} frameset;

/* Posted request ids, for checking the expectation. */
typedef struct idset {
  uint64_t *ids;
  size_t n;
} idset;

int torcint_vector_parse_provenance(ld *L, json_t *root, torc_vector_body *b,
                                    torc_capture_cache *cc, frameset *fs);
int torcint_vector_parse_state(ld *L, json_t *root, torc_vector_body *b);
int torcint_vector_parse_buffered(ld *L, json_t *root, torc_vector_body *b);
int torcint_vector_parse_host(ld *L, json_t *root, torc_vector_body *b);
int torcint_vector_parse_transform(ld *L, json_t *root, torc_vector_body *b,
                                   const frameset *fs);
int torcint_vector_build_stream(ld *L, torc_vector_body *b, const frameset *fs);
int torcint_vector_parse_events(ld *L, json_t *root, torc_vector_body *b,
                                const frameset *fs, idset *ids);
int torcint_vector_idset_has(const idset *s, uint64_t id);
int torcint_vector_parse_expected(ld *L, json_t *root, torc_vector_body *b,
                                  const idset *ids);

#endif /* TORC_VECTOR_PARSE_INT_H */
