"""test_python_wire_target.py - the Python example target
(examples/python-target/torc_reference_target.py), written from
docs/wire-protocol.md alone, serves the reference over the wire protocol
and gets the same verdict for every vector as the reference in process.

Where it sits: the end-to-end proof that the protocol page is enough to
implement the target side.  The expected verdicts come from a second run,
`torc run --target reference` in process, not from the Python run itself;
a bridge that dropped or garbled a message would show as a differing
verdict (or a CRASH) on some vector.  A mutant .so served through the
bridge must fail exactly where the same mutant fails served by
torc-target-runner, so the bridge passes a wrong target's behaviour on
rather than hiding it.

TORC_BUILD selects the build tree (default build/); make check builds
what this file needs (torc, build/lib/torc-reference.so); the mutant is
built here through make when it is missing.
"""
import subprocess

import pytest

from conftest import ROOT, by_id, load_vector_files, results

PYTHON = "/usr/bin/python3"
BRIDGE = ROOT / "examples" / "python-target" / "torc_reference_target.py"
MUTANT = "ignores_psh"  # completes nothing on PSH alone (RCV-182)


def bridge_spec(so):
    return f"exec:{PYTHON} {BRIDGE} --so {so}"


def run(torc, tmp_path, name, *args):
    out = tmp_path / name
    r = torc("run", *args, "--json", out, timeout=900)
    assert out.exists(), r.stderr
    return r, results(out)


def verdicts(doc):
    return {i: rec["verdict"] for i, rec in by_id(doc).items()}


@pytest.fixture(scope="module")
def ref_so(torc):
    so = torc.build / "lib" / "torc-reference.so"
    if not so.exists():
        pytest.fail(f"{so} not built (make check builds it)")
    return so


def test_whole_suite_same_verdicts_as_reference_in_process(torc, tmp_path,
                                                           ref_so):
    # No --vectors: the suite torc ships (handwritten and the corpus), so
    # the claim is a conformance claim in both runs.
    r_in, doc_in = run(torc, tmp_path, "in.json", "--target", "reference")
    r_py, doc_py = run(torc, tmp_path, "py.json", "--target",
                       bridge_spec(ref_so))
    assert r_py.returncode == r_in.returncode == 0, r_py.stderr
    assert doc_py["target"]["containment"] == "process"
    assert doc_py["target"]["name"] == "reference"
    assert doc_py["target"]["capabilities"] == doc_in["target"]["capabilities"]
    assert doc_py["target"]["capabilities"] == 0x3FFF  # TORC_CAP_ALL
    # the whole committed corpus ran through the bridge
    corpus = set(load_vector_files(ROOT / "vectors" / "corpus"))
    assert len(corpus) >= 300
    v_in, v_py = verdicts(doc_in), verdicts(doc_py)
    assert set(v_py) == set(v_in) and corpus <= set(v_py)
    differ = {i: (v_in[i], v_py[i]) for i in v_in if v_in[i] != v_py[i]}
    assert differ == {}
    assert doc_py["suite"]["is_suite"] and doc_in["suite"]["is_suite"]
    assert doc_py["claim"] == doc_in["claim"]
    assert doc_py["claim"]["headline"] == "CONFORMANT"


def mutant_so(torc):
    so = torc.build / "lib" / "mutants" / (MUTANT + ".so")
    if not so.exists():
        subprocess.run(["make", "-s", f"O={torc.build}", str(so)], cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
    return so


def test_mutant_through_bridge_fails_where_runner_fails(torc, tmp_path):
    so = mutant_so(torc)
    vecs = ["--vectors", str(ROOT / "vectors" / "handwritten")]
    r_run, doc_run = run(torc, tmp_path, "runner.json", "--target", so, *vecs)
    r_py, doc_py = run(torc, tmp_path, "py.json", "--target", bridge_spec(so),
                       *vecs)
    v_run, v_py = verdicts(doc_run), verdicts(doc_py)
    # the mutant is caught at all (a FAIL, exit 1) ...
    assert r_run.returncode == 1 and "FAIL" in v_run.values()
    # ... and through the bridge on exactly the same vectors
    assert r_py.returncode == 1
    assert v_py == v_run
    for i, rec in by_id(doc_py).items():
        if rec["verdict"] == "FAIL":
            assert rec["divergence"] == by_id(doc_run)[i]["divergence"]
