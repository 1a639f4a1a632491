"""Writing index versions: build, update (add / replace / skip unchanged / delete), rebuild.

Every write happens under the index's lock into a fresh temporary directory that becomes the
live version with one atomic rename (:meth:`IndexDir.publish`); a crash at any point leaves the
previous version live and a stray temporary directory that the next write removes. Only new or
changed documents are chunked and embedded; BM25 is rebuilt from the store (cheap relative to
embedding) so its statistics stay exact.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..chunking import ChunkerSettings, chunk_document
from ..documents import Document
from ..embedding import Embedder
from ..errors import UsageError
from .lexical import LexicalIndex
from .manifest import Manifest, checksum_dir, verify_files
from .store import Store
from .vectors import VectorIndex
from .versions import IndexDir

DUPLICATE_POLICIES = ("overwrite", "skip", "fail")

#: Optional hook for fault-injection tests: called with a stage name at each step of a write.
#: ``MEDCITE_CRASH_AT=<stage>`` kills the process there (``os._exit(137)``) for kill tests.
Hook = Callable[[str], None]


def _crash_point(stage: str, hook: Hook | None) -> None:
    if hook:
        hook(stage)
    if os.environ.get("MEDCITE_CRASH_AT") == stage:
        os._exit(137)


@dataclass
class WriteReport:
    """Outcome of a write.

    Attributes:
        version: the published version name ("" when nothing changed and nothing was written).
        added, replaced, unchanged, deleted: document ids by outcome.
        duplicates: ids seen more than once in the input batch (policy applied).
        chunks_embedded: how many chunks went through the embedder.
        tokens_embedded: their total length in the embedder's tokens.
        seconds, embed_seconds: wall-clock time of the whole write and of embedding alone.
    """

    version: str = ""
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    tokens_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    documents: int = 0
    chunks: int = 0

    def summary(self) -> str:
        """One line for the CLI."""
        parts = [
            f"{len(self.added)} added", f"{len(self.replaced)} replaced", f"{len(self.unchanged)} unchanged",
            f"{len(self.deleted)} deleted",
        ]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate ids in input")
        return (
            ", ".join(parts)
            + f"; {self.chunks_embedded} chunks embedded in {self.embed_seconds:.1f} s of {self.seconds:.1f} s;"
            + f" index now {self.documents} documents / {self.chunks} chunks"
            + (f" ({self.version})" if self.version else " (no change, nothing written)")
        )


def dedupe(docs: Iterable[Document], policy: str, report: WriteReport) -> dict[str, Document]:
    """Collapse documents with the same id.

    Args:
        policy: ``"overwrite"`` (last one wins), ``"skip"`` (first one wins) or ``"fail"``.

    Raises:
        UsageError: ``policy="fail"`` and an id repeats, or the policy is unknown.
    """
    if policy not in DUPLICATE_POLICIES:
        raise UsageError(f"unknown duplicate policy {policy!r} (use {', '.join(DUPLICATE_POLICIES)})")
    out: dict[str, Document] = {}
    for d in docs:
        if d.id in out:
            report.duplicates.append(d.id)
            if policy == "fail":
                raise UsageError(f"duplicate id {d.id} in the input (--on-duplicate fail)")
            if policy == "skip":
                continue
            del out[d.id]  # keep insertion order of the winner
        out[d.id] = d
    return out


class IndexWriter:
    """Writes versions of one index.

    Args:
        root: the ``indexes/<name>`` directory.
        embedder: the embedder (must match the manifest of an existing index).
        chunker: chunking settings; ``None`` = the existing index's, or ``max_tokens`` of the
            embedder with 48 tokens of overlap for a new one.
        lock_timeout: seconds to wait for another writer (then :class:`IndexLockedError`).
        progress: called with the number of chunks embedded so far and the total.
        hook: fault-injection hook, called with a stage name at each step.
    """

    def __init__(
        self,
        root: Path,
        embedder: Embedder,
        chunker: ChunkerSettings | None = None,
        lock_timeout: float = 10.0,
        progress: Callable[[int, int], None] | None = None,
        hook: Hook | None = None,
    ) -> None:
        self.dir = IndexDir(root)
        self.embedder = embedder
        self.chunker = chunker
        self.lock_timeout = lock_timeout
        self.progress = progress
        self.hook = hook

    # -- public operations ------------------------------------------------------------------
    def build(self, docs: Iterable[Document], on_duplicate: str = "overwrite") -> WriteReport:
        """Write a new version holding exactly ``docs`` (replacing any previous content)."""
        return self._write(docs, [], fresh=True, on_duplicate=on_duplicate)

    def update(self, docs: Iterable[Document], delete_ids: Iterable[str] = (), on_duplicate: str = "overwrite") -> WriteReport:
        """Add new documents, replace changed ones, skip unchanged ones, apply deletions.

        Creates the index when it does not exist yet.

        Raises:
            EmbedderMismatchError: the index was built with another embedder.
        """
        return self._write(docs, list(delete_ids), fresh=not self.dir.exists(), on_duplicate=on_duplicate)

    def rebuild(self) -> WriteReport:
        """Re-chunk and re-embed every stored document into a new version (new embedder or
        chunker settings allowed); the old version stays live until the swap."""
        from . import Index

        old = Index(self.dir.root)
        docs = list(old.store.iter_documents())
        old.close()
        return self._write(docs, [], fresh=True, on_duplicate="fail", rebuild=True)

    # -- implementation ---------------------------------------------------------------------
    def _write(self, docs: Iterable[Document], delete_ids: list[str], fresh: bool, on_duplicate: str, rebuild: bool = False) -> WriteReport:
        t0 = time.perf_counter()
        report = WriteReport()
        with self.dir.lock(self.lock_timeout):
            self.dir.clean_stale()
            base: Manifest | None = None
            base_path: Path | None = None
            if self.dir.exists():
                base_path = self.dir.current_path()
                base = Manifest.read(base_path)
                if not rebuild:
                    base.check_embedder(self.embedder.name)
                verify_files(base_path, base)
            chunker = self.chunker or (
                ChunkerSettings(**{k: v for k, v in base.chunker.items() if k != "method"})
                if base and not rebuild
                else ChunkerSettings(max_tokens=self.embedder.max_tokens)
            )
            if chunker.max_tokens > self.embedder.max_tokens:
                raise UsageError(f"chunk size {chunker.max_tokens} exceeds the embedder's {self.embedder.max_tokens} tokens")
            incoming = dedupe(docs, on_duplicate, report)
            _crash_point("start", self.hook)
            tmp = self.dir.new_tmp()
            store = Store(tmp / "store.sqlite", readonly=False)
            if base is not None and not fresh:
                store.close()
                shutil.copyfile(base_path / "store.sqlite", tmp / "store.sqlite")
                store = Store(tmp / "store.sqlite", readonly=False)
                vectors = VectorIndex.load(base_path / "vectors.faiss")
                next_id = base.next_chunk_id
            else:
                vectors = VectorIndex.new(self.embedder.dim)
                next_id = base.next_chunk_id if base else 0  # ids are never reused
            _crash_point("copied", self.hook)

            removed: list[int] = []
            for doc_id in delete_ids:
                ids = store.delete_document(doc_id)
                if ids or doc_id in incoming:
                    report.deleted.append(doc_id)
                else:
                    report.missing.append(doc_id)
                removed.extend(ids)
            to_embed: list[tuple[Document, list]] = []
            for doc in incoming.values():
                old_hash = store.content_hash(doc.id)
                if old_hash == doc.content_hash():
                    report.unchanged.append(doc.id)
                    continue
                if old_hash is not None:
                    removed.extend(store.delete_document(doc.id))
                    report.replaced.append(doc.id)
                else:
                    report.added.append(doc.id)
                to_embed.append((doc, chunk_document(doc, self.embedder.count_tokens, chunker)))
            if removed:
                vectors.remove(np.asarray(removed, dtype=np.int64))
            _crash_point("chunked", self.hook)

            if not fresh and not to_embed and not report.deleted:
                store.close()
                shutil.rmtree(tmp, ignore_errors=True)
                report.documents, report.chunks = base.counts["documents"], base.counts["chunks"]
                report.seconds = time.perf_counter() - t0
                return report

            # embed in slices so memory stays bounded and progress is visible
            flat = [(doc, c) for doc, chunks in to_embed for c in chunks]
            total = len(flat)
            done = 0
            te = 0.0
            step = 256
            per_doc: dict[str, list] = {}
            for i in range(0, total, step):
                part = flat[i : i + step]
                t1 = time.perf_counter()
                vecs = self.embedder.embed_documents([c.embed_text() for _, c in part])
                te += time.perf_counter() - t1
                ids = np.arange(next_id, next_id + len(part), dtype=np.int64)
                next_id += len(part)
                vectors.add(ids, vecs)
                for cid, (doc, c) in zip(ids.tolist(), part):
                    per_doc.setdefault(doc.id, []).append((cid, c))
                report.tokens_embedded += sum(c.n_tokens for _, c in part)
                done += len(part)
                if self.progress:
                    self.progress(done, total)
                if i == 0:
                    _crash_point("embedding", self.hook)
            for doc, _chunks in to_embed:
                store.put_document(doc, per_doc.get(doc.id, []))
            store.commit()
            report.chunks_embedded = total
            report.embed_seconds = te
            _crash_point("embedded", self.hook)

            table = store.chunk_table()
            chunk_ids = np.fromiter((r[0] for r in table), dtype=np.int64, count=len(table))
            lexical = LexicalIndex.build([r[2] for r in table], chunk_ids)
            lexical.save(tmp / "bm25")
            vectors.save(tmp / "vectors.faiss")
            report.documents = store.count_documents()
            report.chunks = store.count_chunks()
            store.close()
            _crash_point("written", self.hook)

            report.seconds = time.perf_counter() - t0
            manifest = Manifest(
                name=self.dir.root.name,
                version=self.dir.next_name(),
                embedder={
                    "name": self.embedder.name, "dim": self.embedder.dim, "normalize": True,
                    "max_tokens": self.embedder.max_tokens,
                },
                chunker=chunker.to_json(),
                counts={"documents": report.documents, "chunks": report.chunks},
                files=checksum_dir(tmp),
                build={
                    "seconds": round(report.seconds, 3), "embed_seconds": round(te, 3),
                    "chunks_embedded": total, "tokens_embedded": report.tokens_embedded,
                    "operation": "rebuild" if rebuild else ("build" if fresh else "update"),
                },
                next_chunk_id=next_id,
                created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            manifest.write(tmp)
            _crash_point("manifest", self.hook)
            report.version = self.dir.publish(tmp)
            _crash_point("published", self.hook)
        return report
