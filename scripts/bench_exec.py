#!/usr/bin/python3
"""bench_exec.py - `make bench-exec`: what running a target out of process
costs per vector, from paired, alternating runs of whole `torc run`s.

Where it sits: make bench-exec (harness/bench/module.mk) builds torc, the
runner and the pass-through target (harness/testtargets/pass_through.c:
the reference behind forwarders, so every operation and callback of the
ABI is used) and calls this.  Every run is pinned to one CPU (taskset -c
CPU), the runner sharing it with torc, over the same vector set, output
discarded.
For each comparison the two sides run one after the other, PAIRS times, the
side going first alternating from pair to pair; each pair gives one ratio
and one difference per vector, of which the median and the spread (lowest,
highest) are printed, never a best-of-N of either side.  The figures are
printed, not judged (docs/PERFORMANCE.md records them).

Comparisons, each against the pass-through target in process (--in-process):
  exec      exec:torc-target-runner --target PASS.so (wire protocol 2: the
            runner serves allocations, one-way upcalls share writes)
  v1        the same with --max-protocol 1 (every allocation a round trip
            to torc, as before protocol 2)
  contained --target PASS.so (torc's default for a .so: the runner with
            --contain, protocol 2)

Usage: bench_exec.py --torc BIN --runner BIN --pass SO --vectors DIR
                     [--pairs N] [--cpu N] [--sides exec,v1,contained]
(--sides exec alone also measures a torc from before protocol 2, whose
runner has no --max-protocol.)
"""
import argparse
import re
import statistics
import subprocess
import sys

from bench_pairs import pairs  # the same paired, alternating runs


def count(cmd):
    """The number of vectors torc reports having run ("N vectors: ...")."""
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    m = re.search(r"torc: (\d+) vectors: (\d+) PASS", r.stderr)
    if not m or m.group(1) != m.group(2):
        sys.exit("bench_exec: %s: not every vector passed: %s"
                 % (" ".join(cmd), r.stderr[-500:]))
    return int(m.group(1))


def spread(xs, fmt):
    return ("median " + fmt + " (lowest " + fmt + ", highest " + fmt +
            ", %d pairs)") % (statistics.median(xs), min(xs), max(xs),
                              len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torc", required=True)
    ap.add_argument("--runner", required=True)
    ap.add_argument("--pass", dest="so", required=True)
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--pairs", type=int, default=9)
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--sides", default="exec,v1,contained")
    a = ap.parse_args()
    pin = ["taskset", "-c", str(a.cpu)]

    def run(target, *extra):
        return pin + [a.torc, "run", "--target", target, "--vectors",
                      a.vectors, *extra]

    base = run(a.so, "--in-process")
    exec2 = "exec:%s --target %s" % (a.runner, a.so)
    sides = [(k, c) for k, c in (
        ("exec", run(exec2)), ("v1", run(exec2 + " --max-protocol 1")),
        ("contained", run(a.so))) if k in a.sides.split(",")]
    n = count(base)
    for _, cmd in sides:
        count(cmd)
    print("bench-exec: %d vectors in %s, pass-through target %s, CPU %d, "
          "%d pairs per comparison" % (n, a.vectors, a.so, a.cpu, a.pairs))
    for name, cmd in sides:
        ps = pairs(cmd + ["--quiet"], base + ["--quiet"], a.pairs)
        print("%-9s / in process: %s" % (name, spread(
            [ta / tb for ta, tb in ps], "%.2f")))
        print("          overhead per vector: %s us (in process %.0f us "
              "per vector)" % (spread([1e6 * (ta - tb) / n for ta, tb in ps],
                                      "%.0f"),
                               1e6 * statistics.median(tb for _, tb in ps)
                               / n))


if __name__ == "__main__":
    main()
