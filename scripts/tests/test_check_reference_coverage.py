"""test_check_reference_coverage.py - scripts/check_reference_coverage.py
refuses a malformed floors file or uncovered list before it runs gcov, naming
the file and the line (exit 2), and holds the uncovered list against the
lines gcov reports (an unlisted gap and a stale row both fail).  The real run, over the committed vectors and gcov data, is
`make check-reference-coverage`, part of `make check`.
"""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..",
                      "check_reference_coverage.py")


def run(tmp_path, text):
    floors = tmp_path / "floors.tsv"
    floors.write_text(text)
    empty = tmp_path / "uncovered.tsv"
    empty.write_text("")
    return subprocess.run([sys.executable, SCRIPT, str(tmp_path), str(floors),
                           str(empty)], capture_output=True, text=True)


def test_row_without_why_names_file_and_line(tmp_path):
    r = run(tmp_path, "# comment\ntotal\tlines\t86.5\t\n")
    assert r.returncode == 2
    assert "floors.tsv: line 2" in r.stderr


def test_row_with_three_columns_names_file_and_line(tmp_path):
    r = run(tmp_path, "total\tlines\t86.5\twhy\ntotal\tbranches\t68\n")
    assert r.returncode == 2
    assert "floors.tsv: line 2" in r.stderr


# ---- the uncovered list (conformance/reference-uncovered.tsv) -------------
# Worked by hand: gaps are (file, line, function, source, line not run,
# branches not taken); a row matches by file, function and source text, or
# by file and function with source "*".

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import check_reference_coverage as crc  # noqa: E402


def reasons(tmp_path, text):
    p = tmp_path / "uncovered.tsv"
    p.write_text(text)
    return crc.read_reasons(str(p)), str(p)


def test_reasons_row_without_reason_names_file_and_line(tmp_path):
    p = tmp_path / "uncovered.tsv"
    p.write_text("# c\na.c\tf\tx = 1;\tdefensive: why\na.c\tf\ty = 2;\t \n")
    try:
        crc.read_reasons(str(p))
    except ValueError as e:
        assert "uncovered.tsv: line 3" in str(e)
    else:
        raise AssertionError("a row without a reason was accepted")


def test_exact_row_and_function_row_both_list(tmp_path):
    rows, path = reasons(tmp_path, "a.c\tf\tif (p == NULL)\tdefensive: d\n"
                                   "a.c\tg\t*\tnot yet reached: n\n")
    gaps = [("a.c", 10, "f", "if (p == NULL)", 0, 1),
            ("a.c", 20, "g", "x = 1;", 1, 0),
            ("a.c", 21, "g", "if (y)", 0, 2)]
    listed, unlisted, stale = crc.match_reasons(gaps, rows, path)
    assert [why for _, why in listed] == ["defensive: d", "not yet reached: n",
                                          "not yet reached: n"]
    assert unlisted == [] and stale == []


def test_unlisted_gap_and_stale_row_are_named(tmp_path):
    rows, path = reasons(tmp_path, "a.c\tf\tif (p == NULL)\tdefensive: d\n"
                                   "a.c\th\t*\tharness: never called\n")
    # Same text in another function is not the listed line.
    gaps = [("a.c", 30, "g", "if (p == NULL)", 0, 1)]
    listed, unlisted, stale = crc.match_reasons(gaps, rows, path)
    assert listed == []
    assert unlisted == gaps
    assert len(stale) == 2
    assert "line 1" in stale[0] and "line 2" in stale[1]


def test_wrong_argument_count_is_usage(tmp_path):
    r = subprocess.run([sys.executable, SCRIPT, str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2
