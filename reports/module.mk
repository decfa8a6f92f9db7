# reports/module.mk - the main job: the suite against the reference target,
# and the reports made from its results.
#
#   make conformance [TARGET=reference|path/to/target.so|exec:CMD]
#     runs every committed vector and ends by printing the report's path.

TARGET ?= reference
CONFORMANCE_DIR := $(O)/conformance
CONFORMANCE_VECTORS ?= $(wildcard vectors/handwritten vectors/corpus)

.PHONY: conformance
conformance: $(TORC_BIN) $(TESTTARGET_SOS)
	@mkdir -p $(CONFORMANCE_DIR)
	$(TORC_BIN) run --target $(TARGET) --vectors $(CONFORMANCE_VECTORS) \
	  --json $(CONFORMANCE_DIR)/results.json \
	  --junit $(CONFORMANCE_DIR)/junit.xml
	@echo "report: $(CONFORMANCE_DIR)/results.json"
