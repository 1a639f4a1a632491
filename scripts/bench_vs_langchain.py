#!/usr/bin/env python
"""medcite against the pipeline a user would assemble from LangChain — same corpus, same
embedder, same machine, one run.

Corpus: ../shared/data/pubmedqa + bioasq abstracts (14,449 records; ``--limit N`` keeps the
first N/2 of each file and only the dev questions whose gold papers are all kept).
Embedder on both sides: all-MiniLM-L6-v2 from the packaged directory (``minilm_path()``).

* LangChain: JSONL → ``Document`` (title + labelled sections, metadata pmid) →
  ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` (LangChain's RAG
  tutorial values) → ``HuggingFaceEmbeddings(model_name=<MiniLM dir>)`` → langchain-community
  ``FAISS.from_documents`` → ``save_local``; queries: ``similarity_search(q, k=10)``.
* medcite: ``read_documents`` → ``IndexWriter(dir, get_embedder("minilm")).build`` (section-aware
  chunks, SQLite store, FAISS, BM25); queries: hybrid ``Retriever.search`` (BM25 ⊕ dense, RRF),
  top 10 papers.

Each side runs in its own subprocess (``--worker``) so its peak RSS (``ru_maxrss``) is its own.
Reported per side: build seconds (wall and CPU: user+sys of the process, which a busy machine
disturbs less than wall time), peak RSS, index size on disk, query latency p50/p95 (wall and
CPU, per query, warm, including query embedding), recall@1/5/10 on both dev sets (fraction of
a question's gold PMIDs among the first k distinct papers returned), and ratios medcite/LangChain.
LangChain's k=10 returns chunks, so it may return fewer than 10 distinct papers; a second
LangChain figure (``k=30`` deduplicated to the first 10 papers) is shown for fairness.

medcite's default configuration (e5-small) is shown beside them from the index and results that
``scripts/bench_retrieval.py --embedder e5-small`` wrote (re-embedding with e5 takes 40+ min
here); ``--e5-query`` additionally runs its queries here for latency and query-time RSS.

Usage:
  nice -n 15 python scripts/bench_vs_langchain.py [--limit 500] [--also-backend int8]
      [--json results/bench_vs_langchain.json] [--plot results/bench_vs_langchain]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DATA = ROOT.parent / "shared" / "data"


def jsonl(path) -> list[dict]:
    """Rows of a JSON Lines file (split on "\\n" only: texts may hold U+2028)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
CORPORA = ("pubmedqa", "bioasq")
KS = (1, 5, 10)


