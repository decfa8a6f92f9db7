"""test_cli_waivers.py - end-to-end tests of `torc run --waivers FILE`.

A waiver by requirement or by vector id turns failures into WAIVED (the
expiry day itself still valid); an expired waiver, or a malformed waiver
file, is exit 2 naming the offending entry.

TORC_BUILD selects the build tree (default build/).
"""
import json

import pytest

from conftest import results, by_id


# ---- Waivers -----------------------------------------------------------------

def write_waivers(tmp_path, items):
    p = tmp_path / "waivers.json"
    p.write_text(json.dumps(items))
    return p


def test_waivers_turn_failures_into_waived(torc, vectors, tmp_path):
    """wrong_handle breaks RCV-122 everywhere; a waiver for it is honoured."""
    # wrong_handle breaks RCV-122 on every vector.
    w = write_waivers(tmp_path, [{"requirement": "RCV-122",
                                  "reason": "driver bug 1234",
                                  "link": "https://bugs.example/1234",
                                  "expires": "2099-12-31"}])
    out = tmp_path / "w.json"
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out,
             env={"TORC_TODAY": "2030-06-01"})
    assert r.returncode == 0, r.stderr
    for x in results(out)["results"]:
        assert x["verdict"] == "WAIVED"
        assert x["waiver"]["reason"] == "driver bug 1234"
        assert x["waiver"]["verdict"] == "FAIL"
    # A waiver for one vector id leaves the others failing.
    one = sorted(vectors)[0]
    w = write_waivers(tmp_path, [{"vector": one, "reason": "known",
                                  "expires": "2030-06-01"}])
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out, env={"TORC_TODAY": "2030-06-01"})
    assert r.returncode == 1        # the expiry day itself is still valid
    res = by_id(results(out))
    assert res[one]["verdict"] == "WAIVED"
    assert all(x["verdict"] == "FAIL" for k, x in res.items() if k != one)


def test_expired_waiver_is_exit_2_naming_it(torc, tmp_path):
    w = write_waivers(tmp_path, [
        {"vector": "rcv-*", "reason": "ok", "expires": "2031-01-01"},
        {"requirement": "RCV-046", "reason": "old", "expires": "2030-01-01"}])
    out = tmp_path / "x.json"
    r = torc("run", "--target", torc.target("crash_segv"), torc.vectors,
             "--waivers", w, "--json", out, env={"TORC_TODAY": "2030-01-02"})
    assert r.returncode == 2          # 2 outranks the 3 crashes would give
    assert "RCV-046" in r.stderr and "2030-01-01" in r.stderr
    assert "$[1]" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("items,where", [
    ([{"vector": "x", "expires": "2099-01-01"}], "$[0].reason"),
    ([{"vector": "x", "reason": "r", "expires": "2099-02-30"}],
     "$[0].expires"),
    ([{"reason": "r", "expires": "2099-01-01"}], "$[0]"),
    ([{"vector": "x", "requirement": "RCV-001", "reason": "r",
       "expires": "2099-01-01"}], "$[0]"),
    ({"vector": "x"}, "$"),
])
def test_malformed_waivers_are_exit_2(torc, tmp_path, items, where):
    w = write_waivers(tmp_path, items)
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w)
    assert r.returncode == 2
    assert "waivers.json: " + where in r.stderr
