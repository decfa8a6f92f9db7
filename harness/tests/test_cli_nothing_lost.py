"""test_cli_nothing_lost.py - end-to-end tests of what a run keeps when its
journal is torn, its disk is full or a signal comes at any time (issue 16,
"Nothing lost").

- Torn records anywhere in the journal (at the end, in the middle, a torn
  piece with a whole record after it on the same line, several): --resume
  keeps every whole record (not run again: their duration_ms is a marker no
  run writes), says on stderr at which line and byte each torn one was,
  runs those vectors again, and ends with what an uninterrupted run writes.
- A full disk (RLIMIT_FSIZE with SIGXFSZ ignored: writes fail with EFBIG;
  /dev/full and a closed pipe for TAP on stdout) during the journal, the
  JSON document, JUnit or TAP is exit 5 with a message naming the file and
  the reason; the journal keeps every whole record and resumes.
- SIGHUP, SIGTERM, SIGQUIT and SIGINT from the moment torc catches them
  (read from /proc/PID/status, so while it loads a large set) or later in
  the run, to torc or to its whole process group (a terminal's hang-up,
  with --jobs and --isolate vector): exit 3, a journal that --resume
  completes into the results of an uninterrupted run.

The expected results come from an uninterrupted run of the same vectors
(the journal's header is made from that run's document, as torc writes
it); TORC_BUILD selects the build tree (default build/).
"""
import json
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import time

import pytest

from conftest import results, by_id, comparable, copies_of, wait_for_lines, ROOT

EXIT_OUTPUT = 5
MARK = 4242.5   # the duration_ms of a record kept from a journal


# ---- Helpers ---------------------------------------------------------------

def torc_cmd(torc, out, vectors, *extra):
    return [str(torc.bin), "run", "--target", "reference", str(vectors),
            "--json", str(out)] + [str(a) for a in extra]


