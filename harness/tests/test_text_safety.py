"""test_text_safety.py - no string makes torc write invalid XML (issue 16).

The vector loader refuses (exit 2, naming the JSON path, the code point and
its place) any string holding a Unicode non-character (U+FDD0..U+FDEF,
U+xFFFE, U+xFFFF) or a control character XML 1.0 cannot carry
(harness/input/torc_vector_json.c, harness/results/torc_text.c).  Strings
torc did not check itself (a results document made elsewhere, read by
`torc merge` and `torc report`; a target's own name) are written with '?'
for each such character: the JUnit file parses as XML, and the HTML report,
the Markdown summary and the TAP stream hold none of them.

Expected values by hand: "Verify that " is 12 characters, so a character
right after it is character 13; the hostile_name test target is named
"hostile" U+FFFE U+0001 '<&"name', version "1." U+FDD0
(harness/testtargets/hostile_name.c).
"""
import hashlib
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, results

sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import canonical  # noqa: E402

VECTOR = ROOT / "vectors" / "handwritten" / "buffered-then-posts.json"


def forbidden(ch):
    """What torc's text may not carry, written out from XML 1.0's Char
    production and Unicode's list of non-characters."""
    cp = ord(ch)
    if cp < 0x20:
        return ch not in "\t\n\r"
    return (0xD800 <= cp <= 0xDFFF or 0xFDD0 <= cp <= 0xFDEF
            or cp & 0xFFFE == 0xFFFE)


def id_like_torc(doc):
    """The content id as torc's loader computes it: vector_id.py's
    canonical text, but with jansson's upper-case hex in \\uXXXX escapes
    (harness/input/torc_vector_digest.c: the two agree on ASCII documents
    only).  The documents here hold no backslash of their own."""
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(),
                  canonical(doc))
    return "rcv-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def copy_vector(tmp_path, change, ascii=True):
    """The vector with change(doc) applied and its id recomputed, beside a
    copy of its capture folder; written as ASCII with \\u escapes, or with
    ascii=False as raw UTF-8 (the loader scans raw text before it walks the
    strings, torc_vector_json.c: both ways must be refused alike)."""
    shutil.copytree(VECTOR.parent / "capture", tmp_path / "capture")
    doc = json.loads(VECTOR.read_text())
    change(doc)
    doc.pop("id")
    doc["id"] = id_like_torc(doc)
    p = tmp_path / "v.json"
    p.write_text(json.dumps(doc, ensure_ascii=ascii), encoding="utf-8")
    return p


def set_title(d):
    d["title"] = "Verify that \ufffe is refused"


def set_note(d):
    d["provenance"]["note"] = "ab\ufdd0"


def set_requirement(d):
    d["requirements"][0] = "\U0001ffff"


def set_member_name(d):
    d["events"][0]["\u0001op"] = 1


def set_backspace(d):
    d["title"] = "Verify that \b is refused"      # json.dumps writes \b


def set_formfeed(d):
    d["provenance"]["note"] = "a\fb"              # and \f


REFUSED = {
    "title": (set_title, "$.title: U+FFFE at character 13 is a Unicode "
              "non-character"),
    "note": (set_note, "$.provenance.note: U+FDD0 at character 3 is a "
             "Unicode non-character"),
    "requirement": (set_requirement, "$.requirements[0]: U+1FFFF at "
                    "character 1 is a Unicode non-character"),
    "member-name": (set_member_name, "$.events[0]: member name: control "
                    "character U+0001 at character 1: not allowed"),
    "backspace": (set_backspace, "$.title: control character U+0008 at "
                  "character 13: not allowed"),
    "formfeed": (set_formfeed, "$.provenance.note: control character "
                 "U+000C at character 2: not allowed"),
}


@pytest.mark.parametrize("case", ["title", "note", "requirement"])
def test_raw_utf8_is_refused_like_escapes(torc, tmp_path, case):
    change, message = REFUSED[case]
    vec = copy_vector(tmp_path, change, ascii=False)
    assert not vec.read_bytes().isascii()
    r = torc("lint", vec)
    assert r.returncode == 2 and message in r.stderr, r.stderr


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_lint_refuses_what_xml_cannot_carry(torc, tmp_path, case):
    change, message = REFUSED[case]
    vec = copy_vector(tmp_path, change)
    r = torc("lint", vec)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "%s: %s" % (vec, message) in r.stdout + r.stderr, \
        r.stdout + r.stderr


