#!/usr/bin/python3
"""make_seeds.py -- seed corpora for torc's libFuzzer targets.

Where it sits: fuzz/module.mk runs it before `make fuzz` / `make fuzz-smoke`.
It cuts the committed captures (vectors/captures) into small pieces:
  OUT/capture_parse/  one frame each, prefixed by the link-type selector
                      byte fuzz_capture_parse.c expects, and a 0 byte
  OUT/flow/           small pcap files (the file header plus a few records),
                      and the first blocks of each pcapng file
and copies the hand-written vectors (vectors/handwritten/*.json) to
  OUT/vector/
Stdlib only.  Usage: make_seeds.py OUT CAPTURE_DIR VECTOR_DIR
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


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    out, capdir, vecdir = sys.argv[1:4]
    for sub in ("capture_parse", "flow", "vector"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
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
