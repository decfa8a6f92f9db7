"""test_cli.py - end-to-end tests of the built torc CLI (build/bin/torc).

Drives the program as a vendor or a CI job would: every exit status, every
`torc run` option, sharding + merge, --resume after a killed run, waivers,
JUnit and TAP output, in-process vs out-of-process agreement, and each
purpose-built bad target (build/lib/testtargets/) ending in its verdict while
the run finishes.  Expected values are worked out from the vector files
(their events, buffered data, requirement ids) and from the documented
behaviour of each bad target, never copied from torc's output.

TORC_BUILD selects the build tree (default build/).
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, load_vector_files

VERDICTS = {"PASS", "PASS-NONSTRICT", "UNSUPPORTED", "WAIVED", "FAIL",
            "ERROR", "CRASH", "TIMEOUT"}


def results(path):
    with open(path) as f:
        return json.load(f)


def by_id(doc):
    return {r["id"]: r for r in doc["results"]}


def ops(v):
    return [e.get("op") for e in v["events"]]


def posts(v):
    return any(o in ("post", "post_in_completion") for o in ops(v))


def fails_alloc(v):
    """An allocation fails before the offload (the offload itself may fail,
    DEC-05); a fail_alloc after it (DEC-25) leaves the offload alone."""
    o = ops(v)
    return "fail_alloc" in o and "offload" in o and \
        o.index("fail_alloc") < o.index("offload")


def comparable(rec):
    """A result record without what differs between two runs."""
    r = dict(rec)
    r.pop("duration_ms", None)
    return r


# ---- Program basics ------------------------------------------------------

def test_version_and_help(torc):
    r = torc("--version")
    assert r.returncode == 0
    assert re.match(r"torc \d+\.\d+\.\d+ \(target ABI 1\)", r.stdout)
    for cmd in ("run", "lint", "list", "merge"):
        h = torc(cmd, "--help")
        assert h.returncode == 0, cmd
        assert h.stdout.startswith("Usage: torc %s" % cmd)
    top = torc("--help")
    assert top.returncode == 0 and "merge" in top.stdout


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["run"],                                     # no --target
    ["run", "--target", "reference", "--shard", "0/2"],
    ["run", "--target", "reference", "--shard", "3/2"],
    ["run", "--target", "reference", "--shard", "x"],
    ["run", "--target", "reference", "--jobs", "0"],
    ["run", "--target", "reference", "--timeout", "soon"],
    ["run", "--target", "reference", "--isolate", "maybe"],
    ["run", "--target", "reference", "--bogus"],
    ["run", "--target", "reference", "--resume"],  # needs --json
    ["merge", "a.json"],                           # needs -o
    ["lint", "--bogus"],
    ["run", "--target", "reference", "--id", "no-such-vector-*"],
])
def test_usage_errors_exit_2(torc, args):
    r = torc(*args)
    assert r.returncode == 2, (args, r.stderr)
    assert r.stderr.strip()


def test_target_load_errors_exit_2(torc, tmp_path):
    r = torc("run", "--target", tmp_path / "missing.so", "--json",
             tmp_path / "o.json")
    assert r.returncode == 2
    assert "missing.so" in r.stderr
    assert not (tmp_path / "o.json").exists()
    # abi_future declares ABI 2: refused at load, nothing runs.
    r = torc("run", "--target", torc.target("abi_future"), "--json",
             tmp_path / "o.json")
    assert r.returncode == 2
    assert "ABI" in r.stderr
    assert not (tmp_path / "o.json").exists()


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
    assert doc["format"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", doc["vector_set_digest"])
    assert doc["target"]["name"] == "reference"
    assert doc["target"]["abi_version"] == 1
    assert isinstance(doc["target"]["capabilities"], int)
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


def test_null_target_ends_every_vector_unsupported(torc, vectors, tmp_path):
    out = tmp_path / "n.json"
    r = torc("run", "--target", "null", torc.vectors, "--json", out)
    assert r.returncode == 0, r.stderr
    doc = results(out)
    assert set(by_id(doc)) == set(vectors)
    for x in doc["results"]:
        assert x["verdict"] == "UNSUPPORTED"
        assert x["detail"]


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


# ---- Selection -------------------------------------------------------------

def listed(torc, *args):
    r = torc("list", torc.vectors, *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t")[0] for line in r.stdout.splitlines()]


def test_list_and_coverage(torc, vectors):
    r = torc("list", torc.vectors)
    lines = r.stdout.splitlines()
    assert len(lines) == len(vectors)
    for line in lines:
        vid, title, reqs = line.split("\t")
        assert title == vectors[vid]["title"]
        assert reqs.split(",") == vectors[vid]["requirements"]
    # --coverage: a row per requirement id holding its vector count (the
    # table may carry more columns, and its exit status judges coverage).
    rows = {}
    for l in torc("list", "--coverage", torc.vectors).stdout.splitlines():
        f = l.split()
        if f and f[0].startswith("RCV-"):
            rows[f[0]] = f[1:]
    for req in ("RCV-038", "RCV-046", "RCV-230"):
        want = sum(req in v["requirements"] for v in vectors.values())
        assert str(want) in rows[req], (req, rows.get(req))


def test_selection_by_id_requirement_tag_exclude(torc, vectors, tmp_path):
    some = sorted(vectors)[0]
    assert listed(torc, "--id", some[:8] + "*") == sorted(
        v for v in vectors if v.startswith(some[:8]))
    # RCV-046: serialization, the re-entrant post vector(s).
    assert set(listed(torc, "--requirement", "RCV-046")) == {
        k for k, v in vectors.items() if "RCV-046" in v["requirements"]}
    assert set(listed(torc, "--tag", "terminate")) == {
        k for k, v in vectors.items() if "terminate" in v["tags"]}
    assert set(listed(torc, "--exclude", some)) == set(vectors) - {some}
    # Kinds combine with AND: a tag and a requirement.
    want = {k for k, v in vectors.items()
            if "buffered" in v["tags"] and "RCV-007" in v["requirements"]}
    assert set(listed(torc, "--tag", "buffered", "--requirement",
                      "RCV-007")) == want
    # run honours the same selection.
    out = tmp_path / "s.json"
    r = torc("run", "--target", "reference", torc.vectors, "--tag",
             "terminate", "--json", out)
    assert r.returncode == 0
    assert set(by_id(results(out))) == {
        k for k, v in vectors.items() if "terminate" in v["tags"]}


def test_shards_are_stable_disjoint_and_merge_to_a_full_run(torc, vectors,
                                                            tmp_path):
    full = tmp_path / "full.json"
    assert torc("run", "--target", "reference", torc.vectors, "--json",
                full).returncode == 0
    n = 3
    ids = sorted(vectors)
    shard_files = []
    for i in range(1, n + 1):
        out = tmp_path / ("shard%d.json" % i)
        r = torc("run", "--target", "reference", torc.vectors, "--shard",
                 "%d/%d" % (i, n), "--json", out)
        assert r.returncode == 0, r.stderr
        # Shard i of N holds the sorted ids i-1, i-1+N, ... (documented).
        assert [x["id"] for x in results(out)["results"]] == ids[i - 1::n]
        shard_files.append(out)
    merged = tmp_path / "merged.json"
    r = torc("merge", *shard_files, "-o", merged)
    assert r.returncode == 0, r.stderr
    m, f = results(merged), results(full)
    assert m["vector_set_digest"] == f["vector_set_digest"]
    assert m["target"] == f["target"]
    assert [comparable(x) for x in m["results"]] == \
        [comparable(x) for x in f["results"]]
    assert m["summary"] == f["summary"]


def test_merge_refuses_mixed_inputs(torc, vectors, tmp_path):
    a, b, c = (tmp_path / n for n in ("a.json", "b.json", "c.json"))
    torc("run", "--target", "reference", torc.vectors, "--shard", "1/2",
         "--json", a)
    torc("run", "--target", "null", torc.vectors, "--shard", "2/2",
         "--json", b)
    one = vectors[sorted(vectors)[0]]["_path"]
    torc("run", "--target", "reference", one, "--json", c)
    out = tmp_path / "m.json"
    r = torc("merge", a, b, "-o", out)          # different targets
    assert r.returncode == 2 and "target" in r.stderr
    r = torc("merge", a, c, "-o", out)          # different vector sets
    assert r.returncode == 2 and "digest" in r.stderr
    r = torc("merge", a, a, "-o", out)          # overlapping shards
    assert r.returncode == 2 and "overlapping" in r.stderr
    (tmp_path / "bad.json").write_text('{"format": 1, "results": 3}')
    r = torc("merge", a, tmp_path / "bad.json", "-o", out)
    assert r.returncode == 2 and "bad.json" in r.stderr
    assert not out.exists()


def synthetic(tmp_path, name, verdicts):
    """A results document with the given verdicts (for exit-status rules)."""
    doc = {"torc_version": "0.1.0", "format": 1,
           "vector_set_digest": "0" * 64,
           "target": {"name": "t", "version": "1", "abi_version": 1,
                      "capabilities": 0},
           "started": "2030-01-01T00:00:00Z",
           "finished": "2030-01-01T00:00:01Z",
           "results": [{"id": "rcv-%02d" % i, "title": "", "verdict": v,
                        "requirements": [], "allowances": [],
                        "violations": [], "divergence": None, "detail": "",
                        "duration_ms": 0} for i, v in enumerate(verdicts)]}
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("verdicts,strict,want", [
    (["PASS", "UNSUPPORTED", "WAIVED", "PASS-NONSTRICT"], False, 0),
    (["PASS", "PASS-NONSTRICT"], True, 1),       # --strict
    (["PASS", "FAIL"], False, 1),
    (["FAIL", "CRASH"], False, 3),               # 3 outranks 1
    (["PASS", "TIMEOUT"], False, 3),
    (["PASS", "ERROR"], False, 3),
])
def test_exit_status_precedence(torc, tmp_path, verdicts, strict, want):
    p = synthetic(tmp_path, "in.json", verdicts)
    args = ["merge", p, "-o", tmp_path / "o.json"]
    if strict:
        args.append("--strict")
    assert torc(*args).returncode == want


# ---- Bad targets -----------------------------------------------------------

def run_target(torc, tmp_path, name, *extra, remote=False):
    out = tmp_path / (name + ".json")
    spec = torc.target(name)
    if remote:
        spec = "exec:%s --target %s" % (torc.runner, spec)
    r = torc("run", "--target", spec, torc.vectors, "--json", out, *extra)
    return r, results(out)


@pytest.mark.parametrize("isolate", ["vector", "batch"])
def test_crash_segv_is_crash_and_the_run_goes_on(torc, vectors, tmp_path,
                                                 isolate):
    r, doc = run_target(torc, tmp_path, "crash_segv", "--isolate", isolate)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)          # the run finished
    for vid, v in vectors.items():
        if posts(v) and not fails_alloc(v):
            assert res[vid]["verdict"] == "CRASH", vid
            assert "SIGSEGV" in res[vid]["detail"]
        else:
            assert res[vid]["verdict"] == "PASS", vid


def test_hang_is_timeout(torc, vectors, tmp_path):
    r, doc = run_target(torc, tmp_path, "hang", "--timeout", "300",
                        "--jobs", "2")
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid, v in vectors.items():
        want = "TIMEOUT" if "frame" in ops(v) else "PASS"
        assert res[vid]["verdict"] == want, vid
        if want == "TIMEOUT":
            assert "300 ms" in res[vid]["detail"]


def test_overrun_is_caught(torc, vectors, tmp_path):
    r, doc = run_target(torc, tmp_path, "overrun")
    assert r.returncode in (1, 3)
    res = by_id(doc)
    hit = [vid for vid, v in vectors.items() if posts(v) and
           not fails_alloc(v)]
    assert hit
    for vid in hit:
        assert res[vid]["verdict"] in ("CRASH", "FAIL"), vid


def test_keeps_host_buffer_fails_rcv007_rcv011(torc, vectors, tmp_path):
    """Pins RCV-007 (copy BufferedData) and RCV-011 (host frees it)."""
    r, doc = run_target(torc, tmp_path, "keeps_host_buffer")
    assert r.returncode == 1
    res = by_id(doc)
    # BufferedData delivered after a successful offload comes back as poison.
    bad = {vid for vid, v in vectors.items()
           if v["buffered"] and not fails_alloc(v)}
    assert bad
    for vid in vectors:
        if vid in bad:
            x = res[vid]
            assert x["verdict"] == "FAIL", vid
            reqs = {w["requirement"] for w in x["violations"]}
            assert {"RCV-007", "RCV-011"} <= reqs, vid
            assert x["divergence"]["stream_offset"] == 0
        else:
            assert res[vid]["verdict"] == "PASS", vid


@pytest.mark.parametrize("isolate", ["batch", "vector", "none"])
def test_completes_twice_fails(torc, vectors, tmp_path, isolate):
    """Pins RCV-109 (complete each posted request once).

    The fault fires on the first completion of a target *instance*, so every
    vector with a completion fails only if every vector gets a fresh instance,
    also when one process runs many vectors (batch, none)."""
    r, doc = run_target(torc, tmp_path, "completes_twice", "--isolate",
                        isolate)
    assert r.returncode == 1
    res = by_id(doc)
    for vid, v in vectors.items():
        if posts(v) and not fails_alloc(v):
            assert res[vid]["verdict"] == "FAIL", vid
            assert "RCV-109" in {w["requirement"]
                                 for w in res[vid]["violations"]}, vid


def test_indicates_during_completion_fails_rcv046(torc, vectors, tmp_path):
    """Pins RCV-046 (no indication while a completion is in progress)."""
    r, doc = run_target(torc, tmp_path, "indicates_during_completion")
    res = by_id(doc)
    reentrant = {vid for vid, v in vectors.items()
                 if "post_in_completion" in ops(v)}
    assert reentrant
    assert r.returncode == 1
    for vid in vectors:
        if vid in reentrant:
            assert res[vid]["verdict"] == "FAIL"
            assert "RCV-046" in {w["requirement"]
                                 for w in res[vid]["violations"]}
        else:
            assert res[vid]["verdict"] == "PASS", vid


def expects_disconnect(v):
    return any(e.get("ev") == "event" and e.get("event") == "DISCONNECT"
               for e in v["expected"]["trace"])


def test_uploads_half_closed_fails_rcv243(torc, vectors, tmp_path):
    """Pins RCV-243 (no target-initiated upload of a half-closed
    connection): the bad target asks for an upload right after the
    disconnect indication, i.e. once the peer's FIN made it CLOSE_WAIT."""
    r, doc = run_target(torc, tmp_path, "uploads_half_closed")
    res = by_id(doc)
    closed = {vid for vid, v in vectors.items() if expects_disconnect(v)}
    assert closed
    assert r.returncode == 1
    for vid in vectors:
        if vid in closed:
            assert res[vid]["verdict"] == "FAIL", vid
            assert "RCV-243" in {w["requirement"]
                                 for w in res[vid]["violations"]}, vid
        else:
            assert res[vid]["verdict"] == "PASS", vid


