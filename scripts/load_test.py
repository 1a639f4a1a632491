#!/usr/bin/env python
"""Load test of ``medcite serve``: concurrent /v1/search clients while ``medcite index update`` runs.

What it does:

1. copies the index (default: ``indexes/bench-minilm``, else ``indexes/bench-e5-small``, the
   14,449-record PubMedQA + BioASQ benchmark indexes, whichever has a ``CURRENT``) into a
   temporary directory — the original is never modified;
2. starts ``medcite serve`` on a free loopback port over the copy (bearer token on, rate limit
   off: every client comes from 127.0.0.1);
3. runs ``--clients`` threads (default 8), each with its own keep-alive HTTP connection, sending
   ``POST /v1/search`` (top_k 10) with the PubMedQA and BioASQ dev questions for
   ``--duration`` seconds (default 30);
4. ``--update-after`` seconds in, starts ``medcite index update`` in another process on the same
   copy with ``--update-docs`` MedQuAD records (new documents: they are embedded, so the writer
   competes with the server for the CPU), and records when the server starts answering from
   the new version.

Prints requests/s, latency p50/p95/p99/max (ms, client-side, wall clock), errors by kind, the
update's duration and the versions seen. Goal from the issue: 0 errors, p95 ≤ 250 ms.

``--backend milvus``: the copy is served from a ``milvus-lite server`` started on loopback
(``medcite index migrate`` pushes it there without re-embedding), as it would be from a cluster;
the update then builds a new collection and switches the alias while the server answers.

Usage: nice -n 10 python scripts/load_test.py [--index PATH|NAME] [--clients 8] [--duration 30]
       [--update-docs 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DEFAULT_INDEXES = ("bench-minilm", "bench-e5-small")


def pick_index(arg: str | None) -> Path:
    if arg:
        p = Path(arg) if ("/" in arg or Path(arg).is_dir()) else ROOT / "indexes" / arg
        if not (p / "CURRENT").is_file():
            sys.exit(f"no published index at {p} (no CURRENT file)")
        return p
    for name in DEFAULT_INDEXES:
        p = ROOT / "indexes" / name
        if (p / "CURRENT").is_file():
            return p
    sys.exit(f"none of indexes/{{{','.join(DEFAULT_INDEXES)}}} has a CURRENT file yet; pass --index")


def copy_index(src: Path, dst: Path) -> Path:
    """Copy CURRENT and the live version only (not the lock, temp dirs or older versions)."""
    live = (src / "CURRENT").read_text().strip()
    dst.mkdir(parents=True)
    shutil.copytree(src / live, dst / live)
    shutil.copy2(src / "CURRENT", dst / "CURRENT")
    return dst


def questions() -> list[str]:
    qs: list[str] = []
    for name in ("pubmedqa", "bioasq"):
        f = DATA / name / "questions_dev.jsonl"
        if f.exists():
            qs += [json.loads(line)["question"] for line in open(f, encoding="utf-8")]
    return qs or ["metformin lactic acidosis", "statins after myocardial infarction", "vitamin D and fractures"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def medcite_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "medcite.cli", *args]


def wait_ready(base: str, headers: dict, proc: subprocess.Popen, log, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            sys.exit(f"medcite serve exited before it was ready:\n{log.read()[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                r = httpx.post(base + "/v1/search", json={"query": "warm-up query", "top_k": 10}, headers=headers, timeout=60)
                if r.status_code == 200:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    log.seek(0)
    sys.exit(f"medcite serve did not become ready in {timeout:g} s:\n{log.read()[-2000:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", help="index name under indexes/ or a path (default: bench-minilm, else bench-e5-small)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    ap.add_argument("--update-docs", type=int, default=20, help="MedQuAD records added by the concurrent update (0: no update)")
    ap.add_argument("--update-after", type=float, default=3.0, help="seconds into the run when the update starts")
    ap.add_argument("--update-wait", type=float, default=300.0, help="seconds to wait after the load for the update to finish")
    ap.add_argument("--update-nice", type=int, default=0,
                    help="run the update at this niceness (e.g. 19: a background writer yielding the CPU to the server)")
    ap.add_argument("--top-k", type=int, default=10)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--backend", choices=("local", "milvus"), default="local", help="milvus: serve from a milvus-lite server on loopback")
    a = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `timeout`/kill
    src = pick_index(a.index)
    tmp = Path(tempfile.mkdtemp(prefix="medcite-load-"))
    procs: list[subprocess.Popen] = []
    try:
        t0 = time.monotonic()
        idx = copy_index(src, tmp / src.name)
        print(f"index  {src} (version {(src / 'CURRENT').read_text().strip()}) copied to {idx} in {time.monotonic() - t0:.1f} s", flush=True)
        if a.backend == "milvus":
            mport = free_port()
            exe = shutil.which("milvus-lite") or str(Path(sys.executable).with_name("milvus-lite"))
            procs.append(subprocess.Popen([exe, "server", "--data-dir", str(tmp / "milvus"), "--host", "127.0.0.1", "--port", str(mport)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            t0 = time.monotonic()
            while True:
                try:
                    socket.create_connection(("127.0.0.1", mport), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() - t0 > 60:
                        sys.exit("milvus-lite server did not start")
                    time.sleep(0.2)
            t0 = time.monotonic()
            subprocess.run(medcite_cmd("index", "migrate", "--index", str(idx), "--milvus-uri", f"http://127.0.0.1:{mport}"),
                           env={**os.environ, "MEDCITE_INDEX_ROOT": str(tmp)}, cwd=ROOT, check=True)
            print(f"milvus milvus-lite server on 127.0.0.1:{mport}; index pushed in {time.monotonic() - t0:.1f} s", flush=True)
        token = secrets.token_urlsafe(24)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "MEDCITE_API_TOKEN": token,
               "MEDCITE_RATE_LIMIT": "0", "MEDCITE_INDEX_ROOT": str(tmp)}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}
        server_log = open(tmp / "server.log", "w+")
        t0 = time.monotonic()
        server = subprocess.Popen(medcite_cmd("serve", "--index", str(idx), "--port", str(port)), env=env, cwd=ROOT,
                                  stdout=server_log, stderr=subprocess.STDOUT)
        procs.append(server)
        wait_ready(base, headers, server, server_log)
        v0 = httpx.get(base + "/v1/index", headers=headers).json()
        print(f"server ready in {time.monotonic() - t0:.1f} s: {v0['counts']['documents']} documents, "
              f"{v0['counts']['chunks']} chunks, embedder {v0['embedder']['name']}, version {v0['version']}", flush=True)

        update_file = tmp / "update.jsonl"
        if a.update_docs:
            with open(DATA / "medquad" / "qa.jsonl", encoding="utf-8") as f, open(update_file, "w", encoding="utf-8") as out:
                for i, line in enumerate(f):
                    if i >= a.update_docs:
                        break
                    out.write(line)

        qs = questions()
        lat: list[list[float]] = [[] for _ in range(a.clients)]
        errors: Counter = Counter()
        versions: Counter = Counter()
        first_new: list[float] = []
        stop = threading.Event()
        start = time.monotonic()
        deadline = start + a.duration

        def client(k: int) -> None:
            i = k
            with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
                while time.monotonic() < deadline:
                    q = qs[i % len(qs)]
                    i += a.clients
                    t = time.perf_counter()
                    try:
                        r = c.post("/v1/search", json={"query": q, "top_k": a.top_k})
                        dt = time.perf_counter() - t
                        if r.status_code != 200:
                            errors[f"HTTP {r.status_code}: {r.text[:120]}"] += 1
                            continue
                        v = r.json()["version"]
                        versions[v] += 1
                        if v != v0["version"] and not first_new:
                            first_new.append(time.monotonic() - start)
                        lat[k].append(dt)
                    except Exception as e:  # a transport error is an error too
                        errors[f"{type(e).__name__}: {str(e)[:120]}"] += 1

        update: dict = {}

        def updater() -> None:
            if not a.update_docs or stop.wait(a.update_after):
                return
            t = time.monotonic()
            update["started_at"] = t - start
            cmd = medcite_cmd("index", "update", str(update_file), "--index", str(idx), "-q")
            if a.update_nice:
                cmd = ["nice", "-n", str(a.update_nice), *cmd]
            p = subprocess.Popen(cmd, env=env, cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            procs.append(p)
            out, _ = p.communicate()
            update["seconds"] = time.monotonic() - t
            update["finished_at"] = time.monotonic() - start
            update["exit_code"] = p.returncode
            update["output"] = (out or "").strip()[-400:]

        threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
        up = threading.Thread(target=updater)
        for t in threads:
            t.start()
        up.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        stop.set()
        up.join(a.update_wait)
        if up.is_alive():  # the update outlasted --update-wait: stop it (the copy is thrown away)
            for p in procs[1:]:
                p.kill()
            up.join()
            update["unfinished"] = True
        # the server must switch to the published version without a restart
        switch_s = None
        t = time.monotonic()
        after = httpx.get(base + "/v1/index", headers=headers, timeout=60).json()
        while update.get("exit_code") == 0 and after["version"] == v0["version"] and time.monotonic() - t < 120:
            time.sleep(0.5)
            after = httpx.get(base + "/v1/index", headers=headers, timeout=60).json()
        if after["version"] != v0["version"]:
            switch_s = time.monotonic() - t

        all_lat = np.array([x for xs in lat for x in xs]) * 1000.0
        n_ok = len(all_lat)
        n_err = sum(errors.values())
        res = {
            "index": str(src), "backend": a.backend, "clients": a.clients, "duration_s": round(elapsed, 1), "requests_ok": n_ok, "errors": n_err,
            "requests_per_s": round((n_ok + n_err) / elapsed, 1),
            "latency_ms": {k: round(float(np.percentile(all_lat, p)), 1) for k, p in (("p50", 50), ("p95", 95), ("p99", 99))} if n_ok else {},
            "latency_max_ms": round(float(all_lat.max()), 1) if n_ok else None,
            "versions_served": dict(versions), "new_version_first_served_at_s": round(first_new[0], 1) if first_new else None,
            "version_after": after["version"], "documents_after": after["counts"]["documents"],
            "switch_after_update_s": round(switch_s, 1) if switch_s is not None else None,
            "update": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in update.items()}, "update_nice": a.update_nice,
            "error_kinds": dict(errors.most_common(5)),
        }
        print()
        print(f"load   {a.clients} clients × {elapsed:.1f} s against POST /v1/search (top_k {a.top_k})")
        print(f"       {n_ok + n_err} requests, {res['requests_per_s']} requests/s, {n_err} errors")
        if n_ok:
            lm = res["latency_ms"]
            print(f"       latency p50 {lm['p50']} ms, p95 {lm['p95']} ms, p99 {lm['p99']} ms, max {res['latency_max_ms']} ms")
        if update.get("unfinished"):
            print(f"update {a.update_docs} records by `medcite index update`: started at {update['started_at']:.1f} s, "
                  f"still running {a.update_wait:g} s after the load; stopped")
        elif update:
            print(f"update {a.update_docs} records by `medcite index update` in another process: started at {update['started_at']:.1f} s, "
                  f"took {update['seconds']:.1f} s, exit code {update['exit_code']}")
            if update["exit_code"]:
                print(f"       {update['output']}")
        print(f"versions served during the load: {dict(versions)}; new version first served at "
              f"{res['new_version_first_served_at_s']} s; after: {after['version']} ({after['counts']['documents']} documents"
              + (f", served {switch_s:.1f} s after the update finished)" if switch_s is not None else ")"))
        for kind, n in errors.most_common(5):
            print(f"error  {n} × {kind}")
        goal = n_err == 0 and n_ok and res["latency_ms"]["p95"] <= 250
        print(f"goal (0 errors, p95 ≤ 250 ms): {'met' if goal else 'NOT met'}")
        if a.json:
            Path(a.json).write_text(json.dumps(res, indent=2))
        return 0
    finally:
        for p in reversed(procs):  # the server before the Milvus it reads
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
