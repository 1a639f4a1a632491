#!/usr/bin/env python
"""Calibrate the citation guard's support thresholds (``medcite.answer.guard.SUPPORT_THRESHOLDS``).

Pairs from the PubMedQA dev questions (../shared/data/pubmedqa):

* supported: each sentence of a question's conclusion (``long_answer``, written by the
  authors from their results) vs its own abstract with the conclusion section removed;
* unsupported: the same sentences vs the most similar *other* abstract (BM25 nearest
  neighbour of the conclusion), i.e. a plausible but wrong citation.

For each embedder it prints the threshold maximising Youden's J (TPR − FPR) for the combined
score (Latin-script sentences) and for the cosine alone (the score used for sentences in
other scripts), with the rates at that threshold.

    nice -n 10 .venv/bin/python scripts/calibrate_support.py --embedder e5-small --limit 200
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pubmedqa"


def load(limit: int, seed: int):
    abstracts = {}
    for line in open(DATA / "abstracts.jsonl"):
        d = json.loads(line)
        abstracts[d["pmid"]] = d
    qs = [json.loads(line) for line in open(DATA / "questions_dev.jsonl")]
    random.Random(seed).shuffle(qs)
    return abstracts, qs[:limit]


def body(d: dict) -> str:
    return " ".join(s["text"] for s in d["sections"] if "CONCLU" not in s["label"].upper())


def youden(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float, float]:
    best = (-1.0, 0.0, 0.0, 0.0)
    for t in np.unique(np.concatenate([pos, neg])):
        tpr, fpr = float((pos >= t).mean()), float((neg >= t).mean())
        if tpr - fpr > best[0]:
            best = (tpr - fpr, float(t), tpr, fpr)
    return best[1], best[2], best[3]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--limit", type=int, default=200, help="dev questions used (of 500)")
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    import bm25s

    from medcite.embedding import get_embedder
    from medcite.answer.guard import SupportScorer, split_answer

    abstracts, qs = load(a.limit, a.seed)
    ids = list(abstracts)
    corpus = [body(abstracts[i]) for i in ids]
    bm = bm25s.BM25()
    bm.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    scorer = SupportScorer(get_embedder(a.embedder))
    rows = {"pos": [], "neg": []}
    t0 = time.perf_counter()
    for q in qs:
        gold = q["gold_pmids"][0]
        res, _ = bm.retrieve(bm25s.tokenize([q["long_answer"]], stopwords="en", show_progress=False), k=3, show_progress=False)
        other = next(ids[j] for j in res[0] if ids[j] != gold)
        sents = [s for s in split_answer(q["long_answer"]) if len(s) > 25 and "Medical Subject Headings" not in s][:4]
        for label, pmid in (("pos", gold), ("neg", other)):
            for sc in scorer.score_many(sents, [body(abstracts[pmid])] * len(sents)):
                rows[label].append((sc.score, sc.cosine, sc.overlap))
    dt = time.perf_counter() - t0
    pos, neg = np.array(rows["pos"]), np.array(rows["neg"])
    t_comb, tpr_c, fpr_c = youden(pos[:, 0], neg[:, 0])
    t_cos, tpr_o, fpr_o = youden(pos[:, 1], neg[:, 1])
    out = {
        "embedder": a.embedder, "questions": len(qs), "pairs": {"supported": len(pos), "unsupported": len(neg)},
        "combined": {"threshold": round(t_comb, 3), "tpr": round(tpr_c, 3), "fpr": round(fpr_c, 3)},
        "cosine_only": {"threshold": round(t_cos, 3), "tpr": round(tpr_o, 3), "fpr": round(fpr_o, 3)},
        "medians": {"supported": np.median(pos, 0).round(3).tolist(), "unsupported": np.median(neg, 0).round(3).tolist()},
        "seconds": round(dt, 1),
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
