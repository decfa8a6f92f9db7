"""A shared-object target cannot reach torc (issue 16).

torc runs a PATH.so in torc-target-runner --contain, a process of its own
behind the wire protocol: no capabilities, a seccomp filter against
signalling, tracing and cross-process memory, the subreaper of whatever the
target starts, its stdout and stderr on a log, and torc judges on its own
side.  hostile.so (harness/testtargets/hostile.c) is the reference plus one
attack chosen by TORC_TT_HOSTILE.  What each attack must come to is worked
out from what the attack does, not from torc's output:

* forge: writes a forged packed PASS into every pipe or socket it holds and
  completes no request.  Its only pipe or socket is the protocol's, so the
  proxy sees garbage: every vector that posts a request is a CRASH, none
  PASSes, and the claim is never CONFORMANT;
* signal: kill(getppid(), SIGKILL) on every receive is refused (EPERM) and
  the target otherwise is the reference: every vector PASSes, torc exits 0;
* trace: PTRACE_ATTACH to torc and opening /proc/PPID/mem for writing both
  fail (no capabilities, seccomp, torc non-dumpable), so it stays the
  reference: every vector PASSes;
* print: its stdout and stderr lines land in --target-log, none in torc's
  --tap stream or stderr, and the protocol is untouched (every vector PASS);
* grandchild: a grandchild holding every descriptor for an hour neither
  keeps `torc run | cat` waiting nor outlives the run;
* thread-crash: a thread started in init crashes once the first receive
  wakes it (that receive waits): the runner dies, so every vector whose
  receive is called is a CRASH, and the run goes on to the end;
* exit-init, crash-init, crash-ctor, hang-init: a target that dies or hangs
  while loading is a load error, exit 2, with the reason named;
* crash-destroy, hang-destroy: destroy runs when a vector's instance is
  replaced by the next one's (OP_RESET): CRASH or TIMEOUT naming OP_RESET,
  never a killed or hung torc.

A correct .so (extra_allocs.so, the reference allocating differently) run
contained over the suite is CONFORMANT; the same run --in-process is a
DEVELOPMENT RUN whatever it passes, and says so.
"""
import json
import os
import pathlib
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HAND = ROOT / "vectors" / "handwritten"


def offloaded(v):
    """Whether the vector's offload succeeds (the host sends nothing to the
    target of a failed one)."""
    return any(e.get("ev") == "offload_complete" and
               e.get("status") == "SUCCESS" for e in v["expected"]["trace"])


def posts_requests(path):
    """Whether the target's receive is called: the vector posts a request
    and its offload succeeds."""
    v = json.loads(pathlib.Path(path).read_text())
    return offloaded(v) and any(e.get("op") == "post" for e in v["events"])


# The ways a .so can run: contained (the default), and in process in both
# isolation modes; the same fault must give the same verdict in each.
MODES = ([], ["--in-process", "--isolate", "batch"],
         ["--in-process", "--isolate", "vector"])


def run_attack_hand(torc, tmp_path, attack, args):
    """The hand-written vectors against hostile.so doing attack, run with
    args; the results document."""
    path = tmp_path / ("%s.json" % attack)
    torc("run", "--target", torc.target("hostile"), "--vectors", HAND,
         "--json", path, "--quiet", *args, env={"TORC_TT_HOSTILE": attack})
    return json.loads(path.read_text())


def crashed(doc):
    return {rec["id"] for rec in doc["results"] if rec["verdict"] == "CRASH"}


def run_hostile(torc, tmp_path, attack, *args, vectors=HAND, timeout=120):
    out = tmp_path / ("%s.json" % attack)
    r = torc("run", "--target", torc.target("hostile"), "--vectors", vectors,
             "--json", out, "--quiet", *args,
             env={"TORC_TT_HOSTILE": attack}, timeout=timeout)
    doc = json.loads(out.read_text()) if out.exists() else None
    return r, doc


def verdicts(doc):
    return {rec["id"]: rec["verdict"] for rec in doc["results"]}


def hand_ids():
    out = {}
    for p in sorted(HAND.glob("*.json")):
        v = json.loads(p.read_text())
        out[v["id"]] = p
    return out


