#!/usr/bin/env python3
"""check_layout.py - the architecture's invariants, checked on the source tree.

Part of `make check` (target check-layout, top Makefile).  ARCHITECTURE.md
states the invariants in prose; this script is their executable form:

  1. The reference is the model alone: reference/ (its library, not its tests
     or benchmark) includes nothing but its own headers and the public header
     harness/include/torc/target.h.
  2. Reports read results files and the catalogue: nothing under reports/
     reaches the engine, the target loader, the vector reader, the run, the
     CLI, the vectorizer or the reference, directly or through a header.
  3. The engine reaches the reference only through the one place that
     registers built-in targets (harness/targets/torc_load.c).  Besides the
     reference's own tests and benchmark, only targets built from the
     reference (harness/testtargets/, conformance/mutants/) may include its
     headers.
  4. The harness's libraries do not depend on their users: nothing under
     harness/{engine,targets,input,results,run} includes a header of the CLI,
     the reports or the vectorizer.
  5. Size: no source file (.c, .h, .py) over 800 lines; no file of the CLI
     (harness/cli/) over 300.

Includes are followed transitively, so a header that pulls in a forbidden one
is caught where it is included.  Every quoted include must resolve to a file
of the tree (same folder first, then by unique name) or be one of the headers
the build generates.

Usage: check_layout.py [--root DIR]
Exit status: 0 when every invariant holds, 1 when one is broken (each
violation printed as FILE:LINE: message), 2 on usage error.
"""
import argparse
import os
import re
import sys

SOURCE_DIRS = ("reference", "harness", "vectors", "conformance", "reports",
               "fuzz", "adapters", "examples", "scripts")
SOURCE_EXTS = (".c", ".h", ".py")
GENERATED = {"torc_report_assets.h", "reference_suites.h", "harness_suites.h",
             "torc_features_table.h", "torc_suite_digest.h"}
MAX_LINES = 800
MAX_CLI_LINES = 300

PUBLIC = "harness/include/"
REGISTRY = "harness/targets/torc_load.c"
REF_LIB_EXCLUDE = ("reference/tests/", "reference/bench/")
REFERENCE_USERS = ("reference/", "harness/testtargets/", "conformance/mutants/")
HARNESS_LIBS = ("harness/engine/", "harness/targets/", "harness/input/",
                "harness/results/", "harness/run/")
HARNESS_USERS = ("harness/cli/", "reports/", "vectors/")
REPORTS_FORBIDDEN = ("reference/", "harness/engine/", "harness/targets/",
                     "harness/input/", "harness/run/", "harness/cli/",
                     "vectors/")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def is_reference_lib(path):
    return path.startswith("reference/") and not path.startswith(REF_LIB_EXCLUDE)


def is_reference_header(path):
    return is_reference_lib(path) and path.endswith(".h")


def walk(root):
    files = []
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames
                                 if d not in ("__pycache__", "build"))
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXTS):
                    full = os.path.join(dirpath, name)
                    files.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return files


def read_lines(root, path):
    with open(os.path.join(root, path), encoding="utf-8",
              errors="replace") as f:
        return f.read().split("\n")


class Tree:
    def __init__(self, root):
        self.root = root
        self.files = walk(root)
        self.by_name = {}
        for p in self.files:
            if p.endswith(".h"):
                self.by_name.setdefault(os.path.basename(p), []).append(p)
        self.includes = {}  # path -> [(line, name, resolved or None)]
        self.errors = []

    def resolve(self, src, name):
        here = os.path.normpath(os.path.join(os.path.dirname(src), name))
        if here.replace(os.sep, "/") in self.by_name.get(os.path.basename(name), []):
            return here.replace(os.sep, "/")
        if name.startswith("torc/"):
            cand = PUBLIC + name
            return cand if cand in self.files else None
        found = self.by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            # The folder nearest the includer wins when names repeat
            # (examples/ and tests may carry headers of the same name).
            same_top = [f for f in found if f.split("/")[0] == src.split("/")[0]]
            if len(same_top) == 1:
                return same_top[0]
        return None

    def parse(self):
        for p in self.files:
            if not p.endswith((".c", ".h")):
                continue
            inc = []
            for n, line in enumerate(read_lines(self.root, p), 1):
                m = INCLUDE_RE.match(line)
                if not m:
                    continue
                name = m.group(1)
                target = self.resolve(p, name)
                if target is None and os.path.basename(name) not in GENERATED:
                    self.errors.append(
                        "%s:%d: #include \"%s\" resolves to no file of the "
                        "tree (or to more than one)" % (p, n, name))
                inc.append((n, name, target))
            self.includes[p] = inc

    def closure(self, path):
        """Every header reached from path: {header: (line in path, chain)}."""
        seen = {}
        stack = [(path, None, ())]
        while stack:
            cur, first_line, chain = stack.pop()
            for n, name, target in self.includes.get(cur, []):
                if target is None or target in seen:
                    continue
                line = first_line if first_line is not None else n
                seen[target] = (line, chain + (name,))
                stack.append((target, line, chain + (name,)))
        return seen


def check_includes(tree):
    out = []

    def report(src, line, chain, target, why):
        via = " (via %s)" % " -> ".join(chain[:-1]) if len(chain) > 1 else ""
        out.append("%s:%d: includes %s%s: %s" % (src, line, target, via, why))

    for src in tree.files:
        if not src.endswith((".c", ".h")):
            continue
        for target, (line, chain) in sorted(tree.closure(src).items()):
            if is_reference_lib(src):
                if not (is_reference_lib(target) or target.startswith(PUBLIC)):
                    report(src, line, chain, target,
                           "the reference includes only itself and "
                           "torc/target.h (invariant 1)")
                continue
            if src.startswith("reports/") and target.startswith(REPORTS_FORBIDDEN):
                report(src, line, chain, target,
                       "reports read results files and the catalogue, never "
                       "the engine, the loader, the run or the reference "
                       "(invariant 2)")
            if is_reference_header(target) and src != REGISTRY and \
                    not src.startswith(REFERENCE_USERS):
                report(src, line, chain, target,
                       "only the built-in target registry (%s) reaches the "
                       "reference (invariant 3)" % REGISTRY)
            if src.startswith(HARNESS_LIBS) and target.startswith(HARNESS_USERS):
                report(src, line, chain, target,
                       "the harness's libraries do not include their users: "
                       "the CLI, the reports, the vectorizer (invariant 4)")
    return out


def check_sizes(tree):
    out = []
    for p in tree.files:
        n = len(read_lines(tree.root, p))
        if n and read_lines(tree.root, p)[-1] == "":
            n -= 1
        limit = MAX_CLI_LINES if p.startswith("harness/cli/") else MAX_LINES
        if n > limit:
            out.append("%s:%d: %d lines, over the limit of %d (invariant 5)"
                       % (p, limit + 1, n, limit))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.root, "reference")):
        print("check-layout: %s is not a torc tree (no reference/)" % args.root,
              file=sys.stderr)
        return 2
    tree = Tree(args.root)
    tree.parse()
    problems = tree.errors + check_includes(tree) + check_sizes(tree)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("check-layout: %d violation(s) of ARCHITECTURE.md's invariants"
              % len(problems), file=sys.stderr)
        return 1
    print("check-layout: %d files; include directions and sizes hold"
          % len(tree.files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
