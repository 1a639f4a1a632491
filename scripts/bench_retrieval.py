#!/usr/bin/env python
"""Retrieval benchmark: BM25 vs dense vs hybrid on the PubMedQA and BioASQ dev questions.

Builds (or reuses, unless --rebuild) an index of ../shared/data/pubmedqa + bioasq abstracts
(14,449 records) with the chosen embedder, then prints for each system recall@1/5/10 and
MRR@10 on both dev sets, the build time and where it went, embedding throughput (tokens/s),
and warm query latency p50/p95 (ms, retrieval only: query embedding + BM25 + FAISS + fusion).

Rows: ``bm25`` and ``dense`` alone; ``hybrid``, the library's default (z-score fusion with
lexical pseudo-relevance feedback); ``hybrid-no-prf`` (the same without the feedback) and
``hybrid-rrf`` (reciprocal rank fusion).

recall@k: fraction of a question's gold PMIDs found among the top-k distinct papers, averaged
over questions. MRR@10: reciprocal rank of the first gold paper within the top 10.

``--backend milvus`` also serves the same version from Milvus Lite (a copy of the local index
migrated without re-embedding: ``IndexWriter.migrate``) and prints both backends' rows and
latencies from the same run, with the push time and the process memory each one added.
``--corpus-records N`` indexes a subset: the gold papers of the evaluated questions, then other
records in file order up to N (for a contended machine; recall is then not comparable with
the full corpus's, only local with Milvus).

Usage: python scripts/bench_retrieval.py --embedder e5-small [--rebuild] [--backend milvus]
       [--limit 200 --corpus-records 3000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index, open_index  # noqa: E402
from medcite.index.writer import IndexWriter  # noqa: E402
from medcite.readers import FileReport, read_documents  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def load_questions(name: str, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in open(DATA / name / "questions_dev.jsonl")]
    return rows[:limit] if limit else rows


def metrics(ranked_pmids: list[list[str]], golds: list[list[str]]) -> dict[str, float]:
    out = {}
    for k in (1, 5, 10):
        out[f"recall@{k}"] = float(np.mean([len(set(r[:k]) & set(g)) / len(g) for r, g in zip(ranked_pmids, golds)]))
    for k in (10,):
        out[f"hit@{k}"] = float(np.mean([bool(set(r[:k]) & set(g)) for r, g in zip(ranked_pmids, golds)]))
    rr = []
    for r, g in zip(ranked_pmids, golds):
        rr.append(next((1.0 / i for i, p in enumerate(r[:10], start=1) if p in set(g)), 0.0))
    out["mrr@10"] = float(np.mean(rr))
    return out


def rss_mb() -> float:
    """Resident memory of this process (MiB, from /proc)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def corpus(limit: int | None, records: int | None) -> list:
    """The bench documents: all, or the gold papers of the evaluated questions plus other
    records in file order up to ``records``."""
    docs = []
    for name in ("pubmedqa", "bioasq"):
        rep = FileReport(str(DATA / name / "abstracts.jsonl"))
        docs.extend(read_documents(DATA / name / "abstracts.jsonl", rep))
    if not records:
        return docs
    gold = {f"PMID:{p}" for ds in ("pubmedqa", "bioasq") for q in load_questions(ds, limit) for p in q["gold_pmids"]}
    keep = [d for d in docs if d.id in gold]
    rest = [d for d in docs if d.id not in gold]
    return keep + rest[: max(0, records - len(keep))]


def build(index_dir: Path, embedder_name: str, rebuild: bool, limit: int | None = None, records: int | None = None) -> dict:
    emb = get_embedder(embedder_name)
    if (index_dir / "CURRENT").exists() and not rebuild:
        ix = Index(index_dir)
        b = dict(ix.manifest.build)
        b["reused"] = True
        return b
    t0 = time.perf_counter()
    docs = corpus(limit, records)
    t_read = time.perf_counter() - t0
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30 or done == total:
            last[0] = time.perf_counter()
            print(f"  embedded {done}/{total} chunks ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)

    w = IndexWriter(index_dir, emb, progress=progress)
    rep = w.build(docs)
    total = time.perf_counter() - t0
    return {
        "seconds": total, "read_seconds": t_read, "write_seconds": rep.seconds, "embed_seconds": rep.embed_seconds,
        "chunks_embedded": rep.chunks_embedded, "tokens_embedded": rep.tokens_embedded, "documents": rep.documents,
        "reused": False,
    }


def migrate_to_milvus(index_dir: Path) -> tuple[Path, dict]:
    """``<index_dir>-milvus``: a copy of the local index served from a Milvus Lite file (made
    once, by :meth:`IndexWriter.migrate`); returns it and the push's seconds."""
    import shutil

    target = index_dir.with_name(index_dir.name + "-milvus")
    if (target / "CURRENT").exists() and Index(index_dir).manifest.counts == open_index(target).manifest.counts:
        return target, {"reused": True}
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    rep = IndexWriter(target, None).migrate({"kind": "milvus", "uri": str(target / "milvus.db")})
    return target, {"push_seconds": rep.seconds, "reused": False}


def probe_memory(index_dir: Path, embedder_name: str) -> dict:
    """RSS a fresh process adds by opening ``index_dir`` and answering 100 dev questions (query
    vectors computed first, so the embedder is not counted); MiB."""
    import subprocess

    out = subprocess.run([sys.executable, __file__, "--embedder", embedder_name, "--probe-memory", str(index_dir)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _probe_memory_child(index_dir: Path, embedder_name: str) -> None:
    emb = get_embedder(embedder_name)
    qs = [q["question"] for q in load_questions("pubmedqa", 50) + load_questions("bioasq", 50)]
    vecs = [emb.embed_query(q) for q in qs]
    m0 = rss_mb()
    r = retriever_for(index_dir, emb)
    m1 = rss_mb()
    for q, v in zip(qs, vecs):
        r.search(q, SearchOptions(top_k=10), query_vectors=[v])
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"opened": round(m1 - m0, 1), "after_100_queries": round(rss_mb() - m0, 1), "peak_rss": round(peak, 1)}))


