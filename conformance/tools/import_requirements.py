#!/usr/bin/env python3
"""import_requirements.py - builds conformance/catalogue.json from the
captured specification's REQUIREMENTS.md.

Sits at the very start of the flow: the catalogue it writes is what the
citation count, `torc list --coverage` and the reports read.  It keeps each
row's id, group, strength and source page, and NOT the quoted sentence (the
project cites ids; it does not copy the specification's text).  Fields the
project adds (testable, interpretation) are kept from the existing catalogue
when it is regenerated.

Usage: import_requirements.py REQUIREMENTS.md conformance/catalogue.json
"""
import json
import os
import re
import sys

ROW = re.compile(r"^- \*\*(RCV-\d{3})\*\* `\[([A-Z ]+)\]`")
SOURCE = re.compile(r"^\s+source: `([^`]+)`")
GROUP = re.compile(r"^## Group ([A-L]): (.*)$")


def parse(path):
    rows, group, title = [], None, None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = GROUP.match(line)
            if m:
                group, title = m.group(1), m.group(2).strip()
                continue
            m = ROW.match(line)
            if m:
                if group is None:
                    sys.exit(f"{path}:{lineno}: requirement row before any group")
                rows.append({"id": m.group(1), "group": group,
                             "strength": m.group(2)})
                continue
            m = SOURCE.match(line)
            if m and rows and "source" not in rows[-1]:
                rows[-1]["source"] = m.group(1)
    return rows


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    src, dst = argv[1], argv[2]
    rows = parse(src)
    if len(rows) != 320:
        sys.exit(f"{src}: expected 320 requirement rows, found {len(rows)}")
    old, old_doc = {}, {}
    if os.path.exists(dst):
        with open(dst, encoding="utf-8") as f:
            old_doc = json.load(f)
        old = {r["id"]: r for r in old_doc["requirements"]}
    groups = {}
    with open(src, encoding="utf-8") as f:
        for line in f:
            m = GROUP.match(line)
            if m:
                groups[m.group(1)] = m.group(2).strip()
    for r in rows:
        for keep in ("summary", "testable", "why_not_testable", "interpretation"):
            if keep in old.get(r["id"], {}):
                r[keep] = old[r["id"]][keep]
    out = {"format": 1, "source": "spec/REQUIREMENTS.md", "groups": groups,
           "requirements": rows}
    # The feature map (which TORC_CAP_* features are mandatory, and by which
    # requirement) is the project's, not the specification's: kept as is.
    for keep in ("features", "operations"):
        if keep in old_doc:
            out[keep] = old_doc[keep]
    tmp = dst + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    os.replace(tmp, dst)
    print(f"{dst}: {len(rows)} requirements")


if __name__ == "__main__":
    main(sys.argv)
