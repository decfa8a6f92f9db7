"""test_cli_run.py - end-to-end tests of `torc run` with well-behaved targets
and of its output options.

The reference passes every vector and the null target FAILs each one (it
declares no mandatory feature); the JSON results have the documented shape
(format 2); every isolation mode and --jobs agree; --fail-fast, --strict,
--quiet, the plain lines, the claim and the live progress line, TAP and
JUnit output (each ending with the claim, whose own tests are in
test_claim_run.py).  The hand-written vectors these tests run are not the
suite torc ships, so a clean run of them is a PARTIAL RUN (exit 0).
Expected values are worked out from the vector files, never copied from
torc's output.

TORC_BUILD selects the build tree (default build/).
"""
import os
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET

from conftest import (VERDICTS, results, by_id, ops, posts, fails_alloc,
                      comparable, ROOT)


# ---- Reference and null targets ------------------------------------------

def test_reference_passes_every_vector(torc, vectors, tmp_path):
    out = tmp_path / "r.json"
    r = torc("run", "--target", "reference", "--vectors", torc.vectors,
             "--json", out)
    assert r.returncode == 0, r.stderr
    doc = results(out)
    assert set(by_id(doc)) == set(vectors)
    assert all(x["verdict"] == "PASS" for x in doc["results"])
    assert doc["summary"]["total"] == len(vectors)
    assert doc["summary"]["counts"]["PASS"] == len(vectors)


def test_json_results_shape(torc, vectors, tmp_path):
    out = tmp_path / "r.json"
    torc("run", "--target", "reference", torc.vectors, "--json", out)
    doc = results(out)
    version = torc("--version").stdout.split()[1]
    assert doc["torc_version"] == version
    assert doc["format"] == 2
    assert re.fullmatch(r"[0-9a-f]{64}", doc["vector_set_digest"])
    assert re.fullmatch(r"[0-9a-f]{64}", doc["suite"]["digest"])
    assert doc["suite"]["is_suite"] is False    # hand-written only
    assert doc["target"]["name"] == "reference"
    assert doc["target"]["abi_version"] == 1
    assert doc["target"]["capabilities"] == (1 << 14) - 1   # TORC_CAP_ALL
    assert len(doc["target"]["capability_names"]) == 14
    assert doc["target"]["missing_mandatory"] == []
    assert doc["target"]["absent_optional"] == []
    assert doc["scope"] == {
        "set_size": len(vectors), "selected": len(vectors),
        "selection": {"ids": [], "requirements": [], "tags": [],
                      "exclude": []},
        "shards": [], "finished": True, "stopped_by": None, "not_run": [],
        "strict": False}
    assert "waivers" not in doc
    assert doc["claim"]["headline"] == "PARTIAL RUN"
    assert doc["claim"]["exit_status"] == 0
    for k in ("started", "finished"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc[k])
    ids = [x["id"] for x in doc["results"]]
    assert ids == sorted(ids)
    for x in doc["results"]:
        v = vectors[x["id"]]
        assert x["title"] == v["title"]
        assert x["requirements"] == v["requirements"]
        assert x["verdict"] in VERDICTS
        assert isinstance(x["violations"], list)
        assert isinstance(x["allowances"], list)
        assert x["divergence"] is None
        assert x["duration_ms"] >= 0
    counts = doc["summary"]["counts"]
    assert set(counts) == VERDICTS
    assert sum(counts.values()) == doc["summary"]["total"] == len(ids)


def test_null_target_fails_every_vector(torc, vectors, tmp_path):
    out = tmp_path / "n.json"
    r = torc("run", "--target", "null", torc.vectors, "--json", out)
    assert r.returncode == 1, r.stderr
    doc = results(out)
    assert set(by_id(doc)) == set(vectors)
    for x in doc["results"]:
        assert x["verdict"] == "FAIL"
        assert x["detail"].startswith("missing mandatory feature: ")
    assert doc["claim"]["headline"] == "NOT CONFORMANT"


def test_isolation_modes_and_jobs_agree(torc, vectors, tmp_path):
    outs = []
    for i, extra in enumerate([[], ["--isolate", "batch"],
                               ["--isolate", "none"], ["--jobs", "2"],
                               ["--jobs", "2", "--isolate", "batch"]]):
        out = tmp_path / ("m%d.json" % i)
        r = torc("run", "--target", "reference", torc.vectors, "--json", out,
                 *extra)
        assert r.returncode == 0, (extra, r.stderr)
        outs.append({k: comparable(v) for k, v in by_id(results(out)).items()})
    for o in outs[1:]:
        assert o == outs[0]


