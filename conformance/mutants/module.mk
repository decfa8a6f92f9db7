# conformance/mutants/module.mk - mutants: the reference with one deliberate
# fault each, and the self-test that the vectors kill every one of them.
#
#   $(O)/lib/mutants/<name>.so   one per conformance/mutants/<name>.c,
#                                exporting torc_target_init (torc/target.h)
#   check-mutants                every mutant fails `torc run` through a
#                                vector citing the requirement it breaks,
#                                the reference passes ("killed N of M")
#
# A mutant whose fault is a wrapper (harness/testtargets/tt_wrap.h) links the normal
# reference library.  A mutant listed in MUTANTS_INTERNAL links a second
# build of the reference sources compiled with -DTORC_MUTANT_<NAME>=1
# (reference/torc_mutant.h) into $(O)/obj/mutref/<name>/.

MUTANT_SRCS := $(wildcard conformance/mutants/*.c)
# Bad targets of the harness's own tests that are also mutants: one source,
# harness/testtargets/<name>.c, copied here once built.
MUTANTS_SHARED := keeps_host_buffer indicates_during_completion
MUTANT_NAMES := $(patsubst conformance/mutants/%.c,%,$(MUTANT_SRCS)) \
  $(MUTANTS_SHARED)
MUTANT_SOS := $(MUTANT_NAMES:%=$(O)/lib/mutants/%.so)
MUTANTS_INTERNAL := indicates_buffered_early new_overtakes_held \
  fills_newest_first completes_partial_nonpush push_timer_never_starts \
  push_timer_not_stopped push_timer_not_restarted reindicates_refused \
  drops_partial_tail delivers_overlap_twice out_of_order_early \
  zero_byte_consumes ignores_psh reentrant_post_recurses \
  disconnect_before_data
MUTANTS_WRAPPED := $(filter-out $(MUTANTS_INTERNAL) $(MUTANTS_SHARED),\
  $(MUTANT_NAMES))

ALL_TARGETS += $(MUTANT_SOS)
CHECK_TARGETS += check-mutants

$(O)/obj/conformance/mutants/%.o: CPPFLAGS += -Iharness/testtargets

$(MUTANTS_SHARED:%=$(O)/lib/mutants/%.so): $(O)/lib/mutants/%.so: \
    $(O)/lib/testtargets/%.so
	@mkdir -p $(@D)
	cp $< $@

$(MUTANTS_WRAPPED:%=$(O)/lib/mutants/%.so): $(O)/lib/mutants/%.so: \
    $(O)/obj/conformance/mutants/%.o $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-Bsymbolic $(LDFLAGS) -o $@ $^

# One reference build per internal mutant, with its fault switched on.
define MUTANT_INTERNAL_RULES
$(O)/obj/mutref/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -DTORC_MUTANT_$(2)=1 $$(CFLAGS) -c $$< -o $$@

$(O)/lib/mutants/$(1).so: $(O)/obj/conformance/mutants/$(1).o \
    $(REF_SRCS:%.c=$(O)/obj/mutref/$(1)/%.o)
	@mkdir -p $$(@D)
	$$(CC) -shared -Wl,-Bsymbolic $$(LDFLAGS) -o $$@ $$^
endef
$(foreach m,$(MUTANTS_INTERNAL),$(eval $(call MUTANT_INTERNAL_RULES,$(m),$(shell echo $(m) | tr a-z A-Z))))

.PHONY: check-mutants
check-mutants: $(TORC_BIN) $(REF_SO) $(MUTANT_SOS)
	/usr/bin/python3 conformance/mutation_score.py --torc $(TORC_BIN) \
	  --reference $(REF_SO) --mutants $(O)/lib/mutants \
	  --table conformance/mutants/mutants.json \
	  --work $(O)/mutants vectors/handwritten vectors/corpus
