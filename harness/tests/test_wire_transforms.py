"""Wire edge cases made from real frames (provenance.transform) and the
host actions added with them (post_in_indication, return of one
indication), replayed by the harness.

Where it sits: the vector loader (harness/input/torc_vector_transform.c)
rebuilds rebased and derived segments; the host (harness/engine/) posts
from inside an indication; the bundle writer dumps what the target was fed.
Each vector here is one of the hand-written vectors over
vectors/handwritten/capture/v4-12msg-fin.pcap (frame 4 = stream bytes
[0, 100), frame 6 = [100, 300), frame 8 = [300, 600)) with one change, and
its expected trace is worked out by hand from the rules named in each test.
"""
import copy
import hashlib
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HAND = ROOT / "vectors" / "handwritten"
CAPTURE = HAND / "capture" / "v4-12msg-fin.pcap"
sys.path.insert(0, str(ROOT / "vectors" / "schema"))
import vector_id  # noqa: E402


def base(name):
    d = json.loads((HAND / name).read_text())
    d["provenance"]["capture"] = str(CAPTURE)
    for e in d["expected"]["trace"]:
        e.pop("because", None)
    d["tags"] = ["test"]
    return d


def write(tmp_path, doc, name="v.json"):
    doc = copy.deepcopy(doc)
    doc.pop("id", None)
    doc["id"] = vector_id.vector_id(doc)
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def run(torc, path, target="reference", *extra):
    out = path.with_suffix(".results.json")
    res = torc("run", "--target", target, "--vectors", path, "--json", out,
               "--quiet", *extra)
    res.results = out
    return res


def verdict(res):
    doc = json.loads(res.results.read_text())
    return [(r["verdict"], r.get("attributed_to", [])) for r in doc["results"]]


def rst_vector(offset, flags, after):
    """posts-before-data-nonpush with a segment derived from frame 4 (no
    payload, at stream offset `offset`, `flags`) between frame 4 and frame
    6, and `after` as the expected trace after the offload."""
    d = base("posts-before-data-nonpush.json")
    d["provenance"]["transform"] = {"derived": [
        {"from": 4, "offset": offset, "len": 0, "flags": flags}]}
    d["events"] = [{"op": "offload"},
                   {"op": "post", "size": 250, "push": False},
                   {"op": "frame", "frame": 4},
                   {"op": "frame", "derived": 1},
                   {"op": "frame", "frame": 6}]
    d["requires"] = sorted(set(d["requires"]) | {"rst"})
    d["expected"]["trace"] = d["expected"]["trace"][:1] + after
    return d


# frame 6 after a segment that changes nothing: the 250-byte non-push
# request fills (RCV-184) and the 50 bytes left are indicated (RCV-083), as
# in posts-before-data-nonpush.json, one script event later.
UNCHANGED = [
    {"at": 4, "ev": "complete",
     "requests": [{"id": 1, "status": "SUCCESS", "bytes": 250}]},
    {"at": 4, "ev": "indicate", "offset": 250, "len": 50}]


def test_rst_at_rcvnxt_aborts(torc, tmp_path):
    # RCV-303, RCV-258, DEC-04: an RST exactly at RcvNxt (100) is indicated
    # as TcpIndicateAbort, then the request is completed REQUEST_ABORTED
    # with the 100 bytes already placed (RCV-253); frame 6 is not processed.
    d = rst_vector(100, ["rst", "ack"], [
        {"at": 3, "ev": "event", "event": "ABORT"},
        {"at": 3, "ev": "complete",
         "requests": [{"id": 1, "status": "REQUEST_ABORTED", "bytes": 100}]}])
    res = run(torc, write(tmp_path, d))
    assert res.returncode == 0, res.stderr
    assert verdict(res) == [("PASS", [])]


@pytest.mark.parametrize("offset,flags,why", [
    (101, ["rst"], "in the window, not at RcvNxt: challenged (RCV-304)"),
    (-5, ["rst", "ack"], "before RcvNxt: unacceptable (RCV-301)"),
    (100 + 65535 + 7, ["rst"], "beyond the window: dropped (RCV-301)"),
    (140, ["syn", "ack"], "SYN in the window, not at RcvNxt (RCV-302)"),
])
def test_rst_or_syn_elsewhere_changes_nothing(torc, tmp_path, offset, flags,
                                              why):
    d = rst_vector(offset, flags, UNCHANGED)
    res = run(torc, write(tmp_path, d))
    assert res.returncode == 0, (why, res.stderr)
    assert verdict(res) == [("PASS", [])], why


