#!/usr/bin/env python3
"""citations.py - counts which requirements the unit tests pin down.

Part of `make check`, after the unit tests have run.  Every Check test is
preceded by one line of the form

    /* covers: RCV-035 RCV-036 DEC-16 */

naming the requirement (and decision) ids it pins.  This script reads the
catalogue (conformance/catalogue.json), finds every START_TEST in the given
test files with the covers line before it, and prints how many of the MUST,
MUST NOT and BEHAVIOR rows of groups A to I are cited by at least one test,
as "N of M".  It fails (exit 1) below the threshold (90% by default), when a
test has no covers line, or when a covers line names an id that does not
exist; malformed input exits 2.

Usage: citations.py [--min-percent P] [--min-tests N] [--list-uncited]
                    CATALOGUE TESTFILE...
"""
import argparse
import json
import re
import sys

START = re.compile(r"^\s*START_TEST\s*\(\s*(\w+)\s*\)")
COVERS = re.compile(r"^\s*/\*\s*covers:\s*(.*?)\s*\*/\s*$")
ID = re.compile(r"^(RCV-\d{3}|DEC-\d{2})$")
COUNTED_GROUPS = set("ABCDEFGHI")
COUNTED_STRENGTHS = {"MUST", "MUST NOT", "BEHAVIOR"}


def load_catalogue(path):
    try:
        with open(path, encoding="utf-8") as f:
            cat = json.load(f)
        return {r["id"]: r for r in cat["requirements"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"{path}: cannot read catalogue: {e}", file=sys.stderr)
        sys.exit(2)


def scan(path, known, problems):
    """Returns {test name: [ids]} for one test file."""
    tests = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        print(f"{path}: {e}", file=sys.stderr)
        sys.exit(2)
    for i, line in enumerate(lines):
        m = START.match(line)
        if not m:
            continue
        name = m.group(1)
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        c = COVERS.match(lines[j]) if j >= 0 else None
        if not c:
            problems.append(f"{path}:{i + 1}: test {name} has no covers line")
            tests[name] = []
            continue
        ids = c.group(1).split()
        for x in ids:
            if not ID.match(x) or (x.startswith("RCV-") and x not in known):
                problems.append(f"{path}:{j + 1}: unknown id {x!r}")
        tests[name] = [x for x in ids if x in known]
    return tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-percent", type=float, default=90.0)
    ap.add_argument("--min-tests", type=int, default=0)
    ap.add_argument("--list-uncited", action="store_true")
    ap.add_argument("catalogue")
    ap.add_argument("tests", nargs="+")
    a = ap.parse_args()
    known = load_catalogue(a.catalogue)
    problems, cited, ntests = [], set(), 0
    for path in a.tests:
        for name, ids in scan(path, known, problems).items():
            ntests += 1
            cited.update(ids)
    counted = sorted(r for r, row in known.items()
                     if row["group"] in COUNTED_GROUPS
                     and row["strength"] in COUNTED_STRENGTHS)
    hit = [r for r in counted if r in cited]
    pct = 100.0 * len(hit) / len(counted)
    print(f"citations: {len(hit)} of {len(counted)} MUST/MUST NOT/BEHAVIOR "
          f"requirements of groups A-I cited by a test ({pct:.1f}%); "
          f"{len(cited)} ids cited in all, by {ntests} tests")
    uncited = [r for r in counted if r not in cited]
    if a.list_uncited or pct < a.min_percent:
        print("uncited: " + " ".join(uncited))
    for p in problems:
        print(p, file=sys.stderr)
    ok = True
    if pct < a.min_percent:
        print(f"citations: below {a.min_percent:g}%", file=sys.stderr)
        ok = False
    if ntests < a.min_tests:
        print(f"citations: {ntests} tests, fewer than {a.min_tests}",
              file=sys.stderr)
        ok = False
    sys.exit(0 if ok and not problems else 1)


if __name__ == "__main__":
    main()
