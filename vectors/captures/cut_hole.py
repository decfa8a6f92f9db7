#!/usr/bin/python3
"""cut_hole.py - make a capture with a hole that is never filled.

Where it sits: next to capture.sh, for torc's memory tests and benchmarks
(issue 15, docs/PERFORMANCE.md "Vectorizer memory").  A real capture has no
such hole: TCP retransmits what was lost.  This tool copies a pcap file,
leaving out every frame of one TCP direction that carries any byte of the
stream range [OFFSET, OFFSET + LEN) (offsets from the first byte after that
direction's SYN), so no copy of those bytes remains - not the original, not
a retransmission - while everything else, the receiver's ACKs past the hole
included, stays as captured.  The result is reproducible: the same input
and arguments give the same bytes.

  ./cut_hole.py IN.pcap OUT.pcap [--dport 5001] [--offset N] [--len N]

Defaults: dport 5001 (the receiver of capture.sh), offset 100000, len 1.
pcap files only (microsecond or nanosecond, either byte order), link types
Ethernet (with 802.1Q tags), raw IP, Linux SLL and SLL2; IPv4 and IPv6
(no extension headers).  Prints the frames it removed.  Exit status 0, 1
when no frame carried the range, 2 on a usage or format error.
"""
import argparse
import struct
import sys


def ip_of(link, data):
    """The IP packet of a frame, or None."""
    if link == 1:  # Ethernet
        off, et = 14, struct.unpack_from("!H", data, 12)[0]
        while et in (0x8100, 0x88A8) and len(data) >= off + 4:
            et = struct.unpack_from("!H", data, off + 2)[0]
            off += 4
    elif link == 101:  # raw IP
        return data
    elif link == 113:  # Linux SLL
        off, et = 16, struct.unpack_from("!H", data, 14)[0]
    elif link == 276:  # Linux SLL2
        off, et = 20, struct.unpack_from("!H", data, 0)[0]
    else:
        raise SystemExit("cut_hole.py: link type %d not supported" % link)
    return data[off:] if et in (0x0800, 0x86DD) else None


def tcp_of(ip):
    """(key, seq, flags, payload length) of a TCP segment, or None."""
    if len(ip) < 20:
        return None
    if ip[0] >> 4 == 4:
        ihl, total = (ip[0] & 15) * 4, struct.unpack_from("!H", ip, 2)[0]
        if ip[9] != 6:
            return None
        src, dst, tcp, end = ip[12:16], ip[16:20], ip[ihl:], total - ihl
    elif ip[0] >> 4 == 6 and len(ip) >= 40:
        if ip[6] != 6:
            return None
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:]
        end = struct.unpack_from("!H", ip, 4)[0]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack_from("!HHI", tcp, 0)
    hl = (tcp[12] >> 4) * 4
    return (src, dst, sport, dport), seq, tcp[13], max(0, end - hl)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--dport", type=int, default=5001)
    ap.add_argument("--offset", type=int, default=100000)
    ap.add_argument("--len", type=int, default=1)
    a = ap.parse_args()
    data = open(a.inp, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        en = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        en = ">"
    else:
        print("cut_hole.py: %s: not a pcap file" % a.inp, file=sys.stderr)
        return 2
    link = struct.unpack_from(en + "I", data, 20)[0] & 0x0FFFFFFF
    lo, hi = a.offset, a.offset + a.len
    base, pos, n, removed, out = {}, 24, 0, [], [data[:24]]
    while pos + 16 <= len(data):
        caplen = struct.unpack_from(en + "I", data, pos + 8)[0]
        rec = data[pos:pos + 16 + caplen]
        pos += 16 + caplen
        n += 1
        ip = ip_of(link, rec[16:])
        t = tcp_of(ip) if ip is not None else None
        if t and t[0][3] == a.dport:
            key, seq, flags, plen = t
            if flags & 0x02 and key not in base:
                base[key] = (seq + 1) & 0xFFFFFFFF
            elif key in base and plen > 0:
                start = (seq - base[key]) & 0xFFFFFFFF
                if start < hi and start + plen > lo:
                    removed.append(n)
                    continue
        out.append(rec)
    if pos != len(data):
        print("cut_hole.py: %s: truncated after frame %d" % (a.inp, n),
              file=sys.stderr)
        return 2
    open(a.out, "wb").write(b"".join(out))
    print("cut_hole.py: %s: removed %d of %d frames (stream bytes [%d, %d) "
          "of dport %d): %s" % (a.out, len(removed), n, lo, hi, a.dport,
                                " ".join(map(str, removed)) or "none"))
    return 0 if removed else 1


if __name__ == "__main__":
    sys.exit(main())
