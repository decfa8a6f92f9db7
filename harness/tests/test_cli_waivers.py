"""test_cli_waivers.py - end-to-end tests of `torc run --waivers FILE`.

Issue 11's rules, through the CLI: a waiver names one whole vector id or one
requirement id (wildcards refused, exit 2 naming the entry), says why and
who owns it, and expires (an expired waiver is exit 2, the expiry day itself
still valid).  It waives a violation, not a vector: a vector waiver turns
that vector's FAIL into WAIVED; a requirement waiver waives only failures
attributed to it (the rules the judge found broken, "attributed_to"),
never because the vector cites the requirement.  A waiver that matches nothing
is a warning on stderr, and exit 2 with --strict once the results are
written.  The results list what each waiver waived.

TORC_BUILD selects the build tree (default build/).
"""
import json

import pytest

from conftest import results, by_id

TODAY = {"TORC_TODAY": "2030-06-01"}


def write_waivers(tmp_path, items):
    p = tmp_path / "waivers.json"
    p.write_text(json.dumps(items))
    return p


def waiver(**kw):
    w = {"reason": "driver bug 1234", "owner": "nic-team@example",
         "expires": "2030-06-01"}
    w.update(kw)
    return w


def test_vector_waiver_waives_that_vector_only(torc, vectors, tmp_path):
    """wrong_handle fails every vector; a waiver for one id waives it."""
    one = sorted(vectors)[0]
    w = write_waivers(tmp_path, [waiver(vector=one,
                                        link="https://bugs.example/1234")])
    out = tmp_path / "w.json"
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out, env=TODAY)
    assert r.returncode == 1, r.stderr      # the others still FAIL
    doc = results(out)
    res = by_id(doc)
    assert res[one]["verdict"] == "WAIVED"
    assert res[one]["waiver"] == {
        "vector": one, "reason": "driver bug 1234",
        "owner": "nic-team@example", "expires": "2030-06-01",
        "link": "https://bugs.example/1234", "verdict": "FAIL"}
    assert all(x["verdict"] == "FAIL" for k, x in res.items() if k != one)
    assert doc["waivers"] == {
        "applied": [{"vector": one, "reason": "driver bug 1234",
                     "owner": "nic-team@example", "expires": "2030-06-01",
                     "link": "https://bugs.example/1234",
                     "vectors": [one]}],
        "unmatched": []}
    assert "matched no" not in r.stderr


def test_requirement_waiver_waives_only_failures_attributed_to_it(torc,
                                                                  vectors,
                                                                  tmp_path):
    """wrong_handle passes a wrong handle in its upcalls: the host's RCV-122
    check fails every vector and the failure is attributed to RCV-122.  A
    RCV-122 waiver waives exactly the failures attributed to nothing else;
    a RCV-015 waiver (most vectors cite RCV-015, the offload completion,
    issue 11's example) waives none and is reported unmatched."""
    w = write_waivers(tmp_path, [waiver(requirement="RCV-122")])
    out = tmp_path / "w.json"
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out, env=TODAY)
    doc = results(out)
    waived = [x for x in doc["results"] if x["verdict"] == "WAIVED"]
    assert waived, r.stderr
    for x in doc["results"]:
        only_122 = x["waiver"]["verdict"] == "FAIL" if "waiver" in x else \
            x.get("attributed_to") == ["RCV-122"]
        assert (x["verdict"] == "WAIVED") == only_122, x["id"]
        if x["verdict"] == "WAIVED":
            assert x["waiver"]["requirement"] == "RCV-122"
    assert doc["waivers"]["applied"][0]["vectors"] == sorted(
        x["id"] for x in waived)
    assert r.returncode == (1 if len(waived) < len(vectors) else 0)

    citing = [k for k, v in vectors.items() if "RCV-015" in v["requirements"]]
    assert len(citing) > len(vectors) // 2
    w = write_waivers(tmp_path, [waiver(requirement="RCV-015")])
    r = torc("run", "--target", torc.target("wrong_handle"), torc.vectors,
             "--waivers", w, "--json", out, env=TODAY)
    assert r.returncode == 1, r.stderr
    doc = results(out)
    assert all(x["verdict"] == "FAIL" for x in doc["results"])
    assert doc["waivers"]["applied"] == []
    assert doc["waivers"]["unmatched"] == [waiver(requirement="RCV-015")]
    assert ("torc: waiver $[0] (requirement RCV-015, owner "
            "nic-team@example) matched no failure attributed to it"
            in r.stderr)