def retriever_for(index_dir: Path, emb):
    """The retriever the service would use for the index (local or Milvus)."""
    from medcite.milvus_retrieval import MilvusRetriever

    ix = open_index(index_dir)
    return MilvusRetriever(ix, emb) if getattr(ix, "backend", "local") == "milvus" else Retriever(ix, emb)


def evaluate(index_dir: Path, embedder_name: str, limit: int | None, opts_kw: dict, emb=None, skip: tuple[str, ...] = ()) -> dict:
    emb = emb or get_embedder(embedder_name)
    r = retriever_for(index_dir, emb)
    results = {}
    latencies = []
    for ds in ("pubmedqa", "bioasq"):
        qs = load_questions(ds, limit)
        golds = [q["gold_pmids"] for q in qs]
        t = time.perf_counter()
        qvecs = []
        for q in qs:
            t1 = time.perf_counter()
            qvecs.append(emb.embed_query(q["question"]))
            latencies.append(("embed", time.perf_counter() - t1))
        per_mode = {}
        variants = {
            "bm25": dict(mode="bm25"), "dense": dict(mode="dense"), "hybrid": dict(mode="hybrid"),
            "hybrid-no-prf": dict(mode="hybrid", bm25_prf_docs=0), "hybrid-rrf": dict(mode="hybrid", fusion="rrf"),
        }
        if getattr(r.index, "backend", "local") == "milvus":
            del variants["hybrid-no-prf"]  # lexical feedback is not applied on Milvus: the same as "hybrid"
        for name in skip:
            variants.pop(name, None)
        for mode, variant in variants.items():
            ranked = []
            kw = dict(opts_kw, **variant)
            for q, v in zip(qs, qvecs):
                t1 = time.perf_counter()
                ps = r.search(q["question"], SearchOptions(top_k=10, max_per_paper=1, **kw), query_vectors=[v])
                if mode == "hybrid":
                    latencies.append(("search", time.perf_counter() - t1))
                ranked.append([p.doc_id.split(":", 1)[1] if p.doc_id.startswith("PMID:") else p.doc_id for p in ps])
            per_mode[mode] = metrics(ranked, golds)
        results[ds] = per_mode
        print(f"  evaluated {ds} ({len(qs)} questions) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    emb_ms = np.array([s for k, s in latencies if k == "embed"]) * 1000
    srch_ms = np.array([s for k, s in latencies if k == "search"]) * 1000
    # warm end-to-end latency on a sample: the whole search including query embedding
    qs = load_questions("pubmedqa", 100) + load_questions("bioasq", 100)
    for q in qs[:10]:
        r.search(q["question"], SearchOptions(top_k=10, **opts_kw))
    e2e = []
    for q in qs:
        t1 = time.perf_counter()
        r.search(q["question"], SearchOptions(top_k=10, **opts_kw))
        e2e.append((time.perf_counter() - t1) * 1000)
    results["latency_ms"] = {
        "query_p50": float(np.percentile(e2e, 50)), "query_p95": float(np.percentile(e2e, 95)),
        "embed_query_p50": float(np.percentile(emb_ms, 50)), "search_without_embedding_p50": float(np.percentile(srch_ms, 50)),
        "search_without_embedding_p95": float(np.percentile(srch_ms, 95)),
    }
    if getattr(r.index, "backend", "local") == "milvus":  # a Lite file opens in one process at a time
        from medcite.index import milvus

        milvus.disconnect(r.index.uri)
    try:
        results["memory_mb"] = probe_memory(index_dir, embedder_name)
    except Exception as e:  # keep the figures measured so far
        results["memory_mb"] = {"opened": float("nan"), "after_100_queries": float("nan"), "error": str(e)[-300:]}
    return results


def report(res: dict, b: dict, label: str) -> None:
    """Print one backend's rows."""
    print(f"\n== {label}  ({'reused index' if b.get('reused') else 'built now'})")
    print(f"{'dev set':10s} {'system':13s} {'R@1':>6s} {'R@5':>6s} {'R@10':>6s} {'hit@10':>6s} {'MRR@10':>7s}")
    for ds in ("pubmedqa", "bioasq"):
        for mode, m in res[ds].items():
            print(f"{ds:10s} {mode:13s} {m['recall@1']:6.3f} {m['recall@5']:6.3f} {m['recall@10']:6.3f} {m['hit@10']:6.3f} {m['mrr@10']:7.3f}")
    if not b.get("reused") and "embed_seconds" in b:
        secs = b.get("seconds", 0.0)
        es = b.get("embed_seconds", 0.0)
        toks = b.get("tokens_embedded", 0)
        print(f"build: {secs:.1f} s total, {es:.1f} s inside the embedder ({100 * es / max(secs, 1e-9):.1f}%), "
              f"{b.get('chunks_embedded', 0)} chunks, {toks} tokens, {toks / max(es, 1e-9):.0f} tokens/s")
    if "push_seconds" in b:
        print(f"push into Milvus Lite (no re-embedding): {b['push_seconds']:.1f} s")
    lat = res["latency_ms"]
    print(f"query latency (warm, retrieval incl. query embedding): p50 {lat['query_p50']:.1f} ms, p95 {lat['query_p95']:.1f} ms; "
          f"query embedding p50 {lat['embed_query_p50']:.1f} ms; search without embedding p50 {lat['search_without_embedding_p50']:.1f} ms, "
          f"p95 {lat['search_without_embedding_p95']:.1f} ms")
    mem = res["memory_mb"]
    print(f"memory a fresh process adds: {mem['opened']:.1f} MiB once the index is opened, {mem['after_100_queries']:.1f} MiB after 100 queries; "
          f"its peak RSS (embedder included) {mem.get('peak_rss', 0.0):.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--index-dir", type=Path, default=None, help="default: indexes/bench-<embedder>")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="questions per dev set (default: all)")
    ap.add_argument("--dense-weight", type=float, default=None)
    ap.add_argument("--bm25-weight", type=float, default=None)
    ap.add_argument("--rrf-k", type=float, default=None)
    ap.add_argument("--fusion", choices=("zscore", "rrf"), default=None, help="fusion of the 'hybrid' rows (default: the library's)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--backend", choices=("local", "milvus"), default="local", help="milvus: also serve the index from Milvus Lite and compare")
    ap.add_argument("--corpus-records", type=int, default=None, help="index a subset: the evaluated questions' gold papers plus others up to N records")
    ap.add_argument("--milvus-skip", default="", help="comma-separated rows not run on Milvus (e.g. hybrid-rrf: saves time)")
    ap.add_argument("--probe-memory", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.probe_memory:
        _probe_memory_child(a.probe_memory, a.embedder)
        return
    suffix = f"-q{a.limit}-n{a.corpus_records}" if a.corpus_records else ""
    index_dir = a.index_dir or ROOT / "indexes" / f"bench-{a.embedder}{suffix}"
    print(f"index {index_dir} (embedder {a.embedder})", file=sys.stderr)
    b = build(index_dir, a.embedder, a.rebuild, a.limit, a.corpus_records)
    kw = {}
    if a.dense_weight is not None:
        kw["dense_weight"] = a.dense_weight
    if a.bm25_weight is not None:
        kw["bm25_weight"] = a.bm25_weight
    if a.rrf_k is not None:
        kw["rrf_k"] = a.rrf_k
    if a.fusion is not None:
        kw["fusion"] = a.fusion
    emb = get_embedder(a.embedder)
    res = evaluate(index_dir, a.embedder, a.limit, kw, emb)
    res["build"] = b
    report(res, b, f"{a.embedder} local (FAISS flat + bm25s)")
    out = {"local": res}
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(out if a.backend == "milvus" else res, indent=2))
    if a.backend == "milvus":
        mdir, mb = migrate_to_milvus(index_dir)
        mres = evaluate(mdir, a.embedder, a.limit, kw, emb, tuple(x for x in a.milvus_skip.split(",") if x))
        mres["build"] = mb
        report(mres, mb, f"{a.embedder} Milvus Lite (FLAT IP + BM25 function)")
        out["milvus"] = mres
        print("\n== Milvus Lite minus local (recall@10 / MRR@10)")
        for ds in ("pubmedqa", "bioasq"):
            for mode in mres[ds]:
                if mode not in res[ds]:
                    continue
                m, l_ = mres[ds][mode], res[ds][mode]  # Milvus "hybrid" (no lexical feedback) against local "hybrid" (with it)
                print(f"{ds:10s} {mode:13s} {m['recall@10'] - l_['recall@10']:+.3f} / {m['mrr@10'] - l_['mrr@10']:+.3f}")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(out if a.backend == "milvus" else res, indent=2))


if __name__ == "__main__":
    main()
