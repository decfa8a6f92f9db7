#!/usr/bin/python3
"""manifest.py -- verify a torc capture and keep MANIFEST.tsv up to date.

Where it sits: capture.sh calls `manifest.py verify FILE ...` on every file
it writes.  The check reads the file with tshark and confirms the TCP flow to
the receiver port has a full 3-way handshake, data, and a FIN from both
sides, that the receiver-direction payload reassembles to exactly the
expected tcp_peer.py stream, and counts what the impairments produced
(retransmissions, out-of-order segments, exact duplicate frames, zero
windows).  With --record it upserts the file's row in MANIFEST.tsv (one row
per committed capture; make-all.sh re-runs the `command` column).

  manifest.py verify FILE --seed S --bytes N [--port P] [--record MANIFEST.tsv
                     --command CMD --meta key=value ...]
  manifest.py check [MANIFEST.tsv]   re-verify sha256/size of every listed file

Exit status: 0 ok, 1 a check failed, 2 usage.  Stdlib + tshark.
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True     # keep the capture folder free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_peer import stream_bytes  # noqa: E402

COLUMNS = ["file", "command", "link_type", "family", "mtu", "bytes", "write_pattern",
           "impairments", "seed", "kernel", "tcpdump", "sha256", "size_bytes", "frames",
           "tcp_frames", "data_segments", "push_segments", "handshake", "fin", "stream_ok",
           "retransmissions", "fast_retransmissions", "spurious_retransmissions",
           "out_of_order", "exact_duplicates", "zero_window", "zero_window_probes",
           "dropped_by_kernel"]
LINKTYPES = {1: "EN10MB", 101: "RAW", 113: "LINUX_SLL", 276: "LINUX_SLL2", 0: "NULL"}


def link_type(path):
    with open(path, "rb") as f:
        head = f.read(64)
    magic = head[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        lt = struct.unpack_from("<I", head, 20)[0]
        fmt = "pcap"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        lt = struct.unpack_from(">I", head, 20)[0]
        fmt = "pcap"
    elif magic == b"\x0a\x0d\x0d\x0a":
        bo = "<" if head[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        shb_len = struct.unpack_from(bo + "I", head, 4)[0]
        with open(path, "rb") as f:
            f.seek(shb_len)
            idb = f.read(16)
        assert struct.unpack_from(bo + "I", idb, 0)[0] == 1, "first block after SHB is not an IDB"
        lt = struct.unpack_from(bo + "H", idb, 8)[0]
        fmt = "pcapng"
    else:
        raise ValueError("%s: not a pcap/pcapng file" % path)
    return "%s/%s" % (fmt, LINKTYPES.get(lt, str(lt)))


def tshark(path, display_filter, fields):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=f"]
    if display_filter:
        cmd += ["-Y", display_filter]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def frames_matching(path, flt):
    return {int(r[0]) for r in tshark(path, flt, ["frame.number"])}


def verify(path, port, seed, nbytes):
    res = {}
    res["frames"] = len(tshark(path, None, ["frame.number"]))
    fields = ["frame.number", "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack",
              "tcp.flags.fin", "tcp.flags.reset", "tcp.flags.push", "tcp.seq_raw", "tcp.len",
              "ip.id", "tcp.checksum", "tcp.options.timestamp.tsval", "tcp.payload",
              "ip.src", "ipv6.src"]
    rows = tshark(path, "tcp.port == %d" % port, fields)
    res["tcp_frames"] = len(rows)
    syn = synack = ack3 = fin_in = fin_out = False
    isn = None
    data = push = 0
    seen, dups = set(), 0
    buf = bytearray(nbytes)
    have = bytearray(nbytes)     # 1 where a byte was seen
    conflict = False
    for r in rows:
        r += [""] * (len(fields) - len(r))
        (num, sp, dp, fsyn, fack, ffin, frst, fpsh, seq, ln, ipid, csum, tsval, payload,
         src4, src6) = r
        inbound = int(dp) == port
        seq, ln = int(seq), int(ln or 0)
        if fsyn == "1" and fack == "0" and inbound:
            syn, isn = True, seq
        elif fsyn == "1" and fack == "1" and not inbound and syn:
            synack = True
        elif inbound and synack and fack == "1" and fsyn == "0":
            ack3 = True
        if ffin == "1":
            if inbound:
                fin_in = True
            else:
                fin_out = True
        if not inbound or ln == 0:
            continue
        data += 1
        push += fpsh == "1"
        key = (src4 or src6, sp, seq, ln, ipid, csum, tsval)
        if key in seen:
            dups += 1
        seen.add(key)
        if isn is None:
            continue
        raw = bytes.fromhex(payload.replace(":", ""))
        off = (seq - isn - 1) & 0xFFFFFFFF
        for i, b in enumerate(raw[: max(0, nbytes - off)]):
            if have[off + i] and buf[off + i] != b:
                conflict = True
            buf[off + i] = b
            have[off + i] = 1
    res["data_segments"] = data
    res["push_segments"] = push
    res["handshake"] = "yes" if (syn and synack and ack3) else "no"
    res["fin"] = "both" if (fin_in and fin_out) else ("sender" if fin_in else ("receiver" if fin_out else "none"))
    full = all(have) and not conflict
    res["stream_ok"] = "yes" if full and bytes(buf) == stream_bytes(seed, nbytes) else "no"
    p = "tcp.port == %d && " % port
    res["retransmissions"] = len(frames_matching(path, p + "tcp.analysis.retransmission"))
    res["fast_retransmissions"] = len(frames_matching(path, p + "tcp.analysis.fast_retransmission"))
    res["spurious_retransmissions"] = len(frames_matching(path, p + "tcp.analysis.spurious_retransmission"))
    res["out_of_order"] = len(frames_matching(path, p + "tcp.analysis.out_of_order"))
    res["exact_duplicates"] = dups
    res["zero_window"] = len(frames_matching(path, p + "tcp.analysis.zero_window"))
    res["zero_window_probes"] = len(frames_matching(path, p + "tcp.analysis.zero_window_probe"))
    return res


def read_manifest(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            lines = f.read().splitlines()
        header = lines[0].split("\t")
        for line in lines[1:]:
            if line.strip():
                rows.append(dict(zip(header, line.split("\t"))))
    return rows


def write_manifest(path, rows):
    rows.sort(key=lambda r: r["file"])
    with open(path + ".tmp", "w") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(str(r.get(c, "")) for c in COLUMNS) + "\n")
    os.replace(path + ".tmp", path)


def expectations(impairments, res):
    """Problems: an impairment that left no trace in the capture."""
    probs = []
    if res["handshake"] != "yes":
        probs.append("no complete 3-way handshake")
    if res["fin"] != "both":
        probs.append("FIN missing (fin=%s)" % res["fin"])
    if res["data_segments"] == 0:
        probs.append("no data segments")
    if res["stream_ok"] != "yes":
        probs.append("receiver-direction payload does not reassemble to the expected stream")
    if ("loss=" in impairments or "relay-drop=" in impairments) and res["retransmissions"] == 0:
        probs.append("loss requested but no retransmissions")
    if ("reorder=" in impairments or "jitter=" in impairments) and res["out_of_order"] == 0:
        probs.append("reordering requested but no out-of-order segments")
    if "dup=" in impairments and res["exact_duplicates"] == 0:
        probs.append("duplication requested but no duplicate frames")
    return probs


def cmd_verify(a):
    meta = dict(m.split("=", 1) for m in a.meta)
    res = verify(a.file, a.port, a.seed, a.bytes)
    with open(a.file, "rb") as f:
        blob = f.read()
    res.update(file=os.path.basename(a.file), link_type=link_type(a.file),
               sha256=hashlib.sha256(blob).hexdigest(), size_bytes=len(blob))
    print("%s: %s" % (res["file"], " ".join("%s=%s" % (k, res[k]) for k in COLUMNS if k in res
                                            and k not in ("file", "sha256"))))
    probs = expectations(meta.get("impairments", ""), res)
    for pr in probs:
        print("%s: CHECK FAILED: %s" % (a.file, pr), file=sys.stderr)
    if a.record and not probs:
        if os.path.dirname(os.path.abspath(a.file)) != os.path.dirname(os.path.abspath(a.record)):
            print("manifest.py: --record: the capture must sit next to the manifest", file=sys.stderr)
            return 2
        row = dict(meta)
        row.update(res)
        row["command"] = a.command
        rows = [r for r in read_manifest(a.record) if r["file"] != row["file"]]
        rows.append(row)
        write_manifest(a.record, rows)
        print("recorded in %s" % a.record)
    return 1 if probs else 0


def cmd_check(a):
    base = os.path.dirname(os.path.abspath(a.manifest))
    bad = 0
    for r in read_manifest(a.manifest):
        p = os.path.join(base, r["file"])
        if not os.path.exists(p):
            print("MISSING %s" % r["file"]); bad += 1; continue
        with open(p, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        ok = h == r["sha256"]
        bad += not ok
        print("%s %s" % ("ok      " if ok else "CHANGED ", r["file"]))
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify")
    v.add_argument("file")
    v.add_argument("--port", type=int, default=5001)
    v.add_argument("--seed", type=int, required=True)
    v.add_argument("--bytes", type=int, required=True)
    v.add_argument("--record", metavar="MANIFEST")
    v.add_argument("--command", default="")
    v.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    c = sub.add_parser("check")
    c.add_argument("manifest", nargs="?",
                   default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "MANIFEST.tsv"))
    a = p.parse_args()
    return cmd_verify(a) if a.cmd == "verify" else cmd_check(a)


if __name__ == "__main__":
    sys.exit(main())
