#!/usr/bin/env python
"""Calibrate the abstention bars for questions in other languages (see
:mod:`medcite.answer.relevance`), and measure the language-independent signals that were tried.

Per language of ``tests/fixtures/questions_multilingual.json``, with the hybrid top-5 passages
the answerer sees: the best cosine and the distinctiveness (best minus the mean of the next
four, :func:`medcite.answer.relevance.distinctiveness`) of the 20 ``calibration_questions``
(translated PubMedQA dev questions 31–50) and of the negatives: the 25
``calibration_off_topic`` questions and the 10 ``calibration_absent`` ones (medical topics no
indexed abstract covers). Suggested bars: ``strict`` = the highest negative best cosine + 0.003
(every negative abstains), ``distinct`` = the answerable 2nd percentile, and the gap above which
a negative never reaches (the largest negative distinctiveness, reported). The test questions
of the fixture are not read. With ``--signals`` it also prints, for English questions (PubMedQA
dev 31–230 and the 30 English off-topic questions), how well three signals separate answerable
from off-topic: the best cosine, the best cosine standardised against a random background
sample of 1,024 passages of the index, and the gap between the best and 10th-best dense cosine.

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
from medcite.answer.relevance import cross_lingual_floor, distinctiveness  # noqa: E402
from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402


def best_and_gap(r: Retriever, q: str) -> tuple[float, float]:
    """``(best cosine, distinctiveness)`` over the hybrid top-5 passages (what the answerer sees)."""
    s = [p.dense_score for p in r.search(q, SearchOptions(top_k=5)) if p.dense_score is not None]
    return (max(s, default=-1.0), distinctiveness(s))


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
        pos = np.array([best_and_gap(r, q["question"]) for q in block["calibration_questions"]])
        neg = np.array([best_and_gap(r, q) for q in block["calibration_off_topic"] + block["calibration_absent"]])
        absent = neg[len(block["calibration_off_topic"]):]
        print(f"{lang}: n={len(pos)}/{len(neg)} " + separation("best cosine", pos[:, 0], neg[:, 0]))
        print(f"  absent-topic negatives: best cosine {absent[:, 0].min():.3f}-{absent[:, 0].max():.3f}, distinctiveness max {absent[:, 1].max():.3f};"
              f" all negatives: distinctiveness max {neg[:, 1].max():.3f}; answerable distinctiveness {pos[:, 1].min():.3f}-{pos[:, 1].max():.3f}")
        strict, distinct = float(neg[:, 0].max()) + 0.003, float(np.percentile(pos[:, 0], 2))
        bars = cross_lingual_floor(ix.embedder_name, lang, 0.86)
        kept = np.mean([bars.admits(b, g) for b, g in pos])
        refused = np.mean([not bars.admits(b, g) for b, g in neg])
        print(f"  suggested strict {strict:.3f}, distinct {distinct:.3f}; shipped {bars.strict:.3f}/{bars.distinct:.3f}/gap {bars.gap:.3f}:"
              f" answerable kept {kept:.3f}, negatives refused {refused:.3f}")
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
