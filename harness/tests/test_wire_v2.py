"""test_wire_v2.py - wire protocol 2 (issue 15, docs/wire-protocol.md,
Allocations and Versioning): the runner serves allocations under the policy
the host states in advance (OP_ALLOC_POLICY) and reports each with a one-way
UP_ALLOCATED, and the same fault still gets the same verdict.

Where it sits: beside test_wire_errors.py (malformed version-1 traffic) and
test_containment.py (hostile targets, contained).  Here: the host's words
for a target that misuses the two new messages (harness/tests/
fake_wire_target.py), the runner's for a host that does, the verdicts of
hostile targets with the runner answering 2 against the runner kept to 1
(--max-protocol 1, every allocation asked) and in process, and the
allocation round trips that version 2 removes (a log of scripts/wire_tap.py).
"""
import json
import struct
import subprocess

import pytest

from conftest import ROOT, build_dir

BUILD = build_dir()
SMOKE = BUILD / "tests" / "load_smoke"
RUNNER = BUILD / "bin" / "torc-target-runner"
FAKE = f"/usr/bin/python3 {ROOT / 'harness' / 'tests' / 'fake_wire_target.py'}"
TAP = ROOT / "scripts" / "wire_tap.py"
ONE = ROOT / "docs" / "wire-example" / "one-segment.json"


@pytest.fixture(autouse=True)
def _built():
    if not (SMOKE.exists() and RUNNER.exists()):
        pytest.fail("build load_smoke and torc-target-runner first (make check)")


def frame(body):
    return struct.pack("<I", len(body)) + body


def hello(proto):
    return frame(bytes([0x01]) + struct.pack("<IHI", 0x43524F54, proto, 1))


def runner(data, *args):
    r = subprocess.run([str(RUNNER), "--target", "null", *args], input=data,
                       capture_output=True, timeout=30)
    return r.returncode, r.stdout, r.stderr.decode()


def answered_protocol(out):
    """The protocol field of the RET(HELLO) at the start of out: after the
    length (4), 0x40, call-type 0x01 and ok (1), at byte 7."""
    assert out[4:7] == bytes([0x40, 0x01, 1]), out[:8]
    return struct.unpack_from("<H", out, 7)[0]


# ---- Negotiation ---------------------------------------------------------

def test_runner_answers_the_newest_protocol_both_speak():
    assert answered_protocol(runner(hello(2))[1]) == 2
    assert answered_protocol(runner(hello(1))[1]) == 1  # an older torc
    assert answered_protocol(runner(hello(7))[1]) == 2  # a newer one
    assert answered_protocol(runner(hello(2), "--max-protocol", "1")[1]) == 1


def test_runner_refuses_a_max_protocol_it_does_not_speak():
    rc, _, err = runner(b"", "--max-protocol", "3")
    assert rc == 2 and "--max-protocol 3: not 1 to 2" in err, err


# ---- The runner's words for a host that misuses OP_ALLOC_POLICY ----------

def test_policy_in_a_version_1_session_is_unexpected():
    # OP_ALLOC_POLICY (0x1B) exists only in version 2
    rc, _, err = runner(hello(1) + frame(bytes([0x1B, 1])))
    assert rc == 3 and "unexpected OP_ALLOC_POLICY" in err, err


def test_policy_value_beyond_refuse_names_the_field():
    # u8 policy at offset 1: 0 ASK, 1 SERVE, 2 REFUSE; 3 is none of them
    rc, _, err = runner(hello(2) + frame(bytes([0x1B, 3])))
    assert rc == 3, err
    assert ("protocol error: OP_ALLOC_POLICY field 'policy' (u8 at offset 1) "
            "is 3, allowed 0..2") in err, err


# ---- The host's words for a target that misuses UP_ALLOCATED -------------

