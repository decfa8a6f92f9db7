"""Checks of the feature map: which TORC_CAP_* features the specification
makes mandatory, and by which requirement (conformance/catalogue.json,
"features" and "operations"; compiled into torc by
conformance/tools/gen_features.py).

Pinned by hand from the specification (issue 11, "Mandatory is the
default"): every feature a vector can need is mandatory except the
allocation hook, which is about testability; the requirement cited for a
missing feature is a MUST row of the catalogue (RCV-176 for push and
non-push requests, RCV-007 for BufferedData, RCV-062 for the out-of-order
queue, ...).  The vendor header's comment above each TORC_CAP_* says the
same thing as the catalogue, and the generator refuses a malformed map with
the JSON path of the problem.
"""
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "conformance" / "catalogue.json"
HEADER = ROOT / "harness" / "include" / "torc" / "target.h"
GEN = ROOT / "conformance" / "tools" / "gen_features.py"

# Worked out from the specification, not read from the catalogue.
EXPECTED = {
    "BUFFERED_DATA": "RCV-007", "PUSH_MODE": "RCV-176",
    "NONPUSH_MODE": "RCV-176", "INDICATE": "RCV-083",
    "PARTIAL_ACCEPT": "RCV-141", "ZERO_BYTE_REQUEST": "RCV-114",
    "PREFILLED_REQUEST": "RCV-180", "REENTRANT_POST": "RCV-108",
    "TERMINATE": "RCV-230", "FIN": "RCV-255", "RST": "RCV-259",
    "VIRTUAL_TIME": "RCV-199", "OUT_OF_ORDER": "RCV-062",
    "ALLOC_HOOK": None,
}


@pytest.fixture(scope="module")
def cat():
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def header_caps():
    """(name, bit, comment) for each TORC_CAP_* define but TORC_CAP_ALL; the
    comment is the one just above the define, on one line or on several
    (" * " continuation lines joined with spaces)."""
    out, comment, open_ = [], "", None
    for line in HEADER.read_text(encoding="utf-8").splitlines():
        if open_ is not None:
            part = line.strip()
            done = part.endswith("*/")
            part = part[:-2].rstrip() if done else part
            open_.append(part[2:] if part.startswith("* ") else part)
            if done:
                comment, open_ = " ".join(open_).strip(), None
            continue
        m = re.match(r"^/\* (.*) \*/$", line)
        if m:
            comment = m.group(1)
            continue
        m = re.match(r"^/\* (.*)$", line)
        if m:
            open_ = [m.group(1)]
            continue
        m = re.match(r"^#define TORC_CAP_([A-Z_]+) \(1u << (\d+)\)", line)
        if m:
            out.append((m.group(1), int(m.group(2)), comment))
    return out


def test_every_capability_has_one_row_in_bit_order(cat):
    caps = sorted(header_caps(), key=lambda c: c[1])
    assert [c[1] for c in caps] == list(range(14))
    assert [f["capability"] for f in cat["features"]] == [c[0] for c in caps]


def test_mandatory_features_and_their_requirements(cat):
    got = {f["capability"]: (f["requirements"][0] if f["mandatory"] else None)
           for f in cat["features"]}
    assert got == EXPECTED


def test_cited_requirement_is_a_rule_on_the_target(cat):
    # The id cited first (the one a FAIL names) is a normative statement
    # about the target: MUST, MUST NOT, or BEHAVIOR (RCV-180: what a target
    # does with a prefilled push request).  The others must exist.
    strength = {r["id"]: r["strength"] for r in cat["requirements"]}
    rows = [(f["capability"], f.get("requirements", []))
            for f in cat["features"]]
    rows += [(o["operation"], o["requirements"]) for o in cat["operations"]]
    for what, ids in rows:
        for rid in ids:
            assert rid in strength, (what, rid)
        if ids:
            assert strength[ids[0]] in ("MUST", "MUST NOT", "BEHAVIOR"), (
                what, ids[0])


def test_only_the_allocation_hook_is_optional_and_says_why(cat):
    optional = [f for f in cat["features"] if not f["mandatory"]]
    assert [f["capability"] for f in optional] == ["ALLOC_HOOK"]
    assert "allocation" in optional[0]["untested_because"]


def test_header_comment_says_what_the_catalogue_says(cat):
    rows = {f["capability"]: f for f in cat["features"]}
    for name, _, comment in header_caps():
        f = rows[name]
        if f["mandatory"]:
            assert comment.startswith("mandatory, %s:" % f["requirements"][0]
                                      ), (name, comment)
        else:
            assert comment.startswith("optional (testability)"), (name,
                                                                  comment)


def test_every_operation_of_a_script_is_mapped(cat):
    assert {o["operation"] for o in cat["operations"]} == {
        "conn_open", "conn_close", "initiate_offload", "receive",
        "receive_return", "segment", "advance_time", "terminate_offload"}


def gen(tmp_path, doc):
    src = tmp_path / "catalogue.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    return subprocess.run(["/usr/bin/python3", str(GEN), str(src),
                           str(tmp_path / "out.h")],
                          capture_output=True, text=True)


def test_generator_writes_one_row_per_feature(cat, tmp_path):
    r = gen(tmp_path, cat)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "out.h").read_text()
    assert text.count("TORC_FEATURE_ROW(") == 14
    assert ('TORC_FEATURE_ROW(TORC_CAP_NONPUSH_MODE, "NONPUSH_MODE", 1, '
            '"RCV-176,RCV-177"') in text


@pytest.mark.parametrize("edit,where", [
    (lambda d: d["features"][2].update(requirements=["RCV-999"]),
     "$.features[2].requirements"),
    (lambda d: d["features"][0].update(capability="lower"),
     "$.features[0].capability"),
    (lambda d: d["features"][11].pop("untested_because"),
     "$.features[11].untested_because"),
    (lambda d: d["operations"][0].update(operation="frobnicate"),
     "$.operations[0].operation"),
    (lambda d: d.pop("features"), "$.features"),
])
def test_generator_refuses_a_bad_map_naming_the_place(cat, tmp_path, edit,
                                                      where):
    doc = json.loads(json.dumps(cat))
    edit(doc)
    r = gen(tmp_path, doc)
    assert r.returncode == 1
    assert where in r.stderr, r.stderr
    assert not (tmp_path / "out.h").exists()
