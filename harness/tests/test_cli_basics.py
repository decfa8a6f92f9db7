"""test_cli_basics.py - end-to-end tests of the torc program as a whole.

--version and --help, the usage errors of every command (exit 2), targets
that fail to load (exit 2, nothing written), `torc lint`, and an installed
torc building and running the skeleton adapter found through pkg-config.

TORC_BUILD selects the build tree (default build/).
"""
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import results, by_id, copies_of, load_vector_files, ROOT


# ---- Program basics ------------------------------------------------------

def test_version_and_help(torc):
    r = torc("--version")
    assert r.returncode == 0
    assert re.match(r"torc \d+\.\d+\.\d+ \(target ABI 1\)", r.stdout)
    for cmd in ("run", "lint", "list", "merge"):
        h = torc(cmd, "--help")
        assert h.returncode == 0, cmd
        assert h.stdout.startswith("Usage: torc %s" % cmd)
    top = torc("--help")
    assert top.returncode == 0 and "merge" in top.stdout


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["run"],                                     # no --target
    ["run", "--target", "reference", "--shard", "0/2"],
    ["run", "--target", "reference", "--shard", "3/2"],
    ["run", "--target", "reference", "--shard", "x"],
    ["run", "--target", "reference", "--jobs", "0"],
    ["run", "--target", "reference", "--timeout", "soon"],
    ["run", "--target", "reference", "--isolate", "maybe"],
    ["run", "--target", "reference", "--bogus"],
    ["run", "--target", "reference", "--resume"],  # needs --json
    ["merge", "a.json"],                           # needs -o
    ["lint", "--bogus"],
    ["run", "--target", "reference", "--id", "no-such-vector-*"],
])
def test_usage_errors_exit_2(torc, args):
    r = torc(*args)
    assert r.returncode == 2, (args, r.stderr)
    assert r.stderr.strip()


def test_target_load_errors_exit_2(torc, tmp_path):
    r = torc("run", "--target", tmp_path / "missing.so", "--json",
             tmp_path / "o.json")
    assert r.returncode == 2
    assert "missing.so" in r.stderr
    assert not (tmp_path / "o.json").exists()
    # abi_future declares ABI 2: refused at load, nothing runs.
    r = torc("run", "--target", torc.target("abi_future"), "--json",
             tmp_path / "o.json")
    assert r.returncode == 2
    assert "ABI" in r.stderr
    assert not (tmp_path / "o.json").exists()


# ---- lint --------------------------------------------------------------------

def test_lint(torc, vectors, tmp_path):
    r = torc("lint", torc.vectors)
    assert r.returncode == 0
    assert r.stdout.strip() == "%d vectors ok" % len(vectors)
    bad = tmp_path / "bad.json"
    src = json.loads(pathlib.Path(vectors[sorted(vectors)[0]]["_path"])
                     .read_text())
    del src["title"]
    bad.write_text(json.dumps(src))
    r = torc("lint", bad)
    assert r.returncode == 2
    assert r.stderr.startswith(str(bad) + ": $")


# ---- Install and the skeleton adapter --------------------------------------

