"""test_cli_targets.py - end-to-end tests of `torc run` against the
purpose-built bad targets (build/lib/testtargets/).

Each bad target ends in its verdict (CRASH, TIMEOUT, FAIL naming the
requirement it breaks) while the run finishes, in process under every
isolation mode and out of process through torc-target-runner, and both
agree.  Expected values come from the vector files and the documented
behaviour of each bad target.

TORC_BUILD selects the build tree (default build/).
"""

import pytest

from conftest import results, by_id, ops, posts, completes, fails_alloc


# ---- Bad targets -----------------------------------------------------------

def run_target(torc, tmp_path, name, *extra, remote=False):
    out = tmp_path / (name + ".json")
    spec = torc.target(name)
    if remote:
        spec = "exec:%s --target %s" % (torc.runner, spec)
    r = torc("run", "--target", spec, torc.vectors, "--json", out, *extra)
    return r, results(out)


@pytest.mark.parametrize("isolate", ["vector", "batch"])
def test_crash_segv_is_crash_and_the_run_goes_on(torc, vectors, tmp_path,
                                                 isolate):
    r, doc = run_target(torc, tmp_path, "crash_segv", "--isolate", isolate)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)          # the run finished
    for vid, v in vectors.items():
        if posts(v) and not fails_alloc(v):
            assert res[vid]["verdict"] == "CRASH", vid
            assert "SIGSEGV" in res[vid]["detail"]
        else:
            assert res[vid]["verdict"] == "PASS", vid


def test_a_worker_that_dies_costs_only_the_vector_it_ran(torc, vectors,
                                                          tmp_path):
    """--jobs 2 --in-process --isolate none: crash_segv kills the worker
    itself at its first post.  Each worker holds two vectors ahead
    (torc_run_workers.c); only the one it was running is CRASH, the one
    queued behind it runs on a fresh worker, so the verdicts are those of
    the target alone (the rule of the test above)."""
    r, doc = run_target(torc, tmp_path, "crash_segv", "--jobs", "2",
                        "--in-process", "--isolate", "none")
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid, v in vectors.items():
        if posts(v) and not fails_alloc(v):
            assert res[vid]["verdict"] == "CRASH", vid
            assert res[vid]["detail"] == "the worker process died", vid
        else:
            assert res[vid]["verdict"] == "PASS", vid


def test_hang_is_timeout(torc, vectors, tmp_path):
    r, doc = run_target(torc, tmp_path, "hang", "--timeout", "300",
                        "--jobs", "2")
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid, v in vectors.items():
        want = "TIMEOUT" if "frame" in ops(v) else "PASS"
        assert res[vid]["verdict"] == want, vid
        if want == "TIMEOUT":
            assert "300 ms" in res[vid]["detail"]


def test_overrun_is_caught(torc, vectors, tmp_path):
    r, doc = run_target(torc, tmp_path, "overrun")
    assert r.returncode in (1, 3)
    res = by_id(doc)
    hit = [vid for vid, v in vectors.items() if posts(v) and
           not fails_alloc(v)]
    assert hit
    for vid in hit:
        assert res[vid]["verdict"] in ("CRASH", "FAIL"), vid


def test_keeps_host_buffer_fails_rcv007_rcv011(torc, vectors, tmp_path):
    """Pins RCV-007 (copy BufferedData) and RCV-011 (host frees it)."""
    r, doc = run_target(torc, tmp_path, "keeps_host_buffer")
    assert r.returncode == 1
    res = by_id(doc)
    # BufferedData delivered after a successful offload comes back as poison.
    bad = {vid for vid, v in vectors.items()
           if v["buffered"] and not fails_alloc(v)}
    assert bad
    for vid in vectors:
        if vid in bad:
            x = res[vid]
            assert x["verdict"] == "FAIL", vid
            reqs = {w["requirement"] for w in x["violations"]}
            assert {"RCV-007", "RCV-011"} <= reqs, vid
            assert x["divergence"]["stream_offset"] == 0
        else:
            assert res[vid]["verdict"] == "PASS", vid