def test_unmatched_waiver_warns_and_strict_makes_it_exit_2(torc, vectors,
                                                           tmp_path):
    """The reference passes everything: a vector waiver matches nothing."""
    one = sorted(vectors)[0]
    w = write_waivers(tmp_path, [waiver(vector=one)])
    out = tmp_path / "w.json"
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w,
             "--json", out, env=TODAY)
    assert r.returncode == 0, r.stderr
    assert (f"torc: waiver $[0] (vector {one}, owner nic-team@example) "
            "matched no failure\n") in r.stderr
    assert results(out)["waivers"]["unmatched"] == [waiver(vector=one)]
    out.unlink()
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w,
             "--json", out, "--strict", env=TODAY)
    assert r.returncode == 2, r.stderr
    assert "1 waiver matched nothing" in r.stderr
    # The results are written all the same.
    doc = results(out)
    assert len(doc["results"]) == len(vectors)
    assert doc["waivers"]["unmatched"] == [waiver(vector=one)]


def test_waiver_for_a_vector_not_selected_is_not_an_error(torc, vectors,
                                                          tmp_path):
    ids = sorted(vectors)
    w = write_waivers(tmp_path, [waiver(vector=ids[0])])
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w,
             "--id", ids[1], "--strict", env=TODAY)
    assert r.returncode == 0, r.stderr
    assert "matched no failure (not in this run)" in r.stderr


def test_expired_waiver_is_exit_2_naming_it(torc, vectors, tmp_path):
    one = sorted(vectors)[0]
    w = write_waivers(tmp_path, [
        waiver(vector=one, expires="2031-01-01"),
        waiver(requirement="RCV-046", expires="2030-01-01")])
    out = tmp_path / "x.json"
    r = torc("run", "--target", torc.target("crash_segv"), torc.vectors,
             "--waivers", w, "--json", out, env={"TORC_TODAY": "2030-01-02"})
    assert r.returncode == 2          # 2 outranks the 3 crashes would give
    assert "RCV-046" in r.stderr and "2030-01-01" in r.stderr
    assert "$[1]" in r.stderr and "owner nic-team@example" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("items,where", [
    ([{"vector": "rcv-0123456789abcdef", "owner": "o",
       "expires": "2099-01-01"}], "$[0].reason: missing"),
    ([{"vector": "rcv-0123456789abcdef", "reason": "r",
       "expires": "2099-01-01"}], "$[0].owner: missing"),
    ([{"vector": "rcv-0123456789abcdef", "reason": "r", "owner": "o",
       "expires": "2099-02-30"}], "$[0].expires"),
    ([{"reason": "r", "owner": "o", "expires": "2099-01-01"}], "$[0]: needs"),
    ([{"vector": "rcv-0123456789abcdef", "requirement": "RCV-001",
       "reason": "r", "owner": "o", "expires": "2099-01-01"}], "$[0]: needs"),
    ([{"vector": "rcv-3f*", "reason": "r", "owner": "o",
       "expires": "2099-01-01"}], "$[0].vector: 'rcv-3f*': wildcards"),
    ([{"requirement": "RCV-*", "reason": "r", "owner": "o",
       "expires": "2099-01-01"}], "$[0].requirement: 'RCV-*': wildcards"),
    ([{"requirement": "RCV-15", "reason": "r", "owner": "o",
       "expires": "2099-01-01"}], "$[0].requirement: 'RCV-15' is not"),
    ({"vector": "x"}, "$: not a list"),
])
def test_malformed_waivers_are_exit_2(torc, tmp_path, items, where):
    w = write_waivers(tmp_path, items)
    r = torc("run", "--target", "reference", torc.vectors, "--waivers", w)
    assert r.returncode == 2
    assert "waivers.json: " + where in r.stderr