@pytest.mark.parametrize("isolate", ["vector", "batch"])
def test_alloc_runaway_is_crash_under_the_memory_limit(torc, vectors,
                                                       tmp_path, isolate):
    r, doc = run_target(torc, tmp_path, "alloc_runaway", "--memory-limit",
                        "64", "--timeout", "5000", "--isolate", isolate)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    # It allocates at initiate offload, which every vector does.
    assert all(x["verdict"] == "CRASH" for x in res.values())


@pytest.mark.parametrize("name", ["keeps_host_buffer", "crash_segv",
                                  "indicates_during_completion",
                                  "completes_twice", "wrong_handle"])
def test_in_process_and_out_of_process_agree(torc, tmp_path, name):
    _, local = run_target(torc, tmp_path, name)
    (tmp_path / (name + ".json")).rename(tmp_path / "local.json")
    _, remote = run_target(torc, tmp_path, name, remote=True)
    a, b = by_id(local), by_id(remote)
    assert set(a) == set(b)
    for vid in a:
        assert a[vid]["verdict"] == b[vid]["verdict"], vid
        assert {w["requirement"] for w in a[vid]["violations"]} == \
            {w["requirement"] for w in b[vid]["violations"]}, vid


def test_out_of_process_hang_and_crash_end_the_vector_only(torc, vectors,
                                                          tmp_path):
    r, doc = run_target(torc, tmp_path, "hang", "--timeout", "300",
                        remote=True)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid, v in vectors.items():
        want = "TIMEOUT" if "frame" in ops(v) else "PASS"
        assert res[vid]["verdict"] == want, vid


