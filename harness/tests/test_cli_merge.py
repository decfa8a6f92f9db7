"""test_cli_merge.py - end-to-end tests of `torc merge`: it joins only the
different shards of one run, and the merged claim (recomputed from the
merged scope) is its exit status.

Inputs that are not shards of one run (other torc, vector set, target,
capabilities, --strict, selection or waivers; not a shard; the same shard
or vector twice; format 1; a malformed file) are refused with exit 2 and a
message naming both files and what differs.  One shard alone is a PARTIAL
RUN (exit 0), every shard together the claim of a whole run, an interrupted
shard INCOMPLETE (exit 3).  The documents are written by hand
(results_doc.py) and every expected claim is worked out from issue 11's
rules, first match wins: INCOMPLETE (3), NOT CONFORMANT (1), PARTIAL RUN
(0), CONFORMANT WITH UNTESTED REQUIREMENTS (0), CONFORMANT (0).

TORC_BUILD selects the build tree (default build/).
"""
import json

import pytest

from results_doc import ALL, ALLOC_HOOK, NONPUSH_MODE, doc, record, write

FOUR = [("rcv-a", "PASS"), ("rcv-b", "PASS"), ("rcv-c", "PASS"),
        ("rcv-d", "PASS")]


def shard(i, n, records, **kw):
    kw.setdefault("set_size", 4)
    return doc(records, shards=[(i, n)], **kw)


def halves(**kw):
    """Shards 1/2 and 2/2 of a run of the four vectors of FOUR."""
    return shard(1, 2, FOUR[:2], **kw), shard(2, 2, FOUR[2:], **kw)


def merge(torc, tmp_path, *docs, extra=()):
    paths = [write(tmp_path, "s%d.json" % i, d) for i, d in enumerate(docs)]
    out = tmp_path / "m.json"
    r = torc("merge", *paths, "-o", out, *extra)
    return r, paths, out


@pytest.mark.parametrize("change,words", [
    ({"caps": ALL & ~ALLOC_HOOK},
     ["different capabilities", "ALLOC_HOOK"]),
    ({"torc_version": "0.0.9"}, ["torc 0.1.0", "torc 0.0.9",
                                 "different torc versions"]),
    ({"name": "u"}, ["target t 1", "target u 1", "different targets"]),
    ({"version": "2"}, ["target t 2", "different targets"]),
    ({"digest": "e" * 64}, ["different vector sets"]),
    ({"set_size": 5}, ["different vector sets"]),
    ({"strict": True}, ["--strict", "different strictness"]),
    ({"selection": {"requirements": ["RCV-176"]}},
     ["RCV-176", "different selections"]),
    ({"waivers": {"applied": [], "unmatched": []}},
     ["--waivers", "different waivers"]),
])
def test_merge_refuses_results_of_another_run(torc, tmp_path, change,
                                              words):
    a = shard(1, 2, FOUR[:2])
    b = shard(2, 2, FOUR[2:], **change)
    r, (pa, pb), out = merge(torc, tmp_path, a, b)
    assert r.returncode == 2, r.stderr
    for w in words + [str(pa), str(pb)]:
        assert w in r.stderr, (w, r.stderr)
    assert not out.exists()


def test_merge_refuses_other_waivers(torc, tmp_path):
    w1 = {"vector": "rcv-a", "reason": "r", "owner": "o",
          "expires": "2099-01-01"}
    w2 = dict(w1, vector="rcv-b")
    a = shard(1, 2, FOUR[:2], waivers={"applied": [], "unmatched": [w1]})
    b = shard(2, 2, FOUR[2:], waivers={"applied": [], "unmatched": [w2]})
    r, (pa, pb), _ = merge(torc, tmp_path, a, b)
    assert r.returncode == 2
    assert "were run with different waivers" in r.stderr
    assert str(pa) in r.stderr and str(pb) in r.stderr


def test_merge_refuses_the_same_shard_twice(torc, tmp_path):
    a, _ = halves()
    r, (pa, pb), out = merge(torc, tmp_path, a, a)
    assert r.returncode == 2
    assert "shard 1/2" in r.stderr and "the same shard twice" in r.stderr
    assert str(pa) in r.stderr and str(pb) in r.stderr
    assert not out.exists()


def test_merge_refuses_shards_of_different_counts(torc, tmp_path):
    a = shard(1, 2, FOUR[:2])
    b = shard(3, 3, FOUR[2:])
    r, _, _ = merge(torc, tmp_path, a, b)
    assert r.returncode == 2
    assert "shard 3/3" in r.stderr and "different counts" in r.stderr


def test_merge_refuses_a_whole_run_with_a_shard(torc, tmp_path):
    a = shard(1, 2, FOUR[:2])
    b = doc(FOUR[2:], set_size=4)              # no --shard
    r, (_, pb), _ = merge(torc, tmp_path, a, b)
    assert r.returncode == 2
    assert str(pb) in r.stderr and "is not a shard" in r.stderr


