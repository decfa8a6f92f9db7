"""test_claim_run.py - end-to-end tests of the claim `torc run` makes.

Each run's results (format 2) record what the claim covers -- the target's
capabilities by name with the mandatory ones missing, the scope (set size,
selection, shards, finished, stopped_by, strict) and whether the set run is
the suite this torc ships -- and the claim itself, printed before the
counts line and deciding the exit status.  Expected values are worked out
by hand from the claim's rules (harness/results/torc_claim.h), the feature
map of the catalogue (pinned below by hand, as conformance/tests/
test_features.py does) and the vector files' "requires" and
"requirements", never copied from torc's output.

TORC_BUILD selects the build tree (default build/).
"""
import json
import re
import signal
import subprocess

import pytest

from conftest import results, by_id, load_vector_files, wait_for_lines, ROOT

# TORC_CAP_* in bit order, and for each mandatory feature the requirement
# that makes it mandatory (the first the catalogue gives, cited by the
# engine's gate).  ALLOC_HOOK alone is optional (testability only).
FEATURES = ["BUFFERED_DATA", "PUSH_MODE", "NONPUSH_MODE", "INDICATE",
            "PARTIAL_ACCEPT", "ZERO_BYTE_REQUEST", "PREFILLED_REQUEST",
            "REENTRANT_POST", "TERMINATE", "FIN", "RST", "ALLOC_HOOK",
            "VIRTUAL_TIME", "OUT_OF_ORDER"]
MANDATORY = {"BUFFERED_DATA": "RCV-007", "PUSH_MODE": "RCV-176",
             "NONPUSH_MODE": "RCV-176", "INDICATE": "RCV-083",
             "PARTIAL_ACCEPT": "RCV-141", "ZERO_BYTE_REQUEST": "RCV-114",
             "PREFILLED_REQUEST": "RCV-180", "REENTRANT_POST": "RCV-108",
             "TERMINATE": "RCV-230", "FIN": "RCV-255", "RST": "RCV-259",
             "VIRTUAL_TIME": "RCV-199", "OUT_OF_ORDER": "RCV-062"}
NO_SELECTION = {"ids": [], "requirements": [], "tags": [], "exclude": []}


@pytest.fixture(scope="session")
def suite(torc):
    """{id: vector} of the suite torc ships: vectors/handwritten and
    vectors/corpus, which `torc run` loads by default from the root."""
    vs = load_vector_files(ROOT / "vectors" / "handwritten")
    vs.update(load_vector_files(ROOT / "vectors" / "corpus"))
    assert vs
    return vs


def needs(v):
    """The features a vector needs, upper case, in bit order."""
    req = {c.upper() for c in v.get("requires", [])}
    return [f for f in FEATURES if f in req]


def run(torc, tmp_path, *args, name="r.json"):
    out = tmp_path / name
    r = torc("run", *args, "--json", out, timeout=600)
    return r, results(out) if out.exists() else None


def claim_lines(stderr):
    """The console's claim: the headline, its reasons and the counts line,
    which must be the last three parts of stderr."""
    lines = stderr.splitlines()
    i = max(k for k, l in enumerate(lines) if l.startswith("torc: claim: "))
    reasons = lines[i + 1:-1]
    assert all(l.startswith("torc:   - ") for l in reasons), lines[i:]
    assert re.match(r"torc: \d+ vectors?:", lines[-1]), lines[-1]
    return lines[i][len("torc: claim: "):], [l[10:] for l in reasons]


def check_scope(doc, set_size, selected, selection=None, shards=(),
                finished=True, stopped_by=None, strict=False):
    sel = dict(NO_SELECTION)
    sel.update(selection or {})
    assert doc["format"] == 2
    # not_run names the selected vectors without a result: as many as the
    # selection has beyond the results, none of them among the results.
    not_run = doc["scope"]["not_run"]
    assert not_run == sorted(not_run)
    assert len(not_run) == selected - len(doc["results"])
    assert not set(not_run) & {x["id"] for x in doc["results"]}
    assert doc["scope"] == {
        "set_size": set_size, "selected": selected, "selection": sel,
        "shards": [{"index": i, "count": n} for i, n in shards],
        "finished": finished, "stopped_by": stopped_by, "not_run": not_run,
        "strict": strict}