# ---- Run options -----------------------------------------------------------

def test_fail_fast_stops_after_the_first_failure(torc, vectors, tmp_path):
    out = tmp_path / "f.json"
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--fail-fast", "--json", out)
    assert r.returncode == 1
    doc = results(out)
    assert len(doc["results"]) == 1
    assert doc["results"][0]["verdict"] == "FAIL"
    assert "not run" in r.stderr
    assert doc["scope"]["finished"] is False
    assert doc["scope"]["stopped_by"] == "fail-fast"
    # The vectors not run are named, not merely counted: every selected id
    # but the one that ran, in id order.
    ran = doc["results"][0]["id"]
    assert doc["scope"]["not_run"] == sorted(set(vectors) - {ran})
    assert doc["scope"]["selected"] == len(vectors)


def test_strict_with_reference_stays_conformant(torc, tmp_path):
    # The reference is identical to itself: --strict changes nothing.
    assert torc("run", "--target", "reference", torc.vectors,
                "--strict").returncode == 0


def test_the_summary_counts_the_whole_process(torc):
    """The summary's time and rate are the process's, from its start
    (issue 15), not the run loop's: started by a shell that sleeps 1 s and
    then execs torc (the same process, so the same start), it says at least
    1 s, and the rate is the vectors over that time."""
    cmd = "sleep 1; exec %s run --target reference %s" % (
        shlex.quote(str(torc.bin)), shlex.quote(str(torc.vectors)))
    r = subprocess.run(["/bin/sh", "-c", cmd], capture_output=True,
                       text=True, timeout=120, cwd=str(ROOT))
    assert r.returncode == 0, r.stderr
    m = re.search(r"^torc: (\d+) vectors: .* in ([0-9.]+) s \((\d+) "
                  r"vectors/s\)$", r.stderr, re.M)
    assert m, r.stderr
    n, secs, rate = int(m.group(1)), float(m.group(2)), int(m.group(3))
    assert secs >= 1.0, r.stderr
    assert abs(rate - n / secs) <= max(1, 0.02 * rate), r.stderr


def test_quiet_and_plain_lines(torc, vectors, tmp_path):
    # --quiet: the claim's headline and nothing else.
    r = torc("run", "--target", "reference", torc.vectors, "--quiet")
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr == "torc: claim: PARTIAL RUN\n"
    out = tmp_path / "p.json"
    r = torc("run", "--target", torc.target("indicates_during_completion"),
             torc.vectors, "--json", out)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    reentrant = [vid for vid, v in vectors.items()
                 if "post_in_completion" in ops(v)]
    # One plain line per non-PASS vector, the claim and its reasons (as the
    # results record them), then the summary.
    reasons = results(out)["claim"]["reasons"]
    assert len(lines) == len(reentrant) + 1 + len(reasons) + 1
    assert all(l.startswith("FAIL") and "RCV-046" in l
               for l in lines[:len(reentrant)])
    assert lines[len(reentrant)] == "torc: claim: NOT CONFORMANT"
    assert lines[len(reentrant) + 1:-1] == ["torc:   - " + x
                                            for x in reasons]
    assert "%d vector%s FAIL" % (len(reentrant),
                                 "" if len(reentrant) == 1 else "s") \
        in reasons
    assert lines[-1].startswith("torc: %d vectors:" % len(vectors))


def test_progress_line_on_a_terminal(torc):
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([str(torc.bin), "run", "--target", "reference",
                          str(torc.vectors)], stderr=slave,
                         stdout=subprocess.DEVNULL, cwd=str(ROOT))
    os.close(slave)
    chunks = b""
    while True:
        try:
            d = os.read(master, 4096)
        except OSError:
            break
        if not d:
            break
        chunks += d
    assert p.wait(timeout=60) == 0
    os.close(master)
    text = chunks.decode()
    assert "\r[" in text and "vectors/s" in text and "ETA" in text


