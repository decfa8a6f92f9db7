"""`torc run --bundle` (a failing vector replays alone from its bundle) and
`torc diff` (regressions told apart from vector-set changes, exit status).
The vector used is vectors/handwritten/buffered-then-posts.json (frames 4, 6,
8 of its capture; RCV-003, RCV-007, RCV-035, RCV-048), which completes_twice
fails with RCV-109 and the reference passes."""
import json
import struct

from conftest import HANDWRITTEN, TARGETS, load, torc

VECTOR = HANDWRITTEN / "buffered-then-posts.json"


def pcap_frames(path):
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xa1b2c3d4, 0xa1b23c4d)
    pos, n = 24, 0
    while pos < len(data):
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        pos += 16 + incl
        n += 1
    return n


def test_bundle_replays_alone(tmp_path):
    bdir = tmp_path / "bundles"
    r = torc("run", "--target", TARGETS / "completes_twice.so", "--vectors",
             VECTOR, "--json", tmp_path / "r.json", "--bundle", bdir, "--quiet")
    assert r.returncode == 1
    vid = load(VECTOR)["id"]
    b = bdir / vid
    for name in ("vector.json", "capture.pcap", "fed.pcap",
                 "expected-trace.json", "actual-trace.json", "target.log",
                 "result.json", "README.md", "replay.sh"):
        assert (b / name).exists(), name
    v = load(b / "vector.json")
    # Three listed frames, renumbered 1..3 in a capture of their own.
    assert v["provenance"]["capture"] == "capture.pcap"
    assert v["provenance"]["frames"] == [1, 2, 3]
    assert pcap_frames(b / "capture.pcap") == 3
    # One frame event (frame 8 -> 3) is what the target was fed.
    assert [e["frame"] for e in v["events"] if e["op"] == "frame"] == [3]
    assert pcap_frames(b / "fed.pcap") == 1
    assert "RCV-109" in (b / "README.md").read_text()
    assert load(b / "rerun.json")["verdict"] == "FAIL"
    # The traces differ: completes_twice adds a completion.
    assert len(load(b / "actual-trace.json")) > len(
        load(b / "expected-trace.json"))
    # Replays alone: fails on the bad target, passes on the reference.
    r = torc("run", "--target", TARGETS / "completes_twice.so", "--vectors",
             "vector.json", cwd=b)
    assert r.returncode == 1, r.stderr
    r = torc("run", "--target", "reference", "--vectors", "vector.json", cwd=b)
    assert r.returncode == 0, r.stderr


def doc(digest, results):
    return {"torc_version": "0.1.0", "format": 1, "vector_set_digest": digest,
            "target": {"name": "t", "version": "1", "abi_version": 1,
                       "capabilities": 0},
            "started": "x", "finished": "y",
            "results": [{"id": i, "title": "", "verdict": v,
                         "requirements": ["RCV-046"], "allowances": [],
                         "violations": [] if v != "FAIL" else
                         [{"requirement": "RCV-046", "message": "m " + i}],
                         "divergence": None, "detail": "",
                         "duration_ms": 1.0} for i, v in results],
            "summary": {}}


def write(tmp_path, name, d):
    p = tmp_path / name
    p.write_text(json.dumps(d))
    return p


def test_diff_regression_is_exit_1(tmp_path):
    old = write(tmp_path, "a.json", doc("d1", [("rcv-a", "PASS"),
                                               ("rcv-b", "FAIL")]))
    new = write(tmp_path, "b.json", doc("d1", [("rcv-a", "FAIL"),
                                               ("rcv-b", "PASS")]))
    r = torc("diff", old, new)
    assert r.returncode == 1
    assert "NEWLY FAILING  rcv-a  PASS -> FAIL: m rcv-a" in r.stdout
    assert "newly passing  rcv-b  FAIL -> PASS" in r.stdout
    assert "unchanged (same digest)" in r.stdout
    r = torc("diff", new, old)
    assert r.returncode == 1  # rcv-b regresses the other way round


def test_diff_vector_set_change_is_not_a_regression(tmp_path):
    old = write(tmp_path, "a.json", doc("d1", [("rcv-a", "PASS")]))
    new = write(tmp_path, "b.json", doc("d2", [("rcv-a", "PASS"),
                                               ("rcv-c", "FAIL")]))
    r = torc("diff", old, new)
    assert r.returncode == 0
    assert "CHANGED (different vector_set_digest)" in r.stdout
    assert "added          rcv-c  FAIL: m rcv-c" in r.stdout
    assert "no verdict changed" in r.stdout
    r = torc("diff", new, old)
    assert r.returncode == 0 and "removed        rcv-c  (was FAIL)" in r.stdout


def test_diff_bad_input_is_exit_2(tmp_path):
    good = write(tmp_path, "a.json", doc("d1", [("rcv-a", "PASS")]))
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    r = torc("diff", good, bad)
    assert r.returncode == 2 and str(bad) in r.stderr
    assert torc("diff", good).returncode == 2
