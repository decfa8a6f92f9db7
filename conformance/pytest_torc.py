"""pytest_torc.py - the torc vectors as pytest tests, judged by the C engine.

Sits on top of `torc run`: it reads the vector files (stdlib json, the same
walk as the C loader: recursive, dot entries and `schema/` folders skipped,
`*.json` but not `*.schema.json`, sorted), checks them with `torc list`, and
turns each vector into one pytest item named by its id, whose node id is
`<vector file>::<vector id>`.  Items carry a marker per requirement id
(`RCV_038`, alias `RCV-038`), per tag (`push`; a tag with a hyphen also as
`buffered_exact_request`) and `torc`; the markers are registered at configure
time so `--strict-markers` works.

Nothing is judged here.  The first item that needs a verdict runs
`torc run --json` once over every selected vector that has none yet (after
-k/-m/--deselect, so only what pytest will run); under pytest-xdist a worker
runs a slice of the collection starting at the item it was given, because
xdist hands workers contiguous chunks.  Each item then reports its vector's
verdict: PASS passes; PASS-NONSTRICT passes, or fails under --torc-strict
(torc runs with --strict then); UNTESTED and WAIVED skip with the reason;
FAIL, CRASH, TIMEOUT and ERROR fail with the violated requirement ids (the
rules the judge attributes the failure to first: those of the expected
event's because that the target contradicted) and their catalogue
summaries, the first divergence and the command that replays that one
vector.

The claim decides the session too.  Each `torc run` writes its claim
(harness/results/torc_claim.c; nothing here recomputes it); the session's is
the worst of its runs' (one run without xdist or -x/--maxfail, so exactly
torc's).  When it is NOT CONFORMANT or INCOMPLETE the session fails (exit 1)
even if every vector test passed or skipped (all UNTESTED or WAIVED: nothing
judged), and the terminal summary says why; a PARTIAL RUN (-k, -m: not the
whole suite) is only reported.  Under xdist the workers hand their runs'
claims to the controller (workeroutput).

Registered for `pytest conformance` by conformance/conftest.py; without
--torc-target it does nothing.  With --torc-target the project's own tests in
conformance/tests are left out unless named on the command line.
"""
import json
import math
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
PASSING = ("PASS", "PASS-NONSTRICT")
SKIPPING = ("UNTESTED", "WAIVED")
FAILING = ("FAIL", "CRASH", "TIMEOUT", "ERROR")
# Claims (torc_claim.h) from worst to best; the first two fail the session.
CLAIMS = ("INCOMPLETE", "NOT CONFORMANT", "PARTIAL RUN",
          "CONFORMANT WITH UNTESTED REQUIREMENTS", "CONFORMANT")
FAILING_CLAIMS = CLAIMS[:2]
EXERCISED = "requirement exercised by this vector"
# Marker names pytest or its usual plugins already give a meaning to: a tag
# with one of these names gets a `torc_` prefix instead.
RESERVED = {"skip", "skipif", "xfail", "parametrize", "usefixtures",
            "filterwarnings", "tryfirst", "trylast", "torc", "xdist_group",
            "timeout", "flaky"}


class TorcUsage(Exception):
    """A vector set or option problem found before any item exists."""


class TorcFailure(Exception):
    """A vector's failing verdict: a one-line headline (JUnit message, short
    summary) and the whole report (str())."""

    def __init__(self, headline, report):
        super().__init__(report)
        self.headline = headline


class VectorInfo:
    """What the plugin knows of one vector file before running it."""

    def __init__(self, path, vid, title, requirements, tags):
        self.path = path  # absolute Path of the vector file
        self.id = vid
        self.title = title
        self.requirements = requirements
        self.tags = tags


# ---- Options ------------------------------------------------------------


