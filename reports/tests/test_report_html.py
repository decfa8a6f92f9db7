"""The HTML report's content, parsed with html.parser and checked against the
results file it was made from.  Pins the report side of RCV-109 (a request
completed twice is shown as a violation of RCV-109), RCV-007/RCV-011 (poisoned
BufferedData shows as a byte divergence at stream offset 0 with the 0xa5
poison in the hex diff)."""
import hashlib
import json
import re

from conftest import CATALOGUE, load, torc
from htmlscan import parse

FAILING = {"FAIL", "CRASH", "TIMEOUT", "ERROR"}
EXERCISED = "requirement exercised by this vector"


def canonical_digest(path):
    doc = load(path)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def by_id(root, ident):
    found = root.find(lambda n: n.attrs.get("id") == ident)
    assert len(found) == 1, ident
    return found[0]


def articles(root):
    return {n.attrs["id"][2:]: n for n in root.find(
        lambda n: n.tag == "article" and "failure" in n.cls())}


def test_every_failure_has_article_with_requirements_and_divergence(
        completes_twice, keeps_host_buffer):
    for res, out in (completes_twice, keeps_host_buffer):
        doc = load(res)
        root = parse(out / "report.html")
        arts = articles(root)
        failing = [r for r in doc["results"] if r["verdict"] in FAILING]
        assert failing, "the bad target must fail some vectors"
        assert set(arts) == {r["id"] for r in doc["results"]
                             if r["verdict"] not in ("PASS", "UNTESTED")}
        for r in failing:
            a = arts[r["id"]]
            assert a.attrs["data-verdict"] == r["verdict"]
            shown = {li.attrs["data-req"] for li in a.find(
                lambda n: n.tag == "li" and "violation" in n.cls())}
            want = {v["requirement"] for v in r["violations"]
                    if v["message"] != EXERCISED}
            assert want and shown == want
            for req in r["requirements"]:
                assert req in a.attrs["data-reqs"].split()
            div = a.find(lambda n: "divergence" in n.cls())
            assert len(div) == 1, r["id"]
            if r.get("divergence"):
                d = r["divergence"]
                assert div[0].attrs["data-event-index"] == str(d["event_index"])
                off = d["stream_offset"]
                assert div[0].attrs["data-stream-offset"] == (
                    "" if off is None else str(off))
                assert d["expected"] in div[0].alltext()
                assert d["actual"] in div[0].alltext()
            # The diagrams: a sequence diagram with the divergence band and
            # a sequence-space picture, and the replay command.
            seq = a.find(lambda n: n.tag == "svg" and "seq" in n.cls())
            assert len(seq) == 1
            assert seq[0].find(lambda n: "divrow" in n.cls())
            space = a.find(lambda n: n.tag == "svg" and "space" in n.cls())
            ctx = r["context"]
            if ctx["stream_len"] or ctx["buffered_len"]:
                assert len(space) == 1
            else:
                assert "No stream bytes" in a.alltext()
            rp = a.find(lambda n: n.tag == "pre" and "replay" in n.cls())
            assert rp and rp[0].alltext().startswith("torc run --target ")
            assert "--vectors" in rp[0].alltext()


def test_completes_twice_names_rcv109(completes_twice):
    # completes_twice's defect is a second completion of a request: RCV-109.
    res, out = completes_twice
    root = parse(out / "report.html")
    for rid, a in articles(root).items():
        reqs = [li.attrs["data-req"] for li in a.find(
            lambda n: n.tag == "li" and "violation" in n.cls())]
        assert "RCV-109" in reqs, rid


