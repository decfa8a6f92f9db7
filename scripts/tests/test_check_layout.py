"""test_check_layout.py - scripts/check_layout.py catches each broken direction.

Each test builds a small tree in tmp_path shaped like torc's (reference/,
harness/<part>/, reports/), breaks one invariant of ARCHITECTURE.md and
expects exit 1 with the file, the line and the invariant named; the
unbroken tree must pass (exit 0), so every failure below is the break's.
"""
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "check_layout.py")

BASE = {
    "harness/include/torc/target.h": "/* public */\n",
    "reference/torc_reference.h": '#include "torc/target.h"\n',
    "reference/torc_deliver.c": '#include "torc_reference.h"\n',
    "harness/engine/torc_engine.h": "/* engine */\n",
    "harness/engine/torc_engine.c": '#include "torc_engine.h"\n',
    "harness/results/torc_results.h": "/* results */\n",
    "harness/targets/torc_load.c": '#include "torc_reference.h"\n',
    "harness/cli/torc_cli.h": '#include "torc_engine.h"\n',
    "reports/torc_report_html.c": '#include "torc_results.h"\n'
                                  '#include "torc_report_assets.h"\n',
}


def run(tmp_path, changes):
    files = dict(BASE)
    files.update(changes)
    for path, text in files.items():
        full = tmp_path / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)
    p = subprocess.run([sys.executable, SCRIPT, "--root", str(tmp_path)],
                       capture_output=True, text=True)
    return p.returncode, p.stderr


def test_unbroken_tree_passes(tmp_path):
    rc, err = run(tmp_path, {})
    assert rc == 0, err


def test_reference_including_the_engine_fails(tmp_path):
    rc, err = run(tmp_path, {"reference/torc_deliver.c":
                             '#include "torc_reference.h"\n#include "torc_engine.h"\n'})
    assert rc == 1
    assert "reference/torc_deliver.c:2: includes harness/engine/torc_engine.h" in err
    assert "invariant 1" in err


def test_reports_reaching_the_engine_through_a_header_fails(tmp_path):
    rc, err = run(tmp_path, {"harness/results/torc_results.h": '#include "torc_engine.h"\n'})
    assert rc == 1
    assert ("reports/torc_report_html.c:1: includes harness/engine/torc_engine.h "
            "(via torc_results.h)") in err
    assert "invariant 2" in err


def test_engine_including_the_reference_fails_but_the_registry_may(tmp_path):
    rc, err = run(tmp_path, {"harness/engine/torc_engine.c":
                             '#include "torc_engine.h"\n#include "torc_reference.h"\n'})
    assert rc == 1
    assert "harness/engine/torc_engine.c:2: includes reference/torc_reference.h" in err
    assert "invariant 3" in err
    assert "harness/targets/torc_load.c:" not in err


def test_library_including_the_cli_fails(tmp_path):
    rc, err = run(tmp_path, {"harness/results/torc_results.c": '#include "torc_cli.h"\n'})
    assert rc == 1
    assert "harness/results/torc_results.c:1: includes harness/cli/torc_cli.h" in err
    assert "invariant 4" in err


@pytest.mark.parametrize("path,limit", [("harness/cli/torc_cli_run.c", 300),
                                        ("harness/engine/torc_judge.c", 800),
                                        ("conformance/tool.py", 800)])
def test_size_limits(tmp_path, path, limit):
    rc, err = run(tmp_path, {path: "x\n" * limit})
    assert rc == 0, err
    rc, err = run(tmp_path, {path: "x\n" * (limit + 1)})
    assert rc == 1
    assert "%s:%d: %d lines, over the limit of %d" % (path, limit + 1, limit + 1, limit) in err


def test_unresolved_include_fails(tmp_path):
    rc, err = run(tmp_path, {"harness/engine/torc_engine.c": '#include "torc_nowhere.h"\n'})
    assert rc == 1
    assert 'harness/engine/torc_engine.c:1: #include "torc_nowhere.h" resolves to no file' in err


def test_not_a_tree_is_a_usage_error(tmp_path):
    p = subprocess.run([sys.executable, SCRIPT, "--root", str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert "not a torc tree" in p.stderr
