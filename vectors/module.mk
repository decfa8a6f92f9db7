# vectors/module.mk - sources and targets of vectors/ (rules live in the top
# Makefile).
#   vectors/schema/vector.schema.json   the vector format (JSON Schema 2020-12)
#   vectors/schema/vector_id.py         content-derived ids (--check, --fix)
#   vectors/handwritten/*.json          hand-written vectors over
#                                       vectors/handwritten/capture/*.pcap
#
# check-vectors: every vector passes `torc lint` (the C loader: schema rules
# plus cross-field rules) and the schema/malformed-vector pytest
# (harness/tests/test_vectors_schema.py, python3-jsonschema).

CHECK_TARGETS += check-vectors

.PHONY: check-vectors
check-vectors: $(TORC_BIN)
	$(TORC_BIN) lint vectors/
	TORC=$(TORC_BIN) $(PYTEST) -q harness/tests/test_vectors_schema.py
