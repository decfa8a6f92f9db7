"""test_console.py - what `torc run` prints while it runs (issue 17).

The console (harness/run/torc_progress.c) lists each failing vector on a
line of its own -- FAIL, CRASH, TIMEOUT, ERROR, and PASS-NONSTRICT with
--strict -- and nothing else vector by vector: a FAIL only because the
target lacks a mandatory feature (nothing was played) and an UNTESTED
vector are counted per missing feature or cause in one line each before
the claim, so the failures a vendor must fix are not buried under the
vectors it never got to run.  On a terminal a live line "[done/total] N
failed ..." is redrawn as well.  A target's own stdout and stderr go to its
log (--target-log), never into torc's streams, whatever kind of target it
is: a contained .so, an --in-process .so in each isolation mode, or an
exec: command; so --tap on stdout stays TAP.

Expected values are worked out from the vector files ("requires", the ops
of their scripts) and the test targets' documented faults, never copied
from torc's output.

TORC_BUILD selects the build tree (default build/).
"""
import json
import os
import re
import shlex
import subprocess

import pytest

from conftest import ops, ROOT
from test_declared_limits import wide_window

HAND = ROOT / "vectors" / "handwritten"

# The mandatory features (every one but ALLOC_HOOK, which is testability),
# in the catalogue's words as the vectors' "requires" spell them.
MANDATORY = {"buffered_data", "push_mode", "nonpush_mode", "indicate",
             "partial_accept", "zero_byte_request", "prefilled_request",
             "reentrant_post", "terminate", "fin", "rst", "virtual_time",
             "out_of_order"}
SUMMARY = re.compile(r"torc: \d+ vectors?: ")
TALLY = re.compile(r"torc: (\d+) vectors? ([^:]+): (.*)")


def tallies(stderr):
    """{what: (vectors, {cause: count})} from the console's tally lines."""
    out = {}
    for line in stderr.splitlines():
        m = TALLY.fullmatch(line)
        if m and not SUMMARY.match(line):
            causes = {}
            for part in m.group(3).split(", "):
                name, n = part.rsplit(" ", 1)
                causes[name] = int(n)
            out[m.group(2)] = (int(m.group(1)), causes)
    return out


def vector_lines(stderr):
    """The lines naming a vector: 'VERDICT  rcv-...: why'."""
    return [l for l in stderr.splitlines()
            if re.match(r"[A-Z-]+ +rcv-[0-9a-f]{16}", l)]


def test_null_target_is_summarised_not_listed(torc, vectors):
    """null declares no feature: every vector FAILs unplayed.  No vector
    has a line of its own; one line counts them, and each mandatory feature
    with the number of vectors requiring it."""
    r = torc("run", "--target", "null", "--vectors", HAND)
    assert r.returncode == 1, r.stderr
    assert vector_lines(r.stderr) == []
    assert "rcv-" not in r.stderr
    want = {}
    for v in vectors.values():
        for f in v["requires"]:
            if f in MANDATORY:
                want[f.upper()] = want.get(f.upper(), 0) + 1
    got = tallies(r.stderr)
    assert got == {"not played, a mandatory feature missing (FAIL)":
                   (len(vectors), want)}, r.stderr
    assert r.stderr.splitlines()[-1].startswith(
        "torc: %d vectors: %d FAIL in " % (len(vectors), len(vectors)))


def test_one_line_per_failing_vector(torc, vectors):
    """indicates_during_completion indicates while a completion is running:
    each vector posting from inside a completion FAILs on RCV-046 (as
    test_cli_run.py works out), one line each, and nothing else is listed
    or tallied."""
    r = torc("run", "--target", torc.target("indicates_during_completion"),
             "--vectors", HAND)
    assert r.returncode == 1, r.stderr
    reentrant = sorted(vid for vid, v in vectors.items()
                       if "post_in_completion" in ops(v))
    assert reentrant
    lines = vector_lines(r.stderr)
    assert sorted(l.split()[1].rstrip(":") for l in lines) == reentrant
    assert all(l.startswith("FAIL ") and "RCV-046" in l for l in lines)
    assert tallies(r.stderr) == {}
    n, k = len(vectors), len(reentrant)
    assert r.stderr.splitlines()[-1].startswith(
        "torc: %d vectors: %d PASS, %d FAIL in " % (n, n - k, k))


