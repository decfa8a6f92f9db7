"""results_doc.py - results documents of format 2 written by hand, for the
tests of what `torc merge` and `torc diff` do with what they read
(test_cli_merge.py, test_cli_diff.py).

The layout is the contract of issue 11 (scope, suite, target with its
capability names, waivers, claim).  Each document's stored "claim" is
deliberately always CONFORMANT: torc must recompute the claim from the rest
of the document, never trust the stored one, so any other headline a test
expects proves the recomputation.
"""
import json

# TORC_CAP_* in bit order (harness/include/torc/target.h); every one is
# mandatory except ALLOC_HOOK (bit 11, testability only).
FEATURES = ["BUFFERED_DATA", "PUSH_MODE", "NONPUSH_MODE", "INDICATE",
            "PARTIAL_ACCEPT", "ZERO_BYTE_REQUEST", "PREFILLED_REQUEST",
            "REENTRANT_POST", "TERMINATE", "FIN", "RST", "ALLOC_HOOK",
            "VIRTUAL_TIME", "OUT_OF_ORDER"]
ALL = (1 << len(FEATURES)) - 1
ALLOC_HOOK = 1 << FEATURES.index("ALLOC_HOOK")
NONPUSH_MODE = 1 << FEATURES.index("NONPUSH_MODE")
DIGEST = "d" * 64


def record(vid, verdict, requirements=("RCV-046",), detail=""):
    return {"id": vid, "title": "", "verdict": verdict,
            "requirements": list(requirements), "allowances": [],
            "violations": [] if verdict != "FAIL" else
            [{"requirement": requirements[0], "message": "m " + vid}],
            "divergence": None, "detail": detail, "duration_ms": 1.0}


def doc(records, caps=ALL, name="t", version="1", digest=DIGEST,
        suite_digest=None, torc_version="0.1.0", set_size=None,
        selected=None, selection=None, shards=(), finished=True,
        stopped_by=None, strict=False, waivers=None):
    """records: [(id, verdict) or record dicts]; set_size defaults to the
    number of records, the suite to the set run (is_suite true)."""
    recs = [r if isinstance(r, dict) else record(*r) for r in records]
    names = [f for i, f in enumerate(FEATURES) if caps >> i & 1]
    missing = [{"capability": f, "requirements": ["RCV-176"], "what": "x"}
               for i, f in enumerate(FEATURES)
               if not caps >> i & 1 and f != "ALLOC_HOOK"]
    absent = ([] if caps & ALLOC_HOOK else
              [{"capability": "ALLOC_HOOK", "because": "not host memory"}])
    sel = {"ids": [], "requirements": [], "tags": [], "exclude": []}
    sel.update(selection or {})
    suite_digest = digest if suite_digest is None else suite_digest
    d = {"torc_version": torc_version, "format": 2,
         "vector_set_digest": digest,
         "suite": {"digest": suite_digest,
                   "is_suite": suite_digest == digest},
         "target": {"name": name, "version": version, "abi_version": 1,
                    "capabilities": caps, "capability_names": names,
                    "missing_mandatory": missing, "absent_optional": absent},
         "scope": {"set_size": len(recs) if set_size is None else set_size,
                   "selected": len(recs) if selected is None else selected,
                   "selection": sel,
                   "shards": [{"index": i, "count": n} for i, n in shards],
                   "finished": finished, "stopped_by": stopped_by,
                   "strict": strict},
         "started": "2030-01-01T00:00:00Z",
         "finished": "2030-01-01T00:00:01Z",
         "results": recs,
         "summary": {},
         "claim": {"headline": "CONFORMANT", "exit_status": 0,
                   "reasons": [], "untested_requirements": [],
                   "missing_mandatory": []}}
    if waivers is not None:
        d["waivers"] = waivers
    return d


def write(tmp_path, name, d):
    p = tmp_path / name
    p.write_text(json.dumps(d))
    return p
