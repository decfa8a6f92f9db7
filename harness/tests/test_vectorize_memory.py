"""test_vectorize_memory.py - `torc vectorize` on a capture with a hole that
is never filled (issue 15): the reassembler holds no more than the receive
window the receiver advertised plus its 64 KiB slack, then skips the hole
and says so, naming the frame; no offload point lies after the hole; and
the vectors, made from only their own frames read back by file offset,
pass when `torc run` loads them from the whole capture.

The capture is written here (raw IPv4, checksums zero): 10.0.0.1:40000 ->
10.0.0.2:5001, SYN (frame 1), SYN-ACK advertising a window of 1000 bytes
with no window scale (frame 2), then 1000-byte segments k = 0..99 carrying
stream bytes [1000k, 1000k + 1000), except k = 10, never sent: segment k is
frame 3 + k before the hole and frame 2 + k after it.  Held beyond the hole
after segment k > 10: 1000 (k - 10) bytes, over 1000 + 65536 first at
k = 77, frame 79.
"""
import re
import struct


def tcp_frame(src, dst, sport, dport, seq, ack, flags, win, pay=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0) + pay
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000,
                       64, 6, 0, bytes(src), bytes(dst)) + tcp


def capture(path):
    a, b = [10, 0, 0, 1], [10, 0, 0, 2]
    frames = [tcp_frame(a, b, 40000, 5001, 1000, 0, 0x02, 64240),
              tcp_frame(b, a, 5001, 40000, 7000, 1001, 0x12, 1000)]
    for k in range(100):
        if k == 10:
            continue  # the hole, never sent
        pay = bytes((1000 * k + i) * 7 % 251 for i in range(1000))
        frames.append(tcp_frame(a, b, 40000, 5001, 1001 + 1000 * k, 7001,
                                0x18, 64240, pay))
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)]
    for i, f in enumerate(frames):
        out.append(struct.pack("<IIII", i, 0, len(f), len(f)) + f)
    path.write_bytes(b"".join(out))


def test_hole_never_filled_is_cut_at_the_window_and_named(torc, tmp_path):
    cap = tmp_path / "hole.pcap"
    capture(cap)
    out = tmp_path / "out"
    r = torc("vectorize", cap, "-o", out, "--flows", "dport=5001",
             "--per-flow", "6")
    assert r.returncode == 0, r.stderr
    assert ("%s: flow 10.0.0.1:40000 -> 10.0.0.2:5001: 1 hole(s) never "
            "filled, the first 1000 bytes at stream offset 10000 skipped at "
            "frame 79 (held bytes beyond the receive window); no offload "
            "point after it" % cap) in r.stderr, r.stderr
    files = sorted(out.rglob("*.json"))
    assert files, r.stderr
    for f in files:
        note = f.read_text()
        m = re.search(r"offload after stream offset (\d+)", note)
        assert m and int(m.group(1)) <= 10000, (f, m and m.group(1))
    run = torc("run", "--target", "reference", "--vectors", out, "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr


def test_hole_at_the_end_is_named_without_a_frame(torc, tmp_path):
    """With fewer segments after the hole than the window allows, the hole
    is skipped only at the end of the capture."""
    cap = tmp_path / "hole.pcap"
    capture(cap)
    data = cap.read_bytes()
    # Keep the header and frames 1..20 (SYN, SYN-ACK, segments 0..9 and
    # 11..18): 8000 bytes held beyond the hole, under 1000 + 65536.
    off, n = 24, 0
    while n < 20:
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        off += 16 + caplen
        n += 1
    cap.write_bytes(data[:off])
    r = torc("vectorize", cap, "-o", tmp_path / "out", "--per-flow", "2")
    assert r.returncode == 0, r.stderr
    assert ("1 hole(s) never filled, the first 1000 bytes at stream offset "
            "10000 (at the end of the capture); no offload point after it"
            in r.stderr), r.stderr
