# torc - one non-recursive Makefile for the whole tree.
#
# Each top-level folder has a module.mk fragment that only lists its sources
# and targets; the rules live here.  Everything is built out of tree into
# $(O) (default build/).
#
#   make                 build everything (build/bin/torc, libraries, tests)
#   make check           every test: Check unit tests, sanitizer run, valgrind
#                        run, pytest suites, requirement-citation count, the
#                        layout's invariants (ARCHITECTURE.md)
#   make asan            the unit tests built and run with ASan + UBSan (gcc)
#   make asan-clang      the same built with clang
#   make valgrind        the unit tests run under valgrind
#   make bench           benchmarks (ratios against baselines of the same run)
#   make conformance     the suite against the reference target, with report
#   make install PREFIX=/usr/local   (and DESTDIR=/staging)
#   make uninstall PREFIX=/usr/local removes what install put there
#   make format          reformat C sources; make format-check checks them
#   make clean
#
# One test: CK_RUN_SUITE=deliver CK_RUN_CASE=entry1 build/tests/reference_tests

O ?= build
PREFIX ?= /usr/local
SAN ?=

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
PYTEST ?= /usr/bin/python3 -m pytest

WARN := -Wall -Wextra -Werror -pedantic -Wshadow -Wundef -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wwrite-strings \
        -Wformat=2 -Wvla -Wno-unused-parameter
CSTD := -std=c11 -D_GNU_SOURCE
OPT ?= -O2 -g
ifneq ($(SAN),)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
# Sanitized tests run several times slower: Check's 4 s per-test timeout
# stretched so a loaded machine does not turn slowness into an error.
export CK_TIMEOUT_MULTIPLIER := 8
endif
CPPFLAGS += -Iharness/include -Ireference
# The harness's own headers, for the harness and for the parts built on it
# (reports, the vectorizer, fuzzers).
HARNESS_INC := -Iharness/engine -Iharness/targets -Iharness/input \
               -Iharness/results -Iharness/run -Iharness/cli
CFLAGS += $(CSTD) $(WARN) $(OPT) -fPIC -MMD -MP
LDFLAGS += $(LDSAN)

PKG_CHECK := $(shell pkg-config --cflags --libs check 2>/dev/null)
PKG_PCAP := $(shell pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
PKG_JANSSON := $(shell pkg-config --cflags --libs jansson 2>/dev/null || echo -ljansson)
PKG_SECCOMP := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)

# The libraries and the program the parts link with one another, named here
# so that any fragment may use them before the one that builds them is read.
REF_LIB := $(O)/lib/libtorc_reference.a
HARNESS_LIB := $(O)/lib/libtorc_harness.a
REPORTS_LIB := $(O)/lib/libtorc_reports.a
VECTORIZE_LIB := $(O)/lib/libtorc_vectorize.a
TORC_BIN := $(O)/bin/torc

# Filled by the fragments.
ALL_TARGETS :=
CHECK_TARGETS :=
BENCH_TARGETS :=
INSTALL_TARGETS :=
UNINSTALL_TARGETS :=
CLANG_FORMAT_FILES :=

.PHONY: all check asan asan-clang valgrind bench conformance install uninstall clean format format-check
all:

include reference/module.mk
include harness/module.mk
include harness/bench/module.mk
include vectors/module.mk
include conformance/module.mk
include reports/module.mk
include fuzz/module.mk
include adapters/linux/module.mk

all: $(ALL_TARGETS)

# Objects: $(O)/obj/<path>.o from <path>.c.
$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The architecture's invariants (ARCHITECTURE.md): include directions between
# the parts and file sizes, then the checker's own tests.
CHECK_TARGETS += check-layout
.PHONY: check-layout
check-layout:
	/usr/bin/python3 scripts/check_layout.py
	$(PYTEST) -q scripts/tests

check: $(CHECK_TARGETS)

bench: $(BENCH_TARGETS)

# The programs, the targets and the unit tests (reference and harness)
# built with ASan + UBSan, and the unit tests run: once with gcc and once
# with clang, each in its own output tree (objects of the two compilers
# never mix).  Both are part of `make check`.  san-build is every program and
# shared object but the mutants and benchmarks (the mutants are copies of
# the reference, built here already).
SAN_CHECKS := san-build check-unit run-harness-unit
CHECK_TARGETS += asan-clang
.PHONY: san-build
san-build: $(TORC_BIN) $(RUNNER_BIN) $(TESTTARGET_SOS) $(REF_SO) $(LINUX_SO) \
    $(LOAD_SMOKE) $(SUITE_DIGEST_TOOL)
asan:
	$(MAKE) O=$(O)/asan SAN=1 CC=gcc $(SAN_CHECKS)
asan-clang:
	$(MAKE) O=$(O)/asan-clang SAN=1 CC=clang $(SAN_CHECKS)

install: $(INSTALL_TARGETS)
uninstall: $(UNINSTALL_TARGETS)

clean:
	rm -rf $(O)

C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(C_SOURCES)
format-check:
	@clang-format --dry-run --Werror $(C_SOURCES) && echo "format-check: ok"

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
