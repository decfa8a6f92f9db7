"""The HTML report's content, parsed with html.parser and checked against the
results file it was made from.  Pins the report side of RCV-109 (a request
completed twice is shown as a violation of RCV-109), RCV-007/RCV-011 (poisoned
BufferedData shows as a byte divergence at stream offset 0 with the 0xa5
poison in the hex diff)."""
import hashlib
import json
import re

from conftest import (ALL_CAPS, CATALOGUE, HANDWRITTEN, SUITE, cap_bit,
                      document, load, record, report_of, torc)
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


def page_name(vid):
    """The vector's page (reports/torc_report_names.c): letters, digits and
    '-' kept, every other byte as _xx."""
    return "".join(c if c.isascii() and (c.isalnum() or c == "-")
                   else "".join("_%02x" % b for b in c.encode())
                   for c in vid) + ".html"


def articles(out, doc):
    """The article of each vector page under out/vectors, by vector id."""
    arts = {}
    for r in doc["results"]:
        p = out / "vectors" / page_name(r["id"])
        if not p.exists():
            continue
        found = parse(p).find(
            lambda n: n.tag == "article" and "failure" in n.cls())
        assert len(found) == 1, p
        arts[found[0].attrs["id"][2:]] = found[0]
    return arts


def untested_items(root):
    return by_id(root, "untested-requirements").find(
        lambda n: n.tag == "li" and "data-req" in n.attrs)


def test_every_failure_has_article_with_requirements_and_divergence(
        completes_twice, keeps_host_buffer):
    for res, out in (completes_twice, keeps_host_buffer):
        doc = load(res)
        arts = articles(out, doc)
        failing = [r for r in doc["results"] if r["verdict"] in FAILING]
        assert failing, "the bad target must fail some vectors"
        assert set(arts) == {r["id"] for r in doc["results"]
                             if r["verdict"] not in ("PASS", "UNTESTED")}
        # Exactly those pages, and no article on the main page.
        assert len(list((out / "vectors").glob("*.html"))) == len(arts)
        assert not parse(out / "report.html").find(
            lambda n: n.tag == "article")
        for r in failing:
            a = arts[r["id"]]
            assert a.attrs["data-verdict"] == r["verdict"]
            # One item per distinct message, naming every requirement
            # that carries it.
            items = a.find(lambda n: n.tag == "li" and "violation" in n.cls())
            shown = {q for li in items for q in li.attrs["data-reqs"].split()}
            want = {v["requirement"] for v in r["violations"]
                    if v["message"] != EXERCISED}
            assert want and shown == want
            assert len(items) == len({v["message"] for v in r["violations"]
                                      if v["message"] != EXERCISED})
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
                assert div[0].attrs["data-expected"] == d["expected"]
                assert div[0].attrs["data-actual"] == d["actual"]
                # Shown with the script step named as such.
                assert "(event " not in div[0].alltext()
                shown_exp = re.sub(r"\(event (\d+)\)", r"(at script step s\1)",
                                   d["expected"])
                if "RETRIEVE info" not in shown_exp:
                    assert shown_exp in div[0].alltext()
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
    arts = articles(out, load(res))
    assert arts
    for rid, a in arts.items():
        reqs = [q for li in a.find(
            lambda n: n.tag == "li" and "violation" in n.cls())
            for q in li.attrs["data-reqs"].split()]
        assert "RCV-109" in reqs, rid


def test_poison_shows_in_hex_diff(keeps_host_buffer):
    # The harness poisons BufferedData with 0xa5 (RCV-011): the actual column
    # of the hex diff holds marked a5 bytes at stream offset 0.
    res, out = keeps_host_buffer
    doc = load(res)
    arts = articles(out, doc)
    poisoned = [r for r in doc["results"] if r["verdict"] == "FAIL" and
                r["divergence"] and r["divergence"]["actual"].startswith(
                    "[a5 a5")]
    assert poisoned
    for r in poisoned:
        a = arts[r["id"]]
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
    assert not articles(out, load(res))
    assert list((out / "vectors").iterdir()) == []
    assert by_id(root, "no-failures").alltext() == "No vector failed."


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
    assert "missing mandatory feature `TORC_CAP_NONPUSH_MODE` (RCV-176, " \
        "RCV-177)" in md


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


