"""test_package.py - `torc package` and `torc verify` (issue 17).

Where it sits: a run's results (torc run --json, or torc merge) and its
report (torc report -o) go into a submission package
(harness/results/torc_package.c) that torc verify checks
(harness/results/torc_package_verify.c) against its MANIFEST
(torc_manifest.c) and against the claim rendered again from the results.

Expected values by hand: the members are the files the package is made of
(results.json, report/report.html, report/summary.md, a report/vectors/ID.html
per vector that did not pass, waivers.json when the run used one,
package.json), each sum is hashlib's SHA-256 of the file, and
the claims are the ones the runs give: the reference over the whole suite is
CONFORMANT; wrong_handle (every vector FAILs) is NOT CONFORMANT.  torc
verify's statuses: 0 verified, 6 tampered or mismatched, 2 malformed or
unreadable (docs/torc.1).
"""
import hashlib
import json
import os
import pathlib

import pytest

VERIFIED, TAMPERED, MALFORMED = 0, 6, 2
TODAY = {"TORC_TODAY": "2030-06-01"}


def make_run(torc, tmp_path, target, vectors, waivers=None, name="run"):
    d = tmp_path / name
    d.mkdir()
    res = d / "results.json"
    args = ["run", "--target", target, "--json", res]
    if waivers:
        args += ["--waivers", waivers]
    r = torc(*(args + [str(v) for v in vectors]), env=TODAY)
    assert r.returncode in (0, 1), r.stderr
    r = torc("report", res, "-o", d / "report")
    assert r.returncode == 0, r.stderr
    return res, d / "report"


def package(torc, tmp_path, res, rep, waivers=None, name="pkg"):
    out = tmp_path / name
    args = ["package", "--results", res, "--report", rep, "-o", out]
    if waivers:
        args += ["--waivers", waivers]
    r = torc(*args, env=TODAY)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    return out


def verify(torc, pkg):
    return torc("verify", pkg, env=TODAY)


def manifest_lines(pkg):
    return (pkg / "MANIFEST").read_text().splitlines()


def rewrite_manifest(pkg):
    """The MANIFEST a forger would write after changing a member."""
    rows = []
    for p in pkg.rglob("*"):
        if p.is_file() and p.name not in ("MANIFEST", "MANIFEST.sig"):
            data = p.read_bytes()
            rows.append((p.relative_to(pkg).as_posix(),
                         hashlib.sha256(data).hexdigest(), len(data)))
    text = "torc-package-manifest 1\n" + "".join(
        "sha256 %s %d %s\n" % (h, n, rel)
        for rel, h, n in sorted(rows, key=lambda r: r[0].encode()))
    (pkg / "MANIFEST").write_text(text)