# ---- Targets that lack features --------------------------------------------

def test_null_target_is_not_conformant(torc, suite, tmp_path):
    """null declares nothing: every vector of the suite FAILs, one violation
    per mandatory feature it needs citing the requirement that makes the
    feature mandatory; all 13 mandatory features are missing; exit 1."""
    r, doc = run(torc, tmp_path, "--target", "null")
    assert r.returncode == 1, r.stderr
    assert set(by_id(doc)) == set(suite)
    for vid, rec in by_id(doc).items():
        want = [f for f in needs(suite[vid]) if f in MANDATORY]
        assert want, vid   # every vector of the suite needs one
        assert rec["verdict"] == "FAIL"
        assert rec["detail"] == "missing mandatory feature: " + \
            ", ".join(want)
        gate = [w for w in rec["violations"]
                if w["message"].startswith("target does not declare ")]
        assert [w["requirement"] for w in gate] == \
            [MANDATORY[f] for f in want]
        for w, f in zip(gate, want):
            assert w["message"].startswith("target does not declare %s " % f)
            assert w["message"].endswith(", which %s makes mandatory" %
                                         MANDATORY[f])
    t = doc["target"]
    assert t["capabilities"] == 0 and t["capability_names"] == []
    assert [m["capability"] for m in t["missing_mandatory"]] == \
        [f for f in FEATURES if f in MANDATORY]
    for m in t["missing_mandatory"]:
        assert m["requirements"][0] == MANDATORY[m["capability"]]
        assert m["what"]
    assert [a["capability"] for a in t["absent_optional"]] == ["ALLOC_HOOK"]
    assert t["absent_optional"][0]["because"]
    assert doc["suite"]["is_suite"] is True
    check_scope(doc, len(suite), len(suite))
    c = doc["claim"]
    assert c["headline"] == "NOT CONFORMANT" and c["exit_status"] == 1
    assert c["missing_mandatory"] == [f for f in FEATURES if f in MANDATORY]
    assert c["untested_requirements"] == []
    head, reasons = claim_lines(r.stderr)
    assert head == "NOT CONFORMANT" and reasons == c["reasons"]
    assert "%d vectors FAIL" % len(suite) in reasons
    for f, req in MANDATORY.items():
        assert any(f in x and req in x for x in reasons), f


def test_subset_target_lacking_nonpush_is_not_conformant(torc, suite,
                                                         tmp_path):
    """no_nonpush is the reference declaring everything but NONPUSH_MODE:
    the vectors that post a non-push request FAIL citing RCV-176, the others
    pass, and NONPUSH_MODE is the one missing mandatory feature."""
    r, doc = run(torc, tmp_path, "--target", torc.target("no_nonpush"))
    assert r.returncode == 1, r.stderr
    failing = {k for k, v in suite.items() if "NONPUSH_MODE" in needs(v)}
    assert failing and failing != set(suite)
    for vid, rec in by_id(doc).items():
        if vid in failing:
            assert rec["verdict"] == "FAIL"
            assert rec["detail"] == "missing mandatory feature: NONPUSH_MODE"
            assert [w["requirement"] for w in rec["violations"]] == \
                ["RCV-176"]
        else:
            assert rec["verdict"] == "PASS", (vid, rec["detail"])
    t = doc["target"]
    assert t["capability_names"] == [f for f in FEATURES
                                     if f != "NONPUSH_MODE"]
    assert [m["capability"] for m in t["missing_mandatory"]] == \
        ["NONPUSH_MODE"]
    assert t["missing_mandatory"][0]["requirements"][0] == "RCV-176"
    assert t["absent_optional"] == []
    c = doc["claim"]
    assert c["headline"] == "NOT CONFORMANT" and c["exit_status"] == 1
    assert c["missing_mandatory"] == ["NONPUSH_MODE"]
    assert "%d vectors FAIL" % len(failing) in c["reasons"]
    assert any("NONPUSH_MODE" in x and "RCV-176" in x for x in c["reasons"])
    assert claim_lines(r.stderr) == ("NOT CONFORMANT", c["reasons"])