# ---- The claim over hand-built format-2 documents (issue 11) --------------
# Each expected headline follows common.md's rules, first match wins:
# INCOMPLETE, NOT CONFORMANT, PARTIAL RUN, CONFORMANT WITH UNTESTED
# REQUIREMENTS, CONFORMANT.

NO_PUSH = ("target does not declare PUSH_MODE (push-mode receive requests, "
           "completed on PSH or when the push timer expires), which RCV-176 "
           "makes mandatory")
ALLOC_BECAUSE = ("the target's memory is not the host's: allocation failures "
                 "cannot be injected")


def matrix_rows(root):
    return {tr.attrs["data-req"]: tr for tr in root.find(
        lambda n: n.tag == "tr" and "req" in n.cls())}


def summary(out):
    return (out / "summary.md").read_text()


def test_missing_mandatory_is_not_conformant_and_never_pass(tmp_path):
    # A target without PUSH_MODE: two vectors the gate failed for it, two
    # that passed (one of them citing RCV-176).  The document's own claim
    # says CONFORMANT; the report recomputes and must not believe it.
    fail = [{"requirement": "RCV-176", "message": NO_PUSH}]
    doc = document([
        record("v-push-1", "FAIL", ["RCV-176", "RCV-110"], fail,
               "missing mandatory feature: PUSH_MODE"),
        record("v-push-2", "FAIL", ["RCV-045"], fail,
               "missing mandatory feature: PUSH_MODE"),
        record("v-np-1", "PASS", ["RCV-176", "RCV-007"]),
        record("v-np-2", "PASS", ["RCV-007"]),
    ], caps=ALL_CAPS & ~cap_bit("PUSH_MODE"),
        claim={"headline": "CONFORMANT", "exit_status": 0, "reasons": []})
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "NOT CONFORMANT"
    assert by_id(root, "claim-headline").alltext() == "NOT CONFORMANT"
    assert "Not a conformance claim." not in by_id(root, "claim").alltext()
    reasons = [li.alltext() for li in by_id(root, "claim-reasons").find(
        lambda n: n.tag == "li")]
    assert reasons == ["2 vectors FAIL", "the " + NO_PUSH]
    miss = by_id(root, "missing-mandatory")
    feats = miss.find(lambda n: n.tag == "li" and "data-capability" in n.attrs)
    assert [li.attrs["data-capability"] for li in feats] == ["PUSH_MODE"]
    text = feats[0].alltext()
    assert "TORC_CAP_PUSH_MODE" in text and "push-mode receive requests" in text
    assert "RCV-176" in text and "RCV-177" in text
    assert "A target supports both push-mode and non-push-mode" in text
    assert "2 vectors FAIL for it" in text
    rows = matrix_rows(root)
    # RCV-176 has one PASS vector, but the feature it makes mandatory is
    # missing: not met.  RCV-177 has no vector at all: not met either.
    for rid in ("RCV-176", "RCV-177"):
        assert rows[rid].attrs["data-status"] == "FAIL", rid
        assert "failing" in rows[rid].cls()
        assert "TORC_CAP_PUSH_MODE" in rows[rid].alltext()
    assert rows["RCV-007"].attrs["data-status"] == "PASS"
    assert rows["RCV-045"].attrs["data-status"] == "FAIL"
    md = summary(out)
    assert md.startswith("## torc conformance: NOT CONFORMANT :x:\n")
    assert "missing mandatory feature `TORC_CAP_PUSH_MODE` (RCV-176, " \
        "RCV-177): 2 vectors FAIL for it" in md
    assert "CONFORMANT" not in md.replace("NOT CONFORMANT", "")


