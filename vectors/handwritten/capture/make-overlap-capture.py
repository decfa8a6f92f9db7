#!/usr/bin/python3
"""Writes v4-overlap-retransmit.pcap: a synthetic capture (no live network
needed) of one flow 10.99.0.1:55518 -> 10.99.0.2:5001 whose payload byte at
stream offset k is (k * 7 + 3) & 0xff, ISN 853471009 (first data byte at
seq ISN).  Frames (Ethernet, IPv4, TCP with valid checksums, ACK|PSH):
  1  [0, 100)     2  [100, 300)    3  [50, 200) a repacketized
  retransmission overlapping both     4  [300, 400)
Deterministic: running it again gives the same bytes (fixed timestamps).
Usage: make-overlap-capture.py [OUT]"""
import struct
import sys

ISN = 853471009
SRC, DST = bytes([10, 99, 0, 1]), bytes([10, 99, 0, 2])
SPORT, DPORT = 55518, 5001
SEGMENTS = [(0, 100), (100, 300), (50, 200), (300, 400)]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(start, end):
    payload = bytes(((k * 7 + 3) & 0xFF) for k in range(start, end))
    tcp = struct.pack("!HHIIBBHHH", SPORT, DPORT, (ISN + start) & 0xFFFFFFFF,
                      4025475310, 5 << 4, 0x18, 65535, 0, 0) + payload
    pseudo = SRC + DST + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, SRC, DST)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ip + tcp


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "v4-overlap-retransmit.pcap"
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (s, e) in enumerate(SEGMENTS):
            fr = frame(s, e)
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(fr),
                                len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
