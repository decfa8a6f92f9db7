"""Tests of the pytest runner, conformance/pytest_torc.py.

Each test starts `python -m pytest conformance --torc-target=...` in a
subprocess (the way a test engineer runs it) and reads the outcomes from the
JUnit XML it writes, which also checks that file is well-formed.  Expected
outcomes come from outside the plugin: the vector files themselves (ids,
requirement ids, tags, read here with json), the catalogue's summaries, and
`torc run --json` on the same target, the engine whose verdicts the plugin
must pass on unchanged (PASS -> passed, UNTESTED/WAIVED -> skipped,
FAIL/CRASH/TIMEOUT/ERROR -> failed).  The hand-written vectors keep it fast;
one test runs the whole committed set against the reference.

Needs the torc build ($TORC_BUILD, default build/): `make check-pytest-plugin`.
"""
import json
import os
import pathlib
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HW = ROOT / "vectors" / "handwritten"
CATALOGUE = ROOT / "conformance" / "catalogue.json"


def build_dir():
    b = pathlib.Path(os.environ.get("TORC_BUILD", "build"))
    return b if b.is_absolute() else ROOT / b


TORC = build_dir() / "bin" / "torc"
TARGETS = build_dir() / "lib" / "testtargets"


@pytest.fixture(autouse=True)
def _needs_built_parts():
    """What this file needs is built by make check: its absence is a
    failure, never a skip."""
    if not os.access(TORC, os.X_OK):
        pytest.fail("%s not built (make check-pytest-plugin builds it)" % TORC)


def bad(name):
    return str(TARGETS / (name + ".so"))


def env():
    e = dict(os.environ)
    e.pop("PYTEST_ADDOPTS", None)
    e.pop("TORC_VECTORS", None)
    return e


def vid_of(name):
    """The id of the hand-written vector in file name (ids follow content)."""
    return json.loads((HW / name).read_text())["id"]


def hw_vectors(root=HW):
    """{id: vector dict (+ _path)} straight from the files."""
    out = {}
    for p in sorted(pathlib.Path(root).rglob("*.json")):
        if "schema" in p.parts:
            continue
        d = json.loads(p.read_text())
        d["_path"] = p
        out[d["id"]] = d
    return out


def summaries():
    with open(CATALOGUE) as f:
        return {r["id"]: r["summary"] for r in json.load(f)["requirements"]}


class Run:
    """One pytest run of the plugin: exit status, output, and per test name
    (the vector id) its outcome and failure text from the JUnit XML."""

    def __init__(self, proc, xml):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        self.outcome, self.message, self.text = {}, {}, {}
        if xml is None or not xml.exists():
            return
        tree = ET.parse(str(xml))  # raises on a malformed file
        for tc in tree.iter("testcase"):
            name = tc.get("name")
            assert name not in self.outcome, "duplicate test " + name
            kind = "passed"
            for child in tc:
                if child.tag in ("failure", "error", "skipped"):
                    kind = {"failure": "failed"}.get(child.tag, child.tag)
                    self.message[name] = child.get("message") or ""
                    self.text[name] = child.text or ""
            self.outcome[name] = kind

    def ids(self, kind):
        return {k for k, v in self.outcome.items() if v == kind}


def plugin(tmp_path, target, *args, vectors=(HW,), xml=True, name="run",
           paths=("conformance",)):
    junit = tmp_path / (name + ".xml") if xml else None
    cmd = [sys.executable, "-m", "pytest"] + list(paths) + [
        "-p", "no:cacheprovider", "-q", "--torc-bin", str(TORC)]
    if target is not None:
        cmd += ["--torc-target", target]
    for v in vectors:
        cmd += ["--torc-vectors", str(v)]
    if junit:
        cmd += ["--junitxml", str(junit)]
    cmd += list(args)
    p = subprocess.run(cmd, cwd=str(ROOT), env=env(), capture_output=True,
                       text=True, timeout=600, stdin=subprocess.DEVNULL)
    return Run(p, junit)


def torc_run(tmp_path, target, *args, vectors=(HW,)):
    """{id: result} of `torc run --json` on the same set (the engine)."""
    out = tmp_path / "torc.json"
    cmd = [str(TORC), "run", "--target", target, "--json", str(out),
           "--quiet"] + list(args)
    for v in vectors:
        cmd += ["--vectors", str(v)]
    p = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True,
                       timeout=600, stdin=subprocess.DEVNULL)
    assert out.exists(), p.stderr
    return p.returncode, {r["id"]: r for r in
                          json.loads(out.read_text())["results"]}


