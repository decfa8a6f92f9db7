"""test_cli_resume.py - end-to-end tests of interrupted runs and --resume.

A killed run's journal keeps what finished (a torn last line is dropped)
and --resume completes it without running those vectors again, into the
scope one uninterrupted run would have recorded; a journal of another
target, other capabilities, another selection, shard or --strict is
refused, naming what differs; SIGINT and SIGTERM (with --jobs) write what
is done, exit 3 and leave no process behind.

TORC_BUILD selects the build tree (default build/).
"""
import json
import signal
import subprocess

from conftest import results, by_id, wait_for_lines, ROOT


# ---- Interruption and --resume ---------------------------------------------

def start_hang_run(torc, out, *extra):
    return subprocess.Popen(
        [str(torc.bin), "run", "--target", torc.target("hang"),
         str(torc.vectors), "--timeout", "400", "--json", str(out)] +
        list(extra), cwd=str(ROOT), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)


def test_resume_after_a_killed_run(torc, vectors, tmp_path):
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    p = start_hang_run(torc, out)
    assert wait_for_lines(journal, 4, p)     # header + 3 finished vectors
    p.kill()
    p.wait()
    lines = journal.read_text().splitlines()
    kept = {json.loads(l)["id"]: json.loads(l) for l in lines[1:]}
    assert 3 <= len(kept) < len(vectors)
    # A torn last line (killed mid-write) is dropped, not an error.
    with open(journal, "a") as f:
        f.write('{"id": "rcv-torn", "verd')
    r = torc("run", "--target", torc.target("hang"), torc.vectors,
             "--timeout", "400", "--json", out, "--resume")
    assert r.returncode == 3
    full = results(out)
    doc = by_id(full)
    assert set(doc) == set(vectors)
    for vid, rec in kept.items():
        assert doc[vid] == rec               # kept, not run again
    assert not journal.exists()              # complete: journal removed
    # The scope is the one an uninterrupted run records: finished, not
    # stopped; the claim INCOMPLETE only for hang's TIMEOUTs.
    assert full["scope"]["finished"] is True
    assert full["scope"]["stopped_by"] is None
    assert full["scope"]["set_size"] == full["scope"]["selected"] == \
        len(vectors)
    assert full["summary"]["counts"]["TIMEOUT"] > 0
    assert full["claim"]["headline"] == "INCOMPLETE"


def test_resume_refuses_another_targets_journal(torc, tmp_path):
    out = tmp_path / "r.json"
    p = start_hang_run(torc, out)
    assert wait_for_lines(tmp_path / "r.json.journal", 2, p)
    p.kill()
    p.wait()
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == 2 and "journal" in r.stderr


def interrupted_journal(torc, tmp_path, *extra):
    """A killed run of hang (with extra options): its results path and the
    journal's header."""
    out = tmp_path / "r.json"
    p = start_hang_run(torc, out, *extra)
    assert wait_for_lines(tmp_path / "r.json.journal", 2, p)
    p.kill()
    p.wait()
    return out


def test_resume_refuses_other_options(torc, vectors, tmp_path):
    """The journal header records the selection, shards and --strict:
    resuming with any of them different is refused (exit 2), naming it."""
    tag = sorted({t for v in vectors.values() for t in v["tags"]})[0]
    hang = ["--target", torc.target("hang"), torc.vectors, "--timeout", "400"]
    out = interrupted_journal(torc, tmp_path)
    for extra, what in ((["--tag", tag], "selection"),
                        (["--strict"], "strict"),
                        (["--shard", "1/2"], "shards")):
        r = torc("run", *hang, "--json", out, "--resume", *extra)
        assert r.returncode == 2, (extra, r.stderr)
        assert "journal is for a run with %s" % what in r.stderr, r.stderr
        assert not out.exists()
    # What the header holds (the same options resume: see above).
    header = json.loads((tmp_path / "r.json.journal").read_text()
                        .splitlines()[0])
    assert header["options"] == {
        "selection": {"ids": [], "requirements": [], "tags": [],
                      "exclude": []}, "shards": [], "strict": False}
    assert header["target"]["capabilities"] == (1 << 14) - 1


def test_resume_refuses_other_capabilities(torc, tmp_path):
    """A journal whose target declared other capabilities (same name and
    version: here its header edited by hand) is refused, naming them."""
    out = interrupted_journal(torc, tmp_path)
    journal = tmp_path / "r.json.journal"
    lines = journal.read_text().splitlines(keepends=True)
    header = json.loads(lines[0])
    header["target"]["capabilities"] = 1
    header["target"]["capability_names"] = ["BUFFERED_DATA"]
    lines[0] = json.dumps(header) + "\n"
    journal.write_text("".join(lines))
    r = torc("run", "--target", torc.target("hang"), torc.vectors,
             "--timeout", "400", "--json", out, "--resume")
    assert r.returncode == 2
    assert "declaring capabilities BUFFERED_DATA (now BUFFERED_DATA," \
        in r.stderr, r.stderr


def test_sigint_writes_what_is_done_and_exits_3(torc, vectors, tmp_path):
    out = tmp_path / "i.json"
    p = start_hang_run(torc, out)
    assert wait_for_lines(tmp_path / "i.json.journal", 3, p)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 3
    doc = results(out)
    assert 2 <= len(doc["results"]) < len(vectors)
    assert doc["summary"]["total"] == len(doc["results"])
    assert doc["scope"]["finished"] is False
    assert doc["scope"]["stopped_by"] == "SIGINT"
    assert doc["claim"]["headline"] == "INCOMPLETE"
    assert "interrupted" in err
    assert (tmp_path / "i.json.journal").exists()   # for --resume


def test_sigterm_with_jobs_stops_workers_and_exits_3(torc, vectors,
                                                     tmp_path):
    out = tmp_path / "t.json"
    p = start_hang_run(torc, out, "--jobs", "2")
    assert wait_for_lines(tmp_path / "t.json.journal", 3, p)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=30)
    assert p.returncode == 3
    doc = results(out)
    assert 2 <= len(doc["results"]) < len(vectors)
    # No worker or vector process is left behind.
    left = subprocess.run(["pgrep", "-f", str(out)], capture_output=True,
                          text=True).stdout.split()
    assert left == []
