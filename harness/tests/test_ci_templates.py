"""test_ci_templates.py - the CI templates of examples/ci/ run for real
(issue 17).

Where it sits: examples/ci/github-actions.yml and gitlab-ci.yml are what a
vendor copies into a repository; ci_emulate.py executes every shell step
of them in order, job by job (the shard matrix expanded, artifacts passed
between jobs), against this built tree: the install step really builds
and installs torc into a temporary $HOME, the shards really run torc run
--shard K/N, the merge job really merges and renders the report.

Expected values by hand: the suite's vector files (vectors/handwritten and
vectors/corpus) split into 4 shards by sorted id, so the merged results
hold every vector once; against the reference the merged claim is
CONFORMANT and every job succeeds; against the mutant drops_partial_tail.so
(18 vectors FAIL, conformance/mutants/) each shard job still succeeds (a
shard's exit 1 is left to the merge), the merged claim is NOT CONFORMANT,
the merge job fails at its gate, and its report and JUnit are kept anyway.
Against wrong_handle.so (an INCOMPLETE run: exit 3) the shard jobs fail
and, as on GitHub, the merge job that needs them does not run.
"""
import json
import os
import pathlib
import xml.etree.ElementTree as ET

import pytest

from ci_emulate import GitHub, GitLab

ROOT = pathlib.Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"


def suite_size():
    n = 0
    for sub in ("handwritten", "corpus"):
        for p in (ROOT / "vectors" / sub).rglob("*.json"):
            d = json.loads(p.read_text())
            n += isinstance(d, dict) and "events" in d and "id" in d
    return n


def emulate(kind, torc, tmp_path, target):
    home = tmp_path / "home"
    home.mkdir()
    # A fresh CI machine: no torc, CI or make (of `make check`) variables.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TORC_", "CI_", "GITHUB_", "MAKE", "MFLAGS"))}
    env.update(HOME=str(home), O=str(torc.build))
    over = {"TORC_SRC": str(ROOT), "TORC_TARGET": target}
    path = CI / ("github-actions.yml" if kind == "github" else
                 "gitlab-ci.yml")
    e = (GitHub if kind == "github" else GitLab)(path, ROOT, env, over)
    runs = e.run(str(tmp_path / "ci"))
    return {r.name: r for r in runs}, tmp_path / "ci"


def merged(ci, kind):
    """The merge job's kept artifacts: results.json, report/."""
    a = ci / "artifacts" / ("torc-report" if kind == "github"
                            else "torc-merge")
    return a, json.loads((a / "results.json").read_text())


def logs(runs):
    return "\n".join("%s: rc=%s\n%s%s" % (r.name, rc, out[-2000:],
                                          err[-2000:])
                     for r in runs.values() for _, rc, out, err in r.log)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_template_against_the_reference_is_conformant(kind, torc, tmp_path):
    runs, ci = emulate(kind, torc, tmp_path, "reference")
    shard = "shard" if kind == "github" else "torc-shard"
    assert sorted(runs) == sorted(["%s-%d" % (shard, k) for k in (1, 2, 3, 4)]
                                  + ["merge" if kind == "github"
                                     else "torc-merge"])
    assert all(r.ok for r in runs.values()), logs(runs)
    art, doc = merged(ci, kind)
    assert len(doc["results"]) == suite_size()
    assert len({r["id"] for r in doc["results"]}) == suite_size()
    assert doc["claim"]["headline"] == "CONFORMANT", doc["claim"]
    assert len(doc["scope"]["shards"]) == 4, doc["scope"]
    assert (art / "report" / "report.html").stat().st_size > 0
    assert (art / "report" / "junit.xml").exists()
    junit = ci / ("merge" if kind == "github" else "torc-merge") / "junit.xml"
    cases = ET.parse(junit).getroot().iter("testcase")
    assert sum(1 for _ in cases) == suite_size() + 1  # and the claim


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_template_gates_on_the_merged_claim(kind, torc, tmp_path):
    mutant = torc.build / "lib" / "mutants" / "drops_partial_tail.so"
    runs, ci = emulate(kind, torc, tmp_path, str(mutant))
    merge = "merge" if kind == "github" else "torc-merge"
    shards = [r for n, r in runs.items() if n != merge]
    assert len(shards) == 4 and all(r.ok for r in shards), logs(runs)
    assert not runs[merge].ok
    art, doc = merged(ci, kind)
    assert doc["claim"]["headline"] == "NOT CONFORMANT"
    assert len(doc["results"]) == suite_size()
    assert (art / "report" / "report.html").exists()


def test_github_incomplete_shards_stop_the_merge(torc, tmp_path):
    runs, ci = emulate("github", torc, tmp_path, torc.target("wrong_handle"))
    shards = [r for n, r in runs.items() if n != "merge"]
    assert len(shards) == 4 and not any(r.ok for r in shards)
    assert any("claim: INCOMPLETE" in err for r in shards
               for _, _, _, err in r.log), logs(runs)
    assert runs["merge"].skipped and not runs["merge"].log
    assert list((ci / "artifacts").iterdir()) == []


def test_github_matrix_matches_the_shard_count():
    import yaml
    doc = yaml.safe_load((CI / "github-actions.yml").read_text())
    shards = doc["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(doc["env"]["TORC_SHARDS"]) + 1))
