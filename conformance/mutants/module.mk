# conformance/mutants/module.mk - mutants: the reference with one deliberate
# fault each, and the self-test that the vectors kill every one of them.
#
#   $(O)/lib/mutants/<name>.so   one per conformance/mutants/<name>.c,
#                                exporting torc_target_init (torc/target.h)
#   check-mutants                every mutant fails `torc run` through a
#                                vector citing the requirement it breaks,
#                                the reference passes ("killed N of M")
#
# A mutant whose fault is a wrapper (harness/testtargets/tt_wrap.h) links the
# normal reference library.  A mutant with a patches/<name>.patch (internal)
# links its own copy of the reference: mutref.sh copies reference/ to
# $(O)/mutref/<name>/src/reference/ and applies the patch there (a patch that
# no longer applies fails the build, naming the mutant), and that copy is
# compiled into $(O)/obj/mutref/<name>/.

MUTANT_SRCS := $(wildcard conformance/mutants/*.c)
# Bad targets of the harness's own tests that are also mutants: one source,
# harness/testtargets/<name>.c, copied here once built.
MUTANTS_SHARED := keeps_host_buffer indicates_during_completion
MUTANT_NAMES := $(patsubst conformance/mutants/%.c,%,$(MUTANT_SRCS)) \
  $(MUTANTS_SHARED)
MUTANT_SOS := $(MUTANT_NAMES:%=$(O)/lib/mutants/%.so)
MUTANT_PATCHES := $(wildcard conformance/mutants/patches/*.patch)
MUTANTS_INTERNAL := $(patsubst conformance/mutants/patches/%.patch,%,\
  $(MUTANT_PATCHES))
MUTREF_SH := conformance/mutants/mutref.sh
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

# One patched copy of the reference per internal mutant, and its build.  The
# copy is remade whenever the patch or any reference source changes; the
# objects' dependency files name the copied sources, made by the copy.
define MUTANT_INTERNAL_RULES
$(O)/mutref/$(1)/src/.patched: conformance/mutants/patches/$(1).patch \
    $(wildcard reference/*.c reference/*.h) $(MUTREF_SH)
	sh $(MUTREF_SH) $(1) $$< reference $(O)/mutref/$(1)/src

$(O)/mutref/$(1)/src/reference/%: $(O)/mutref/$(1)/src/.patched ;

$(REF_SRCS:%.c=$(O)/obj/mutref/$(1)/%.o): $(O)/obj/mutref/$(1)/%.o: \
    $(O)/mutref/$(1)/src/.patched
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) -c $(O)/mutref/$(1)/src/$$*.c -o $$@

$(O)/lib/mutants/$(1).so: $(O)/obj/conformance/mutants/$(1).o \
    $(REF_SRCS:%.c=$(O)/obj/mutref/$(1)/%.o)
	@mkdir -p $$(@D)
	$$(CC) -shared -Wl,-Bsymbolic $$(LDFLAGS) -o $$@ $$^
endef
$(foreach m,$(MUTANTS_INTERNAL),$(eval $(call MUTANT_INTERNAL_RULES,$(m))))

.PHONY: check-mutants
check-mutants: $(TORC_BIN) $(REF_SO) $(MUTANT_SOS)
	/usr/bin/python3 conformance/mutation_score.py --torc $(TORC_BIN) \
	  --reference $(REF_SO) --mutants $(O)/lib/mutants \
	  --table conformance/mutants/mutants.json \
	  --work $(O)/mutants vectors/handwritten vectors/corpus
