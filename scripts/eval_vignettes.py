"""Check ``medcite diagnose`` on hand-written case presentations (issue 15, item 3).

``tests/fixtures/vignettes.json`` holds short licensing-exam style vignettes written for this
project (age/sex, history, vitals, a lab table with units, negations such as "no rebound or
guarding" or "denies chest pain"), each with its accepted diagnosis, synonyms and two plausible
distractors. They cover common acute and chronic conditions (appendicitis, cholecystitis,
pancreatitis, pulmonary embolism, myocardial infarction, DKA, meningitis, stroke,
pyelonephritis, ectopic pregnancy, pneumonia, TTP, hypothyroidism, iron deficiency, heart
failure, gout, lupus), not only the rare diseases of the HPO annotations.

Per case the script prints the findings extracted (present, then negated/historical), the rank
of the accepted diagnosis in the open differential (top-10 kept), and in the given-candidates
mode (the two distractors and the diagnosis, in that order, so a tie never favours the gold)
whether the diagnosis ranks first. Then: open top-1/5/10 and candidates-mode first-place rate
over all cases.

A candidate of the open differential is the accepted diagnosis when its name, or the name it
was given as, is the diagnosis or one of its synonyms (normalised), or when it is the
knowledge-base condition one of those names resolves to.

Usage::

    PYTHONPATH=src nice -n 10 .venv/bin/python scripts/eval_vignettes.py --index /work/indexes/diag-hash \\
        --mode bm25 [--json results/eval_vignettes.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from medcite.clinical.differential import differential
from medcite.clinical.findings import extract_findings
from medcite.clinical.knowledge.store import load_knowledge_base_for_index
from medcite.clinical.terms import normalize
from medcite.clinical.vocabulary import vocabulary_for_index
from medcite.embedding import get_embedder
from medcite.index import Index
from medcite.retrieval import Retriever, SearchOptions

FIXTURE = Path(__file__).resolve().parents[1] / "tests/fixtures/vignettes.json"
TOP = 10


def load_cases(path: Path = FIXTURE) -> list[dict]:
    """The vignettes of ``path``: dicts with id, text, diagnosis, synonyms, distractors."""
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


def gold_rank(candidates, case: dict, kb) -> int | None:
    """1-based rank of the first candidate that is the case's diagnosis, else None."""
    names = [case["diagnosis"], *case["synonyms"]]
    keys = {normalize(n) for n in names}
    ids = {c.id for c in (kb.resolve(n) for n in names) if c is not None}
    for i, c in enumerate(candidates, 1):
        if normalize(c.condition) in keys or (c.given_as and normalize(c.given_as) in keys) or (c.condition_id and c.condition_id in ids):
            return i
    return None


def run_case(case: dict, retriever, vocab, kb, opts) -> dict:
    """One vignette in both modes: findings, open-differential rank, given-candidates order."""
    found = extract_findings(case["text"])
    present = [f.label for f in found.present()]
    absent = [f"{f.status}:{f.label}" for f in found.findings if f.status != "present"]
    t0 = time.perf_counter()
    d = differential(case["text"], retriever, vocab, kb, opts, top_k=TOP, ground=False)
    t1 = time.perf_counter()
    given = [*case["distractors"], case["diagnosis"]]
    g = differential(case["text"], retriever, vocab, kb, opts, candidates=given, ground=False)
    return {
        "id": case["id"], "diagnosis": case["diagnosis"], "present": present, "absent": absent,
        "locations": [f"{f.location} {f.label}" for f in found.present() if getattr(f, "location", None)],
        "open_rank": gold_rank(d.candidates, case, kb), "open_top": [c.condition for c in d.candidates[:5]],
        "given_order": [f"{c.given_as} {c.score:.3f}" for c in g.candidates],
        "given_first": bool(g.candidates) and g.candidates[0].given_as == case["diagnosis"],
        "seconds": round(t1 - t0, 2),
    }


def summarise(rows: list[dict]) -> dict:
    """Top-1/5/10 of the open differential and the given-candidates first-place rate."""
    n = len(rows) or 1

    def top(k):
        return round(sum(1 for r in rows if r["open_rank"] is not None and r["open_rank"] <= k) / n, 3)

    return {"cases": len(rows), "open_top1": top(1), "open_top5": top(5), "open_top10": top(10),
            "given_first": round(sum(r["given_first"] for r in rows) / n, 3),
            "findings_per_case": round(sum(len(r["present"]) for r in rows) / n, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True, help="index directory (e.g. /work/indexes/diag-hash)")
    ap.add_argument("--mode", default="hybrid", choices=["hybrid", "bm25", "dense"])
    ap.add_argument("--cache", default="indexes/.cache", help="vocabulary / knowledge-base cache directory")
    ap.add_argument("--fixture", default=str(FIXTURE))
    ap.add_argument("--passages", type=int, default=40)
    ap.add_argument("--json", default=None, help="write the per-case rows and the summary here")
    args = ap.parse_args()
    ix = Index(Path(args.index))
    retriever = Retriever(ix, get_embedder(ix.embedder_name))
    vocab = vocabulary_for_index(ix, Path(args.cache))
    kb = load_knowledge_base_for_index(ix, Path(args.cache) / "knowledge")
    opts = SearchOptions(top_k=args.passages, max_per_paper=1, mode=args.mode)
    rows = []
    for case in load_cases(Path(args.fixture)):
        r = run_case(case, retriever, vocab, kb, opts)
        rows.append(r)
        rank = r["open_rank"] if r["open_rank"] is not None else f">{TOP}"
        print(f"\n[{r['id']}] gold {r['diagnosis']!r}: open rank {rank}; given-candidates first: {r['given_first']}")
        print(f"  present ({len(r['present'])}): {'; '.join(r['present'])}")
        if r["locations"]:
            print(f"  with location: {'; '.join(r['locations'])}")
        print(f"  not present: {'; '.join(r['absent']) or '-'}")
        print(f"  open top 5: {' | '.join(r['open_top'])}")
        print(f"  given: {' > '.join(r['given_order'])}")
    s = summarise(rows)
    print(f"\n{s['cases']} vignettes ({args.index}, {args.mode}): open top-1/5/10 {s['open_top1']}/{s['open_top5']}/{s['open_top10']}; "
          f"given candidates, gold first {s['given_first']}; {s['findings_per_case']} present findings per case")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"summary": s, "cases": rows}, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
