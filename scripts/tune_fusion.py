#!/usr/bin/env python
"""Grid over fusion settings (z-score or RRF, RRF k, BM25/dense weights, candidate depth, dense
and lexical pseudo-relevance feedback) on a built bench index.

Embeds every dev question once, then re-runs hybrid retrieval for each setting and prints
recall@10 and MRR@10 on both dev sets, so the defaults in ``medcite.config`` can be chosen on
evidence (and checked for over-fitting: a setting must help on both dev sets and both
embedders to become a default).

Usage: python scripts/tune_fusion.py --index indexes/bench-e5-small [--limit 1000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_retrieval import load_questions, metrics  # noqa: E402
from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--fusion", default="zscore,rrf")
    ap.add_argument("--k", default="20,60,100")
    ap.add_argument("--bm25-weights", default="0.5,0.75,1.0")
    ap.add_argument("--candidates", default="100")
    ap.add_argument("--prf", default="0", help="dense pseudo-relevance feedback depths (0 = off)")
    ap.add_argument("--prf-weight", default="0.5")
    ap.add_argument("--bm25-prf-docs", default="3", help="lexical (RM3-style) feedback papers (0 = off)")
    ap.add_argument("--bm25-prf-terms", default="30")
    ap.add_argument("--bm25-prf-weight", default="0.7", help="the original query's share λ")
    a = ap.parse_args()
    ix = Index(a.index)
    emb = get_embedder(ix.embedder_name)
    r = Retriever(ix, emb)
    pmid_of = {d: (d.split(":", 1)[1] if d.startswith("PMID:") else d) for d in ix.doc_ids}
    sets = {}
    for ds in ("pubmedqa", "bioasq"):
        qs = load_questions(ds, a.limit)
        cache = ROOT / "results" / f"qvecs-{ix.embedder_name}-{ds}-{len(qs)}.npy"
        if cache.exists():
            vecs = list(np.load(cache, allow_pickle=False))
        else:
            vecs = [emb.embed_query(q["question"]) for q in qs]
            cache.parent.mkdir(exist_ok=True)
            np.save(cache, np.stack(vecs), allow_pickle=False)
        sets[ds] = (qs, vecs)
        print(f"embedded {len(qs)} {ds} questions", file=sys.stderr, flush=True)
    grid = itertools.product(
        a.fusion.split(","), [float(x) for x in a.k.split(",")], [float(x) for x in a.bm25_weights.split(",")], [int(x) for x in a.candidates.split(",")],
        [int(x) for x in a.prf.split(",")], [float(x) for x in a.prf_weight.split(",")],
        [int(x) for x in a.bm25_prf_docs.split(",")], [int(x) for x in a.bm25_prf_terms.split(",")],
        [float(x) for x in a.bm25_prf_weight.split(",")],
    )
    print(f"{'fusion':>6s} {'k':>5s} {'w_bm25':>6s} {'cand':>5s} {'prf':>3s} {'beta':>4s} {'lprf':>4s} {'terms':>5s} {'lam':>4s}"
          f"  {'PQA R@10':>8s} {'PQA MRR':>8s}  {'BSQ R@10':>8s} {'BSQ MRR':>8s}")
    for fusion, k, wb, cand, prf, beta, lprf, terms, lam in grid:
        if fusion == "zscore" and k != float(a.k.split(",")[0]):
            continue  # k does not enter z-score fusion of one query
        row = []
        for ds, (qs, vecs) in sets.items():
            opts = SearchOptions(
                top_k=10, fusion=fusion, rrf_k=k, bm25_weight=wb, dense_weight=1.0, candidates=cand, prf_docs=prf, prf_weight=beta,
                bm25_prf_docs=lprf, bm25_prf_terms=terms, bm25_prf_query_weight=lam,
            )
            ranked = [[pmid_of[p.doc_id] for p in r.search(q["question"], opts, query_vectors=[v])] for q, v in zip(qs, vecs)]
            m = metrics(ranked, [q["gold_pmids"] for q in qs])
            row += [m["recall@10"], m["mrr@10"]]
        print(f"{fusion:>6s} {k:5.0f} {wb:6.2f} {cand:5d} {prf:3d} {beta:4.2f} {lprf:4d} {terms:5d} {lam:4.2f}  {row[0]:8.3f} {row[1]:8.3f}  {row[2]:8.3f} {row[3]:8.3f}", flush=True)


if __name__ == "__main__":
    main()
