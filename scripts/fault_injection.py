#!/usr/bin/env python
"""Kill -9 fault injection for index writes (update and rebuild).

For each operation the script first runs it once without a crash on a copy of a small base
index, recording every crash point the write passes (``IndexWriter`` calls a hook with a stage
name at each step, one ``embedding:<k>`` per embedding slice, four more inside publish). Then,
for every recorded point, it copies the base index, forks a child that sets
``MEDCITE_CRASH_AT=<point>`` and runs the same write (the child SIGKILLs itself there), and
checks in the parent that the index

1. loads (checksums and FAISS/SQLite/BM25 counts verified by :class:`Index`), and
2. answers a fixed set of queries exactly as the version before the write or the version after
   it (same documents and content hashes, same chunk ids, same ranked passages and scores),

and then that the next write removes every leftover (temporary directories, ``CURRENT.tmp``,
a renamed version that never became current) without changing what the index answers, and (for
update) that rerunning the interrupted write reaches the after-state content.

Uses the hashing embedder (fast, deterministic). The children are forked from one process
with ``OMP_NUM_THREADS=1`` (FAISS/OpenMP never starts a thread pool, so fork is safe), which
makes ~45 kills take seconds instead of a Python start-up each.

``--milvus``: the same kills during an update of a Milvus-backed index (served by a
``milvus-lite server`` on loopback that this script starts), at the writer's last local steps
and at every step of the push (:data:`medcite.index.milvus.STAGES`); each child is a fresh
process (gRPC clients do not survive a fork). Checked: the alias still serves the version
before the write (or, once the alias was switched, the one after), and the next write re-pushes
a version that went live locally but not on Milvus and leaves at most two collections.

Usage: python scripts/fault_injection.py [--json] [--workdir DIR] [--keep] [--records N] [--milvus]
Prints one line per kill point and a summary; ``--json`` prints one JSON object instead.
Exit code 1 when any point failed.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"  # before faiss is imported: no OpenMP pool, fork-safe
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from medcite.chunking import ChunkerSettings  # noqa: E402
from medcite.documents import Document, Section  # noqa: E402
from medcite.embedding import HashingEmbedder  # noqa: E402
from medcite.index import Index  # noqa: E402
from medcite.index.writer import IndexWriter  # noqa: E402
from medcite.retrieval import Retriever, SearchOptions  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
QUERIES = [
    "programmed cell death in plant leaves",
    "mortality after surgery in older patients",
    "randomized trial of drug therapy",
    "risk factors for infection",
    "revised findings on biomarkers",
]


def embedder() -> HashingEmbedder:
    return HashingEmbedder(dim=256, max_tokens=64)


def corpus(n: int = 26) -> list[Document]:
    """``n`` real PubMedQA abstracts when ../shared/data is present, else synthetic records."""
    path = DATA / "pubmedqa" / "abstracts.jsonl"
    docs: list[Document] = []
    if path.exists():
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                secs = [Section(s["label"], s["text"]) for s in r["sections"]]
                docs.append(Document(f"PMID:{r['pmid']}", r.get("title", ""), secs, pmid=r["pmid"], year=r.get("year")))
                if len(docs) == n:
                    break
        return docs
    words = "patients trial cohort mortality infection plant leaves cells risk therapy drug biomarker surgery outcome".split()
    for i in range(n):
        text = " ".join(words[(i * 7 + j * 3) % len(words)] for j in range(60)) + "."
        docs.append(Document(f"PMID:{1000 + i}", f"Record {i}", [Section("ABSTRACT", text), Section("RESULTS", text[::-1])], pmid=str(1000 + i), year=2000 + i % 20))
    return docs


def revise(doc: Document, tag: str, section: int = -1) -> Document:
    """Copy of ``doc`` with one section's text altered (other sections' chunks stay reusable)."""
    secs = list(doc.sections)
    s = secs[section]
    secs[section] = Section(s.label, s.text + f" Revised ({tag}): the effect was smaller than first reported.")
    return Document(doc.id, doc.title, secs, pmid=doc.pmid, year=doc.year, journal=doc.journal, mesh_terms=list(doc.mesh_terms))


def operations(docs: list[Document], n_base: int) -> dict:
    """The writes under test: name → function(root, hook) that performs it.

    update: ``n_base // 3`` new records, 2 revised (one section altered, so their other chunks
    are reused), 2 unchanged, 2 deletions and one id that is not in the index; embedded in
    slices of 4 chunks. rebuild: new chunk size (48 tokens, 8 overlap), slices of 24 chunks.
    """
    base, extra = docs[:n_base], docs[n_base:]
    new = extra
    revised = [revise(base[i], str(i)) for i in (1, n_base // 2)]
    unchanged = [base[2], base[3]]
    deletes = [base[-1].id, base[-2].id, "PMID:999999999"]

    def update(root: Path, hook=None):
        return IndexWriter(root, embedder(), hook=hook, batch_size=4).update(new + revised + unchanged, deletes)

    def rebuild(root: Path, hook=None):
        return IndexWriter(root, embedder(), ChunkerSettings(max_tokens=48, overlap_tokens=8), hook=hook, batch_size=24).rebuild()

    return {"base": base, "update": update, "rebuild": rebuild}


def signature(root: Path) -> dict:
    """Everything a reader can observe of the live version."""
    ix = Index(root)
    try:
        r = Retriever(ix, embedder())
        docs = sorted(ix.store.db.execute("SELECT id, content_hash FROM documents"))
        answers = []
        for q in QUERIES:
            ps = r.search(q, SearchOptions(top_k=5, max_per_paper=2))
            answers.append([[p.doc_id, p.chunk_id, p.section, p.text, round(p.score, 9), round(p.dense_score or 0.0, 6)] for p in ps])
        return {"version": ix.version, "docs": [list(d) for d in docs], "chunks": len(ix), "answers": answers}
    finally:
        ix.close()


def content(root: Path) -> dict:
    """Id-independent content of the live version (documents and chunk texts)."""
    ix = Index(root)
    try:
        docs = sorted(ix.store.db.execute("SELECT id, content_hash FROM documents"))
        chunks = sorted(ix.store.db.execute("SELECT doc_id, ordinal, content_hash FROM chunks"))
        return {"docs": [list(d) for d in docs], "chunks": [list(c) for c in chunks], "embedder": ix.manifest.embedder, "chunker": ix.manifest.chunker}
    finally:
        ix.close()


def leftovers(root: Path) -> list[str]:
    """Files a finished write must not leave: temp dirs, CURRENT.tmp, versions newer than live."""
    live = (root / "CURRENT").read_text().strip()
    bad = [p.name for p in root.iterdir() if ".tmp" in p.name]
    bad += [p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and p.name > live]
    return bad


def classify(sign, case: Path, before: dict, after: dict) -> tuple[str, dict | None, str | None]:
    """``(outcome, signature, problem)`` of a killed write: what ``sign(case)`` reads as
    ("before", "after", "mixed"); an index that does not load is a problem, reported."""
    try:
        sig = sign(case)
    except Exception as e:
        return "?", None, f"index does not load: {type(e).__name__}: {e}"
    outcome = "before" if sig == before else "after" if sig == after else "mixed"
    return outcome, sig, "index answers like neither the version before nor the one after the write" if outcome == "mixed" else None


def run(workdir: Path, log, n_base: int = 20) -> dict:
    docs = corpus(n_base + max(2, n_base // 3))
    ops = operations(docs, n_base)
    base = workdir / "base"
    IndexWriter(base, embedder()).build(ops["base"])
    before = signature(base)
    results = {"points": 0, "failures": [], "outcomes": {}, "stages": {}}
    for op in ("update", "rebuild"):
        fn = ops[op]
        ref = workdir / f"{op}-ref"
        shutil.copytree(base, ref)
        stages: list[str] = []
        fn(ref, stages.append)
        after = signature(ref)
        after_content = content(ref)
        assert after != before, f"{op} did not change what readers see; the test would prove nothing"
        results["stages"][op] = stages
        for stage in stages:
            results["points"] += 1
            case = workdir / f"{op}-{stage.replace(':', '_')}"
            shutil.copytree(base, case)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # child: run the write and die at the point
                try:
                    os.environ["MEDCITE_CRASH_AT"] = stage
                    fn(case)
                finally:
                    os._exit(3)  # the point was never reached
            _, status = os.waitpid(pid, 0)
            killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            point = f"{op}@{stage}"
            problem = None
            if not killed:
                problem = f"child was not killed at the point (status {status})"
            outcome, sig = "?", None
            if problem is None:
                outcome, sig, problem = classify(signature, case, before, after)
            if problem is None:
                try:  # the next write (here one with nothing to change) removes the leftovers
                    IndexWriter(case, embedder()).update([])
                    left = leftovers(case)
                    if left:
                        problem = f"leftovers after the next write: {left}"
                    elif signature(case) != sig:
                        problem = "the next write changed what the index answers"
                    elif op == "update" and outcome == "before":  # and the interrupted write can be redone
                        fn(case)
                        if content(case) != after_content:
                            problem = "rerunning the write after the crash did not reach the after-state content"
                except Exception as e:
                    problem = f"next write failed: {type(e).__name__}: {e}"
            results["outcomes"][point] = outcome
            if problem:
                results["failures"].append({"point": point, "problem": problem})
            log(f"{point:<32} {'killed' if killed else 'NOT KILLED':<10} reads as {outcome:<6} {'ok' if not problem else 'FAIL: ' + problem}")
            shutil.rmtree(case, ignore_errors=True)
    results["before"] = sum(1 for v in results["outcomes"].values() if v == "before")
    results["after"] = sum(1 for v in results["outcomes"].values() if v == "after")
    return results


MILVUS_POINTS = ("embedding:1", "publish:swapped", "published", "milvus:created", "milvus:inserted:1", "milvus:loaded",
                 "milvus:aliased", "milvus:dropped")


def milvus_signature(root: Path) -> dict:
    """What a reader of the alias observes (version, chunk count, ranked passages and scores)."""
    from medcite.index import open_index
    from medcite.milvus_retrieval import MilvusRetriever

    ix = open_index(root)
    r = MilvusRetriever(ix, embedder())
    answers = [[[p.doc_id, p.chunk_id, p.section, p.text, round(p.score, 6), round(p.dense_score or 0.0, 6)]
                for p in r.search(q, SearchOptions(top_k=5, max_per_paper=2))] for q in QUERIES]
    return {"version": ix.version, "chunks": len(ix), "answers": answers}


def run_milvus(workdir: Path, log, n_base: int, uri: str) -> dict:
    """Kill -9 an update of a Milvus-backed index at :data:`MILVUS_POINTS` (child processes)."""
    import subprocess

    from medcite.index import milvus

    docs = corpus(n_base + max(2, n_base // 3))
    ops = operations(docs, n_base)
    backend = {"kind": "milvus", "uri": uri}
    ref = workdir / "m-ref"
    IndexWriter(ref, embedder(), backend=backend).build(ops["base"])
    before = milvus_signature(ref)
    ops["update"](ref)
    after = milvus_signature(ref)
    assert after != before, "the update did not change what readers see; the test would prove nothing"
    results = {"points": 0, "failures": [], "outcomes": {}}
    for stage in MILVUS_POINTS:
        results["points"] += 1
        case = workdir / f"m-{stage.replace(':', '_')}"
        IndexWriter(case, embedder(), backend=backend).build(ops["base"])
        env = {**os.environ, "MEDCITE_CRASH_AT": stage, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.run([sys.executable, __file__, "--milvus-child", str(case), "--records", str(n_base)], env=env,
                              capture_output=True, text=True, timeout=600)
        killed = proc.returncode == -signal.SIGKILL
        problem = None if killed else f"child was not killed at the point (exit {proc.returncode}: {proc.stderr[-300:]})"
        outcome = "?"
        if problem is None:
            outcome, _sig, problem = classify(milvus_signature, case, before, after)
        if problem is None:
            try:  # the next write re-pushes a version that went live locally only, and drops strays
                IndexWriter(case, embedder()).update([])
                sig2 = milvus_signature(case)
                client = milvus.connect(uri)
                alias = milvus.alias_for(case.name)
                colls = [c for c in client.list_collections() if c.startswith(alias + "_v")]
                if len(colls) > 2:
                    problem = f"collections left: {colls}"
                elif sig2 not in (before, after):
                    problem = "after the next write the alias serves a mixed version"
                elif sig2 == before:
                    ops["update"](case)  # the interrupted write never went live anywhere: redo it
                    if milvus_signature(case)["answers"] != after["answers"]:
                        problem = "rerunning the update after the crash did not reach the after-state"
            except Exception as e:
                problem = f"next write failed: {type(e).__name__}: {e}"
        results["outcomes"][stage] = outcome
        if problem:
            results["failures"].append({"point": f"update@{stage}", "problem": problem})
        log(f"milvus update@{stage:<24} {'killed' if killed else 'NOT KILLED':<10} reads as {outcome:<6} {'ok' if not problem else 'FAIL: ' + problem}")
    results["before"] = sum(1 for v in results["outcomes"].values() if v == "before")
    results["after"] = sum(1 for v in results["outcomes"].values() if v == "after")
    return results


def milvus_server(workdir: Path):
    """Start ``milvus-lite server`` on a free loopback port; returns ``(process, uri)``."""
    import socket
    import subprocess
    import time

    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    exe = shutil.which("milvus-lite") or str(Path(sys.executable).with_name("milvus-lite"))
    proc = subprocess.Popen([exe, "server", "--data-dir", str(workdir / "milvus"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None or time.monotonic() - t0 > 60:
                proc.kill()
                raise SystemExit("milvus-lite server did not start")
            time.sleep(0.2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--workdir", type=Path, help="scratch directory (default: a new temp dir, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--records", type=int, default=20, help="records in the base index (>= 8)")
    ap.add_argument("--milvus", action="store_true", help="kill updates of a Milvus-backed index (milvus-lite server on loopback)")
    ap.add_argument("--milvus-child", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.milvus_child:  # a child of --milvus: run the update (MEDCITE_CRASH_AT kills it)
        n = max(8, a.records)
        operations(corpus(n + max(2, n // 3)), n)["update"](a.milvus_child)
        return 3
    work = a.workdir or Path(tempfile.mkdtemp(prefix="medcite-faults-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        if a.milvus:
            server, uri = milvus_server(work)
            res = run_milvus(work, (lambda _m: None) if a.json else print, max(8, a.records), uri)
        else:
            res = run(work, (lambda _m: None) if a.json else print, max(8, a.records))
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    if a.json:
        print(json.dumps(res))
    elif a.milvus:
        print(f"\n{res['points']} kill points in a Milvus update: {res['before']} read as before, {res['after']} as after, "
              f"{len(res['failures'])} failed")
    else:
        print(
            f"\n{res['points']} kill points ({len(res['stages']['update'])} in update, {len(res['stages']['rebuild'])} in rebuild): "
            f"{res['before']} read as before, {res['after']} as after, {len(res['failures'])} failed"
        )
    return 1 if res["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
