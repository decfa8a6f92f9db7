"""Limits a target declares (issue 14; RCV-020, RCV-021, RCV-022).

target.h lets a target declare the largest InitialRcvWnd it supports and
the most BufferedData it can take over at offload.  The specification
names the refusal status for each: OFFLOAD_TCP_RCV_WINDOW when
InitialRcvWnd is larger than the target supports (RCV-022),
OFFLOAD_TCP_RCV_BUFFER when it cannot get enough receive buffers (RCV-021)
or RESOURCES when it cannot get host memory (RCV-020).  Worked out by hand
with declared_limits.so (the reference declaring 65535 bytes of window and
200 bytes of BufferedData, harness/testtargets/declared_limits.c):

* psh-completion.json (no BufferedData, InitialRcvWnd = RcvWnd = 65535 by
  the schema's default) is within both limits: PASS, as the reference;
* the same vector with initial_rcv_wnd 65536 is beyond the window limit:
  the target refuses with OFFLOAD_TCP_RCV_WINDOW, nothing the vector tests
  happens, the verdict is UNTESTED and says RCV-022;
* buffered-then-posts.json carries 300 bytes of BufferedData (rcv_nxt - isn)
  beyond the 200 declared: refused with OFFLOAD_TCP_RCV_BUFFER, UNTESTED,
  RCV-021;
* refused with FAILURE instead (TORC_TT_REFUSAL=failure), each is a FAIL
  attributed to the requirement naming the right status;
* accepted anyway (TORC_TT_REFUSAL=accept), the target is the reference and
  is judged on the whole vector: PASS;
* a target declaring no limit (the reference) PASSes the 65536 vector.

Over the whole suite, every vector is PASS or UNTESTED, the results carry
the declared limits, the claim gives the limits as the cause of every
UNTESTED vector, and an exec: target (the same .so behind
torc-target-runner, whose RET(HELLO) carries the limits as its optional
tail, docs/wire-protocol.md) gets the same verdicts.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
HAND = ROOT / "vectors" / "handwritten"
sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import vector_id  # noqa: E402


def wide_window(tmp_path):
    """psh-completion.json with InitialRcvWnd one byte past 65535."""
    doc = json.loads((HAND / "psh-completion.json").read_text())
    doc["state"]["initial_rcv_wnd"] = 65536
    doc["id"] = vector_id(doc)
    (tmp_path / "capture").mkdir(exist_ok=True)
    cap = json.loads((HAND / "psh-completion.json").read_text())[
        "provenance"]["capture"]
    link = tmp_path / "capture" / pathlib.Path(cap).name
    if not link.exists():
        link.symlink_to(HAND / "capture" / pathlib.Path(cap).name)
    p = tmp_path / "wide-window.json"
    p.write_text(json.dumps(doc))
    return p


def run(torc, tmp_path, target, vectors, env=None, name="out.json"):
    args = []
    for v in vectors:
        args += ["--vectors", v]
    out = tmp_path / name
    p = torc("run", "--target", target, *args, "--json", out, "--quiet",
             env=env)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(out.read_text())


def by_file(doc, vecs):
    """Results by vector file name, through each file's id."""
    ids = {json.loads(pathlib.Path(v).read_text())["id"]:
           pathlib.Path(v).name for v in vecs}
    return {ids[r["id"]]: r for r in doc["results"]}


def test_refused_as_named_is_untested(torc, tmp_path):
    vecs = [HAND / "psh-completion.json", wide_window(tmp_path),
            HAND / "buffered-then-posts.json"]
    doc = run(torc, tmp_path, torc.target("declared_limits"), vecs)
    r = by_file(doc, vecs)
    assert r["psh-completion.json"]["verdict"] == "PASS"
    w = r["wide-window.json"]
    assert w["verdict"] == "UNTESTED", w
    assert "InitialRcvWnd (65536 bytes)" in w["detail"]
    assert "OFFLOAD_TCP_RCV_WINDOW (RCV-022)" in w["detail"]
    b = r["buffered-then-posts.json"]
    assert b["verdict"] == "UNTESTED", b
    assert "BufferedData (300 bytes)" in b["detail"]
    assert "OFFLOAD_TCP_RCV_BUFFER (RCV-021)" in b["detail"]
    assert doc["target"]["declared_limits"] == {
        "max_initial_rcv_wnd": 65535, "max_buffered_bytes": 200}


def test_refused_otherwise_is_a_fail_of_the_naming_requirement(torc,
                                                               tmp_path):
    vecs = [wide_window(tmp_path), HAND / "buffered-then-posts.json"]
    doc = run(torc, tmp_path, torc.target("declared_limits"), vecs,
              env={"TORC_TT_REFUSAL": "failure"})
    r = by_file(doc, vecs)
    w, b = r["wide-window.json"], r["buffered-then-posts.json"]
    assert w["verdict"] == "FAIL" and w["attributed_to"] == ["RCV-022"], w
    assert "not FAILURE" in w["detail"]
    assert b["verdict"] == "FAIL" and b["attributed_to"] == ["RCV-021"], b
    assert doc["claim"]["headline"] == "NOT CONFORMANT"


def test_accepted_anyway_is_judged_on_the_whole_vector(torc, tmp_path):
    vecs = [wide_window(tmp_path), HAND / "buffered-then-posts.json"]
    doc = run(torc, tmp_path, torc.target("declared_limits"), vecs,
              env={"TORC_TT_REFUSAL": "accept"})
    assert [r["verdict"] for r in doc["results"]] == ["PASS", "PASS"]


def test_no_limit_declared_no_refusal_expected(torc, tmp_path):
    doc = run(torc, tmp_path, "reference", [wide_window(tmp_path)])
    assert doc["results"][0]["verdict"] == "PASS"
    assert "declared_limits" not in doc["target"]


def test_the_suite_and_the_claim_and_exec(torc, tmp_path):
    so = torc.target("declared_limits")
    inproc = run(torc, tmp_path, so, [ROOT / "vectors"], name="in.json")
    verdicts = {r["id"]: r["verdict"] for r in inproc["results"]}
    assert set(verdicts.values()) == {"PASS", "UNTESTED"}
    n = sum(v == "UNTESTED" for v in verdicts.values())
    # Most corpus vectors carry a 4 MiB window (torc_vectorize_vector.c).
    assert n > len(verdicts) // 2
    reasons = inproc["claim"]["reasons"]
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith("%d vectors UNTESTED" % n)
    assert "go beyond a limit the target declares (InitialRcvWnd at most " \
        "65535 bytes, BufferedData at most 200 bytes" in reasons[0]
    remote = run(torc, tmp_path, "exec:%s --target %s" % (torc.runner, so),
                 [ROOT / "vectors"], name="exec.json")
    assert {r["id"]: r["verdict"] for r in remote["results"]} == verdicts
    assert remote["target"]["declared_limits"] == \
        inproc["target"]["declared_limits"]
