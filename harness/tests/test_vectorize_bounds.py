"""test_vectorize_bounds.py - `torc vectorize` on a capture of many flows
(issue 16): its memory does not grow with the flows --flows leaves out, and
a capture of more directions than the reassembler may hold at once
(VZ_MAX_DIRS, 65536, vectors/vectorizer/torc_vectorize_int.h) is refused
with a message saying so.

The capture is written here: 70,000 flows of one frame each (raw IPv4,
10.a.b.c:1024+(i mod 60000) -> 10.255.0.1:80, 10 payload bytes with PSH),
4.6 MB.  Before issue 16 the vectorizer kept about 7 KiB for every
direction, over 450 MiB here, and failed under the 256 MiB address-space
limit used below; now only the selected flow (and its reverse) is
reassembled.
"""
import json
import resource
import struct

from conftest import ROOT

LIMIT = 256 << 20


def capture(path, n):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)]
    pay = b"0123456789"
    for i in range(n):
        src = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        tcp = struct.pack("!HHIIBBHHH", 1024 + i % 60000, 80, 1000, 1,
                          5 << 4, 0x18, 65535, 0, 0) + pay
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000,
                         64, 6, 0, src, bytes([10, 255, 0, 1])) + tcp
        out.append(struct.pack("<IIII", i, 0, len(ip), len(ip)) + ip)
    path.write_bytes(b"".join(out))


def limited(cmd, torc):
    """torc run from the repository root (its catalogue) under LIMIT."""
    import subprocess

    def pre():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))
    return subprocess.run([str(torc.bin)] + cmd, cwd=str(ROOT),
                          preexec_fn=pre, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)


def test_one_flow_of_70000_in_bounded_memory(torc, tmp_path):
    cap = tmp_path / "many.pcap"
    capture(cap, 70000)
    out = tmp_path / "out"
    # Flow i = 5: 10.0.0.5:1029 -> 10.255.0.1:80.
    r = limited(["vectorize", str(cap), "-o", str(out), "--flows",
                 "src=10.0.0.5,sport=1029", "--per-flow", "2"], torc)
    assert r.returncode == 0, r.stderr
    assert "many.pcap: 1 flows, 2 vectors" in r.stderr, r.stderr
    files = sorted(out.rglob("*.json"))
    assert len(files) == 2
    for f in files:
        flow = json.loads(f.read_text())["provenance"]["flow"]
        assert flow == {"src": "10.0.0.5", "dst": "10.255.0.1",
                        "sport": 1029, "dport": 80}, f


def test_more_directions_than_the_bound_is_refused(torc, tmp_path):
    cap = tmp_path / "many.pcap"
    capture(cap, 70000)
    out = tmp_path / "out"
    r = limited(["vectorize", str(cap), "-o", str(out)], torc)
    assert r.returncode == 2, r.stderr
    # Frame 65537 opens direction 65537.
    assert "%s: frame 65537: more TCP directions at once than the " \
        "reassembler may hold" % cap in r.stderr, r.stderr
    assert "more than 65536 TCP directions at once; choose flows with " \
        "--flows" in r.stderr, r.stderr
    assert not out.exists()