@pytest.mark.parametrize("isolate", ["batch", "vector", "none"])
def test_completes_twice_fails(torc, vectors, tmp_path, isolate):
    """Pins RCV-109 (complete each posted request once).

    The fault fires on the first completion of a target *instance*, so every
    vector with a completion fails only if every vector gets a fresh instance,
    also when one process runs many vectors (batch, none)."""
    r, doc = run_target(torc, tmp_path, "completes_twice", "--isolate",
                        isolate)
    assert r.returncode == 1
    res = by_id(doc)
    for vid, v in vectors.items():
        if completes(v) and not fails_alloc(v):
            assert res[vid]["verdict"] == "FAIL", vid
            assert "RCV-109" in {w["requirement"]
                                 for w in res[vid]["violations"]}, vid


def test_indicates_during_completion_fails_rcv046(torc, vectors, tmp_path):
    """Pins RCV-046 (no indication while a completion is in progress)."""
    r, doc = run_target(torc, tmp_path, "indicates_during_completion")
    res = by_id(doc)
    reentrant = {vid for vid, v in vectors.items()
                 if "post_in_completion" in ops(v)}
    assert reentrant
    assert r.returncode == 1
    for vid in vectors:
        if vid in reentrant:
            assert res[vid]["verdict"] == "FAIL"
            assert "RCV-046" in {w["requirement"]
                                 for w in res[vid]["violations"]}
        else:
            assert res[vid]["verdict"] == "PASS", vid


def expects_disconnect(v):
    return any(e.get("ev") == "event" and e.get("event") == "DISCONNECT"
               for e in v["expected"]["trace"])


def test_uploads_half_closed_fails_rcv243(torc, vectors, tmp_path):
    """Pins RCV-243 (no target-initiated upload of a half-closed
    connection): the bad target asks for an upload right after the
    disconnect indication, i.e. once the peer's FIN made it CLOSE_WAIT."""
    r, doc = run_target(torc, tmp_path, "uploads_half_closed")
    res = by_id(doc)
    closed = {vid for vid, v in vectors.items() if expects_disconnect(v)}
    assert closed
    assert r.returncode == 1
    for vid in vectors:
        if vid in closed:
            assert res[vid]["verdict"] == "FAIL", vid
            assert "RCV-243" in {w["requirement"]
                                 for w in res[vid]["violations"]}, vid
        else:
            assert res[vid]["verdict"] == "PASS", vid


@pytest.mark.parametrize("isolate", ["vector", "batch"])
def test_alloc_runaway_is_crash_under_the_memory_limit(torc, vectors,
                                                       tmp_path, isolate):
    r, doc = run_target(torc, tmp_path, "alloc_runaway", "--memory-limit",
                        "64", "--timeout", "5000", "--isolate", isolate)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    # It allocates at initiate offload, which every vector does.
    assert all(x["verdict"] == "CRASH" for x in res.values())


@pytest.mark.parametrize("name", ["keeps_host_buffer", "crash_segv",
                                  "indicates_during_completion",
                                  "completes_twice", "wrong_handle"])
def test_in_process_and_out_of_process_agree(torc, tmp_path, name):
    _, local = run_target(torc, tmp_path, name)
    (tmp_path / (name + ".json")).rename(tmp_path / "local.json")
    _, remote = run_target(torc, tmp_path, name, remote=True)
    a, b = by_id(local), by_id(remote)
    assert set(a) == set(b)
    for vid in a:
        assert a[vid]["verdict"] == b[vid]["verdict"], vid
        assert {w["requirement"] for w in a[vid]["violations"]} == \
            {w["requirement"] for w in b[vid]["violations"]}, vid


def test_out_of_process_hang_and_crash_end_the_vector_only(torc, vectors,
                                                          tmp_path):
    r, doc = run_target(torc, tmp_path, "hang", "--timeout", "300",
                        remote=True)
    assert r.returncode == 3
    res = by_id(doc)
    assert set(res) == set(vectors)
    for vid, v in vectors.items():
        want = "TIMEOUT" if "frame" in ops(v) else "PASS"
        assert res[vid]["verdict"] == want, vid


def test_reference_out_of_process_agrees(torc, vectors, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert torc("run", "--target", "reference", torc.vectors, "--json",
                a).returncode == 0
    r = torc("run", "--target",
             "exec:%s --target reference" % torc.runner, torc.vectors,
             "--json", b)
    assert r.returncode == 0, r.stderr
    ra, rb = results(a), results(b)
    assert [(x["id"], x["verdict"]) for x in ra["results"]] == \
        [(x["id"], x["verdict"]) for x in rb["results"]]
    assert ra["vector_set_digest"] == rb["vector_set_digest"]
