"""test_check_outcomes.py - scripts/check_outcomes.py, the gate that every
flowchart outcome and wire-path branch is reached in 3 flows or listed.

Each test writes a selection.tsv and a gaps file in tmp_path.  The outcome
list is the flowcharts' (E1-E3, P1, A, B, J1-J8, D1-D20 yes and no) and the
wire path's (W1-W24): 78 in all, counted by hand from
shared/spec/delivery-algorithm.md and the table at the top of
reference/torc_input.c.
"""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "check_outcomes.py")

ALL = (["E1", "E2", "E3", "P1", "A", "B"] + ["J%d" % k for k in range(1, 9)]
       + ["D%d=%s" % (d, a) for d in range(1, 21) for a in ("yes", "no")]
       + ["W%d" % w for w in range(1, 25)])


def run(tmp_path, kept, gaps, extra=""):
    sel = tmp_path / "selection.tsv"
    sel.write_text("# comment\noutcome\tcandidate_flows\tkept_flows\n" +
                   "".join("%s\t9\t%s\n" % (o, n) for o, n in kept.items()) +
                   extra)
    g = tmp_path / "gaps.tsv"
    g.write_text("# id\twhy\n" +
                 "".join("%s\t%s\n" % (o, w) for o, w in gaps.items()))
    return subprocess.run([sys.executable, SCRIPT, str(sel), str(g)],
                          capture_output=True, text=True)


def test_every_outcome_in_three_flows_passes(tmp_path):
    r = run(tmp_path, {o: 3 for o in ALL}, {})
    assert r.returncode == 0, r.stderr
    assert "78 of 78" in r.stdout


def test_outcome_in_two_flows_fails_naming_it(tmp_path):
    kept = {o: 3 for o in ALL}
    kept["W18"] = 2
    r = run(tmp_path, kept, {})
    assert r.returncode == 1
    assert "W18 is reached in 2 flow(s)" in r.stderr


def test_outcome_missing_from_selection_counts_as_zero(tmp_path):
    kept = {o: 3 for o in ALL if o != "D14=yes"}
    r = run(tmp_path, kept, {})
    assert r.returncode == 1
    assert "D14=yes is reached in 0 flow(s)" in r.stderr


def test_listed_gap_passes_and_closed_gap_fails(tmp_path):
    kept = {o: 3 for o in ALL}
    kept["D19=no"] = 0
    assert run(tmp_path, kept, {"D19=no": "unreachable"}).returncode == 0
    kept["D19=no"] = 3
    r = run(tmp_path, kept, {"D19=no": "unreachable"})
    assert r.returncode == 1
    assert "D19=no is reached in 3 flows now: remove it" in r.stderr


def test_gap_that_is_no_outcome_fails(tmp_path):
    r = run(tmp_path, {o: 3 for o in ALL}, {"D21=yes": "no such decision"})
    assert r.returncode == 1
    assert "D21=yes" in r.stderr


def test_gap_without_reason_is_malformed(tmp_path):
    r = run(tmp_path, {o: 3 for o in ALL}, {"W15": " "})
    assert r.returncode == 2
    assert "gaps.tsv: line 2: W15: a gap says why" in r.stderr


def test_malformed_selection_names_file_and_line(tmp_path):
    r = run(tmp_path, {o: 3 for o in ALL}, {}, extra="W1\tthree\tx\n")
    assert r.returncode == 2
    assert "selection.tsv: line %d" % (3 + len(ALL)) in r.stderr
