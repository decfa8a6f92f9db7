"""test_cli_diff.py - end-to-end tests of `torc diff OLD NEW`: regressions
told apart from vector-set changes, lost coverage, the notes on what the
two runs judged, both claims, and the exit status 2 > 1 > 4 > 0.

The documents are written by hand (results_doc.py, format 2; their stored
claims all say CONFORMANT, so each claim expected here proves that diff
recomputes it).  Lost coverage is a vector PASS or PASS-NONSTRICT in OLD
that is UNTESTED or absent in NEW (exit 4); a vector of both runs newly
FAIL, CRASH, TIMEOUT or ERROR is a regression (exit 1), which outranks it.

TORC_BUILD selects the build tree (default build/).
"""
from results_doc import ALL, ALLOC_HOOK, NONPUSH_MODE, doc, record, write


def diff(torc, tmp_path, old, new):
    a = write(tmp_path, "old.json", old)
    b = write(tmp_path, "new.json", new)
    return torc("diff", a, b), a, b


def test_regression_is_exit_1(torc, tmp_path):
    old = doc([("rcv-a", "PASS"), ("rcv-b", "FAIL")])
    new = doc([("rcv-a", "FAIL"), ("rcv-b", "PASS")])
    r, a, b = diff(torc, tmp_path, old, new)
    assert r.returncode == 1
    assert "NEWLY FAILING  rcv-a  PASS -> FAIL: m rcv-a" in r.stdout
    assert "newly passing  rcv-b  FAIL -> PASS" in r.stdout
    assert "unchanged (same digest)" in r.stdout
    assert "claim: NOT CONFORMANT -> NOT CONFORMANT" in r.stdout
    assert "note:" not in r.stdout             # same target, same set
    assert "Lost coverage (passing in the old run, not judged in the new " \
        "one): 0" in r.stdout
    r = torc("diff", b, a)
    assert r.returncode == 1  # rcv-b regresses the other way round


def test_vector_set_change_is_not_a_regression(torc, tmp_path):
    old = doc([("rcv-a", "PASS")], digest="1" * 64)
    new = doc([("rcv-a", "PASS"), ("rcv-c", "FAIL")], digest="2" * 64)
    r, a, b = diff(torc, tmp_path, old, new)
    assert r.returncode == 0
    assert "CHANGED (different vector_set_digest)" in r.stdout
    assert ("note: the two runs judged different vector sets (old "
            "1111111111111111..., new 2222222222222222...)" in r.stdout)
    assert "added          rcv-c  FAIL: m rcv-c" in r.stdout
    assert "no verdict changed" in r.stdout
    assert "claim: CONFORMANT -> NOT CONFORMANT" in r.stdout
    r = torc("diff", b, a)
    # rcv-c was FAIL, so its removal loses no coverage.
    assert r.returncode == 0 and "removed        rcv-c  (was FAIL)" in r.stdout


def test_pass_to_untested_is_lost_coverage_exit_4(torc, tmp_path):
    old = doc([("rcv-a", "PASS"), ("rcv-b", "PASS"),
               ("rcv-c", "PASS-NONSTRICT")])
    new = doc([("rcv-a", "PASS"),
               record("rcv-b", "UNTESTED",
                      detail="untested: target lacks ALLOC_HOOK (why)"),
               ("rcv-c", "UNTESTED")], caps=ALL & ~ALLOC_HOOK)
    r, _, _ = diff(torc, tmp_path, old, new)
    assert r.returncode == 4, r.stdout + r.stderr
    assert ("Lost coverage (passing in the old run, not judged in the new "
            "one): 2" in r.stdout)
    assert ("LOST COVERAGE  rcv-b  PASS -> UNTESTED: untested: target lacks "
            "ALLOC_HOOK (why)" in r.stdout)
    assert "LOST COVERAGE  rcv-c  PASS-NONSTRICT -> UNTESTED" in r.stdout
    assert "no other verdict changed (lost coverage below)" in r.stdout
    assert ("note: the two runs judged targets declaring different "
            "capabilities (dropped: ALLOC_HOOK; added: none)" in r.stdout)
    # Same target name and version: no note about the target itself.
    assert "different targets" not in r.stdout
    assert ("claim: CONFORMANT -> CONFORMANT WITH UNTESTED REQUIREMENTS"
            in r.stdout)
    assert "0 newly failing, 0 newly passing, 2 lost coverage" in r.stdout


