"""fail_alloc in protocol terms (issue 14; DEC-25, vectors/schema/README.md).

A vector's fail_alloc makes every allocation the target makes while the
host plays the next event fail.  Pinned here:

* the situation does not depend on how a target allocates: extra_allocs.so
  (the reference taking a scratch block from the host before each of its
  own allocations, twice as many in another order) is judged exactly as the
  reference on every committed vector with a fail_alloc;
* a target that makes no allocation while the armed event is handled never
  meets the situation: the vector is UNTESTED, naming the event, not FAIL
  and not PASS.  The reference keeps its connection from conn_open and
  copies nothing at an offload without BufferedData, and a terminate with
  no indication outstanding needs no memory: both are such events.
"""
import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import vector_id  # noqa: E402


def with_fail_alloc():
    out = []
    for p in sorted((ROOT / "vectors").rglob("*.json")):
        if "schema" in p.parts:
            continue
        doc = json.loads(p.read_text())
        if any(e["op"] == "fail_alloc" for e in doc.get("events", [])):
            out.append(p)
    return out


def results(path):
    return {r["id"]: r for r in json.loads(path.read_text())["results"]}


def test_the_situation_does_not_depend_on_how_the_target_allocates(
        torc, tmp_path):
    vecs = with_fail_alloc()
    assert len(vecs) >= 20  # both kinds, in many flows
    args = []
    for v in vecs:
        args += ["--vectors", v]
    ref = torc("run", "--target", "reference", *args, "--json",
               tmp_path / "ref.json", "--quiet")
    other = torc("run", "--target", torc.target("extra_allocs"), *args,
                 "--json", tmp_path / "other.json", "--quiet")
    assert ref.returncode == 0, ref.stderr
    assert other.returncode == 0, other.stderr
    a, b = results(tmp_path / "ref.json"), results(tmp_path / "other.json")
    assert len(a) == len(vecs)
    for vid in a:
        assert a[vid]["verdict"] == "PASS", a[vid]
        assert b[vid]["verdict"] == "PASS", b[vid]


def armed(tmp_path, src, before):
    """src with a fail_alloc inserted before event index `before`."""
    doc = json.loads((ROOT / "vectors" / "handwritten" / src).read_text())
    doc["events"].insert(before, {"op": "fail_alloc"})
    for x in doc["expected"]["trace"]:
        if x["at"] >= before:
            x["at"] += 1
    if "alloc_hook" not in doc["requires"]:
        doc["requires"].append("alloc_hook")
    doc["id"] = vector_id(doc)
    (tmp_path / "capture").mkdir(exist_ok=True)
    link = tmp_path / "capture" / "v4-12msg-fin.pcap"
    if not link.exists():
        link.symlink_to(ROOT / "vectors" / "handwritten" / "capture" /
                        "v4-12msg-fin.pcap")
    p = tmp_path / src
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("src,before,event", [
    ("out-of-order.json", 0, 1),        # the offload, no BufferedData
    ("terminate-handback.json", 3, 4),  # the terminate
])
def test_no_allocation_in_the_armed_event_is_untested(torc, tmp_path, src,
                                                      before, event):
    vec = armed(tmp_path, src, before)
    res = torc("run", "--target", "reference", "--vectors", vec, "--json",
               tmp_path / "r.json", "--quiet")
    (r,) = results(tmp_path / "r.json").values()
    assert r["verdict"] == "UNTESTED", r
    assert ("while event %d is handled, and the target made none" % event) \
        in r["detail"], r
    assert r["violations"] == [] and r["divergence"] is None, r
    # A run whose only vector is UNTESTED judged nothing: INCOMPLETE, 3.
    assert res.returncode == 3, res.stderr