def test_poison_shows_in_hex_diff(keeps_host_buffer):
    # The harness poisons BufferedData with 0xa5 (RCV-011): the actual column
    # of the hex diff holds marked a5 bytes at stream offset 0.
    res, out = keeps_host_buffer
    root = parse(out / "report.html")
    doc = load(res)
    poisoned = [r for r in doc["results"] if r["verdict"] == "FAIL" and
                r["divergence"] and r["divergence"]["actual"].startswith(
                    "[a5 a5")]
    assert poisoned
    for r in poisoned:
        a = articles(root)[r["id"]]
        hexd = a.find(lambda n: n.tag == "table" and "hex" in n.cls())
        assert hexd
        cells = hexd[0].find(lambda n: n.tag == "td")
        assert cells[3].alltext() == str(r["divergence"]["stream_offset"])
        marks = [m.alltext() for m in cells[5].find(lambda n: n.tag == "mark")]
        assert marks and set(marks) == {"a5"}


def test_matrix_counts_equal_results(completes_twice):
    res, out = completes_twice
    doc, cat = load(res), load(CATALOGUE)
    root = parse(out / "report.html")
    rows = {tr.attrs["data-req"]: tr for tr in root.find(
        lambda n: n.tag == "tr" and "req" in n.cls())}
    # Every catalogue requirement has a row.
    assert {q["id"] for q in cat["requirements"]} <= set(rows)
    for req, tr in rows.items():
        want = {}
        for r in doc["results"]:
            if req in r["requirements"]:
                want[r["verdict"]] = want.get(r["verdict"], 0) + 1
        cells = {td.attrs["data-verdict"]: int(td.alltext()) for td in tr.find(
            lambda n: n.tag == "td" and "data-verdict" in n.attrs)}
        assert len(cells) == 8
        for v, n in cells.items():
            assert n == want.get(v, 0), (req, v)
        vec = tr.find(lambda n: n.tag == "td" and "vectors" in n.cls())
        assert int(vec[0].alltext()) == sum(want.values())
        if not want:
            assert {"uncovered", "untestable"} & set(tr.cls())
    # Testable requirements no vector exercises are counted as gaps.
    gaps = [q for q in cat["requirements"] if q["testable"] and not any(
        q["id"] in r["requirements"] for r in doc["results"])]
    assert by_id(root, "uncovered-count").alltext() == str(len(gaps))


def test_header_and_verdict_counts(completes_twice):
    res, out = completes_twice
    doc = load(res)
    root = parse(out / "report.html")
    assert by_id(root, "target-name").alltext() == doc["target"]["name"]
    assert by_id(root, "abi-version").alltext() == str(
        doc["target"]["abi_version"])
    assert by_id(root, "vector-set-digest").alltext() == \
        doc["vector_set_digest"]
    assert by_id(root, "suite-version").alltext() == doc["torc_version"]
    assert by_id(root, "status").alltext() == "NOT CONFORMANT"
    chips = {c.attrs["data-verdict"]: int(c.attrs["data-n"]) for c in
             by_id(root, "verdict-counts").find(lambda n: "chip" in n.cls())}
    assert chips.pop("TOTAL") == len(doc["results"])
    assert chips == doc["summary"]["counts"]


def test_reference_report_is_conformant(reference):
    res, out = reference
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "CONFORMANT"
    assert not articles(root)


def test_handwritten_only_is_a_partial_run(reference_handwritten):
    # Issue 11: 16 PASS over a set that is not the shipped suite is no
    # conformance claim.
    res, out = reference_handwritten
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "PARTIAL RUN"
    assert by_id(root, "claim-headline").alltext() == "PARTIAL RUN"
    assert "Not a conformance claim." in by_id(root, "claim").alltext()
    assert "not the suite this torc ships" in \
        by_id(root, "claim-reasons").alltext()
    assert (out / "summary.md").read_text().startswith(
        "## torc conformance: PARTIAL RUN :x:")