def test_subset_target_all_pass_is_still_not_conformant(tmp_path):
    # The "RCV-045 shows 45 PASS": a target without PARTIAL_ACCEPT
    # (RCV-141, RCV-045) whose vectors, none needing it, all pass.  No FAIL,
    # but a mandatory feature is missing: NOT CONFORMANT, and RCV-045 and
    # RCV-141 are not met although RCV-045 counts 3 PASS.
    doc = document([record("v-%d" % i, "PASS", ["RCV-045"])
                    for i in range(3)],
                   caps=ALL_CAPS & ~cap_bit("PARTIAL_ACCEPT"))
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "NOT CONFORMANT"
    rows = matrix_rows(root)
    pass_cell = rows["RCV-045"].find(
        lambda n: n.tag == "td" and n.attrs.get("data-verdict") == "PASS")
    assert pass_cell[0].alltext() == "3"
    assert rows["RCV-045"].attrs["data-status"] == "FAIL"
    assert rows["RCV-141"].attrs["data-status"] == "FAIL"
    assert "0 vectors FAIL for it" in by_id(root, "missing-mandatory").alltext()
    assert summary(out).startswith("## torc conformance: NOT CONFORMANT :x:")


def test_interrupted_is_incomplete(tmp_path):
    # SIGINT after 3 of 10 selected vectors, all three PASS: INCOMPLETE.
    doc = document([record("v-%d" % i, "PASS", ["RCV-007"])
                    for i in range(3)],
                   scope={"set_size": 10, "selected": 10, "finished": False,
                          "stopped_by": "SIGINT"})
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "INCOMPLETE"
    assert by_id(root, "claim-headline").alltext() == "INCOMPLETE"
    assert "Not a conformance claim." in by_id(root, "claim").alltext()
    reasons = by_id(root, "claim-reasons").alltext()
    assert "stopped (SIGINT)" in reasons and "3 of 10" in reasons
    assert by_id(root, "finished").alltext() == "no (stopped by SIGINT)"
    md = summary(out)
    assert md.startswith("## torc conformance: INCOMPLETE :x:\n\n"
                         "**Not a conformance claim.**\n")
    assert "not finished (stopped by SIGINT)" in md


def test_one_shard_is_a_partial_run(tmp_path):
    # Shard 1 of 2: 2 results of a set of 4, all PASS.
    doc = document([record("v-a", "PASS", ["RCV-007"]),
                    record("v-b", "PASS", ["RCV-008"])],
                   scope={"set_size": 4, "selected": 4,
                          "shards": [{"index": 1, "count": 2}]})
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "PARTIAL RUN"
    assert "Not a conformance claim." in by_id(root, "claim").alltext()
    assert "the shards cover 2 of the set's 4 vectors" in \
        by_id(root, "claim-reasons").alltext()
    assert by_id(root, "shards").alltext() == "1/2"
    md = summary(out)
    assert md.startswith("## torc conformance: PARTIAL RUN :x:\n\n"
                         "**Not a conformance claim.**\n")
    assert "shards: 1/2" in md


def test_all_pass_but_not_the_suite_is_a_partial_run(tmp_path):
    doc = document([record("v-%d" % i, "PASS", ["RCV-007"])
                    for i in range(3)], is_suite=False)
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "PARTIAL RUN"
    assert "Not a conformance claim." in by_id(root, "claim").alltext()
    assert "are not the suite this torc ships" in \
        by_id(root, "claim-reasons").alltext()
    suite = by_id(root, "suite").alltext()
    assert suite.startswith("the vectors run are not the suite")
    assert "7" * 64 in suite and "5" * 64 in suite
    assert summary(out).startswith("## torc conformance: PARTIAL RUN :x:")


