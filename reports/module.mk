# reports/module.mk - the main job: the suite against the reference target,
# and the reports made from its results (H14).
#
#   make conformance [TARGET=reference|path/to/target.so|exec:CMD]
#     runs every committed vector, writes results, JUnit and the HTML
#     report, and ends by printing the report's path.
#   make check-reports
#     pytest of the report (HTML content, page order, failures by rule,
#     vector pages, window edges, decoded names, the main page under 1 MB,
#     digest, summary, bundles, diff) and the headless-Chromium tests of the
#     pages and their screenshots (a failure without chromium, never a skip).
#
# The page's template, CSS and script (reports/report.*) are compiled into
# torc as C arrays: $(O)/gen/torc_report_assets.h.

TARGET ?= reference
CONFORMANCE_DIR := $(O)/conformance
CONFORMANCE_VECTORS ?= $(wildcard vectors/handwritten vectors/corpus)

REPORT_ASSETS := reports/report.html.in reports/report.css reports/report.js
REPORT_ASSETS_H := $(O)/gen/torc_report_assets.h

$(REPORT_ASSETS_H): $(REPORT_ASSETS) reports/module.mk
	@mkdir -p $(@D)
	{ echo '/* Generated from reports/ by reports/module.mk; do not edit. */'; \
	  for f in $(REPORT_ASSETS); do \
	    n=$$(basename $$f | tr '.-' '__'); \
	    echo "static const char torc_asset_$$n[] = {"; \
	    od -An -v -tx1 $$f | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '0x00};'; \
	  done; } > $@.tmp
	mv $@.tmp $@

# The renderer: reports/*.c, one library linked into torc; its entry point is
# reports/torc_report.h.
REPORTS_SRCS := $(wildcard reports/*.c)
REPORTS_OBJS := $(REPORTS_SRCS:%.c=$(O)/obj/%.o)
ALL_TARGETS += $(REPORTS_LIB)

$(REPORTS_LIB): $(REPORTS_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(REPORTS_OBJS): $(REPORT_ASSETS_H)
$(O)/obj/reports/%.o: CPPFLAGS += $(HARNESS_INC) -Ireports -I$(O)/gen
# The `torc report` command (harness/cli/torc_cli_report.c) calls the library
# through reports/torc_report.h.
$(O)/obj/harness/cli/torc_cli_report.o: CPPFLAGS += -Ireports

.PHONY: conformance
conformance: $(TORC_BIN) $(RUNNER_BIN) $(TESTTARGET_SOS)
	@mkdir -p $(CONFORMANCE_DIR) && rm -rf $(CONFORMANCE_DIR)/bundles
	$(TORC_BIN) run --target $(TARGET) --vectors $(CONFORMANCE_VECTORS) \
	  --json $(CONFORMANCE_DIR)/results.json \
	  --junit $(CONFORMANCE_DIR)/junit.xml \
	  --bundle $(CONFORMANCE_DIR)/bundles; \
	  st=$$?; \
	  $(TORC_BIN) report $(CONFORMANCE_DIR)/results.json \
	    -o $(CONFORMANCE_DIR)/report --junit $(CONFORMANCE_DIR)/junit.xml \
	    --catalogue $(CATALOGUE) >/dev/null || exit 2; \
	  echo "results: $(CONFORMANCE_DIR)/results.json"; \
	  echo "summary: $(CONFORMANCE_DIR)/report/summary.md"; \
	  echo "report: $(CONFORMANCE_DIR)/report/report.html"; \
	  exit $$st

CHECK_TARGETS += check-reports
.PHONY: check-reports
check-reports: $(TORC_BIN) $(TESTTARGET_SOS)
	TORC_BUILD=$(O) $(PYTEST) -q reports/tests
