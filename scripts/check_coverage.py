#!/usr/bin/env python3
"""check_coverage.py - the coverage gate of `make check-coverage`.

Reads the table `torc list --coverage` writes (TSV: id, strength, testable,
vectors, flows; a vector counts for a requirement when the requirement
decides one of its expected events) and conformance/coverage-gaps.tsv (the
known gaps, each with why).  Fails (exit 1), naming them, on a testable
requirement of groups A-J (and K's RST/SYN rows) decided in fewer than 3 flows that the gaps file
does not list, and on a listed gap that is now covered, so the list only
shrinks.  Exit 2 on a malformed input, naming the file and line.

  check_coverage.py COVERAGE.tsv CATALOGUE.json GAPS.tsv
"""
import json
import sys

FLOWS = 3
GROUPS = set("ABCDEFGHIJ")
# Group K's testable rows that the receive path implements: RST and SYN
# acceptability (DEC-04, DEC-27).
K_RECEIVE_PATH = {"RCV-295", "RCV-301", "RCV-302", "RCV-303", "RCV-305"}


def read_tsv(path, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                raise ValueError("%s: line %d: expected %d tab-separated "
                                 "columns" % (path, no, ncols))
            rows.append((no, cols))
    return rows


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    cov_path, cat_path, gaps_path = argv[1:]
    try:
        cov = {c[0]: int(c[4]) for _, c in read_tsv(cov_path, 5)}
        with open(cat_path, encoding="utf-8") as f:
            rows = json.load(f)["requirements"]
        gaps = {}
        for no, c in read_tsv(gaps_path, 2):
            if not c[1].strip():
                raise ValueError("%s: line %d: %s: a gap says why"
                                 % (gaps_path, no, c[0]))
            gaps[c[0]] = c[1]
    except (OSError, ValueError, KeyError) as e:
        print("check-coverage: %s" % e, file=sys.stderr)
        return 2
    want = [r["id"] for r in rows
            if r["testable"] and (r.get("group") in GROUPS or
                                  r["id"] in K_RECEIVE_PATH)]
    unlisted = [i for i in want if cov.get(i, 0) < FLOWS and i not in gaps]
    closed = [i for i in gaps if cov.get(i, 0) >= FLOWS]
    unknown = [i for i in gaps if i not in want]
    for i in unlisted:
        print("check-coverage: %s is decided in %d flow(s), fewer than %d, "
              "and is not a known gap (%s)" % (i, cov.get(i, 0), FLOWS,
                                               gaps_path), file=sys.stderr)
    for i in closed:
        print("check-coverage: %s is decided in %d flows now: remove it from "
              "%s" % (i, cov[i], gaps_path), file=sys.stderr)
    for i in unknown:
        print("check-coverage: %s in %s is not a testable requirement of "
              "groups A-J (and K's RST/SYN rows)" % (i, gaps_path), file=sys.stderr)
    if unlisted or closed or unknown:
        return 1
    print("check-coverage: ok (%d of %d testable A-J and RST/SYN requirements decided in "
          ">= %d flows; %d known gaps, each with why)"
          % (len(want) - len(gaps), len(want), FLOWS, len(gaps)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