def test_alloc_hook_absent_is_conformant_with_untested(tmp_path):
    # Without ALLOC_HOOK: RCV-007 passed in v-a, so only RCV-010 and RCV-237
    # (cited by UNTESTED vectors and by no PASS) are untested.
    lacks = "untested: target lacks ALLOC_HOOK (%s)" % ALLOC_BECAUSE
    doc = document([record("v-a", "PASS", ["RCV-007", "RCV-008"]),
                    record("v-b", "UNTESTED", ["RCV-010", "RCV-007"],
                           detail=lacks),
                    record("v-c", "UNTESTED", ["RCV-237"], detail=lacks)],
                   caps=ALL_CAPS & ~cap_bit("ALLOC_HOOK"))
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    want = "CONFORMANT WITH UNTESTED REQUIREMENTS"
    assert by_id(root, "status").alltext() == want
    assert "Not a conformance claim." not in by_id(root, "claim").alltext()
    assert "2 requirements judged by no other vector, because the target " \
        "lacks ALLOC_HOOK" in by_id(root, "claim-reasons").alltext()
    items = untested_items(root)
    assert [li.attrs["data-req"] for li in items] == ["RCV-010", "RCV-237"]
    # Both share one reason, said once for the two.
    groups = by_id(root, "untested-requirements").find(
        lambda n: n.tag == "li" and "because" in n.cls())
    assert len(groups) == 1
    assert "because the target lacks TORC_CAP_ALLOC_HOOK: " + \
        ALLOC_BECAUSE in groups[0].alltext()
    assert "If storage for the BufferedData copy cannot be allocated" in \
        items[0].alltext()
    assert not by_id(root, "scope").find(
        lambda n: n.attrs.get("id") == "missing-mandatory")
    rows = matrix_rows(root)
    assert rows["RCV-010"].attrs["data-status"] == "UNTESTED"
    assert rows["RCV-237"].attrs["data-status"] == "UNTESTED"
    assert rows["RCV-007"].attrs["data-status"] == "PASS"
    md = summary(out)
    assert md.startswith("## torc conformance: " + want +
                         " :white_check_mark:\n")
    assert "- untested requirements: RCV-010, RCV-237\n" in md


def test_waivers_applied_and_unmatched_are_listed(tmp_path):
    applied = {"vector": "v-w", "reason": "known bug 12",
               "owner": "alice@example.com", "expires": "2027-01-31",
               "link": "https://bugs.example/12", "vectors": ["v-w"]}
    unmatched = {"requirement": "RCV-099", "reason": "stale",
                 "owner": "bob@example.com", "expires": "2027-02-28"}
    doc = document([record("v-w", "WAIVED", ["RCV-015"]),
                    record("v-p", "PASS", ["RCV-007"])],
                   waivers={"applied": [applied], "unmatched": [unmatched]})
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    # WAIVED is judged, nothing failed, the whole suite ran: CONFORMANT.
    assert by_id(root, "status").alltext() == "CONFORMANT"
    a = by_id(root, "waivers-applied").find(lambda n: n.tag == "li")
    assert len(a) == 1 and a[0].attrs["data-waives"] == "v-w"
    for want in ("vector v-w", "known bug 12", "owner alice@example.com",
                 "expires 2027-01-31", "https://bugs.example/12",
                 "waived: v-w"):
        assert want in a[0].alltext(), want
    u = by_id(root, "waivers-unmatched").find(lambda n: n.tag == "li")
    assert len(u) == 1 and u[0].attrs["data-waives"] == "RCV-099"
    for want in ("requirement RCV-099", "stale", "owner bob@example.com",
                 "expires 2027-02-28"):
        assert want in u[0].alltext(), want
    assert "waived:" not in u[0].alltext()
    md = summary(out)
    assert "- applied waiver of vector `v-w`: known bug 12 (owner " \
        "alice@example.com, expires 2027-01-31, https://bugs.example/12); " \
        "waived: v-w\n" in md
    assert "- unmatched waiver of requirement `RCV-099`: stale (owner " \
        "bob@example.com, expires 2027-02-28)\n" in md