def test_target_lacking_only_alloc_hook_is_conformant_with_untested(
        torc, suite, tmp_path):
    """no_alloc_hook declares everything but the optional ALLOC_HOOK: the
    vectors needing the hook are UNTESTED, every other passes, exit 0; the
    untested requirements are those the UNTESTED vectors cite and no
    passing vector does."""
    r, doc = run(torc, tmp_path, "--target", torc.target("no_alloc_hook"))
    assert r.returncode == 0, r.stderr
    untested = {k for k, v in suite.items() if "ALLOC_HOOK" in needs(v)}
    assert untested
    recs = by_id(doc)
    for vid, rec in recs.items():
        if vid in untested:
            assert rec["verdict"] == "UNTESTED"
            assert rec["detail"].startswith(
                "untested: target lacks ALLOC_HOOK (")
        else:
            assert rec["verdict"] == "PASS", vid
    judged = {q for k, v in suite.items() if k not in untested
              for q in v["requirements"]}
    only = {q for k in untested for q in suite[k]["requirements"]} - judged
    assert only   # the allocation-failure rules only these vectors reach
    c = doc["claim"]
    assert c["headline"] == "CONFORMANT WITH UNTESTED REQUIREMENTS"
    assert c["exit_status"] == 0 and c["missing_mandatory"] == []
    assert set(c["untested_requirements"]) == only
    assert len(c["untested_requirements"]) == len(only)
    reason = next(x for x in c["reasons"] if "untested" in x.lower())
    assert "%d requirement%s judged by no other vector" % (
        len(only), "" if len(only) == 1 else "s") in reason
    assert "ALLOC_HOOK" in reason
    assert doc["target"]["missing_mandatory"] == []
    assert [a["capability"] for a in doc["target"]["absent_optional"]] == \
        ["ALLOC_HOOK"]
    assert claim_lines(r.stderr)[0] == "CONFORMANT WITH UNTESTED REQUIREMENTS"


# ---- What the run covered ----------------------------------------------------

def test_reference_on_the_suite_is_conformant(torc, suite, tmp_path):
    r, doc = run(torc, tmp_path, "--target", "reference")
    assert r.returncode == 0, r.stderr
    assert doc["suite"]["is_suite"] is True
    assert doc["suite"]["digest"] == doc["vector_set_digest"]
    check_scope(doc, len(suite), len(suite))
    assert doc["target"]["capability_names"] == FEATURES
    assert doc["target"]["missing_mandatory"] == []
    assert doc["target"]["absent_optional"] == []
    assert doc["claim"] == {"headline": "CONFORMANT", "exit_status": 0,
                            "reasons": [], "untested_requirements": [],
                            "missing_mandatory": []}
    assert claim_lines(r.stderr) == ("CONFORMANT", [])


def test_reference_on_handwritten_only_is_a_partial_run(torc, vectors,
                                                        tmp_path):
    """Another vector set than the suite: a PARTIAL RUN, exit 0."""
    r, doc = run(torc, tmp_path, "--target", "reference", "--vectors",
                 torc.vectors)
    assert r.returncode == 0, r.stderr
    assert doc["suite"]["is_suite"] is False
    assert doc["suite"]["digest"] != doc["vector_set_digest"]
    check_scope(doc, len(vectors), len(vectors))
    c = doc["claim"]
    assert c["headline"] == "PARTIAL RUN" and c["exit_status"] == 0
    assert any("not the suite" in x for x in c["reasons"])
    assert claim_lines(r.stderr) == ("PARTIAL RUN", c["reasons"])


