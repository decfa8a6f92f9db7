"""The claim a run makes, end to end (issue 11: a conformance claim that
cannot be fooled).

Every expectation is worked out from the rules (harness/results/torc_claim.h,
man torc: CAPABILITIES, CLAIM) and from the vectors' own `requires` lists,
never from torc's output:
  - every feature but the allocation hook is mandatory; a target lacking one
    is NOT CONFORMANT (exit 1) and each vector needing it FAILs citing the
    requirement that makes it so (RCV-176 for non-push requests);
  - only the allocation hook may be absent: its vectors are UNTESTED and the
    claim is CONFORMANT WITH UNTESTED REQUIREMENTS (exit 0);
  - the reference over the whole shipped suite is CONFORMANT; over another
    set, a selection or one shard it is a PARTIAL RUN (exit 0);
  - a run stopped by SIGINT is INCOMPLETE (exit 3) and its results say so.
"""
import json
import signal
import subprocess
import time

import pytest

from conftest import ROOT, load_vector_files, results

SUITE = ROOT / "vectors"


@pytest.fixture(scope="module")
def suite():
    return load_vector_files(SUITE)


def run(torc, tmp_path, target, *extra, name="r.json"):
    out = tmp_path / name
    r = torc("run", "--target", target, "--vectors", SUITE, "--json", out,
             *extra, timeout=300)
    return r, results(out) if out.exists() else None


def test_reference_over_the_suite_is_conformant(torc, tmp_path, suite):
    r, doc = run(torc, tmp_path, "reference")
    assert r.returncode == 0, r.stderr
    assert doc["format"] == 2
    assert doc["suite"]["is_suite"] is True
    assert doc["suite"]["digest"] == doc["vector_set_digest"]
    assert doc["scope"]["set_size"] == doc["scope"]["selected"] == len(suite)
    assert doc["scope"]["finished"] is True
    assert doc["target"]["missing_mandatory"] == []
    assert len(doc["target"]["capability_names"]) == 14
    assert doc["claim"]["headline"] == "CONFORMANT"
    assert "torc: claim: CONFORMANT" in r.stderr


def test_null_target_is_not_conformant(torc, tmp_path, suite):
    r, doc = run(torc, tmp_path, "null")
    assert r.returncode == 1, r.stderr
    assert doc["claim"]["headline"] == "NOT CONFORMANT"
    missing = {m["capability"] for m in doc["target"]["missing_mandatory"]}
    assert missing == {"BUFFERED_DATA", "PUSH_MODE", "NONPUSH_MODE",
                       "INDICATE", "PARTIAL_ACCEPT", "ZERO_BYTE_REQUEST",
                       "PREFILLED_REQUEST", "REENTRANT_POST", "TERMINATE",
                       "FIN", "RST", "VIRTUAL_TIME", "OUT_OF_ORDER"}
    assert doc["target"]["absent_optional"][0]["capability"] == "ALLOC_HOOK"
    assert {x["verdict"] for x in doc["results"]} == {"FAIL"}
    assert "torc: claim: NOT CONFORMANT" in r.stderr


def test_subset_target_fails_what_needs_the_missing_feature(torc, tmp_path,
                                                             suite):
    r, doc = run(torc, tmp_path, torc.target("no_nonpush"))
    assert r.returncode == 1, r.stderr
    assert doc["claim"]["headline"] == "NOT CONFORMANT"
    assert [m["capability"] for m in doc["target"]["missing_mandatory"]] == \
        ["NONPUSH_MODE"]
    assert doc["target"]["missing_mandatory"][0]["requirements"][0] == \
        "RCV-176"
    got = {x["id"]: x for x in doc["results"]}
    for vid, v in suite.items():
        if "nonpush_mode" in v["requires"]:
            assert got[vid]["verdict"] == "FAIL", vid
            assert [w["requirement"] for w in got[vid]["violations"]] == \
                ["RCV-176"], vid
        else:
            assert got[vid]["verdict"] == "PASS", vid
    assert any("NONPUSH_MODE" in s and "RCV-176" in s
               for s in doc["claim"]["reasons"])


