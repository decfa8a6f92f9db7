#!/usr/bin/env python3
"""spec_fingerprint.py - the specification's fingerprint, for the copy checks.

The project does not copy the specification's sentences, so the captured
specification (REQUIREMENTS.md) lives outside the repository.  To check on
any clone that no catalogue summary copies it, this tool writes
conformance/spec-fingerprint.txt: the hash of every run of RUN consecutive
words of REQUIREMENTS.md and, per requirement, the hash of its quoted
sentence's words.  Hashes are not the text: the file says whether a text
shares a run with the specification without holding any of it.

  spec_fingerprint.py REQUIREMENTS.md OUT       write the fingerprint
  spec_fingerprint.py --check REQUIREMENTS.md OUT
                                                exit 1 when OUT is stale

conformance/tests/test_catalogue.py reads the file with the same words(),
runs() and digest() (imported from here).  Regenerate it when the captured
specification changes (`make spec-fingerprint`).
"""
import hashlib
import re
import sys

RUN = 12  # words: a run this long shared with the spec counts as copied
QUOTE = re.compile(r'^- \*\*(RCV-\d{3})\*\* `\[[A-Z ]+\]` "(.*)"\s*$')
FORMAT = "torc-spec-fingerprint 1"


def words(text):
    return re.findall(r"[a-z0-9_]+", text.lower())


def digest(ws):
    """12 hex digits of SHA-256 over the words joined by one space."""
    return hashlib.sha256(" ".join(ws).encode()).hexdigest()[:12]


def runs(text, n=RUN):
    """The digests of every n-word run of text."""
    w = words(text)
    return {digest(w[i:i + n]) for i in range(len(w) - n + 1)}


def fingerprint(spec_text):
    quotes = {m.group(1): digest(words(m.group(2)))
              for m in map(QUOTE.match, spec_text.splitlines()) if m}
    lines = [FORMAT, "run %d" % RUN]
    lines += ["quote %s %s" % (k, quotes[k]) for k in sorted(quotes)]
    lines += ["%s" % h for h in sorted(runs(spec_text))]
    return "\n".join(lines) + "\n"


def load(path):
    """(quotes {RCV id: digest}, runs {digest}) from a fingerprint file;
    raises ValueError naming the line of a malformed one."""
    quotes, rs = {}, set()
    with open(path, encoding="ascii") as f:
        lines = f.read().splitlines()
    if lines[:2] != [FORMAT, "run %d" % RUN]:
        raise ValueError("%s: line 1: not a '%s' file for %d-word runs"
                         % (path, FORMAT, RUN))
    for no, line in enumerate(lines[2:], start=3):
        m = re.fullmatch(r"quote (RCV-\d{3}) ([0-9a-f]{12})", line)
        if m:
            quotes[m.group(1)] = m.group(2)
        elif re.fullmatch(r"[0-9a-f]{12}", line):
            rs.add(line)
        else:
            raise ValueError("%s: line %d: neither a quote nor a run digest"
                             % (path, no))
    return quotes, rs


def main(argv):
    check = argv[1:2] == ["--check"]
    args = argv[2:] if check else argv[1:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        want = fingerprint(f.read())
    if check:
        with open(args[1], encoding="ascii") as f:
            if f.read() != want:
                print("%s is stale: regenerate it from %s" % (args[1], args[0]),
                      file=sys.stderr)
                return 1
        return 0
    with open(args[1], "w", encoding="ascii") as f:
        f.write(want)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