def test_reference_out_of_process_agrees(torc, vectors, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert torc("run", "--target", "reference", torc.vectors, "--json",
                a).returncode == 0
    r = torc("run", "--target",
             "exec:%s --target reference" % torc.runner, torc.vectors,
             "--json", b)
    assert r.returncode == 0, r.stderr
    ra, rb = results(a), results(b)
    assert [(x["id"], x["verdict"]) for x in ra["results"]] == \
        [(x["id"], x["verdict"]) for x in rb["results"]]
    assert ra["vector_set_digest"] == rb["vector_set_digest"]


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


def test_strict_with_reference_stays_conformant(torc, tmp_path):
    # The reference is identical to itself: --strict changes nothing.
    assert torc("run", "--target", "reference", torc.vectors,
                "--strict").returncode == 0


def test_quiet_and_plain_lines(torc, vectors, tmp_path):
    r = torc("run", "--target", "reference", torc.vectors, "--quiet")
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""
    r = torc("run", "--target", torc.target("indicates_during_completion"),
             torc.vectors)
    lines = r.stderr.splitlines()
    reentrant = [vid for vid, v in vectors.items()
                 if "post_in_completion" in ops(v)]
    # One plain line per non-PASS vector, then the summary.
    assert len(lines) == len(reentrant) + 1
    assert lines[0].startswith("FAIL") and "RCV-046" in lines[0]
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
    assert lines[1] == "1..%d" % len(vectors)
    tests = [l for l in lines if re.match(r"(not )?ok \d+ ", l)]
    assert [int(re.match(r"(?:not )?ok (\d+)", l).group(1))
            for l in tests] == list(range(1, len(vectors) + 1))
    nok = [l for l in tests if l.startswith("not ok")]
    assert len(nok) == sum("post_in_completion" in ops(v)
                           for v in vectors.values())
    # Each not-ok line is followed by a YAML block naming the verdict.
    i = lines.index(nok[0])
    assert lines[i + 1] == "  ---"
    assert lines[i + 2] == '  verdict: "FAIL"'
    assert "  ..." in lines[i + 3:]
    r = torc("run", "--target", "null", torc.vectors, "--tap", "--quiet")
    assert all("# SKIP" in l for l in r.stdout.splitlines()
               if l.startswith("ok "))


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
    assert s.get("name") and int(s.get("tests")) == len(vectors)
    cases = s.findall("testcase")
    assert len(cases) == len(vectors)
    assert [c.tag for c in s if c.tag != "properties"] == \
        ["testcase"] * len(vectors)
    crashing = {vid for vid, v in vectors.items()
                if posts(v) and not fails_alloc(v)}
    errors = 0
    for c in cases:
        assert c.get("name") in vectors
        assert c.get("classname")
        float(c.get("time"))
        kids = [k.tag for k in c]
        if c.get("name") in crashing:
            assert kids == ["error"]
            assert "CRASH" in c[0].get("message")
            errors += 1
        else:
            assert kids == []
    assert int(s.get("errors")) == errors == len(crashing)
    assert int(s.get("failures")) == 0
    # UNSUPPORTED is <skipped/>.
    torc("run", "--target", "null", torc.vectors, "--junit", out)
    s = ET.parse(out).getroot()[0]
    assert int(s.get("skipped")) == len(vectors)
    assert all([k.tag for k in c] == ["skipped"]
               for c in s.findall("testcase"))


# ---- Waivers -----------------------------------------------------------------

def write_waivers(tmp_path, items):
    p = tmp_path / "waivers.json"
    p.write_text(json.dumps(items))
    return p


def test_waivers_turn_failures_into_waived(torc, vectors, tmp_path):
    """wrong_handle breaks RCV-122 everywhere; a waiver for it is honoured."""
    # wrong_handle breaks RCV-122 on every vector.
    w = write_waivers(tmp_path, [{"requirement": "RCV-122",
                                  "reason": "driver bug 1234",
                                  "link": "https://bugs.example/1234",
                                  "expires": "2099-12-31"}])
    out = tmp_path / "w.json"
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out,
             env={"TORC_TODAY": "2030-06-01"})
    assert r.returncode == 0, r.stderr
    for x in results(out)["results"]:
        assert x["verdict"] == "WAIVED"
        assert x["waiver"]["reason"] == "driver bug 1234"
        assert x["waiver"]["verdict"] == "FAIL"
    # A waiver for one vector id leaves the others failing.
    one = sorted(vectors)[0]
    w = write_waivers(tmp_path, [{"vector": one, "reason": "known",
                                  "expires": "2030-06-01"}])
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out, env={"TORC_TODAY": "2030-06-01"})
    assert r.returncode == 1        # the expiry day itself is still valid
    res = by_id(results(out))
    assert res[one]["verdict"] == "WAIVED"
    assert all(x["verdict"] == "FAIL" for k, x in res.items() if k != one)


