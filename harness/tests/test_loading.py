"""Loading targets and isolating them at the process boundary.

Drives $(O)/tests/load_smoke (harness/tests/load_smoke.c), the runner and the
purpose-built bad targets; no engine or vectors needed.  Build first:

    make O=build build/tests/load_smoke build/bin/torc-target-runner \
         $(ls harness/testtargets/*.c | sed 's|harness/testtargets/\\(.*\\).c|build/lib/testtargets/\\1.so|')

TORC_BUILD selects the output tree (default: build).  Expected values come
from target.h, docs/wire-protocol.md and the bad targets' own comments, not
from running the code.
"""
import os
import re
import signal
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("TORC_BUILD", "build"))
SMOKE = os.path.join(BUILD, "tests", "load_smoke")
RUNNER = os.path.join(BUILD, "bin", "torc-target-runner")
TT = os.path.join(BUILD, "lib", "testtargets")
TORC = os.path.join(BUILD, "bin", "torc")
FAKE = "/usr/bin/python3 " + os.path.join(ROOT, "harness", "tests", "fake_wire_target.py")


@pytest.fixture(autouse=True)
def _needs_built_parts():
    """What this file needs is built by make check: its absence is a
    failure, never a skip."""
    if not (os.path.exists(SMOKE) and os.path.exists(RUNNER)):
        pytest.fail("build load_smoke and torc-target-runner first (see module docstring)")


