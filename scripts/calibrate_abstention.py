#!/usr/bin/env python
"""Calibrate the extractive answerer's abstention threshold for an embedder.

For answerable questions (PubMedQA + BioASQ dev questions, against an index holding their gold
abstracts) and for off-topic questions (below, none answerable from biomedical abstracts) it
records the best passage's cosine similarity to the question — the quantity the answerer
compares with its threshold — and prints percentiles and a suggested threshold: the midpoint
between the 2nd percentile of answerable questions and the 98th percentile of off-topic ones.

Usage: python scripts/calibrate_abstention.py --index indexes/bench-e5-small [--limit 300]
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
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

OFF_TOPIC = [
    "What is the best way to repair a cracked smartphone screen at home?",
    "Who won the football world cup in 1998?",
    "How do I bake sourdough bread with a crispy crust?",
    "What is the capital city of Australia?",
    "How do I change the oil in a diesel car engine?",
    "Which programming language is best for writing web servers?",
    "What are the rules of chess castling?",
    "How tall is the Eiffel Tower?",
    "What is the exchange rate between the euro and the dollar?",
    "How do I grow tomatoes on a balcony?",
    "Who wrote the novel War and Peace?",
    "What is the plot of the film Casablanca?",
    "How do I configure a wireless router password?",
    "When did the Roman Empire fall?",
    "What is the best strategy for investing in index funds?",
    "How many moons does Jupiter have?",
    "How do I remove red wine stains from a carpet?",
    "What is the difference between a violin and a viola?",
    "How do solar panels convert sunlight into electricity?",
    "What is the recipe for a classic margherita pizza?",
    "How do I train my dog to sit?",
    "What time zone is Tokyo in?",
    "Which team has won the most NBA championships?",
    "How do I write a cover letter for a marketing job?",
    "What are the lyrics of the national anthem of France?",
    "How does a jet engine produce thrust?",
    "What is the best hiking trail in the Swiss Alps?",
    "How do I install Python packages on Windows?",
    "What is the speed of sound in air?",
    "How do I knit a scarf for beginners?",
]


def best_cosines(r: Retriever, questions: list[str]) -> np.ndarray:
    out = []
    for q in questions:
        ps = r.search(q, SearchOptions(top_k=5))
        out.append(max((p.dense_score for p in ps if p.dense_score is not None), default=-1.0))
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=300, help="answerable questions per dev set")
    a = ap.parse_args()
    ix = Index(a.index)
    r = Retriever(ix, get_embedder(ix.embedder_name))
    answerable = []
    for ds in ("pubmedqa", "bioasq"):
        rows = [json.loads(line) for line in open(DATA / ds / "questions_dev.jsonl")][: a.limit]
        answerable += [q["question"] for q in rows]
    pos = best_cosines(r, answerable)
    neg = best_cosines(r, OFF_TOPIC)
    p2, p98 = float(np.percentile(pos, 2)), float(np.percentile(neg, 98))
    print(f"embedder {ix.embedder_name}: answerable n={len(pos)} best-cosine p2={p2:.3f} p10={np.percentile(pos, 10):.3f} median={np.median(pos):.3f}")
    print(f"off-topic n={len(neg)} best-cosine median={np.median(neg):.3f} p98={p98:.3f} max={neg.max():.3f}")
    t = (p2 + p98) / 2
    print(f"suggested threshold {t:.3f}: answerable kept {np.mean(pos >= t):.3f}, off-topic abstained {np.mean(neg < t):.3f}")


if __name__ == "__main__":
    main()
