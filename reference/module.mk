# reference/module.mk - the reference offload target and its Check tests.
#
# Lists sources and targets only; the rules live in the top Makefile.
#   $(O)/lib/libtorc_reference.a   the reference target (sans-I/O library)
#   $(O)/lib/torc-reference.so     the same, exporting torc_target_init()
#   $(O)/tests/reference_tests     Check runner, one suite per module

REF_SRCS := $(filter-out reference/torc_reference_so.c,$(wildcard reference/*.c))
REF_OBJS := $(REF_SRCS:%.c=$(O)/obj/%.o)
REF_SO := $(O)/lib/torc-reference.so

REF_TEST_SRCS := $(wildcard reference/tests/*.c)
REF_TEST_OBJS := $(REF_TEST_SRCS:%.c=$(O)/obj/%.o)
REF_TESTS := $(O)/tests/reference_tests
REF_SUITES_H := $(O)/gen/reference_suites.h

ALL_TARGETS += $(REF_LIB) $(REF_SO) $(REF_TESTS)
CHECK_TARGETS += check-unit asan valgrind

$(REF_LIB): $(REF_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(REF_SO): $(O)/obj/reference/torc_reference_so.o $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-Bsymbolic $(LDFLAGS) -o $@ $^

# The runner's list of suites is every "Suite *xxx_suite(void)" defined in a
# test file, so adding a suite never means editing a shared list.
$(REF_SUITES_H): $(REF_TEST_SRCS)
	@mkdir -p $(@D)
	grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(REF_TEST_SRCS) | \
	  sed 's/^Suite \*\([a-z0-9_]*\)_suite(void)/SUITE(\1)/' | sort -u > $@.tmp
	mv $@.tmp $@

$(O)/obj/reference/tests/main.o: $(REF_SUITES_H)
$(O)/obj/reference/tests/%.o: CPPFLAGS += -I$(O)/gen -Ireference/tests

$(REF_TESTS): $(REF_TEST_OBJS) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_CHECK) -lm

.PHONY: check-unit
check-unit: $(REF_TESTS)
	CK_VERBOSITY=minimal $(REF_TESTS)

valgrind: $(REF_TESTS)
	CK_FORK=no CK_VERBOSITY=minimal valgrind -q --error-exitcode=99 \
	  --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  $(REF_TESTS)

# Throughput of the receive path against memcpy in the same run, from
# paired alternating runs over a source larger than the last-level cache.
REF_BENCH := $(O)/bench/bench_stream
ALL_TARGETS += $(REF_BENCH)
BENCH_TARGETS += bench-reference

$(O)/obj/reference/bench/%.o: CPPFLAGS += -Iharness/bench
$(REF_BENCH): $(O)/obj/reference/bench/bench_stream.o $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

.PHONY: bench-reference
bench-reference: $(REF_BENCH)
	$(REF_BENCH) 256

# What the committed vectors alone reach of the reference (issue 13): the
# reference built with gcov instrumentation into $(O)/cov, run over every
# vector in-process, and the line and branch figures held by the floors in
# conformance/reference-coverage.tsv (scripts/check_reference_coverage.py
# prints them per file and fails when one falls below its floor), every
# line left uncovered listed with its reason in
# conformance/reference-uncovered.tsv.
REF_COV_DIR := $(O)/cov
REF_COV_OBJS := $(patsubst reference/%.c,$(REF_COV_DIR)/%.o,\
  $(REF_SRCS) reference/torc_reference_so.c)
REF_COV_SO := $(REF_COV_DIR)/torc-reference-cov.so
CHECK_TARGETS += check-reference-coverage

$(REF_COV_DIR)/%.o: reference/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -O0 -fPIC --coverage \
	  -c $< -o $@

$(REF_COV_SO): $(REF_COV_OBJS)
	$(CC) -shared --coverage -Wl,-Bsymbolic -o $@ $^

# The readings (issue 14): the same instrumented reference inside the test
# target other_reading, taking one other reading of docs/DECISIONS.md at a
# time.  Every committed vector must PASS under each (a vector whose trace
# the reading changes carries that reading's alternative), and what the
# readings execute counts: the gcov data of both objects add up.
REF_COV_READING_SO := $(REF_COV_DIR)/other-reading-cov.so
$(REF_COV_READING_SO): $(O)/obj/harness/testtargets/other_reading.o \
    $(filter-out %/torc_reference_so.o,$(REF_COV_OBJS))
	$(CC) -shared --coverage -Wl,-Bsymbolic -o $@ $^

# The explanations (issue 12): the same instrumented reference with its
# explain hook set, inside the test target explained, which checks every
# note and that every judged upcall comes with notes.  A shared object
# never has the hook set; without this run no vector would reach the half
# of each TORC_WHY that writes, nor torc_why.c.
REF_COV_EXPLAINED_SO := $(REF_COV_DIR)/explained-cov.so
$(REF_COV_EXPLAINED_SO): $(O)/obj/harness/testtargets/explained.o \
    $(filter-out %/torc_reference_so.o,$(REF_COV_OBJS))
	$(CC) -shared --coverage -Wl,-Bsymbolic -o $@ $^

.PHONY: check-reference-coverage
check-reference-coverage: $(TORC_BIN) $(REF_COV_SO) $(REF_COV_READING_SO) \
    $(REF_COV_EXPLAINED_SO)
	rm -f $(REF_COV_DIR)/*.gcda
	$(TORC_BIN) run --target $(REF_COV_SO) --vectors vectors/ \
	  --isolate none --quiet
	@echo "explained:"
	$(TORC_BIN) run --target $(REF_COV_EXPLAINED_SO) --vectors vectors/ \
	  --isolate none --quiet
	set -e; for r in $$($(TORC_BIN) list --allowances | \
	    awk -F'\t' '$$3 == "reading" { print $$1 }'); do \
	  echo "reading $$r:"; \
	  TORC_TT_READINGS=$$r $(TORC_BIN) run --target $(REF_COV_READING_SO) \
	    --vectors vectors/ --isolate none --quiet; \
	done
	/usr/bin/python3 scripts/check_reference_coverage.py $(REF_COV_DIR) \
	  conformance/reference-coverage.tsv conformance/reference-uncovered.tsv
