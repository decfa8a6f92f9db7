# harness/bench/module.mk - `make bench-e2e`: a whole `torc run` against
# merely parsing the same vector files (scripts/bench_pairs.py), over a
# generated set of 8,705 vectors (torc vectorize of the committed captures,
# 460 per flow) kept in $(O)/bench/e2e-set, not committed.  With
# BENCH_BASELINE=OLD/bin/torc it also times OLD against this torc.
BENCH_PARSE := $(O)/bench/bench_parse
BENCH_E2E_SET := $(O)/bench/e2e-set
ALL_TARGETS += $(BENCH_PARSE)
BENCH_TARGETS += bench-e2e

$(BENCH_PARSE): $(O)/obj/harness/bench/bench_parse.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ -ljansson

$(BENCH_E2E_SET): | $(TORC_BIN)
	rm -rf $@
	$(TORC_BIN) vectorize vectors/captures/*.pcap vectors/captures/*.pcapng \
	  -o $@ --per-flow 460 -q

.PHONY: bench-e2e
bench-e2e: $(TORC_BIN) $(BENCH_PARSE) $(BENCH_E2E_SET)
	/usr/bin/python3 scripts/bench_pairs.py --torc $(TORC_BIN) \
	  --parse $(BENCH_PARSE) --set $(BENCH_E2E_SET) --scale-dir $(O)/bench \
	  $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE))

# `make bench-exec`: the per-vector cost of an exec: and a contained target
# against the same target in process (scripts/bench_exec.py), with a
# pass-through target using the whole ABI (harness/testtargets/
# pass_through.c: the reference behind forwarders), over the committed
# vectors.
BENCH_PASS := $(O)/lib/testtargets/pass_through.so
BENCH_TARGETS += bench-exec

.PHONY: bench-exec
bench-exec: $(TORC_BIN) $(RUNNER_BIN) $(BENCH_PASS)
	/usr/bin/python3 scripts/bench_exec.py --torc $(TORC_BIN) \
	  --runner $(abspath $(RUNNER_BIN)) --pass $(abspath $(BENCH_PASS)) \
	  --vectors vectors