def test_a_lacking_target_lists_only_what_it_played(torc, vectors):
    """no_nonpush lacks NONPUSH_MODE alone and is the reference otherwise:
    the vectors needing it are counted (not listed), the rest PASS."""
    r = torc("run", "--target", torc.target("no_nonpush"), "--vectors", HAND)
    assert r.returncode == 1, r.stderr
    need = [v for v in vectors.values() if "nonpush_mode" in v["requires"]]
    assert need
    assert vector_lines(r.stderr) == []
    assert tallies(r.stderr) == {
        "not played, a mandatory feature missing (FAIL)":
        (len(need), {"NONPUSH_MODE": len(need)})}


def test_untested_is_counted_per_cause(torc, tmp_path):
    """declared_limits (65535 bytes of window, 200 of BufferedData, see
    test_declared_limits.py): the 65536-byte window vector and the 300
    bytes of BufferedData are refused as the specification names, so
    UNTESTED for the one cause "beyond a declared limit"; psh-completion
    PASSes.  No UNTESTED line per vector."""
    r = torc("run", "--target", torc.target("declared_limits"),
             "--vectors", HAND / "psh-completion.json",
             "--vectors", wide_window(tmp_path),
             "--vectors", HAND / "buffered-then-posts.json")
    assert r.returncode == 0, r.stderr
    assert vector_lines(r.stderr) == []
    assert tallies(r.stderr) == {
        "UNTESTED": (2, {"beyond a declared limit": 2})}
    assert r.stderr.splitlines()[-1].startswith(
        "torc: 3 vectors: 1 PASS, 2 UNTESTED in ")


OOO = HAND / "push-timer-not-restarted-by-ooo.json"


def test_strict_lists_pass_nonstrict(torc):
    """other_reading.so taking the ooo-restarts-timer reading (DEC-01)
    PASSes the vector carrying that alternative only non-strictly (see
    test_allowance_readings.py): counted, not listed, in a plain run; with
    --strict a FAIL with its own line, naming the allowance."""
    vid = json.loads(OOO.read_text())["id"]
    env = {"TORC_TT_READINGS": "ooo-restarts-timer"}
    r = torc("run", "--target", torc.target("other_reading"), "--vectors",
             OOO, env=env)
    assert r.returncode == 0, r.stderr
    assert vector_lines(r.stderr) == []
    assert r.stderr.splitlines()[-1].startswith(
        "torc: 1 vector: 1 PASS-NONSTRICT in ")
    r = torc("run", "--target", torc.target("other_reading"), "--vectors",
             OOO, "--strict", env=env)
    assert r.returncode == 1, r.stderr
    (line,) = vector_lines(r.stderr)
    assert line.startswith("FAIL ") and line.split()[1] == vid + ":", line
    assert "ooo-restarts-timer" in line


def test_live_line_on_a_terminal(torc, vectors):
    """Under a terminal (script(1)) the live line counts up to
    [N/N] with the failures so far, and the failing vectors still get one
    line each (after the line is cleared with \\r ESC[K)."""
    cmd = " ".join(shlex.quote(str(a)) for a in [
        torc.bin, "run", "--target", torc.target("indicates_during_completion"),
        "--vectors", HAND])
    p = subprocess.run(["script", "-q", "-e", "-c", cmd, "/dev/null"],
                       capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL, cwd=str(ROOT))
    assert p.returncode == 1, p.stdout
    text = p.stdout.replace("\033[K", "")
    parts = [x for x in re.split(r"[\r\n]+", text) if x]
    n = len(vectors)
    k = sum("post_in_completion" in ops(v) for v in vectors.values())
    live = [x for x in parts if x.startswith("[")]
    assert live and live[-1].startswith("[%d/%d] %d failed " % (n, n, k))
    assert len([x for x in parts if re.match(r"FAIL +rcv-", x)]) == k


