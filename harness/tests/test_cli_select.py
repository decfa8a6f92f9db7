"""test_cli_select.py - end-to-end tests of which vectors a run or a list
keeps.

`torc list` (and its --coverage table), selection by id glob, requirement,
tag and exclusion (combined with AND, the same for list and run), and
shards: stable, disjoint, and merging back into a full run.

TORC_BUILD selects the build tree (default build/).
"""

from conftest import results, by_id, comparable


# ---- Selection -------------------------------------------------------------

def listed(torc, *args):
    r = torc("list", torc.vectors, *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t")[0] for line in r.stdout.splitlines()]


def test_list_and_coverage(torc, vectors):
    r = torc("list", torc.vectors)
    lines = r.stdout.splitlines()
    assert len(lines) == len(vectors)
    for line in lines:
        vid, title, reqs = line.split("\t")
        assert title == vectors[vid]["title"]
        assert reqs.split(",") == vectors[vid]["requirements"]
    # --coverage: a row per requirement id holding its vector count (the
    # table may carry more columns, and its exit status judges coverage).
    rows = {}
    for l in torc("list", "--coverage", torc.vectors).stdout.splitlines():
        f = l.split()
        if f and f[0].startswith("RCV-"):
            rows[f[0]] = f[1:]
    for req in ("RCV-038", "RCV-046", "RCV-230"):
        want = sum(req in v["requirements"] for v in vectors.values())
        assert str(want) in rows[req], (req, rows.get(req))


def test_selection_by_id_requirement_tag_exclude(torc, vectors, tmp_path):
    some = sorted(vectors)[0]
    assert listed(torc, "--id", some[:8] + "*") == sorted(
        v for v in vectors if v.startswith(some[:8]))
    # RCV-046: serialization, the re-entrant post vector(s).
    assert set(listed(torc, "--requirement", "RCV-046")) == {
        k for k, v in vectors.items() if "RCV-046" in v["requirements"]}
    assert set(listed(torc, "--tag", "terminate")) == {
        k for k, v in vectors.items() if "terminate" in v["tags"]}
    assert set(listed(torc, "--exclude", some)) == set(vectors) - {some}
    # Kinds combine with AND: a tag and a requirement.
    want = {k for k, v in vectors.items()
            if "buffered" in v["tags"] and "RCV-007" in v["requirements"]}
    assert set(listed(torc, "--tag", "buffered", "--requirement",
                      "RCV-007")) == want
    # run honours the same selection.
    out = tmp_path / "s.json"
    r = torc("run", "--target", "reference", torc.vectors, "--tag",
             "terminate", "--json", out)
    assert r.returncode == 0
    doc = results(out)
    want = {k for k, v in vectors.items() if "terminate" in v["tags"]}
    assert set(by_id(doc)) == want
    # ... and records it: the claim is a PARTIAL RUN.
    assert doc["scope"]["selection"]["tags"] == ["terminate"]
    assert doc["scope"]["selected"] == len(want)
    assert doc["scope"]["set_size"] == len(vectors)
    assert doc["claim"]["headline"] == "PARTIAL RUN"


def test_shards_are_stable_disjoint_and_merge_to_a_full_run(torc, vectors,
                                                            tmp_path):
    full = tmp_path / "full.json"
    assert torc("run", "--target", "reference", torc.vectors, "--json",
                full).returncode == 0
    n = 3
    ids = sorted(vectors)
    shard_files = []
    for i in range(1, n + 1):
        out = tmp_path / ("shard%d.json" % i)
        r = torc("run", "--target", "reference", torc.vectors, "--shard",
                 "%d/%d" % (i, n), "--json", out)
        assert r.returncode == 0, r.stderr
        # Shard i of N holds the sorted ids i-1, i-1+N, ... (documented).
        assert [x["id"] for x in results(out)["results"]] == ids[i - 1::n]
        assert results(out)["scope"]["shards"] == [{"index": i, "count": n}]
        shard_files.append(out)
    merged = tmp_path / "merged.json"
    r = torc("merge", *shard_files, "-o", merged)
    assert r.returncode == 0, r.stderr
    m, f = results(merged), results(full)
    assert m["vector_set_digest"] == f["vector_set_digest"]
    assert m["target"] == f["target"]
    assert [comparable(x) for x in m["results"]] == \
        [comparable(x) for x in f["results"]]
    assert m["summary"] == f["summary"]
    assert m["scope"]["shards"] == [{"index": i, "count": n}
                                    for i in range(1, n + 1)]
    assert m["scope"]["set_size"] == len(vectors)
