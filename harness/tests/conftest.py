"""conftest.py - shared fixtures for the end-to-end tests of the torc CLI.

Finds the build tree from $TORC_BUILD (default: build/, relative to the
repository root) and gives tests the paths of the built programs, the
purpose-built bad targets and the committed vectors, plus a helper that runs
the CLI and a reader of the vector files (the source of every expected value:
tests work out what torc must say from the vectors themselves, never from
torc's own output), and the readers of result documents and vectors that the
test_cli_*.py files share.
"""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def build_dir():
    b = pathlib.Path(os.environ.get("TORC_BUILD", "build"))
    return b if b.is_absolute() else ROOT / b


class Torc:
    """Paths of the build tree and a runner for the torc program."""

    def __init__(self):
        self.build = build_dir()
        self.bin = self.build / "bin" / "torc"
        self.runner = self.build / "bin" / "torc-target-runner"
        self.targets = self.build / "lib" / "testtargets"
        self.vectors = ROOT / "vectors" / "handwritten"  # the corpus runs in check-corpus

    def target(self, name):
        return str(self.targets / (name + ".so"))

    def __call__(self, *args, env=None, timeout=120, cwd=None, stdin=None):
        e = dict(os.environ)
        e.pop("TORC_TODAY", None)
        if env:
            e.update(env)
        return subprocess.run([str(self.bin)] + [str(a) for a in args],
                              cwd=str(cwd or ROOT), env=e, timeout=timeout,
                              stdin=stdin if stdin is not None
                              else subprocess.DEVNULL,
                              capture_output=True, text=True)


@pytest.fixture(scope="session")
def torc():
    t = Torc()
    if not t.bin.exists():
        pytest.fail("%s not built (make O=%s)" % (t.bin, t.build))
    return t


def load_vector_files(root):
    """{id: vector dict} for every vector file under root (not the schema)."""
    out = {}
    for p in sorted(pathlib.Path(root).rglob("*.json")):
        if "schema" in p.parts:
            continue
        try:
            d = json.loads(p.read_text())
        except ValueError:
            continue
        if isinstance(d, dict) and "id" in d and "events" in d:
            d["_path"] = str(p)
            out[d["id"]] = d
    return out


@pytest.fixture(scope="session")
def vectors(torc):
    vs = load_vector_files(torc.vectors)
    if not vs:
        pytest.fail("no vectors committed under %s" % torc.vectors)
    return vs


# ---- Shared by the test_cli_*.py files -------------------------------------

VERDICTS = {"PASS", "PASS-NONSTRICT", "UNTESTED", "WAIVED", "FAIL",
            "ERROR", "CRASH", "TIMEOUT"}


def results(path):
    with open(path) as f:
        return json.load(f)


def by_id(doc):
    return {r["id"]: r for r in doc["results"]}


def ops(v):
    return [e.get("op") for e in v["events"]]


def posts(v):
    return any(o in ("post", "post_in_completion") for o in ops(v))


def completes(v):
    """The expected trace completes at least one request."""
    return any(e.get("ev") == "receive_complete"
               for e in v["expected"]["trace"])


def fails_alloc(v):
    """An allocation fails before the offload (the offload itself may fail,
    DEC-05); a fail_alloc after it (DEC-25) leaves the offload alone."""
    o = ops(v)
    return "fail_alloc" in o and "offload" in o and \
        o.index("fail_alloc") < o.index("offload")


def comparable(rec):
    """A result record without what differs between two runs."""
    r = dict(rec)
    r.pop("duration_ms", None)
    return r


def wait_for_lines(path, n, proc, limit=30):
    """Waits until the file at path has n lines (a journal filling up while
    proc runs); False when proc ends first or limit seconds pass."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if path.exists() and path.read_text().count("\n") >= n:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    return False


def copies_of(src, dst, n):
    """n copies of every vector of src in dst (titles numbered, ids
    recomputed as torc_vector_digest.c does), with src's captures and the
    corpus's (vectors/captures/, which the hand-written vectors kept from
    an earlier corpus name)."""
    dst.mkdir(parents=True)
    shutil.copytree(src / "capture", dst / "capture")
    (dst / "vectors").mkdir()
    (dst / "vectors" / "captures").symlink_to(ROOT / "vectors" / "captures")
    count = 0
    for p in sorted(src.glob("*.json")):
        v = json.loads(p.read_text())
        for k in range(n):
            c = dict(v)
            del c["id"]
            c["title"] = "%s (copy %d)" % (v["title"][:180], k)
            canon = json.dumps(c, sort_keys=True, separators=(",", ":"))
            c["id"] = "rcv-" + hashlib.sha256(canon.encode()).hexdigest()[:16]
            (dst / ("%s-%d.json" % (p.stem, k))).write_text(json.dumps(c))
            count += 1
    return count
