"""Capture ingestion (harness/input/torc_capture.c) through the built CLI.

Each test writes a tiny capture with Python (no capture library involved:
the bytes are laid out by hand below), a vector over it, and runs
`torc run --target reference`: the reference can only PASS if the harness
found both TCP segments of the flow in the frames (link layer, VLAN tags,
IPv4 options, IPv6 extension headers, Ethernet padding trimmed by the IP
length) and handed the exact payload bytes on, because the delivered bytes
are compared with the stream byte for byte.  Frames that are not usable TCP
segments (truncated, fragments, UDP) must make `torc lint` fail with exit 2
naming the capture and the frame number.

Expected outcome of every positive vector, by hand from docs/DECISIONS.md:
a 12-byte push request posted before data; segment 1 (8 bytes, no PSH) is
placed and leaves the request partly filled; segment 2 (4 bytes, PSH) fills
it: one completion of 12 bytes during event 3 (RCV-072, RCV-182).
"""
import json
import os
import pathlib
import struct
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import vector_id  # noqa: E402

import hashlib  # noqa: E402

SRC4, DST4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SRC6 = bytes.fromhex("fd000000000000000000000000000001")
DST6 = bytes.fromhex("fd000000000000000000000000000002")
SPORT, DPORT, SEQ = 40000, 80, 1000
# Over Ethernet, frame 2 (14 + 20 + 20 + 4 = 58 bytes) carries 2 bytes of
# padding: a reader that does not end the packet at the IP length delivers 2
# bytes too many, which the reference indicates after the completion.
P1, P2 = b"hello wo", b"rld!"


def torc_bin():
    build = os.environ.get("TORC_BUILD") or str(ROOT / "build")
    cand = os.environ.get("TORC") or os.path.join(build, "bin", "torc")
    return cand if os.access(cand, os.X_OK) else None


@pytest.fixture(autouse=True)
def _needs_built_parts():
    """What this file needs is built by make check: its absence is a
    failure, never a skip."""
    if torc_bin() is None:
        pytest.fail("torc not built")


def tcp(seq, flags, payload):
    return struct.pack("!HHIIBBHHH", SPORT, DPORT, seq, 1, 5 << 4, flags,
                       65535, 0, 0) + payload


def ipv4(payload, options=b"", frag=0x4000, proto=6):
    ihl = 5 + len(options) // 4
    total = ihl * 4 + len(payload)
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64,
                       proto, 0, SRC4, DST4) + options + payload


def ipv6(payload, ext=b"", first_nh=6):
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(payload),
                       first_nh, 64, SRC6, DST6) + ext + payload


def eth(ethertype, payload, vlans=()):
    hdr = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for vid in vlans:
        hdr += struct.pack("!HH", 0x8100, vid)
    frame = hdr + struct.pack("!H", ethertype) + payload
    return frame + b"\x00" * max(0, 60 - len(frame))  # Ethernet padding


def pcap(linktype, frames, snap=65535):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, (data, wirelen) in enumerate(frames):
        cap = data[:snap]
        out += struct.pack("<IIII", 1000 + i, 0, len(cap), wirelen) + cap
    return out


def pcapng(linktype, frames):
    def block(btype, body):
        body += b"\x00" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 65535))
    for i, (data, wirelen) in enumerate(frames):
        out += block(6, struct.pack("<IIIII", 0, 0, i, len(data), wirelen)
                     + data)
    return out


def two_segments(wrap):
    """The two frames of the flow, each wrapped by wrap(tcp_bytes)."""
    return [wrap(tcp(SEQ, 0x10, P1)), wrap(tcp(SEQ + len(P1), 0x18, P2))]


