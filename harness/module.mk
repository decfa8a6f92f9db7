# harness/module.mk - the engine, the torc CLI, the out-of-process runner and
# the purpose-built test targets.  Sources are found by folder:
#   harness/*.c              engine library (libtorc_harness.a)
#   harness/cli/*.c          the torc program ($(O)/bin/torc)
#   harness/runner/*.c       torc-target-runner: serves any .so over the wire
#                            protocol ($(O)/bin/torc-target-runner)
#   harness/testtargets/*.c  one shared object each ($(O)/lib/testtargets/)
#   harness/tests/           pytest end-to-end tests of the built CLI

HARNESS_SRCS := $(wildcard harness/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(O)/obj/%.o)
HARNESS_LIB := $(O)/lib/libtorc_harness.a
TORC_BIN := $(O)/bin/torc
TORC_CLI_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard harness/cli/*.c))
RUNNER_BIN := $(O)/bin/torc-target-runner
RUNNER_OBJS := $(patsubst %.c,$(O)/obj/%.o,$(wildcard harness/runner/*.c))
TESTTARGET_SOS := $(patsubst harness/testtargets/%.c,$(O)/lib/testtargets/%.so,\
                    $(wildcard harness/testtargets/*.c))
HARNESS_LIBS := $(PKG_JANSSON) $(PKG_PCAP) -ldl -lm

ALL_TARGETS += $(HARNESS_LIB) $(TORC_BIN) $(RUNNER_BIN) $(TESTTARGET_SOS)

$(O)/obj/harness/%.o: CPPFLAGS += -Iharness

$(HARNESS_LIB): $(HARNESS_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(TORC_BIN): $(TORC_CLI_OBJS) $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $^ $(HARNESS_LIBS)

$(RUNNER_BIN): $(RUNNER_OBJS) $(HARNESS_LIB) $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(HARNESS_LIBS)

$(O)/lib/testtargets/%.so: $(O)/obj/harness/testtargets/%.o $(REF_LIB)
	@mkdir -p $(@D)
	$(CC) -shared $(LDFLAGS) -o $@ $^
