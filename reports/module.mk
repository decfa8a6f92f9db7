# reports/module.mk - sources and targets of reports/ (rules live in the top Makefile).