def test_merge_refuses_a_vector_in_two_inputs(torc, tmp_path):
    a = shard(1, 2, FOUR[:2])
    b = shard(2, 2, FOUR[1:])                  # rcv-b in both
    r, (pa, pb), _ = merge(torc, tmp_path, a, b)
    assert r.returncode == 2
    assert ("%s: vector rcv-b is also in %s (overlapping shards)" % (pb, pa)
            in r.stderr)


def test_one_shard_alone_is_a_partial_run(torc, tmp_path):
    a, _ = halves()
    r, _, out = merge(torc, tmp_path, a)
    # Finished, all judged PASS, every feature declared, the suite: only
    # the coverage is short (2 of 4) -> PARTIAL RUN, exit 0.
    assert r.returncode == 0, r.stderr
    m = json.loads(out.read_text())
    assert m["claim"]["headline"] == "PARTIAL RUN"
    assert m["claim"]["exit_status"] == 0
    assert ("the shards cover 2 of the set's 4 vectors: not a conformance "
            "claim" in m["claim"]["reasons"])
    assert m["scope"]["shards"] == [{"index": 1, "count": 2}]
    assert "claim: PARTIAL RUN" in r.stderr


def test_every_shard_gives_the_whole_runs_records_and_claim(torc, tmp_path):
    a, b = halves()
    r, _, out = merge(torc, tmp_path, b, a)    # any order
    assert r.returncode == 0, r.stderr
    m = json.loads(out.read_text())
    whole = write(tmp_path, "whole.json", doc(FOUR))
    r = torc("merge", whole, "-o", tmp_path / "w.json")
    assert r.returncode == 0, r.stderr
    w = json.loads((tmp_path / "w.json").read_text())
    assert m["claim"]["headline"] == w["claim"]["headline"] == "CONFORMANT"
    assert m["claim"] == w["claim"]
    assert m["results"] == w["results"] == [record(*x) for x in FOUR]
    assert m["scope"]["shards"] == [{"index": 1, "count": 2},
                                    {"index": 2, "count": 2}]
    assert m["scope"]["selected"] == 4 and m["scope"]["set_size"] == 4
    assert m["scope"]["finished"] is True
    assert m["summary"]["total"] == 4 and m["format"] == 2


def test_an_interrupted_shard_makes_the_merge_incomplete(torc, tmp_path):
    a = shard(1, 2, FOUR[:2], selected=2)
    b = shard(2, 2, FOUR[2:3], selected=2, finished=False,
              stopped_by="SIGINT")
    r, _, out = merge(torc, tmp_path, a, b)
    assert r.returncode == 3, r.stderr
    m = json.loads(out.read_text())
    assert m["scope"]["finished"] is False
    assert m["scope"]["stopped_by"] == "SIGINT"
    assert m["claim"]["headline"] == "INCOMPLETE"
    assert ("the run was stopped (SIGINT) with 3 of 4 selected vectors "
            "judged" in m["claim"]["reasons"])


def test_the_merge_names_every_shards_vectors_not_run(torc, tmp_path):
    # Shard 2 of 2 stopped after rcv-c, leaving rcv-d; shard 1 of 2 stopped
    # before rcv-b.  The merge lists both, sorted, as written by each shard;
    # inputs written before scope.not_run existed (absent) add nothing.
    a = shard(1, 2, [("rcv-a", "FAIL")], selected=2, finished=False,
              stopped_by="fail-fast")
    a["scope"]["not_run"] = ["rcv-b"]
    b = shard(2, 2, FOUR[2:3], selected=2, finished=False,
              stopped_by="fail-fast")
    b["scope"]["not_run"] = ["rcv-d"]
    r, _, out = merge(torc, tmp_path, b, a)
    assert r.returncode == 1, r.stderr        # rcv-a FAILed
    m = json.loads(out.read_text())
    assert m["scope"]["not_run"] == ["rcv-b", "rcv-d"]
    r, _, out = merge(torc, tmp_path, *halves())
    assert json.loads(out.read_text())["scope"]["not_run"] == []


def test_a_not_run_list_that_is_not_strings_is_refused(torc, tmp_path):
    a, b = halves()
    a["scope"]["not_run"] = ["rcv-x", 7]
    r, _, _ = merge(torc, tmp_path, a, b)
    assert r.returncode == 2
    assert "$.scope.not_run[1]" in r.stderr and "not a string" in r.stderr


