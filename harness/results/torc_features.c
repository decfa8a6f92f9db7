/*
 * torc_features.c - the catalogue's feature map, compiled in.
 *
 * The rows come from $(O)/gen/torc_features_table.h, which harness/module.mk
 * generates from conformance/catalogue.json with
 * conformance/tools/gen_features.py: one TORC_FEATURE_ROW per TORC_CAP_*
 * feature and one TORC_OPERATION_ROW per target operation.
 */
#include "torc_features.h"

#include <string.h>
#include <torc/target.h>

static const torc_feature feature_rows[] = {
#define TORC_FEATURE_ROW(cap, name, mandatory, reqs, what, because)            \
  {cap, name, mandatory, reqs, what, because},
#include "torc_features_table.h"
#undef TORC_FEATURE_ROW
};

typedef struct operation_row {
  const char *op;
  const char *requirements;
} operation_row;

static const operation_row operation_rows[] = {
#define TORC_FEATURE_ROW(cap, name, mandatory, reqs, what, because)
#define TORC_OPERATION_ROW(op, reqs) {op, reqs},
#include "torc_features_table.h"
#undef TORC_OPERATION_ROW
#undef TORC_FEATURE_ROW
};

const torc_feature *torc_features(size_t *n) {
  *n = sizeof feature_rows / sizeof feature_rows[0];
  return feature_rows;
}

const torc_feature *torc_feature_of(uint64_t cap) {
  size_t i;
  for (i = 0; i < sizeof feature_rows / sizeof feature_rows[0]; i++)
    if (feature_rows[i].cap == cap)
      return &feature_rows[i];
  return NULL;
}

uint64_t torc_features_mandatory(void) {
  uint64_t m = 0;
  size_t i;
  for (i = 0; i < sizeof feature_rows / sizeof feature_rows[0]; i++)
    if (feature_rows[i].mandatory)
      m |= feature_rows[i].cap;
  return m;
}

const char *torc_operation_requirements(const char *op) {
  size_t i;
  for (i = 0; op && i < sizeof operation_rows / sizeof operation_rows[0]; i++)
    if (strcmp(operation_rows[i].op, op) == 0)
      return operation_rows[i].requirements;
  return NULL;
}

void torc_features_first_requirement(const char *list, char out[16]) {
  size_t n = 0;
  while (list && list[n] && list[n] != ',' && n < 15) {
    out[n] = list[n];
    n++;
  }
  out[n] = '\0';
}
