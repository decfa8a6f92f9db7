"""Checks of conformance/catalogue.json, the requirement catalogue.

Sits beside the citation count: every report, `torc list --coverage` and
citations.py read the catalogue, so its shape and its words are pinned here.
The catalogue must validate against conformance/catalogue.schema.json, hold
exactly RCV-001..RCV-320 in order, give each row a short summary in the
project's own words (never a sentence of the specification, which the project
does not copy), say why a row cannot be judged by a replayed vector exactly
when it cannot, and cite only decisions that docs/DECISIONS.md defines.

The copy checks compare the summaries with conformance/spec-fingerprint.txt,
the hashes of every 12-word run of the captured specification's
REQUIREMENTS.md and of each quoted sentence (conformance/tools/
spec_fingerprint.py): the specification itself lives outside the
repository, its fingerprint holds none of its text, and the checks run on
every clone.
"""
import json
import re
from pathlib import Path

import sys

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "conformance" / "catalogue.json"
SCHEMA = ROOT / "conformance" / "catalogue.schema.json"
DECISIONS = ROOT / "docs" / "DECISIONS.md"
FINGERPRINT = ROOT / "conformance" / "spec-fingerprint.txt"
sys.path.insert(0, str(ROOT / "conformance" / "tools"))
import spec_fingerprint as fp  # noqa: E402
WHY = ("host-side guarantee", "definition", "outside the receive path",
       "not observable through the interface", "no way to express it")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def cat():
    return load(CATALOGUE)


@pytest.fixture(scope="module")
def rows(cat):
    return cat["requirements"]


@pytest.fixture(scope="module")
def spec():
    """(quote digests by RCV id, digests of the spec's 12-word runs)."""
    return fp.load(FINGERPRINT)


# ---- shape -----------------------------------------------------------------

def test_catalogue_validates_against_schema(cat):
    schema = load(SCHEMA)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(cat)


def test_schema_rejects_a_testable_row_with_a_reason(cat):
    # The schema itself must enforce the testable/why_not_testable pairing.
    bad = json.loads(json.dumps(cat))
    row = next(r for r in bad["requirements"] if r["testable"])
    row["why_not_testable"] = "definition"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load(SCHEMA),
                            cls=jsonschema.Draft202012Validator)


def test_exactly_320_rows_in_order(rows):
    assert [r["id"] for r in rows] == [f"RCV-{i:03d}" for i in range(1, 321)]


def test_file_is_written_as_the_importer_writes_it(cat):
    # import_requirements.py writes json.dump(indent=1) plus a newline, so a
    # re-import of the catalogue leaves no diff.
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text == json.dumps(cat, indent=1) + "\n"


def test_every_row_group_is_declared(cat, rows):
    assert {r["group"] for r in rows} <= set(cat["groups"])


# ---- summaries -------------------------------------------------------------

def test_every_summary_is_one_short_line(rows):
    for r in rows:
        s = r["summary"]
        assert s.strip() == s and "\n" not in s, r["id"]
        assert 10 <= len(s) <= 160, (r["id"], len(s))


def test_summaries_are_distinct(rows):
    seen = {}
    for r in rows:
        assert r["summary"] not in seen, (r["id"], seen.get(r["summary"]))
        seen[r["summary"]] = r["id"]


# ---- testability -----------------------------------------------------------

def test_why_not_testable_present_exactly_when_not_testable(rows):
    for r in rows:
        assert isinstance(r["testable"], bool), r["id"]
        assert (r["testable"] is False) == ("why_not_testable" in r), r["id"]


def test_why_not_testable_starts_with_a_known_reason(rows):
    for r in rows:
        if "why_not_testable" in r:
            assert r["why_not_testable"].split(":")[0] in WHY, r["id"]


def test_guarantees_are_never_testable(rows):
    # GUARANTEE rows are preconditions the harness's host obeys.
    for r in rows:
        if r["strength"] == "GUARANTEE":
            assert r["testable"] is False, r["id"]


def test_definition_reason_only_on_def_rows(rows):
    for r in rows:
        if r.get("why_not_testable", "").startswith("definition"):
            assert r["strength"] == "DEF", r["id"]


def test_binding_rows_of_the_delivery_core_are_testable(rows):
    # Spot checks worked out by hand from the brief and target.h: buffered
    # data waits for posts, in-order delivery, push restart, terminate
    # completes every request.
    by_id = {r["id"]: r for r in rows}
    for rid in ("RCV-007", "RCV-035", "RCV-038", "RCV-057", "RCV-142",
                "RCV-189", "RCV-230"):
        assert by_id[rid]["testable"] is True, rid
    # Urgent bytes inside BufferedData cannot be expressed (DEC-08).
    for rid in ("RCV-024", "RCV-025", "RCV-026"):
        assert by_id[rid]["why_not_testable"].startswith(
            "no way to express it"), rid


# ---- decisions -------------------------------------------------------------

def test_every_cited_decision_exists():
    defined = set(re.findall(r"^## (DEC-\d{2})\b",
                             DECISIONS.read_text(encoding="utf-8"), re.M))
    assert defined, f"{DECISIONS}: no '## DEC-nn' headings"
    text = CATALOGUE.read_text(encoding="utf-8")
    cited = set(re.findall(r"\bDEC-\d+\b", text))
    assert cited, "the catalogue cites no decision"
    assert cited <= defined, sorted(cited - defined)


def test_interpretations_name_their_decisions(rows):
    for r in rows:
        if "interpretation" in r:
            assert re.match(r"DEC-\d{2}: \S", r["interpretation"]), r["id"]


# ---- not copied from the specification ------------------------------------

def test_fingerprint_covers_every_requirement(spec):
    quotes, runs = spec
    assert sorted(quotes) == ["RCV-%03d" % i for i in range(1, 321)]
    # REQUIREMENTS.md is about 12,000 words: one run digest per word, bar
    # repeats.
    assert len(runs) > 10000


def test_copy_detector_catches_a_copied_run(tmp_path):
    # The check below must be able to fail: on a made-up specification, a
    # summary made of the first twelve words of a quote is flagged and one
    # of eleven is not.
    quote = ("when the offload target has no posted request it must keep "
             "the data in order until the client posts one")
    text = '- **RCV-001** `[MUST]` "%s"\n' % quote
    path = tmp_path / "fp.txt"
    path.write_text(fp.fingerprint(text), encoding="ascii")
    quotes, runs = fp.load(path)
    twelve = " ".join(fp.words(quote)[:12]).capitalize() + "."
    eleven = " ".join(fp.words(quote)[:11]).capitalize() + "."
    assert fp.runs(twelve) & runs
    assert not fp.runs(eleven) & runs
    assert quotes["RCV-001"] == fp.digest(fp.words(quote.upper()))


def test_malformed_fingerprint_names_the_line(tmp_path):
    path = tmp_path / "fp.txt"
    path.write_text(fp.FORMAT + "\nrun 12\nquote RCV-001 abc\n")
    with pytest.raises(ValueError, match="fp.txt: line 3: "):
        fp.load(path)


def test_no_summary_copies_a_12_word_run_of_the_spec(rows, spec):
    _, spec_runs = spec
    copied = [r["id"] for r in rows if fp.runs(r["summary"]) & spec_runs]
    assert not copied, "summaries sharing %d-word runs with the spec: %s" % (
        fp.RUN, copied)


def test_no_summary_equals_its_quote(rows, spec):
    quotes, _ = spec
    same = [r["id"] for r in rows
            if fp.digest(fp.words(r["summary"])) == quotes[r["id"]]]
    assert not same, same
