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


# ---- Hand-built results documents (format 2, as the run writes them) -------

ALL_CAPS = (1 << 14) - 1  # TORC_CAP_ALL
SUITE_DIGEST = "5" * 64
OTHER_DIGEST = "7" * 64


def cap_bit(name):
    """TORC_CAP_<name>: the catalogue lists the features in bit order."""
    names = [f["capability"] for f in load(CATALOGUE)["features"]]
    return 1 << names.index(name)


def record(vid, verdict, requirements, violations=(), detail=""):
    return {"id": vid, "title": "hand-built " + vid, "verdict": verdict,
            "requirements": list(requirements), "allowances": [],
            "violations": list(violations), "divergence": None,
            "detail": detail, "duration_ms": 1, "replay": ""}


def document(results, caps=ALL_CAPS, scope=None, is_suite=True,
             waivers=None, claim=None):
    """A format-2 document: target "hand" declaring caps (its names, missing
    mandatory and absent optional features from the catalogue's features),
    a finished unsharded run of the whole set unless scope says otherwise."""
    feats = load(CATALOGUE)["features"]
    declared = [f for i, f in enumerate(feats) if caps >> i & 1]
    missing = [{"capability": f["capability"],
                "requirements": f["requirements"], "what": f["what"]}
               for i, f in enumerate(feats)
               if f["mandatory"] and not caps >> i & 1]
    absent = [{"capability": f["capability"],
               "because": f["untested_because"]}
              for i, f in enumerate(feats)
              if not f["mandatory"] and not caps >> i & 1]
    sc = {"set_size": len(results), "selected": len(results),
          "selection": {"ids": [], "requirements": [], "tags": [],
                        "exclude": []},
          "shards": [], "finished": True, "stopped_by": None,
          "strict": False}
    sc.update(scope or {})
    counts = {v: 0 for v in ("PASS", "PASS-NONSTRICT", "UNTESTED", "WAIVED",
                             "FAIL", "ERROR", "CRASH", "TIMEOUT")}
    for r in results:
        counts[r["verdict"]] += 1
    doc = {"torc_version": "0.1.0", "format": 2,
           "vector_set_digest": SUITE_DIGEST if is_suite else OTHER_DIGEST,
           "suite": {"digest": SUITE_DIGEST, "is_suite": is_suite},
           "target": {"name": "hand", "version": "9.8.7", "abi_version": 1,
                      "capabilities": caps,
                      "capability_names": [f["capability"] for f in declared],
                      "missing_mandatory": missing,
                      "absent_optional": absent},
           "scope": sc, "started": "2026-12-03T10:00:00Z",
           "finished": "2026-12-03T10:00:01Z", "results": results,
           "summary": {"counts": counts, "total": len(results)}}
    if waivers is not None:
        doc["waivers"] = waivers
    if claim is not None:
        doc["claim"] = claim
    return doc


def report_of(tmp, doc):
    """Writes doc, renders it; returns (results path, report directory)."""
    res, out = tmp / "results.json", tmp / "report"
    res.write_text(json.dumps(doc, indent=1))
    p = torc("report", res, "-o", out, "--catalogue", CATALOGUE, check=0)
    assert p.stdout.strip() == str(out / "report.html")
    return res, out


@pytest.fixture(scope="session")
def no_nonpush(tmp_path_factory):
    """A subset target: the reference without NONPUSH_MODE (RCV-176)."""
    return run_and_report(tmp_path_factory.mktemp("lnp"),
                          TARGETS / "no_nonpush.so", SUITE)


@pytest.fixture(scope="session")
def no_alloc_hook(tmp_path_factory):
    """The reference without ALLOC_HOOK, the one optional feature."""
    return run_and_report(tmp_path_factory.mktemp("lah"),
                          TARGETS / "no_alloc_hook.so", SUITE)
