"""test_writing_vectors.py - docs/writing-vectors.md cannot rot (issue 17).

Where it sits: the guide walks a vendor through a hand-written vector
(torc explain, torc lint, torc run), a capture (vectors/captures/
capture.sh) and torc vectorize.  This runs every ```sh block of it, in
order, as one bash -eo pipefail script from the root of the tree with the
built torc first on PATH, as a reader would paste them: a command that
fails fails the test.  The guide checks its own results where it matters:
its hand-written vector, once explained, is byte for byte the committed
examples/writing-vectors/two-psh-requests.json (diff), which lints; a
broken copy is refused naming the event; the capture is vectorized into
vectors that lint and run.

Expected values by hand: the guide's vector plays frames 4 (100 bytes,
PSH) and 6 (200 bytes, PSH) of v4-12msg-fin.pcap (tcpdump -#) into
requests of 100 and 500 bytes, so the reference completes 100 bytes at
offset 0 and 200 bytes at offset 100: one PASS; --per-flow 5 over a
capture with one data flow gives 5 vectors.
"""
import json
import os
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "writing-vectors.md"


def shell_blocks(text):
    return re.findall(r"^```sh\n(.*?)^```$", text, re.S | re.M)


def test_guide_has_the_steps():
    blocks = shell_blocks(GUIDE.read_text())
    script = "\n".join(blocks)
    for cmd in ("torc explain --write", "torc lint", "torc run",
                "capture.sh", "torc vectorize"):
        assert cmd in script, cmd


def test_guide_runs_as_written(torc, tmp_path):
    script = "\n".join(shell_blocks(GUIDE.read_text()))
    script += '\necho "GUIDE-WORKDIR=$PWD"\n'
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TORC_")}
    env["PATH"] = "%s:%s" % (torc.build / "bin", env["PATH"])
    env["TMPDIR"] = str(tmp_path)
    p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                        "-c", script], cwd=str(ROOT), env=env,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    assert "1 vector ok" in p.stdout
    assert "5 vectors ok" in p.stdout
    work = pathlib.Path(re.search(r"GUIDE-WORKDIR=(.*)", p.stdout).group(1))
    assert tmp_path in work.parents
    doc = json.loads((work / "two-psh-requests.results.json").read_text())
    assert [r["verdict"] for r in doc["results"]] == ["PASS"]
    vz = json.loads((work / "vz.results.json").read_text())
    assert len(vz["results"]) == 5
    assert {r["verdict"] for r in vz["results"]} == {"PASS"}


def test_committed_example_matches_its_trace():
    v = json.loads((ROOT / "examples" / "writing-vectors" /
                    "two-psh-requests.json").read_text())
    got = [(e["at"], e["ev"], [(q["id"], q["bytes"], q["offset"])
                               for q in e.get("requests", [])])
           for e in v["expected"]["trace"]]
    assert got == [(0, "offload_complete", []), (2, "complete", [(1, 100, 0)]),
                   (4, "complete", [(2, 200, 100)])]
    assert "RCV-182" in v["requirements"]