def test_null_target_lists_missing_mandatory_features(null_target):
    # The null target declares nothing: NOT CONFORMANT, and the 13 mandatory
    # features are listed with the requirement that makes each mandatory
    # (RCV-176 for push and non-push requests, RCV-007 for BufferedData).
    res, out = null_target
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "NOT CONFORMANT"
    items = by_id(root, "missing-mandatory").alltext()
    for cap, rid in (("PUSH_MODE", "RCV-176"), ("NONPUSH_MODE", "RCV-176"),
                     ("BUFFERED_DATA", "RCV-007"), ("OUT_OF_ORDER", "RCV-062")):
        assert "TORC_CAP_" + cap in items and rid in items
    assert "ALLOC_HOOK" not in items
    assert by_id(root, "capability-names").alltext() == "none declared"
    md = (out / "summary.md").read_text()
    assert md.startswith("## torc conformance: NOT CONFORMANT")
    assert "missing mandatory feature `TORC_CAP_NONPUSH_MODE` (RCV-176)" in md


def test_digest_matches_python_recomputation(completes_twice, reference):
    for res, out in (completes_twice, reference):
        digest = canonical_digest(res)
        root = parse(out / "report.html")
        assert by_id(root, "results-digest").alltext() == digest
        assert digest in (out / "summary.md").read_text()
        data = json.loads(by_id(root, "torc-data").alltext())
        assert data["results_digest"] == digest


def test_digest_of_awkward_values(tmp_path):
    # Floats, non-ASCII text, escapes and key order: the C canonical writer
    # must agree with Python's json.dumps.
    doc = {"torc_version": "0.1.0", "format": 2, "vector_set_digest": "ab",
           "suite": {"digest": "ab", "is_suite": True},
           "scope": {"set_size": 1, "selected": 1,
                     "selection": {"ids": [], "requirements": [], "tags": [],
                                   "exclude": []},
                     "shards": [], "finished": True, "stopped_by": None,
                     "strict": False},
           "target": {"name": "t\u00e9st \U0001F600", "version": "1",
                      "abi_version": 1, "capabilities": 3},
           "zeta": [0.1, 1e-05, 3.0, 123456789.125, 2.405144, 1e16, -0.0,
                    0.0001, 1.5e300, "tab\there", "q\"b\\s", "\u007f\u0001"],
           "results": [{"id": "rcv-1", "verdict": "PASS", "requirements": [],
                        "violations": [], "title": "<b>&</b>"}]}
    p = tmp_path / "r.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    r = torc("report", p, "-o", tmp_path / "out", "--catalogue", CATALOGUE,
             check=0)
    root = parse(tmp_path / "out" / "report.html")
    assert by_id(root, "results-digest").alltext() == canonical_digest(p)
    # Text from the results is escaped, never markup.
    assert "<b>&</b>" in (tmp_path / "out" / "report.html").read_text() \
        .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert not root.find(lambda n: n.tag == "b" and n.alltext() == "&")


def test_self_contained(completes_twice):
    res, out = completes_twice
    html = (out / "report.html").read_text()
    assert not re.search(r'<(script|img|link|iframe)[^>]*\s(src|href)=', html)
    assert "@import" not in html and "url(" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert html.count('<script type="application/json"') == 1


def test_summary_md_and_junit(completes_twice):
    res, out = completes_twice
    doc = load(res)
    md = (out / "summary.md").read_text()
    assert md.startswith("## torc conformance: NOT CONFORMANT")
    n = doc["summary"]["counts"]["FAIL"]
    assert f"| FAIL | {n} |" in md
    assert "RCV-109" in md
    assert (out / "junit.xml").read_bytes() == (res.parent / "junit.xml") \
        .read_bytes()


def test_bad_input_is_exit_2_naming_the_place(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"format": 2, "vector_set_digest": "x",
                             "scope": {}, "suite": {},
                             "target": {"name": "t"},
                             "results": [{"id": "a", "verdict": "MAYBE",
                                          "requirements": []}]}))
    r = torc("report", p, "-o", tmp_path / "o")
    assert r.returncode == 2
    assert f"{p}: $.results[0].verdict" in r.stderr
    p.write_text("{ not json")
    r = torc("report", p, "-o", tmp_path / "o")
    assert r.returncode == 2 and f"{p}: line 1" in r.stderr
    assert not (tmp_path / "o" / "report.html").exists()
    r = torc("report", "-o", tmp_path / "o")
    assert r.returncode == 2
