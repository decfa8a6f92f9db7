#!/usr/bin/env python3
"""check_reference_coverage.py - the reference's line and branch coverage by
the committed vectors alone (`make check-reference-coverage`).

Reads the gcov data that a run of every committed vector through the
instrumented reference left in COV_DIR (reference/module.mk builds it), asks
gcov for per-line counts (JSON), prints per-file figures and the totals, and fails (exit 1)
when a figure is below its floor in FLOORS.tsv; exit 2 on a malformed
floors file (naming file and line) or when gcov cannot be run.

FLOORS.tsv rows: `scope<TAB>measure<TAB>floor percent<TAB>why`, where scope is
`total` or a file name under reference/, measure `lines` or `branches`
(branches taken at least once), or `exclude<TAB>-<TAB>-<TAB>why` rows naming
a file left out of the totals with the reason.  A floor only goes up: raise
it when coverage grows.

UNCOVERED.tsv lists every line the committed vectors leave unrun or with a
branch never taken, with the reason no vector reaches it:
`file<TAB>function<TAB>source line<TAB>reason` (the source line's text,
stripped, or `*` for every such line of the function; the reason starts
with its class, "defensive: ..."). A line uncovered and not listed fails
the check, and so does a row that matches nothing (covered now: remove it),
so the list only shrinks.  Every uncovered line, its branches and its
reason are written to COV_DIR/uncovered.txt; the summary is printed by
class.

  check_reference_coverage.py COV_DIR FLOORS.tsv UNCOVERED.tsv
"""
import json
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


def gcov_lines(cov_dir):
    """{file name: {"lines": {line: count}, "branches": {line: [counts]},
    "function": {line: name}, "path": source path}} of every .c file under
    reference/, from gcov's JSON over each .gcda in COV_DIR (counts summed
    where two objects hold the same file)."""
    gcda = sorted(pathlib.Path(cov_dir).glob("*.gcda"))
    if not gcda:
        raise OSError("%s: no .gcda files: was the instrumented reference "
                      "run?" % cov_dir)
    files = {}
    for g in gcda:
        out = subprocess.run(["gcov", "-b", "-c", "-j", "-t", "-o",
                              str(cov_dir), str(g)], capture_output=True,
                             text=True, check=True).stdout
        for doc in out.splitlines():
            if not doc.strip():
                continue
            d = json.loads(doc)
            for f in d["files"]:
                path = pathlib.Path(d["current_working_directory"], f["file"])
                if path.parent.name != "reference" or path.suffix != ".c":
                    continue
                e = files.setdefault(path.name, {"lines": {}, "branches": {},
                                                 "function": {},
                                                 "path": path})
                for ln in f["lines"]:
                    no = ln["line_number"]
                    e["lines"][no] = e["lines"].get(no, 0) + ln["count"]
                    e["function"][no] = ln.get("function_name", "?")
                    counts = [b["count"] for b in ln["branches"]]
                    old = e["branches"].get(no)
                    e["branches"][no] = counts if old is None else [
                        a + b for a, b in zip(old, counts)]
    return files


def summaries(files):
    """{file: {"lines": (pct, n), "branches": (pct, n)}}, as gcov's own
    summaries count them (a line run once; a branch taken once)."""
    out = {}
    for name, e in files.items():
        nl = len(e["lines"])
        hl = sum(1 for c in e["lines"].values() if c > 0)
        br = [c for cs in e["branches"].values() for c in cs]
        hb = sum(1 for c in br if c > 0)
        out[name] = {"lines": (100.0 * hl / nl if nl else 100.0, nl),
                     "branches": (100.0 * hb / len(br) if br else 100.0,
                                  len(br))}
    return out


