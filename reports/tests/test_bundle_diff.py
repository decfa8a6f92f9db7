"""`torc run --bundle`: a failing vector replays alone from its bundle.
(The tests of `torc diff` moved to harness/tests/test_cli_diff.py, beside
the hand-written format-2 documents they share with `torc merge`'s.)
The vector used is vectors/handwritten/buffered-then-posts.json (frames 4,
6, 8 of its capture; RCV-003, RCV-007, RCV-035, RCV-048), which
completes_twice fails with RCV-109 and the reference passes."""
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
