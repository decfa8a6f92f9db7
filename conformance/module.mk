# conformance/module.mk - the requirement catalogue and the checks on it.
#
#   check-citations   how many MUST/MUST NOT/BEHAVIOR rows of groups A-I the
#                     unit tests cite ("N of M"); fails below 90%, or with
#                     fewer than 150 Check tests

CATALOGUE := conformance/catalogue.json
CHECK_TARGETS += check-citations

.PHONY: check-citations
check-citations:
	/usr/bin/python3 conformance/citations.py --min-percent 90 --min-tests 150 \
	  $(CATALOGUE) $(wildcard reference/tests/test_*.c)

CHECK_TARGETS += check-conformance-py
.PHONY: check-conformance-py
check-conformance-py:
	$(PYTEST) -q conformance/tests --ignore=conformance/tests/test_pytest_plugin.py
include conformance/mutants/module.mk

# H13: the pytest runner (conformance/pytest_torc.py, registered by
# conformance/conftest.py): `pytest conformance --torc-target=SPEC` runs each
# vector as a pytest test.  Its tests run the plugin in subprocesses against
# the built torc, the reference and the bad test targets.
CHECK_TARGETS += check-pytest-plugin
.PHONY: check-pytest-plugin
check-pytest-plugin: $(TORC_BIN) $(TESTTARGET_SOS)
	TORC_BUILD=$(O) $(PYTEST) -q conformance/tests/test_pytest_plugin.py

# The captured specification's fingerprint (hashes of its 12-word runs and
# quotes), which the catalogue's copy checks read: regenerate it when the
# specification outside the repository changes.  Not part of `make check`
# (the specification is not in the repository; the fingerprint is).
TORC_REQUIREMENTS ?= ../shared/spec/REQUIREMENTS.md
.PHONY: spec-fingerprint
spec-fingerprint:
	/usr/bin/python3 conformance/tools/spec_fingerprint.py \
	  $(TORC_REQUIREMENTS) conformance/spec-fingerprint.txt