def test_install_and_build_the_skeleton_adapter(torc, vectors, tmp_path):
    if not shutil.which("pkg-config") or not shutil.which("make"):
        pytest.fail("pkg-config or make missing")
    prefix = tmp_path / "prefix"
    r = subprocess.run(["make", "-s", "O=%s" % torc.build, "install-harness",
                        "PREFIX=%s" % prefix], cwd=str(ROOT),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert (prefix / "bin" / "torc").exists()
    assert (prefix / "include" / "torc" / "target.h").exists()
    assert (prefix / "share" / "man" / "man1" / "torc.1").exists()
    assert (prefix / "lib" / "pkgconfig" / "torc.pc").exists()
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    cflags = subprocess.run(["pkg-config", "--cflags", "torc"], env=env,
                            capture_output=True, text=True)
    assert cflags.stdout.strip() == "-I%s" % (prefix / "include")
    work = tmp_path / "adapter"
    shutil.copytree(prefix / "share" / "torc" / "examples" /
                    "adapter-skeleton", work)
    r = subprocess.run(["make"], cwd=str(work), env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    so = work / "libadapter.so"
    assert so.exists()
    # The installed torc finds its installed vectors by itself.
    out = tmp_path / "skel.json"
    r = subprocess.run([str(prefix / "bin" / "torc"), "run", "--target",
                        str(so), "--json", str(out)], cwd=str(tmp_path),
                       env=env, capture_output=True, text=True, timeout=120)
    # The skeleton declares no capability, and every feature but
    # ALLOC_HOOK is mandatory: NOT CONFORMANT, exit 1.
    assert r.returncode == 1, r.stderr
    doc = results(out)
    # Every committed vector is installed: the hand-written ones among them,
    # and the installed set is the suite this torc ships (same digest).
    shipped = load_vector_files(ROOT / "vectors")
    assert set(by_id(doc)) == set(shipped) and set(vectors) <= set(shipped)
    assert doc["suite"]["is_suite"] is True
    assert doc["suite"]["digest"] == doc["vector_set_digest"]
    assert doc["scope"]["set_size"] == len(shipped)
    # Every vector FAILs for a missing mandatory feature.
    assert all(x["verdict"] == "FAIL" for x in doc["results"])
    assert all(x["detail"].startswith("missing mandatory feature: ")
               for x in doc["results"])
    assert doc["target"]["name"] == "skeleton"
    assert doc["target"]["capability_names"] == []
    assert len(doc["target"]["missing_mandatory"]) == 13
    assert doc["claim"]["headline"] == "NOT CONFORMANT"
    assert doc["claim"]["exit_status"] == 1
    assert "torc: claim: NOT CONFORMANT" in r.stderr


def test_two_files_with_the_same_content_are_refused(torc, tmp_path):
    """Two vector files with one content (hence one id) under different
    names: the set is refused at the second, naming it, the JSON path of
    the id and the first file (torc_vector_set.c); the same file named
    twice is not two files."""
    src = torc.vectors / "psh-completion.json"
    d = tmp_path / "set"
    d.mkdir()
    shutil.copytree(torc.vectors / "capture", d / "capture")
    a, b = d / "a.json", d / "b.json"
    for p in (a, b):
        p.write_text(src.read_text())
    vid = json.loads(src.read_text())["id"]
    r = torc("lint", d)
    assert r.returncode == 2, r.stderr
    assert "%s: $.id: same id (%s) as %s" % (b, vid, a) in r.stderr
    r = torc("lint", a, a)
    assert r.returncode == 0, r.stderr
    r = torc("run", "--target", "reference", d)       # a run refuses it too
    assert r.returncode == 2 and "same id (%s)" % vid in r.stderr


def edited_set(torc, tmp_path):
    """A copy of one hand-written vector twice: as committed (good/) and
    with its title edited but its id kept (edited/): the id no longer
    matches the content."""
    src = torc.vectors / "psh-completion.json"
    doc = json.loads(src.read_text())
    out = {}
    for name, title in (("good", doc["title"]),
                        ("edited", doc["title"] + " (edited)")):
        d = tmp_path / name
        d.mkdir()
        shutil.copytree(torc.vectors / "capture", d / "capture")
        (d / "v.json").write_text(json.dumps(dict(doc, title=title),
                                             indent=1))
        out[name] = d
    return out, doc["id"]


def test_a_run_trusts_ids_that_lint_and_verify_ids_check(torc, tmp_path):
    """Ids are verified by torc lint and torc run --verify-ids (issue 15),
    not on every run: a plain run of a vector whose id no longer matches
    its content runs it; lint and --verify-ids refuse it naming $.id."""
    sets, vid = edited_set(torc, tmp_path)
    want = "$.id: id \"%s\" does not match the content" % vid
    r = torc("lint", sets["edited"])
    assert r.returncode == 2 and want in r.stderr, r.stderr
    r = torc("run", "--target", "reference", "--verify-ids", sets["edited"])
    assert r.returncode == 2 and want in r.stderr, r.stderr
    r = torc("run", "--target", "reference", sets["edited"])
    assert want not in r.stderr and "1 PASS" in r.stderr, r.stderr
    assert torc("run", "--target", "reference", "--verify-ids",
                sets["good"]).returncode == 0


def test_the_set_digest_sees_an_edit_that_keeps_the_id(torc, tmp_path):
    """The vector-set digest is over the files' bytes: the edited copy, id
    kept, has another digest than the good one; a byte of whitespace more
    changes it too, so no edit passes for the suite."""
    sets, _ = edited_set(torc, tmp_path)
    spaced = tmp_path / "spaced"
    shutil.copytree(sets["good"], spaced)
    (spaced / "v.json").write_text((sets["good"] / "v.json").read_text()
                                   + " ")
    digests = []
    for d in (sets["good"], sets["edited"], spaced):
        out = tmp_path / (d.name + ".json")
        torc("run", "--target", "reference", d, "--json", out)
        digests.append(json.loads(out.read_text())["vector_set_digest"])
    assert len(set(digests)) == 3, digests
    # As documented: SHA-256 of the lines "sha256(file)\n", in id order.
    one = hashlib.sha256((sets["good"] / "v.json").read_bytes()).hexdigest()
    assert digests[0] == hashlib.sha256((one + "\n").encode()).hexdigest()


def test_jobs_load_in_threads_with_the_same_first_error(torc, tmp_path):
    """--jobs 2 parses the files in two threads, each a slice in path order
    (torc_vector_set.c); what it loads and the first error it reports are
    those of one thread: a set of 10 copies of each hand-written vector
    (two slices of at least 64 files), then with the file at path index
    100 made malformed (second slice), then also index 40 made a copy of
    index 10 (first slice, so the duplicate comes first in path order)."""
    d = tmp_path / "set"
    n = copies_of(torc.vectors, d, 10)
    assert n >= 128
    files = sorted(d.glob("*.json"))
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / ("r%s.json" % jobs)
        r = torc("run", "--target", "reference", "--jobs", jobs, d,
                 "--json", out)
        assert r.returncode == 0, r.stderr
        outs[jobs] = [{k: v for k, v in x.items() if k != "duration_ms"}
                      for x in results(out)["results"]]
    assert outs["1"] == outs["2"] and len(outs["1"]) == n
    files[100].write_text("{\"format\": 1,")
    errs = []
    for jobs in ("1", "2"):
        r = torc("run", "--target", "reference", "--jobs", jobs, d)
        assert r.returncode == 2
        errs.append(r.stderr)
    assert errs[0] == errs[1] and str(files[100]) in errs[0], errs
    files[40].write_text(files[10].read_text())
    errs = []
    for jobs in ("1", "2"):
        r = torc("run", "--target", "reference", "--jobs", jobs, d)
        assert r.returncode == 2
        errs.append(r.stderr)
    assert errs[0] == errs[1], errs
    assert "%s: $.id: same id" % files[40] in errs[0], errs[0]


def test_one_spelling_of_a_capture_in_two_folders_is_two_captures(torc,
                                                                  tmp_path):
    """The loader resolves a capture's spelling once per folder
    (torc_capture_cache_spelled): a/ and b/ both name "capture/c.pcap", but
    a/'s is v4-12msg-fin.pcap and b/'s v4-overlap-retransmit.pcap.  Each
    vector must get its own folder's capture: its capture_sha256 is that
    file's digest, so the other capture would be refused by name
    ("does not match the capture").  Both vectors PASS on the reference,
    as they do in vectors/handwritten."""
    src = torc.vectors
    for sub, name, cap in (("a", "psh-completion.json", "v4-12msg-fin.pcap"),
                           ("b", "retransmit-overlap.json",
                            "v4-overlap-retransmit.pcap")):
        (tmp_path / sub / "capture").mkdir(parents=True)
        shutil.copyfile(src / "capture" / cap,
                        tmp_path / sub / "capture" / "c.pcap")
        v = json.loads((src / name).read_text())
        v["provenance"]["capture"] = "capture/c.pcap"
        (tmp_path / sub / name).write_text(json.dumps(v))
    out = tmp_path / "r.json"
    r = torc("run", "--target", "reference", tmp_path / "a", tmp_path / "b",
             "--json", out)
    assert "does not match" not in r.stderr, r.stderr
    res = results(out)["results"]
    assert len(res) == 2 and all(x["verdict"] == "PASS" for x in res), res


@pytest.mark.parametrize("reqs, at, dup", [
    (["RCV-015", "RCV-018", "RCV-018"], 2, "RCV-018"),   # in order, then equal
    (["RCV-015", "RCV-018", "RCV-019", "RCV-015"], 3, "RCV-015"),  # out of order
    (["RCV-019", "RCV-015", "RCV-018", "RCV-015"], 3, "RCV-015")])
def test_a_requirement_listed_twice_is_refused_where_it_repeats(
        torc, tmp_path, reqs, at, dup):
    """The loader checks a list against its strings before only while the
    list is in increasing order (torc_vector_json.c), so a repeat must still
    be found wherever it comes: refused (exit 2) at its own index."""
    shutil.copytree(torc.vectors / "capture", tmp_path / "capture")
    v = json.loads((torc.vectors / "psh-completion.json").read_text())
    v["requirements"] = reqs
    (tmp_path / "d.json").write_text(json.dumps(v))
    r = torc("run", "--target", "reference", tmp_path)
    assert r.returncode == 2
    assert ('%s: $.requirements[%d]: duplicate "%s"'
            % (tmp_path / "d.json", at, dup)) in r.stderr, r.stderr