def test_expired_waiver_is_exit_2_naming_it(torc, tmp_path):
    w = write_waivers(tmp_path, [
        {"vector": "rcv-*", "reason": "ok", "expires": "2031-01-01"},
        {"requirement": "RCV-046", "reason": "old", "expires": "2030-01-01"}])
    out = tmp_path / "x.json"
    r = torc("run", "--target", torc.target("crash_segv"), torc.vectors,
             "--waivers", w, "--json", out, env={"TORC_TODAY": "2030-01-02"})
    assert r.returncode == 2          # 2 outranks the 3 crashes would give
    assert "RCV-046" in r.stderr and "2030-01-01" in r.stderr
    assert "$[1]" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("items,where", [
    ([{"vector": "x", "expires": "2099-01-01"}], "$[0].reason"),
    ([{"vector": "x", "reason": "r", "expires": "2099-02-30"}],
     "$[0].expires"),
    ([{"reason": "r", "expires": "2099-01-01"}], "$[0]"),
    ([{"vector": "x", "requirement": "RCV-001", "reason": "r",
       "expires": "2099-01-01"}], "$[0]"),
    ({"vector": "x"}, "$"),
])
def test_malformed_waivers_are_exit_2(torc, tmp_path, items, where):
    w = write_waivers(tmp_path, items)
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w)
    assert r.returncode == 2
    assert "waivers.json: " + where in r.stderr