def test_scope_names_target_selection_and_strict(tmp_path):
    caps = cap_bit("BUFFERED_DATA") | cap_bit("ALLOC_HOOK")
    doc = document([record("v-a", "PASS", ["RCV-007"])],
                   caps=ALL_CAPS, scope={
                       "set_size": 9, "selected": 1, "strict": True,
                       "selection": {"ids": [], "requirements": ["RCV-007"],
                                     "tags": ["fin"], "exclude": ["v-x"]}})
    doc["target"]["capability_names"] = ["BUFFERED_DATA", "ALLOC_HOOK"]
    doc["target"]["capabilities"] = ALL_CAPS  # names are shown as written
    res, out = report_of(tmp_path, doc)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "PARTIAL RUN"
    assert "a selection (--id, --requirement, --tag, --exclude) kept 1 of " \
        "the set's 9 vectors" in by_id(root, "claim-reasons").alltext()
    scope = by_id(root, "scope").alltext()
    assert "hand 9.8.7, ABI 1, torc 0.1.0" in scope
    assert "1 results of 1 selected, in a set of 9" in scope
    assert by_id(root, "capability-names").alltext() == \
        "BUFFERED_DATA, ALLOC_HOOK"
    assert by_id(root, "selection").alltext() == \
        "ids: -; requirements: RCV-007; tags: fin; excluded: v-x"
    assert by_id(root, "strict").alltext().startswith("yes")
    assert caps  # both names are real features
    assert "; --strict" in summary(out)


def test_format_1_is_refused(tmp_path):
    p = tmp_path / "old.json"
    p.write_text(json.dumps({"format": 1, "results": []}))
    r = torc("report", p, "-o", tmp_path / "o")
    assert r.returncode == 2
    assert f"{p}: $.format: results of an older torc (format 1); re-run" in \
        r.stderr


def test_real_selection_run_is_partial(tmp_path):
    # A real run of the reference over the suite, kept to one requirement:
    # every selected vector passes, but it is a selection.
    res, out = tmp_path / "r.json", tmp_path / "rep"
    torc("run", "--target", "reference", "--vectors", SUITE, "--requirement",
         "RCV-109", "--json", res, "--quiet", check=0)
    torc("report", res, "-o", out, "--catalogue", CATALOGUE, check=0)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "PARTIAL RUN"
    assert by_id(root, "selection").alltext().startswith(
        "ids: -; requirements: RCV-109;")
    assert "a selection (--id, --requirement, --tag, --exclude) kept" in \
        by_id(root, "claim-reasons").alltext()


# ---- The claim over real runs ----------------------------------------------

def test_real_subset_target_lists_missing_feature(no_nonpush):
    # The reference without NONPUSH_MODE: every FAIL is the gate's, for
    # NONPUSH_MODE; RCV-176 and RCV-177 are not met; NOT CONFORMANT.
    res, out = no_nonpush
    doc = load(res)
    nfail = doc["summary"]["counts"]["FAIL"]
    assert nfail > 0
    assert all(r["detail"] == "missing mandatory feature: NONPUSH_MODE"
               for r in doc["results"] if r["verdict"] == "FAIL")
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "NOT CONFORMANT"
    feats = by_id(root, "missing-mandatory").find(
        lambda n: n.tag == "li" and "data-capability" in n.attrs)
    assert [li.attrs["data-capability"] for li in feats] == ["NONPUSH_MODE"]
    assert "%d vectors FAIL for it" % nfail in feats[0].alltext()
    assert "RCV-176" in feats[0].alltext()
    rows = matrix_rows(root)
    assert rows["RCV-176"].attrs["data-status"] == "FAIL"
    assert rows["RCV-177"].attrs["data-status"] == "FAIL"
    assert summary(out).startswith("## torc conformance: NOT CONFORMANT :x:")