def test_syn_at_rcvnxt_asks_for_upload(torc, tmp_path):
    # RCV-295, RCV-305, DEC-27: a SYN at RcvNxt asks for an upload, reason
    # InvalidState (9); nothing after it is processed (DEC-24), so frame 6
    # neither fills nor is indicated and the request stays posted.
    d = rst_vector(100, ["syn"], [
        {"at": 3, "ev": "event", "event": "RETRIEVE", "info": 9}])
    res = run(torc, write(tmp_path, d))
    assert res.returncode == 0, res.stderr
    assert verdict(res) == [("PASS", [])]


def test_rst_mutants_fail_on_the_rule(torc, tmp_path):
    """The suite tells: a target that ignores the RST at RcvNxt fails
    RCV-303/RCV-258; one that aborts on an RST beyond the window fails
    RCV-301."""
    at = rst_vector(100, ["rst", "ack"], [
        {"at": 3, "ev": "event", "event": "ABORT"},
        {"at": 3, "ev": "complete",
         "requests": [{"id": 1, "status": "REQUEST_ABORTED", "bytes": 100}]}])
    out = rst_vector(100 + 65535 + 7, ["rst"], UNCHANGED)
    mutants = torc.build / "lib" / "mutants"
    paths = [write(tmp_path, at, "at.json"), write(tmp_path, out, "out.json")]
    # The becauses (which rules decided each expected event) come from the
    # reference's explanation, as for every committed vector.
    for p in paths:
        r = torc("explain", "--write", p)
        assert r.returncode == 0, r.stderr
    res = run(torc, paths[0],
              mutants / "rst_ignored.so")
    (v, why), = verdict(res)
    assert v == "FAIL" and {"RCV-303", "RCV-258"} & set(why), why
    res = run(torc, paths[1], mutants / "rst_outside_window_aborts.so")
    (v, why), = verdict(res)
    assert v == "FAIL" and "RCV-301" in why, why


def test_rebased_stream_across_2_32(torc, tmp_path):
    """out-of-order.json with every sequence number moved so that 2^32 lies
    at stream offset 350, inside the out-of-order frame 8 ([300, 600)):
    RFC 9293's sequence arithmetic is modulo 2^32, so the expected trace
    (one completion of 600 bytes once the gap fills, RCV-062, RCV-057) is
    the same."""
    d = base("out-of-order.json")
    isn = d["state"]["isn"]
    new_isn = (1 << 32) - 350
    d["provenance"]["transform"] = {"seq_shift": (new_isn - isn) % (1 << 32)}
    d["state"]["isn"] = d["state"]["rcv_nxt"] = new_isn
    res = run(torc, write(tmp_path, d))
    assert res.returncode == 0, res.stderr
    assert verdict(res) == [("PASS", [])]
    # Without the rebase the same state no longer matches the frames: the
    # harness really moves them (unshifted, no byte lies in the stream, so
    # the expected 600-byte delivery is refused at loading).
    d["provenance"].pop("transform")
    res = run(torc, write(tmp_path, d, "unshifted.json"))
    assert res.returncode == 2 and "stream" in res.stderr, res.stderr


def test_post_in_indication(torc, tmp_path):
    """No request posted: frame 4's 100 bytes are indicated (RCV-083);
    inside that indication, before answering SUCCESS, the host posts a
    200-byte non-push request (RCV-107's re-entrancy); frame 6's 200 bytes
    fill it (RCV-143: posted requests before any indication)."""
    d = base("posts-before-data-nonpush.json")
    d["events"] = [{"op": "offload"},
                   {"op": "post_in_indication", "size": 200, "push": False},
                   {"op": "frame", "frame": 4},
                   {"op": "frame", "frame": 6},
                   {"op": "return", "indication": 2},
                   {"op": "return", "indication": 1}]
    d["host"] = {"auto_return": "explicit"}
    d["requires"] = ["indicate", "nonpush_mode", "reentrant_post"]
    d["expected"]["trace"] = d["expected"]["trace"][:1] + [
        {"at": 2, "ev": "indicate", "offset": 0, "len": 100},
        {"at": 3, "ev": "complete",
         "requests": [{"id": 1, "status": "SUCCESS", "bytes": 200,
                       "offset": 100}]}]
    res = run(torc, write(tmp_path, d))
    assert res.returncode == 0, res.stderr
    assert verdict(res) == [("PASS", [])]


