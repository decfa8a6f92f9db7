"""known_gaps.py - the shared half of the coverage gates: tab-separated
tables, and a gaps file (`id<TAB>why`) held against what a corpus reaches.

scripts/check_coverage.py (requirements decided in >= 3 flows) and
scripts/check_outcomes.py (flowchart outcomes and wire branches reached in
>= 3 flows) read their inputs and call check() here: it names every item
short of the floor that the gaps file does not list, every listed gap that
is now closed (so the list only shrinks) and every listed item the gate
does not ask for.
"""
import sys


def read_tsv(path, ncols, header=None):
    """(line number, columns) of each row; comments, blank lines and the
    header line skipped.  ValueError naming the file and line on a short
    row."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line == header:
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                raise ValueError("%s: line %d: expected %d tab-separated "
                                 "columns" % (path, no, ncols))
            rows.append((no, cols))
    return rows


def read_gaps(path):
    """{id: why} of a gaps file; ValueError on a gap without a reason."""
    gaps = {}
    for no, c in read_tsv(path, 2):
        if not c[1].strip():
            raise ValueError("%s: line %d: %s: a gap says why"
                             % (path, no, c[0]))
        gaps[c[0]] = c[1]
    return gaps


def check(tag, verb, want, reached, gaps, gaps_path, floor, unknown_what):
    """Prints on stderr, as "tag: ...", each item of want reached in fewer
    than floor flows and not in gaps, each gap now reached, each gap not in
    want (described as unknown_what).  Returns 1 if any, else 0."""
    unlisted = [i for i in want if reached.get(i, 0) < floor and i not in gaps]
    closed = [i for i in gaps if reached.get(i, 0) >= floor]
    unknown = [i for i in gaps if i not in want]
    for i in unlisted:
        print("%s: %s is %s in %d flow(s), fewer than %d, and is not a known "
              "gap (%s)" % (tag, i, verb, reached.get(i, 0), floor,
                            gaps_path), file=sys.stderr)
    for i in closed:
        print("%s: %s is %s in %d flows now: remove it from %s"
              % (tag, i, verb, reached[i], gaps_path), file=sys.stderr)
    for i in unknown:
        print("%s: %s in %s is not %s" % (tag, i, gaps_path, unknown_what),
              file=sys.stderr)
    return 1 if unlisted or closed or unknown else 0
