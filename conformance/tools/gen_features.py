#!/usr/bin/python3
"""gen_features.py - the catalogue's feature map as a C table.

Sits between the catalogue and the harness: conformance/catalogue.json says,
for each TORC_CAP_* feature and each target operation, whether the
specification makes it mandatory and by which requirements.  The engine
needs that at run time (a missing mandatory feature is a FAIL citing the
requirement; a missing testability hook is UNTESTED), the results and the
report name it; this script turns the data into the rows that
harness/results/torc_features.c compiles, so the catalogue stays the one
place it is written.  Run by harness/module.mk.

Usage: gen_features.py catalogue.json OUT.h
Exit status 0, or 1 with "FILE: $.features[i].member: problem" on stderr.
"""
import json
import re
import sys

OPS = ("conn_open", "conn_close", "initiate_offload", "receive",
       "receive_return", "segment", "advance_time", "terminate_offload")


def c_string(s):
    if not re.fullmatch(r"[ -~]*", s) or '"' in s or "\\" in s:
        raise ValueError("not plain printable ASCII: %r" % s)
    return '"%s"' % s


def rows(path, doc):
    ids = {r["id"] for r in doc.get("requirements", [])}
    out = []
    for i, f in enumerate(doc.get("features") or []):
        where = "%s: $.features[%d]" % (path, i)
        cap = f.get("capability")
        if not isinstance(cap, str) or not re.fullmatch(r"[A-Z][A-Z_]*", cap):
            raise ValueError(where + ".capability: expected an upper-case name")
        reqs = f.get("requirements", [])
        for r in reqs:
            if r not in ids:
                raise ValueError(where + ".requirements: %s is not in the "
                                 "catalogue" % r)
        mandatory = f.get("mandatory") is True
        if mandatory and not reqs:
            raise ValueError(where + ": a mandatory feature names the "
                             "requirements that make it so")
        because = f.get("untested_because", "")
        if not mandatory and not because:
            raise ValueError(where + ".untested_because: missing")
        out.append("TORC_FEATURE_ROW(TORC_CAP_%s, %s, %d, %s, %s, %s)" % (
            cap, c_string(cap), int(mandatory), c_string(",".join(reqs)),
            c_string(f.get("what", "")), c_string(because)))
    if not out:
        raise ValueError(path + ": $.features: missing or empty")
    ops = []
    for i, o in enumerate(doc.get("operations") or []):
        where = "%s: $.operations[%d]" % (path, i)
        if o.get("operation") not in OPS:
            raise ValueError(where + ".operation: unknown operation")
        for r in o.get("requirements", []):
            if r not in ids:
                raise ValueError(where + ".requirements: %s is not in the "
                                 "catalogue" % r)
        ops.append("TORC_OPERATION_ROW(%s, %s)" % (
            c_string(o["operation"]), c_string(",".join(o["requirements"]))))
    return out, ops


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: gen_features.py catalogue.json OUT.h")
    src, dst = argv[1], argv[2]
    try:
        with open(src, encoding="utf-8") as f:
            doc = json.load(f)
        feats, ops = rows(src, doc)
    except (OSError, ValueError) as e:
        print(e if str(e).startswith(src) else "%s: %s" % (src, e),
              file=sys.stderr)
        return 1
    with open(dst + ".tmp", "w", encoding="ascii") as f:
        f.write("/* Generated from %s by conformance/tools/gen_features.py;"
                " do not edit. */\n" % src)
        for r in feats:
            f.write(r + "\n")
        f.write("#ifdef TORC_OPERATION_ROW\n")
        for r in ops:
            f.write(r + "\n")
        f.write("#endif\n")
        # Every requirement's summary, in the project's words, for the
        # judge's messages (harness/engine/torc_attribute.c).
        f.write("#ifdef TORC_SUMMARY_ROW\n")
        for row in doc["requirements"]:
            f.write("TORC_SUMMARY_ROW(%d, %s, %s, %s)\n" % (
                int(row["id"][4:]), c_string(row.get("group", "")),
                c_string(row.get("source", "")), c_string(row["summary"])))
        f.write("#endif\n")
    import os
    os.replace(dst + ".tmp", dst)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