def test_one_shard_is_a_partial_run(torc, suite, tmp_path):
    """--shard 1/2 judges the sorted ids 0, 2, 4, ... of the suite."""
    r, doc = run(torc, tmp_path, "--target", "reference", "--shard", "1/2")
    assert r.returncode == 0, r.stderr
    mine = sorted(suite)[0::2]
    assert [x["id"] for x in doc["results"]] == mine
    check_scope(doc, len(suite), len(mine), shards=[(1, 2)])
    assert doc["suite"]["is_suite"] is True
    c = doc["claim"]
    assert c["headline"] == "PARTIAL RUN" and c["exit_status"] == 0
    assert any("shard" in x for x in c["reasons"])


def test_one_shard_merges_to_a_partial_run_and_both_to_the_full_claim(
        torc, tmp_path):
    shards = []
    for i in (1, 2):
        r, _ = run(torc, tmp_path, "--target", "reference", "--shard",
                   "%d/2" % i, name="s%d.json" % i)
        assert r.returncode == 0, r.stderr
        shards.append(tmp_path / ("s%d.json" % i))
    r = torc("merge", shards[0], "-o", tmp_path / "m1.json")
    assert r.returncode == 0, r.stderr
    assert results(tmp_path / "m1.json")["claim"]["headline"] == "PARTIAL RUN"
    r = torc("merge", *shards, "-o", tmp_path / "m.json")
    assert r.returncode == 0, r.stderr
    assert results(tmp_path / "m.json")["claim"]["headline"] == "CONFORMANT"


def test_requirement_selection_is_a_partial_run(torc, suite, tmp_path):
    r, doc = run(torc, tmp_path, "--target", "reference", "--requirement",
                 "RCV-176")
    assert r.returncode == 0, r.stderr
    mine = {k for k, v in suite.items() if "RCV-176" in v["requirements"]}
    assert mine and mine != set(suite)
    assert set(by_id(doc)) == mine
    check_scope(doc, len(suite), len(mine),
                selection={"requirements": ["RCV-176"]})
    c = doc["claim"]
    assert c["headline"] == "PARTIAL RUN" and c["exit_status"] == 0
    assert any("select" in x for x in c["reasons"])


def test_strict_and_the_other_selections_are_recorded(torc, vectors,
                                                      tmp_path):
    push = sorted(k for k, v in vectors.items() if "push" in v["tags"])
    other = sorted(k for k, v in vectors.items() if "push" not in v["tags"])
    assert len(push) >= 2 and other
    ids = [push[0], push[1], other[0]]
    r, doc = run(torc, tmp_path, "--target", "reference", "--vectors",
                 torc.vectors, "--strict", "--id", ids[0], "--id", ids[1],
                 "--id", ids[2], "--tag", "push", "--exclude", push[1])
    assert r.returncode == 0, r.stderr
    assert set(by_id(doc)) == {push[0]}
    check_scope(doc, len(vectors), 1, strict=True,
                selection={"ids": ids, "tags": ["push"],
                           "exclude": [push[1]]})


def test_quiet_keeps_only_the_claims_headline(torc, tmp_path):
    r = torc("run", "--target", "null", "--vectors", torc.vectors, "--quiet")
    assert r.returncode == 1
    assert r.stderr == "torc: claim: NOT CONFORMANT\n" and r.stdout == ""


# ---- Interrupted runs --------------------------------------------------------

