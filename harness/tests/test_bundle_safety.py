"""test_bundle_safety.py - the commands torc prints for people to paste, and
the files `torc run --bundle DIR` writes, are safe against hostile names
(issue 16).

Replay commands (harness/run/torc_run_record.c, harness/results/
torc_bundle.c) quote every word that needs it for POSIX sh
(harness/results/torc_shquote.c): a vector path and a target path holding
`$(touch X)`, a space and a quote are run by sh exactly as written, and X
is never created.

The vector used is vectors/handwritten/buffered-then-posts.json, which the
completes_twice test target FAILs (RCV-109, test_cli_targets.py) and the
reference PASSes; it is copied with its capture folder under a hostile name.
"""
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, results

VECTOR = ROOT / "vectors" / "handwritten" / "buffered-then-posts.json"
HOSTILE = "it's a $(touch X) dir"


def hostile_copy(torc, tmp_path):
    """The vector (with its capture folder) and completes_twice.so, both
    under a folder named HOSTILE."""
    d = tmp_path / HOSTILE
    d.mkdir()
    shutil.copy(VECTOR, d / VECTOR.name)
    shutil.copytree(VECTOR.parent / "capture", d / "capture")
    so = d / "completes twice.so"
    shutil.copy(torc.target("completes_twice"), so)
    return d / VECTOR.name, so


def no_x(tmp_path):
    return [p for p in tmp_path.rglob("X")] == [] and \
        not (ROOT / "X").exists()


def sh(cmd, cwd, torc):
    env = dict(os.environ)
    env["PATH"] = "%s:%s" % (torc.bin.parent, env.get("PATH", ""))
    return subprocess.run(["sh", "-c", cmd], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=120)


def test_replay_command_is_quoted(torc, tmp_path):
    vec, so = hostile_copy(torc, tmp_path)
    out = tmp_path / "r.json"
    r = torc("run", "--target", so, "--vectors", vec, "--json", out,
             "--quiet")
    assert r.returncode == 1, r.stderr
    (rec,) = results(out)["results"]
    assert rec["verdict"] == "FAIL"
    cmd = rec["replay"]
    # Both hostile words are single-quoted whole, each ' written '\''.
    def q(path):
        return "'" + str(path).replace("'", "'\\''") + "'"
    assert cmd == "torc run --target %s --vectors %s" % (q(so), q(vec)), cmd
    run = tmp_path / "run"
    run.mkdir()
    p = sh(cmd + " --json again.json --quiet", run, torc)
    assert p.returncode == 1, p.stderr      # the same FAIL, replayed
    (again,) = results(run / "again.json")["results"]
    assert again["id"] == rec["id"] and again["verdict"] == "FAIL"
    assert no_x(tmp_path)


def test_bundle_readme_and_replay_sh_are_quoted(torc, tmp_path):
    vec, so = hostile_copy(torc, tmp_path)
    bdir = tmp_path / "bundles"
    r = torc("run", "--target", so, "--vectors", vec, "--json",
             tmp_path / "r.json", "--bundle", bdir, "--quiet")
    assert r.returncode == 1, r.stderr
    (b,) = list(bdir.iterdir())
    readme = (b / "README.md").read_text()
    line = next(ln.strip() for ln in readme.splitlines()
                if ln.strip().startswith("torc run --target"))
    # The README's command, pasted into sh in the bundle folder.
    p = sh(line + " --json readme.json --quiet", b, torc)
    assert p.returncode == 1, p.stderr
    assert results(b / "readme.json")["results"][0]["verdict"] == "FAIL"
    # replay.sh with no argument replays on the same (hostile) target.
    p = sh("./replay.sh", b, torc)
    assert p.returncode == 1, p.stdout + p.stderr
    assert no_x(tmp_path)


# ---- --bundle DIR: no link followed, every write checked -------------------

BUNDLE_FILES = ("capture.pcap", "fed.pcap", "vector.json", "result.json",
                "target.log", "expected-trace.json", "actual-trace.json",
                "rerun.json", "README.md", "replay.sh")


def bundle_run(torc, tmp_path, bdir, **kw):
    return torc("run", "--target", torc.target("completes_twice"),
                "--vectors", VECTOR, "--bundle", bdir, "--quiet", **kw)


def vector_id():
    return json.loads(VECTOR.read_text())["id"]


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_planted_file_link_is_not_followed(torc, tmp_path, name):
    """A symbolic link planted where the bundle puts `name` (also the files
    the re-run child writes) points outside DIR: the file outside keeps its
    bytes, torc names the link and exits 5 (an output error, like results
    that cannot be written: docs/torc.1, EXIT STATUS)."""
    outside = tmp_path / "outside.txt"
    outside.write_text("not torc's\n")
    b = tmp_path / "bundles" / vector_id()
    b.mkdir(parents=True)
    os.symlink(outside, b / name)
    r = bundle_run(torc, tmp_path, tmp_path / "bundles")
    assert outside.read_text() == "not torc's\n"
    assert os.path.islink(b / name)
    assert r.returncode == 5, r.stderr  # an output that cannot be written
    assert "%s/%s: a symbolic link, not followed or replaced" % (b, name) \
        in r.stderr, r.stderr


def test_planted_folder_link_is_not_followed(torc, tmp_path):
    """DIR/ID itself a link to a folder outside: nothing is written there."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (tmp_path / "bundles").mkdir()
    b = tmp_path / "bundles" / vector_id()
    os.symlink(outside, b)
    r = bundle_run(torc, tmp_path, tmp_path / "bundles")
    assert list(outside.iterdir()) == []
    assert r.returncode == 5, r.stderr  # an output that cannot be written
    assert "%s: a symbolic link, not followed" % b in r.stderr, r.stderr


def test_bundle_over_an_earlier_one_replaces_its_files(torc, tmp_path):
    """The regular files of an earlier bundle of the same vector are
    replaced, not refused: a second run into the same DIR exits 1 (the
    FAIL) and rewrites every file (a marker appended to each is gone)."""
    bdir = tmp_path / "bundles"
    assert bundle_run(torc, tmp_path, bdir).returncode == 1
    for n in BUNDLE_FILES:
        with open(bdir / vector_id() / n, "ab") as f:
            f.write(b"STALE")
    r = bundle_run(torc, tmp_path, bdir)
    assert r.returncode == 1, r.stderr
    for n in BUNDLE_FILES:
        p = bdir / vector_id() / n
        assert p.is_file() and not p.is_symlink(), n
        assert b"STALE" not in p.read_bytes(), n


def limit_file_size(limit):
    def pre():
        import resource
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def test_full_disk_is_an_error_naming_the_file(torc, tmp_path):
    """A file-size limit of 2000 bytes stands for a full disk: writes past
    it fail with EFBIG ("File too large").  capture.pcap (3 frames, 870
    bytes) and fed.pcap fit; vector.json (the vector, about 4.9 KB) does
    not: torc names it with the reason and exits 5 instead of 1."""
    bdir = tmp_path / "bundles"
    r = subprocess.run([str(torc.bin), "run", "--target",
                        torc.target("completes_twice"), "--vectors",
                        str(VECTOR), "--bundle", str(bdir), "--quiet"],
                       preexec_fn=limit_file_size(2000), cwd=str(tmp_path),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120)
    b = bdir / vector_id()
    assert r.returncode == 5, r.stderr  # an output that cannot be written
    assert "torc run: bundle %s: %s/vector.json: File too large" % (
        vector_id(), b) in r.stderr, r.stderr
    assert (b / "capture.pcap").stat().st_size == 870
