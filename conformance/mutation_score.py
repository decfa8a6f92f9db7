#!/usr/bin/python3
"""mutation_score.py - the mutants' self-test: does the suite kill them?

Runs `torc run` over the committed vectors against the reference target
(which must pass everything: exit 0) and against every mutant of
conformance/mutants/ (the reference with one deliberate fault, built by
conformance/mutants/module.mk into $(O)/lib/mutants/<name>.so).  A mutant is
killed when `torc run` exits non-zero AND at least one FAIL/CRASH/TIMEOUT
vector's failure is attributed to a requirement the mutant breaks
(mutants.json, "breaks"): the result's "attributed_to" names it, because
the judge found that rule of the expected event's because contradicted
(issue 12), or the simulated host checked it itself.  A vector that merely
cites the requirement does not count.  A mutant whose fault makes the
target crash or hang ("crashes": true) is also killed by a CRASH or
TIMEOUT.

A mutant that only fails vectors for other rules was caught by accident
and counts as a survivor.  For each mutant the script prints the vector
that killed it (the one whose failure is attributed to the fewest rules),
then "killed N of M"; it exits 1 when a mutant survives, the reference does
not pass, or the table and the built mutants disagree.

Usage: mutation_score.py --torc BIN --reference SO --mutants DIR
                         --table mutants.json --work DIR [--jobs N]
                         [--only NAME]... VECTORS...
"""
import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

KILL_VERDICTS = ("FAIL", "CRASH", "TIMEOUT")


def load_table(path):
    """The mutants table: a list of {name, breaks, description, ...}."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("%s: cannot read: %s" % (path, e))
    rows = doc.get("mutants") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        sys.exit("%s: $.mutants must be a list" % path)
    table = {}
    for i, row in enumerate(rows):
        where = "%s: $.mutants[%d]" % (path, i)
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            sys.exit("%s: needs a string 'name'" % where)
        breaks = row.get("breaks")
        if (not isinstance(breaks, list) or not breaks or
                not all(isinstance(b, str) and b.startswith("RCV-")
                        for b in breaks)):
            sys.exit("%s.breaks: a non-empty list of RCV-nnn ids" % where)
        if row["name"] in table:
            sys.exit("%s: duplicate name %s" % (where, row["name"]))
        table[row["name"]] = row
    return table


def run_torc(args, target, json_out):
    """Runs torc over the vectors; returns (exit status, results list).
    Each vector runs in a forked child of its own (--isolate vector):
    batch isolation lets target state carry over between vectors, which
    hides timing faults (a push timer running late still fires on time
    after an earlier vector advanced the clock)."""
    cmd = [args.torc, "run", "--target", target, "--jobs", str(args.jobs),
           "--isolate", "vector", "--timeout", str(args.timeout), "--quiet",
           "--json", json_out]
    for v in args.vectors:
        cmd += ["--vectors", v]
    if os.path.exists(json_out):
        os.unlink(json_out)
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, check=False).returncode
    try:
        with open(json_out, encoding="utf-8") as f:
            results = json.load(f).get("results", [])
    except (OSError, ValueError):
        results = []
    return rc, results


def find_kill(results, breaks, crashes=False):
    """The best evidence that a result set kills a mutant breaking `breaks`:
    (kind, vector id, verdict, requirement, message) or None.  Only a
    failure the judge attributes to one of those rules counts (its
    "attributed_to": the rules of the expected event's because that the
    target contradicted, or a host rule the harness checks itself); a
    mutant marked "crashes" is also killed by a CRASH or TIMEOUT, which has
    no rule to attribute."""
    breaks = set(breaks)
    best = None
    for r in results:
        if r.get("verdict") not in KILL_VERDICTS:
            continue
        hit = breaks.intersection(r.get("attributed_to", []))
        if hit:
            req = sorted(hit)[0]
            msg = next((v.get("message", "") for v in r.get("violations", [])
                        if v.get("requirement") == req), "")
            n = len(r.get("attributed_to", []))
            if best is None or n < best[0]:
                best = (n, ("attributed", r["id"], r["verdict"], req, msg))
    if best:
        return best[1]
    if crashes:
        for r in results:
            if r.get("verdict") in ("CRASH", "TIMEOUT"):
                return ("crash", r["id"], r["verdict"], sorted(breaks)[0],
                        r.get("detail", ""))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--torc", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--mutants", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=5000)
    ap.add_argument("--parallel", type=int, default=2,
                    help="torc runs at a time (default 2)")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("vectors", nargs="+")
    args = ap.parse_args()
    start = time.monotonic()
    os.makedirs(args.work, exist_ok=True)
    table = load_table(args.table)
    built = sorted(f[:-3] for f in os.listdir(args.mutants)
                   if f.endswith(".so")) if os.path.isdir(args.mutants) else []
    bad = False
    for name in sorted(set(built) - set(table)):
        print("mutant %s is built but not in %s" % (name, args.table))
        bad = True
    for name in sorted(set(table) - set(built)):
        print("mutant %s is in %s but not built in %s" %
              (name, args.table, args.mutants))
        bad = True
    names = [n for n in sorted(table) if n in built and
             (not args.only or n in args.only)]

    rc, results = run_torc(args, args.reference,
                           os.path.join(args.work, "reference.json"))
    passed = sum(1 for r in results if r.get("verdict") == "PASS")
    print("reference: exit %d, %d of %d vectors PASS" %
          (rc, passed, len(results)))
    if rc != 0 or not results or passed != len(results):
        bad = True

    def run_one(name):
        so = os.path.join(args.mutants, name + ".so")
        return run_torc(args, so, os.path.join(args.work, name + ".json"))

    # Each torc run waits on its forked children more than it computes:
    # two runs side by side keep both cores busy.
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        runs = dict(zip(names, pool.map(run_one, names)))
    killed = 0
    for name in names:
        row = table[name]
        rc, results = runs[name]
        failing = sum(1 for r in results if r.get("verdict") in KILL_VERDICTS)
        kill = (find_kill(results, row["breaks"], row.get("crashes") is True)
                if rc in (1, 3) else None)
        if kill:
            killed += 1
            kind, vid, verdict, req, msg = kill
            print("KILLED   %-28s exit %d, %3d vectors fail; %s %s %s by %s: %s"
                  % (name, rc, failing, verdict, req, kind, vid, msg[:90]))
        else:
            print("SURVIVED %-28s exit %d, %3d vectors fail, none tied to %s"
                  % (name, rc, failing, ", ".join(row["breaks"])))
    print("killed %d of %d mutants (%.1f s)" %
          (killed, len(names), time.monotonic() - start))
    return 1 if bad or killed != len(names) else 0


if __name__ == "__main__":
    sys.exit(main())
