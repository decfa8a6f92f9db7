# harness/module.mk - the engine and the torc CLI.
