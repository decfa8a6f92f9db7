"""test_install.py - `make install` and `make uninstall` (issue 17).

Where it sits: the install and uninstall recipes of harness/module.mk put
the programs, the vendor header, torc.pc, the man page, the docs, the
catalogue, the vectors, the adapter skeleton and the pytest plugin under
$(DESTDIR)$(PREFIX), and take them away again.  This installs the built
tree into a temporary DESTDIR and uses only what was installed: the
installed torc runs the installed vectors against the installed catalogue
(from a folder with no vectors/ or conformance/ of its own), the skeleton
builds against the installed header found through pkg-config, the
installed pytest plugin runs the installed vectors, and uninstall leaves no
file behind.

Expected values by hand: the installed files are exactly the list below,
each a byte copy of its source (torc.pc aside, written with the prefix);
the reference over the installed vectors is CONFORMANT (they are the suite
this torc ships) with one result per vector file of vectors/handwritten
and vectors/corpus; the skeleton declares no capability, so it is NOT
CONFORMANT (exit 1) and its results name driver "skeleton".
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PREFIX = "/opt/torc"
VECTOR_EXT = (".json", ".pcap", ".pcapng")


def expected_files():
    """{path under the prefix: source file, or None for torc.pc}."""
    e = {
        "bin/torc": "BIN/torc",
        "bin/torc-target-runner": "BIN/torc-target-runner",
        "include/torc/target.h": "harness/include/torc/target.h",
        "lib/pkgconfig/torc.pc": None,
        "share/man/man1/torc.1": "docs/torc.1",
        "share/torc/catalogue.json": "conformance/catalogue.json",
        "share/torc/schema/vector.schema.json":
            "vectors/schema/vector.schema.json",
        "share/torc/pytest/pytest_torc.py": "conformance/pytest_torc.py",
        "share/torc/pytest/conftest.py": "conformance/conftest.py",
        "share/torc/examples/adapter-skeleton/adapter.c":
            "examples/adapter-skeleton/adapter.c",
        "share/torc/examples/adapter-skeleton/Makefile":
            "examples/adapter-skeleton/Makefile",
        "share/torc/examples/python-target/torc_reference_target.py":
            "examples/python-target/torc_reference_target.py",
        "share/torc/examples/python-target/README.md":
            "examples/python-target/README.md",
        "share/torc/examples/ci/github-actions.yml":
            "examples/ci/github-actions.yml",
        "share/torc/examples/ci/gitlab-ci.yml": "examples/ci/gitlab-ci.yml",
        "share/doc/torc/README.md": "README.md",
        "share/doc/torc/ARCHITECTURE.md": "ARCHITECTURE.md",
    }
    for d in sorted((ROOT / "docs").glob("*.md")):
        e["share/doc/torc/" + d.name] = "docs/" + d.name
    vec = ROOT / "vectors"
    for p in vec.rglob("*"):
        rel = p.relative_to(vec)
        if p.is_file() and rel.parts[0] != "schema" and \
                p.name.endswith(VECTOR_EXT):
            e["share/torc/vectors/" + rel.as_posix()] = "vectors/" + \
                rel.as_posix()
    return e


def make(torc, *args):
    # A make of its own, not a sub-make of the `make check` running this.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    return subprocess.run(["make", "-s", "O=%s" % torc.build,
                           "PREFIX=%s" % PREFIX] + list(args), cwd=str(ROOT),
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(torc, tmp_path_factory):
    dest = tmp_path_factory.mktemp("dest")
    r = make(torc, "install", "DESTDIR=%s" % dest)
    assert r.returncode == 0, r.stdout + r.stderr
    return dest, dest / PREFIX.lstrip("/")


def test_every_file_is_installed_and_nothing_else(torc, installed):
    dest, prefix = installed
    got = {p.relative_to(prefix).as_posix()
           for p in prefix.rglob("*") if p.is_file()}
    want = expected_files()
    assert got == set(want), (sorted(got - set(want)),
                              sorted(set(want) - got))
    for rel, src in want.items():
        if src is None:
            continue
        src = (torc.build / "bin" / src[4:]) if src.startswith("BIN/") \
            else ROOT / src
        assert (prefix / rel).read_bytes() == src.read_bytes(), rel
    assert os.access(prefix / "bin" / "torc", os.X_OK)
    pc = (prefix / "lib/pkgconfig/torc.pc").read_text()
    assert "prefix=%s\n" % PREFIX in pc and "Cflags: -I${includedir}" in pc


def test_installed_torc_runs_installed_vectors_and_catalogue(torc, installed,
                                                            tmp_path):
    dest, prefix = installed
    tbin = prefix / "bin" / "torc"
    env = {k: v for k, v in os.environ.items()
           if k not in ("TORC_VECTORS", "TORC_CATALOGUE", "TORC_BUILD")}
    out = tmp_path / "r.json"
    r = subprocess.run([str(tbin), "run", "--target", "reference", "--json",
                        str(out)], cwd=str(tmp_path), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    n = sum(1 for k in expected_files()
            if k.startswith(("share/torc/vectors/handwritten/",
                             "share/torc/vectors/corpus/"))
            and k.endswith(".json"))
    assert len(doc["results"]) == n
    assert doc["claim"]["headline"] == "CONFORMANT"
    assert doc["suite"]["is_suite"] is True
    r = subprocess.run([str(tbin), "report", str(out), "-o",
                        str(tmp_path / "rep")], cwd=str(tmp_path), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "no requirement catalogue found" not in r.stderr
    assert (tmp_path / "rep" / "report.html").stat().st_size > 0
    # The catalogue the report used is the installed one: without it the
    # report finds none (and says so).
    os.rename(prefix / "share/torc/catalogue.json", tmp_path / "cat.json")
    try:
        r = subprocess.run([str(tbin), "report", str(out), "-o",
                            str(tmp_path / "rep2")], cwd=str(tmp_path),
                           env=env, capture_output=True, text=True)
    finally:
        os.rename(tmp_path / "cat.json", prefix / "share/torc/catalogue.json")
    assert "no requirement catalogue found" in r.stderr, r.stderr


def test_skeleton_builds_against_the_installed_header(torc, installed,
                                                      tmp_path):
    dest, prefix = installed
    skel = tmp_path / "skel"
    shutil.copytree(prefix / "share/torc/examples/adapter-skeleton", skel)
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib/pkgconfig"),
               PKG_CONFIG_SYSROOT_DIR=str(dest))
    r = subprocess.run(["pkg-config", "--cflags", "torc"], env=env,
                       capture_output=True, text=True)
    assert r.stdout.split() == ["-I%s/include" % prefix], r.stdout
    r = subprocess.run(["make", "-s"], cwd=str(skel), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path / "skel.json"
    r = subprocess.run([str(prefix / "bin/torc"), "run", "--target",
                        "./libadapter.so", "--json", str(out),
                        str(prefix / "share/torc/vectors/handwritten")],
                       cwd=str(skel), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1, r.stderr
    t = json.loads(out.read_text())["target"]
    assert (t["name"], t["driver"], t["firmware"]) == \
        ("skeleton", "skeleton", "none")


def test_installed_pytest_plugin_runs_installed_vectors(torc, installed,
                                                        tmp_path):
    dest, prefix = installed
    hw = prefix / "share/torc/vectors/handwritten"
    n = len(list(hw.glob("*.json")))
    r = subprocess.run([sys.executable, "-m", "pytest",
                        str(prefix / "share/torc/pytest"), "-p",
                        "no:cacheprovider", "-q", "--torc-target",
                        "reference", "--torc-vectors", str(hw)],
                       cwd=str(tmp_path), capture_output=True, text=True,
                       timeout=300, env={k: v for k, v in os.environ.items()
                                         if k != "TORC_BUILD"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "%d passed" % n in r.stdout, r.stdout
    assert str(prefix / "bin" / "torc") in r.stdout + r.stderr


def test_uninstall_removes_everything(torc, tmp_path):
    dest = tmp_path / "dest"
    r = make(torc, "install", "DESTDIR=%s" % dest)
    assert r.returncode == 0, r.stderr
    (dest / "opt/torc/share/keep").mkdir(parents=True)
    (dest / "opt/torc/share/keep/other.txt").write_text("not ours\n")
    r = make(torc, "uninstall", "DESTDIR=%s" % dest)
    assert r.returncode == 0, r.stdout + r.stderr
    left = sorted(p.relative_to(dest).as_posix()
                  for p in dest.rglob("*") if not p.is_dir())
    assert left == ["opt/torc/share/keep/other.txt"]
    for d in ("share/torc", "share/doc/torc", "include/torc"):
        assert not (dest / "opt/torc" / d).exists(), d
