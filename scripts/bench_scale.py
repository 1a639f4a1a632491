#!/usr/bin/env python
"""Scale benchmark: approximate vector indexes on synthetic clustered 384-d vectors, and the Ray
build of the real corpus against the single-process build.

Part 1 (``--sizes``): for each size n (default 100k and 1M) and each index type and setting —
exact ``flat``, ``hnsw`` (M=32, efSearch variants), ``ivfpq`` (IVF{√n},PQ48 with nprobe variants,
with and without the SQ8 re-scoring stage) — it prints and records:

* build time (s, wall-clock: training + adding, 2 FAISS threads) and the build's peak RSS
  increase (MiB) in a fresh process;
* disk size (MiB) of the saved index files;
* serving: a fresh process opens the index the way ``medcite`` does (memory-mapped for the
  approximate types) and answers one query at a time on one thread, as the retriever does:
  p50/p95 latency (ms), recall@10 against exact search, and the process's resident-memory
  increase after all queries (MiB; mapped pages that queries touched count as resident).

Vectors: a Gaussian mixture that looks like sentence embeddings more than uniform noise does —
1,000 unit centroids in 384-d, each point ``c + 0.9·U_c z + 0.35·g``, where ``U_c`` spans a
32-d subspace of its own per cluster (embeddings have low local intrinsic dimension) and ``g``
is isotropic noise, then L2-normalised. Queries are fresh draws from the same mixture. The data
are written in 50k-row chunks to ``--workdir`` and streamed, never held twice.

Part 2 (``--ray-corpus``): builds ``indexes/bench-minilm-ray`` from the 14,449 PubMedQA +
BioASQ records through ``--ray local`` (minilm embedder) and compares it with the
single-process ``indexes/bench-minilm`` (waits for its ``CURRENT``; never modifies it): the
share of dev questions (PubMedQA + BioASQ) whose hybrid top-10 passages are identical, the
dense-only top-10 agreement, and the build-time ratio.

Usage::

    nice -n 15 python scripts/bench_scale.py --sizes 100000 1000000 --json results/bench_scale.json
    nice -n 15 python scripts/bench_scale.py --ray-corpus --json results/bench_scale.json

Results are merged into the JSON file (one key per part), so the parts can run separately.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

D = 384
CHUNK = 50_000
K = 10


# -- data ------------------------------------------------------------------------------------
class Mixture:
    """The clustered generator described in the module docstring (deterministic by seed)."""

    def __init__(self, d: int = D, k: int = 1000, r: int = 32, sub: float = 0.9, iso: float = 0.35, seed: int = 0) -> None:
        rs = np.random.default_rng(seed)
        self.c = rs.standard_normal((k, d)).astype(np.float32)
        self.c /= np.linalg.norm(self.c, axis=1, keepdims=True)
        self.u = (rs.standard_normal((k, d, r)) / np.sqrt(d * r)).astype(np.float32)  # |U z| ≈ 1
        self.k, self.d, self.r, self.sub, self.iso = k, d, r, sub, iso

    def draw(self, m: int, seed: int) -> np.ndarray:
        rs = np.random.default_rng(seed)
        lab = rs.integers(0, self.k, m)
        z = rs.standard_normal((m, self.r)).astype(np.float32)
        x = self.c[lab].copy()
        order = np.argsort(lab, kind="stable")
        for grp in np.split(order, np.flatnonzero(np.diff(lab[order])) + 1):
            if len(grp):
                x[grp] += self.sub * (z[grp] @ self.u[lab[grp[0]]].T)
        x += self.iso * rs.standard_normal((m, self.d)).astype(np.float32) / np.sqrt(self.d)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x


def data_file(workdir: Path, n: int) -> Path:
    """``x{n}.f32``: n rows, written chunk by chunk (rows of every size share a prefix)."""
    path = workdir / f"x{n}.f32"
    if path.exists() and path.stat().st_size == n * D * 4:
        return path
    mix = Mixture()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        for i in range(0, n, CHUNK):
            f.write(mix.draw(min(CHUNK, n - i), seed=1000 + i // CHUNK).tobytes())
    tmp.rename(path)
    return path


def read_rows(path: Path, start: int, stop: int) -> np.ndarray:
    """Rows ``[start, stop)`` as an in-memory (not mapped) array."""
    return np.fromfile(path, dtype=np.float32, count=(stop - start) * D, offset=start * D * 4).reshape(-1, D)


def queries(workdir: Path, nq: int) -> np.ndarray:
    path = workdir / f"q{nq}.npy"
    if not path.exists():
        np.save(path, Mixture().draw(nq, seed=7))
    return np.load(path)


def ground_truth(workdir: Path, n: int, q: np.ndarray) -> np.ndarray:
    """Exact top-10 row numbers, ``(nq, 10) int64``, by blocked brute force."""
    import faiss

    path = workdir / f"gt{n}_{len(q)}.npy"
    if path.exists():
        return np.load(path)
    faiss.omp_set_num_threads(2)
    best_d = np.full((len(q), K), -np.inf, np.float32)
    best_i = np.zeros((len(q), K), np.int64)
    src = data_file(workdir, n)
    for i in range(0, n, CHUNK * 4):
        x = read_rows(src, i, min(n, i + CHUNK * 4))
        d, j = faiss.knn(q, x, K, metric=faiss.METRIC_INNER_PRODUCT)
        d = np.concatenate([best_d, d], axis=1)
        j = np.concatenate([best_i, j + i], axis=1)
        top = np.argsort(-d, axis=1, kind="stable")[:, :K]
        best_d, best_i = np.take_along_axis(d, top, 1), np.take_along_axis(j, top, 1)
    np.save(path, best_i)
    return best_i


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- index types --------------------------------------------------------------------------------
def options(kind: str, n: int):
    from medcite.index.ann import AnnOptions, default_nlist

    if kind == "flat":
        return None
    if kind == "hnsw":
        return AnnOptions("hnsw", hnsw_m=32, ef_construction=80)
    return AnnOptions("ivfpq", nlist=default_nlist(n), pq_m=48, rerank="SQ8")


SETTINGS = {
    "flat": [{}],
    "hnsw": [{"ef_search": e} for e in (16, 32, 64, 128, 256)],
    "ivfpq": [{"nprobe": p, "rerank_factor": f} for p in (8, 16, 32, 64) for f in (0, 4, 10)],
}


def build_worker(kind: str, n: int, workdir: Path, out: Path) -> dict:
    """Build one index from the data file and save it (run in a fresh process)."""
    import faiss

    from medcite.index.factory import create_vectors, manifest_fields

    faiss.omp_set_num_threads(2)
    base = rss_mib()
    src = data_file(workdir, n)
    t0 = time.perf_counter()
    v = create_vectors(D, options(kind, n), n)
    for i in range(0, n, CHUNK):
        v.add(np.arange(i, min(n, i + CHUNK), dtype=np.int64), read_rows(src, i, min(n, i + CHUNK)))
    if hasattr(v, "finalize"):
        v.finalize()
    build_s = time.perf_counter() - t0
    out.mkdir(parents=True, exist_ok=True)
    for p in out.iterdir():
        p.unlink()
    v.save_into(out)
    fields = manifest_fields(v)
    (out / "params.json").write_text(json.dumps(fields))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    disk = sum(p.stat().st_size for p in out.iterdir() if p.name != "params.json") / 2**20
    return {"build_s": round(build_s, 1), "build_peak_rss_mib": round(peak - base, 1), "disk_mib": round(disk, 1), "index": fields["vector_index"]}


def serve_worker(kind: str, n: int, workdir: Path, idx_dir: Path, nq: int) -> list[dict]:
    """Open the saved index as medcite does and time single queries (fresh process)."""
    from dataclasses import replace

    from medcite.index.factory import load_vectors  # sets FAISS to one thread, as served

    q = queries(workdir, nq)
    gt = ground_truth(workdir, n, q)
    base = rss_mib()
    params = json.loads((idx_dir / "params.json").read_text())["vector_params"]
    t0 = time.perf_counter()
    v = load_vectors(idx_dir, params, mmap=True)
    load_s = time.perf_counter() - t0
    after_load = rss_mib()
    rows = []
    rerank = getattr(v, "rerank", None)
    for setting in SETTINGS[kind]:
        if kind != "flat":
            s = dict(setting)
            f = s.pop("rerank_factor", None)
            v.rerank = rerank if f else None
            v.opts = replace(v.opts, **s, **({"rerank_factor": f} if f else {}))
        for qq in q[:20]:  # warm-up
            v.search(qq, K)
        lat, rec = [], []
        for qi, qq in enumerate(q):
            t = time.perf_counter()
            _d, ids = v.search(qq, K)
            lat.append((time.perf_counter() - t) * 1000)
            rec.append(len(set(ids.tolist()) & set(gt[qi].tolist())) / K)
        rows.append({
            "setting": setting, "p50_ms": round(float(np.percentile(lat, 50)), 3), "p95_ms": round(float(np.percentile(lat, 95)), 3),
            "recall@10": round(float(np.mean(rec)), 4),
        })
    v.rerank = rerank
    end = rss_mib()
    for r in rows:
        r.update({"load_s": round(load_s, 2), "rss_after_load_mib": round(after_load - base, 1), "rss_after_queries_mib": round(end - base, 1)})
    return rows


def run_worker(args: list[str]) -> dict | list:
    cmd = [sys.executable, __file__, *args]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def synthetic(sizes: list[int], kinds: list[str], nq: int, workdir: Path, results: dict, save) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        t = time.perf_counter()
        data_file(workdir, n)
        q = queries(workdir, nq)
        ground_truth(workdir, n, q)
        print(f"n={n:,}: data + exact ground truth ready in {time.perf_counter() - t:.0f} s", flush=True)
        for kind in kinds:
            key = f"{kind}@{n}"
            idx = workdir / f"idx_{kind}_{n}"
            b = run_worker(["--build-worker", kind, str(n), str(workdir), str(idx)])
            print(f"  {kind}: built in {b['build_s']} s ({b['index']})", flush=True)
            rows = run_worker(["--serve-worker", kind, str(n), str(workdir), str(idx), str(nq)])
            results.setdefault("synthetic", {})[key] = {"n": n, "kind": kind, **b, "settings": rows}
            save()
            print_rows(n, kind, b, rows)


def print_rows(n: int, kind: str, b: dict, rows: list[dict]) -> None:
    for r in rows:
        s = ",".join(f"{k}={v}" for k, v in r["setting"].items()) or "-"
        print(
            f"  {n:>9,} {kind:<6} {s:<26} recall@10={r['recall@10']:.3f} p50={r['p50_ms']:7.2f} ms p95={r['p95_ms']:7.2f} ms"
            f"  build={b['build_s']:7.1f} s peak+{b['build_peak_rss_mib']:7.0f} MiB disk={b['disk_mib']:7.0f} MiB"
            f"  serve RSS +{r['rss_after_queries_mib']:6.0f} MiB",
            flush=True,
        )


# -- Ray vs single process on the real corpus -----------------------------------------------
def ray_corpus(results: dict, save, wait_s: float) -> None:
    from medcite.config import Settings
    from medcite.embedding import get_embedder
    from medcite.index import Index
    from medcite.index.ray_build import ray_index_build
    from medcite.retrieval import Retriever, SearchOptions
    from medcite.service import Medcite

    data = ROOT.parent / "shared" / "data"
    ref_dir = ROOT / "indexes" / "bench-minilm"
    t = time.time()
    while not (ref_dir / "CURRENT").exists():
        if time.time() - t > wait_s:
            raise SystemExit(f"{ref_dir}/CURRENT did not appear within {wait_s:.0f} s")
        time.sleep(30)
    ray_dir = ROOT / "indexes" / "bench-minilm-ray"
    files = [data / "pubmedqa" / "abstracts.jsonl", data / "bioasq" / "abstracts.jsonl"]
    svc = Medcite(Settings(index=str(ray_dir), embedder="minilm"))
    t0 = time.perf_counter()
    rep, _reports = ray_index_build(svc, files, "local", quiet=True)
    ray_s = time.perf_counter() - t0
    print(f"ray build: {rep.summary()} — {ray_s:.0f} s wall", flush=True)

    ref, got = Index(ref_dir), Index(ray_dir)
    emb = get_embedder("minilm")
    ra, rb = Retriever(ref, emb), Retriever(got, emb)
    qs = [json.loads(line)["question"] for name in ("pubmedqa", "bioasq") for line in open(data / name / "questions_dev.jsonl")]
    same_hybrid = same_dense = 0
    overlap = []
    for q in qs:
        qv = emb.embed_query(q)
        a = [p.chunk_id for p in ra.search(q, SearchOptions(top_k=10), query_vectors=[qv])]
        b = [p.chunk_id for p in rb.search(q, SearchOptions(top_k=10), query_vectors=[qv])]
        same_hybrid += a == b
        overlap.append(len(set(a) & set(b)) / max(1, len(a)))
        da = ref.vectors.search(qv, 10)[1].tolist()
        db = got.vectors.search(qv, 10)[1].tolist()
        same_dense += da == db
    ref_s = float(ref.manifest.build.get("seconds", 0))
    out = {
        "questions": len(qs), "same_top10_hybrid": round(same_hybrid / len(qs), 4), "same_top10_dense": round(same_dense / len(qs), 4),
        "mean_top10_overlap": round(float(np.mean(overlap)), 4),
        "chunks_ref": len(ref), "chunks_ray": len(got), "same_chunk_ids": bool(np.array_equal(ref.chunk_ids, got.chunk_ids)),
        "single_process_build_s": ref_s, "ray_build_s": round(ray_s, 1), "ray_stage_s": round(rep.embed_seconds, 1),
        "time_ratio_ray_over_single": round(ray_s / ref_s, 3) if ref_s else None,
        "note": "both builds ran on the shared 2-core machine under other load; the single-process time is the one recorded in its manifest",
    }
    results["ray_corpus"] = out
    save()
    print(json.dumps(out, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--types", default="flat,hnsw,ivfpq")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/medcite-bench-scale"))
    ap.add_argument("--json", type=Path, default=ROOT / "results" / "bench_scale.json")
    ap.add_argument("--ray-corpus", action="store_true", help="run part 2 (Ray vs single-process on the real corpus) instead of part 1")
    ap.add_argument("--wait", type=float, default=7200, help="seconds to wait for indexes/bench-minilm/CURRENT")
    ap.add_argument("--build-worker", nargs=4, metavar=("KIND", "N", "WORKDIR", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--serve-worker", nargs=5, metavar=("KIND", "N", "WORKDIR", "IDX", "NQ"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.build_worker:
        kind, n, wd, out = a.build_worker
        print(json.dumps(build_worker(kind, int(n), Path(wd), Path(out))))
        return
    if a.serve_worker:
        kind, n, wd, idx, nq = a.serve_worker
        print(json.dumps(serve_worker(kind, int(n), Path(wd), Path(idx), int(nq))))
        return
    results = json.loads(a.json.read_text()) if a.json.exists() else {}
    results.setdefault("machine", {"cpus": os.cpu_count(), "note": "shared 2-core machine; other jobs were running"})

    def save() -> None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(results, indent=2))

    if a.ray_corpus:
        ray_corpus(results, save, a.wait)
    else:
        synthetic(a.sizes, a.types.split(","), a.queries, a.workdir, results, save)
    print(f"results in {a.json}")


if __name__ == "__main__":
    main()