def test_waivers_applied_in_one_shard_are_applied(torc, tmp_path):
    wa = {"vector": "rcv-a", "reason": "r", "owner": "o",
          "expires": "2099-01-01"}
    wr = {"requirement": "RCV-015", "reason": "r2", "owner": "o2",
          "expires": "2099-01-01", "link": "http://x"}
    wz = dict(wa, vector="rcv-z")              # matches nothing anywhere
    a = shard(1, 2, [("rcv-a", "WAIVED"), ("rcv-b", "PASS")],
              waivers={"applied": [dict(wa, vectors=["rcv-a"]),
                                   dict(wr, vectors=["rcv-b"])],
                       "unmatched": [wz]})
    b = shard(2, 2, FOUR[2:],
              waivers={"applied": [dict(wr, vectors=["rcv-d", "rcv-c"])],
                       "unmatched": [wa, wz]})
    r, _, out = merge(torc, tmp_path, a, b)
    assert r.returncode == 0, r.stderr
    w = json.loads(out.read_text())["waivers"]
    assert w["applied"] == [dict(wa, vectors=["rcv-a"]),
                            dict(wr, vectors=["rcv-b", "rcv-c", "rcv-d"])]
    assert w["unmatched"] == [wz]


@pytest.mark.parametrize("verdicts,kw,extra,want", [
    # UNTESTED beside passes: conformant with untested requirements.
    (["PASS", "UNTESTED", "WAIVED", "PASS-NONSTRICT"], {}, (),
     ("CONFORMANT WITH UNTESTED REQUIREMENTS", 0)),
    (["PASS", "PASS-NONSTRICT"], {}, ("--strict",), ("NOT CONFORMANT", 1)),
    (["PASS", "PASS-NONSTRICT"], {"strict": True}, (), ("NOT CONFORMANT", 1)),
    (["PASS", "PASS-NONSTRICT"], {}, (), ("CONFORMANT", 0)),
    (["PASS", "FAIL"], {}, (), ("NOT CONFORMANT", 1)),
    (["FAIL", "CRASH"], {}, (), ("INCOMPLETE", 3)),     # 3 outranks 1
    (["PASS", "TIMEOUT"], {}, (), ("INCOMPLETE", 3)),
    (["PASS", "ERROR"], {}, (), ("INCOMPLETE", 3)),
    (["UNTESTED", "UNTESTED"], {}, (), ("INCOMPLETE", 3)),  # nothing judged
    (["PASS"], {"caps": ALL & ~NONPUSH_MODE}, (), ("NOT CONFORMANT", 1)),
    (["PASS"], {"digest": "e" * 64, "suite_digest": "f" * 64}, (),
     ("PARTIAL RUN", 0)),                       # not the suite
])
def test_exit_status_is_the_merged_claim(torc, tmp_path, verdicts, kw,
                                         extra, want):
    d = doc([("rcv-%02d" % i, v) for i, v in enumerate(verdicts)], **kw)
    r, _, out = merge(torc, tmp_path, d, extra=extra)
    assert r.returncode == want[1], r.stderr
    c = json.loads(out.read_text())["claim"]
    assert (c["headline"], c["exit_status"]) == want


def test_merge_refuses_format_1_and_malformed_input(torc, tmp_path):
    a, _ = halves()
    old = dict(a, format=1)
    r, (_, po), out = merge(torc, tmp_path, a, old)
    assert r.returncode == 2
    assert ("%s: $.format: results of an older torc (format 1); re-run" % po
            in r.stderr)
    assert not out.exists()
    for path, bad in [("$.scope", lambda d: d.pop("scope")),
                      ("$.suite.is_suite",
                       lambda d: d["suite"].update(is_suite="yes")),
                      ("$.target.capability_names[0]",
                       lambda d: d["target"]["capability_names"].__setitem__(
                           0, 7)),
                      ("$.scope.shards[0]",
                       lambda d: d["scope"]["shards"][0].update(index=3)),
                      ("$.scope.stopped_by",
                       lambda d: d["scope"].update(stopped_by=1)),
                      ("$.waivers.applied[0].vectors",
                       lambda d: d.update(waivers={"applied": [
                           {"vector": "x", "reason": "r", "owner": "o",
                            "expires": "e"}], "unmatched": []})),
                      ("$.claim", lambda d: d.pop("claim")),
                      ("$.results[1].verdict",
                       lambda d: d["results"][1].update(verdict="MAYBE"))]:
        d = json.loads(json.dumps(a))
        bad(d)
        r, (p,), _ = merge(torc, tmp_path, d)
        assert r.returncode == 2, (path, r.stderr)
        assert "%s: %s:" % (p, path) in r.stderr, (path, r.stderr)


def test_an_output_that_cannot_be_written_is_exit_5(torc, tmp_path):
    """As torc run (torc.1, EXIT STATUS 5): the merged document cannot be
    written (a file size limit of 200 bytes stands for a full disk), so
    merge names the file and the reason and exits 5, not 2 (its inputs were
    fine) and not the claim's 0."""
    import resource
    import signal
    import subprocess
    a, b = halves()
    paths = [write(tmp_path, "s%d.json" % i, d) for i, d in enumerate((a, b))]
    out = tmp_path / "m.json"

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    r = subprocess.run([str(torc.bin), "merge"] + [str(p) for p in paths] +
                       ["-o", str(out)], preexec_fn=small_files,
                       capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 5, r.stderr
    assert "File too large" in r.stderr and "m.json" in r.stderr, r.stderr
    assert not out.exists()
