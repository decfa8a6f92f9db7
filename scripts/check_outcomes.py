#!/usr/bin/env python3
"""check_outcomes.py - the decision-outcome gate of `make check-coverage`.

Reads vectors/corpus/selection.tsv (written by `torc vectorize --select`:
per decision outcome, the flows whose candidates reach it and the flows
whose kept vectors do) and conformance/outcome-gaps.tsv (outcomes known to
be out of reach, each with why).  The outcomes asked for are every box and
connector of the three flowcharts (E1-E3, P1, A, B, J1-J8), both answers of
every decision (D1-D20) and every branch of the wire input path (W1-W24,
reference/torc_input.c).  Fails (exit 1), naming them, on an outcome the
kept vectors reach in fewer than 3 flows that the gaps file does not list,
and on a listed gap that is now reached in 3, so the list only shrinks.
Exit 2 on a malformed input, naming the file and line.

  check_outcomes.py SELECTION.tsv GAPS.tsv
"""
import sys

from known_gaps import check, read_gaps, read_tsv

FLOWS = 3
WIRE_BRANCHES = 24
DECISIONS = 20


def outcomes():
    out = ["E1", "E2", "E3", "P1", "A", "B"]
    out += ["J%d" % k for k in range(1, 9)]
    for d in range(1, DECISIONS + 1):
        out += ["D%d=yes" % d, "D%d=no" % d]
    out += ["W%d" % w for w in range(1, WIRE_BRANCHES + 1)]
    return out


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    sel_path, gaps_path = argv[1:]
    try:
        kept = {}
        for no, c in read_tsv(sel_path, 3,
                               "outcome\tcandidate_flows\tkept_flows"):
            if not c[2].isdigit():
                raise ValueError("%s: line %d: kept_flows '%s' is not a "
                                 "number" % (sel_path, no, c[2]))
            kept[c[0]] = int(c[2])
        gaps = read_gaps(gaps_path)
    except (OSError, ValueError) as e:
        print("check-outcomes: %s" % e, file=sys.stderr)
        return 2
    want = outcomes()
    if check("check-outcomes", "reached", want, kept, gaps, gaps_path, FLOWS,
             "a flowchart outcome or wire branch"):
        return 1
    print("check-outcomes: ok (%d of %d flowchart outcomes and wire branches "
          "reached in >= %d flows; %d known gaps, each with why)"
          % (len(want) - len(gaps), len(want), FLOWS, len(gaps)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
