"""Fixtures for the report tests: the built torc, and runs of known-bad test
targets over the hand-written vectors (results, JUnit, report)."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("TORC_BUILD", ROOT / "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
TORC = BUILD / "bin" / "torc"
TARGETS = BUILD / "lib" / "testtargets"
CATALOGUE = ROOT / "conformance" / "catalogue.json"
HANDWRITTEN = ROOT / "vectors" / "handwritten"
SUITE = ROOT / "vectors"  # handwritten + corpus: the suite torc ships


def torc(*args, cwd=None, check=None):
    p = subprocess.run([str(TORC), *map(str, args)], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


def run_and_report(tmp, target, vectors=HANDWRITTEN):
    res, junit, out = tmp / "results.json", tmp / "junit.xml", tmp / "report"
    torc("run", "--target", target, "--vectors", vectors, "--json", res,
         "--junit", junit, "--quiet")
    assert res.exists()
    p = torc("report", res, "-o", out, "--junit", junit, "--catalogue",
             CATALOGUE, check=0)
    assert p.stdout.strip() == str(out / "report.html")
    return res, out


@pytest.fixture(scope="session")
def completes_twice(tmp_path_factory):
    """completes_twice over the hand-written vectors: it completes a request
    a second time (RCV-109), so every vector with a posted request fails."""
    return run_and_report(tmp_path_factory.mktemp("ct"),
                          TARGETS / "completes_twice.so")


@pytest.fixture(scope="session")
def keeps_host_buffer(tmp_path_factory):
    """keeps_host_buffer keeps pointers into the host's BufferedData, which
    the harness poisons with 0xa5 once the offload completes (RCV-007,
    RCV-011): byte divergences."""
    return run_and_report(tmp_path_factory.mktemp("khb"),
                          TARGETS / "keeps_host_buffer.so")


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """The reference over the whole suite: the one run that may claim
    CONFORMANT."""
    return run_and_report(tmp_path_factory.mktemp("ref"), "reference", SUITE)


@pytest.fixture(scope="session")
def reference_handwritten(tmp_path_factory):
    """The reference over the hand-written vectors only: not the suite."""
    return run_and_report(tmp_path_factory.mktemp("refh"), "reference")


@pytest.fixture(scope="session")
def null_target(tmp_path_factory):
    """The null target declares no feature: every mandatory one missing."""
    return run_and_report(tmp_path_factory.mktemp("null"), "null", SUITE)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
