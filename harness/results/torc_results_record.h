/*
 * torc_results_record.h - interface for a module to turn what the engine
 * found for one vector into a result record of the results document.
 *
 * The one place where the engine's torc_result meets the results: the run
 * builds each record here, then hands it to torc_results_add and
 * torc_journal_append (torc_results.h), which know only JSON.
 */
#ifndef TORC_RESULTS_RECORD_H
#define TORC_RESULTS_RECORD_H

#include <jansson.h>

#include "torc_engine.h"
#include "torc_vector.h"

/* Builds the JSON record of one result (ownership transfers to the caller).
 * Every string coming from the target side is sanitised to valid UTF-8. */
json_t *torc_results_record(const torc_result *r, const torc_vector *v);

#endif /* TORC_RESULTS_RECORD_H */
