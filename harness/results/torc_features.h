/*
 * torc_features.h - interface for a module to ask which target features
 * (TORC_CAP_*) and operations the specification makes mandatory, and why.
 *
 * The map is data in the requirement catalogue (conformance/catalogue.json,
 * "features" and "operations"), compiled in from the table that
 * conformance/tools/gen_features.py generates.  The engine asks it when a
 * target lacks what a vector needs (a mandatory feature: FAIL citing the
 * requirement; a testability hook: UNTESTED), the run and the report ask
 * it to name a target's missing features.  Knows nothing of the engine.
 */
#ifndef TORC_FEATURES_H
#define TORC_FEATURES_H

#include <stddef.h>
#include <stdint.h>

typedef struct torc_feature {
  uint64_t cap;             /* one TORC_CAP_* bit */
  const char *name;         /* "PUSH_MODE" */
  int mandatory;            /* the specification requires it */
  const char *requirements; /* "RCV-176,RCV-177": first is the one cited */
  const char *what;         /* one line: what the feature is */
  const char *because;      /* not mandatory: why its vectors are UNTESTED */
} torc_feature;

/* The features in bit order; *n gets their number. */
const torc_feature *torc_features(size_t *n);
/* The feature of one TORC_CAP_* bit, or NULL. */
const torc_feature *torc_feature_of(uint64_t cap);
/* The bits of every mandatory feature. */
uint64_t torc_features_mandatory(void);
/* The requirements ("RCV-045" or "RCV-a,RCV-b") that make the operation
 * (a torc_target member: "receive", "segment", ...) mandatory, or NULL. */
const char *torc_operation_requirements(const char *op);
/* Copies the first id of a "RCV-a,RCV-b" list into out (out[16]). */
void torc_features_first_requirement(const char *list, char out[16]);

#endif /* TORC_FEATURES_H */