def start_hang_run(torc, out, *extra):
    return subprocess.Popen(
        [str(torc.bin), "run", "--target", torc.target("hang"),
         str(torc.vectors), "--timeout", "400", "--json", str(out)] +
        list(extra), cwd=str(ROOT), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig,name,extra", [
    (signal.SIGINT, "SIGINT", []),
    (signal.SIGTERM, "SIGTERM", ["--jobs", "2"]),
])
def test_a_stopped_run_is_incomplete(torc, vectors, tmp_path, sig, name,
                                     extra):
    """SIGINT (or SIGTERM) during a run of the slow hang target: what
    finished is written, marked unfinished and stopped by that signal; the
    claim is INCOMPLETE, exit 3, whatever the verdicts so far."""
    out = tmp_path / "i.json"
    p = start_hang_run(torc, out, *extra)
    assert wait_for_lines(tmp_path / "i.json.journal", 3, p)
    p.send_signal(sig)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 3
    doc = results(out)
    n = len(doc["results"])
    assert 2 <= n < len(vectors)
    check_scope(doc, len(vectors), len(vectors), finished=False,
                stopped_by=name)
    c = doc["claim"]
    assert c["headline"] == "INCOMPLETE" and c["exit_status"] == 3
    assert any(name in x and "stopped" in x for x in c["reasons"])
    head, reasons = claim_lines(err)
    assert head == "INCOMPLETE" and reasons == c["reasons"]
    assert "interrupted" in err


def test_fail_fast_records_where_it_stopped(torc, vectors, tmp_path):
    """--fail-fast stops on purpose at the first FAIL: unfinished, stopped
    by fail-fast, and the FAIL decides (NOT CONFORMANT, exit 1)."""
    r, doc = run(torc, tmp_path, "--target", torc.target("wrong_handle"),
                 "--vectors", torc.vectors, "--fail-fast")
    assert r.returncode == 1
    assert [x["verdict"] for x in doc["results"]] == ["FAIL"]
    check_scope(doc, len(vectors), len(vectors), finished=False,
                stopped_by="fail-fast")
    assert doc["claim"]["headline"] == "NOT CONFORMANT"


# ---- JUnit and TAP -------------------------------------------------------------

def test_junit_of_the_null_run_fails_on_the_claim(torc, vectors, tmp_path):
    import xml.etree.ElementTree as ET
    out = tmp_path / "j.xml"
    r = torc("run", "--target", "null", "--vectors", torc.vectors, "--junit",
             out)
    assert r.returncode == 1
    s = ET.parse(out).getroot()[0]
    (claim,) = [c for c in s.findall("testcase") if c.get("name") == "claim"]
    assert claim.get("classname") == "torc"
    (f,) = list(claim)
    assert f.tag == "failure" and f.get("message") == "NOT CONFORMANT"
    assert "RCV-176" in f.text
    props = {p.get("name"): p.get("value") for p in s.iter("property")}
    assert props["claim"] == "NOT CONFORMANT"
    assert props["target"] == "null" and props["capabilities"] == ""
    assert re.fullmatch(r"[0-9a-f]{64}", props["vector_set_digest"])
    assert int(s.get("tests")) == len(vectors) + 1
    assert int(s.get("failures")) == len(vectors) + 1


def test_tap_ends_with_the_claim(torc, vectors, tmp_path):
    """The plan counts the vectors and the claim; the claim's line is not ok
    for NOT CONFORMANT, a SKIP for a PARTIAL RUN."""
    n = len(vectors) + 1
    r = torc("run", "--target", "null", "--vectors", torc.vectors, "--tap",
             "--quiet")
    lines = r.stdout.splitlines()
    assert lines[1] == "1..%d" % n
    tests = [l for l in lines if re.match(r"(not )?ok \d+ ", l)]
    assert len(tests) == n and tests[-1] == "not ok %d - claim" % n
    assert all(l.startswith("not ok ") for l in tests)
    i = lines.index(tests[-1])
    assert lines[i + 1:i + 3] == ["  ---", '  claim: "NOT CONFORMANT"']
    r = torc("run", "--target", "reference", "--vectors", torc.vectors,
             "--tap", "--quiet")
    assert r.returncode == 0
    tests = [l for l in r.stdout.splitlines()
             if re.match(r"(not )?ok \d+ ", l)]
    assert tests[-1] == ("ok %d - claim # SKIP PARTIAL RUN: not a "
                         "conformance claim" % n)
    assert all(l.startswith("ok ") for l in tests)
