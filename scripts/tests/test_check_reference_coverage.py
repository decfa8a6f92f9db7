"""test_check_reference_coverage.py - scripts/check_reference_coverage.py
refuses a malformed floors file before it runs gcov, naming the file and the
line (exit 2).  The real run, over the committed vectors and gcov data, is
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
    return subprocess.run([sys.executable, SCRIPT, str(tmp_path), str(floors)],
                          capture_output=True, text=True)


def test_row_without_why_names_file_and_line(tmp_path):
    r = run(tmp_path, "# comment\ntotal\tlines\t86.5\t\n")
    assert r.returncode == 2
    assert "floors.tsv: line 2" in r.stderr


def test_row_with_three_columns_names_file_and_line(tmp_path):
    r = run(tmp_path, "total\tlines\t86.5\twhy\ntotal\tbranches\t68\n")
    assert r.returncode == 2
    assert "floors.tsv: line 2" in r.stderr
