#!/usr/bin/env python3
"""check_reference_coverage.py - the reference's line and branch coverage by
the committed vectors alone (`make check-reference-coverage`).

Reads the gcov data that a run of every committed vector through the
instrumented reference left in COV_DIR (reference/module.mk builds it), asks
gcov for per-file summaries, prints them and the totals, and fails (exit 1)
when a figure is below its floor in FLOORS.tsv; exit 2 on a malformed
floors file (naming file and line) or when gcov cannot be run.

FLOORS.tsv rows: `scope<TAB>measure<TAB>floor percent<TAB>why`, where scope is
`total` or a file name under reference/, measure `lines` or `branches`
(branches taken at least once), or `exclude<TAB>-<TAB>-<TAB>why` rows naming
a file left out of the totals with the reason.  A floor only goes up: raise
it when coverage grows.

  check_reference_coverage.py COV_DIR FLOORS.tsv
"""
import pathlib
import re
import subprocess
import sys


def read_floors(path):
    floors, excluded = {}, {}
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4 or not cols[3].strip():
                raise ValueError("%s: line %d: expected scope, measure, floor "
                                 "and why, tab-separated" % (path, no))
            scope, measure, floor, why = cols
            if measure == "-":
                excluded[scope] = why
                continue
            if measure not in ("lines", "branches"):
                raise ValueError("%s: line %d: measure %r is not lines or "
                                 "branches" % (path, no, measure))
            try:
                floors[(scope, measure)] = float(floor)
            except ValueError:
                raise ValueError("%s: line %d: floor %r is not a number"
                                 % (path, no, floor)) from None
    return floors, excluded


def gcov_summaries(cov_dir):
    gcda = sorted(pathlib.Path(cov_dir).glob("*.gcda"))
    if not gcda:
        raise OSError("%s: no .gcda files: was the instrumented reference "
                      "run?" % cov_dir)
    out = subprocess.run(["gcov", "-b", "-c", "-n", "-o", str(cov_dir)] +
                         [str(p) for p in gcda], capture_output=True,
                         text=True, check=True).stdout
    files, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"File '(.*)'", line)
        if m:
            name = pathlib.Path(m.group(1)).name
            cur = files.setdefault(name, {}) if m.group(1).startswith(
                "reference/") or "/reference/" in m.group(1) else None
            continue
        if cur is None:
            continue
        m = re.match(r"Lines executed:([\d.]+)% of (\d+)", line)
        if m:
            cur["lines"] = (float(m.group(1)), int(m.group(2)))
        m = re.match(r"Taken at least once:([\d.]+)% of (\d+)", line)
        if m:
            cur["branches"] = (float(m.group(1)), int(m.group(2)))
    return {k: v for k, v in files.items() if k.endswith(".c")}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        floors, excluded = read_floors(argv[2])
        files = gcov_summaries(argv[1])
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print("check-reference-coverage: %s" % e, file=sys.stderr)
        return 2
    tot = {"lines": [0.0, 0], "branches": [0.0, 0]}
    low = []
    print("# file\tlines %\tof\tbranches taken %\tof")
    for name in sorted(files):
        f = files[name]
        ln, lt = f.get("lines", (100.0, 0))
        bn, bt = f.get("branches", (100.0, 0))
        note = ("\t(excluded: %s)" % excluded[name]) if name in excluded else ""
        print("%s\t%.2f\t%d\t%.2f\t%d%s" % (name, ln, lt, bn, bt, note))
        for measure, (pct, n) in (("lines", (ln, lt)), ("branches", (bn, bt))):
            if name not in excluded:
                tot[measure][0] += pct * n / 100.0
                tot[measure][1] += n
            fl = floors.get((name, measure))
            if fl is not None and pct + 1e-9 < fl:
                low.append("%s %s %.2f%% < floor %.2f%%" % (name, measure,
                                                            pct, fl))
    figures = {}
    for measure, (hit, n) in tot.items():
        figures[measure] = 100.0 * hit / n if n else 100.0
        fl = floors.get(("total", measure))
        if fl is not None and figures[measure] + 1e-9 < fl:
            low.append("total %s %.2f%% < floor %.2f%%" % (measure,
                                                           figures[measure],
                                                           fl))
    print("reference coverage by the committed vectors: %.2f%% of %d lines, "
          "%.2f%% of %d branches taken" % (figures["lines"], tot["lines"][1],
                                           figures["branches"],
                                           tot["branches"][1]))
    for m in low:
        print("check-reference-coverage: %s" % m, file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