def pytest_addoption(parser):
    g = parser.getgroup("torc", "torc conformance vectors "
                        "(conformance/pytest_torc.py)")
    g.addoption("--torc-target", metavar="SPEC",
                help="run every torc vector against SPEC (reference, null, "
                     "PATH.so or exec:COMMAND), one pytest test per vector")
    g.addoption("--torc-vectors", action="append", metavar="DIR|FILE",
                help="vector files or folders (repeatable; default "
                     "$TORC_VECTORS or the repository's vectors/)")
    g.addoption("--torc-bin", metavar="PATH",
                help="the torc program (default $TORC_BUILD/bin/torc or "
                     "build/bin/torc)")
    g.addoption("--torc-strict", action="store_true",
                help="PASS-NONSTRICT fails (torc run --strict)")
    g.addoption("--torc-timeout", type=int, metavar="MS",
                help="per-vector watchdog (torc run --timeout)")
    g.addoption("--torc-jobs", type=int, metavar="N",
                help="worker processes of each torc run (torc run --jobs)")
    g.addoption("--torc-waivers", metavar="FILE",
                help="waiver file (torc run --waivers); waived vectors skip")
    g.addoption("--torc-catalogue", metavar="FILE",
                help="requirement catalogue for the failure messages "
                     "(default conformance/catalogue.json, or the "
                     "installed one)")


def _invocation_dir(config):
    return Path(config.invocation_params.dir)


def _user_path(config, p):
    """A path the user typed, relative to where pytest was started."""
    p = Path(p)
    return p if p.is_absolute() else _invocation_dir(config) / p


def _default_bin():
    b = os.environ.get("TORC_BUILD")
    if b:
        b = Path(b)
        return (b if b.is_absolute() else REPO / b) / "bin" / "torc"
    built = REPO / "build" / "bin" / "torc"
    # Installed (make install): this file is PREFIX/share/torc/pytest/, so
    # REPO is PREFIX/share/torc and torc is PREFIX/bin/torc.
    installed = REPO.parent.parent / "bin" / "torc"
    return installed if not built.exists() and installed.exists() else built


def _default_catalogue():
    """conformance/catalogue.json of the tree, or the installed one
    (PREFIX/share/torc/catalogue.json)."""
    tree = REPO / "conformance" / "catalogue.json"
    installed = REPO / "catalogue.json"
    return installed if not tree.exists() and installed.exists() else tree


def _shown(config, p):
    """p relative to the invocation folder when inside it, for commands."""
    p = Path(p)
    try:
        return str(p.relative_to(_invocation_dir(config)))
    except ValueError:
        return str(p)


# ---- Vector files --------------------------------------------------------


def _walk(folder, out):
    """Every vector file under folder, as torc_vector.c's walk() finds it."""
    try:
        entries = list(os.scandir(folder))
    except OSError as e:
        raise TorcUsage("%s: cannot open folder: %s" % (folder, e.strerror))
    for de in entries:
        if de.name.startswith("."):
            continue
        p = os.path.join(folder, de.name)
        if os.path.isdir(p):
            if de.name != "schema":
                _walk(p, out)
        elif (os.path.isfile(p) and de.name.endswith(".json") and
              not de.name.endswith(".schema.json")):
            out.append(p)


def vector_files(paths):
    """The vector files named by paths (folders walked), in torc's order."""
    files = []
    for p in paths:
        s = str(p)
        if os.path.isdir(s):
            found = []
            _walk(s.rstrip("/") or "/", found)
            files.extend(sorted(found))
        elif os.path.exists(s):
            files.append(s)
        else:
            raise TorcUsage("%s: no such file or folder" % s)
    return [Path(f) for f in files]


def _strings(d, key, path, required):
    v = d.get(key)
    if v is None and not required:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise TorcUsage("%s: $.%s: expected a list of strings" % (path, key))
    return v


def read_vector(path):
    """VectorInfo of one file; TorcUsage naming the file and JSON path."""
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except OSError as e:
        raise TorcUsage("%s: %s" % (path, e.strerror))
    except ValueError as e:
        raise TorcUsage("%s: not JSON: %s" % (path, e))
    if not isinstance(d, dict):
        raise TorcUsage("%s: $: expected an object" % path)
    if not isinstance(d.get("id"), str) or not d["id"]:
        raise TorcUsage("%s: $.id: expected a string" % path)
    title = d.get("title") if isinstance(d.get("title"), str) else ""
    return VectorInfo(path.resolve(), d["id"], title,
                      _strings(d, "requirements", path, True),
                      _strings(d, "tags", path, False))