def status_line(mode):
    r = subprocess.run([str(SMOKE), "status", f"exec:{FAKE} {mode}", "20000"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()[0]


def test_allocated_from_a_version_1_target_is_a_protocol_error():
    assert status_line("v1allocated").startswith(
        "status CRASHED: protocol error: UP_ALLOCATED from a target that "
        "answered HELLO with protocol 1 (during OP_CONN_OPEN)")


def test_allocated_before_any_policy_is_a_protocol_error():
    # load_smoke's host states no policy: every allocation must be asked
    assert status_line("v2asked").startswith(
        "status CRASHED: protocol error: UP_ALLOCATED while the host's "
        "allocation policy is ASK")


def test_a_token_reported_twice_is_a_protocol_error(torc, tmp_path):
    # torc's engine states SERVE before the vector, so the first report of
    # token 5 is a block; the second names a block the target holds
    out = tmp_path / "r.json"
    r = torc("run", "--target", f"exec:{FAKE} v2dup", "--vectors", ONE,
             "--json", out, "--quiet")
    assert r.returncode == 3, r.stderr  # a CRASH: the claim is INCOMPLETE
    (res,) = json.loads(out.read_text())["results"]
    assert res["verdict"] == "CRASH"
    assert res["detail"].startswith(
        "protocol error: UP_ALLOCATED: field 'token' is 5, which already "
        "names a block the target holds (during OP_CONN_OPEN)"), res


# ---- Same fault, same verdict ------------------------------------------

def results(torc, tmp_path, name, target, *extra):
    out = tmp_path / (name + ".json")
    r = torc("run", "--target", target, "--vectors", torc.vectors, *extra,
             "--json", out, "--quiet", timeout=300)
    assert r.returncode in (0, 1, 3), r.stderr  # 3: a CRASH, INCOMPLETE
    return {x["id"]: (x["verdict"], x["detail"],
                      [v["requirement"] + ": " + v["message"]
                       for v in x["violations"]])
            for x in json.loads(out.read_text())["results"]}


# The reference and the targets whose faults are allocations: a double free
# and a forged pointer (RCV-233), more allocations than the reference's,
# no allocation hook used, and one that never stops allocating (a quota).
@pytest.mark.parametrize("name", ["reference", "double_free", "forged_free",
                                  "extra_allocs", "no_alloc_hook",
                                  "alloc_runaway"])
def test_version_2_judges_as_version_1(torc, tmp_path, name):
    so = "reference" if name == "reference" else torc.target(name)
    spec = f"exec:{RUNNER} --target {so}"
    v2 = results(torc, tmp_path, "v2", spec)
    v1 = results(torc, tmp_path, "v1", spec + " --max-protocol 1")
    assert len(v2) >= 18 and v2 == v1


@pytest.mark.parametrize("name", ["double_free", "forged_free",
                                  "extra_allocs"])
def test_version_2_judges_as_in_process(torc, tmp_path, name):
    so = torc.target(name)
    inproc = results(torc, tmp_path, "in", so, "--in-process")
    v2 = results(torc, tmp_path, "v2", f"exec:{RUNNER} --target {so}")
    # verdicts and the rules broken, with the host's words for them
    assert {k: (v[0], v[2]) for k, v in v2.items()} == \
        {k: (v[0], v[2]) for k, v in inproc.items()}
    if name != "extra_allocs":  # a free the host cannot match (RCV-233)
        assert any(v[0] == "FAIL" and any(x.startswith("RCV-233: ")
                                          for x in v[2])
                   for v in v2.values()), v2


# ---- The round trips version 2 removes -------------------------------------

def tapped(torc, tmp_path, *extra):
    """(side, type byte, call-type byte or None) per message of a run of the
    page's one-segment vector and another, tapped."""
    log = tmp_path / "wire.log"
    spec = " ".join([f"exec:/usr/bin/python3 {TAP} {log} --", str(RUNNER),
                     "--target", "reference", *extra])
    r = torc("run", "--target", spec, "--vectors", ONE, "--vectors",
             ROOT / "vectors" / "handwritten" / "terminate-empty-request.json",
             "--quiet")
    assert r.returncode == 0, r.stderr
    out = []
    for line in log.read_text().splitlines():
        side, hexs = line.split()
        raw = bytes.fromhex(hexs)
        out.append((side, raw[4], raw[5] if raw[4] == 0x40 else None))
    return out


def test_after_the_load_no_allocation_is_asked(torc, tmp_path):
    msgs = tapped(torc, tmp_path)
    first = msgs.index(("T", 0x40, 0x01))  # RET(HELLO)
    # the reference's instance is allocated while it loads, asked (UP_ALLOC
    # 0x30 and its RET); afterwards every allocation is reported (0x39)
    assert ("T", 0x30, None) in msgs[:first]
    assert all(m[1] != 0x30 and m[2] != 0x30 for m in msgs[first:])
    # OP_CONN_OPEN allocates (the page's session): one report per vector
    assert sum(m == ("T", 0x39, None) for m in msgs) >= 2
    # the engine states SERVE once, before the first vector's conn_open
    assert msgs[first + 1] == ("H", 0x1B, None)


def test_with_max_protocol_1_every_allocation_is_asked(torc, tmp_path):
    msgs = tapped(torc, tmp_path, "--max-protocol", "1")
    assert all(m[1] not in (0x1B, 0x39) for m in msgs)
    assert sum(m == ("T", 0x30, None) for m in msgs) >= 3