def test_forged_verdicts_do_not_reach_torc(torc, tmp_path):
    r, doc = run_hostile(torc, tmp_path, "forge")
    assert doc is not None, r.stderr
    assert doc["target"]["containment"] == "process"
    ids = hand_ids()
    for vid, verdict in verdicts(doc).items():
        if posts_requests(ids[vid]):
            assert verdict == "CRASH", (vid, verdict)
    assert doc["claim"]["headline"] not in ("CONFORMANT", "PARTIAL RUN")
    assert r.returncode != 0


@pytest.mark.parametrize("attack", ["signal", "trace"])
def test_signals_and_tracing_of_torc_are_refused(torc, tmp_path, attack):
    r, doc = run_hostile(torc, tmp_path, attack)
    assert r.returncode == 0, r.stderr
    assert set(verdicts(doc).values()) == {"PASS"}
    assert len(doc["results"]) == len(hand_ids())


def test_target_output_goes_to_its_log(torc, tmp_path):
    log = tmp_path / "target.log"
    r = torc("run", "--target", torc.target("hostile"), "--vectors", HAND,
             "--tap", "--target-log", log, env={"TORC_TT_HOSTILE": "print"})
    assert r.returncode == 0, r.stderr
    assert "hostile-marker" not in r.stdout
    assert "hostile-marker" not in r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "TAP version 13"
    assert all(l.startswith(("ok ", "not ok ", "1..", "#", "  ", "TAP"))
               for l in lines), lines
    text = log.read_text()
    assert "hostile-marker stdout" in text
    assert "hostile-marker stderr" in text


def alive(pid):
    try:
        stat = pathlib.Path("/proc/%d/stat" % pid).read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_descendants_neither_hold_the_pipe_nor_outlive_the_run(torc,
                                                               tmp_path):
    pidfile = tmp_path / "pids"
    env = dict(os.environ, TORC_TT_HOSTILE="grandchild",
               TORC_TT_PIDFILE=str(pidfile))
    cmd = "'%s' run --target '%s' --vectors '%s' --tap | cat" % (
        torc.bin, torc.target("hostile"), HAND)
    p = subprocess.run(["sh", "-c", cmd], env=env, capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("TAP version 13")
    pids = [int(x) for x in pidfile.read_text().split()]
    # one grandchild per vector that calls receive
    assert len(pids) == sum(posts_requests(p) for p in hand_ids().values())
    deadline = time.time() + 5
    while any(alive(pid) for pid in pids) and time.time() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if alive(pid)]


def test_a_crashing_thread_is_a_crash_and_the_run_goes_on(torc, tmp_path):
    r, doc = run_hostile(torc, tmp_path, "thread-crash", "--timeout", "2000")
    assert doc is not None, r.stderr
    assert len(doc["results"]) == len(hand_ids())
    ids = hand_ids()
    crashes = [rec for rec in doc["results"] if rec["verdict"] == "CRASH"]
    assert {rec["id"] for rec in crashes} == \
        {vid for vid in ids if posts_requests(ids[vid])}
    assert all("killed by SIGSEGV" in rec["detail"] for rec in crashes)
    assert r.returncode == 3  # INCOMPLETE: a CRASH decides nothing


@pytest.mark.parametrize("attack,reason", [
    ("exit-init", "exited with status 0"),
    ("crash-init", "killed by SIGSEGV"),
    ("crash-ctor", "killed by SIGSEGV"),
    ("hang-init", "no reply from the target within 300 ms (during HELLO)"),
])
def test_dying_or_hanging_while_loading_is_a_load_error(torc, tmp_path,
                                                        attack, reason):
    t0 = time.time()
    r, doc = run_hostile(torc, tmp_path, attack, "--timeout", "300",
                         timeout=30)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "cannot load target" in r.stderr and reason in r.stderr, r.stderr
    assert doc is None
    assert time.time() - t0 < 20