def run_limited(cmd, limit, stdout=subprocess.DEVNULL):
    """Runs cmd with every file it writes limited to limit bytes."""
    def lower():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run(cmd, cwd=str(ROOT), preexec_fn=lower,
                          stdin=subprocess.DEVNULL, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def header(doc):
    """The journal header a run of doc's vectors, target and scope writes."""
    sc = doc["scope"]
    return {"torc_journal": 2, "vector_set_digest": doc["vector_set_digest"],
            "target": doc["target"],
            "options": {"selection": sc["selection"], "shards": sc["shards"],
                        "strict": sc["strict"]}}


def marked(doc):
    """The records of doc, each with the marker duration."""
    out = []
    for r in doc["results"]:
        r = dict(r)
        r["duration_ms"] = MARK
        out.append(r)
    return out


def assert_same_results(doc, full):
    assert set(by_id(doc)) == set(by_id(full))
    for vid, rec in by_id(full).items():
        assert comparable(by_id(doc)[vid]) == comparable(rec), vid
    assert doc["summary"]["counts"] == full["summary"]["counts"]
    assert doc["scope"]["finished"] is True
    assert doc["scope"]["stopped_by"] is None
    assert doc["claim"] == full["claim"]


def no_tmp_files(d):
    return [p.name for p in pathlib.Path(d).iterdir() if ".tmp." in p.name]


@pytest.fixture(scope="module")
def full(torc, tmp_path_factory):
    """An uninterrupted run of the committed hand-written vectors: its exit
    status and document."""
    out = tmp_path_factory.mktemp("full") / "full.json"
    r = torc("run", "--target", "reference", torc.vectors, "--json", out)
    assert r.returncode in (0, 1), r.stderr
    assert not pathlib.Path(str(out) + ".journal").exists()
    return r.returncode, results(out), out


# ---- Torn records anywhere -------------------------------------------------

def torn_journal(doc, layout):
    """(text, torn) of a journal of doc's records laid out as layout says;
    torn: [(line, byte, id, shown, last)] of each torn piece, in order
    (shown: the piece holds the whole id, which the note then names)."""
    recs = [compact(r) for r in marked(doc)]
    n = len(recs)
    assert n >= 12
    # What happens to record i: "whole", ("torn", k) for its first k bytes
    # on a line of their own, ("joined", k) for its first k bytes with the
    # next record right after them on the same line (what a write cut short
    # by a full disk left before the next one), ("tail", k) the last line.
    fate = {"end": {n - 1: ("tail", 40)},
            "middle": {5: ("torn", 60)},
            "joined": {5: ("joined", 60)},
            "several": {2: ("torn", 25), 7: ("joined", 90), 10: ("torn", 1),
                        n - 1: ("tail", 12)}}[layout]
    text = compact(header(doc)) + "\n"
    line = 2
    torn = []
    for i, rec in enumerate(recs):
        kind, k = fate.get(i, ("whole", 0))
        if kind == "whole":
            text += rec + "\n"
            line += 1
            continue
        vid = doc["results"][i]["id"]
        torn.append((line, len(text.encode()), vid, k >= 8 + len(vid),
                     kind == "tail"))
        text += rec[:k]
        if kind == "torn":
            text += "\n"
            line += 1
        # "joined": the next record follows on this line; "tail": the end.
    return text, torn


@pytest.mark.parametrize("layout", ["end", "middle", "joined", "several"])
def test_resume_keeps_every_whole_record_around_torn_ones(torc, full,
                                                          tmp_path, layout):
    rc_full, doc_full, _ = full
    text, torn = torn_journal(doc_full, layout)
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    journal.write_text(text)
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == rc_full, r.stderr
    # Each torn piece is named by line and byte (and the id it starts
    # with, when it got that far), and nothing else is.
    notes = [l for l in r.stderr.splitlines() if "torn" in l]
    assert len(notes) == len(torn), r.stderr
    for (line, byte, vid, shown, last), note in zip(torn, notes):
        assert note.startswith("torc run: %s: line %d (byte %d): torn %s"
                               % (journal, line, byte,
                                  "last record" if last else "record")), note
        assert (" of %s " % vid in note) == shown, note
        assert note.endswith("skipped; its vector runs again"), note
    doc = results(out)
    assert_same_results(doc, doc_full)
    torn_ids = {t[2] for t in torn}
    for vid, rec in by_id(doc).items():
        if vid in torn_ids:
            assert rec["duration_ms"] != MARK, vid     # run again
        else:
            assert rec["duration_ms"] == MARK, vid     # kept, not run
    assert not journal.exists()                        # complete: removed


def test_a_torn_journal_on_a_full_disk_stays_as_it_was(torc, full,
                                                        tmp_path):
    """Resuming rewrites a torn journal without its torn pieces; when that
    cannot be written (every file limited to less than the journal), the
    run stops with exit 5 naming the journal and the reason, and the journal
    is left byte for byte, to be resumed once there is room."""
    rc_full, doc_full, _ = full
    text, torn = torn_journal(doc_full, "several")
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    journal.write_text(text)
    r = run_limited(torc_cmd(torc, out, torc.vectors, "--resume"),
                    len(text.encode()) // 2)
    assert r.returncode == EXIT_OUTPUT, r.stderr
    assert "%s: cannot write: File too large" % journal in r.stderr, r.stderr
    assert journal.read_text() == text
    assert not out.exists() and not no_tmp_files(tmp_path)
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == rc_full, r.stderr
    assert_same_results(results(out), doc_full)


# ---- A full disk during any output -----------------------------------------

def journal_records(journal):
    """The records of a journal, each line whole (else the test fails)."""
    lines = journal.read_text().split("\n")
    assert lines[-1] == ""                 # ends with a whole line
    recs = [json.loads(l) for l in lines[1:-1]]
    assert json.loads(lines[0])["torc_journal"] == 2
    return recs


def test_disk_full_during_the_run_keeps_a_resumable_journal(torc, full,
                                                            tmp_path):
    """The journal fills up after a few records: every append after that
    fails (it is cut off again, so no torn piece stays), the JSON document
    fails too, and the run exits 5 naming both files; the journal holds the
    records written before, whole, and --resume completes the run from
    them."""
    rc_full, doc_full, _ = full
    recs = [compact(r) + "\n" for r in doc_full["results"]]
    limit = len(compact(header(doc_full))) + 1 + sum(len(x) for x in
                                                     recs[:4]) + 20
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    r = run_limited(torc_cmd(torc, out, torc.vectors), limit)
    assert r.returncode == EXIT_OUTPUT, r.stderr
    assert "%s: cannot write: File too large" % journal in r.stderr, r.stderr
    assert "%s: cannot write: File too large" % out in r.stderr, r.stderr
    assert not out.exists() and not no_tmp_files(tmp_path)
    kept = journal_records(journal)
    assert 3 <= len(kept) < len(recs)
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == rc_full, r.stderr
    doc = results(out)
    assert_same_results(doc, doc_full)
    for rec in kept:                        # kept as written, not run again
        assert by_id(doc)[rec["id"]] == rec


def test_json_document_on_a_full_disk_is_exit_5_and_resumes(torc, full,
                                                           tmp_path):
    """Room for the journal but not for the JSON document: exit 5 naming it
    and the reason, the journal kept with every record, and --resume writes
    the document without running any vector again."""
    rc_full, doc_full, full_json = full
    journal_size = len(compact(header(doc_full))) + sum(
        len(compact(r)) + 1 for r in doc_full["results"]) + 1
    doc_size = full_json.stat().st_size
    limit = (journal_size + doc_size) // 2
    assert journal_size * 1.2 < limit < doc_size   # what the test relies on
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    r = run_limited(torc_cmd(torc, out, torc.vectors), limit)
    assert r.returncode == EXIT_OUTPUT, r.stderr
    assert "torc run: %s: cannot write: File too large" % out in r.stderr
    assert "journal" not in r.stderr, r.stderr
    assert not out.exists() and not no_tmp_files(tmp_path)
    kept = journal_records(journal)
    assert {x["id"] for x in kept} == set(by_id(doc_full))
    r = torc("run", "--target", "reference", torc.vectors, "--json", out,
             "--resume")
    assert r.returncode == rc_full, r.stderr
    doc = results(out)
    assert_same_results(doc, doc_full)
    assert doc["results"] == sorted(kept, key=lambda x: x["id"])


def test_junit_on_a_full_disk_is_exit_5(torc, tmp_path):
    xml = tmp_path / "r.xml"
    r = run_limited([str(torc.bin), "run", "--target", "reference",
                     str(torc.vectors), "--junit", str(xml)], 300)
    assert r.returncode == EXIT_OUTPUT, r.stderr
    assert "torc run: %s: cannot write: File too large" % xml in r.stderr
    assert not xml.exists() and not no_tmp_files(tmp_path)


def test_tap_on_a_full_disk_is_exit_5_and_the_json_is_whole(torc, full,
                                                           tmp_path):
    rc_full, doc_full, _ = full
    out = tmp_path / "r.json"
    with open("/dev/full", "w") as devfull:
        r = subprocess.run(torc_cmd(torc, out, torc.vectors, "--tap"),
                           cwd=str(ROOT), stdin=subprocess.DEVNULL,
                           stdout=devfull, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert r.returncode == EXIT_OUTPUT, r.stderr
    msg = "torc run: standard output (--tap): cannot write: " \
        "No space left on device"
    assert r.stderr.count(msg) == 1, r.stderr
    assert_same_results(results(out), doc_full)


def test_tap_into_a_closed_pipe_is_exit_5_not_sigpipe(torc, tmp_path):
    """`torc run --tap | head -1`: the reader is gone; torc is not killed
    by SIGPIPE but says so and exits 5."""
    p = subprocess.Popen([str(torc.bin), "run", "--target", "reference",
                          str(torc.vectors), "--tap"], cwd=str(ROOT),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    p.stdout.close()
    err = p.stderr.read()
    p.wait(timeout=120)
    assert p.returncode == EXIT_OUTPUT, err
    assert "standard output (--tap): cannot write: Broken pipe" in err, err


# ---- Signals at any time ---------------------------------------------------

# 720 vectors: long enough to run (about 0.3 s at the speed of issue 15)
# that a signal sent once 20 records are in the journal lands midway.
COPIES = 40



@pytest.fixture(scope="module")
def many(torc, tmp_path_factory):
    """A large set (every hand-written vector COPIES times, long enough to
    load that a signal sent as soon as torc catches it lands while it
    loads) and its uninterrupted run: (dir, exit status, document)."""
    d = tmp_path_factory.mktemp("many")
    n = copies_of(torc.vectors, d / "vectors", COPIES)
    out = d / "full.json"
    r = torc("run", "--target", "reference", d / "vectors", "--json", out,
             "--quiet")
    assert r.returncode in (0, 1), r.stderr
    doc = results(out)
    assert len(doc["results"]) == n
    return d / "vectors", r.returncode, doc


def catches(pid, sig):
    """1 when process pid has a handler for sig (SigCgt of /proc)."""
    try:
        status = pathlib.Path("/proc/%d/status" % pid).read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


def wait_until(cond, proc, limit=30):
    """Waits (polling every millisecond) until cond() holds; False when
    proc (unless None) ends first or limit seconds pass."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if cond():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.001)
    return False


def live_members(pgid):
    """The processes of group pgid that are not zombies."""
    out = []
    for d in pathlib.Path("/proc").iterdir():
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(d.name))
    return out


SIGNALS = [("SIGHUP", "caught"), ("SIGTERM", "caught"), ("SIGQUIT", "caught"),
           ("SIGINT", "caught"), ("SIGHUP", "journal"), ("SIGHUP", "midway"),
           ("SIGQUIT", "midway")]


@pytest.mark.parametrize("name,when", SIGNALS)
def test_a_signal_at_any_time_is_exit_3_and_resumes(torc, many, tmp_path,
                                                    name, when):
    """when: "caught" as soon as torc has its handler (it is then loading
    the set), "journal" once the journal exists, "midway" once 20 vectors
    are in it."""
    vectors, rc_full, doc_full = many
    sig = getattr(signal, name)
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    p = subprocess.Popen(torc_cmd(torc, out, vectors, "--quiet"),
                         cwd=str(ROOT), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    if when == "caught":
        assert wait_until(lambda: catches(p.pid, sig), p)
    elif when == "journal":
        assert wait_until(journal.exists, p)
    else:
        assert wait_for_lines(journal, 21, p)
    p.send_signal(sig)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 3, err
    doc = results(out)
    assert doc["scope"]["finished"] is False
    assert doc["scope"]["stopped_by"] == name
    assert doc["claim"]["headline"] == "INCOMPLETE"
    assert len(doc["results"]) < len(doc_full["results"])
    kept = journal_records(journal)
    assert {x["id"] for x in kept} == set(by_id(doc))
    r = torc("run", "--target", "reference", vectors, "--json", out,
             "--resume", "--quiet")
    assert r.returncode == rc_full, r.stderr
    final = results(out)
    assert_same_results(final, doc_full)
    for rec in kept:
        assert by_id(final)[rec["id"]] == rec
    assert not journal.exists()


@pytest.mark.parametrize("to,extra", [
    ("pid", ["--jobs", "2"]),
    ("group", ["--jobs", "2"]),
    ("group", ["--isolate", "vector"]),
    ("group", ["--jobs", "2", "--isolate", "vector"])])
def test_sighup_with_workers_and_children_resumes(torc, many, tmp_path, to,
                                                  extra):
    """SIGHUP to torc alone, or to its whole process group as a terminal
    hang-up sends it (its workers and the children that run vectors get it
    too): exit 3, every result written is the uninterrupted run's (none a
    CRASH of a child the signal killed), no process is left behind, and
    --resume ends with the results of an uninterrupted run."""
    vectors, rc_full, doc_full = many
    out = tmp_path / "r.json"
    journal = tmp_path / "r.json.journal"
    p = subprocess.Popen(torc_cmd(torc, out, vectors, "--quiet", *extra),
                         cwd=str(ROOT), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    assert wait_for_lines(journal, 21, p)
    if to == "group":
        os.killpg(p.pid, signal.SIGHUP)
    else:
        p.send_signal(signal.SIGHUP)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 3, err
    doc = results(out)
    assert doc["scope"]["stopped_by"] == "SIGHUP"
    for vid, rec in by_id(doc).items():   # as uninterrupted: no CRASH
        assert comparable(rec) == comparable(by_id(doc_full)[vid]), vid
    # Nothing of the group is left running (children the kernel kills for
    # their parent's death may stay zombies of init for a while).
    assert wait_until(lambda: not live_members(p.pid), None, 10), \
        live_members(p.pid)
    r = torc("run", "--target", "reference", vectors, "--json", out,
             "--resume", "--quiet", *extra)
    assert r.returncode == rc_full, r.stderr
    assert_same_results(results(out), doc_full)