def read_vectors(paths):
    """VectorInfos of the set; a repeated path counts once, a repeated id in
    two files is an error as in the C loader."""
    seen_path, by_id, out = set(), {}, []
    for p in vector_files(paths):
        v = read_vector(p)
        if v.path in seen_path:
            continue
        seen_path.add(v.path)
        if v.id in by_id:
            raise TorcUsage("%s: $.id: same content (id %s) as %s" %
                            (p, v.id, by_id[v.id].path))
        by_id[v.id] = v
        out.append(v)
    return out


def load_catalogue(path):
    """{RCV id: (strength, summary)}; empty when the file is unreadable (the
    messages then say so rather than the run failing)."""
    try:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f).get("requirements", [])
        return {r["id"]: (r.get("strength", ""), r.get("summary", ""))
                for r in rows if isinstance(r, dict) and "id" in r}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


# ---- Markers -------------------------------------------------------------


def requirement_markers(rid):
    """RCV-038 -> ["RCV_038", "RCV-038"]."""
    return [rid.replace("-", "_"), rid]


def tag_markers(tag):
    """push -> ["push"]; link-raw -> ["link_raw", "link-raw"]; a reserved
    name gets the prefix torc_."""
    names = []
    for n in (re.sub(r"\W", "_", tag), tag):
        if n in RESERVED:
            n = "torc_" + n
        if n not in names:
            names.append(n)
    return names


def vector_markers(v):
    names = ["torc"]
    for r in v.requirements:
        names += requirement_markers(r)
    for t in v.tags:
        names += tag_markers(t)
    out = []
    for n in names:
        if n not in out:
            out.append(n)
    return out


def _register_markers(config, vectors):
    done = set()

    def add(name, what):
        if name not in done:
            done.add(name)
            config.addinivalue_line("markers", "%s: %s" % (name, what))

    add("torc", "a torc conformance vector")
    for v in vectors:
        for r in v.requirements:
            for n in requirement_markers(r):
                add(n, "torc vectors exercising %s" % r)
        for t in v.tags:
            for n in tag_markers(t):
                add(n, "torc vectors tagged %s" % t)


# ---- The session's runs --------------------------------------------------


