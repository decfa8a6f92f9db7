"""Tests of conformance/citations.py: the "N of M" count that gates make check.

Each test builds a tiny catalogue and test file in a temporary directory, so
the expected counts are known by construction.
"""
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "citations.py"


def catalogue(tmp_path, rows):
    p = tmp_path / "cat.json"
    p.write_text(json.dumps({"format": 1, "requirements": [
        {"id": i, "group": g, "strength": s} for i, g, s in rows]}))
    return p


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)


ROWS = [("RCV-001", "A", "MUST"), ("RCV-002", "B", "BEHAVIOR"),
        ("RCV-003", "C", "MUST NOT"), ("RCV-004", "J", "MUST"),
        ("RCV-005", "A", "SHOULD")]


def test_counts_only_must_behavior_rows_of_groups_a_to_i(tmp_path):
    t = tmp_path / "test_x.c"
    t.write_text("/* covers: RCV-001 RCV-004 RCV-005 */\nSTART_TEST(a)\n"
                 "{}\nEND_TEST\n\n/* covers: RCV-002 */\nSTART_TEST(b) {}\n")
    r = run("--min-percent", "50", catalogue(tmp_path, ROWS), t)
    # Counted rows: 001 (A MUST), 002 (B BEHAVIOR), 003 (C MUST NOT); 004 is
    # group J and 005 a SHOULD, so they cite nothing counted.
    assert "2 of 3" in r.stdout
    assert r.returncode == 0


def test_fails_below_threshold_and_lists_uncited(tmp_path):
    t = tmp_path / "test_x.c"
    t.write_text("/* covers: RCV-001 */\nSTART_TEST(a) {}\n")
    r = run(catalogue(tmp_path, ROWS), t)
    assert "1 of 3" in r.stdout
    assert "uncited: RCV-002 RCV-003" in r.stdout
    assert r.returncode == 1


def test_test_without_covers_line_fails(tmp_path):
    t = tmp_path / "test_x.c"
    t.write_text("/* covers: RCV-001 RCV-002 RCV-003 */\nSTART_TEST(a) {}\n"
                 "START_TEST(b) {}\n")
    r = run(catalogue(tmp_path, ROWS), t)
    assert "test b has no covers line" in r.stderr
    assert r.returncode == 1


def test_unknown_id_fails(tmp_path):
    t = tmp_path / "test_x.c"
    t.write_text("/* covers: RCV-001 RCV-002 RCV-003 RCV-999 */\n"
                 "START_TEST(a) {}\n")
    r = run(catalogue(tmp_path, ROWS), t)
    assert "unknown id 'RCV-999'" in r.stderr
    assert r.returncode == 1


def test_min_tests(tmp_path):
    t = tmp_path / "test_x.c"
    t.write_text("/* covers: RCV-001 RCV-002 RCV-003 */\nSTART_TEST(a) {}\n")
    r = run("--min-tests", "2", catalogue(tmp_path, ROWS), t)
    assert "fewer than 2" in r.stderr
    assert r.returncode == 1


def test_unreadable_catalogue_exits_2(tmp_path):
    bad = tmp_path / "cat.json"
    bad.write_text("{not json")
    t = tmp_path / "test_x.c"
    t.write_text("")
    r = run(bad, t)
    assert r.returncode == 2
    assert str(bad) in r.stderr
