# harness/module.mk - the engine, the torc CLI, the out-of-process runner and
# the purpose-built test targets.  Sources are found by folder:
#   harness/engine/*.c       plays the host and judges (libtorc_harness.a)
#   harness/targets/*.c      loads and isolates targets, the wire protocol
#   harness/input/*.c        reads vectors, captures and TCP flows
#   harness/results/*.c      results, bundles, canonical JSON, hashing
#   harness/run/*.c          the logic of `torc run`: selection, waivers, the loop
#   harness/cli/*.c          the torc program ($(O)/bin/torc)
#   harness/runner/*.c       torc-target-runner: serves any .so over the wire
#                            protocol ($(O)/bin/torc-target-runner)
#   harness/testtargets/*.c  one shared object each ($(O)/lib/testtargets/)
#   harness/tests/           pytest end-to-end tests of the built CLI

HARNESS_DIRS := harness/engine harness/targets harness/input harness/results \
                harness/run
HARNESS_SRCS := $(wildcard $(HARNESS_DIRS:%=%/*.c))
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(O)/obj/%.o)
TORC_CLI_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard harness/cli/*.c))
RUNNER_BIN := $(O)/bin/torc-target-runner
RUNNER_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard harness/runner/*.c))
TESTTARGET_SOS := $(patsubst harness/testtargets/%.c,$(O)/lib/testtargets/%.so,\
                    $(wildcard harness/testtargets/*.c))
HARNESS_LIBS := $(PKG_JANSSON) $(PKG_PCAP) -ldl -lm -pthread

ALL_TARGETS += $(HARNESS_LIB) $(TORC_BIN) $(RUNNER_BIN) $(TESTTARGET_SOS)

$(O)/obj/harness/%.o: CPPFLAGS += $(HARNESS_INC)

# The catalogue's feature map (which TORC_CAP_* features and operations are
# mandatory, by which requirement), compiled into harness/results/.
FEATURES_TABLE_H := $(O)/gen/torc_features_table.h
$(FEATURES_TABLE_H): conformance/catalogue.json conformance/tools/gen_features.py
	@mkdir -p $(@D)
	/usr/bin/python3 conformance/tools/gen_features.py $< $@
$(O)/obj/harness/results/torc_features.o: $(FEATURES_TABLE_H)
$(O)/obj/harness/results/torc_features.o: CPPFLAGS += -I$(O)/gen
$(O)/obj/harness/engine/torc_attribute.o: $(FEATURES_TABLE_H)
$(O)/obj/harness/engine/torc_attribute.o: CPPFLAGS += -I$(O)/gen

# The digest of the suite this torc ships (vectors/handwritten and
# vectors/corpus), computed by a build-time tool linked against the harness
# library and compiled into the torc program: results over another set are
# a PARTIAL RUN.
SUITE_DIGEST_TOOL := $(O)/bin/torc-suite-digest
SUITE_DIGEST_H := $(O)/gen/torc_suite_digest.h
# The folders are prerequisites too: removing a vector changes only its
# folder's time.  `make vectors` rewrites vectors/corpus with the torc
# built here; the next build recomputes the digest (no cycle: the vector
# files are never targets).
SUITE_VECTOR_FILES := $(shell find vectors/handwritten vectors/corpus \
                        \( -type d -o -name '*.json' \) 2>/dev/null)
$(SUITE_DIGEST_TOOL): $(O)/obj/harness/tools/torc_suite_digest.o $(HARNESS_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS)
$(SUITE_DIGEST_H): $(SUITE_DIGEST_TOOL) $(SUITE_VECTOR_FILES)
	@mkdir -p $(@D)
	$(SUITE_DIGEST_TOOL) $@ vectors/handwritten vectors/corpus
$(O)/obj/harness/cli/torc_cli_suite.o: $(SUITE_DIGEST_H)
$(O)/obj/harness/cli/torc_cli_suite.o: CPPFLAGS += -I$(O)/gen

$(HARNESS_LIB): $(HARNESS_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# The programs that load targets export nothing to them (harness/torc.map):
# a target's calls bind to its own functions, never to torc's of the same
# name.  Under the sanitizers (SAN=1) the script is left out: clang links
# its sanitizer runtime into the program and exports the runtime's
# interceptors (malloc, free, ...) for the instrumented targets it loads
# (--dynamic-list), which "local: *" would hide; torc's own functions stay
# unexported either way (no -rdynamic).
EXPORTS_MAP := harness/torc.map
EXPORTS_LDFLAGS := $(if $(SAN),,-Wl,--version-script=$(EXPORTS_MAP))

$(TORC_BIN): $(TORC_CLI_OBJS) $(REPORTS_LIB) $(VECTORIZE_LIB) $(HARNESS_LIB) \
    $(REF_LIB) $(EXPORTS_MAP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(EXPORTS_LDFLAGS) -o $@ $(filter-out $(EXPORTS_MAP),$^) \
	  $(HARNESS_LIBS)

$(RUNNER_BIN): $(RUNNER_OBJS) $(HARNESS_LIB) $(REF_LIB) $(EXPORTS_MAP)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(EXPORTS_LDFLAGS) -o $@ $(filter-out $(EXPORTS_MAP),$^) \
	  $(HARNESS_LIBS) $(PKG_SECCOMP)

$(O)/lib/testtargets/%.so: $(O)/obj/harness/testtargets/%.o $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-Bsymbolic $(LDFLAGS) -o $@ $^

# A vendor's target carrying torc's internal names, linked as a vendor links
# (no -Bsymbolic, nothing of torc): it must run as itself
# (harness/tests/test_symbols.py).
$(O)/lib/testtargets/same_names.so: $(O)/obj/harness/testtargets/same_names.o
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS) -o $@ $^

# H6: the loader/proxy/runner smoke driver used by harness/tests/test_loading.py
LOAD_SMOKE := $(O)/tests/load_smoke
LOAD_SMOKE_OBJS := $(patsubst %.c,$(O)/obj/%.o,\
                     $(wildcard harness/tests/load_smoke*.c))
ALL_TARGETS += $(LOAD_SMOKE)
$(LOAD_SMOKE): $(LOAD_SMOKE_OBJS) $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS)

# H9: Check unit tests of the harness library, one suite per module
# (harness/unit/test_<module>.c).  As in reference/module.mk, the runner's
# list of suites is every "Suite *xxx_suite(void)" defined in a test file.
HARNESS_UNIT_SRCS := $(wildcard harness/unit/*.c)
HARNESS_UNIT_OBJS := $(HARNESS_UNIT_SRCS:%.c=$(O)/obj/%.o)
HARNESS_UNIT := $(O)/tests/harness_tests
HARNESS_SUITES_H := $(O)/gen/harness_suites.h
ALL_TARGETS += $(HARNESS_UNIT)
CHECK_TARGETS += check-harness-unit

$(HARNESS_SUITES_H): $(HARNESS_UNIT_SRCS)
	@mkdir -p $(@D)
	grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(HARNESS_UNIT_SRCS) | \
	  sed 's/^Suite \*\([a-z0-9_]*\)_suite(void)/SUITE(\1)/' | sort -u > $@.tmp
	mv $@.tmp $@

$(O)/obj/harness/unit/main.o: $(HARNESS_SUITES_H)
$(O)/obj/harness/unit/%.o: CPPFLAGS += -I$(O)/gen -Iharness/unit

$(HARNESS_UNIT): $(HARNESS_UNIT_OBJS) $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_CHECK) $(HARNESS_LIBS)

# The unit tests (run-harness-unit, also run by `make asan`), then the same
# binary under valgrind.
.PHONY: check-harness-unit run-harness-unit
run-harness-unit: $(HARNESS_UNIT)
	CK_VERBOSITY=minimal $(HARNESS_UNIT)
check-harness-unit: run-harness-unit
	CK_FORK=no CK_VERBOSITY=minimal valgrind -q --error-exitcode=99 \
	  --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  $(HARNESS_UNIT)

# H7: install and uninstall (the programs, the vendor header, torc.pc, the
# man page, the docs, the catalogue, the vectors, the pytest plugin), the
# end-to-end pytest of the CLI, and the harness benchmark.
TORC_VERSION := $(shell sed -n 's/^\#define TORC_VERSION_STRING "\(.*\)"/\1/p' \
                  harness/include/torc/target.h)
INSTALL_TARGETS += install-harness
CHECK_TARGETS += check-e2e
BENCH_HARNESS := $(O)/bin/torc-bench-harness
BENCH_HARNESS_OBJS := $(O)/obj/harness/bench/torc_bench_harness.o
BENCH_TARGETS += bench-harness

# What `make install` puts under $(DESTDIR)$(PREFIX) and `make uninstall`
# removes, one MODE:SOURCE:DEST (DEST relative to the prefix) each; the
# vectors (every .json and capture of vectors/ but the schema folder) are
# listed by the same find in both recipes, and torc.pc is written with the
# prefix.  The pytest plugin goes with its conftest to share/torc/pytest
# (`pytest PREFIX/share/torc/pytest --torc-target SPEC`).
TORC_DOCS := README.md ARCHITECTURE.md $(wildcard docs/*.md)
TORC_INSTALL_FILES := 755:$(TORC_BIN):bin/torc \
  755:$(RUNNER_BIN):bin/torc-target-runner \
  644:harness/include/torc/target.h:include/torc/target.h \
  644:docs/torc.1:share/man/man1/torc.1 \
  644:conformance/catalogue.json:share/torc/catalogue.json \
  644:vectors/schema/vector.schema.json:share/torc/schema/vector.schema.json \
  644:conformance/pytest_torc.py:share/torc/pytest/pytest_torc.py \
  644:conformance/conftest.py:share/torc/pytest/conftest.py \
  644:examples/adapter-skeleton/adapter.c:share/torc/examples/adapter-skeleton/adapter.c \
  644:examples/adapter-skeleton/Makefile:share/torc/examples/adapter-skeleton/Makefile \
  755:examples/python-target/torc_reference_target.py:share/torc/examples/python-target/torc_reference_target.py \
  644:examples/python-target/README.md:share/torc/examples/python-target/README.md \
  644:examples/ci/github-actions.yml:share/torc/examples/ci/github-actions.yml \
  644:examples/ci/gitlab-ci.yml:share/torc/examples/ci/gitlab-ci.yml \
  $(foreach d,$(TORC_DOCS),644:$(d):share/doc/torc/$(notdir $(d)))
TORC_FIND_VECTORS := cd vectors && find . -path ./schema -prune -o -type f \
  \( -name '*.json' -o -name '*.pcap' -o -name '*.pcapng' \) -print | sort
# Our own folders, removed by uninstall once empty (deepest first).
TORC_INSTALL_DIRS := share/torc share/doc/torc include/torc
UNINSTALL_TARGETS += uninstall-harness

.PHONY: install-harness uninstall-harness check-e2e bench-harness
install-harness: $(TORC_BIN) $(RUNNER_BIN)
	@set -e; for e in $(TORC_INSTALL_FILES); do \
	  m=$${e%%:*}; r=$${e#*:}; src=$${r%%:*}; dst=$${r#*:}; \
	  echo "install $$src -> $(DESTDIR)$(PREFIX)/$$dst"; \
	  install -D -m $$m "$$src" "$(DESTDIR)$(PREFIX)/$$dst"; \
	done
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(TORC_VERSION)|g' \
	  harness/torc.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/torc.pc
	($(TORC_FIND_VECTORS)) | while read -r f; do \
	    install -D -m 644 "vectors/$$f" \
	      "$(DESTDIR)$(PREFIX)/share/torc/vectors/$$f" || exit 1; \
	  done

uninstall-harness:
	@for e in $(TORC_INSTALL_FILES); do \
	  r=$${e#*:}; dst=$${r#*:}; rm -f "$(DESTDIR)$(PREFIX)/$$dst"; \
	done
	rm -f $(DESTDIR)$(PREFIX)/lib/pkgconfig/torc.pc
	($(TORC_FIND_VECTORS)) | while read -r f; do \
	    rm -f "$(DESTDIR)$(PREFIX)/share/torc/vectors/$$f"; \
	  done
	for d in $(TORC_INSTALL_DIRS); do \
	  if [ -d "$(DESTDIR)$(PREFIX)/$$d" ]; then \
	    find "$(DESTDIR)$(PREFIX)/$$d" -depth -type d -empty -delete; \
	  fi; \
	done

check-e2e: $(TORC_BIN) $(RUNNER_BIN) $(TESTTARGET_SOS) $(LOAD_SMOKE) $(REF_SO)
	TORC_BUILD=$(O) $(PYTEST) -q harness/tests

$(BENCH_HARNESS): $(BENCH_HARNESS_OBJS) $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS)

bench-harness: $(BENCH_HARNESS)
	$(BENCH_HARNESS) vectors

# H9: capture reading + reassembly against tcpdump/tshark, and its memory on
# a synthesized 100 MiB and 1 GiB capture in $(O)/bench (not committed).
BENCH_FLOW := $(O)/bench/bench_flow
ALL_TARGETS += $(BENCH_FLOW)
BENCH_TARGETS += bench-flow

$(BENCH_FLOW): $(O)/obj/harness/bench/bench_flow.o \
    $(O)/obj/harness/bench/bench_synth.o $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS)

.PHONY: bench-flow
bench-flow: $(BENCH_FLOW)
	$(BENCH_FLOW) $(O)/bench

# Issue 15: the peak RSS of `torc vectorize` on a synthesized 25 MiB and
# 200 MiB capture, with and without a hole never filled, in paired
# alternating runs (docs/PERFORMANCE.md, "Vectorizer memory").
BENCH_VECMEM := $(O)/bench/bench_vecmem
ALL_TARGETS += $(BENCH_VECMEM)
BENCH_TARGETS += bench-vecmem

$(BENCH_VECMEM): $(O)/obj/harness/bench/bench_vecmem.o \
    $(O)/obj/harness/bench/bench_synth.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_PCAP)

.PHONY: bench-vecmem
bench-vecmem: $(BENCH_VECMEM) $(TORC_BIN)
	$(BENCH_VECMEM) $(TORC_BIN) conformance/catalogue.json $(O)/bench

# The vendor header compiles on its own as C99 -pedantic and as C++.
CHECK_TARGETS += check-header
.PHONY: check-header
check-header:
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c \
	  harness/include/torc/target.h
	g++ -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c++ \
	  harness/include/torc/target.h
	@echo "check-header: torc/target.h is self-contained C99 and C++"
