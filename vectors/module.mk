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

# The vectorizer (vectors/vectorizer/*.c): captures in, vectors out; one
# library linked into torc (`torc vectorize`, `torc list --coverage`).
VECTORIZE_SRCS := $(wildcard vectors/vectorizer/*.c)
VECTORIZE_OBJS := $(VECTORIZE_SRCS:%.c=$(O)/obj/%.o)
ALL_TARGETS += $(VECTORIZE_LIB)

$(VECTORIZE_LIB): $(VECTORIZE_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(O)/obj/vectors/%.o: CPPFLAGS += $(HARNESS_INC) -Ivectors/vectorizer
# The command (harness/cli/torc_cli_vectorize.c) calls it through
# torc_vectorize.h.
$(O)/obj/harness/cli/torc_cli_vectorize.o: CPPFLAGS += -Ivectors/vectorizer
$(O)/obj/harness/cli/torc_cli_explain.o: CPPFLAGS += -Ivectors/vectorizer

.PHONY: check-vectors
check-vectors: $(TORC_BIN)
	$(TORC_BIN) lint vectors/
	TORC=$(TORC_BIN) $(PYTEST) -q harness/tests/test_vectors_schema.py

# H11: the pcap-derived corpus.  `make vectors` regenerates vectors/corpus/
# from the committed captures (torc vectorize, fixed seed; the expected
# traces are the reference's).  check-corpus regenerates into
# $(O)/corpus-check (O inside the repository, so capture paths match),
# fails if it differs from the committed corpus, and runs the committed
# corpus against the reference.  check-coverage fails when a testable
# requirement of groups A-J (or group K's RST/SYN rows) has vectors from fewer
# than 3 flows.
VECTORIZE_CAPTURES := $(sort $(wildcard vectors/captures/*.pcap \
                        vectors/captures/*.pcapng))
VECTORIZE_ARGS := --flows dport=5001 --per-flow 180 --select 8 --seed 1 -q

CHECK_TARGETS += check-corpus check-coverage

.PHONY: vectors check-corpus check-coverage
vectors: $(TORC_BIN)
	$(TORC_BIN) vectorize $(VECTORIZE_CAPTURES) -o vectors/corpus \
	  $(VECTORIZE_ARGS)

check-corpus: $(TORC_BIN)
	$(TORC_BIN) vectorize $(VECTORIZE_CAPTURES) -o $(O)/corpus-check \
	  $(VECTORIZE_ARGS)
	diff -r vectors/corpus $(O)/corpus-check
	$(TORC_BIN) run --target reference --vectors vectors/corpus --quiet

# `torc list --coverage` counts, per requirement, the vectors (and flows)
# in which it decides an expected event (its "because", issue 12).  The gate
# (scripts/check_coverage.py) fails on a testable requirement of groups A-J (or K's RST/SYN rows)
# decided in fewer than 3 flows that conformance/coverage-gaps.tsv does not
# list with a reason, and on a listed gap that is closed; and
# (scripts/check_outcomes.py) on a flowchart outcome or wire-path branch
# the kept vectors reach in fewer than 3 flows (vectors/corpus/selection.tsv)
# that conformance/outcome-gaps.tsv does not list.
check-coverage: $(TORC_BIN)
	@mkdir -p $(O)
	@$(TORC_BIN) list --coverage vectors/ > $(O)/coverage.tsv \
	  2> $(O)/coverage.err; rc=$$?; tail -1 $(O)/coverage.err; \
	  if [ $$rc -gt 1 ]; then cat $(O)/coverage.err; exit 1; fi
	/usr/bin/python3 scripts/check_coverage.py $(O)/coverage.tsv \
	  conformance/catalogue.json conformance/coverage-gaps.tsv
	/usr/bin/python3 scripts/check_outcomes.py vectors/corpus/selection.tsv \
	  conformance/outcome-gaps.tsv