# ---- Interruption and --resume ---------------------------------------------

def wait_for_lines(path, n, proc, limit=30):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if path.exists() and path.read_text().count("\n") >= n:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def start_hang_run(torc, out, *extra):
    return subprocess.Popen(
        [str(torc.bin), "run", "--target", torc.target("hang"),
         str(torc.vectors), "--timeout", "400", "--json", str(out)] +
        list(extra), cwd=str(ROOT), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)


def test_resume_after_a_killed_run(torc, vectors, tmp_path):
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    p = start_hang_run(torc, out)
    assert wait_for_lines(journal, 4, p)     # header + 3 finished vectors
    p.kill()
    p.wait()
    lines = journal.read_text().splitlines()
    kept = {json.loads(l)["id"]: json.loads(l) for l in lines[1:]}
    assert 3 <= len(kept) < len(vectors)
    # A torn last line (killed mid-write) is dropped, not an error.
    with open(journal, "a") as f:
        f.write('{"id": "rcv-torn", "verd')
    r = torc("run", "--target", torc.target("hang"), torc.vectors,
             "--timeout", "400", "--json", out, "--resume")
    assert r.returncode == 3
    doc = by_id(results(out))
    assert set(doc) == set(vectors)
    for vid, rec in kept.items():
        assert doc[vid] == rec               # kept, not run again
    assert not journal.exists()              # complete: journal removed


