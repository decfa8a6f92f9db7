"""Tests of the internal mutants' patches (conformance/mutants/patches/).

Each internal mutant is a unified diff against reference/ that
conformance/mutants/mutref.sh applies to a copy of the reference before
module.mk compiles it.  These tests run mutref.sh on temporary copies: every
patch applies to the committed reference and changes it where it is marked
MUTANT, the reference itself holds no mutant code, and a patch whose context
has changed stops with a message naming the mutant, leaving no half-patched
copy marked as made.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"
MUTANTS = ROOT / "conformance" / "mutants"
SCRIPT = MUTANTS / "mutref.sh"
PATCHES = sorted((MUTANTS / "patches").glob("*.patch"))
# Faults the vectors do not kill yet (conformance/mutants/unkilled/README.md):
# not built, but kept applying so that they stay ready to be picked up.
UNKILLED = sorted((MUTANTS / "unkilled").glob("*.patch"))


def mutref(name, patch, ref, dest):
    return subprocess.run(["sh", str(SCRIPT), name, str(patch), str(ref),
                           str(dest)], capture_output=True, text=True)


def patched_files(patch):
    """The reference files a patch changes (its "+++ b/reference/X" lines)."""
    return [line.split()[1].split("/", 1)[1]
            for line in patch.read_text().splitlines()
            if line.startswith("+++ ")]


def test_every_unkilled_patch_says_why_it_survives():
    readme = (MUTANTS / "unkilled" / "README.md").read_text()
    assert UNKILLED
    for p in UNKILLED:
        row = next((l for l in readme.splitlines()
                    if l.startswith("| `%s` |" % p.stem)), None)
        assert row is not None, p.stem
        assert len(row.split("|")[3].strip()) > 20, p.stem


def test_every_internal_mutant_has_a_patch_and_a_source():
    table = json.loads((MUTANTS / "mutants.json").read_text())
    internal = sorted(m["name"] for m in table["mutants"]
                      if m["build"] == "internal")
    assert [p.stem for p in PATCHES] == internal
    for name in internal:
        assert (MUTANTS / (name + ".c")).is_file(), name


def test_the_reference_holds_no_mutant_code():
    for src in sorted(REFERENCE.glob("*.[ch]")):
        text = src.read_text()
        assert "TORC_MUTANT" not in text, src.name
        assert "MUTANT:" not in text, src.name
    assert not (REFERENCE / "torc_mutant.h").exists()


@pytest.mark.parametrize("patch", PATCHES + UNKILLED, ids=lambda p: p.stem)
def test_patch_applies_to_the_reference(tmp_path, patch):
    dest = tmp_path / "src"
    r = mutref(patch.stem, patch, REFERENCE, dest)
    assert r.returncode == 0, r.stderr
    assert (dest / ".patched").is_file()
    changed = patched_files(patch)
    assert changed
    for rel in changed:
        mutant = (dest / rel).read_text()
        assert mutant != (ROOT / rel).read_text(), rel
        assert "/* MUTANT: " in mutant, rel
    # Every other file is the reference's, byte for byte.
    for src in REFERENCE.glob("*.[ch]"):
        if "reference/" + src.name not in changed:
            assert (dest / "reference" / src.name).read_bytes() == \
                src.read_bytes(), src.name


def context_before_change(patch):
    """The context lines of the first hunk before its first change."""
    lines = []
    for line in patch.read_text().splitlines():
        if line.startswith(("+++ ", "--- ", "@@ ")):
            continue
        if line.startswith(("+", "-")):
            return "\n".join(lines)
        lines.append(line[1:])
    raise AssertionError("no change in " + patch.name)


@pytest.mark.parametrize("name", ["ignores_psh", "push_timer_never_starts",
                                  "reindicates_refused"])
def test_patch_that_no_longer_applies_fails_naming_the_mutant(tmp_path,
                                                               name):
    patch = MUTANTS / "patches" / (name + ".patch")
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    target = ref / patched_files(patch)[0].split("/", 1)[1]
    context = context_before_change(patch)
    text = target.read_text()
    assert text.count(context) == 1
    target.write_text(text.replace(context, context + " /* edited */", 1))
    dest = tmp_path / "src"
    r = mutref(name, patch, ref, dest)
    assert r.returncode != 0
    assert "mutant " + name + ":" in r.stderr
    assert "no longer applies" in r.stderr
    assert not (dest / ".patched").exists()