@pytest.mark.parametrize("attack,reason", [
    ("exit-init", "exited with status 0 while loading"),
    ("crash-init", "killed by SIGSEGV (signal 11) while loading"),
    ("crash-ctor", "killed by SIGSEGV (signal 11) while loading"),
    ("crash-destroy", "killed by SIGSEGV (signal 11) while loading, "
                      "initialising or destroying"),
    ("hang-init", "did not finish loading, initialising and destroying "
                  "within 300 ms"),
    ("hang-destroy", "did not finish loading, initialising and destroying "
                     "within 300 ms"),
])
def test_in_process_loads_are_tried_in_a_watched_child_first(
        torc, tmp_path, attack, reason):
    """--in-process: the .so is loaded into torc itself, but only after a
    forked child loaded, initialised and destroyed it under the --timeout
    watchdog, so dying or hanging there is exit 2 with the reason, never a
    killed or hung torc."""
    r, doc = run_hostile(torc, tmp_path, attack, "--in-process", "--timeout",
                         "300", timeout=30)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "cannot load target" in r.stderr and reason in r.stderr, r.stderr
    assert doc is None


@pytest.mark.parametrize("attack,verdict,reason", [
    ("crash-destroy", "CRASH", "killed by SIGSEGV (signal 11) "
                               "(during OP_RESET)"),
    ("hang-destroy", "TIMEOUT", "within 300 ms (during OP_RESET)"),
])
def test_dying_or_hanging_in_destroy_is_a_verdict(torc, tmp_path, attack,
                                                  verdict, reason):
    r, doc = run_hostile(torc, tmp_path, attack, "--timeout", "300",
                         timeout=60)
    assert doc is not None, r.stderr
    assert len(doc["results"]) == len(hand_ids())
    first, *rest = sorted(doc["results"], key=lambda rec: rec["id"])
    # the first vector's instance was fresh; every later one first destroys
    # the instance before it
    assert first["verdict"] == "PASS"
    assert rest and all(rec["verdict"] == verdict and reason in rec["detail"]
                        for rec in rest), [(x["verdict"], x.get("detail"))
                                           for x in rest]
    assert r.returncode == 3


def test_in_process_is_a_development_run(torc, tmp_path):
    suite = ROOT / "vectors"
    out = {}
    for mode in ("contained", "in-process"):
        path = tmp_path / ("%s.json" % mode)
        args = ["--in-process"] if mode == "in-process" else []
        r = torc("run", "--target", torc.target("extra_allocs"), "--vectors",
                 suite, "--json", path, "--quiet", *args)
        assert r.returncode == 0, r.stderr
        out[mode] = json.loads(path.read_text())
    assert out["contained"]["target"]["containment"] == "process"
    assert out["contained"]["claim"]["headline"] == "CONFORMANT"
    dev = out["in-process"]
    assert dev["target"]["containment"] == "in-process"
    assert set(verdicts(dev).values()) == {"PASS"}
    assert dev["claim"]["headline"] == "DEVELOPMENT RUN"
    assert any("development run, not a conformance claim" in why
               for why in dev["claim"]["reasons"])


@pytest.mark.parametrize("offset", ["4160", "-4160"])
def test_a_write_a_page_beyond_a_request_is_the_same_crash_everywhere(
        torc, tmp_path, offset):
    """overrun.so writes one byte 4160 bytes past the end of (or before)
    the first request buffer of each vector: beyond a whole page, inside
    the 16-page guard regions on both sides of every buffer, host's and
    runner's alike.  Same fault, same verdict: CRASH by SIGSEGV for the same
    vectors, contained and in process in both isolation modes."""
    got = {}
    for mode, args in zip(("contained", "batch", "vector"), MODES):
        path = tmp_path / ("%s.json" % mode)
        torc("run", "--target", torc.target("overrun"), "--vectors", HAND,
             "--json", path, "--quiet", *args,
             env={"TORC_TT_OVERRUN_OFFSET": offset})
        doc = json.loads(path.read_text())
        got[mode] = verdicts(doc)
        for rec in doc["results"]:
            if rec["verdict"] == "CRASH":
                assert "SIGSEGV" in rec["detail"], rec
    assert got["contained"] == got["batch"] == got["vector"]
    ids = hand_ids()
    hit = {vid for vid, v in got["contained"].items() if v == "CRASH"}
    assert hit
    assert hit <= {vid for vid in ids if posts_requests(ids[vid])}


def test_exit_from_the_target_is_the_same_crash_everywhere(torc, tmp_path):
    """exit(0) in receive ends the process the target runs in without a
    result: CRASH for every vector whose receive is called, contained and in
    process in both isolation modes (vector mode used to call it ERROR)."""
    ids = hand_ids()
    want = {vid: "CRASH" for vid in ids if posts_requests(ids[vid])}
    for args in MODES:
        got = verdicts(run_attack_hand(torc, tmp_path, "exit-receive", args))
        assert {vid: v for vid, v in got.items() if v == "CRASH"} == want, args


