"""Writing index versions: build, update (add / replace / skip unchanged / delete), rebuild.

Every write happens under the index's lock into a fresh temporary directory that becomes the
live version with one atomic rename (:meth:`IndexDir.publish`); a crash at any point leaves the
previous version live and a stray temporary directory that the next write removes. Only new or
changed chunks are embedded: unchanged documents are skipped, and a revised document keeps the
vectors (and chunk ids) of every chunk whose embedded text did not change. BM25 is rebuilt from
the store (cheap relative to embedding) so its statistics stay exact.

Fault injection: each step of a write calls :func:`_crash_point` with a stage name (listed in
order by :data:`STAGES`; ``embedding:<k>`` after the k-th embedding slice). With
``MEDCITE_CRASH_AT=<stage>`` in the environment the process kills itself there with SIGKILL,
which is what ``scripts/fault_injection.py`` and the crash tests use.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..chunking import ChunkerSettings, chunk_document
from ..documents import Chunk, Document
from ..embedding import Embedder, index_embed_fn
from ..errors import IndexCorruptError, UsageError
from .changes import Event, WriteReport, resolve_events
from .lexical import LexicalIndex
from .manifest import MANIFEST, Manifest, checksum_dir
from .store import Store
from . import factory, milvus
from .ann import AnnOptions
from .vectors import VectorIndex
from .versions import IndexDir

#: Optional hook for fault-injection tests: called with a stage name at each step of a write.
Hook = Callable[[str], None]

#: Stage names in the order a write passes them (``embedding:<k>`` repeats per slice; a
#: write that changes nothing stops after ``"planned"``; ``"rebuild-read"`` only in rebuild).
STAGES = (
    "locked", "cleaned", "rebuild-read", "planned", "tmp-created", "copied", "deleted", "embedding:<k>",
    "store-filled", "store-written", "bm25-written", "vectors-written", "manifest",
    "publish:fsynced", "publish:renamed", "publish:current-tmp", "publish:swapped", "published",
    *milvus.STAGES,
)

def _crash_point(stage: str, hook: Hook | None) -> None:
    """Call ``hook(stage)``; kill this process with SIGKILL when ``MEDCITE_CRASH_AT == stage``."""
    if hook:
        hook(stage)
    if os.environ.get("MEDCITE_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def _checked_manifest(root: Path, version: str) -> Manifest:
    """The manifest of ``root/version`` after every check that loading it for search runs
    (checksums; store, vectors, BM25 and manifest counts; orphan chunks; dimensions; chunk ids).

    Raises:
        IndexCorruptError: naming the damaged file or directory.
    """
    from . import Index

    ix = Index(root, version=version)
    try:
        return ix.manifest
    finally:
        ix.close()


SORT_WINDOW = 4096
"""Chunks per window that :func:`length_sorted` orders by length (see there)."""


def length_sorted(todo: list[tuple[int, Chunk]], window: int = SORT_WINDOW) -> list[tuple[int, Chunk]]:
    """Order chunks longest-first within consecutive windows of ``window`` chunks.

    Embedders that pad a batch to its longest text (sentence-transformers, ONNX) waste less
    work on padding when a batch holds texts of similar length: measured with MiniLM on 768
    chunks of the bench corpus, 256-chunk batches in reading order took 25.5-27.2 s and
    length-sorted ones 18.6-19.5 s. The writer leaves the training sample of a new IVF-PQ index
    (its first ``train_size`` vectors) in reading order.

    Args:
        todo: ``(chunk_id, chunk)`` pairs; not modified.
        window: chunks per sorted window (>= 1).

    Returns:
        a new list holding the same pairs.
    """
    out: list[tuple[int, Chunk]] = []
    step = max(1, window)
    for i in range(0, len(todo), step):
        out.extend(sorted(todo[i : i + step], key=lambda p: -p[1].n_tokens))
    return out


@dataclass
class _Planned:
    """A document to (re)write: its chunks, the old chunk ids each one reuses (or ``None``)."""

    doc: Document
    chunks: list[Chunk]
    reuse: list[int | None]


class IndexWriter:
    """Writes versions of one index.

    Args:
        root: the ``indexes/<name>`` directory.
        embedder: the embedder (must match the manifest of an existing index, except for a
            rebuild or a fresh build).
        chunker: chunking settings; ``None`` = the existing index's (when built with the same
            embedder), else ``max_tokens`` of the embedder with 48 tokens of overlap. An update
            refuses settings that differ from the index's (a build or rebuild applies them).
        lock_timeout: seconds to wait for another writer (then :class:`IndexLockedError`).
        progress: called with the number of chunks embedded so far and the total.
        hook: fault-injection hook, called with a stage name at each step (see :data:`STAGES`).
        batch_size: chunks per embedding call (memory and progress granularity).
        vector_options: vector index type and parameters (:class:`~medcite.index.ann.AnnOptions`)
            for a build or rebuild; ``None`` = exact flat for a build, the rebuilt version's own
            for a rebuild. An update keeps the index's type.
        backend: where readers search the new version: ``None`` = the live version's backend
            (local for a new index); ``{}`` = local files; ``{"kind": "milvus", "uri": URI}``
            = a collection per version behind an alias at ``URI`` (:mod:`medcite.index.milvus`).

    Attributes:
        chunk_fn: ``(doc, count_tokens, settings) -> list[Chunk]``, :func:`chunk_document` unless
            replaced (the Ray build hands over the chunks its workers made).
    """

    def __init__(
        self,
        root: Path,
        embedder: Embedder,
        chunker: ChunkerSettings | None = None,
        lock_timeout: float = 10.0,
        progress: Callable[[int, int], None] | None = None,
        hook: Hook | None = None,
        batch_size: int = 256,
        vector_options: AnnOptions | None = None,
        backend: dict | None = None,
    ) -> None:
        self.dir = IndexDir(root)
        self.embedder = embedder
        self.chunker = chunker
        self.lock_timeout = lock_timeout
        self.progress = progress
        self.hook = hook
        self.batch_size = max(1, int(batch_size))
        self.vector_options = vector_options
        self.backend = backend
        self.chunk_fn = chunk_document

    # -- public operations ------------------------------------------------------------------
    def build(self, docs: Iterable[Document], on_duplicate: str = "overwrite") -> WriteReport:
        """Write a new version holding exactly ``docs`` (replacing any previous content,
        whatever embedder built it; the previous version need not even be readable).

        Raises:
            UsageError: the index path is a file, a version directory or a non-empty directory
                that is not an index; duplicate ids with ``on_duplicate="fail"``.
            IndexCorruptError: versions exist but ``CURRENT`` is missing.
            IndexLockedError: another writer held the lock for ``lock_timeout`` seconds.
        """
        return self._write("build", lambda: ((("put", d) for d in docs)), on_duplicate)

    def update(self, docs: Iterable[Document], delete_ids: Iterable[str] = (), on_duplicate: str = "overwrite") -> WriteReport:
        """Add new documents, replace changed ones, skip unchanged ones, apply deletions.

        ``delete_ids`` apply after ``docs`` (as in a PubMed update file, whose
        ``<DeleteCitation>`` comes last). Creates the index when it does not exist yet (the
        CLI asks for ``--create``), but never in a non-empty directory that is not an index.

        Raises:
            EmbedderMismatchError: the index was built with another embedder.
            IndexCorruptError: the live version fails a check that loading it for search runs
                (checksums, counts, orphan chunks, dimensions; see :class:`Index`); nothing is written.
            IndexLockedError: another writer held the lock for ``lock_timeout`` seconds.
            UsageError: duplicate ids with ``on_duplicate="fail"``; chunker settings differ; the
                index path is a file, a version directory or a non-empty non-index directory.
        """
        deletes = list(delete_ids)
        return self.apply([*(("put", d) for d in docs), *(("delete", i) for i in deletes)], on_duplicate)

    def apply(self, events: Iterable[Event], on_duplicate: str = "overwrite") -> WriteReport:
        """Like :meth:`update`, for an ordered stream of ``("put", doc)`` / ``("delete", id)``
        events (several update files in order: a later file's revision or deletion wins)."""
        return self._write("update", lambda: events, on_duplicate)

    def remove(self, doc_ids: Iterable[str]) -> WriteReport:
        """Delete documents by id (ids not in the index are listed in ``report.missing``).

        Raises:
            IndexCorruptError, IndexLockedError, EmbedderMismatchError: as :meth:`update`.
        """
        return self.update([], doc_ids)

    def rebuild(self) -> WriteReport:
        """Re-chunk and re-embed every stored document into a new version (a new embedder or
        chunker setting allowed); the old version stays live until the swap.

        Raises:
            IndexNotFoundError: there is no index to rebuild.
            IndexCorruptError: the live version fails its checksums or consistency checks.
        """
        self.dir.current_name()  # IndexNotFoundError before taking the lock
        return self._write("rebuild", None, "fail")

    def migrate(self, backend: dict) -> WriteReport:
        """Copy the live version unchanged (nothing re-embedded) into a new version that readers
        search on ``backend`` (``{}``: local files; ``{"kind": "milvus", "uri": URI}``).

        Raises:
            IndexNotFoundError: there is no index to migrate.
            IndexCorruptError: the live version fails its checksums or consistency checks.
            IndexLockedError: another writer held the lock for ``lock_timeout`` seconds.
        """
        self.dir.current_name()
        t0 = time.perf_counter()
        report = WriteReport(operation="migrate")
        with self.dir.lock(self.lock_timeout):
            self.dir.clean_stale()
            base_path = self.dir.current_path()
            base = _checked_manifest(self.dir.root, base_path.name)
            self.backend = backend
            b = self._backend_for(base)
            tmp = self.dir.new_tmp()
            try:
                for p in base_path.iterdir():
                    if p.is_dir():
                        shutil.copytree(p, tmp / p.name)
                    elif p.name != MANIFEST:
                        shutil.copy2(p, tmp / p.name)
                manifest = replace(
                    base, version=self.dir.next_name(), backend=b, files=checksum_dir(tmp),
                    build={**base.build, "operation": "migrate"}, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                )
                manifest.write(tmp)
                report.version = self.dir.publish(tmp, self._point)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            if b.get("kind") == "milvus":
                milvus.push_version(self.dir.root / report.version, manifest, self._point)
        report.documents, report.chunks = base.counts["documents"], base.counts["chunks"]
        report.seconds = time.perf_counter() - t0
        return report

    # -- implementation ---------------------------------------------------------------------
    def _point(self, stage: str) -> None:
        _crash_point(stage, self.hook)

    def _chunker_for(self, mode: str, base: Manifest | None) -> ChunkerSettings:
        emb_max = self.embedder.max_tokens
        old = ChunkerSettings(**{k: v for k, v in base.chunker.items() if k != "method"}) if base else None
        if mode == "update" and old is not None:
            if self.chunker is not None and self.chunker != old:
                raise UsageError(
                    f"index {self.dir.root.name!r} was chunked at {old.max_tokens} tokens ({old.overlap_tokens} overlap), "
                    f"not {self.chunker.max_tokens} ({self.chunker.overlap_tokens}); "
                    f"run medcite index rebuild --chunk-tokens {self.chunker.max_tokens} to change it"
                )
            chunker = old
        elif self.chunker is not None:
            chunker = self.chunker
        elif old is not None:  # build / rebuild: keep the settings unless the embedder changes
            same = base.embedder.get("name") == self.embedder.name
            chunker = old if same else ChunkerSettings(max_tokens=emb_max, overlap_tokens=old.overlap_tokens)
        else:
            chunker = ChunkerSettings(max_tokens=emb_max)
        if chunker.max_tokens > emb_max:
            raise UsageError(f"chunk size {chunker.max_tokens} exceeds the embedder's {emb_max} tokens")
        return chunker

    def _write(self, mode: str, events_fn: Callable[[], Iterable[Event]] | None, on_duplicate: str) -> WriteReport:
        t0 = time.perf_counter()
        report = WriteReport(operation=mode)
        self.dir.check_target()
        with self.dir.lock(self.lock_timeout):
            self._point("locked")
            self.dir.clean_stale()
            self._point("cleaned")
            base: Manifest | None = None
            base_path: Path | None = None
            if self.dir.exists():
                base_path = self.dir.current_path()
                if mode == "build":
                    try:  # only next_chunk_id is taken from the old version; it may be unreadable
                        base = Manifest.read(base_path)
                    except IndexCorruptError:
                        base = None
                else:
                    base = _checked_manifest(self.dir.root, base_path.name)  # never write on top of a damaged version
                    if mode == "update":
                        base.check_embedder(self.embedder.name, self.embedder.dim)
            if base is not None and mode != "build" and base.backend.get("kind") == "milvus":
                milvus.ensure_pushed(base_path, base, self._point)  # a killed push: the alias lags the live version
            backend = self._backend_for(base)
            chunker = self._chunker_for(mode, base)
            incremental = mode == "update" and base is not None

            if mode == "rebuild":
                old = Store(base_path / "store.sqlite", readonly=True)
                try:
                    events: Iterable[Event] = [("put", d) for d in old.iter_documents()]
                finally:
                    old.db.close()
                self._point("rebuild-read")
            else:
                events = events_fn()
            incoming, delete_ids = resolve_events(events, on_duplicate, report)

            # plan against the live store: what to delete, skip, add, replace, reuse
            removed: list[int] = []
            planned: list[_Planned] = []
            base_store = Store(base_path / "store.sqlite", readonly=True) if incremental else None
            try:
                for doc_id in delete_ids:
                    if base_store is not None and base_store.content_hash(doc_id) is not None:
                        report.deleted.append(doc_id)
                    else:
                        report.missing.append(doc_id)
                for doc in incoming.values():
                    old_hash = base_store.content_hash(doc.id) if base_store is not None else None
                    if old_hash == doc.content_hash():
                        report.unchanged.append(doc.id)
                        continue
                    chunks = self.chunk_fn(doc, self.embedder.count_tokens, chunker)
                    reuse: list[int | None] = [None] * len(chunks)
                    if old_hash is not None:
                        report.replaced.append(doc.id)
                        pool: dict[str, list[int]] = {}
                        for cid, h in base_store.db.execute(
                            "SELECT chunk_id, content_hash FROM chunks WHERE doc_id=? ORDER BY chunk_id", (doc.id,)
                        ):
                            pool.setdefault(h, []).append(cid)
                        for i, c in enumerate(chunks):
                            ids = pool.get(c.content_hash())
                            if ids:
                                reuse[i] = ids.pop(0)
                        removed.extend(cid for ids in pool.values() for cid in ids)
                    else:
                        report.added.append(doc.id)
                    planned.append(_Planned(doc, chunks, reuse))
                for doc_id in report.deleted:
                    removed.extend(r[0] for r in base_store.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,)))
            finally:
                if base_store is not None:
                    base_store.db.close()
            self._point("planned")

            if incremental and not planned and not report.deleted:
                report.documents, report.chunks = base.counts["documents"], base.counts["chunks"]
                report.seconds = time.perf_counter() - t0
                return report

            tmp = self.dir.new_tmp()
            try:  # an error (not a kill) removes the unfinished version at once
                self._point("tmp-created")
                if incremental:
                    shutil.copyfile(base_path / "store.sqlite", tmp / "store.sqlite")
                    store = Store(tmp / "store.sqlite", readonly=False)
                    vectors = factory.load_vectors(base_path, base.vector_params, mmap=False)
                    if vectors.dim != self.embedder.dim:
                        raise IndexCorruptError(f"{base_path / 'vectors.faiss'}: {vectors.dim}-d vectors, but {self.embedder.name} makes {self.embedder.dim}-d ones")
                else:
                    store = Store(tmp / "store.sqlite", readonly=False)
                    opts = factory.choose_options(self.vector_options, base.vector_params if mode == "rebuild" and base else None)
                    expected = sum(len(p.chunks) for p in planned)
                    vectors = factory.create_vectors(self.embedder.dim, opts, expected)
                    if note := factory.fallback_note(opts, expected):
                        report.notes.append(note)
                next_id = base.next_chunk_id if base else 0  # chunk ids are never reused
                self._point("copied")

                for doc_id in report.deleted:
                    store.delete_document(doc_id)
                for doc_id in report.replaced:
                    store.delete_document(doc_id)
                if removed:
                    vectors.remove(np.asarray(removed, dtype=np.int64))
                self._point("deleted")

                # assign ids, then embed new chunks in slices (bounded memory, visible progress)
                todo: list[tuple[int, Chunk]] = []
                for p in planned:
                    for i, c in enumerate(p.chunks):
                        if p.reuse[i] is None:
                            p.reuse[i] = next_id
                            todo.append((next_id, c))
                            next_id += 1
                        else:
                            report.chunks_reused += 1
                total = len(todo)
                if getattr(self.embedder, "pads_batches", True):
                    # a new IVF-PQ trains on the first vectors it gets: those stay in reading
                    # order (an unbiased sample), the rest is length-sorted
                    keep = vectors.vectors_to_train()
                    todo = todo[:keep] + length_sorted(todo[keep:])
                te = 0.0
                embed = index_embed_fn(self.embedder)
                for k, i in enumerate(range(0, total, self.batch_size), start=1):
                    part = todo[i : i + self.batch_size]
                    t1 = time.perf_counter()
                    vecs = embed([c.embed_text() for _, c in part])
                    te += time.perf_counter() - t1
                    vectors.add(np.fromiter((cid for cid, _ in part), dtype=np.int64, count=len(part)), vecs)
                    report.tokens_embedded += sum(c.n_tokens for _, c in part)
                    if self.progress:
                        self.progress(i + len(part), total)
                    self._point(f"embedding:{k}")
                for p in planned:
                    store.put_document(p.doc, list(zip(p.reuse, p.chunks)))
                self._point("store-filled")
                store.commit()
                report.chunks_embedded = total
                report.embed_seconds = te
                report.device = str(getattr(self.embedder, "embed_device", "cpu"))
                self._point("store-written")

                table = store.chunk_table()
                report.documents = store.count_documents()
                report.chunks = store.count_chunks()
                store.close()
                chunk_ids = np.fromiter((r[0] for r in table), dtype=np.int64, count=len(table))
                lexical = LexicalIndex.build([r[2] for r in table], chunk_ids)
                del table
                lexical.save(tmp / "bm25")
                self._point("bm25-written")
                vectors.save_into(tmp)
                self._point("vectors-written")

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
                        "chunks_embedded": total, "chunks_reused": report.chunks_reused,
                        "tokens_embedded": report.tokens_embedded, "operation": mode, "device": report.device,
                    },
                    next_chunk_id=next_id,
                    backend=backend,
                    **factory.manifest_fields(vectors),
                    created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                )
                manifest.write(tmp)
                self._point("manifest")
                report.version = self.dir.publish(tmp, self._point)
            except BaseException:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
                raise
            self._point("published")
            if backend.get("kind") == "milvus":
                milvus.push_version(self.dir.root / report.version, manifest, self._point)
                report.seconds = time.perf_counter() - t0
        return report

    def _backend_for(self, base: Manifest | None) -> dict:
        """The new version's ``backend`` manifest field (collection named by version)."""
        b = dict(self.backend if self.backend is not None else (base.backend if base else {}))
        if b.get("kind") == "milvus":
            b["uri"] = milvus.normalise_uri(b["uri"])
            b["alias"] = b.get("alias") or milvus.alias_for(self.dir.root.name)
            b["collection"] = f"{b['alias']}_{self.dir.next_name()}"
        elif b:
            raise UsageError(f"unknown index backend {b.get('kind')!r} (use local or milvus)")
        return b
