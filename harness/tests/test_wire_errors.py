"""test_wire_errors.py - a protocol error names the message and the field
that was wrong (docs/wire-protocol.md, "Errors and timeouts"), on both
sides of the channel, and torc's own kill of the child is not given as
the cause.

Where it sits: beside test_loading.py.  The host side is driven with
harness/tests/fake_wire_target.py (a deliberately wrong target) through
load_smoke and through `torc run`; the target side by feeding
torc-target-runner bytes by hand.  Every offset and length below is
counted by hand from the layouts on the protocol page.
"""
import json
import os
import struct
import subprocess

import pytest

from conftest import ROOT, build_dir

BUILD = build_dir()
SMOKE = BUILD / "tests" / "load_smoke"
RUNNER = BUILD / "bin" / "torc-target-runner"
FAKE = f"/usr/bin/python3 {ROOT / 'harness' / 'tests' / 'fake_wire_target.py'}"
STOPPED = "torc stopped the target process"


@pytest.fixture(autouse=True)
def _built():
    if not (SMOKE.exists() and RUNNER.exists()):
        pytest.fail("build load_smoke and torc-target-runner first (make check)")


def status_line(mode):
    r = subprocess.run([str(SMOKE), "status", f"exec:{FAKE} {mode}", "20000"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()[0]


@pytest.mark.parametrize("mode,expect", [
    # RET(OP_RECEIVE) is u8 0x40, u8 0x14, u32 status: 2 bytes lack it
    ("shortret", "protocol error: RET(OP_RECEIVE) too short: field 'status' "
                 "(u32) needs 4 bytes at offset 2, message has 2 bytes "
                 "(during OP_RECEIVE)"),
    # RET for OP_RECEIVE (0x14) while OP_CONN_OPEN (0x11) waits
    ("wrongret", "protocol error: RET(OP_RECEIVE) while waiting for "
                 "RET(OP_CONN_OPEN): field 'call-type' (u8 at offset 1) is "
                 "0x14, expected 0x11 (during OP_CONN_OPEN)"),
    # type 0x3f + a u64: 9 bytes
    ("unknownup", "protocol error: unknown message type 0x3f (byte 0 of a "
                  "9-byte message"),
    ("opup", "protocol error: OP_RECEIVE (type 0x14) from the target: a "
             "target sends only upcalls (0x30..0x39) and RET (0x40)"),
    ("huge", "protocol error: message length field (u32, the 4 bytes before "
             "the type) is 4294967295, allowed 1..67108864"),
])
def test_host_names_message_and_field(mode, expect):
    line = status_line(mode)
    assert line.startswith("status CRASHED: " + expect), line
    # torc killed the child after the error: that is not the cause
    assert line.endswith("; " + STOPPED), line
    assert "signal" not in line and "SIGKILL" not in line, line


def test_short_hello_answer_names_the_field():
    # RET(HELLO): 0x40 0x01, ok u8, protocol u16, abi u32, struct_size u32,
    # capabilities u64 (offsets 2..20), name's u32 length at 21, its 4
    # bytes at 25; the fake cuts the message to 27 bytes.
    r = subprocess.run([str(SMOKE), "load", f"exec:{FAKE} shorthello"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 2
    assert ("no HELLO from the target: protocol error: RET(HELLO) too short: "
            "field 'name' (bytes[4]) needs 4 bytes at offset 25, message has "
            "27 bytes") in r.stdout, r.stdout
    assert "signal" not in r.stdout


def test_hello_tail_after_the_limits_is_ignored():
    # the page: fields a later version appends after the identity (driver,
    # firmware) are ignored
    assert status_line("hellotail") == "status OK: "


def runner_stderr(data):
    r = subprocess.run([str(RUNNER), "--target", "null"], input=data,
                       capture_output=True, timeout=30)
    return r.returncode, r.stderr.decode()


def frame(body):
    return struct.pack("<I", len(body)) + body


HELLO_OK = frame(bytes([0x01]) + struct.pack("<IHI", 0x43524F54, 1, 1))


def test_runner_names_a_bad_hello_magic():
    rc, err = runner_stderr(frame(bytes([0x01]) +
                                  struct.pack("<IHI", 0x12345678, 1, 1)))
    assert rc == 3
    assert ("HELLO: field 'magic' (u32 at offset 1) is 0x12345678, expected "
            "0x43524f54 (\"TORC\")") in err, err


@pytest.mark.parametrize("body,expect", [
    # OP_CONN_OPEN: type + u64 host_handle; 4 of its 8 bytes
    (bytes([0x11]) + b"\0" * 4,
     "OP_CONN_OPEN too short: field 'host_handle' (u64) needs 8 bytes at "
     "offset 1, message has 5 bytes"),
    # OP_RECEIVE: conn u64 at 1, count u32 at 9 = 3 items of >= 17 bytes,
    # in a 13-byte message
    (bytes([0x14]) + struct.pack("<QI", 1, 3),
     "OP_RECEIVE too short: field 'count' (u32) at offset 9 counts 3 items "
     "of at least 17 bytes each, message has 13 bytes"),
    # one request: id at 13, size 4 at 21, prefilled 9 at 25, push at 29
    (bytes([0x14]) + struct.pack("<QIQIIB", 1, 1, 7, 4, 9, 1) + b"x" * 9,
     "OP_RECEIVE field 'requests[0].prefilled' is 9, more than its size 4"),
    # OP_ADVANCE_TIME with 2 bytes after its u64
    (bytes([0x17]) + b"\0" * 10,
     "OP_ADVANCE_TIME has 2 bytes after its last field (offset 9)"),
])
def test_runner_names_message_and_field(body, expect):
    rc, err = runner_stderr(HELLO_OK + frame(body))
    assert rc == 3, err
    assert "protocol error: " + expect in err, err


def test_crash_verdict_reads_the_protocol_error(torc, tmp_path):
    # The case: a target whose RET(OP_RECEIVE) lacks its status.
    # psh-completion posts a request, so OP_RECEIVE is sent.
    out = tmp_path / "r.json"
    vec = ROOT / "vectors" / "handwritten" / "psh-completion.json"
    r = torc("run", "--target", f"exec:{FAKE} shortret", "--vectors", vec,
             "--json", out, timeout=120)
    assert r.returncode == 3, r.stderr
    (rec,) = json.loads(out.read_text())["results"]
    assert rec["verdict"] == "CRASH"
    assert rec["detail"].startswith(
        "protocol error: RET(OP_RECEIVE) too short: field 'status' (u32) "
        "needs 4 bytes at offset 2, message has 2 bytes (during OP_RECEIVE)"), \
        rec["detail"]
    assert "signal 9" not in rec["detail"] and "SIGKILL" not in rec["detail"]


def test_reset_answered_without_fields_names_rc(torc, tmp_path):
    # A target written before OP_RESET was on the page answers it with a
    # bare RET: the second vector's CRASH names RET(OP_RESET)'s first field.
    # The fake posts nothing useful, so the first vector is simply judged.
    out = tmp_path / "r.json"
    hw = ROOT / "vectors" / "handwritten"
    r = torc("run", "--target", f"exec:{FAKE} shortreset",
             "--vectors", hw / "psh-completion.json",
             "--vectors", hw / "terminate-empty-request.json",
             "--json", out, timeout=120)
    assert r.returncode == 3, r.stderr
    crashed = [rec for rec in json.loads(out.read_text())["results"]
               if rec["verdict"] == "CRASH"]
    assert len(crashed) == 1
    assert crashed[0]["detail"] == (
        "protocol error: RET(OP_RESET) too short: field 'rc' (u32) needs 4 "
        "bytes at offset 2, message has 2 bytes (during OP_RESET); " + STOPPED)
