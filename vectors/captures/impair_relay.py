#!/usr/bin/python3
"""impair_relay.py -- torc's own packet relay with reordering, duplication and delay.

Where it sits: the test kernel has no netem, so capture.sh puts a middle
network namespace between sender and receiver and runs this relay there.  It
is the only thing that forwards between the two sides (the middle namespace
has no addresses and forwarding is off).  Frames from the sender side ("a")
go to the receiver side ("b") and back, in both directions; tcpdump on the
receiver's interface then records what the receiver really got.

Two back-ends:
  packet  AF_PACKET raw sockets on two interfaces of the current namespace
          (an L2 relay, frames forwarded unchanged, ARP/NDP included).
          Optional --mirror IF: every frame delivered to or received from
          side b is also copied to IF with an 802.1Q tag (--mirror-vlan),
          like a switch's SPAN port onto a VLAN trunk.
  tun     creates two tun devices (IFF_TUN|IFF_NO_PI), one in each named
          network namespace, and relays IP packets between them.  A capture
          on a tun device is DLT_RAW (LINKTYPE_RAW, raw IP, no link header).

Impairments apply only to a->b frames that carry TCP payload (handshake, FIN
and ACKs are never impaired), decided by random.Random(--seed):
  --drop P     drop P per mille of them
  --reorder P  hold P per mille back and send them after the next frame
  --dup P      send P per mille twice
  --jitter MS  add a random 0..MS ms extra delay to each (reorders them)
  --delay MS   constant extra delay for every frame, both directions
Counters are printed on SIGTERM/SIGINT.  Stdlib only (ctypes for setns).
"""
import argparse
import ctypes
import errno
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000


def tcp_payload_len(frame, l2):
    """TCP payload length of an Ethernet (l2=True) or raw IP frame, or -1."""
    off = 0
    if l2:
        if len(frame) < 14:
            return -1
        etype = struct.unpack_from("!H", frame, 12)[0]
        off = 14
        if etype == 0x8100 and len(frame) >= 18:
            etype = struct.unpack_from("!H", frame, 16)[0]
            off = 18
        if etype not in (0x0800, 0x86DD):
            return -1
    if len(frame) < off + 20:
        return -1
    ver = frame[off] >> 4
    if ver == 4:
        ihl = (frame[off] & 0x0F) * 4
        if frame[off + 9] != 6:
            return -1
        total = struct.unpack_from("!H", frame, off + 2)[0]
        tcp = off + ihl
        iplen = total - ihl
    elif ver == 6:
        if len(frame) < off + 40 or frame[off + 6] != 6:
            return -1        # no extension headers expected in our traffic
        iplen = struct.unpack_from("!H", frame, off + 4)[0]
        tcp = off + 40
    else:
        return -1
    if len(frame) < tcp + 13:
        return -1
    doff = (frame[tcp + 12] >> 4) * 4
    return iplen - doff


class PacketPort:
    """One side of the L2 relay: an AF_PACKET socket bound to an interface."""
    l2 = True

    def __init__(self, ifname):
        self.name = ifname
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:   # a big receive buffer: bursts from the sender must not overflow it
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)   # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        try:   # never see our own transmissions (Linux >= 4.20) ...
            self.sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        except OSError:
            pass   # ... and the pkttype check in recv() covers older kernels
        self.sock.bind((ifname, ETH_P_ALL))
        ifindex = socket.if_nametoindex(ifname)
        mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
        self.sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)

    def fileno(self):
        return self.sock.fileno()

    def recv(self):
        data, addr = self.sock.recvfrom(65536)
        if addr[2] == PACKET_OUTGOING:
            return None
        return data

    def send(self, frame):
        self.sock.send(frame)


def setns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns(%s): %s" % (name, os.strerror(e)))
    os.close(fd)


class TunPort:
    """One side of the L3 relay: a tun device created inside a named netns."""
    l2 = False

    def __init__(self, ifname, netns):
        self.name = ifname
        if netns:
            setns(netns)
        self.fd = os.open("/dev/net/tun", os.O_RDWR)
        fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TUN | IFF_NO_PI))

    def fileno(self):
        return self.fd

    def recv(self):
        return os.read(self.fd, 65536)

    def send(self, frame):
        try:
            os.write(self.fd, frame)
        except OSError as e:
            if e.errno != errno.EIO:      # EIO: the device is not up yet (start-up noise)
                raise