# -- shared helpers ----------------------------------------------------------------------
def corpus_rows(limit: int | None) -> dict[str, list[dict]]:
    out = {}
    for name in CORPORA:
        rows = jsonl(DATA / name / "abstracts.jsonl")
        out[name] = rows[: limit // 2] if limit else rows
    return out


def corpus_files(limit: int | None, workdir: Path) -> list[Path]:
    """The abstract files, or (with ``limit``) truncated copies in ``workdir``."""
    if not limit:
        return [DATA / n / "abstracts.jsonl" for n in CORPORA]
    files = []
    for name, rows in corpus_rows(limit).items():
        p = workdir / f"{name}.jsonl"
        p.write_text("".join(json.dumps(r) + "\n" for r in rows))
        files.append(p)
    return files


def questions(limit: int | None, qlimit: int | None) -> dict[str, list[dict]]:
    kept = {r["pmid"] for rows in corpus_rows(limit).values() for r in rows} if limit else None
    out = {}
    for name in CORPORA:
        qs = jsonl(DATA / name / "questions_dev.jsonl")
        qs = [q for q in qs if q["gold_pmids"] and (kept is None or set(q["gold_pmids"]) <= kept)]
        out[name] = qs[:qlimit] if qlimit else qs
    return out


def recall(ranked: list[str], gold: list[str], k: int) -> float:
    from medcite.evaluation.retrieval import recall_at_k

    return recall_at_k(ranked, gold, k)


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_queries(search, qsets: dict[str, list[dict]], warmup: int = 10) -> dict:
    """``search(text) -> ranked pmids``; returns recall per dev set and latency lists (s)."""
    first = next(iter(qsets.values()))
    for q in first[:warmup]:
        search(q["question"])
    res: dict = {"recall": {}, "wall": [], "cpu": []}
    for name, qs in qsets.items():
        per_k = {k: [] for k in KS}
        for q in qs:
            t0, c0 = time.perf_counter(), time.process_time()
            ranked = search(q["question"])
            res["wall"].append(time.perf_counter() - t0)
            res["cpu"].append(time.process_time() - c0)
            for k in KS:
                per_k[k].append(recall(ranked, q["gold_pmids"], k))
        res["recall"][name] = {f"recall@{k}": float(np.mean(v)) for k, v in per_k.items()}
        res["recall"][name]["n"] = len(qs)
    return res


# -- workers -----------------------------------------------------------------------------
def worker_langchain(a) -> dict:
    from langchain_community.vectorstores import FAISS
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from medcite.embedding import minilm_path

    out_dir = Path(a.workdir) / "langchain_faiss"
    t0, c0 = time.perf_counter(), cpu_seconds()
    docs = []
    for f in corpus_files(a.limit, Path(a.workdir)):
        for r in jsonl(f):
            body = "\n".join(f"{s['label']}: {s['text']}" if s.get("label") else s["text"] for s in r["sections"])
            text = (r.get("title") or "").strip()
            docs.append(Document(page_content=f"{text}\n{body}" if text else body, metadata={"pmid": r["pmid"], "year": r.get("year")}))
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    emb = HuggingFaceEmbeddings(model_name=minilm_path(), model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True})
    store = FAISS.from_documents(chunks, emb)
    store.save_local(str(out_dir))
    build = {"wall_s": time.perf_counter() - t0, "cpu_s": cpu_seconds() - c0, "rss_after_build_mb": peak_rss_mb(),
             "documents": len(docs), "chunks": len(chunks), "index_bytes": du(out_dir)}
    tok = emb._client.tokenizer if hasattr(emb, "_client") else None
    if tok is not None:
        build["tokens_embedded"] = int(sum(min(len(tok(c.page_content, verbose=False)["input_ids"]), 256) for c in chunks))
    qsets = questions(a.limit, a.questions)

    def search(text, k=10):
        return [d.metadata["pmid"] for d in store.similarity_search(text, k=k)]

    def search30(text):
        return list(dict.fromkeys(search(text, 30)))[:10]

    res = run_queries(search, qsets)
    res30 = run_queries(search30, qsets, warmup=0)
    return {"side": "langchain", "build": build, "query": res, "query_k30_dedup": {"recall": res30["recall"]}, "peak_rss_mb": peak_rss_mb()}


def worker_medcite(a) -> dict:
    from medcite.embedding import get_embedder
    from medcite.index.writer import IndexWriter
    from medcite.readers import FileReport, read_documents

    out_dir = Path(a.workdir) / "medcite_index"
    t0, c0 = time.perf_counter(), cpu_seconds()
    emb = get_embedder(a.embedder)
    docs = []
    for f in corpus_files(a.limit, Path(a.workdir)):
        docs.extend(read_documents(f, FileReport(str(f))))
    rep = IndexWriter(out_dir, emb).build(docs)
    build = {"wall_s": time.perf_counter() - t0, "cpu_s": cpu_seconds() - c0, "rss_after_build_mb": peak_rss_mb(),
             "documents": rep.documents, "chunks": rep.chunks_embedded, "tokens_embedded": rep.tokens_embedded,
             "embed_s": rep.embed_seconds, "write_s": rep.seconds, "index_bytes": du(out_dir)}
    return {"side": f"medcite ({a.embedder})", "build": build, **_medcite_queries(out_dir, emb, a)}