def test_tap_output(torc, vectors, tmp_path):
    r = torc("run", "--target", torc.target("indicates_during_completion"),
             torc.vectors, "--tap", "--quiet")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == "TAP version 13"
    # The plan counts every vector and the claim's line, the last one.
    assert lines[1] == "1..%d" % (len(vectors) + 1)
    tests = [l for l in lines if re.match(r"(not )?ok \d+ ", l)]
    assert [int(re.match(r"(?:not )?ok (\d+)", l).group(1))
            for l in tests] == list(range(1, len(vectors) + 2))
    assert tests[-1] == "not ok %d - claim" % (len(vectors) + 1)
    nok = [l for l in tests[:-1] if l.startswith("not ok")]
    assert len(nok) == sum("post_in_completion" in ops(v)
                           for v in vectors.values())
    # Each not-ok line is followed by a YAML block naming the verdict.
    i = lines.index(nok[0])
    assert lines[i + 1] == "  ---"
    assert lines[i + 2] == '  verdict: "FAIL"'
    assert "  ..." in lines[i + 3:]
    # UNTESTED is "ok ... # SKIP untested: ..." (no_alloc_hook: the
    # vectors needing the allocation hook).
    r = torc("run", "--target", torc.target("no_alloc_hook"), torc.vectors,
             "--tap", "--quiet")
    skips = [l.split()[3] for l in r.stdout.splitlines()
             if l.startswith("ok ") and "# SKIP untested: target lacks "
             "ALLOC_HOOK (" in l]
    assert set(skips) == {k for k, v in vectors.items()
                          if "alloc_hook" in v.get("requires", [])}


def case_id(c, vectors):
    """The vector id of a JUnit test case named "TITLE [ID]", checking the
    title is the vector's."""
    m = re.fullmatch(r"(.*) \[(rcv-[0-9a-f]{16})\]", c.get("name"))
    assert m, c.get("name")
    assert m.group(2) in vectors and vectors[m.group(2)]["title"] == \
        m.group(1), c.get("name")
    return m.group(2)


def test_junit_structure(torc, vectors, tmp_path):
    out = tmp_path / "j.xml"
    r = torc("run", "--target", torc.target("crash_segv"), torc.vectors,
             "--junit", out)
    assert r.returncode == 3
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    suites = list(root)
    assert [s.tag for s in suites] == ["testsuite"]
    s = suites[0]
    # One test case per vector and the claim's, first.
    assert s.get("name") and int(s.get("tests")) == len(vectors) + 1
    cases = s.findall("testcase")
    assert len(cases) == len(vectors) + 1
    assert [c.tag for c in s if c.tag != "properties"] == \
        ["testcase"] * (len(vectors) + 1)
    claim, cases = cases[0], cases[1:]
    assert (claim.get("classname"), claim.get("name")) == ("torc", "claim")
    # CRASH makes the claim INCOMPLETE: a failure of the claim's case.
    assert [k.tag for k in claim] == ["failure"]
    assert claim[0].get("message") == "INCOMPLETE"
    crashing = {vid for vid, v in vectors.items()
                if posts(v) and not fails_alloc(v)}
    errors = 0
    for c in cases:
        vid = case_id(c, vectors)
        assert c.get("classname")
        float(c.get("time"))
        kids = [k.tag for k in c]
        if vid in crashing:
            assert kids == ["error"]
            assert "CRASH" in c[0].get("message")
            errors += 1
        else:
            assert kids == []
    assert int(s.get("errors")) == errors == len(crashing)
    assert int(s.get("failures")) == 1
    # UNTESTED is <skipped/>, and so is the claim of a PARTIAL RUN.
    torc("run", "--target", torc.target("no_alloc_hook"), torc.vectors,
         "--junit", out)
    s = ET.parse(out).getroot()[0]
    untested = {k for k, v in vectors.items()
                if "alloc_hook" in v.get("requires", [])}
    assert int(s.get("skipped")) == len(untested) + 1
    assert int(s.get("failures")) == 0
    for c in s.findall("testcase"):
        kids = [k.tag for k in c]
        if c.get("name") == "claim" or case_id(c, vectors) in untested:
            assert kids == ["skipped"], c.get("name")
        else:
            assert kids == []
    claim = next(c for c in s.findall("testcase") if c.get("name") == "claim")
    assert claim[0].get("message").startswith("PARTIAL RUN")
    assert "not the suite" in claim[0].text
    # The null target FAILs every vector: failures, the claim's too.
    torc("run", "--target", "null", torc.vectors, "--junit", out)
    s = ET.parse(out).getroot()[0]
    assert int(s.get("failures")) == len(vectors) + 1
    assert all([k.tag for k in c] == ["failure"]
               for c in s.findall("testcase"))
