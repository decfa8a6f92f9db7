"""test_vectorize_select.py - `torc vectorize --select K`, the coverage-guided
selection of the corpus (vectors/vectorizer/torc_vectorize_select.c).

Two small committed captures, 60 candidates per flow (two per scenario
kind), K = 2.  What must hold, by the definition of the selection: every
decision outcome listed in selection.tsv is reached by the kept vectors in
min(K, flows its candidates reach) flows (the greedy cover stops only when
no candidate adds a wanted (outcome, flow) pair); the kept vectors are the
files left, fewer than the candidates; the same inputs give the same bytes;
every kept vector PASSes the reference; K outside 1..8 is a usage error.
"""
import pathlib

CAPTURES = ["vectors/captures/v4-mtu576-small-nodelay-16k.pcap",
            "vectors/captures/v4-raw-tun-128k.pcap"]


def vectorize(torc, out, *extra):
    return torc("vectorize", *CAPTURES, "-o", out, "--flows", "dport=5001",
                "--per-flow", "60", "--seed", "1", *extra, timeout=300)


def table(out):
    rows = {}
    head = None
    for line in (out / "selection.tsv").read_text().splitlines():
        if line.startswith("#"):
            head = head or line
            continue
        if line.startswith("outcome\t"):
            continue
        name, cand, kept = line.split("\t")
        rows[name] = (int(cand), int(kept))
    return head, rows


def test_selection_keeps_every_outcome_in_k_flows(torc, tmp_path):
    out = tmp_path / "sel"
    r = vectorize(torc, out, "--select", "2")
    assert r.returncode == 0, r.stderr
    head, rows = table(out)
    assert rows
    for name, (cand, kept) in rows.items():
        assert kept == min(2, cand), (name, cand, kept)
    # Both flows reach the flowchart's entry for a post (E1) and for a
    # segment (E2), so both are kept in 2 flows.
    assert rows["E1"] == (2, 2) and rows["E2"] == (2, 2)
    files = sorted(out.rglob("*.json"))
    words = head.split()
    kept, cands = int(words[words.index("kept:") + 1]), int(words[words.index("of") + 1])
    assert len(files) == kept < cands
    r = torc("run", "--target", "reference", "--vectors", out, "--quiet")
    assert r.returncode == 0, r.stderr


def test_selection_is_deterministic(torc, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert vectorize(torc, a, "--select", "2", "-q").returncode == 0
    assert vectorize(torc, b, "--select", "2", "-q").returncode == 0
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert fa == fb
    for rel in fa:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_select_out_of_range_is_a_usage_error(torc, tmp_path):
    for k in ("0", "9", "x"):
        r = vectorize(torc, tmp_path / "bad", "--select", k)
        assert r.returncode == 2, k
        assert "--select '%s': expected 1..8" % k in r.stderr
        assert not (tmp_path / "bad").exists()