def test_real_alloc_hook_absent_lists_untested(no_alloc_hook):
    res, out = no_alloc_hook
    doc = load(res)
    # The rule: cited by an UNTESTED vector and by no PASS/PASS-NONSTRICT.
    untested = {q for r in doc["results"] if r["verdict"] == "UNTESTED"
                for q in r["requirements"]}
    passed = {q for r in doc["results"]
              if r["verdict"] in ("PASS", "PASS-NONSTRICT")
              for q in r["requirements"]}
    want = sorted(untested - passed)
    assert want and "RCV-010" in want
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == \
        "CONFORMANT WITH UNTESTED REQUIREMENTS"
    items = untested_items(root)
    assert [li.attrs["data-req"] for li in items] == want
    groups = by_id(root, "untested-requirements").find(
        lambda n: n.tag == "li" and "because" in n.cls())
    assert len(groups) == 1 and "because the target lacks " \
        "TORC_CAP_ALLOC_HOOK" in groups[0].alltext()
    for rid in want:
        assert matrix_rows(root)[rid].attrs["data-status"] == "UNTESTED"
    assert "- untested requirements: " + ", ".join(want) + "\n" in \
        summary(out)


def test_real_sigint_then_report_is_incomplete(tmp_path):
    import signal
    import subprocess
    import time
    from conftest import TARGETS, TORC
    res = tmp_path / "i.json"
    journal = tmp_path / "i.json.journal"
    p = subprocess.Popen([str(TORC), "run", "--target",
                          str(TARGETS / "hang.so"), "--vectors",
                          str(HANDWRITTEN), "--timeout", "400", "--json",
                          str(res)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not (journal.exists() and
               journal.read_text().count("\n") >= 3):
        assert p.poll() is None and time.monotonic() - t0 < 60
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=60) == 3
    out = tmp_path / "rep"
    torc("report", res, "-o", out, "--catalogue", CATALOGUE, check=0)
    root = parse(out / "report.html")
    assert by_id(root, "status").alltext() == "INCOMPLETE"
    assert "Not a conformance claim." in by_id(root, "claim").alltext()
    assert by_id(root, "finished").alltext() == "no (stopped by SIGINT)"
    assert "the run was stopped (SIGINT)" in \
        by_id(root, "claim-reasons").alltext()
    assert summary(out).startswith("## torc conformance: INCOMPLETE :x:")


def test_failures_are_grouped_by_the_rule_they_broke(tmp_path):
    """Issue 12: a failure is shown, and grouped under "How they fail", by
    the rule it is attributed to, not by the first violation listed: two
    vectors whose first violation differs but whose failure is attributed
    to RCV-167 make one row naming RCV-167."""
    msg = ("The target accepts data up to the updated receive window and no "
           "further (RCV-167): the byte count differs (100 bytes more)")
    recs = []
    for vid, first in (("v-1", "RCV-015"), ("v-2", "RCV-046")):
        r = record(vid, "FAIL", ["RCV-015", "RCV-167"],
                   [{"requirement": first, "message": "context " + vid},
                    {"requirement": "RCV-167", "message": msg}])
        r["attributed_to"] = ["RCV-167"]
        recs.append(r)
    _, out = report_of(tmp_path, document(recs))
    md = (out / "summary.md").read_text()
    section = md.split("### How they fail", 1)[1].split("###", 1)[0]
    rows = [l for l in section.splitlines() if "RCV-" in l]
    assert len(rows) == 1 and "RCV-167" in rows[0], section
    assert "RCV-015" not in section and "RCV-046" not in section
    assert "- `v-1` FAIL RCV-167: " in md and "- `v-2` FAIL RCV-167: " in md


def test_capabilities_are_printed_in_hex(tmp_path):
    """Issue 17: "0x16383x" (decimal between "0x" and "x") was printed for
    TORC_CAP_ALL; the header gives the bits in hexadecimal."""
    no_indicate = ALL_CAPS & ~cap_bit("INDICATE")
    _, out = report_of(tmp_path, document([record("v-1", "PASS", ["RCV-015"])],
                                          caps=no_indicate))
    root = parse(out / "report.html")
    assert by_id(root, "capabilities").alltext() == "0x%x" % no_indicate