@pytest.fixture(scope="module")
def passing(torc, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("passing")
    res, rep = make_run(torc, tmp, "reference", [])
    return res, rep


@pytest.fixture(scope="module")
def waived(torc, tmp_path_factory):
    """wrong_handle over the hand-written vectors, one of them waived."""
    tmp = tmp_path_factory.mktemp("waived")
    first = sorted(json.loads(p.read_text())["id"]
                   for p in torc.vectors.glob("*.json"))[0]
    w = tmp / "waivers.json"
    w.write_text(json.dumps([{"vector": first, "reason": "driver bug 1234",
                              "owner": "nic-team@example",
                              "expires": "2030-06-01"}]))
    res, rep = make_run(torc, tmp, torc.target("wrong_handle"),
                        [torc.vectors], waivers=w)
    return res, rep, w


def test_package_of_a_passing_run_verifies(torc, passing, tmp_path):
    res, rep = passing
    pkg = package(torc, tmp_path, res, rep)
    rows = [l.split(" ") for l in manifest_lines(pkg)[1:]]
    assert manifest_lines(pkg)[0] == "torc-package-manifest 1"
    assert [r[3] for r in rows] == ["package.json", "report/report.html",
                                    "report/summary.md", "results.json"]
    for algo, hexd, size, path in rows:
        data = (pkg / path).read_bytes()
        assert algo == "sha256" and hexd == hashlib.sha256(data).hexdigest()
        assert int(size) == len(data)
    assert (pkg / "results.json").read_bytes() == res.read_bytes()
    assert (pkg / "report" / "report.html").read_bytes() == \
        (rep / "report.html").read_bytes()
    info = json.loads((pkg / "package.json").read_text())
    doc = json.loads(res.read_text())
    assert info["torc_package"] == 1
    assert info["claim"] == doc["claim"]
    assert info["claim"]["headline"] == "CONFORMANT"
    assert info["target"]["driver"] == "reference"
    assert info["target"]["firmware"] == "none"
    assert info["suite"]["vector_set_digest"] == doc["vector_set_digest"]
    assert info["host"]["system"] == os.uname().sysname
    r = verify(torc, pkg)
    assert r.returncode == VERIFIED, r.stderr
    assert r.stdout.strip() == "%s: verified: 4 members, target reference " \
        "0.1.0, claim CONFORMANT" % pkg


def test_package_of_a_failing_run_with_waivers_verifies(torc, waived,
                                                        tmp_path):
    res, rep, w = waived
    pkg = package(torc, tmp_path, res, rep, waivers=w)
    assert (pkg / "waivers.json").read_bytes() == w.read_bytes()
    info = json.loads((pkg / "package.json").read_text())
    assert info["claim"]["headline"] == "NOT CONFORMANT"
    assert info["members"]["waivers"] == "waivers.json"
    # The report of a failing run has a page per vector that did not pass
    # (report/vectors/ID.html): each is a member too.
    pages = sorted("report/vectors/" + p.name
                   for p in (rep / "vectors").iterdir())   # and their .css
    assert pages, "a failing run's report has vector pages"
    listed = [l.split(" ")[3] for l in manifest_lines(pkg)[1:]]
    assert [x for x in listed if x.startswith("report/vectors/")] == pages
    r = verify(torc, pkg)
    assert r.returncode == VERIFIED, r.stderr
    assert "%d members" % (5 + len(pages)) in r.stdout, r.stdout
    assert "claim NOT CONFORMANT" in r.stdout


def test_package_of_merged_shards_verifies(torc, tmp_path):
    """Two shards of the suite merged are the whole suite: CONFORMANT."""
    shards = []
    for k in (1, 2):
        out = tmp_path / ("shard-%d.json" % k)
        r = torc("run", "--target", "reference", "--shard", "%d/2" % k,
                 "--json", out, "--quiet")
        assert r.returncode == 0, r.stderr
        shards.append(out)
    res = tmp_path / "all.json"
    r = torc("merge", *shards, "-o", res)
    assert r.returncode == 0, r.stderr
    r = torc("report", res, "-o", tmp_path / "report")
    assert r.returncode == 0, r.stderr
    pkg = package(torc, tmp_path, res, tmp_path / "report")
    info = json.loads((pkg / "package.json").read_text())
    assert info["claim"]["headline"] == "CONFORMANT"
    r = verify(torc, pkg)
    assert r.returncode == VERIFIED, r.stderr
    assert "claim CONFORMANT" in r.stdout


@pytest.mark.parametrize("member", ["results.json", "report/report.html",
                                    "report/summary.md", "package.json",
                                    "waivers.json"])
def test_one_byte_changed_in_any_member_is_tampering(torc, waived, tmp_path,
                                                     member):
    res, rep, w = waived
    pkg = package(torc, tmp_path, res, rep, waivers=w)
    p = pkg / member
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED, (r.returncode, r.stderr)
    assert "%s/%s: SHA-256 " % (pkg, member) in r.stderr, r.stderr
    assert "(changed)" in r.stderr and "NOT VERIFIED" in r.stderr


def test_a_deleted_member_is_tampering(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "report" / "summary.md").unlink()
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED
    assert "%s/report/summary.md: missing (MANIFEST lists it)" % pkg \
        in r.stderr


def test_an_added_file_is_tampering(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "report" / "extra.txt").write_text("hello\n")
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED
    assert "%s/report/extra.txt: not in MANIFEST" % pkg in r.stderr


def test_a_symbolic_link_is_tampering(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "link.json").symlink_to(pkg / "results.json")
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED
    assert "%s/link.json: a symbolic link" % pkg in r.stderr


def test_an_edited_claim_with_its_sum_redone_is_a_mismatch(torc, passing,
                                                          tmp_path):
    pkg = package(torc, tmp_path, *passing)
    info = json.loads((pkg / "package.json").read_text())
    info["claim"]["headline"] = "NOT CONFORMANT"
    (pkg / "package.json").write_text(json.dumps(info, indent=2) + "\n")
    rewrite_manifest(pkg)
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED, r.stderr
    assert '%s/package.json: $.claim: records "NOT CONFORMANT", the results ' \
        'give "CONFORMANT"' % pkg in r.stderr


def test_a_forged_result_is_caught_by_the_claim_rendered_again(
        torc, waived, tmp_path):
    """Every FAIL turned PASS in results.json, sums redone: the verdicts now
    give another claim than both recorded ones."""
    res, rep, w = waived
    pkg = package(torc, tmp_path, res, rep, waivers=w)
    doc = json.loads((pkg / "results.json").read_text())
    for rec in doc["results"]:
        if rec["verdict"] == "FAIL":
            rec["verdict"] = "PASS"
    (pkg / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    rewrite_manifest(pkg)
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED, r.stderr
    assert '%s/package.json: $.claim: records "NOT CONFORMANT"' % pkg \
        in r.stderr
    assert '%s/results.json: $.claim: records "NOT CONFORMANT"' % pkg \
        in r.stderr


def test_an_edited_driver_is_a_mismatch(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    info = json.loads((pkg / "package.json").read_text())
    info["target"]["driver"] = "vendor 9.9"
    (pkg / "package.json").write_text(json.dumps(info))
    rewrite_manifest(pkg)
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED
    assert '$.target.driver: "vendor 9.9", the results say "reference"' \
        in r.stderr


def test_waivers_removed_with_the_manifest_redone(torc, waived, tmp_path):
    res, rep, w = waived
    pkg = package(torc, tmp_path, res, rep, waivers=w)
    (pkg / "waivers.json").unlink()
    rewrite_manifest(pkg)
    r = verify(torc, pkg)
    assert r.returncode == TAMPERED
    assert "%s/waivers.json: missing: the results say the run used a " \
        "waiver file" % pkg in r.stderr


def test_results_that_do_not_parse_are_malformed(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "results.json").write_text("{ not json\n")
    rewrite_manifest(pkg)
    r = verify(torc, pkg)
    assert r.returncode == MALFORMED
    assert "%s/results.json: line 1:" % pkg in r.stderr


@pytest.mark.parametrize("text,where", [
    ("torc-package-manifest 2\n", "MANIFEST:1: not a torc package manifest"),
    ("torc-package-manifest 1\nsha256 abc 1 results.json\n",
     "MANIFEST:2: the digest is not 64 lowercase hex digits"),
    ("torc-package-manifest 1\nsha256 %s 1 ../etc/passwd\n" % ("0" * 64),
     "MANIFEST:2: the path is not a valid member path"),
    ("torc-package-manifest 1\nsha256 %s 01 a\n" % ("0" * 64),
     "MANIFEST:2: the size is not a decimal number"),
    ("torc-package-manifest 1\nsha256 %s 1 b\nsha256 %s 1 a\n"
     % ("0" * 64, "0" * 64), "MANIFEST:3: the paths are not in strictly"),
    ("torc-package-manifest 1\nsha256 %s 1 a" % ("0" * 64),
     "MANIFEST:2: the last line does not end with a newline"),
])
def test_a_manifest_that_does_not_parse_is_malformed(torc, passing, tmp_path,
                                                     text, where):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "MANIFEST").write_text(text)
    r = verify(torc, pkg)
    assert r.returncode == MALFORMED, r.stderr
    assert "%s/%s" % (pkg, where) in r.stderr, r.stderr


def test_no_package_is_malformed(torc, passing, tmp_path):
    r = verify(torc, tmp_path / "nothing")
    assert r.returncode == MALFORMED
    assert "%s: cannot read: No such file" % (tmp_path / "nothing") \
        in r.stderr
    (tmp_path / "empty").mkdir()
    r = verify(torc, tmp_path / "empty")
    assert r.returncode == MALFORMED
    assert "%s/MANIFEST: cannot read" % (tmp_path / "empty") in r.stderr


def test_a_signature_file_is_reported_not_checked(torc, passing, tmp_path):
    pkg = package(torc, tmp_path, *passing)
    (pkg / "MANIFEST.sig").write_bytes(b"\x00signature")
    r = verify(torc, pkg)
    assert r.returncode == VERIFIED, r.stderr
    assert "MANIFEST.sig is there but not checked" in r.stderr


def test_package_refuses_wrong_inputs(torc, passing, waived, tmp_path):
    res, rep = passing
    wres, wrep, w = waived
    r = torc("package", "--results", wres, "--report", wrep, "-o",
             tmp_path / "a", env=TODAY)
    assert r.returncode == 2
    assert "$.waivers: the run used a waiver file: name it with --waivers" \
        in r.stderr
    r = torc("package", "--results", res, "--report", rep, "--waivers", w,
             "-o", tmp_path / "b", env=TODAY)
    assert r.returncode == 2 and "the run used no waiver file" in r.stderr
    doc = json.loads(res.read_text())
    doc["claim"]["headline"] = "NOT CONFORMANT"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    r = torc("package", "--results", edited, "--report", rep, "-o",
             tmp_path / "c")
    assert r.returncode == 2
    assert '%s: $.claim: records "NOT CONFORMANT", but its verdicts give ' \
        '"CONFORMANT"' % edited in r.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    r = torc("package", "--results", res, "--report", rep, "-o",
             tmp_path / "full")
    assert r.returncode == 2 and "exists and is not empty" in r.stderr
    r = torc("package", "--results", res, "--report", tmp_path / "full",
             "-o", tmp_path / "d")
    assert r.returncode == 2 and "no report.html" in r.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "d").exists()


def test_package_that_cannot_be_written_is_exit_5(torc, passing, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "pkg"
    r = torc("package", "--results", passing[0], "--report", passing[1],
             "-o", out)
    assert r.returncode == 5, r.stderr
    assert "%s: cannot write: Not a directory" % out in r.stderr
