"""test_hostsim_alloc.py - the host's allocation hook judges free() from its
own table of live blocks (harness/engine/torc_hostsim_alloc.c, issue 16).

Two purpose-built targets (harness/testtargets/) free what the host does not
own: double_free frees each block twice, forged_free frees a pointer just
after an inaccessible page.  Both must FAIL every vector naming RCV-233 with
the host's sentence, and the host must never read the memory behind the pointer: valgrind sees
no invalid read during a double free, and the forged pointer (whose
would-be header faults when read) is a FAIL, not a CRASH.

Expected values by hand: the reference allocates its connection at
conn_open and frees it at conn_close, so every vector (each opens and
closes one connection) has a second free of that block; forged_free frees
its forged pointer after every conn_open.
"""

import subprocess

import pytest

from conftest import results, by_id

MESSAGE = "free() of a block the host did not allocate or already freed"


def run_target(torc, tmp_path, name, *extra):
    out = tmp_path / (name + ".json")
    r = torc("run", "--target", torc.target(name), torc.vectors, "--json",
             out, *extra)
    return r, results(out)


@pytest.mark.parametrize("isolate", ["contained", "vector", "batch", "none"])
@pytest.mark.parametrize("name", ["double_free", "forged_free"])
def test_bad_free_fails_rcv233(torc, vectors, tmp_path, name, isolate):
    # contained: the runner keeps its own table of the blocks it lent and
    # tells the host of a pointer it does not hold (UP_FREE of token 0)
    args = [] if isolate == "contained" else ["--in-process", "--isolate",
                                              isolate]
    r, doc = run_target(torc, tmp_path, name, *args)
    assert r.returncode == 1, r.stderr
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid in vectors:
        assert res[vid]["verdict"] == "FAIL", vid
        viol = [w for w in res[vid]["violations"]
                if w["requirement"] == "RCV-233"]
        assert viol and viol[0]["message"] == MESSAGE, (vid, viol)


def test_double_free_reads_no_freed_memory(torc, vectors, tmp_path):
    """In one process (--isolate none) under valgrind: exit 1 (the FAIL),
    not valgrind's 99 for an invalid read of the freed block."""
    vec = sorted(vectors.values(), key=lambda v: v["_path"])[0]["_path"]
    out = tmp_path / "vg.json"
    r = subprocess.run(["valgrind", "-q", "--error-exitcode=99", str(torc.bin),
                        "run", "--target", torc.target("double_free"),
                        "--in-process", "--isolate", "none", "--json",
                        str(out), vec],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    assert "Invalid read" not in r.stderr
    (res,) = results(out)["results"]
    assert res["verdict"] == "FAIL"
    assert "RCV-233" in {w["requirement"] for w in res["violations"]}
