"""Every committed vector is valid; malformed vectors are rejected.

Checks, for each vector under vectors/ (the schema folder excluded):
  - it validates against vectors/schema/vector.schema.json (python3-jsonschema);
  - its id is the content-derived one (vectors/schema/vector_id.py).
Then a set of malformed vectors, each derived from a good hand-written one
by one change, must be rejected: by the schema when the rule is a schema rule,
and always by `torc lint` (exit 2, the message naming the file and the JSON
path), when the CLI is built ($TORC, else build/bin/torc).

Requirements pinned: the vector format itself (issue 3); the cross-field rules
encode RCV-006 (buffered data ends at RcvNxt) and DEC-07 (delivered +
handed-back bytes end at the upload RcvNxt).
"""
import copy
import json
import os
import pathlib
import subprocess
import sys

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "vectors" / "schema" / "vector.schema.json"
sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import vector_id  # noqa: E402

SCHEMA = json.loads(SCHEMA_PATH.read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
BASE = ROOT / "vectors" / "handwritten" / "terminate-handback.json"


def all_vectors():
    out = []
    for p in sorted((ROOT / "vectors").rglob("*.json")):
        if "schema" in p.relative_to(ROOT / "vectors").parts:
            continue
        out.append(p)
    return out


def torc_bin():
    build = os.environ.get("TORC_BUILD") or str(ROOT / "build")
    cand = os.environ.get("TORC") or os.path.join(build, "bin", "torc")
    return cand if os.access(cand, os.X_OK) else None


def test_schema_is_valid_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_there_are_handwritten_vectors():
    hw = [p for p in all_vectors() if "handwritten" in p.parts]
    assert len(hw) >= 12


@pytest.mark.parametrize("path", all_vectors(),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_vector_is_valid(path):
    doc = json.loads(path.read_text())
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: e.path)
    assert not errors, "; ".join(
        f"$.{'.'.join(map(str, e.path))}: {e.message}" for e in errors[:3])
    assert doc["id"] == vector_id(doc), "id does not match the content"


def test_vector_ids_unique():
    ids = [json.loads(p.read_text())["id"] for p in all_vectors()]
    assert len(ids) == len(set(ids))


def _set(path, value):
    def f(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
    return f


def _del(path):
    def f(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        del cur[path[-1]]
    return f


# (name, mutation, schema rejects it?, substring lint must print)
MALFORMED = [
    ("missing-title", _del(["title"]), True, "$: missing required member \"title\""),
    ("bad-title", _set(["title"], "Check that it works"), True, "$.title"),
    ("format-2", _set(["format"], 2), True, "$.format"),
    ("unknown-top-key", _set(["colour"], "blue"), True, "unknown member \"colour\""),
    ("bad-requirement", _set(["requirements"], ["RCV-35"]), True, "$.requirements[0]"),
    ("dup-requirement", _set(["requirements"], ["RCV-035", "RCV-035"]), True, "$.requirements[1]"),
    ("no-requires", _set(["requires"], []), True, "$.requires"),
    ("bad-capability", _set(["requires"], ["teleport"]), True, "$.requires[0]"),
    ("negative-size", _set(["events", 1, "size"], -1), True,
     "$.events[1].size: expected integer in [0,"),
    ("string-size", _set(["events", 1, "size"], "100"), True,
     "$.events[1].size: expected integer >= 0"),
    ("unknown-op", _set(["events", 2, "op"], "teleport"), True,
     "$.events[2].op: unknown op"),
    ("event-extra-key", _set(["events", 2, "size"], 5), True,
     "$.events[2]: unknown member \"size\""),
    ("frame-zero", _set(["events", 2, "frame"], 0), True, "$.events[2].frame"),
    ("bad-sha", _set(["provenance", "capture_sha256"], "abc"), True,
     "$.provenance.capture_sha256"),
    ("bad-status", _set(["expected", "trace", 0, "status"], "OK"), True,
     "$.expected.trace[0].status"),
    ("bad-allowance", _set(["expected", "allowances"], ["anything-goes"]), True,
     "$.expected.allowances[0]"),
    ("partial-without-consumed",
     _set(["host", "answers"], [{"status": "PARTIALLY_ACCEPTED"}]), True,
     "$.host.answers[0]: missing required member \"consumed\""),
    ("empty-fragment-list", _set(["buffered"], [[]]), True, "$.buffered[0]"),
    # Rules only the loader can check (the schema accepts these).
    ("wrong-id", _set(["id"], "rcv-0000000000000000"), False,
     "$.id: id \"rcv-0000000000000000\" does not match the content"),
    ("frame-not-in-capture", _set(["provenance", "frames"], [4, 6, 8, 9999]), False,
     "$.provenance.frames[3]: frame 9999 is not in"),
    ("frame-other-direction", _set(["provenance", "frames"], [4, 5, 6, 8]), False,
     "is not a segment of the flow"),
    ("frame-event-unlisted", _set(["events", 2, "frame"], 10), False,
     "$.events[2].frame: frame 10 is not listed"),
    ("capture-sha-mismatch", _set(["provenance", "capture_sha256"], "0" * 64), False,
     "$.provenance.capture_sha256: does not match the capture"),
    ("capture-missing", _set(["provenance", "capture"], "capture/nope.pcap"), False,
     "$.provenance.capture: capture \"capture/nope.pcap\" not found"),
    ("buffered-gap", _set(["buffered"], [[{"offset": 0, "len": 100}, {"offset": 150, "len": 150}]]),
     False, "$.buffered[0][1]: fragment starts at stream offset 150, expected 100"),
    ("rcv-nxt-not-buffered-end", _set(["state", "rcv_nxt"], 853471009 + 299), False,
     "$.state.rcv_nxt: rcv_nxt - isn = 299 but the buffered data holds 300"),
    ("buffered-beyond-stream", lambda d: (d["buffered"].__setitem__(0, [{"offset": 0, "len": 700}]),
                                          d["state"].__setitem__("rcv_nxt", 853471009 + 700)),
     False, "$.buffered: buffered data reaches stream offset 700 but the listed frames cover only"),
    ("delivery-not-contiguous", _set(["expected", "trace", 2, "offset"], 150), False,
     "$.expected.trace[2].offset: expected deliveries are contiguous"),
    ("terminate-rcv-nxt-wrong", _set(["expected", "trace", 3, "rcv_nxt"], 853471009 + 599), False,
     "$.expected.trace[3].rcv_nxt: rcv_nxt - isn (599) must equal delivered"),
    ("complete-unposted", _set(["expected", "trace", 1, "requests", 0, "id"], 7), False,
     "$.expected.trace[1].requests[0].id: request 7 is never posted"),
    ("answer-disagrees", _set(["expected", "trace", 2, "answer"], "SUCCESS"), False,
     "$.expected.trace[2].answer: the host answers indication 1 with NOT_ACCEPTED"),
    ("time-backwards", lambda d: (d["events"][0].__setitem__("t_us", 10),
                                  d["events"][1].__setitem__("t_us", 5)), False,
     "$.events[1].t_us: time goes backwards"),
    ("post-before-offload", lambda d: d["events"].insert(0, {"op": "post", "size": 1}), False,
     "$.events[0]: \"post\" before the offload event"),
    ("at-beyond-events", _set(["expected", "trace", 3, "at"], 99), False,
     "$.expected.trace[3].at: expected integer in [0, 4]"),
    # Issue 14: fail_alloc fails the next event's allocations, no count.
    ("fail-alloc-nth", lambda d: d["events"].insert(
        1, {"op": "fail_alloc", "nth": 1}), True,
     "$.events[1].nth: fail_alloc no longer counts the target's allocations"),
    ("fail-alloc-last", lambda d: d["events"].append({"op": "fail_alloc"}),
     False, "fail_alloc must be followed by the event whose allocations fail"),
    ("fail-alloc-before-deferred-post", lambda d: d["events"].__setitem__(
        slice(1, 1), [{"op": "fail_alloc"},
                      {"op": "post_in_completion", "size": 5}]), False,
     "$.events[1]: fail_alloc is followed by \"post_in_completion\""),
]


def make_bad(tmp_path, name, mutate, fix_id=True):
    doc = json.loads(BASE.read_text())
    mutate(doc)
    if fix_id and name != "wrong-id":
        doc["id"] = vector_id(doc)
    d = tmp_path / "vectors"
    d.mkdir(exist_ok=True)
    (d / "capture").mkdir(exist_ok=True)
    cap = ROOT / "vectors" / "handwritten" / "capture" / "v4-12msg-fin.pcap"
    link = d / "capture" / cap.name
    if not link.exists():
        link.symlink_to(cap)
    p = d / f"{name}.json"
    p.write_text(json.dumps(doc, indent=2))
    return p, doc


def test_base_vector_is_good():
    doc = json.loads(BASE.read_text())
    assert not list(VALIDATOR.iter_errors(doc))


@pytest.mark.parametrize("name,mutate,schema_rejects,message", MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_malformed_vector_rejected(tmp_path, name, mutate, schema_rejects,
                                   message):
    path, doc = make_bad(tmp_path, name, mutate)
    errors = list(VALIDATOR.iter_errors(doc))
    if schema_rejects:
        assert errors, "the schema accepted a malformed vector"
    else:
        assert not errors, f"schema rule expected to pass: {errors[0].message}"
    torc = torc_bin()
    if not torc:
        pytest.fail("torc CLI not built")
    res = subprocess.run([torc, "lint", str(path)], capture_output=True,
                         text=True, timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert str(path) in out, out
    assert message in out, out


def test_lint_accepts_every_committed_vector():
    torc = torc_bin()
    if not torc:
        pytest.fail("torc CLI not built")
    res = subprocess.run([torc, "lint", str(ROOT / "vectors")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("garbage", [b"", b"{", b"[]", b"null", b"\xff\xfe",
                                     b'{"format": 1, "format": 1}',
                                     b"{" * 5000])
def test_garbage_is_an_error_not_a_crash(tmp_path, garbage):
    torc = torc_bin()
    if not torc:
        pytest.fail("torc CLI not built")
    p = tmp_path / "garbage.json"
    p.write_bytes(garbage)
    res = subprocess.run([torc, "lint", str(p)], capture_output=True,
                         timeout=30)
    assert res.returncode == 2
    assert str(p).encode() in res.stdout + res.stderr
