# fuzz/module.mk - libFuzzer targets for everything that parses input.
#
#   $(O)/fuzz/fuzz_capture_parse   torc_capture_parse on one frame, any DLT
#   $(O)/fuzz/fuzz_flow            a pcap/pcapng image -> torc_flow
#   $(O)/fuzz/fuzz_vector          a JSON file -> torc_vector_load
#   $(O)/fuzz/fuzz_wire_peer       a hostile exec: target's byte stream ->
#                                  the proxy's channel, validator, upcalls
#   $(O)/fuzz/fuzz_results         a results document -> torc_results_load,
#                                  merge, diff, torc_report_write
#   $(O)/fuzz/fuzz_waivers         a waiver file -> torc_waivers_load, match
#   $(O)/fuzz/fuzz_manifest        a package MANIFEST -> torc_manifest_parse,
#                                  format (torc verify)
#
# Built with clang (FUZZ_CC) from the harness and reference sources compiled
# again with clang into $(O)/fuzz/obj (never mixed with the gcc objects).
# Seed corpora come from the committed captures and hand-written vectors,
# the wire messages make_seeds.py builds, and the seed files committed under
# fuzz/seeds/<name>/ (fuzz/make_seeds.py -> $(O)/fuzz/seeds/<name>); what
# the fuzzers find is
# kept in $(O)/fuzz/corpus/<name>, crashes in $(O)/fuzz/artifacts/.
#   make fuzz              each target for FUZZ_SECONDS (default 60)
#   make fuzz-smoke        each target for FUZZ_SMOKE_SECONDS (10; in check)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_DIR := $(O)/fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
  -Wall -Wno-unused-parameter -MMD -MP
FUZZ_LIB_SRCS := $(filter-out reference/torc_reference_so.c,\
                   $(HARNESS_SRCS) $(REPORTS_SRCS) $(wildcard reference/*.c))
FUZZ_LIB_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB := $(FUZZ_DIR)/libtorc_fuzz.a
FUZZ_NAMES := capture_parse flow vector wire_peer results waivers manifest
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SEEDS := $(FUZZ_DIR)/seeds/.stamp
FUZZ_RUN_FLAGS := -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/

CHECK_TARGETS += fuzz-smoke

# The fuzzer objects are not intermediates: keep them between runs.
.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o)

$(FUZZ_DIR)/obj/harness/results/torc_features.o: $(FEATURES_TABLE_H)
$(FUZZ_DIR)/obj/harness/engine/torc_attribute.o: $(FEATURES_TABLE_H)
$(REPORTS_SRCS:%.c=$(FUZZ_DIR)/obj/%.o): $(REPORT_ASSETS_H)
$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -Iharness/include -Ireference $(HARNESS_INC) -Ireports \
	  -I$(O)/gen \
	  $(FUZZ_CFLAGS) \
	  -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	  $(PKG_PCAP) $(PKG_JANSSON) -ldl -lm

$(FUZZ_SEEDS): fuzz/make_seeds.py $(wildcard vectors/captures/*.pcap*) \
               $(wildcard vectors/handwritten/*.json) \
               $(wildcard fuzz/seeds/*/*)
	rm -rf $(FUZZ_DIR)/seeds
	/usr/bin/python3 fuzz/make_seeds.py $(FUZZ_DIR)/seeds vectors/captures \
	  vectors/handwritten fuzz/seeds
	touch $@

# $(call fuzz_run,NAME,SECONDS): run one target; on a failure print the
# end of its log (the crash and the reproducer's path).
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/artifacts
	@echo "fuzz_$(1): $(2) s"
	@$(FUZZ_DIR)/fuzz_$(1) -max_total_time=$(2) $(FUZZ_RUN_FLAGS) \
	  $(FUZZ_DIR)/corpus/$(1) $(FUZZ_DIR)/seeds/$(1) \
	  > $(FUZZ_DIR)/fuzz_$(1).log 2>&1 || \
	  { tail -60 $(FUZZ_DIR)/fuzz_$(1).log; exit 1; }
	@grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' \
	  $(FUZZ_DIR)/fuzz_$(1).log | tr '\n' ' '; echo

endef

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)

fuzz: fuzz-build
	$(foreach n,$(FUZZ_NAMES),$(call fuzz_run,$(n),$(FUZZ_SECONDS)))

fuzz-smoke: fuzz-build
	$(foreach n,$(FUZZ_NAMES),$(call fuzz_run,$(n),$(FUZZ_SMOKE_SECONDS)))

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
