"""The device identity a target reports (issue 17): torc_target.driver and
.firmware of target.h, an optional tail of the ABI v1 table.

Where it sits: the loader (harness/targets/torc_load.c) copies them from
an in-process table, torc-target-runner sends them as the second optional
tail of RET(HELLO) (docs/wire-protocol.md) and the proxy reads them back
(torc_proxy.c); the run writes them into the results' "target" object
(torc_results.c), where `torc package` takes them from.

Expected values by hand: the reference fills driver "reference" and
firmware "none" (reference/torc_reference.c); fake_wire_target.py's
"identity" mode sends "fakedrv 1.2" and "fw 7.0.1"; its "ok" mode sends no
tail, so the target object has neither member; "badtail" ends RET(HELLO)
with 3 bytes that are no string: a protocol error, exit 2.
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FAKE = "/usr/bin/python3 " + os.path.join(ROOT, "harness", "tests",
                                          "fake_wire_target.py")
VEC = os.path.join(ROOT, "vectors", "handwritten", "psh-completion.json")


def target_of(torc, tmp_path, spec):
    out = tmp_path / "r.json"
    r = torc("run", "--target", spec, "--json", out, VEC)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(out.read_text())["target"]


def test_builtin_reference_reports_driver_and_firmware(torc, tmp_path):
    t = target_of(torc, tmp_path, "reference")
    assert (t["driver"], t["firmware"]) == ("reference", "none")


def test_shared_object_through_the_runner_carries_them(torc, tmp_path):
    so = torc.build / "lib" / "torc-reference.so"
    t = target_of(torc, tmp_path, str(so))
    assert t["containment"] == "process"
    assert (t["driver"], t["firmware"]) == ("reference", "none")


def test_exec_target_tail_is_read(torc, tmp_path):
    t = target_of(torc, tmp_path, "exec:" + FAKE + " identity")
    assert (t["driver"], t["firmware"]) == ("fakedrv 1.2", "fw 7.0.1")
    assert "declared_limits" not in t


def test_exec_target_without_tail_reports_none(torc, tmp_path):
    t = target_of(torc, tmp_path, "exec:" + FAKE + " ok")
    assert "driver" not in t and "firmware" not in t


def test_a_broken_tail_is_a_protocol_error(torc, tmp_path):
    r = torc("run", "--target", "exec:" + FAKE + " badtail", "--json",
             tmp_path / "r.json", VEC)
    assert r.returncode == 2, (r.returncode, r.stderr)
    # RET(HELLO): 2 + ok 1 + protocol 2 + abi 4 + struct_size 4 + caps 8
    # = 21, name "fake" 4+4 -> 29, version "0" 4+1 -> 34, the limits 8 -> 42,
    # then 3 bytes: too few for the driver string's u32 length.
    assert ("protocol error: RET(HELLO) too short: field 'driver.n' (u32) "
            "needs 4 bytes at offset 42, message has 45 bytes"
            in r.stderr), r.stderr



def test_a_table_compiled_before_them_reports_none(torc, tmp_path):
    """struct_size ends at max_buffered_bytes: the strings the target left
    past it are not read, in torc's process or in the runner's."""
    so = torc.target("table_before_identity")
    for extra in ([], ["--in-process"]):
        out = tmp_path / "r.json"
        r = torc("run", "--target", so, *extra, "--json", out, VEC)
        assert r.returncode == 0, r.stderr
        t = json.loads(out.read_text())["target"]
        assert t["name"] == "table_before_identity"
        assert "driver" not in t and "firmware" not in t, t