def test_fed_pcap_has_consistent_checksums(torc, tmp_path):
    """The bundle's fed.pcap holds the frames as the target got them: the
    rebased and derived ones with their lengths and checksums recomputed,
    which tshark (an independent decoder) verifies."""
    d = rst_vector(100, ["rst", "ack"], [
        {"at": 3, "ev": "event", "event": "ABORT"},
        {"at": 3, "ev": "complete",
         "requests": [{"id": 1, "status": "REQUEST_ABORTED", "bytes": 100}]}])
    isn = d["state"]["isn"]
    new_isn = (1 << 32) - 60
    d["provenance"]["transform"]["seq_shift"] = (new_isn - isn) % (1 << 32)
    d["state"]["isn"] = d["state"]["rcv_nxt"] = new_isn
    p = write(tmp_path, d)
    bundles = tmp_path / "bundles"
    res = torc("run", "--target",
               torc.build / "lib" / "mutants" / "rst_ignored.so",
               "--vectors", p, "--bundle", bundles, "--quiet")
    assert res.returncode == 1, res.stderr
    fed = list(bundles.rglob("fed.pcap"))
    assert len(fed) == 1, list(bundles.rglob("*"))
    out = subprocess.run(
        ["tshark", "-r", str(fed[0]), "-o", "tcp.check_checksum:TRUE",
         "-o", "ip.check_checksum:TRUE", "-o", "tcp.relative_sequence_numbers:FALSE",
         "-T", "fields", "-e", "tcp.seq", "-e", "tcp.flags.reset",
         "-e", "tcp.len", "-e", "tcp.checksum.status",
         "-e", "ip.checksum.status"],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [l.split("\t") for l in out.stdout.splitlines()]
    assert len(rows) == 3, out.stdout
    # frame 4 at the rebased isn, the RST at isn + 100 (past 2^32), frame 6
    assert [int(r[0]) for r in rows] == [new_isn, (new_isn + 100) % (1 << 32),
                                         (new_isn + 100) % (1 << 32)]
    assert [r[1] for r in rows] == ["0", "1", "0"]
    assert [int(r[2]) for r in rows] == [100, 0, 200]
    # checksum status 1 = good (tshark's "Good")
    assert all(r[3] == "1" and r[4] == "1" for r in rows), out.stdout


@pytest.mark.parametrize("change,where", [
    (lambda d: d["provenance"]["transform"]["derived"][0].update(from_=1),
     "$.provenance.transform.derived[0].from"),
    (lambda d: d["provenance"]["transform"]["derived"][0].update(from_=6),
     "$.provenance.transform.derived[0].len"),
    (lambda d: d["provenance"]["transform"]["derived"][0].update(
        flags=["rst", "bogus"]), "$.provenance.transform.derived[0].flags[1]"),
    (lambda d: d["events"][3].update(frame=4), "$.events[3]"),
    (lambda d: d["events"][3].update(derived=2), "$.events[3].derived"),
    (lambda d: d["provenance"]["transform"].update(seq_shift=-1),
     "$.provenance.transform.seq_shift"),
])
def test_malformed_transform_is_refused(torc, tmp_path, change, where):
    d = rst_vector(100, ["rst"], UNCHANGED)
    d["provenance"]["transform"]["derived"][0].update(offset=0, len=10)
    change(d)
    x = d["provenance"]["transform"]["derived"][0]
    if "from_" in x:
        x["from"] = x.pop("from_")
    p = write(tmp_path, d)
    res = torc("lint", p)
    assert res.returncode == 2, res.stdout + res.stderr
    assert where in res.stderr and str(p) in res.stderr, res.stderr
