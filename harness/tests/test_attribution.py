"""test_attribution.py - failures name the broken rule (issue 12).

Every expected event of a vector carries its "because" (the flowchart boxes
and rules the reference went through, recorded by the reference itself);
the judge attributes a failure to the rules of the diverging event's because
that decide what the actual call does differently.  Checked end to end:

  - ignores_window accepts 64 KiB beyond the offloaded receive window: its
    failures are the byte counts the window cut, attributed to RCV-167 (the
    window) and never to RCV-015 (the offload completion, which every
    vector cites), with one sentence naming the rule and the numbers;
  - JUnit files such a failure under the rule's catalogue group (G for
    RCV-167) with the rule and its sentence in <failure message>;
  - `torc explain` prints the path worked out by hand from the flowcharts;
  - `torc lint` refuses a vector citing a rule that decides none of its
    events, and a vector none of whose events says why.

TORC_BUILD selects the build tree (default build/).
"""
import json
import sys
import xml.etree.ElementTree as ET

from conftest import ROOT, results

sys.path.insert(0, str(ROOT / "vectors" / "schema"))
from vector_id import vector_id  # noqa: E402

SUITE = ROOT / "vectors"
WINDOW = ("The target accepts data up to the updated receive window and no "
          "further")


def test_window_failures_are_attributed_to_the_window(torc, tmp_path):
    out, junit = tmp_path / "w.json", tmp_path / "w.xml"
    r = torc("run", "--target", torc.target("ignores_window"), "--vectors",
             SUITE, "--json", out, "--junit", junit, timeout=300)
    assert r.returncode == 1, r.stderr
    fails = [x for x in results(out)["results"] if x["verdict"] == "FAIL"]
    assert fails
    window = [x for x in fails if x.get("attributed_to", [None])[0] ==
              "RCV-167"]
    # The fault only widens the window: most failures are its byte counts.
    assert len(window) * 2 > len(fails), [x.get("attributed_to")
                                          for x in fails]
    for x in fails:
        # Every failure names a rule, and never the offload completion.
        assert x.get("attributed_to"), x
        assert "RCV-015" not in x.get("attributed_to", []), x["id"]
        assert len(x["violations"]) <= 16
    for x in window:
        msg = next(v["message"] for v in x["violations"]
                   if v["requirement"] == "RCV-167")
        assert msg.startswith(WINDOW + " (RCV-167): the byte count differs ("), \
            msg
        assert "bytes more): expected " in msg, msg
    # JUnit: the rule's group, the rule, its sentence and what differed
    # first in the message; every rule it is attributed to and the page of
    # the specification in the text.
    cases = {c.get("name").rsplit(" [", 1)[-1][:-1]: c
             for c in ET.parse(junit).getroot()[0].findall("testcase")}
    case = cases[window[0]["id"]]
    assert case.get("classname") == "torc.ignores_window.G"
    fail = case.find("failure")
    assert fail.get("message").startswith(
        WINDOW + " (RCV-167): the byte count differs ("), fail.get("message")
    assert "bytes more): expected " in fail.get("message")
    assert "\nattributed to: %s\n" % ", ".join(window[0]["attributed_to"]) \
        in fail.text
    assert "rule: RCV-167 - " + WINDOW in fail.text
    assert "(updating-cached-variables.md)" in fail.text


def test_explain_prints_the_hand_worked_path(torc):
    """psh-completion.json: post 1000 bytes (push), then frame 4 (100 bytes,
    PSH).  Flowchart 1: the post takes E1 -> D1 No -> D2 No (nothing held)
    -> J1 (queued); the segment takes E2 -> D3 No -> D4 Yes -> J3 -> P1 ->
    D6 No (nothing filled) -> J4 -> D8 Yes -> D9 Yes (partly filled) -> D10
    Yes (push) -> D11 Yes (PSH) -> complete -> D12 No (no timer) -> J6.
    On the wire the segment starts at RcvNxt and is taken in sequence (W17,
    reference/torc_input.c), noted as it arrives, before E2."""
    path = SUITE / "handwritten" / "psh-completion.json"
    r = torc("explain", path)
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines()
                if ": event 1 (complete at 2):" in l)
    notes = line.split(":", 2)[2].split()
    boxes = [n for n in notes if not n.startswith(("RCV-", "DEC-", "W"))]
    assert [n for n in notes if n.startswith("W")] == ["W17"]
    assert notes.index("W17") < notes.index("E2")
    assert boxes == ["E1", "D1=no", "D2=no", "J1", "E2", "D3=no", "D4=yes",
                     "J3", "P1", "D6=no", "J4", "D8=yes", "D9=yes",
                     "D10=yes", "D11=yes", "D12=no", "J6"]
    for rule in ("RCV-065", "RCV-071", "RCV-078", "RCV-079"):
        assert rule in notes
    # The vector carries the same because on that event.
    doc = json.loads(path.read_text())
    assert doc["expected"]["trace"][1]["because"] == notes


def write(tmp_path, doc):
    doc["id"] = vector_id(doc)
    p = tmp_path / "v.json"
    p.write_text(json.dumps(doc))
    return p


def test_lint_refuses_citations_that_decide_nothing(torc, tmp_path):
    src = SUITE / "handwritten" / "psh-completion.json"
    doc = json.loads(src.read_text())
    # Capture paths are relative to the vector: point at the original.
    cap = src.parent / doc["provenance"]["capture"]
    doc["provenance"]["capture"] = str(cap)
    doc["requirements"] = sorted(doc["requirements"] + ["RCV-301"])
    p = write(tmp_path, doc)
    r = torc("lint", p)
    assert r.returncode == 2
    k = doc["requirements"].index("RCV-301")
    assert ("$.requirements[%d]: RCV-301 decides none of the vector's "
            "expected events" % k) in r.stderr
    doc["requirements"].remove("RCV-301")
    for e in doc["expected"]["trace"]:
        e.pop("because")
    p = write(tmp_path, doc)
    r = torc("lint", p)
    assert r.returncode == 2
    assert "$.expected.trace: no event says why" in r.stderr
    # A because naming something that is neither a box nor a rule.
    doc = json.loads(src.read_text())
    doc["provenance"]["capture"] = str(cap)
    doc["expected"]["trace"][1]["because"][0] = "D21=yes"
    p = write(tmp_path, doc)
    r = torc("lint", p)
    assert r.returncode == 2
    assert "$.expected.trace[1].because[0]: expected a box" in r.stderr


def test_coverage_counts_what_decides_events(torc, vectors):
    """`torc list --coverage`: a requirement counts for a vector when the
    because of one of its expected events names it, and each flowchart box
    and decision outcome gets a row too; both worked out here from the
    vector files."""
    r = torc("list", "--coverage", torc.vectors)
    assert r.returncode in (0, 1), r.stderr
    rows = {}
    for line in r.stdout.splitlines():
        if line and not line.startswith("#"):
            cols = line.split("\t")
            rows[cols[0]] = int(cols[3])

    def named(tag):
        return sum(any(tag in e.get("because", [])
                       for e in v["expected"]["trace"])
                   for v in vectors.values())

    for tag in ("RCV-071", "RCV-088", "RCV-255", "E1", "E3", "D11=yes",
                "D15=no", "J5"):
        assert rows[tag] == named(tag), tag
    assert rows["E3"] > 0 and rows["D11=yes"] > 0
    # Every box and decision outcome of the flowcharts has a row.
    assert {"D%d=%s" % (d, a) for d in range(1, 21)
            for a in ("yes", "no")} <= set(rows)