def write_case(tmp_path, name, capture_bytes, v6=False, frames=(1, 2)):
    cap = tmp_path / f"{name}.cap"
    cap.write_bytes(capture_bytes)
    doc = {
        "format": 1,
        "title": f"Verify that the harness reads the {name} capture",
        "requirements": ["RCV-067"],
        "tags": ["ingest"],
        "requires": ["push_mode"],
        "provenance": {
            "capture": cap.name,
            "capture_sha256": hashlib.sha256(capture_bytes).hexdigest(),
            "flow": {"src": "fd00::1" if v6 else "10.0.0.1",
                     "dst": "fd00::2" if v6 else "10.0.0.2",
                     "sport": SPORT, "dport": DPORT},
            "frames": list(frames),
            "tool": "test_capture_ingest.py", "tool_version": "1"},
        "state": {"isn": SEQ, "rcv_nxt": SEQ},
        "buffered": [],
        "events": [{"op": "offload"}, {"op": "post", "size": 12},
                   {"op": "frame", "frame": frames[0]},
                   {"op": "frame", "frame": frames[1]}],
        "expected": {"trace": [
            {"at": 0, "ev": "offload_complete", "status": "SUCCESS"},
            {"at": 3, "ev": "complete", "requests": [
                {"id": 1, "status": "SUCCESS", "bytes": 12, "offset": 0}]}]},
    }
    doc["id"] = vector_id(doc)
    vec = tmp_path / f"{name}.json"
    vec.write_text(json.dumps(doc))
    return vec


def run_reference(vec):
    res = subprocess.run([torc_bin(), "run", "--target", "reference",
                          "--vectors", str(vec), "--quiet", "--no-isolate"],
                         capture_output=True, text=True, timeout=60)
    return res


def wl(frames):
    return [(f, len(f)) for f in frames]


CASES = {
    # DLT_EN10MB, IPv4 padded to 60 bytes (the IP total length ends it).
    "ethernet-ipv4-padded": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t))))), False),
    # Two 802.1Q tags, IPv4 with 4 bytes of options (IHL 6).
    "ethernet-qinq-ipv4-options": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t, options=b"\x01\x01\x01\x00"),
                      vlans=(100, 200))))), False),
    # IPv6 with hop-by-hop, destination options and an atomic fragment header.
    "ethernet-ipv6-ext-headers": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x86DD, ipv6(
            t,
            ext=bytes([60, 0]) + b"\x01\x04\x00\x00\x00\x00"   # HBH -> DST
            + bytes([44, 0]) + b"\x01\x04\x00\x00\x00\x00"     # DST -> FRAG
            + bytes([6, 0, 0, 0]) + b"\x00\x00\x00\x07",       # FRAG -> TCP
            first_nh=0))))), True),
    # LINUX_SLL (113) and LINUX_SLL2 (276).
    "sll-ipv4": (lambda: pcap(113, wl(two_segments(
        lambda t: struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800)
        + ipv4(t)))), False),
    "sll2-ipv6": (lambda: pcap(276, wl(two_segments(
        lambda t: struct.pack("!HHIHBB8s", 0x86DD, 0, 2, 1, 0, 6, b"\x02" * 8)
        + ipv6(t)))), True),
    # LINKTYPE_RAW (101), DLT_NULL (0, little-endian AF_INET), DLT_LOOP (108,
    # big-endian AF_INET6 = 30 on macOS).
    "raw-ipv4": (lambda: pcap(101, wl(two_segments(ipv4))), False),
    "null-ipv4": (lambda: pcap(0, wl(two_segments(
        lambda t: struct.pack("<I", 2) + ipv4(t)))), False),
    "loop-ipv6": (lambda: pcap(108, wl(two_segments(
        lambda t: struct.pack("!I", 30) + ipv6(t)))), True),
    # pcapng with one Ethernet interface.
    "pcapng-ethernet-ipv4": (lambda: pcapng(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t))))), False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_capture_link_layers(tmp_path, name):
    build, v6 = CASES[name]
    vec = write_case(tmp_path, name, build(), v6=v6)
    res = run_reference(vec)
    assert res.returncode == 0, res.stdout + res.stderr


def test_frames_listed_out_of_order_build_the_stream_by_sequence(tmp_path):
    frames = wl(two_segments(lambda t: eth(0x0800, ipv4(t))))
    vec = write_case(tmp_path, "swapped", pcap(1, frames[::-1]),
                     frames=(2, 1))
    res = run_reference(vec)
    assert res.returncode == 0, res.stdout + res.stderr