def smoke(*args, timeout=60):
    return subprocess.run([SMOKE, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def tt(name):
    path = os.path.join(TT, name + ".so")
    if not os.path.exists(path):
        pytest.fail(f"{path} not built")
    return path


def exec_spec(target, *extra):
    return "exec:" + " ".join([RUNNER, "--target", target, *extra])


# ---- torc_load errors: exit 2 and "TARGET: reason" ------------------------


def test_missing_so_names_file_and_reason():
    r = smoke("load", "./no-such-target.so")
    assert r.returncode == 2
    assert r.stdout.startswith("./no-such-target.so: cannot load: ")
    assert "No such file" in r.stdout


def test_so_without_init_symbol():
    libm = next((p for p in ("/lib/x86_64-linux-gnu/libm.so.6",
                             "/usr/lib/x86_64-linux-gnu/libm.so.6")
                 if os.path.exists(p)), None)
    if not libm:
        pytest.fail("no libm.so.6")
    r = smoke("load", libm)
    assert r.returncode == 2
    assert r.stdout.strip() == f"{libm}: undefined symbol torc_target_init"


def test_not_a_shared_object():
    obj = os.path.join(ROOT, "harness", "tests", "test_loading.py")
    r = smoke("load", obj)
    assert r.returncode == 2
    assert r.stdout.startswith(obj + ": cannot load: ")


def test_unknown_builtin_name():
    r = smoke("load", "referense")
    assert r.returncode == 2
    assert r.stdout.startswith("referense: unknown target")


def test_abi_future_refused_in_process():
    so = tt("abi_future")
    r = smoke("load", so)
    assert r.returncode == 2
    assert r.stdout.strip() == f"{so}: target ABI 2 is newer than this torc (ABI 1)"


def test_abi_future_refused_out_of_process():
    so = tt("abi_future")
    spec = exec_spec(so)
    r = smoke("load", spec)
    assert r.returncode == 2
    assert r.stdout.startswith(spec + ": ")
    assert "target ABI 2 is newer than this torc (ABI 1)" in r.stdout


def test_exec_command_not_found():
    r = smoke("load", "exec:/no/such/program --x")
    assert r.returncode == 2
    assert r.stdout.startswith("exec:/no/such/program --x: no HELLO")
    assert "exited with status 127" in r.stdout


def test_exec_child_declaring_newer_abi_refused():
    r = smoke("load", f"exec:{FAKE} newabi")
    assert r.returncode == 2
    assert "target ABI 99 is newer than this torc (ABI 1)" in r.stdout


@pytest.mark.parametrize("spec,remote", [("null", 0), ("reference", 0),
                                         (None, 1)])
def test_builtins_load(spec, remote):
    spec = spec or exec_spec("null")
    r = smoke("load", spec)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"remote={remote}" in r.stdout
    if "null" in spec:
        # the null target declares nothing (DESIGN: UNTESTED, never FAIL)
        assert "name=null" in r.stdout and "caps=0x0" in r.stdout


def test_null_target_never_calls_the_host():
    r = smoke("trace", "null")
    assert r.returncode == 0
    upcalls = [l for l in r.stdout.splitlines()
               if not l.startswith(("op ", "loaded", "status", "host blocks"))]
    assert upcalls == [], upcalls


# ---- in process and out of process agree (the exact call pattern) --------


def _compare(a, b, *extra):
    r = smoke("compare", a, b, *extra)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.match(r"identical: (\d+) events", r.stdout)
    assert m and int(m.group(1)) > 100  # the script really ran
    return r


def test_reference_in_process_vs_runner():
    # covers synchronous offload completion (DEC-22), posts from inside a
    # completion (RCV-107), indications answered three ways (RCV-133..141),
    # receive-return, handed-back upload data (RCV-212), two connections
    _compare("reference", exec_spec("reference"))


@pytest.mark.parametrize("spec", ["reference", None])
def test_reset_gives_a_fresh_instance(spec):
    # torc_loaded_reset between vectors: the second run of the script must
    # repeat the first exactly (virtual clock and counters start over)
    spec = spec or exec_spec("reference")
    out = smoke("trace", spec).stdout.splitlines()
    i = next(k for k, l in enumerate(out) if l.startswith("op reset"))
    assert out[i] == "op reset -> 0 "
    # first run: after the "loaded" line, up to the new instance's init
    # allocation just before "op reset"; the second run follows it
    first = out[2:i - 2]  # (not the old instance's last free)
    second = out[i + 1:i + 1 + len(first)]
    assert first == second
    assert sum(l.startswith("receive_complete") for l in first) >= 5


def test_reference_so_via_runner():
    so = os.path.join(BUILD, "lib", "torc-reference.so")
    if not os.path.exists(so):
        pytest.fail("torc-reference.so not built")
    _compare(so, exec_spec(so))


def test_failed_first_allocation_refuses_init_in_both():
    # the reference's instance is the first allocation: init must refuse,
    # with the same reason in process and through the runner
    a = smoke("load", "reference", "--fail-alloc", "1")
    b = smoke("load", exec_spec("reference"), "--fail-alloc", "1")
    assert a.returncode == 2 and b.returncode == 2
    assert a.stdout.startswith("reference: init refused: ")
    assert b.stdout.strip().endswith(a.stdout.strip())


@pytest.mark.parametrize("k", [2, 3, 5, 8, 13, 21, 34])
def test_injected_allocation_failure_agrees(k):
    # the host's alloc hook fails the k-th allocation; the target sees the
    # same NULL in both flavours
    r = smoke("compare", "reference", exec_spec("reference"), "--fail-alloc", str(k))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("name", ["keeps_host_buffer", "completes_twice",
                                  "wrong_handle", "indicates_during_completion"])
def test_bad_target_same_calls_in_and_out_of_process(name):
    so = tt(name)
    _compare(so, exec_spec(so))


def test_keeps_host_buffer_delivers_poison():
    # RCV-007/RCV-011: the first completed request starts at stream offset 0,
    # whose byte is 0x11 (load_smoke's stream); kept pointers give 0xA5
    for spec in (tt("keeps_host_buffer"), exec_spec(tt("keeps_host_buffer"))):
        out = smoke("trace", spec).stdout
        first = re.search(r"id=1 status=00000000 bytes=700 data=700:\w+ first=(\w\w)", out)
        assert first and first.group(1) == "a5", out[:2000]
    ref = smoke("trace", "reference").stdout
    assert "id=1 status=00000000 bytes=700 data=700:8d5830f5e8fe29af first=11" in ref


def test_completes_twice_completes_id_1_twice():
    out = smoke("trace", exec_spec(tt("completes_twice"))).stdout
    assert re.search(r"id=1 status=00000000 bytes=700 data=700:\w+ first=11\n"
                     r"receive_complete h=1001 count=1\n"
                     r"  id=1 status=00000000 bytes=700 \(unknown request\)", out)


def test_wrong_handle_passes_another_handle():
    out = smoke("trace", exec_spec(tt("wrong_handle"))).stdout
    assert "offload_complete h=5a5a1001 " in out   # 0x1001 ^ 0x5A5A0000
    assert " h=1001 " not in out.replace("op conn_open h=1001", "")


def test_indication_during_completion():
    out = smoke("trace", exec_spec(tt("indicates_during_completion"))).stdout
    # inside the completion of id 3, before the re-entrant post returns
    assert re.search(r"  id=3 .*\nreceive_indicate h=1001 id=53261 .*\n"
                     r"op receive reentrant id=4", out), out


# ---- crashes, hangs, runaway memory: CRASHED/TIMEOUT, then restart -------


@pytest.mark.parametrize("name,extra,timeout,expect", [
    ("crash_segv", (), 0, "status CRASHED: target process killed by SIGSEGV (signal 11)"),
    ("overrun", (), 0, "status CRASHED: target process killed by SIGSEGV (signal 11)"),
    ("alloc_runaway", ("--mem-limit", "256"), 0,
     "status CRASHED: target process killed by SIGSEGV (signal 11)"),
    ("hang", (), 300, "status TIMEOUT: no reply from the target within 300 ms "
                      "(during OP_SEGMENT)"),
])
def test_bad_target_ends_crashed_or_timeout(name, extra, timeout, expect):
    r = smoke("status", exec_spec(tt(name), *extra), str(timeout), timeout=30)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith(expect), r.stdout
    assert lines[1] == "conn_open after failure -> -1"  # ops are no-ops now
    assert lines[2].startswith("restart -> 0")
    assert lines[3] == "status after restart OK"


@pytest.mark.parametrize("mode,expect", [
    ("garbage", "status CRASHED: protocol error: message length field (u32"),
    ("huge", "status CRASHED: protocol error: message length field (u32, the "
             "4 bytes before the type) is 4294967295, allowed 1..67108864"),
    ("wrongret", "status CRASHED: protocol error: RET(OP_RECEIVE) while "
                 "waiting for RET(OP_CONN_OPEN): field 'call-type' (u8 at "
                 "offset 1) is 0x14, expected 0x11 (during OP_CONN_OPEN); "
                 "torc stopped the target process"),
    ("badfree", "status CRASHED: protocol error: UP_FREE: field 'token' is 99, "
                "a block the host never gave"),
    ("silent", "status TIMEOUT: no reply from the target within 300 ms "
               "(during OP_CONN_OPEN)"),
    ("ok", "status OK"),
])
def test_lying_child_is_contained(mode, expect):
    # The fake child is a Python program: give it seconds to start on a
    # loaded machine, except where the reply timeout is what is tested.
    reply_ms = "300" if mode == "silent" else "20000"
    r = smoke("status", f"exec:{FAKE} {mode}", reply_ms, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(expect), r.stdout


def test_overclaimed_completion_is_clamped_and_passed_on():
    # the child claims size+100 bytes: the host sees the claim unchanged
    # (the engine reports it) but only `size` bytes were copied
    out = smoke("trace", f"exec:{FAKE} overclaim").stdout
    assert "id=1 status=00000000 bytes=800 data=700:" in out
    assert "id=2 status=00000000 bytes=2100 data=2000:" in out
    assert "status 0" in out


# ---- the codec and the runner on garbage ---------------------------------


def test_codec_fuzz():
    r = smoke("fuzz", "300000", "7")
    assert r.returncode == 0, r.stdout
    assert "fuzz ok" in r.stdout


@pytest.mark.parametrize("data,status", [
    (b"", 0),                              # EOF at once: clean exit
    (b"\x05\x00\x00\x00\x01\x00", 0),      # truncated HELLO, then EOF
    (b"\xff\xff\xff\xff", 3),              # absurd length
    (b"\x01\x00\x00\x00\x11", 3),          # an operation before HELLO
    (b"\x03\x00\x00\x00\x7f\x00\x00", 3),  # unknown message type
    (b"\x08\x00\x00\x00" + bytes(range(256)) * 8, 3),  # noise
], ids=["eof", "truncated", "huge", "op-before-hello", "unknown-type", "noise"])
def test_runner_never_crashes_on_garbage(data, status):
    r = subprocess.run([RUNNER, "--target", "null"], input=data,
                       capture_output=True, timeout=10)
    assert r.returncode == status, (r.returncode, r.stderr)
    if status == 3:
        assert b"torc-target-runner:" in r.stderr


def test_runner_usage():
    assert subprocess.run([RUNNER, "--help"], capture_output=True).returncode == 0
    r = subprocess.run([RUNNER, "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown or incomplete option" in r.stderr


def test_runner_load_error_goes_back_in_hello():
    r = smoke("load", exec_spec("./missing.so"))
    assert r.returncode == 2
    assert "./missing.so: cannot load:" in r.stdout


# ---- end to end through the CLI, once it exists --------------------------



def test_cli_abi_future_exit_2():
    r = subprocess.run([TORC, "run", "--target", tt("abi_future"), "--vectors",
                        os.path.join(ROOT, "vectors")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "target ABI 2 is newer than this torc (ABI 1)" in r.stderr + r.stdout