def test_lint_accepts_what_xml_can_carry(torc, tmp_path):
    """Tab, CR, LF, accented letters, U+FFFD and characters beyond the BMP
    are text like any other."""
    vec = copy_vector(tmp_path, lambda d: d["provenance"].update(
        note="tab\tcr\rlf\n \u00e9 \ufffd \U0001f600 \U0010fffd"))
    r = torc("lint", vec)
    assert r.returncode == 0, r.stdout + r.stderr


def bad_results(torc, tmp_path):
    """A results document of a real FAIL (completes_twice on VECTOR), then
    edited as a document made elsewhere could be."""
    out = tmp_path / "r.json"
    r = torc("run", "--target", torc.target("completes_twice"), "--vectors",
             VECTOR, "--json", out, "--quiet")
    assert r.returncode == 1, r.stderr
    d = results(out)
    rec = d["results"][0]
    rec["title"] = "Verify that \ufffe\ufdd0\U0001fffe\u0001 x"
    rec["detail"] = "bad \uffff"
    rec["violations"][0]["message"] += " \ufffe"
    d["target"]["name"] = "t\ufffe"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(d))
    return bad


def test_junit_from_a_foreign_results_document_is_xml(torc, tmp_path):
    bad = bad_results(torc, tmp_path)
    junit = tmp_path / "j.xml"
    r = torc("merge", bad, "-o", tmp_path / "m.json", "--junit", junit)
    assert r.returncode == 1, r.stderr      # the FAIL, merged
    tree = ET.parse(junit)                  # raises on invalid XML
    text = junit.read_text(encoding="utf-8")
    assert not any(forbidden(c) for c in text)
    props = {p.get("name"): p.get("value") for p in tree.iter("property")}
    assert props["target"] == "t?"
    failure = [f for f in tree.iter("failure") if f.get("type") == "FAIL"]
    assert len(failure) == 1
    assert "Verify that ???? x" in failure[0].text
    assert "bad ?" in failure[0].text


def test_report_from_a_foreign_results_document(torc, tmp_path):
    bad = bad_results(torc, tmp_path)
    out = tmp_path / "rep"
    r = torc("report", bad, "-o", out)
    assert r.returncode == 0, r.stderr
    for name in ("report.html", "summary.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert not any(forbidden(c) for c in text), name
    assert "Verify that ???? x" in (out / "report.html").read_text()


def test_a_target_named_with_non_characters(torc, vectors, tmp_path):
    out, junit = tmp_path / "r.json", tmp_path / "r.xml"
    r = torc("run", "--target", torc.target("hostile_name"), torc.vectors,
             "--json", out, "--junit", junit, "--tap", "--quiet")
    assert r.returncode == 0, r.stderr      # the reference's behaviour
    doc = results(out)
    assert doc["target"]["name"] == 'hostile??<&"name'
    assert doc["target"]["version"] == "1.?"
    assert {x["verdict"] for x in doc["results"]} == {"PASS"}
    props = {p.get("name"): p.get("value")
             for p in ET.parse(junit).iter("property")}
    assert props["target"] == 'hostile??<&"name'
    assert props["target_version"] == "1.?"
    assert not any(forbidden(c) for c in r.stdout)   # the TAP stream
    assert r.stdout.startswith("TAP version 13\n1..%d\n" % (len(vectors) + 1))


def test_a_waiver_reason_cannot_forge_tap_lines(torc, tmp_path):
    """A waived vector's TAP line carries the waiver's reason ("# SKIP
    waived: was FAIL: REASON").  A reason holding a newline and a test line
    of its own, and U+FFFE, stays on that one line with '?' for each
    (harness/results/torc_results_tap.c), and the JUnit file parses."""
    vid = json.loads(VECTOR.read_text())["id"]
    w = tmp_path / "waivers.json"
    w.write_text(json.dumps([{
        "vector": vid, "reason": "bug\nok 7 - forged\ufffe",
        "owner": "nic-team@example", "expires": "2030-06-01"}]))
    junit = tmp_path / "j.xml"
    r = torc("run", "--target", torc.target("completes_twice"), "--vectors",
             VECTOR, "--waivers", w, "--tap", "--junit", junit, "--quiet",
             env={"TORC_TODAY": "2026-01-01"})
    lines = r.stdout.splitlines()
    assert lines[:2] == ["TAP version 13", "1..2"], r.stdout
    tests = [ln for ln in lines if ln.startswith(("ok ", "not ok "))]
    assert tests[0] == ("ok 1 - %s # SKIP waived: was FAIL: bug?ok 7 - "
                        "forged?" % vid), r.stdout
    assert len(tests) == 2 and tests[1].startswith("ok 2 - claim"), r.stdout
    assert not any(forbidden(c) for c in r.stdout)
    ET.parse(junit)