def expected_outcome(verdict, strict=False):
    if verdict == "PASS" or (verdict == "PASS-NONSTRICT" and not strict):
        return "passed"
    if verdict in ("UNTESTED", "WAIVED"):
        return "skipped"
    return "failed"


# ---- Verdicts --------------------------------------------------------------


def test_reference_passes_every_vector_in_one_torc_run(tmp_path):
    """The reference conforms (all RCV rows the vectors cite): one test per
    hand-written vector, named by its id, all passing, judged by a single
    `torc run`."""
    r = plugin(tmp_path, "reference")
    assert r.rc == 0, r.out
    assert set(r.outcome) == set(hw_vectors())
    assert r.ids("passed") == set(hw_vectors())
    assert "torc: 1 run(s) of" in r.out
    assert "for %d vector(s)" % len(hw_vectors()) in r.out


def test_null_target_fails_everything_citing_the_mandatory_feature(tmp_path):
    """The null target declares no capability, and every feature but
    ALLOC_HOOK is mandatory (conformance/catalogue.json): each vector FAILs,
    citing the requirement that makes a feature it needs mandatory, and the
    session's claim is NOT CONFORMANT, exit 1."""
    vecs = hw_vectors()
    with open(CATALOGUE) as f:
        first_req = {ft["capability"]: ft["requirements"][0]
                     for ft in json.load(f)["features"] if ft["mandatory"]}
    r = plugin(tmp_path, "null")
    assert r.rc == 1, r.out
    assert r.ids("failed") == set(vecs)
    for vid, v in vecs.items():
        need = [c.upper() for c in v.get("requires", [])
                if c.upper() in first_req]
        assert need, vid   # every hand-written vector needs one
        assert r.message[vid].startswith("FAIL: violates ")
        for cap in need:
            assert first_req[cap] in r.message[vid]
            assert "target does not declare %s" % cap in r.text[vid]
    assert "torc: claim: NOT CONFORMANT (the session fails)" in r.out


def _alloc_hook_vectors():
    return {k for k, v in hw_vectors().items()
            if "alloc_hook" in v.get("requires", [])}


@pytest.mark.parametrize("xdist", [False, True])
def test_all_skipped_session_fails_on_the_claim(tmp_path, xdist):
    """no_alloc_hook declares everything but ALLOC_HOOK: the vectors that
    need the hook are UNTESTED, so selecting only those skips every test,
    yet nothing was judged, the claim is INCOMPLETE and the session fails
    (with -n 2 too: the workers hand their claims to the controller)."""
    want = _alloc_hook_vectors()
    assert want
    extra = ["-k", " or ".join(sorted(want))]
    if xdist:
        import xdist  # noqa: F401 (scripts/install-deps.sh installs it)
        extra += ["-n", "2"]
    r = plugin(tmp_path, bad("no_alloc_hook"), *extra)
    assert r.outcome == {k: "skipped" for k in want}, r.out
    for vid in want:
        assert "UNTESTED: untested: target lacks ALLOC_HOOK" in r.text[vid]
    assert r.rc == 1, r.out
    assert "torc: claim: INCOMPLETE (the session fails)" in r.out
    assert "no vector was judged" in r.out


def test_partial_run_is_reported_not_failed(tmp_path):
    """A -k selection of passing vectors is a PARTIAL RUN: reported, and
    the session passes."""
    vid = vid_of("buffered-then-posts.json")
    r = plugin(tmp_path, "reference", "-k", vid)
    assert r.rc == 0 and r.outcome == {vid: "passed"}, r.out
    assert "torc: claim: PARTIAL RUN\n" in r.out


