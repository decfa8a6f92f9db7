#!/usr/bin/python3
"""Compute, check or fix the content-derived id of torc vectors.

The id is "rcv-" + the first 16 hex digits of SHA-256 over the canonical
JSON of the vector without its "id" member: keys sorted, no whitespace,
ASCII only (json.dumps(doc, sort_keys=True, separators=(",", ":"),
ensure_ascii=True)).  This is the same text torc's C loader hashes
(jansson JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII; see
harness/input/torc_vector_digest.c) for documents whose strings hold no control
characters.

  vector_id.py FILE...          print "id  FILE" (the id the content has)
  vector_id.py --check FILE...  exit 1 if a file's id does not match
  vector_id.py --fix FILE...    rewrite the id in place (2-space indent)
"""
import hashlib
import json
import sys


def canonical(doc):
    body = {k: v for k, v in doc.items() if k != "id"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True)


def vector_id(doc):
    return "rcv-" + hashlib.sha256(canonical(doc).encode()).hexdigest()[:16]


def main(argv):
    mode = None
    if argv and argv[0] in ("--check", "--fix"):
        mode, argv = argv[0], argv[1:]
    bad = 0
    for path in argv:
        with open(path) as f:
            doc = json.load(f)
        want = vector_id(doc)
        if mode == "--check":
            if doc.get("id") != want:
                print(f"{path}: id {doc.get('id')} should be {want}")
                bad = 1
        elif mode == "--fix":
            out = {"format": doc.get("format", 1), "id": want}
            out.update({k: v for k, v in doc.items() if k not in out})
            with open(path, "w") as f:
                json.dump(out, f, indent=2)
                f.write("\n")
        else:
            print(f"{want}  {path}")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