def test_a_passing_vector_absent_from_new_is_lost_coverage(torc, tmp_path):
    old = doc([("rcv-a", "PASS"), ("rcv-b", "PASS")], digest="1" * 64)
    new = doc([("rcv-a", "PASS")], digest="2" * 64)
    r, _, _ = diff(torc, tmp_path, old, new)
    assert r.returncode == 4
    assert "LOST COVERAGE  rcv-b  PASS -> absent from the new run" in r.stdout
    assert "removed        rcv-b  (was PASS)" in r.stdout


def test_untested_to_untested_or_pass_is_no_loss(torc, tmp_path):
    old = doc([("rcv-a", "UNTESTED"), ("rcv-b", "UNTESTED"),
               ("rcv-c", "PASS")], caps=ALL & ~ALLOC_HOOK)
    new = doc([("rcv-a", "UNTESTED"), ("rcv-b", "PASS"), ("rcv-c", "PASS")],
              caps=ALL & ~ALLOC_HOOK)
    r, _, _ = diff(torc, tmp_path, old, new)
    assert r.returncode == 0
    assert "changed        rcv-b  UNTESTED -> PASS" in r.stdout
    assert "one): 0" in r.stdout


def test_different_target_is_noted(torc, tmp_path):
    old = doc([("rcv-a", "PASS")], name="t", version="1")
    new = doc([("rcv-a", "PASS")], name="u", version="2",
              caps=ALL & ~NONPUSH_MODE)
    r, _, _ = diff(torc, tmp_path, old, new)
    assert r.returncode == 0      # no verdict changed, nothing lost
    assert ("note: the two runs judged different targets (old: t 1, new: "
            "u 2)" in r.stdout)
    assert ("capabilities (dropped: NONPUSH_MODE; added: none)" in r.stdout)
    assert "claim: CONFORMANT -> NOT CONFORMANT" in r.stdout
    r = torc("diff", tmp_path / "new.json", tmp_path / "old.json")
    assert "capabilities (dropped: none; added: NONPUSH_MODE)" in r.stdout


def test_regression_outranks_lost_coverage(torc, tmp_path):
    old = doc([("rcv-a", "PASS"), ("rcv-b", "PASS")])
    new = doc([("rcv-a", "CRASH"), ("rcv-b", "UNTESTED")],
              caps=ALL & ~ALLOC_HOOK)
    r, _, _ = diff(torc, tmp_path, old, new)
    assert r.returncode == 1
    assert "NEWLY FAILING  rcv-a  PASS -> CRASH" in r.stdout
    assert "LOST COVERAGE  rcv-b  PASS -> UNTESTED" in r.stdout
    assert "claim: CONFORMANT -> INCOMPLETE" in r.stdout


def test_bad_input_is_exit_2(torc, tmp_path):
    good = write(tmp_path, "a.json", doc([("rcv-a", "PASS")]))
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    r = torc("diff", good, bad)
    assert r.returncode == 2 and str(bad) in r.stderr
    assert torc("diff", good).returncode == 2
    old = write(tmp_path, "old.json", dict(doc([("rcv-a", "PASS")]),
                                           format=1))
    r = torc("diff", old, good)
    assert r.returncode == 2
    assert ("%s: $.format: results of an older torc (format 1); re-run" % old
            in r.stderr)
    nosc = doc([("rcv-a", "PASS")])
    del nosc["scope"]
    p = write(tmp_path, "noscope.json", nosc)
    r = torc("diff", good, p)
    assert r.returncode == 2 and "%s: $.scope:" % p in r.stderr
