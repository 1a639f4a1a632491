#!/usr/bin/env python
"""How often does `medcite ask` cite the right paper? (PubMedQA dev questions, demo index)

For each dev question, runs the same path as ``medcite ask`` (hybrid retrieval + the extractive
answerer) and checks whether the question's gold PMID is among the cited references. Prints the
fraction cited, the abstention rate and mean seconds per question.

Usage: python scripts/eval_ask.py [--index default] [--limit 500]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.config import Settings  # noqa: E402
from medcite.service import Medcite  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", default="default")
    ap.add_argument("--dataset", default="pubmedqa")
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    svc = Medcite(Settings(index=a.index, index_root=ROOT / "indexes"))
    rows = [json.loads(line) for line in open(DATA / a.dataset / "questions_dev.jsonl")][: a.limit]
    cited = abstained = 0
    misses = []
    t0 = time.perf_counter()
    for i, q in enumerate(rows, 1):
        ans = svc.ask(q["question"])
        pmids = {r.pmid for r in ans.references}
        hit = bool(pmids & set(q["gold_pmids"]))
        cited += hit
        abstained += ans.abstained
        if not hit:
            misses.append({"id": q["id"], "question": q["question"], "abstained": ans.abstained, "cited": sorted(p for p in pmids if p)})
        if i % 50 == 0:
            print(f"  {i}/{len(rows)}: gold cited {cited / i:.3f}", file=sys.stderr, flush=True)
    n = len(rows)
    secs = (time.perf_counter() - t0) / max(n, 1)
    print(f"{a.dataset} dev, index {a.index}: gold PMID cited in {cited}/{n} = {cited / n:.3f}; abstained {abstained}/{n}; {secs:.2f} s/question")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"n": n, "gold_cited": cited / n, "abstained": abstained, "misses": misses}, indent=2))


if __name__ == "__main__":
    main()
