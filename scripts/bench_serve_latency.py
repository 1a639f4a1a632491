#!/usr/bin/env python
"""Query latency of ``medcite serve``: query embedding and whole ``/v1/search`` requests.

Starts ``medcite serve`` on ``--index`` (a free loopback port, rate limit off), waits for
``/healthz``, sends ``--questions`` real dev questions (alternately PubMedQA and BioASQ,
``../shared/data/*/questions_dev.jsonl``) one at a time to ``POST /v1/search`` (hybrid, top-10),
after ``--warmup`` unreported ones, and prints p50/p95 (ms) of:

* ``embed_query`` — the server's own timing of the query embedding (the response's
  ``timings.embed_query``), the figure issue #20 asks for;
* ``search`` — BM25, vector search and fusion after the embedding (``timings.search``);
* ``server total`` — both (``timings.total``);
* ``request`` — the client's wall time for the whole HTTP request (JSON, routing, transport).

``--cli`` also times the CLI path's query embedding for the same questions in this process
(``get_embedder(<the index's embedder>).embed_query``, what ``medcite search``/``ask`` run).

Usage: nice -n 10 python scripts/bench_serve_latency.py --index /work/indexes/pubmedqa-e5 [--questions 200] [--cli] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def questions(n: int) -> list[str]:
    """``n`` dev questions, alternately from PubMedQA and BioASQ (file order)."""
    sets = [[json.loads(line)["question"] for line in open(DATA / name / "questions_dev.jsonl") if line.strip()] for name in ("pubmedqa", "bioasq")]
    out = [q for pair in zip(*sets) for q in pair]
    return out[:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def pct(xs: list[float]) -> tuple[float, float]:
    """(p50, p95) in ms of seconds ``xs``."""
    return float(np.percentile(xs, 50) * 1000), float(np.percentile(xs, 95) * 1000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--cli", action="store_true", help="also time the CLI path's query embedding in this process")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    qs = questions(a.questions + a.warmup)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), HF_HUB_OFFLINE="1", MEDCITE_RATE_LIMIT="0")
    cmd = [sys.executable, "-c", "from medcite.cli import run; run()", "serve", "--index", a.index, "--port", str(port), "--rate-limit", "0"]
    srv = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        while True:
            if srv.poll() is not None:
                print(f"medcite serve exited: {srv.stderr.read().strip().splitlines()[-1:]}", file=sys.stderr)
                return 1
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        started = time.perf_counter() - t0
        info = json.loads(urllib.request.urlopen(base + "/v1/index", timeout=30).read())
        embedder = info.get("embedder", {}).get("name", "?")
        rows = {"embed_query": [], "search": [], "total": [], "request": []}
        for i, q in enumerate(qs):
            t = time.perf_counter()
            r = post(base + "/v1/search", {"query": q, "top_k": 10, "mode": "hybrid"})
            wall = time.perf_counter() - t
            if i < a.warmup:
                continue
            for k in ("embed_query", "search", "total"):
                rows[k].append(r["timings"][k])
            rows["request"].append(wall)
    finally:
        srv.terminate()
        try:
            srv.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            srv.kill()
    out = {"index": a.index, "embedder": embedder, "questions": len(rows["request"]), "server_start_s": started,
           "loadavg": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"medcite serve on {a.index} (embedder {embedder}); {len(rows['request'])} dev questions, one at a time; "
          f"load average {out['loadavg'][0]:.1f} on {out['cpus']} CPUs; server up in {started:.1f} s")
    labels = {"embed_query": "query embedding (server)", "search": "search after embedding", "total": "server total", "request": "request (client wall)"}
    for k, label in labels.items():
        p50, p95 = pct(rows[k])
        out[k] = {"p50_ms": p50, "p95_ms": p95}
        print(f"  {label:26s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    if a.cli:
        sys.path.insert(0, str(ROOT / "src"))
        from medcite.embedding import get_embedder

        emb = get_embedder(embedder)
        emb.embed_query(qs[0])
        ts = []
        for q in qs[a.warmup:]:
            t = time.perf_counter()
            emb.embed_query(q)
            ts.append(time.perf_counter() - t)
        p50, p95 = pct(ts)
        out["cli_embed_query"] = {"p50_ms": p50, "p95_ms": p95}
        print(f"  {'query embedding (CLI path)':26s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