def uncovered(files, excluded):
    """[(file, line, function, source text, lines not run (0/1), branches
    not taken)] of the files not excluded."""
    out = []
    for name in sorted(files):
        if name in excluded:
            continue
        e = files[name]
        src = e["path"].read_text(encoding="utf-8").splitlines()
        for no in sorted(e["lines"]):
            dead = 1 if e["lines"][no] == 0 else 0
            untaken = sum(1 for c in e["branches"].get(no, []) if c == 0)
            if dead or untaken:
                text = src[no - 1].strip() if no <= len(src) else ""
                out.append((name, no, e["function"][no], text, dead, untaken))
    return out


def read_reasons(path):
    """[(line number, file, function, source or "*", reason)] of the
    uncovered list; ValueError naming file and line on a malformed row."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4 or not all(c.strip() for c in cols):
                raise ValueError("%s: line %d: expected file, function, "
                                 "source line (or *) and reason, "
                                 "tab-separated" % (path, no))
            rows.append((no, cols[0], cols[1], cols[2].strip(), cols[3]))
    return rows


def match_reasons(gaps, rows, path):
    """(listed [(gap, reason)], unlisted [gap], stale [row]): each uncovered
    line takes the first row naming its file, function and source text, or
    its file and function with source "*"."""
    used, listed, unlisted = set(), [], []
    for g in gaps:
        hit = next((r for r in rows if r[1] == g[0] and r[2] == g[2] and
                    r[3] == g[3]), None) or next(
            (r for r in rows if r[1] == g[0] and r[2] == g[2] and
             r[3] == "*"), None)
        if hit is None:
            unlisted.append(g)
        else:
            used.add(hit[0])
            listed.append((g, hit[4]))
    stale = ["%s: line %d: %s %s: \"%s\" is covered now (or gone): remove "
             "the row" % (path, r[0], r[1], r[2], r[3])
             for r in rows if r[0] not in used]
    return listed, unlisted, stale


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        floors, excluded = read_floors(argv[2])
        reasons = read_reasons(argv[3])
        files = gcov_lines(argv[1])
    except (OSError, ValueError, subprocess.CalledProcessError) as e:
        print("check-reference-coverage: %s" % e, file=sys.stderr)
        return 2
    sums = summaries(files)
    tot = {"lines": [0.0, 0], "branches": [0.0, 0]}
    low = []
    print("# file\tlines %\tof\tbranches taken %\tof")
    for name in sorted(sums):
        f = sums[name]
        note = ("\t(excluded: %s)" % excluded[name]) if name in excluded else ""
        print("%s\t%.2f\t%d\t%.2f\t%d%s" % (name, f["lines"][0],
                                           f["lines"][1], f["branches"][0],
                                           f["branches"][1], note))
        for measure, (pct, n) in f.items():
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
    gaps = uncovered(files, excluded)
    listed, unlisted, stale = match_reasons(gaps, reasons, argv[3])
    report = pathlib.Path(argv[1], "uncovered.txt")
    with open(report, "w", encoding="utf-8") as f:
        for (name, no, fn, text, dead, untaken), why in listed:
            f.write("%s:%d\t%s\t%s\t%s\t%s\n" % (
                name, no, fn, "line not run" if dead else
                "%d branch%s not taken" % (untaken, "es" * (untaken > 1)),
                text, why))
    by_why = {}
    for (_, _, _, _, dead, untaken), why in listed:
        k = by_why.setdefault(why.split(":")[0], [0, 0])
        k[0] += dead
        k[1] += untaken
    print("uncovered, each with its reason (%s; every line in %s):"
          % (argv[3], report))
    for why in sorted(by_why):
        print("  %4d lines, %4d branches: %s" % (by_why[why][0],
                                                 by_why[why][1], why))
    for name, no, fn, text, dead, untaken in unlisted:
        low.append("%s:%d (%s) %s uncovered and not in %s: \"%s\"" % (
            name, no, fn, "line" if dead else "%d branches" % untaken,
            argv[3], text))
    low.extend(stale)
    for m in low:
        print("check-reference-coverage: %s" % m, file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
