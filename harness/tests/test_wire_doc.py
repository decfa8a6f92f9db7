"""test_wire_doc.py - docs/wire-protocol.md says what the code does: every
message type of the codec is on the page with its value, and the example
session decodes as its annotations say and is the session torc really has.

Where it sits: beside test_wire_errors.py.  The example session (the
```wire block of the page) is parsed here: each message's bytes go to the
real codec (load_smoke validate, torc_wire_validate), each annotated
integer or string is checked against its bytes, and the sequence of
messages (who sends it, its type, a RET's call type, how deep it nests) is
compared with a fresh log of the run the page names, made through
scripts/wire_tap.py.  Changing the protocol without the page fails here.
"""
import re
import subprocess

import pytest

from conftest import ROOT, build_dir

DOC = ROOT / "docs" / "wire-protocol.md"
WIRE_H = ROOT / "harness" / "targets" / "torc_wire.h"
BUILD = build_dir()
SMOKE = BUILD / "tests" / "load_smoke"
RUNNER = BUILD / "bin" / "torc-target-runner"
TAP = ROOT / "scripts" / "wire_tap.py"
VECTORS = [ROOT / "docs" / "wire-example" / "one-segment.json",
           ROOT / "vectors" / "handwritten" / "terminate-empty-request.json"]
NO_RET = {"UP_FREE", "UP_LOG", "UP_HOLD_CHANGED", "UP_ALLOCATED",
          "OP_ALLOC_POLICY"}

HEADER = re.compile(r"^( *)(host|target)> (\S+)$")
BYTES = re.compile(r"^ *((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:  +(\S.*))?$")


def codec_types():
    """{name: value} of the message types in torc_wire.h."""
    return {m.group(1): int(m.group(2), 16) for m in re.finditer(
        r"TORC_MSG_(\w+) = 0x([0-9A-Fa-f]+)", WIRE_H.read_text())}


def session():
    """The example session: a list of messages (dicts) and None for '...'."""
    text = DOC.read_text()
    m = re.search(r"^```wire\n(.*?)^```$", text, re.S | re.M)
    assert m, "no ```wire block in the page"
    out, cur = [], None
    for line in m.group(1).splitlines():
        if not line.strip():
            continue
        if line.strip() == "...":
            out.append(None)
            continue
        h = HEADER.match(line)
        if h:
            cur = {"depth": len(h.group(1)) // 2, "side": h.group(2)[0].upper(),
                   "name": h.group(3), "rows": []}
            out.append(cur)
            continue
        b = BYTES.match(line)
        assert b and cur is not None, f"unreadable line in the session: {line!r}"
        cur["rows"].append((bytes.fromhex(b.group(1)), b.group(2)))
    return out


def fields(msg):
    """(bytes, annotation) per field: continuation rows join the field."""
    out = []
    for data, note in msg["rows"]:
        if note is None:
            assert out, "bytes before any field"
            out[-1] = (out[-1][0] + data, out[-1][1])
        else:
            out.append((data, note))
    return out


def message_bytes(msg):
    return b"".join(d for d, _ in msg["rows"])


def test_every_codec_type_is_on_the_page_with_its_value():
    text = DOC.read_text()
    types = codec_types()
    assert len(types) >= 22
    for name, value in types.items():
        if name in ("HELLO", "RET"):
            continue
        assert f"| 0x{value:02X} | {name} |" in text, name
    assert "u8 0x01, u32 magic 0x43524F54" in text  # HELLO's type byte
    assert "`RET` (`0x40`)" in text


def test_session_has_what_the_page_promises():
    names = [m["name"] for m in session() if m]
    for want in ("HELLO", "RET(HELLO)", "OP_RESET", "RET(OP_RESET)",
                 "OP_CONN_OPEN", "OP_INITIATE_OFFLOAD", "UP_OFFLOAD_COMPLETE",
                 "OP_RECEIVE", "OP_SEGMENT", "UP_RECEIVE_COMPLETE",
                 "OP_DESTROY", "RET(OP_DESTROY)"):
        assert want in names, want


def test_every_block_is_a_valid_message_the_codec_accepts():
    types = codec_types()
    msgs = [m for m in session() if m]
    assert len(msgs) >= 25
    for m in msgs:
        raw = message_bytes(m)
        assert int.from_bytes(raw[:4], "little") == len(raw) - 4, m["name"]
        want = m["name"]
        if want.startswith("RET("):
            assert raw[4] == types["RET"], want
            assert raw[5] == types[want[4:-1]], want
        else:
            assert raw[4] == types[want], want
        r = subprocess.run([str(SMOKE), "validate", raw.hex()],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and r.stdout.strip() == \
            "ok " + ("RET" if want.startswith("RET(") else want), \
            (want, r.stdout)


def test_annotations_are_what_the_bytes_say():
    types = codec_types()
    names = {v: k for k, v in types.items()}
    checked = 0
    for m in [m for m in session() if m]:
        for data, note in fields(m):
            a = re.match(r"^(\S+) = (\"[^\"]*\"|\S+)(?: \((.*)\))?", note)
            b = re.match(r"^(\S+) \((\d+) bytes\)$", note)
            if b:  # a run of bytes: its length is what the page says
                assert len(data) == int(b.group(2)), (m["name"], note)
                continue
            assert a, (m["name"], note)
            field, value, said = a.groups()
            if value.startswith('"'):
                assert data == value[1:-1].encode(), (m["name"], note)
            else:
                assert len(data) in (1, 2, 4, 8), (m["name"], note)
                assert int.from_bytes(data, "little") == int(value, 0), \
                    (m["name"], note)
            if field in ("type", "call-type"):
                assert said == names[data[0]], (m["name"], note)
            checked += 1
        # the first two fields are always the length and the type
        assert fields(m)[0][1].startswith("length = ")
        assert fields(m)[1][1].startswith("type = ")
    assert checked > 150


def flow(msgs):
    """(side, name, depth) per message; depth from the call stack."""
    return [(m["side"], m["name"], m["depth"]) for m in msgs]


def tapped(tmp_path, torc):
    log = tmp_path / "wire.log"
    spec = f"exec:/usr/bin/python3 {TAP} {log} -- {RUNNER} --target reference"
    args = ["run", "--target", spec, "--quiet"]
    for v in VECTORS:
        args += ["--vectors", v]
    r = torc(*args)
    assert r.returncode == 0, r.stderr
    types = {v: k for k, v in codec_types().items()}
    out, depth = [], 0
    for line in log.read_text().splitlines():
        side, hexs = line.split()
        raw = bytes.fromhex(hexs)
        if raw[4] == 0x40:
            depth -= 1
            name = "RET(%s)" % types[raw[5]]
        else:
            name = types[raw[4]]
        out.append((side, name, depth))
        if raw[4] != 0x40 and name not in NO_RET:
            depth += 1
    return out


def test_session_is_what_torc_and_the_runner_exchange(tmp_path, torc):
    if not (SMOKE.exists() and RUNNER.exists()):
        pytest.fail("build load_smoke and torc-target-runner first")
    doc = session()
    cut = doc.index(None)  # one elision: the second vector's script
    head = flow(doc[:cut])
    tail = flow([m for m in doc[cut + 1:]])
    real = tapped(tmp_path, torc)
    assert real[:len(head)] == head
    assert real[-len(tail):] == tail
    assert len(real) > len(head) + len(tail)  # something was left out