def test_resume_refuses_another_targets_journal(torc, tmp_path):
    out = tmp_path / "r.json"
    p = start_hang_run(torc, out)
    assert wait_for_lines(tmp_path / "r.json.journal", 2, p)
    p.kill()
    p.wait()
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == 2 and "journal" in r.stderr


def test_sigint_writes_what_is_done_and_exits_3(torc, vectors, tmp_path):
    out = tmp_path / "i.json"
    p = start_hang_run(torc, out)
    assert wait_for_lines(tmp_path / "i.json.journal", 3, p)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 3
    doc = results(out)
    assert 2 <= len(doc["results"]) < len(vectors)
    assert doc["summary"]["total"] == len(doc["results"])
    assert "interrupted" in err
    assert (tmp_path / "i.json.journal").exists()   # for --resume


def test_sigterm_with_jobs_stops_workers_and_exits_3(torc, vectors,
                                                     tmp_path):
    out = tmp_path / "t.json"
    p = start_hang_run(torc, out, "--jobs", "2")
    assert wait_for_lines(tmp_path / "t.json.journal", 3, p)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=30)
    assert p.returncode == 3
    doc = results(out)
    assert 2 <= len(doc["results"]) < len(vectors)
    # No worker or vector process is left behind.
    left = subprocess.run(["pgrep", "-f", str(out)], capture_output=True,
                          text=True).stdout.split()
    assert left == []