def test_without_the_allocation_hook_requirements_are_untested(torc, tmp_path,
                                                               suite):
    r, doc = run(torc, tmp_path, torc.target("no_alloc_hook"))
    assert r.returncode == 0, r.stderr
    assert doc["claim"]["headline"] == \
        "CONFORMANT WITH UNTESTED REQUIREMENTS"
    got = {x["id"]: x["verdict"] for x in doc["results"]}
    needing = {vid for vid, v in suite.items() if "alloc_hook" in v["requires"]}
    assert needing and {got[v] for v in needing} == {"UNTESTED"}
    assert {got[v] for v in set(suite) - needing} == {"PASS"}
    # The requirements cited by those vectors and by no other one.
    cited_elsewhere = {rid for vid, v in suite.items() if vid not in needing
                       for rid in v["requirements"]}
    only_there = sorted({rid for vid in needing
                         for rid in suite[vid]["requirements"]}
                        - cited_elsewhere)
    assert doc["claim"]["untested_requirements"] == only_there
    assert any("ALLOC_HOOK" in s for s in doc["claim"]["reasons"])


@pytest.mark.parametrize("extra,reason", [
    (["--shard", "1/2"], "the shards cover"),
    (["--requirement", "RCV-176"], "a selection"),
])
def test_selection_and_shard_are_partial_runs(torc, tmp_path, extra, reason):
    r, doc = run(torc, tmp_path, "reference", *extra)
    assert r.returncode == 0, r.stderr
    assert doc["claim"]["headline"] == "PARTIAL RUN"
    assert any(reason in s for s in doc["claim"]["reasons"])
    if extra[0] == "--shard":
        assert doc["scope"]["shards"] == [{"index": 1, "count": 2}]
    else:
        assert doc["scope"]["selection"]["requirements"] == ["RCV-176"]
    assert doc["scope"]["selected"] < doc["scope"]["set_size"]


def test_other_vectors_than_the_suite_are_a_partial_run(torc, tmp_path):
    out = tmp_path / "h.json"
    r = torc("run", "--target", "reference", "--vectors", torc.vectors,
             "--json", out)
    assert r.returncode == 0, r.stderr
    doc = results(out)
    assert doc["suite"]["is_suite"] is False
    assert doc["claim"]["headline"] == "PARTIAL RUN"


def test_one_shard_merges_to_a_partial_run_and_both_to_the_full_claim(
        torc, tmp_path):
    shards = []
    for i in (1, 2):
        r, _ = run(torc, tmp_path, "reference", "--shard", "%d/2" % i,
                   name="s%d.json" % i)
        assert r.returncode == 0, r.stderr
        shards.append(tmp_path / ("s%d.json" % i))
    r = torc("merge", shards[0], "-o", tmp_path / "m1.json")
    assert r.returncode == 0, r.stderr
    assert results(tmp_path / "m1.json")["claim"]["headline"] == "PARTIAL RUN"
    r = torc("merge", *shards, "-o", tmp_path / "m.json")
    assert r.returncode == 0, r.stderr
    assert results(tmp_path / "m.json")["claim"]["headline"] == "CONFORMANT"


def test_sigint_makes_the_run_incomplete(torc, tmp_path):
    out = tmp_path / "i.json"
    p = subprocess.Popen([str(torc.bin), "run", "--target", "reference",
                          "--vectors", str(SUITE), "--isolate", "vector",
                          "--json", str(out)], cwd=str(ROOT),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 3, err
    doc = results(out)
    assert doc["scope"]["finished"] is False
    assert doc["scope"]["stopped_by"] == "SIGINT"
    assert doc["claim"]["headline"] == "INCOMPLETE"
    assert len(doc["results"]) < doc["scope"]["set_size"]
    # `torc report` says so too.
    r = torc("report", out, "-o", tmp_path / "rep", "--catalogue",
             ROOT / "conformance" / "catalogue.json")
    assert r.returncode == 0, r.stderr
    assert ">INCOMPLETE</span>" in (tmp_path / "rep" / "report.html") \
        .read_text()
