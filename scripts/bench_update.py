#!/usr/bin/env python
"""Incremental update benchmark: 100 new + 50 revised records into a 14,449-record index.

Copies the live version of an index built by ``scripts/bench_retrieval.py`` (PubMedQA + BioASQ)
to a temporary directory (the original is not touched), then updates the copy with

* 100 new records: MedQuAD question–answer pairs (``../shared/data/medquad/qa.jsonl``, real
  text, ids ``medquad:<qid>``), answers of 40–400 words;
* 50 revised records: existing documents (every n-th of the store) with a sentence inserted at
  the start of their first section, so every chunk of the record changes (the worst case for
  chunk reuse);

and prints the chunks embedded, the update's wall-clock seconds (plan, copy, embed, BM25
rebuild, checksums, fsync, publish; also its CPU seconds, which a busy machine distorts less)
and its ratio to the full build's wall-clock seconds recorded in the index manifest
(``build.seconds`` of the build that made it; the build's own reading of the corpus excluded,
as the update's is). Because a shared machine can run the two at very different speeds, it also
prints the ratio against the full build re-estimated at the embedding speed this run measured. A second, no-op update of the
same records shows that unchanged records embed nothing.

Target (issue 4): only the new and revised records are embedded, and the update takes ≤ 10% of
a full build's time.

Usage: nice -n 10 python scripts/bench_update.py --index indexes/bench-minilm --embedder minilm
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.documents import Document, Section  # noqa: E402
from medcite.embedding import get_embedder  # noqa: E402
from medcite.index import Index, IndexDir, Manifest  # noqa: E402
from medcite.index.writer import IndexWriter  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def copy_live_version(src: Path, dst: Path) -> Manifest:
    """Copy ``CURRENT`` and the version it names (nothing else) from ``src`` to ``dst``."""
    d = IndexDir(src)
    name = d.current_name()
    dst.mkdir(parents=True)
    shutil.copytree(src / name, dst / name)
    (dst / "CURRENT").write_text(name + "\n")
    return Manifest.read(dst / name)


def new_records(n: int, taken: set[str]) -> list[Document]:
    """``n`` MedQuAD records with 40–400-word answers not already in the index."""
    out: list[Document] = []
    seen: set[str] = set()
    with open(DATA / "medquad" / "qa.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            doc_id = f"medquad:{r['qid']}"
            words = len(r.get("answer", "").split())
            if doc_id in taken or doc_id in seen or not 40 <= words <= 400:
                continue
            seen.add(doc_id)
            out.append(Document(doc_id, r["question"], [Section("ANSWER", r["answer"])], source="medquad", extra={"focus": r.get("focus", "")}))
            if len(out) == n:
                break
    return out


def revised_records(ix: Index, n: int) -> list[Document]:
    """``n`` stored documents with text, spread over the store, first section altered."""
    step = max(1, len(ix.doc_ids) // n)
    out = []
    for doc_id in ix.doc_ids[::step] + ix.doc_ids:
        if len(out) == n:
            break
        d = ix.store.get_document(doc_id)
        if not d.sections or any(o.id == d.id for o in out):  # title-only records have no text to alter
            continue
        s0 = d.sections[0]
        d.sections[0] = Section(s0.label, "Erratum: the sample size was corrected after publication. " + s0.text)
        out.append(d)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=ROOT / "indexes" / "bench-minilm")
    ap.add_argument("--embedder", default="minilm")
    ap.add_argument("--new", type=int, default=100)
    ap.add_argument("--revised", type=int, default=50)
    ap.add_argument("--json", action="store_true", help="also print one JSON object")
    a = ap.parse_args()
    if not (a.index / "CURRENT").exists():
        sys.exit(f"no index at {a.index}: build it with scripts/bench_retrieval.py --embedder {a.embedder}")
    emb = get_embedder(a.embedder)
    work = Path(tempfile.mkdtemp(prefix="medcite-bench-update-"))
    try:
        copy = work / a.index.name
        t = time.perf_counter()
        base = copy_live_version(a.index, copy)
        copy_s = time.perf_counter() - t
        full = base.build
        ix = Index(copy)
        n_docs, n_chunks = len(ix.doc_ids), len(ix)
        docs = new_records(a.new, set(ix.doc_ids)) + revised_records(ix, a.revised)
        ix.close()
        emb.embed_documents(["warm-up"])  # model load is not part of either figure

        cpu0 = time.process_time()
        rep = IndexWriter(copy, emb).update(docs)
        update_cpu = time.process_time() - cpu0
        again = IndexWriter(copy, emb).update(docs)
        after = Index(copy)
        assert len(rep.added) == a.new and len(rep.replaced) == a.revised, rep.summary()
        assert len(after.doc_ids) == n_docs + a.new and again.chunks_embedded == 0 and again.version == ""

        ratio = rep.seconds / full["seconds"]
        # The same comparison under the update's own conditions (a busy machine slows both): the
        # full build re-estimated at the embedding speed (s/token) the update just measured, plus
        # the build's non-embedding time as recorded.
        per_token = rep.embed_seconds / max(rep.tokens_embedded, 1)
        full_now = full.get("tokens_embedded", 0) * per_token + (full["seconds"] - full.get("embed_seconds", 0))
        ratio_now = rep.seconds / full_now if full_now > 0 else float("nan")
        res = {
            "index": str(a.index), "embedder": a.embedder, "documents_before": n_docs, "chunks_before": n_chunks,
            "full_build_seconds": full["seconds"], "full_build_chunks_embedded": full.get("chunks_embedded"),
            "full_build_embed_seconds": full.get("embed_seconds"),
            "added": len(rep.added), "replaced": len(rep.replaced),
            "chunks_embedded": rep.chunks_embedded, "chunks_reused": rep.chunks_reused, "tokens_embedded": rep.tokens_embedded,
            "update_seconds": rep.seconds, "update_embed_seconds": rep.embed_seconds, "update_cpu_seconds": update_cpu,
            "ratio_to_full_build": ratio, "full_build_seconds_at_update_speed": full_now, "ratio_same_conditions": ratio_now,
            "tokens_share": rep.tokens_embedded / max(full.get("tokens_embedded", 0), 1),
            "noop_update_seconds": again.seconds, "noop_chunks_embedded": again.chunks_embedded,
            "copy_seconds": copy_s,
        }
        print(f"index {a.index} ({n_docs} documents, {n_chunks} chunks, {a.embedder}); full build {full['seconds']:.1f} s "
              f"({full.get('chunks_embedded')} chunks embedded in {full.get('embed_seconds', 0):.1f} s)")
        print(f"update: {len(rep.added)} new + {len(rep.replaced)} revised records -> {rep.chunks_embedded} chunks embedded "
              f"({rep.chunks_reused} reused), {rep.seconds:.2f} s wall ({rep.embed_seconds:.2f} s embedding; {update_cpu:.1f} s CPU, all threads)")
        print(f"ratio update / full build = {100 * ratio:.2f}% (target <= 10%): {'OK' if ratio <= 0.10 else 'OVER'}")
        print(f"same conditions: full build re-estimated at this run's embedding speed = {full_now:.0f} s -> ratio {100 * ratio_now:.2f}%; "
              f"tokens embedded {rep.tokens_embedded} = {100 * rep.tokens_embedded / max(full.get('tokens_embedded', 0), 1):.2f}% of the full build's")
        print(f"no-op update of the same {len(docs)} records: {again.chunks_embedded} chunks embedded, {again.seconds:.2f} s")
        if a.json:
            print(json.dumps(res))
        return 0 if ratio <= 0.10 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