BAD = {
    # snaplen cuts the payload: the bytes are not all there.
    "truncated": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t)))), snap=54 + 3),
        "frame 1 is truncated"),
    # An IPv4 fragment (MF set).
    "fragment": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t, frag=0x2000))))),
        "frame 1 is an IP fragment"),
    # UDP, not TCP.
    "udp": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t, proto=17))))),
        "frame 1 is not a TCP segment"),
    # IPv4 total length beyond the frame.
    "bad-ip-length": (lambda: pcap(1, wl(two_segments(
        lambda t: eth(0x0800, ipv4(t)[:2] + b"\x05\xdc" + ipv4(t)[4:])))),
        "frame 1 is malformed"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_unusable_frames_are_named(tmp_path, name):
    build, message = BAD[name]
    vec = write_case(tmp_path, name, build())
    res = subprocess.run([torc_bin(), "lint", str(vec)], capture_output=True,
                         text=True, timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert f"{name}.cap: {message}" in out, out


def test_not_a_capture(tmp_path):
    vec = write_case(tmp_path, "garbage", b"this is not a pcap file at all")
    res = subprocess.run([torc_bin(), "lint", str(vec)], capture_output=True,
                         text=True, timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "garbage.cap: not a readable pcap/pcapng file" in out, out


# ---- Hostile capture files (issue 16) --------------------------------------

def special_file(tmp_path, kind):
    """A path that is not a regular file: reading /dev/zero never ends, and
    opening a FIFO without a writer waits for ever."""
    if kind == "device":
        return "/dev/zero", "a character device"
    if kind == "fifo":
        p = tmp_path / "cap.fifo"
        os.mkfifo(p)
        return str(p), "a FIFO"
    p = tmp_path / "cap.dir"
    p.mkdir()
    return str(p), "a directory"


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_non_regular_capture_is_refused(tmp_path, kind):
    """lint and run refuse the vector (exit 2, the input-error status of
    harness/run/torc_exit.h) naming the file and what it is; vectorize
    refuses the capture the same way.  A hang is a failure (timeout)."""
    path, what = special_file(tmp_path, kind)
    vec = write_case(tmp_path, "special", b"")
    doc = json.loads(vec.read_text())
    doc["provenance"]["capture"] = path
    vec.write_text(json.dumps(doc))
    want = f"{path}: not a regular file ({what})"
    for args in (["lint", str(vec)],
                 ["run", "--target", "reference", "--quiet", str(vec)],
                 ["vectorize", path, "-o", str(tmp_path / "out")]):
        res = subprocess.run([torc_bin()] + args, capture_output=True,
                             text=True, timeout=30)
        out = res.stdout + res.stderr
        assert res.returncode == 2, (args, out)
        assert want in out, (args, out)
    assert not (tmp_path / "out").exists()


def test_first_frame_of_caplen_zero_is_kept_and_skipped(tmp_path):
    """Frame 1 captured no byte at all (caplen 0, 60 on the wire, like
    tcpdump's olsr-oobr-2.pcap): it is read, counted and recorded as
    truncated (torc_capture.h: unparseable frames are not errors), so the
    flow in frames 2 and 3 PASSes, and a vector listing frame 1 is refused
    naming it.  Before issue 16 the reader copied frame 1 into a NULL
    arena (memcpy(NULL, ..., 0), reported by UBSan)."""
    segs = wl(two_segments(lambda t: eth(0x0800, ipv4(t))))
    capture = pcap(1, [(b"", 60)] + segs)
    vec = write_case(tmp_path, "caplen0", capture, frames=(2, 3))
    res = run_reference(vec)
    assert res.returncode == 0, res.stdout + res.stderr
    bad = write_case(tmp_path, "caplen0-used", capture, frames=(1, 2))
    res = subprocess.run([torc_bin(), "lint", str(bad)], capture_output=True,
                         text=True, timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "caplen0-used.cap: frame 1 is truncated" in out, out
