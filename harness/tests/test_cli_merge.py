"""test_cli_merge.py - end-to-end tests of `torc merge` and of the exit-status
rules it shares with `torc run`.

Mixed inputs (other target, other vector set, overlapping shards, a
malformed file) are refused with exit 2; synthetic result documents pin the
precedence 2 > 3 > 1 > 0 and --strict.

TORC_BUILD selects the build tree (default build/).
"""
import json

import pytest


def test_merge_refuses_mixed_inputs(torc, vectors, tmp_path):
    a, b, c = (tmp_path / n for n in ("a.json", "b.json", "c.json"))
    torc("run", "--target", "reference", torc.vectors, "--shard", "1/2",
         "--json", a)
    torc("run", "--target", "null", torc.vectors, "--shard", "2/2",
         "--json", b)
    one = vectors[sorted(vectors)[0]]["_path"]
    torc("run", "--target", "reference", one, "--json", c)
    out = tmp_path / "m.json"
    r = torc("merge", a, b, "-o", out)          # different targets
    assert r.returncode == 2 and "target" in r.stderr
    r = torc("merge", a, c, "-o", out)          # different vector sets
    assert r.returncode == 2 and "digest" in r.stderr
    r = torc("merge", a, a, "-o", out)          # overlapping shards
    assert r.returncode == 2 and "overlapping" in r.stderr
    (tmp_path / "bad.json").write_text('{"format": 1, "results": 3}')
    r = torc("merge", a, tmp_path / "bad.json", "-o", out)
    assert r.returncode == 2 and "bad.json" in r.stderr
    assert not out.exists()


def synthetic(tmp_path, name, verdicts):
    """A results document with the given verdicts (for exit-status rules)."""
    doc = {"torc_version": "0.1.0", "format": 1,
           "vector_set_digest": "0" * 64,
           "target": {"name": "t", "version": "1", "abi_version": 1,
                      "capabilities": 0},
           "started": "2030-01-01T00:00:00Z",
           "finished": "2030-01-01T00:00:01Z",
           "results": [{"id": "rcv-%02d" % i, "title": "", "verdict": v,
                        "requirements": [], "allowances": [],
                        "violations": [], "divergence": None, "detail": "",
                        "duration_ms": 0} for i, v in enumerate(verdicts)]}
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("verdicts,strict,want", [
    (["PASS", "UNTESTED", "WAIVED", "PASS-NONSTRICT"], False, 0),
    (["PASS", "PASS-NONSTRICT"], True, 1),       # --strict
    (["PASS", "FAIL"], False, 1),
    (["FAIL", "CRASH"], False, 3),               # 3 outranks 1
    (["PASS", "TIMEOUT"], False, 3),
    (["PASS", "ERROR"], False, 3),
])
def test_exit_status_precedence(torc, tmp_path, verdicts, strict, want):
    p = synthetic(tmp_path, "in.json", verdicts)
    args = ["merge", p, "-o", tmp_path / "o.json"]
    if strict:
        args.append("--strict")
    assert torc(*args).returncode == want
