# adapters/linux/module.mk - the Linux adapter (H15): Linux's TCP receive
# path as an offload target, a .so built against <torc/target.h> only and
# run out of process through torc-target-runner.
#
#   $(O)/lib/torc-linux.so   the adapter
#   check-linux              adapters/linux/tests (skips without root,
#                            CAP_NET_ADMIN, tun or TCP_REPAIR)

LINUX_SRCS := $(wildcard adapters/linux/*.c)
LINUX_OBJS := $(LINUX_SRCS:%.c=$(O)/obj/%.o)
LINUX_SO := $(O)/lib/torc-linux.so

ALL_TARGETS += $(LINUX_SO)
CHECK_TARGETS += check-linux

$(LINUX_SO): $(LINUX_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-Bsymbolic $(LDFLAGS) -o $@ $^

.PHONY: check-linux
check-linux: $(LINUX_SO) $(TORC_BIN) $(RUNNER_BIN)
	TORC_BUILD=$(O) $(PYTEST) -q adapters/linux/tests

# Regenerates the committed run (docs/linux/results.json) and its report
# (docs/linux/report/) after the vectors change; check-linux fails until it
# is re-run and committed.
LINUX_TARGET_SPEC = exec:$(RUNNER_BIN) --target $(LINUX_SO)
.PHONY: linux-results
linux-results: $(LINUX_SO) $(TORC_BIN) $(RUNNER_BIN)
	@mkdir -p docs/linux
	$(TORC_BIN) run --target '$(LINUX_TARGET_SPEC)' --jobs 2 \
	  --vectors vectors/handwritten --vectors vectors/corpus \
	  --json docs/linux/results.json; test $$? -le 1
	$(TORC_BIN) report docs/linux/results.json -o docs/linux/report \
	  --catalogue conformance/catalogue.json