# ---- lint --------------------------------------------------------------------

def test_lint(torc, vectors, tmp_path):
    r = torc("lint", torc.vectors)
    assert r.returncode == 0
    assert r.stdout.strip() == "%d vectors ok" % len(vectors)
    bad = tmp_path / "bad.json"
    src = json.loads(pathlib.Path(vectors[sorted(vectors)[0]]["_path"])
                     .read_text())
    del src["title"]
    bad.write_text(json.dumps(src))
    r = torc("lint", bad)
    assert r.returncode == 2
    assert r.stderr.startswith(str(bad) + ": $")


# ---- Install and the skeleton adapter --------------------------------------

def test_install_and_build_the_skeleton_adapter(torc, vectors, tmp_path):
    if not shutil.which("pkg-config") or not shutil.which("make"):
        pytest.skip("pkg-config or make missing")
    prefix = tmp_path / "prefix"
    r = subprocess.run(["make", "-s", "O=%s" % torc.build, "install-harness",
                        "PREFIX=%s" % prefix], cwd=str(ROOT),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (prefix / "bin" / "torc").exists()
    assert (prefix / "include" / "torc" / "target.h").exists()
    assert (prefix / "share" / "man" / "man1" / "torc.1").exists()
    assert (prefix / "lib" / "pkgconfig" / "torc.pc").exists()
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    cflags = subprocess.run(["pkg-config", "--cflags", "torc"], env=env,
                            capture_output=True, text=True)
    assert cflags.stdout.strip() == "-I%s" % (prefix / "include")
    work = tmp_path / "adapter"
    shutil.copytree(prefix / "share" / "torc" / "examples" /
                    "adapter-skeleton", work)
    r = subprocess.run(["make"], cwd=str(work), env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    so = work / "libadapter.so"
    assert so.exists()
    # The installed torc finds its installed vectors by itself.
    out = tmp_path / "skel.json"
    r = subprocess.run([str(prefix / "bin" / "torc"), "run", "--target",
                        str(so), "--json", str(out)], cwd=str(tmp_path),
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    doc = results(out)
    # Every committed vector is installed: the hand-written ones among them.
    assert set(vectors) <= set(by_id(doc))
    # The skeleton declares no capability: UNSUPPORTED everywhere.
    assert all(x["verdict"] == "UNSUPPORTED" for x in doc["results"])
    assert doc["target"]["name"] == "skeleton"
