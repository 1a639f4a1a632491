#!/usr/bin/env python
"""Calibrate the language-independent relevance threshold (z of the best cosine against a
background sample of the index; see :mod:`medcite.answer.relevance`) on English questions.

Answerable: the first ``--limit`` PubMedQA and BioASQ dev questions; off-topic: the English list of
``scripts/calibrate_abstention.py``. Prints the percentiles of z for both, the suggested threshold
(midpoint between the answerable 2nd percentile and the off-topic 98th percentile), and, for
information only (not used to choose it), the z of the translated questions of
``tests/fixtures/questions_multilingual.json``.

Usage: python scripts/calibrate_relevance.py --index /work/indexes/bench-e5 [--limit 200]
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
from medcite.answer.relevance import background_sample, relevance_z  # noqa: E402
from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402


def signals(r: Retriever, bg: np.ndarray, questions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(best cosines, z)`` per question."""
    cos, z = [], []
    for q in questions:
        ps = r.search(q, SearchOptions(top_k=5))
        best = max((p.dense_score for p in ps if p.dense_score is not None), default=-1.0)
        cos.append(best)
        z.append(relevance_z(r.embedder.embed_query(q), best, bg))
    return np.array(cos), np.array(z)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=200, help="answerable questions per dev set")
    a = ap.parse_args()
    ix = Index(a.index)
    r = Retriever(ix, get_embedder(ix.embedder_name))
    bg = background_sample(ix)
    answerable = []
    for ds in ("pubmedqa", "bioasq"):
        answerable += [json.loads(line)["question"] for line in open(DATA / ds / "questions_dev.jsonl")][: a.limit]
    pc, pz = signals(r, bg, answerable)
    nc, nz = signals(r, bg, OFF_TOPIC)
    p2, p98 = float(np.percentile(pz, 2)), float(np.percentile(nz, 98))
    t = (p2 + p98) / 2
    print(f"embedder {ix.embedder_name}, background {len(bg)} passages")
    print(f"answerable n={len(pz)}: z p2={p2:.2f} p10={np.percentile(pz, 10):.2f} median={np.median(pz):.2f} (cosine p2 {np.percentile(pc, 2):.3f})")
    print(f"off-topic n={len(nz)}: z median={np.median(nz):.2f} p98={p98:.2f} max={nz.max():.2f} (cosine p98 {np.percentile(nc, 98):.3f})")
    print(f"suggested z threshold {t:.2f}: answerable kept {np.mean(pz >= t):.3f}, off-topic abstained {np.mean(nz < t):.3f}")
    fx = json.loads((ROOT / "tests" / "fixtures" / "questions_multilingual.json").read_text())
    for lang, block in fx["languages"].items():
        c, z = signals(r, bg, [q["question"] for q in block["questions"]])
        oc, oz = signals(r, bg, block["off_topic"])
        print(f"{lang} (information only): questions z median {np.median(z):.2f} min {z.min():.2f}, kept at {t:.2f}: {np.mean(z >= t):.3f};"
              f" cosine median {np.median(c):.3f}; off-topic z max {oz.max():.2f}, cosine max {oc.max():.3f}")


if __name__ == "__main__":
    main()
