# vectors/module.mk - sources and targets of vectors/ (rules live in the top Makefile).
