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

from known_gaps import check, read_gaps, read_tsv

FLOWS = 3
GROUPS = set("ABCDEFGHIJ")
# Group K's testable rows that the receive path implements: RST and SYN
# acceptability (DEC-04, DEC-27).
K_RECEIVE_PATH = {"RCV-295", "RCV-301", "RCV-302", "RCV-303", "RCV-305"}


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    cov_path, cat_path, gaps_path = argv[1:]
    try:
        cov = {c[0]: int(c[4]) for _, c in read_tsv(cov_path, 5)}
        with open(cat_path, encoding="utf-8") as f:
            rows = json.load(f)["requirements"]
        gaps = read_gaps(gaps_path)
    except (OSError, ValueError, KeyError) as e:
        print("check-coverage: %s" % e, file=sys.stderr)
        return 2
    want = [r["id"] for r in rows
            if r["testable"] and (r.get("group") in GROUPS or
                                  r["id"] in K_RECEIVE_PATH)]
    if check("check-coverage", "decided", want, cov, gaps, gaps_path, FLOWS,
             "a testable requirement of groups A-J (and K's RST/SYN rows)"):
        return 1
    print("check-coverage: ok (%d of %d testable A-J and RST/SYN requirements decided in "
          ">= %d flows; %d known gaps, each with why)"
          % (len(want) - len(gaps), len(want), FLOWS, len(gaps)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
