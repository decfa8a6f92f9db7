"""The connection state of every vectorized corpus vector is what its
capture shows (issue 14: "carry what the capture shows").

Each capture is read with tshark (Wireshark's dissector, not torc's code),
and the state torc vectorize wrote at the offload is worked out again from
the frames before the offload point:

- mss: the MSS option of the receiver's SYN (the largest segment the peer
  may send it); RFC 9293 3.7.1's 536 (IPv4) / 1220 (IPv6) without one.  For
  captures named after their MTU it must also be MTU - 40 (IPv4) or MTU - 60
  (IPv6), the value Linux advertises;
- snd_wscale / rcv_wscale: the window-scale shifts of the peer's and the
  receiver's SYN, present only when both SYNs carried the option (RFC 7323
  2.2);
- snd_nxt: the end (sequence + length + SYN + FIN) of the furthest segment
  the receiver sent before the offload;
- snd_una, snd_wnd: the furthest acknowledgment the peer sent before the
  offload, and that segment's window shifted by the peer's scale.

The offload point is the frame number the vector's provenance note names
("before frame N").
"""
import json
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "vectors" / "corpus"
RECEIVER_PORT = 5001  # vectors/module.mk: --flows dport=5001

FIELDS = ["frame.number", "ipv6.src", "tcp.srcport", "tcp.dstport",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.flags.syn",
          "tcp.flags.fin", "tcp.flags.ack", "tcp.window_size_value",
          "tcp.options.mss_val", "tcp.options.wscale.shift"]


def after(a, b):
    """RFC 1982 serial arithmetic on 32 bits: a is after b."""
    return 0 < ((a - b) & 0xFFFFFFFF) < 0x80000000


def read_capture(path):
    if shutil.which("tshark") is None:
        pytest.fail("tshark is not installed (scripts/install-deps.sh)")
    out = subprocess.run(
        ["tshark", "-n", "-r", str(path), "-Y", "tcp", "-T", "fields",
         "-E", "separator=\t", "-E", "occurrence=f"] +
        sum((["-e", f] for f in FIELDS), []),
        capture_output=True, text=True, check=True).stdout
    frames = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        frames.append({
            "no": int(v["frame.number"]),
            "v6": bool(v["ipv6.src"]),
            "sport": int(v["tcp.srcport"]), "dport": int(v["tcp.dstport"]),
            "seq": int(v["tcp.seq_raw"]), "ack": int(v["tcp.ack_raw"]),
            "len": int(v["tcp.len"]),
            "syn": v["tcp.flags.syn"] in ("1", "True"),
            "fin": v["tcp.flags.fin"] in ("1", "True"),
            "has_ack": v["tcp.flags.ack"] in ("1", "True"),
            "win": int(v["tcp.window_size_value"]),
            "mss": int(v["tcp.options.mss_val"]) if v["tcp.options.mss_val"]
            else None,
            "ws": int(v["tcp.options.wscale.shift"])
            if v["tcp.options.wscale.shift"] else None,
        })
    return frames


def expected_state(frames, peer_port, before):
    """The state at the offload, worked out from tshark's fields."""
    rcv = [f for f in frames
           if f["sport"] == RECEIVER_PORT and f["dport"] == peer_port]
    peer = [f for f in frames
            if f["sport"] == peer_port and f["dport"] == RECEIVER_PORT]
    rsyn = next(f for f in rcv if f["syn"])
    psyn = next((f for f in peer if f["syn"]), None)
    want = {"mss": rsyn["mss"] or (1220 if rsyn["v6"] else 536)}
    scaled = psyn is not None and psyn["ws"] is not None and \
        rsyn["ws"] is not None
    if scaled:
        want["snd_wscale"] = min(psyn["ws"], 14)
        want["rcv_wscale"] = min(rsyn["ws"], 14)
    nxt = None
    for f in rcv:
        if f["no"] < before:
            end = (f["seq"] + f["len"] + f["syn"] + f["fin"]) & 0xFFFFFFFF
            if nxt is None or after(end, nxt):
                nxt = end
    last = None
    for f in peer:
        if f["no"] < before and f["has_ack"] and \
                (last is None or not after(last["ack"], f["ack"])):
            last = f
    if nxt is not None and last is not None:
        want["snd_nxt"] = nxt
        want["snd_una"] = last["ack"]
        shift = want.get("snd_wscale", 0) if not last["syn"] else 0
        want["snd_wnd"] = last["win"] << shift
    return want


def corpus_by_capture():
    groups = {}
    for p in sorted(CORPUS.glob("*/*.json")):
        v = json.loads(p.read_text())
        groups.setdefault(v["provenance"]["capture"], []).append((p, v))
    return sorted(groups.items())


@pytest.mark.parametrize("capture,vectors", corpus_by_capture(),
                         ids=lambda x: pathlib.Path(x).stem
                         if isinstance(x, str) else "")
def test_state_is_what_the_capture_shows(capture, vectors):
    frames = read_capture(ROOT / capture)
    keys = ("mss", "snd_wscale", "rcv_wscale", "snd_una", "snd_nxt",
            "snd_wnd")
    m = re.search(r"-mtu(\d+)-", capture)
    for path, v in vectors:
        note = v["provenance"]["note"]
        before = re.search(r"before frame (\d+)", note)
        assert before, f"{path}: the note names no offload frame: {note}"
        want = expected_state(frames, v["provenance"]["flow"]["sport"],
                              int(before.group(1)))
        got = {k: v["state"][k] for k in keys if k in v["state"]}
        assert got == want, f"{path}"
        if m:
            hdr = 60 if "/v6-" in "/" + pathlib.Path(capture).name else 40
            assert got["mss"] == int(m.group(1)) - hdr, f"{path}"


def test_every_capture_is_checked():
    """The parametrization above is not empty: the corpus is vectorized
    from at least the 19 committed captures."""
    assert len(corpus_by_capture()) >= 19