def vlan_tag(frame, vid, pcp=0):
    if len(frame) < 14:
        return frame
    return frame[:12] + struct.pack("!HH", 0x8100, (pcp << 13) | vid) + frame[12:]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=("packet", "tun"), default="packet")
    p.add_argument("--a", required=True, help="sender-side interface (tun: name to create)")
    p.add_argument("--b", required=True, help="receiver-side interface (tun: name to create)")
    p.add_argument("--netns-a", help="tun mode: netns in which to create --a")
    p.add_argument("--netns-b", help="tun mode: netns in which to create --b")
    p.add_argument("--mirror", help="packet mode: copy side-b traffic to this interface")
    p.add_argument("--mirror-vlan", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--drop", type=int, default=0, metavar="PERMILLE")
    p.add_argument("--reorder", type=int, default=0, metavar="PERMILLE")
    p.add_argument("--dup", type=int, default=0, metavar="PERMILLE")
    p.add_argument("--delay", type=float, default=0.0, metavar="MS")
    p.add_argument("--jitter", type=float, default=0.0, metavar="MS")
    p.add_argument("--ready-file", help="touch this file once the relay is up")
    a = p.parse_args()

    if a.mode == "packet":
        pa, pb = PacketPort(a.a), PacketPort(a.b)
    else:
        pa, pb = TunPort(a.a, a.netns_a), TunPort(a.b, a.netns_b)
    mirror = PacketPort(a.mirror) if a.mirror else None
    rng = random.Random(a.seed)
    stats = dict(ab=0, ba=0, eligible=0, dropped=0, reordered=0, duplicated=0, jittered=0)

    heap = []          # (due time, sequence, port, frame)
    seq = [0]
    held = [None]      # a->b frame held back for reordering: (frame, flush deadline)

    def emit(port, frame, due):
        seq[0] += 1
        heapq.heappush(heap, (due, seq[0], port, frame))

    def stop(_sig, _frm):
        print("relay: " + " ".join("%s=%d" % kv for kv in stats.items()), file=sys.stderr, flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if a.ready_file:
        open(a.ready_file, "w").close()
    delay = a.delay / 1000.0
    while True:
        now = time.monotonic()
        timeout = 0.5
        if heap:
            timeout = max(0.0, heap[0][0] - now)
        if held[0]:
            timeout = min(timeout, max(0.0, held[0][1] - now))
        r, _, _ = select.select([pa, pb], [], [], timeout)
        now = time.monotonic()
        for src in r:
            frame = src.recv()
            if frame is None:
                continue
            if src is pb:
                stats["ba"] += 1
                emit(pa, frame, now + delay)
                if mirror:
                    emit(mirror, vlan_tag(frame, a.mirror_vlan), now)
                continue
            stats["ab"] += 1
            due = now + delay
            if tcp_payload_len(frame, pa.l2) <= 0:
                emit(pb, frame, due)
                continue
            stats["eligible"] += 1
            if a.drop and rng.randrange(1000) < a.drop:
                stats["dropped"] += 1
                continue
            if a.jitter:
                due += rng.uniform(0, a.jitter) / 1000.0
                stats["jittered"] += 1
            copies = 1
            if a.dup and rng.randrange(1000) < a.dup:
                copies = 2
                stats["duplicated"] += 1
            if a.reorder and held[0] is None and rng.randrange(1000) < a.reorder:
                held[0] = (frame, now + 0.05 + delay, copies)
                stats["reordered"] += 1
                continue
            for _ in range(copies):
                emit(pb, frame, due)
            if held[0]:        # the held frame goes right after this one
                f, _, c = held[0]
                held[0] = None
                for _ in range(c):
                    emit(pb, f, due)
        if held[0] and now >= held[0][1]:      # nothing came after it: flush
            f, _, c = held[0]
            held[0] = None
            for _ in range(c):
                emit(pb, f, now)
        while heap and heap[0][0] <= now:
            _, _, port, frame = heapq.heappop(heap)
            try:
                port.send(frame)
                if mirror and port is pb:
                    mirror.send(vlan_tag(frame, a.mirror_vlan))
            except OSError as e:
                print("relay: send on %s: %s" % (port.name, e), file=sys.stderr)


if __name__ == "__main__":
    main()
