#!/usr/bin/python3
"""tcp_peer.py -- the two TCP endpoints of a torc capture.

Where it sits: capture.sh starts `tcp_peer.py recv` in the receiver network
namespace and `tcp_peer.py send` in the sender namespace; tcpdump records the
traffic between them.  The sender writes a deterministic byte stream with a
chosen write pattern (which shapes PSH boundaries and segment sizes); the
receiver reads it all, optionally slowly (to close and reopen the window),
and checks the SHA-256 of what it got against the expected stream.

The stream is defined so that any language can regenerate it:
    block i (32 bytes) = SHA-256( seed as 8-byte little endian || i as 8-byte little endian )
    stream = block 0 || block 1 || ... truncated to N bytes
Write sizes for the 'random' pattern come from Python's random.Random(seed);
they are not part of the stream definition (the capture records them anyway).

Stdlib only.  Exit status: 0 ok, 1 stream mismatch / short, 2 usage.
"""
import argparse
import hashlib
import random
import socket
import struct
import sys
import time

PORT = 5001


def stream_bytes(seed, n):
    """The deterministic byte stream (see module docstring)."""
    out = bytearray()
    prefix = struct.pack("<Q", seed & 0xFFFFFFFFFFFFFFFF)
    i = 0
    while len(out) < n:
        out += hashlib.sha256(prefix + struct.pack("<Q", i)).digest()
        i += 1
    return bytes(out[:n])


def write_sizes(pattern, n, seed, chunk, max_chunk):
    """Sizes of the successive send() calls for a write pattern."""
    if pattern == "bulk":
        return [n]
    if pattern == "small":
        sizes = [chunk] * (n // chunk)
        if n % chunk:
            sizes.append(n % chunk)
        return sizes
    if pattern == "random":
        rng = random.Random(seed ^ 0x5EED)
        sizes, left = [], n
        while left:
            # mostly small-to-medium writes, sometimes a big one
            s = rng.randint(1, max_chunk) if rng.random() < 0.8 else rng.randint(1, 64)
            s = min(s, left)
            sizes.append(s)
            left -= s
        return sizes
    raise ValueError(pattern)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def do_send(a):
    data = stream_bytes(a.seed, a.bytes)
    sizes = write_sizes(a.pattern, a.bytes, a.seed, a.chunk, a.max_chunk)
    gap_rng = random.Random(a.seed ^ 0x6A9)
    s = socket.socket(family_of(a.host), socket.SOCK_STREAM)
    if a.nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    deadline = time.monotonic() + 10
    while True:
        try:
            s.connect((a.host, a.port))
            break
        except (ConnectionRefusedError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    off = 0
    urg_next = a.urgent_every if a.urgent_every else None
    nurg = 0
    for sz in sizes:
        chunk = data[off:off + sz]
        # --urgent-every N: the byte at each multiple of N of the stream goes
        # out alone with MSG_OOB (TCP urgent data, URG set; the receiver keeps
        # it inline, so the stream and its hash are unchanged).
        while urg_next is not None and off <= urg_next < off + len(chunk):
            k = urg_next - off
            if k:
                s.sendall(chunk[:k])
            s.send(chunk[k:k + 1], socket.MSG_OOB)
            nurg += 1
            chunk = chunk[k + 1:]
            off = urg_next + 1
            urg_next += a.urgent_every
        if chunk:
            s.sendall(chunk)
        off += len(chunk)
        if a.gap_ms and (a.pattern != "random" or gap_rng.random() < 0.1):
            time.sleep(a.gap_ms / 1000.0 * (gap_rng.random() if a.pattern == "random" else 1))
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):          # wait for the receiver's FIN
        pass
    s.close()
    print("sender: %d bytes in %d writes (pattern=%s nodelay=%d urgent=%d)"
          % (off, len(sizes), a.pattern, a.nodelay, nurg), file=sys.stderr)
    return 0


def do_recv(a):
    fam = family_of(a.bind)
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    # Urgent bytes (sender's --urgent-every) stay in the normal stream.
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
    ls.bind((a.bind, a.port))
    ls.listen(1)
    print("READY", flush=True)
    c, peer = ls.accept()
    ls.close()
    h = hashlib.sha256()
    got = 0
    next_sleep = a.sleep_every
    while True:
        b = c.recv(a.read_size)
        if not b:
            break
        h.update(b)
        got += len(b)
        if a.sleep_every and got >= next_sleep:
            time.sleep(a.sleep_ms / 1000.0)
            next_sleep += a.sleep_every
    c.close()
    want = hashlib.sha256(stream_bytes(a.seed, a.bytes)).hexdigest()
    ok = got == a.bytes and h.hexdigest() == want
    print("receiver: %d bytes from %s, sha256 %s (%s)"
          % (got, peer[0], h.hexdigest(), "ok" if ok else "MISMATCH, want %s" % want),
          file=sys.stderr)
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("send", "recv"):
        q = sub.add_parser(name)
        q.add_argument("--bytes", type=int, required=True)
        q.add_argument("--seed", type=int, default=1)
        q.add_argument("--port", type=int, default=PORT)
    snd, rcv = sub.choices["send"], sub.choices["recv"]
    snd.add_argument("--host", required=True)
    snd.add_argument("--pattern", choices=("bulk", "small", "random"), default="bulk")
    snd.add_argument("--chunk", type=int, default=100, help="write size for 'small'")
    snd.add_argument("--max-chunk", type=int, default=16384, help="largest write for 'random'")
    snd.add_argument("--gap-ms", type=float, default=0.0,
                     help="sleep between writes ('random': random sleeps on ~10%% of writes)")
    snd.add_argument("--nodelay", action="store_true", help="set TCP_NODELAY")
    snd.add_argument("--sndbuf", type=int, default=0)
    snd.add_argument("--urgent-every", type=int, default=0,
                     help="send the byte at every multiple of N with MSG_OOB (URG)")
    rcv.add_argument("--bind", required=True)
    rcv.add_argument("--rcvbuf", type=int, default=0, help="SO_RCVBUF (small -> window closes)")
    rcv.add_argument("--read-size", type=int, default=65536)
    rcv.add_argument("--sleep-every", type=int, default=0, help="sleep after every N bytes read")
    rcv.add_argument("--sleep-ms", type=float, default=0.0)
    a = p.parse_args()
    return do_send(a) if a.cmd == "send" else do_recv(a)


if __name__ == "__main__":
    sys.exit(main())
