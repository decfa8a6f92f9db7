"""conftest.py - registers the torc pytest plugin for `pytest conformance`.

`pytest conformance --torc-target=SPEC` runs every torc vector as a pytest
test (see pytest_torc.py); without --torc-target the plugin stays idle and
`pytest conformance` / `pytest conformance/tests` run the project's own tests
of the catalogue and the citations, as before.

The hooks are re-exported here rather than named in `pytest_plugins`, which
pytest refuses in a conftest below the rootdir.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pytest_torc import (  # noqa: E402,F401  (hooks pytest looks up here)
    pytest_addoption, pytest_collect_file, pytest_configure,
    pytest_ignore_collect, pytest_report_header, pytest_sessionfinish,
    pytest_terminal_summary, pytest_testnodedown)
