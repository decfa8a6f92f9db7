#!/usr/bin/python3
"""bench_pairs.py - `make bench-e2e`: what a whole `torc run` costs, measured
against a baseline doing the same work, from paired, alternating runs.

Where it sits: make bench-e2e builds the tools and a generated vector set
(harness/bench/module.mk) and calls this.  Each comparison runs its two
sides as whole processes, one after the other, PAIRS times, the side that
goes first alternating from pair to pair, every run pinned to one CPU
(taskset -c 0) unless the comparison is about using more.  Each pair gives
one ratio; the median and the spread (lowest and highest) of those ratios
are printed, never a best-of-N of either side, since these machines are
noisy and absolute times mean little.  The figures are printed, not
judged: no target here fails the build (docs/PERFORMANCE.md records them).

Comparisons:
  end to end   torc run --target reference --json, process start to exit,
               against bench_parse (read + json_loadb of the same files):
               torc's cost per vector as a multiple of merely parsing it;
               also vectors per second.
  --jobs       torc run --jobs 2 against --jobs 1 (both CPUs): the speedup.
  scale        the cost per vector of a run of 100,000 vectors against one of
               1,000 (one CPU): flat is 1.  Both sets are made from the
               generated one (the first 1,000 files; copies of all of them
               under new ids and titles up to 100,000), in --scale-dir, once.
               A run trusts ids (torc run --verify-ids would refuse the
               copies), so the copies cost what the originals cost.

  baseline     with --baseline OLD: torc run --json of OLD against this torc,
               one CPU, the same set (how much faster a change made it).

Usage: bench_pairs.py --torc BIN --parse BIN --set DIR [--pairs N]
                      [--scale-dir DIR] [--baseline OLD]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    """Wall seconds of one run of cmd (output discarded); exits on failure."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    t = time.perf_counter() - t0
    if r.returncode not in (0, 1):        # 1: a claim other than CONFORMANT
        sys.exit("bench_pairs: %s exited %d: %s"
                 % (" ".join(cmd), r.returncode, r.stderr[-500:]))
    return t


def pairs(a, b, n):
    """n (ta, tb) pairs, a first in even pairs and b first in odd ones."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            ta = timed(a)
            tb = timed(b)
        else:
            tb = timed(b)
            ta = timed(a)
        out.append((ta, tb))
    return out


def spread(xs):
    return "median %.2f (lowest %.2f, highest %.2f, %d pairs)" % (
        statistics.median(xs), min(xs), max(xs), len(xs))


def vector_files(d):
    return sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs
                  if f.endswith(".json") and "schema" not in r)


def make_scaled(vset, out, n):
    """A set of n vectors in out from those of vset: the first n, or
    copies of all under new ids ("rcv-" + 16 hex digits of the copy's
    number) and titles until there are n.  Captures are linked, not
    copied; each copy keeps its vector's relative path to its capture."""
    if os.path.isdir(out):
        return
    files = vector_files(vset)
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for r, _, fs in os.walk(vset):
        for f in fs:
            if not f.endswith(".json"):
                src = os.path.join(r, f)
                dst = os.path.join(tmp, os.path.relpath(src, vset))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                os.symlink(os.path.abspath(src), dst)
    for k in range(n):
        src = files[k % len(files)]
        rel = os.path.relpath(src, vset)
        dst = os.path.join(tmp, rel[:-5] + "-%d.json" % (k // len(files)))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if k < len(files):
            shutil.copyfile(src, dst)
            continue
        v = json.load(open(src))
        v["id"] = "rcv-%016x" % (0xc0b1e5 << 32 | k)
        v["title"] = v["title"][:200] + " (copy %d)" % (k // len(files))
        with open(dst, "w") as f:
            json.dump(v, f)
    os.rename(tmp, out)


def count_vectors(parse, vset):
    r = subprocess.run([parse, vset], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_pairs: %s" % r.stderr.strip())
    return int(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torc", required=True)
    ap.add_argument("--parse", required=True)
    ap.add_argument("--set", required=True)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--scale-dir")
    ap.add_argument("--baseline")
    a = ap.parse_args()
    n = count_vectors(a.parse, a.set)
    one = ["taskset", "-c", "0"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        run = [a.torc, "run", "--target", "reference", "--vectors", a.set,
               "--json", out, "--quiet"]
        print("bench-e2e: %d vectors in %s, %d pairs per comparison"
              % (n, a.set, a.pairs))
        ps = pairs(one + run, one + [a.parse, a.set], a.pairs)
        ratios = [ta / tb for ta, tb in ps]
        rates = [n / ta for ta, _ in ps]
        print("end to end, one CPU: torc run --json / jansson parse of the "
              "same files: %s" % spread(ratios))
        print("  torc run: %.0f vectors/s median (%.0f..%.0f; target >= "
              "10,000), %.0f us per vector; parse alone %.0f us per vector"
              % (statistics.median(rates), min(rates), max(rates),
                 1e6 * statistics.median(ta for ta, _ in ps) / n,
                 1e6 * statistics.median(tb for _, tb in ps) / n))
        before = os.getloadavg()[0]
        if a.baseline:
            old = [a.baseline] + run[1:]
            ps = pairs(one + old, one + run, a.pairs)
            print("baseline / this torc, torc run --json, one CPU: %s"
                  % spread([ta / tb for ta, tb in ps]))
        ps = pairs(run + ["--jobs", "2"], run + ["--jobs", "1"], a.pairs)
        print("--jobs 2 / --jobs 1 speedup, two CPUs: %s (target >= 1.8)"
              % spread([tb / ta for ta, tb in ps]))
        # It needs both CPUs to itself: a load above about 0.5 from other
        # work before it started means the figure says little.
        print("  load average (1 min) before %.2f, after %.2f"
              % (before, os.getloadavg()[0]))
        if not a.scale_dir:
            return
        small = os.path.join(a.scale_dir, "scale-1000")
        big = os.path.join(a.scale_dir, "scale-100000")
        make_scaled(a.set, small, 1000)
        make_scaled(a.set, big, 100000)
        runs = [one + [a.torc, "run", "--target", "reference", "--vectors", d,
                       "--json", out, "--quiet"] for d in (big, small)]
        ps = pairs(runs[0], runs[1], 3)
        print("cost per vector, 100,000 vectors / 1,000 vectors, one CPU: "
              "%s (flat: 1)" % spread([(ta / 100000) / (tb / 1000)
                                       for ta, tb in ps]))


if __name__ == "__main__":
    main()