def test_a_flood_of_allocations_is_a_crash_naming_the_quota(torc, tmp_path):
    """20,000 host allocations in one vector, none freed, pass the 16,384
    blocks a vector may hold (torc_proxy.h): the vector is a CRASH whose
    detail names the quota, torc's own memory stays bounded, the run goes
    on."""
    ids = hand_ids()
    one = sorted(vid for vid in ids if posts_requests(ids[vid]))[:2]
    r, doc = run_hostile(torc, tmp_path, "alloc-flood", "--id", one[0],
                         "--id", one[1], "--timeout", "120000")
    assert doc is not None, r.stderr
    assert sorted(rec["id"] for rec in doc["results"]) == one
    for rec in doc["results"]:
        assert rec["verdict"] == "CRASH", rec
        assert "quota: the target holds 16384 blocks" in rec["detail"]


def frames_to_target(path):
    """Whether the target's segment is called: a frame after a successful
    offload (the host sends nothing to a failed one)."""
    v = json.loads(pathlib.Path(path).read_text())
    ops = [e.get("op") for e in v["events"]]
    return offloaded(v) and "frame" in ops[ops.index("offload") + 1:]


def test_a_write_into_a_lent_frame_is_a_crash_everywhere(torc, tmp_path):
    """The frame lent for a segment call is read-only while the target holds
    it (the host's copy in process, the runner's when contained): writing
    into it faults.  CRASH for every vector that hands the target a frame,
    in every mode; contained, the detail names the rule broken."""
    ids = hand_ids()
    want = {vid for vid in ids if frames_to_target(ids[vid])}
    assert want
    for args in MODES:
        doc = run_attack_hand(torc, tmp_path, "write-frame", args)
        assert crashed(doc) == want, args
        for rec in doc["results"]:
            if rec["verdict"] == "CRASH" and not args:
                assert "wrote into the frame lent to it" in rec["detail"]


def test_a_write_into_buffered_data_is_a_crash_everywhere(torc, tmp_path):
    """BufferedData is the host's, handed over only to be copied (RCV-007,
    RCV-011): it is mapped read-only while the target may reach it, the
    host's copy in process and the runner's when contained.  A write into
    it at offload faults: CRASH for exactly the vectors with BufferedData,
    in every mode; contained, the detail names the rules."""
    ids = hand_ids()
    want = {vid for vid, p in ids.items()
            if json.loads(p.read_text()).get("buffered")}
    assert want
    for args in MODES:
        doc = run_attack_hand(torc, tmp_path, "write-buffered", args)
        assert crashed(doc) == want, args
        for rec in doc["results"]:
            if rec["verdict"] == "CRASH" and not args:
                assert "BufferedData, which it may only copy (RCV-007, " \
                       "RCV-011)" in rec["detail"]


def test_one_shard_in_process_makes_the_merge_a_development_run(torc,
                                                                 tmp_path):
    """Shard 1 of 2 contained, shard 2 --in-process: each alone is not a
    claim (a PARTIAL RUN, a DEVELOPMENT RUN), and their merge covers the
    suite but is still a DEVELOPMENT RUN: the verdicts of shard 2 came from
    a process the target could reach."""
    suite = ROOT / "vectors"
    paths = []
    for shard, args in (("1/2", []), ("2/2", ["--in-process"])):
        path = tmp_path / ("s%s.json" % shard[0])
        r = torc("run", "--target", torc.target("extra_allocs"), "--vectors",
                 suite, "--shard", shard, "--json", path, "--quiet", *args)
        assert r.returncode == 0, r.stderr
        paths.append(path)
    heads = [json.loads(p.read_text())["claim"]["headline"] for p in paths]
    assert heads == ["PARTIAL RUN", "DEVELOPMENT RUN"]
    out = tmp_path / "merged.json"
    r = torc("merge", *paths, "-o", out)
    assert r.returncode == 0, r.stderr
    merged = json.loads(out.read_text())
    assert merged["target"]["containment"] == "in-process"
    assert merged["claim"]["headline"] == "DEVELOPMENT RUN"
