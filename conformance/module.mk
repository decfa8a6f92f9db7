# conformance/module.mk - sources and targets of conformance/ (rules live in the top Makefile).