# ---- A target's own output ---------------------------------------------------

MODES = {
    "contained": [],
    "in-process": ["--in-process"],
    "in-process-vector": ["--in-process", "--isolate", "vector"],
    "in-process-none": ["--in-process", "--isolate", "none"],
    "exec": None,
}


def tap_ok(stdout, n):
    """stdout is TAP 13 and nothing else: the version, the plan 1..n, test
    lines numbered 1..n in order, each optionally followed by a YAML block
    ("  ---" ... "  ..."), and comments."""
    lines = stdout.splitlines()
    assert lines[:2] == ["TAP version 13", "1..%d" % n], lines[:2]
    k, i = 0, 2
    while i < len(lines):
        line = lines[i]
        m = re.fullmatch(r"(not )?ok (\d+)( - [^\n]*)?", line)
        if m:
            k += 1
            assert int(m.group(2)) == k, line
            i += 1
            if i < len(lines) and lines[i] == "  ---":
                i += 1
                while lines[i] != "  ...":
                    assert lines[i].startswith("  "), lines[i]
                    i += 1
                i += 1
            continue
        assert line.startswith("#"), "not TAP: %r" % line
        i += 1
    assert k == n


@pytest.mark.parametrize("mode", sorted(MODES))
def test_target_output_goes_to_its_log(torc, vectors, tmp_path, mode):
    """hostile.so in mode print writes a marker to stdout and stderr on
    every receive, and one to stdout (unflushed) in init: the TAP stream on
    stdout parses and holds none of it, stderr neither, the log all three;
    and the run is the reference's (exit 0)."""
    log = tmp_path / "target.log"
    if MODES[mode] is None:
        target = ["--target", "exec:%s --target %s" % (
            torc.runner, torc.target("hostile"))]
    else:
        target = ["--target", torc.target("hostile")] + MODES[mode]
    r = torc("run", *target, "--vectors", HAND, "--tap", "--target-log", log,
             env={"TORC_TT_HOSTILE": "print"})
    assert r.returncode == 0, r.stderr
    tap_ok(r.stdout, len(vectors) + 1)
    assert "hostile-marker" not in r.stdout
    assert "hostile-marker" not in r.stderr
    text = log.read_text()
    for marker in ("stdout", "stderr", "init stdout"):
        assert "hostile-marker %s\n" % marker in text, (marker, text[:200])


@pytest.mark.parametrize("mode", ["contained", "in-process",
                                  "in-process-none"])
def test_tap_to_a_closed_stdout(torc, vectors, tmp_path, mode):
    """torc started with stdout closed: no file of the run takes
    descriptor 1 in its place (the log, a protocol socket or a pipe would
    then receive the TAP stream, and the target's protocol be corrupted),
    so the TAP write fails (exit 5, named on stderr), every vector is still
    the reference's PASS, and the log holds the target's text and no TAP."""
    log, out = tmp_path / "target.log", tmp_path / "r.json"
    args = [str(torc.bin), "run", "--target", torc.target("hostile")] + \
        MODES[mode] + ["--vectors", str(HAND), "--tap", "--target-log",
                       str(log), "--json", str(out)]
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=120, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, TORC_TT_HOSTILE="print"),
                       preexec_fn=lambda: os.close(1))
    assert p.returncode == 5, p.stderr
    assert "standard output (--tap): cannot write" in p.stderr
    doc = json.loads(out.read_text())
    assert {r["verdict"] for r in doc["results"]} == {"PASS"}
    assert len(doc["results"]) == len(vectors)
    text = log.read_text()
    assert "hostile-marker stdout" in text
    assert "TAP version" not in text and "\nok " not in text