def test_completes_twice_fails_the_same_vectors_as_torc_run(tmp_path):
    """completes_twice completes a request twice (RCV-109, RCV-072): the
    plugin fails exactly the vectors `torc run` FAILs, and each failure names
    every violated requirement id with its catalogue summary and a replay
    command that reproduces that one verdict."""
    rc, engine = torc_run(tmp_path, bad("completes_twice"))
    assert rc == 1
    r = plugin(tmp_path, bad("completes_twice"))
    assert r.rc == 1, r.out
    assert {k: expected_outcome(v["verdict"]) for k, v in engine.items()} \
        == r.outcome
    failing = {k for k, v in engine.items() if v["verdict"] == "FAIL"}
    assert failing and r.ids("failed") == failing
    assert any("RCV-109" == v["requirement"]
               for k in failing for v in engine[k]["violations"])
    summary = summaries()
    vecs = hw_vectors()
    for vid in failing:
        text = r.text[vid]
        broken = []
        for v in engine[vid]["violations"]:
            if (v["message"] != "requirement exercised by this vector" and
                    v["requirement"] not in broken):
                broken.append(v["requirement"])
        assert r.message[vid] == "FAIL: violates " + ", ".join(broken)
        for v in engine[vid]["violations"]:
            line = next(ln for ln in text.splitlines()
                        if ln.strip().startswith(v["requirement"] + " "))
            assert summary[v["requirement"]] in line
        replay = [ln for ln in text.splitlines() if ln.startswith("replay: ")]
        assert len(replay) == 1
        assert replay[0].endswith(
            "--vectors " + str(vecs[vid]["_path"].relative_to(ROOT)))
    # The replay command, run as printed from the repository root, judges
    # exactly that vector, with the same verdict.
    vid = sorted(failing)[0]
    cmd = shlex.split(next(ln for ln in r.text[vid].splitlines()
                           if ln.startswith("replay: "))[len("replay: "):])
    out = tmp_path / "replay.json"
    p = subprocess.run(cmd + ["--json", str(out), "--quiet"], cwd=str(ROOT),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    (res,) = json.loads(out.read_text())["results"]
    assert res["id"] == vid and res["verdict"] == "FAIL"


def test_failure_shows_the_first_divergence(tmp_path):
    """keeps_host_buffer reads BufferedData after the offload completed
    (RCV-007, RCV-011): the host poisons it, so the first delivered bytes
    differ at stream offset 0.  The message carries the divergence as torc
    reports it.  Also -k: one vector id selects one test."""
    vid = vid_of("buffered-then-posts.json")
    _, engine = torc_run(tmp_path, bad("keeps_host_buffer"))
    div = engine[vid]["divergence"]
    assert div["stream_offset"] == 0
    r = plugin(tmp_path, bad("keeps_host_buffer"), "-k", vid)
    assert r.rc == 1, r.out
    assert r.outcome == {vid: "failed"}
    text = r.text[vid]
    assert "first divergence: event %d, stream offset 0" % div[
        "event_index"] in text
    assert "expected: " + div["expected"] in text
    assert "actual:   " + div["actual"] in text
    assert "RCV-007" in text and "RCV-011" in text


def test_crash_fails_with_the_detail(tmp_path):
    """crash_segv dies on the first posted request: CRASH, a failure with
    torc's detail (the signal), on the same vectors as `torc run`."""
    rc, engine = torc_run(tmp_path, bad("crash_segv"), "--jobs", "2")
    assert rc == 3
    r = plugin(tmp_path, bad("crash_segv"), "--torc-jobs", "2")
    assert r.rc == 1, r.out
    hit = {k for k, v in engine.items() if v["verdict"] == "CRASH"}
    assert hit and r.ids("failed") == hit
    assert r.ids("passed") == set(engine) - hit
    for vid in hit:
        assert "%s CRASH:" % vid in r.text[vid]
        assert r.message[vid] == "CRASH: " + engine[vid]["detail"]
        assert "detail: " + engine[vid]["detail"] in r.text[vid]


def test_timeout_fails_and_the_replay_keeps_the_watchdog(tmp_path):
    """hang loops on the first segment: psh-completion.json (segments) is a
    TIMEOUT after --torc-timeout, alloc-fail-offload.json (no segment: the
    offload fails, RCV-010) passes; the replay command carries --timeout."""
    hangs = vid_of("psh-completion.json")
    fine = vid_of("alloc-fail-offload.json")
    r = plugin(tmp_path, bad("hang"), "--torc-timeout", "1000", "-k",
               "%s or %s" % (hangs, fine))
    assert r.rc == 1, r.out
    assert r.outcome == {hangs: "failed", fine: "passed"}
    assert r.message[hangs].startswith("TIMEOUT: ")
    assert ("--timeout 1000 --vectors vectors/handwritten/psh-completion.json"
            in r.text[hangs])


def test_waived_vector_is_skipped_with_the_reason(tmp_path):
    """A waiver turns keeps_host_buffer's FAIL into WAIVED: a skip with the
    waiver's reason; the other failures stay failures."""
    vid = vid_of("buffered-then-posts.json")
    w = tmp_path / "waivers.json"
    w.write_text(json.dumps([{"vector": vid, "reason": "known copy bug",
                              "owner": "nic-team@example",
                              "link": "https://example.invalid/1",
                              "expires": "2999-12-31"}]))
    _, engine = torc_run(tmp_path, bad("keeps_host_buffer"))
    r = plugin(tmp_path, bad("keeps_host_buffer"), "--torc-waivers", str(w))
    assert r.outcome[vid] == "skipped"
    assert "WAIVED" in r.text[vid] and "known copy bug" in r.text[vid]
    others = {k for k, v in engine.items() if v["verdict"] == "FAIL"} - {vid}
    assert others and r.ids("failed") == others


def test_torc_usage_error_fails_every_item(tmp_path):
    """A torc run that stops before judging (exit 2: a missing waiver file)
    must not pass silently: every selected item fails with torc's words."""
    r = plugin(tmp_path, "reference", "--torc-waivers",
               str(tmp_path / "absent.json"))
    assert r.rc == 1, r.out
    assert r.ids("failed") == set(hw_vectors())
    for text in r.text.values():
        assert "torc run exited 2" in text and "absent.json" in text


def test_strict_fails_pass_nonstrict(tmp_path):
    """A vector whose expected trace splits one completion call in two is
    allowed by DEC-19 (allowance completion-batching, RCV-048): the reference
    gets PASS-NONSTRICT, which passes, and fails under --torc-strict (torc
    run --strict, shown in the replay command)."""
    sys.path.insert(0, str(ROOT / "vectors" / "schema"))
    from vector_id import vector_id
    doc = json.loads((HW / "buffered-then-posts.json").read_text())
    t = doc["expected"]["trace"]
    reqs = t[2]["requests"]
    t[2:3] = [{"at": 4, "ev": "complete", "requests": [reqs[0]]},
              {"at": 4, "ev": "complete", "requests": [reqs[1]]}]
    doc["expected"]["allowances"] = ["completion-batching"]
    doc["id"] = vector_id(doc)
    (tmp_path / "v" / "capture").mkdir(parents=True)
    (tmp_path / "v" / "capture" / "v4-12msg-fin.pcap").symlink_to(
        HW / "capture" / "v4-12msg-fin.pcap")
    (tmp_path / "v" / "split.json").write_text(json.dumps(doc))
    vecs = [tmp_path / "v"]
    _, engine = torc_run(tmp_path, "reference", vectors=vecs)
    assert engine[doc["id"]]["verdict"] == "PASS-NONSTRICT"
    r = plugin(tmp_path, "reference", vectors=vecs)
    assert r.rc == 0 and r.outcome == {doc["id"]: "passed"}, r.out
    r = plugin(tmp_path, "reference", "--torc-strict", vectors=vecs,
               name="strict")
    assert r.rc == 1 and r.outcome == {doc["id"]: "failed"}, r.out
    assert "run --target reference --strict --vectors" in r.text[doc["id"]]


# ---- Selection and pytest features -----------------------------------------


def collected(r):
    return {ln.split("::", 1)[1] for ln in r.out.splitlines()
            if "::rcv-" in ln}


@pytest.mark.parametrize("expr,pick", [
    ("RCV_038", lambda v: "RCV-038" in v["requirements"]),
    ("RCV-038", lambda v: "RCV-038" in v["requirements"]),
    ("push", lambda v: "push" in v.get("tags", [])),
    ("RCV_184 and not indicate",
     lambda v: "RCV-184" in v["requirements"] and
     "indicate" not in v.get("tags", [])),
])
def test_markers_select_exactly_the_citing_vectors(tmp_path, expr, pick):
    """-m on a requirement id (RCV-038, RCV-184) or a tag selects exactly the
    vectors that cite it, with --strict-markers (markers registered)."""
    want = {k for k, v in hw_vectors().items() if pick(v)}
    assert want  # the expression must select something to mean anything
    r = plugin(tmp_path, "reference", "--collect-only", "--strict-markers",
               "-m", expr, xml=False)
    assert r.rc == 0, r.out
    assert collected(r) == want


def test_exitfirst_stops_at_the_first_failure(tmp_path):
    """-x: completes_twice fails its first vector in collection order (sorted
    file names: alloc-fail-offload.json is first, then buffered-then-posts)
    and pytest stops there."""
    _, engine = torc_run(tmp_path, bad("completes_twice"))
    order = [d["id"] for d in sorted(hw_vectors().values(),
                                     key=lambda d: str(d["_path"]))]
    first = next(i for i, k in enumerate(order)
                 if engine[k]["verdict"] == "FAIL")
    r = plugin(tmp_path, bad("completes_twice"), "-x")
    assert r.rc == 1
    assert r.ids("failed") == {order[first]}
    assert set(r.outcome) == set(order[:first + 1])


def test_xdist_gives_identical_outcomes(tmp_path):
    """-n 2: the same outcome per vector as a single process."""
    import xdist  # noqa: F401 (scripts/install-deps.sh installs it)
    one = plugin(tmp_path, bad("completes_twice"), name="one")
    two = plugin(tmp_path, bad("completes_twice"), "-n", "2", name="two")
    assert one.rc == two.rc == 1
    assert one.outcome == two.outcome
    assert set(two.outcome) == set(hw_vectors())
    assert one.message == two.message and one.text.keys() == two.text.keys()


def test_whole_committed_set_against_reference(tmp_path):
    """Every committed vector (hand-written and corpus) passes on the
    reference, in one torc run, exactly as `torc run` judges them."""
    vecs = [ROOT / "vectors"]
    rc, engine = torc_run(tmp_path, "reference", vectors=vecs)
    r = plugin(tmp_path, "reference", vectors=vecs)
    assert r.rc == rc == 0, r.out
    assert len(r.outcome) == len(engine) == len(hw_vectors(ROOT / "vectors"))
    assert r.outcome == {k: expected_outcome(v["verdict"])
                         for k, v in engine.items()}
    assert "torc: 1 run(s) of" in r.out


# ---- Bad input and coexistence ---------------------------------------------


def test_malformed_vector_is_a_collection_error_naming_it(tmp_path):
    (tmp_path / "v").mkdir()
    (tmp_path / "v" / "broken.json").write_text('{"id": 5}')
    r = plugin(tmp_path, "reference", vectors=[tmp_path / "v"])
    assert r.rc == 2 and "broken.json: $.id: expected a string" in r.out
    (tmp_path / "v" / "broken.json").write_text('{"id": ')
    r = plugin(tmp_path, "reference", vectors=[tmp_path / "v"])
    assert r.rc == 2 and "broken.json: not JSON" in r.out


def test_missing_torc_and_missing_vectors_are_errors(tmp_path):
    cmd = [sys.executable, "-m", "pytest", "conformance", "-p",
           "no:cacheprovider", "-q", "--torc-target", "reference"]
    p = subprocess.run(cmd + ["--torc-bin", str(tmp_path / "nope")],
                       cwd=str(ROOT), env=env(), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2 and "torc not built" in p.stdout + p.stderr
    p = subprocess.run(cmd + ["--torc-bin", str(TORC), "--torc-vectors",
                              str(tmp_path / "none")],
                       cwd=str(ROOT), env=env(), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2
    assert "none: no such file or folder" in p.stdout + p.stderr


def test_project_tests_stay_apart(tmp_path):
    """Without --torc-target no vector is collected; with it, conformance/
    tests is left out unless named."""
    r = plugin(tmp_path, None, "--collect-only", xml=False)
    assert r.rc == 0 and not collected(r)
    assert "conformance/tests/test_catalogue.py::" in r.out
    r = plugin(tmp_path, "reference", "--collect-only", xml=False)
    assert r.rc == 0 and "conformance/tests" not in r.out
    assert collected(r) == set(hw_vectors())
    r = plugin(tmp_path, "reference", "--collect-only", xml=False,
               paths=["conformance/tests/test_catalogue.py"])
    assert r.rc == 0 and not collected(r)
    assert "conformance/tests/test_catalogue.py::" in r.out