class TorcState:
    """Per pytest process: the resolved options, the vector set, the verdicts
    received so far and the torc runs made."""

    def __init__(self, config):
        o = config.option
        self.config = config
        self.target = o.torc_target
        self.bin = (_user_path(config, o.torc_bin) if o.torc_bin
                    else _default_bin())
        if o.torc_vectors:
            self.vector_paths = [_user_path(config, p) for p in o.torc_vectors]
        elif os.environ.get("TORC_VECTORS"):
            self.vector_paths = [_user_path(config,
                                            os.environ["TORC_VECTORS"])]
        else:
            self.vector_paths = [REPO / "vectors"]
        self.catalogue_path = (_user_path(config, o.torc_catalogue)
                               if o.torc_catalogue
                               else _default_catalogue())
        if o.torc_timeout is not None and o.torc_timeout <= 0:
            raise pytest.UsageError("--torc-timeout must be a positive "
                                    "number of milliseconds")
        if o.torc_jobs is not None and o.torc_jobs <= 0:
            raise pytest.UsageError("--torc-jobs must be at least 1")
        self.run_opts = []
        if o.torc_strict:
            self.run_opts.append("--strict")
        if o.torc_timeout is not None:
            self.run_opts += ["--timeout", str(o.torc_timeout)]
        if o.torc_waivers:
            self.run_opts += ["--waivers",
                              str(_user_path(config, o.torc_waivers))]
        self.jobs = o.torc_jobs
        self.strict = o.torc_strict
        self.vectors, self.error = [], None
        try:
            self.vectors = read_vectors(self.vector_paths)
        except TorcUsage as e:
            self.error = str(e)  # reported as the suite's collection error
        self.catalogue = load_catalogue(self.catalogue_path)
        self.results = {}  # vector id -> result record (torc's JSON object)
        self.runs = []  # (vector count, exit status) per torc run
        self.claims = []  # the "claim" of each torc run's results
        self._selected = None

    # -- commands

    def replay_command(self, v):
        cmd = [_shown(self.config, self.bin), "run", "--target", self.target]
        cmd += [a if not a.startswith("/") else _shown(self.config, a)
                for a in self.run_opts]
        cmd += ["--vectors", _shown(self.config, v.path)]
        return " ".join(shlex.quote(c) for c in cmd)

    def check_with_torc(self):
        """`torc list` over the same set: the C loader must accept it and
        find the same ids (raises TorcUsage otherwise)."""
        if not self.bin.is_file():
            raise TorcUsage("%s: torc not built (run make, or pass "
                            "--torc-bin)" % self.bin)
        cmd = [str(self.bin), "list"]
        for p in self.vector_paths:
            cmd += ["--vectors", str(p)]
        r = subprocess.run(cmd, cwd=str(_invocation_dir(self.config)),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise TorcUsage("torc list exited %d:\n%s" %
                            (r.returncode, r.stderr.strip()))
        listed = [ln.split("\t", 1)[0] for ln in r.stdout.splitlines() if ln]
        mine = [v.id for v in self.vectors]
        if sorted(listed) != sorted(mine):
            only_c = sorted(set(listed) - set(mine))
            only_py = sorted(set(mine) - set(listed))
            raise TorcUsage("torc list and the vector files disagree: only "
                            "in torc list: %s; only in the files: %s" %
                            (only_c or "-", only_py or "-"))

    # -- runs

    def _selection(self, session):
        if self._selected is None:
            self._selected = [i for i in session.items
                              if isinstance(i, TorcVector)]
        return self._selected

    def _batch(self, item):
        """The vectors to run now: every selected vector without a verdict;
        under xdist (or -x/--maxfail) the next slice from this item on
        (xdist hands a worker contiguous chunks of the collection, of
        shrinking size; a slice may hold vectors another worker runs too,
        which costs time but not correctness: each vector runs isolated)."""
        sel = self._selection(item.session)
        todo = [i for i in sel if i.info.id not in self.results]
        winput = getattr(self.config, "workerinput", None)
        maxfail = self.config.getoption("maxfail", 0)
        if (winput is None and not maxfail) or item not in todo:
            return [i.info for i in todo] or [item.info]
        # -x / --maxfail may stop early: run quarters, not the whole set.
        workers = max(1, int((winput or {}).get("workercount", 1)))
        size = max(8, math.ceil(len(sel) / (4 * workers)))
        start = todo.index(item)
        return [i.info for i in todo[start:start + size]]

    def result(self, item):
        if item.info.id not in self.results:
            self._run(self._batch(item))
        return self.results[item.info.id]

    def _run(self, batch):
        with tempfile.TemporaryDirectory(prefix="pytest-torc-") as tmp:
            out = os.path.join(tmp, "results.json")
            cmd = [str(self.bin), "run", "--target", self.target, "--json",
                   out, "--quiet"] + self.run_opts
            if self.jobs:
                cmd += ["--jobs", str(self.jobs)]
            for v in batch:
                cmd += ["--vectors", str(v.path)]
            r = subprocess.run(cmd, cwd=str(_invocation_dir(self.config)),
                               stdin=subprocess.DEVNULL, capture_output=True,
                               text=True)
            self.runs.append((len(batch), r.returncode))
            got, why = {}, ""
            try:
                with open(out, encoding="utf-8") as f:
                    doc = json.load(f)
                for rec in doc["results"]:
                    if isinstance(rec, dict) and isinstance(rec.get("id"),
                                                            str):
                        got[rec["id"]] = rec
                claim = doc.get("claim")
                if (isinstance(claim, dict) and
                        claim.get("headline") in CLAIMS):
                    self.claims.append(claim)
            except (OSError, ValueError, KeyError, TypeError) as e:
                why = "no readable results (%s)" % e
        for v in batch:
            rec = got.get(v.id)
            if rec is None:
                rec = {"id": v.id, "verdict": "ERROR", "violations": [],
                       "divergence": None,
                       "detail": "torc run exited %d with no result for this "
                                 "vector%s%s" % (
                                     r.returncode,
                                     ": " + why if why else "",
                                     "\n" + r.stderr.strip()
                                     if r.stderr.strip() else "")}
            self.results[v.id] = rec

    # -- messages

    def _req_line(self, rid):
        strength, summary = self.catalogue.get(rid, ("", ""))
        head = "%s [%s]" % (rid, strength) if strength else rid
        return "%s %s" % (head, summary or "(not in the catalogue)")

    def failure_headline(self, rec):
        verdict = str(rec.get("verdict"))
        # The rules the judge attributes the failure to come first: those
        # of the expected event's because that the target contradicted.
        ids = [str(r) for r in rec.get("attributed_to") or []]
        for viol in rec.get("violations") or []:
            if (isinstance(viol, dict) and viol.get("message") != EXERCISED
                    and str(viol.get("requirement")) not in ids):
                ids.append(str(viol.get("requirement")))
        if ids:
            return "%s: violates %s" % (verdict, ", ".join(ids))
        detail = str(rec.get("detail") or "").split("\n", 1)[0]
        return "%s: %s" % (verdict, detail) if detail else verdict

    def failure_report(self, v, rec):
        verdict = str(rec.get("verdict"))
        lines = ["%s %s: %s" % (v.id, verdict, v.title),
                 "vector: %s" % _shown(self.config, v.path)]
        msgs, order = {}, []
        for viol in rec.get("violations") or []:
            if not isinstance(viol, dict):
                continue
            rid = str(viol.get("requirement", "?"))
            if rid not in msgs:
                msgs[rid] = []
                order.append(rid)
            m = str(viol.get("message", ""))
            if m and m not in msgs[rid]:
                msgs[rid].append(m)
        att = [str(r) for r in rec.get("attributed_to") or []]
        broken = [r for r in att if r in msgs] + [
            r for r in order
            if r not in att and any(m != EXERCISED for m in msgs[r])]
        touched = [r for r in order if r not in broken]
        if att:
            lines.append("broken rule (of the expected event's because): %s"
                         % self._req_line(att[0]))
        if broken:
            lines.append("violated requirements:")
            for rid in broken:
                lines.append("  " + self._req_line(rid))
                lines += ["      - " + m for m in msgs[rid] if m != EXERCISED]
        exercised = touched if (broken or touched) else list(v.requirements)
        if exercised:
            lines.append("%srequirements this vector exercises:" %
                         ("other " if broken else ""))
            lines += ["  " + self._req_line(r) for r in exercised]
        div = rec.get("divergence")
        if isinstance(div, dict):
            lines.append("first divergence: event %s, stream offset %s" %
                         (div.get("event_index"), div.get("stream_offset")))
            lines.append("  expected: %s" % div.get("expected"))
            lines.append("  actual:   %s" % div.get("actual"))
        if rec.get("detail"):
            lines.append("detail: %s" % rec["detail"])
        lines.append("replay: %s" % self.replay_command(v))
        return "\n".join(lines)


_STATE = pytest.StashKey()


def _state(config):
    return config.stash.get(_STATE, None)


# ---- Hooks ---------------------------------------------------------------


def pytest_configure(config):
    if not config.getoption("torc_target", None):
        return
    st = TorcState(config)
    config.stash[_STATE] = st
    _register_markers(config, st.vectors)


def pytest_report_header(config):
    st = _state(config)
    if st is None:
        return None
    return "torc: target %s, %s, %d vectors from %s" % (
        st.target, st.bin, len(st.vectors),
        ", ".join(_shown(config, p) for p in st.vector_paths))


def pytest_ignore_collect(collection_path, config):
    """With --torc-target, conformance/tests (the project's own tests) is
    not collected unless the command line names it or something in it."""
    if _state(config) is None:
        return None
    tests = HERE.parent / "tests"
    if Path(collection_path).resolve() != tests:
        return None
    for a in config.args:
        p = _user_path(config, a.split("::", 1)[0]).resolve()
        if p == tests or tests in p.parents:
            return None
    return True


def pytest_collect_file(file_path, parent):
    """This very file is the anchor of the vector suite under conformance/."""
    if _state(parent.config) is None:
        return None
    if Path(file_path).resolve() != HERE:
        return None
    return TorcSuite.from_parent(parent, path=Path(file_path))


def pytest_terminal_summary(terminalreporter, config):
    st = _state(config)
    if st is None or not (st.runs or st.claims):
        return
    if st.runs:
        terminalreporter.write_line(
            "torc: %d run(s) of %s for %d vector(s)" %
            (len(st.runs), _shown(config, st.bin),
             sum(n for n, _ in st.runs)))
    for line in _claim_lines(st):
        terminalreporter.write_line(line)


def session_claim(claims):
    """The worst of the runs' claims (None when no run wrote one)."""
    if not claims:
        return None
    return min(claims, key=lambda c: CLAIMS.index(c["headline"]))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist controller: collect a worker's claims."""
    st = _state(node.config)
    out = getattr(node, "workeroutput", None) or {}
    if st is not None and out.get("torc_claims"):
        st.claims.extend(json.loads(out["torc_claims"]))


def pytest_sessionfinish(session, exitstatus):
    st = _state(session.config)
    if st is None:
        return
    winput = getattr(session.config, "workeroutput", None)
    if winput is not None:  # an xdist worker: the controller decides
        winput["torc_claims"] = json.dumps(st.claims)
        return
    claim = session_claim(st.claims)
    if (claim and claim["headline"] in FAILING_CLAIMS and
            session.exitstatus == pytest.ExitCode.OK):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _claim_lines(st):
    claim = session_claim(st.claims)
    if claim is None:
        return []
    lines = ["torc: claim: %s%s" % (
        claim["headline"],
        " (the session fails)" if claim["headline"] in FAILING_CLAIMS
        else "")]
    lines += ["torc:   - %s" % r for r in claim.get("reasons") or []]
    return lines


# ---- Nodes ---------------------------------------------------------------


class TorcSuite(pytest.File):
    """Every vector of the set: one TorcVectorFile per file."""

    def collect(self):
        st = _state(self.config)
        try:
            if st.error:
                raise TorcUsage(st.error)
            st.check_with_torc()
        except TorcUsage as e:
            raise self.CollectError("torc vectors: %s" % e)
        root = self.config.rootpath
        for v in st.vectors:
            try:
                nodeid = v.path.relative_to(root).as_posix()
            except ValueError:
                nodeid = v.path.as_posix()
            yield TorcVectorFile.from_parent(self, path=v.path, nodeid=nodeid,
                                             info=v)


class TorcVectorFile(pytest.File):
    """One vector file, holding its one vector."""

    def __init__(self, *, info, **kw):
        super().__init__(**kw)
        self.info = info

    def collect(self):
        item = TorcVector.from_parent(self, name=self.info.id, info=self.info)
        for m in vector_markers(self.info):
            item.add_marker(m)
        yield item


class TorcVector(pytest.Item):
    """One vector; its outcome is torc's verdict on it."""

    def __init__(self, *, info, **kw):
        super().__init__(**kw)
        self.info = info

    def runtest(self):
        st = _state(self.config)
        rec = st.result(self)
        verdict = rec.get("verdict")
        if verdict == "PASS" or (verdict == "PASS-NONSTRICT" and
                                 not st.strict):
            return
        if verdict in SKIPPING:
            raise pytest.skip.Exception(
                "%s: %s" % (verdict, rec.get("detail") or "no reason given"),
                _use_item_location=True)
        raise TorcFailure(st.failure_headline(rec),
                          st.failure_report(self.info, rec))

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, TorcFailure):
            return super().repr_failure(excinfo, style=style)
        text = str(excinfo.value)
        try:  # pytest's own shape, so xdist carries the headline too
            from _pytest._code.code import (ReprExceptionInfo,
                                            ReprFileLocation,
                                            ReprTracebackNative)
            return ReprExceptionInfo(
                reprtraceback=ReprTracebackNative([text + "\n"]),
                reprcrash=ReprFileLocation(str(self.path), 1,
                                           excinfo.value.headline))
        except (ImportError, TypeError):
            return text

    def reportinfo(self):
        return self.path, 0, self.info.id
