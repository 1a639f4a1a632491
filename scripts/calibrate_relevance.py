#!/usr/bin/env python
"""Calibrate the abstention threshold for questions in other languages (see
:mod:`medcite.answer.relevance`), and measure the language-independent signals that were tried.

Per language of ``tests/fixtures/questions_multilingual.json``: the best cosine of the 20
``calibration_questions`` (translated PubMedQA dev questions 31–50) and of the 25
``calibration_off_topic`` questions; suggested threshold = midpoint between the answerable 2nd
percentile and the off-topic 98th percentile (the rule of ``scripts/calibrate_abstention.py``).
The test questions of the fixture are not read. With ``--signals`` it also prints, for English
questions (PubMedQA dev 31–230 and the 30 English off-topic questions), how well three signals
separate answerable from off-topic: the best cosine, the best cosine standardised against a
random background sample of 1,024 passages of the index, and the gap between the best and
10th-best dense cosine.

Usage: python scripts/calibrate_relevance.py --index /work/indexes/pubmedqa-e5 [--signals]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from calibrate_abstention import DATA, OFF_TOPIC  # noqa: E402
from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402


def best_cosine(r: Retriever, q: str) -> float:
    return max((p.dense_score for p in r.search(q, SearchOptions(top_k=5)) if p.dense_score is not None), default=-1.0)


def signals(r: Retriever, bg: np.ndarray, q: str) -> tuple[float, float, float]:
    """``(best cosine, z against the background, best − 10th best dense cosine)``."""
    d = sorted((p.dense_score for p in r.search(q, SearchOptions(top_k=10, mode="dense"))), reverse=True)
    sims = bg @ r.embedder.embed_query(q)
    return d[0], (d[0] - float(sims.mean())) / float(sims.std()), d[0] - d[-1]


def separation(name: str, pos: np.ndarray, neg: np.ndarray) -> str:
    p2, p98 = float(np.percentile(pos, 2)), float(np.percentile(neg, 98))
    t = (p2 + p98) / 2
    return f"{name}: answerable p2 {p2:.3f} vs off-topic p98 {p98:.3f} → at {t:.3f} answerable kept {np.mean(pos >= t):.3f}, off-topic abstained {np.mean(neg < t):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--signals", action="store_true", help="also compare language-independent signals on English questions")
    a = ap.parse_args()
    ix = Index(a.index)
    r = Retriever(ix, get_embedder(ix.embedder_name))
    fx = json.loads((ROOT / "tests" / "fixtures" / "questions_multilingual.json").read_text())
    print(f"embedder {ix.embedder_name}, index {a.index}")
    for lang, block in fx["languages"].items():
        pos = np.array([best_cosine(r, q["question"]) for q in block["calibration_questions"]])
        neg = np.array([best_cosine(r, q) for q in block["calibration_off_topic"]])
        print(f"{lang}: n={len(pos)}/{len(neg)} " + separation("best cosine", pos, neg))
    if a.signals:
        rng = np.random.default_rng(0)
        ids = np.sort(rng.choice(ix.chunk_ids, size=min(1024, len(ix.chunk_ids)), replace=False))
        bg = np.asarray(ix.vectors.reconstruct_many(ids), dtype=np.float32)
        qs = [json.loads(line)["question"] for line in open(DATA / "pubmedqa" / "questions_dev.jsonl")][30:230]
        pos = np.array([signals(r, bg, q) for q in qs])
        neg = np.array([signals(r, bg, q) for q in OFF_TOPIC])
        for k, name in enumerate(("best cosine", "z vs background", "best - 10th best")):
            print("English " + separation(name, pos[:, k], neg[:, k]))


if __name__ == "__main__":
    main()
