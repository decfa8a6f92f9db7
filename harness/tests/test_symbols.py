"""test_symbols.py - what torc exports to the targets it loads, and a target
that carries torc's internal names run as itself (issue 16).

torc and torc-target-runner are linked with harness/torc.map: they export
nothing, since a target reaches torc only through the host callbacks
(torc/target.h).  The same_names test target (harness/testtargets/
same_names.c) defines torc_reference_target_init and torcint_why_emit,
names of torc's built-in reference, and is linked without -Bsymbolic as a
vendor would link it; run as itself it is "same_names" declaring no
capability, so every vector FAILs at the gate.  Bound to torc's functions of
those names it would be torc's reference passing every vector.

TORC_BUILD selects the build tree (default build/).
"""
import re
import subprocess

import pytest

from conftest import results


def dynamic_symbols(path):
    """Names of the defined dynamic symbols of the ELF file at path."""
    r = subprocess.run(["nm", "-D", "--defined-only", str(path)],
                       capture_output=True, text=True, check=True)
    return [line.split()[-1] for line in r.stdout.splitlines() if line.split()]


@pytest.mark.parametrize("program", ["bin", "runner"])
def test_programs_export_nothing_of_torc(torc, program):
    path = getattr(torc, program)
    names = dynamic_symbols(path)
    ours = [n for n in names if re.match(r"_?(torc|tt_|json_|pcap_)", n)]
    assert ours == [], "%s exports %s" % (path, ours[:10])
    # The reference, the harness library and the CLI are all linked in: a
    # program that exported its functions would list some of these.
    assert "torc_reference_target_init" not in names
    assert "main" not in names


def test_reference_names_are_torcs_own(torc):
    """The names same_names.so defines are functions of torc's (hidden):
    the test below would prove nothing if torc had none of them."""
    r = subprocess.run(["nm", "--defined-only", str(torc.bin)],
                       capture_output=True, text=True, check=True)
    names = {line.split()[-1] for line in r.stdout.splitlines()
             if line.split()}
    assert "torc_reference_target_init" in names
    assert "torcint_why_emit" in names


def test_same_names_target_defines_the_names(torc):
    names = dynamic_symbols(torc.target("same_names"))
    assert "torc_reference_target_init" in names
    assert "torcint_why_emit" in names
    assert "torc_target_init" in names


@pytest.mark.parametrize("remote", [False, True])
def test_target_with_torcs_names_runs_as_itself(torc, vectors, tmp_path,
                                                remote):
    out = tmp_path / "same_names.json"
    spec = torc.target("same_names")
    if remote:
        spec = "exec:%s --target %s" % (torc.runner, spec)
    r = torc("run", "--target", spec, torc.vectors, "--json", out)
    assert r.returncode == 1, r.stderr
    doc = results(out)
    assert doc["target"]["name"] == "same_names"
    assert doc["target"]["version"] == "1.0-same-names"
    assert {x["id"] for x in doc["results"]} == set(vectors)
    for rec in doc["results"]:
        assert rec["verdict"] == "FAIL", rec["id"]
        assert rec["detail"].startswith("missing mandatory feature: "), \
            rec["id"]
