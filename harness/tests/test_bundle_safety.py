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