def _medcite_queries(index_dir: Path, emb, a) -> dict:
    from medcite.evaluation.retrieval import normalise_doc_id
    from medcite.index import Index
    from medcite.retrieval import Retriever, SearchOptions

    r = Retriever(Index(index_dir), emb)
    opts = SearchOptions(top_k=10, mode="hybrid", max_per_paper=1)

    def search(text):
        return [normalise_doc_id(p.doc_id) for p in r.search(text, opts)]

    return {"query": run_queries(search, questions(a.limit, a.questions)), "peak_rss_mb": peak_rss_mb()}


def worker_existing(a) -> dict:
    """Queries only, on an index built elsewhere (e5-small by bench_retrieval.py)."""
    from medcite.embedding import get_embedder
    from medcite.index import Index

    ix = Index(Path(a.index_dir))
    emb = get_embedder(ix.manifest.embedder["name"])
    return {"side": f"medcite ({emb.name}, existing index)", **_medcite_queries(Path(a.index_dir), emb, a)}


# -- orchestration -----------------------------------------------------------------------
def spawn(kind: str, a, workdir: Path, extra: list[str] | None = None) -> dict:
    out = workdir / f"{kind}-{len(list(workdir.glob('*.out.json')))}.out.json"
    cmd = [sys.executable, __file__, "--worker", kind, "--workdir", str(workdir), "--out", str(out)]
    if a.limit:
        cmd += ["--limit", str(a.limit)]
    if a.questions:
        cmd += ["--questions", str(a.questions)]
    cmd += extra or []
    print(f"  running {kind} {' '.join(extra or [])} …", file=sys.stderr, flush=True)
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    d = json.loads(out.read_text())
    print(f"  {kind} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    return d


def summarise(d: dict) -> dict:
    q = d.get("query", {})
    s = {"side": d["side"], "peak_rss_mb": d.get("peak_rss_mb")}
    if "build" in d:
        b = d["build"]
        s.update(build_wall_s=b["wall_s"], build_cpu_s=b["cpu_s"], index_mb=b["index_bytes"] / 2**20, chunks=b.get("chunks"),
                 tokens_embedded=b.get("tokens_embedded"), documents=b.get("documents"))
    if q:
        wall, cpu = np.array(q["wall"]) * 1000, np.array(q["cpu"]) * 1000
        s.update(query_p50_ms=float(np.percentile(wall, 50)), query_p95_ms=float(np.percentile(wall, 95)),
                 query_cpu_p50_ms=float(np.percentile(cpu, 50)), query_cpu_p95_ms=float(np.percentile(cpu, 95)))
        for name, m in q["recall"].items():
            for k in KS:
                s[f"{name}_recall@{k}"] = m[f"recall@{k}"]
            s[f"{name}_n"] = m["n"]
    for name, m in d.get("query_k30_dedup", {}).get("recall", {}).items():
        s[f"{name}_recall@10_k30dedup"] = m["recall@10"]
    return s


def e5_reference(index_dir: Path, results: Path) -> dict:
    """What bench_retrieval.py recorded for e5-small (build from the manifest, figures from its JSON)."""
    s: dict = {"side": "medcite default (e5-small)", "source": f"{index_dir} + {results}"}
    cur = index_dir / "CURRENT"
    if cur.exists():
        v = index_dir / cur.read_text().strip()
        man = json.loads((v / "manifest.json").read_text())
        b = man.get("build", {})
        s.update(build_wall_s=b.get("seconds"), index_mb=du(v) / 2**20, chunks=b.get("chunks_embedded"), tokens_embedded=b.get("tokens_embedded"),
                 embed_s=b.get("embed_seconds"))
    if results.exists():
        r = json.loads(results.read_text())
        for name in CORPORA:
            if name in r:
                for k in KS:
                    s[f"{name}_recall@{k}"] = r[name]["hybrid"].get(f"recall@{k}")
        lat = r.get("latency_ms", {})
        s.update(query_p50_ms=lat.get("query_p50"), query_p95_ms=lat.get("query_p95"))
        b = r.get("build", {})
        if b.get("seconds") and not b.get("reused"):
            s["build_wall_s"] = b["seconds"]
    return s


ROWS = [
    ("build wall s", "build_wall_s"), ("build CPU s", "build_cpu_s"), ("peak RSS MB", "peak_rss_mb"), ("index on disk MB", "index_mb"),
    ("chunks", "chunks"), ("tokens embedded", "tokens_embedded"),
    ("query p50 ms", "query_p50_ms"), ("query p95 ms", "query_p95_ms"), ("query CPU p50 ms", "query_cpu_p50_ms"),
    ("recall@10 pubmedqa", "pubmedqa_recall@10"), ("recall@10 bioasq", "bioasq_recall@10"),
    ("recall@10 pubmedqa (LC k=30→10 papers)", "pubmedqa_recall@10_k30dedup"), ("recall@10 bioasq (LC k=30→10 papers)", "bioasq_recall@10_k30dedup"),
    ("recall@1 pubmedqa", "pubmedqa_recall@1"), ("recall@1 bioasq", "bioasq_recall@1"),
]


def table(cols: list[dict], ratio_of: tuple[int, int]) -> list[list]:
    rows = []
    for label, key in ROWS:
        vals = [c.get(key) for c in cols]
        if all(v is None for v in vals):
            continue
        m, lc = vals[ratio_of[0]], vals[ratio_of[1]]
        ratio = (m / lc) if isinstance(m, (int, float)) and isinstance(lc, (int, float)) and lc else None
        rows.append([label] + vals + [ratio])
    return rows


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="corpus records (half from each file); default: all 14,449")
    ap.add_argument("--questions", type=int, default=None, help="dev questions per set (default: all that apply)")
    ap.add_argument("--also-backend", action="append", default=[], help="also build medcite with minilm@BACKEND (onnx, int8, openvino)")
    ap.add_argument("--e5-index", type=Path, default=ROOT / "indexes" / "bench-e5-small")
    ap.add_argument("--e5-results", type=Path, default=ROOT / "results" / "bench_e5.json")
    ap.add_argument("--e5-query", action="store_true", help="also run the e5-small queries here (latency, query-time RSS)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--plot", type=Path, default=None, help="directory for PNGs (recall, latency, ratio table)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary indexes")
    # worker mode
    ap.add_argument("--worker", choices=["langchain", "medcite", "existing"], help=argparse.SUPPRESS)
    ap.add_argument("--workdir", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--embedder", default="minilm", help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.worker:
        fn = {"langchain": worker_langchain, "medcite": worker_medcite, "existing": worker_existing}[a.worker]
        Path(a.out).write_text(json.dumps(fn(a)))
        return

    work = Path(tempfile.mkdtemp(prefix="medcite-vs-lc-"))
    print(f"work dir {work}; corpus {'all records' if not a.limit else f'{a.limit} records'}", file=sys.stderr)
    try:
        for b in a.also_backend:  # one-time export, not part of the build being timed
            from medcite.embedding import get_embedder

            t = time.perf_counter()
            get_embedder(f"minilm@{b}")
            print(f"  minilm@{b} export ready ({time.perf_counter() - t:.0f} s, cached for later runs)", file=sys.stderr)
        partial = a.json.with_suffix(".partial.json") if a.json else None
        raw: dict = {}

        def keep(key: str, d: dict) -> None:  # a long run keeps what it measured so far
            raw[key] = d
            if partial:
                partial.parent.mkdir(parents=True, exist_ok=True)
                partial.write_text(json.dumps(raw))

        keep("medcite", spawn("medcite", a, work, ["--embedder", "minilm"]))
        shutil.rmtree(work / "medcite_index", ignore_errors=True)
        keep("langchain", spawn("langchain", a, work))
        shutil.rmtree(work / "langchain_faiss", ignore_errors=True)
        for b in a.also_backend:
            keep(f"medcite@{b}", spawn("medcite", a, work, ["--embedder", f"minilm@{b}"]))
            shutil.rmtree(work / "medcite_index", ignore_errors=True)
        if a.e5_query and (a.e5_index / "CURRENT").exists():
            keep("e5_query", spawn("existing", a, work, ["--index-dir", str(a.e5_index)]))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    cols = [summarise(raw["medcite"]), summarise(raw["langchain"])]
    cols += [summarise(raw[k]) for k in raw if k.startswith("medcite@")]
    e5 = e5_reference(a.e5_index, a.e5_results) if not a.limit else {"side": "medcite default (e5-small)", "note": "full corpus only"}
    if "e5_query" in raw:
        q = summarise(raw["e5_query"])
        e5.update({k: v for k, v in q.items() if k.startswith("query_") or k == "peak_rss_mb"})
        e5["peak_rss_mb_note"] = "query-time only"
    cols.append(e5)
    rows = table(cols, (0, 1))
    heads = ["metric"] + [c["side"] for c in cols] + ["ratio medcite/LC"]
    widths = [max(len(str(h)), 14) for h in heads]
    widths[0] = max(len(r[0]) for r in rows)
    print("\n" + "  ".join(f"{h:>{w}}" if i else f"{h:<{w}}" for i, (h, w) in enumerate(zip(heads, widths))))
    for r in rows:
        print("  ".join(f"{fmt(v):>{w}}" if i else f"{v:<{w}}" for i, (v, w) in enumerate(zip(r, widths))))
    m, lc = cols[0], cols[1]
    verdict = {
        "build_ratio_wall": m["build_wall_s"] / lc["build_wall_s"], "build_ratio_cpu": m["build_cpu_s"] / lc["build_cpu_s"],
        "p50_ratio_wall": m["query_p50_ms"] / lc["query_p50_ms"], "p50_ratio_cpu": m["query_cpu_p50_ms"] / max(lc["query_cpu_p50_ms"], 1e-9),
        "recall10_pubmedqa_ge": m["pubmedqa_recall@10"] >= lc["pubmedqa_recall@10"],
        "recall10_bioasq_ge": m["bioasq_recall@10"] >= lc["bioasq_recall@10"],
    }
    print(f"\ntargets: build ratio ≤ 1.0 → wall {verdict['build_ratio_wall']:.2f}, CPU {verdict['build_ratio_cpu']:.2f}; "
          f"recall@10 ≥ LangChain → pubmedqa {verdict['recall10_pubmedqa_ge']}, bioasq {verdict['recall10_bioasq_ge']}; "
          f"p50 ≤ 1.5× → wall {verdict['p50_ratio_wall']:.2f}, CPU {verdict['p50_ratio_cpu']:.2f}")
    result = {"columns": cols, "rows": rows, "headers": heads, "targets": verdict, "limit": a.limit,
              "latency_ms": {c: {"wall": [x * 1000 for x in raw[c]["query"]["wall"]]} for c in raw if "query" in raw[c]},
              "machine": {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()}}
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, indent=1))
    if a.plot:
        plots(a.plot, cols, raw, rows, heads)


def plots(d: Path, cols: list[dict], raw: dict, rows: list[list], heads: list[str]) -> None:
    from medcite.evaluation.plots import plot_latency, plot_ratio_table, plot_recall_curves

    curves = {}
    for c in cols:
        for name in CORPORA:
            pts = [(k, c.get(f"{name}_recall@{k}")) for k in KS]
            if all(v is not None for _, v in pts):
                curves[f"{c['side']} / {name}"] = pts
    plot_recall_curves(curves, d / "recall_at_k.png", "recall@k (papers), MiniLM on both sides")
    plot_latency({raw[k].get("side", k): [x * 1000 for x in raw[k]["query"]["wall"]] for k in raw if "query" in raw[k]},
                 d / "latency.png", "query latency, warm (incl. query embedding)")
    plot_ratio_table(rows, heads, d / "ratio_table.png", "medcite vs LangChain (same corpus, embedder, machine)")
    print(f"plots in {d}", file=sys.stderr)


if __name__ == "__main__":
    main()
