#!/usr/bin/python3
"""make_seeds.py -- seed corpora for torc's libFuzzer targets.

Where it sits: fuzz/module.mk runs it before `make fuzz` / `make fuzz-smoke`.
It cuts the committed captures (vectors/captures) into small pieces:
  OUT/capture_parse/  one frame each, prefixed by the link-type selector
                      byte fuzz_capture_parse.c expects, and a 0 byte
  OUT/flow/           small pcap files (the file header plus a few records),
                      and the first blocks of each pcapng file
copies the hand-written vectors (vectors/handwritten/*.json) to
  OUT/vector/
builds what a well-behaved exec: target sends while the host waits on an
operation (docs/wire-protocol.md; the input of fuzz_wire_peer.c: the
selector byte of the first operation, then length-prefixed messages) into
  OUT/wire_peer/
and copies the committed seeds SEED_DIR/<name>/* (results documents,
waiver files) to OUT/<name>/.
Stdlib only.  Usage: make_seeds.py OUT CAPTURE_DIR VECTOR_DIR [SEED_DIR]
"""
import os
import struct
import sys

# fuzz_capture_parse.c's table: EN10MB, LINUX_SLL, LINUX_SLL2, RAW, ...
SELECTOR = {1: 0, 113: 1, 276: 2, 101: 3}
FRAMES_PER_PCAP = 6
PARSE_SEEDS_PER_FILE = 12


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return None
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    records, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        records.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], linktype, records


def pcapng_head(path, nblocks):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    end = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    off = 0
    for _ in range(nblocks):
        if off + 12 > len(data):
            break
        off += struct.unpack(end + "I", data[off + 4:off + 8])[0]
    return data[:off]


# ---- Wire messages (torc_wire.h) -------------------------------------------
# fuzz_wire_peer.c's operations, by selector byte.
CALLS = {"HELLO": 0, "CONN_OPEN": 1, "RECEIVE": 2, "SEGMENT": 3,
         "GET_STATS": 4, "RESET": 5, "ADVANCE_TIME": 6, "TERMINATE": 7}
OP_TYPE = {"HELLO": 0x01, "CONN_OPEN": 0x11, "RECEIVE": 0x14,
           "SEGMENT": 0x16, "GET_STATS": 0x19, "RESET": 0x1A,
           "ADVANCE_TIME": 0x17, "TERMINATE": 0x18}
RET = 0x40


def msg(*parts):
    body = b"".join(parts)
    return struct.pack("<I", len(body)) + body


def u8(v):
    return struct.pack("<B", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def wstr(s):
    return u32(len(s)) + s


def ret(call, *fields):
    return msg(u8(RET), u8(OP_TYPE[call]), *fields)


def wire_seeds():
    hello = ret("HELLO", u8(1), struct.pack("<H", 1), u32(1), u32(128),
                u64(0xFFF), wstr(b"seed"), wstr(b"1.0"))
    hello_limits = ret("HELLO", u8(1), struct.pack("<H", 1), u32(1), u32(136),
                       u64(0xFFF), wstr(b"seed"), wstr(b"1.0"), u32(65535),
                       u32(4096))
    refused = ret("HELLO", u8(0), wstr(b"no such device"))
    complete = msg(u8(0x34), u64(1), u32(2),
                   u64(1), u32(0), u32(5), wstr(b"hello"),
                   u64(2), u32(0), u32(300), wstr(bytes(range(256)) + b"x" * 44))
    indicate = msg(u8(0x35), u64(1), u64(3), u32(0), u32(2),
                   wstr(b"abc"), wstr(b"defgh"))
    chain = u32(2) + u32(1) + wstr(b"buffered") + u32(2) + wstr(b"a") + \
        wstr(b"")
    terminate = msg(u8(0x37), u64(1), u32(0), u8(1), u32(1000), u32(65535),
                    u64(3), chain)
    return {
        "hello": u8(CALLS["HELLO"]) + hello + ret("CONN_OPEN", u32(0), u64(7)),
        "hello-limits": u8(CALLS["HELLO"]) + hello_limits,
        "hello-refused": u8(CALLS["HELLO"]) + refused,
        "receive": u8(CALLS["RECEIVE"]) +
        msg(u8(0x30), u64(64)) +
        msg(u8(0x32), u32(1), wstr(b"allocated")) + complete +
        msg(u8(0x31), u64(1)) + ret("RECEIVE", u32(0x103)),
        "segment": u8(CALLS["SEGMENT"]) + indicate +
        msg(u8(0x36), u64(1), u32(1), u32(0)) +
        msg(u8(0x33), u64(1), u32(0)) + ret("SEGMENT") +
        ret("GET_STATS", u32(0), bytes(40)),
        "terminate": u8(CALLS["TERMINATE"]) + terminate + ret("TERMINATE"),
        "reset": u8(CALLS["RESET"]) + ret("RESET", u32(0xFFFFFFFF),
                                          wstr(b"cannot reset")),
    }


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    out, capdir, vecdir = sys.argv[1:4]
    seeddir = sys.argv[4] if len(sys.argv) > 4 else None
    for sub in ("capture_parse", "flow", "vector", "wire_peer"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for name, data in sorted(wire_seeds().items()):
        write(os.path.join(out, "wire_peer", name), data)
    if seeddir and os.path.isdir(seeddir):
        for sub in sorted(os.listdir(seeddir)):
            src = os.path.join(seeddir, sub)
            if not os.path.isdir(src):
                continue
            os.makedirs(os.path.join(out, sub), exist_ok=True)
            for name in sorted(os.listdir(src)):
                with open(os.path.join(src, name), "rb") as f:
                    write(os.path.join(out, sub, name), f.read())
    for name in sorted(os.listdir(capdir)):
        path = os.path.join(capdir, name)
        stem = os.path.splitext(name)[0]
        if name.endswith(".pcapng"):
            head = pcapng_head(path, 2 + FRAMES_PER_PCAP)
            if head:
                write(os.path.join(out, "flow", stem + "-head.pcapng"), head)
            continue
        if not name.endswith(".pcap"):
            continue
        parsed = read_pcap(path)
        if parsed is None:
            continue
        header, linktype, records = parsed
        sel = SELECTOR.get(linktype)
        if sel is not None:
            for i, rec in enumerate(records[:PARSE_SEEDS_PER_FILE]):
                write(os.path.join(out, "capture_parse", "%s-%03d" % (stem, i)),
                      bytes([sel, 0]) + rec[16:])
        # the handshake, the middle and the end of each capture
        n = len(records)
        for label, start in (("start", 0), ("mid", n // 2),
                             ("end", max(0, n - FRAMES_PER_PCAP))):
            chunk = records[start:start + FRAMES_PER_PCAP]
            write(os.path.join(out, "flow", "%s-%s.pcap" % (stem, label)),
                  header + b"".join(chunk))
    if os.path.isdir(vecdir):
        for name in sorted(os.listdir(vecdir)):
            if name.endswith(".json"):
                with open(os.path.join(vecdir, name), "rb") as f:
                    write(os.path.join(out, "vector", name), f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
