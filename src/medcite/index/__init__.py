"""An index: one published version of a store, FAISS vectors, BM25 and a manifest.

:class:`Index` is the read side (opened once, immutable); :mod:`medcite.index.writer` builds
and updates versions (what a write was asked and did: :mod:`.changes`; on Ray: :mod:`.ray_build`).
Vectors: exact (:mod:`.vectors`), approximate (:mod:`.ann`), sharded (:mod:`.shards`), chosen and
opened by :mod:`.factory`; BM25 in :mod:`.lexical`; versions and the write lock in :mod:`.versions`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError
from .lexical import LexicalIndex
from .manifest import MANIFEST, Manifest, verify_files
from .store import Store
from .factory import load_vectors
from .vectors import VectorIndex
from .versions import IndexDir

__all__ = ["Index", "IndexDir", "Manifest", "open_index", "resolve_index_path"]


def open_index(path: Path, milvus_uri: str | None = None):
    """The live version at ``path``, opened where its manifest says readers search it.

    A local manifest naming the Milvus backend opens a :class:`~medcite.index.milvus.MilvusIndex`
    (the collection behind its alias); with no index at ``path`` and ``milvus_uri`` given (a
    reader on another machine), the alias ``medcite_<name>`` at that URI; else :class:`Index`.

    Raises:
        IndexNotFoundError, IndexCorruptError: see :class:`Index` and :class:`MilvusIndex`.
    """
    d = IndexDir(path)
    if d.exists():
        backend = Manifest.read(d.current_path()).backend
        if backend.get("kind") == "milvus":
            from .milvus import MilvusIndex

            return MilvusIndex(backend["uri"], backend["alias"], d.root)
    elif milvus_uri:
        from .milvus import MilvusIndex, alias_for

        return MilvusIndex(milvus_uri, alias_for(d.root.name), d.root)
    return Index(path)


def resolve_index_path(name_or_path: str | Path, root: Path) -> Path:
    """``indexes/<name>`` for a bare name, else the given path.

    A value containing a path separator, or naming an existing directory, is a path.
    """
    s = str(name_or_path)
    p = Path(s).expanduser()
    if "/" in s or p.is_dir() and (p / "CURRENT").exists():
        return p
    return Path(root) / s


class Index:
    """A loaded, consistent index version (read-only).

    Attributes:
        dir: the :class:`IndexDir`.
        path: the version directory.
        manifest: its :class:`Manifest`.
        store: the SQLite :class:`Store` (read-only).
        vectors: :class:`VectorIndex` of ``(n_chunks, d)`` float32 L2-normalised rows (an
            approximate or sharded one when the manifest's ``vector_params`` say so).
        lexical: :class:`LexicalIndex`.
        chunk_ids: ``(n_chunks,) int64`` ascending; row i of BM25 is chunk ``chunk_ids[i]``.
        chunk_doc: ``(n_chunks,) int32`` row → document number (index into ``doc_ids``).
        doc_ids: document ids by document number.
        doc_year: ``(n_docs,) int32`` publication year by document number (0 = unknown).
    """

    def __init__(self, path: Path, verify: bool = True, version: str | None = None) -> None:
        """Open the live version of the index at ``path`` (an ``indexes/<name>`` directory).

        Args:
            verify: check every file against the manifest's sha256 (the consistency checks of
                counts, dimensions and chunk ids always run).
            version: open this version directory instead of the live one (a writer checks the
                version it is about to build on).

        Raises:
            IndexNotFoundError: nothing was published at ``path``.
            IndexCorruptError: a file is missing, has no checksum in the manifest or does not
                match it; the store, vectors, BM25 and manifest disagree on the number of chunks
                or documents; chunks belong to no document; the vectors' dimension is not the
                manifest embedder's; or ``next_chunk_id`` is not above every stored chunk id.
        """
        self.dir = IndexDir(path)
        self.path = self.dir.root / version if version else self.dir.current_path()
        self.manifest = Manifest.read(self.path)
        if verify:
            verify_files(self.path, self.manifest)
        try:
            self.store = Store(self.path / "store.sqlite", readonly=True)
            self.vectors = load_vectors(self.path, self.manifest.vector_params)  # default flat: VectorIndex.load as before
            self.lexical = LexicalIndex.load(self.path / "bm25")
            table = [(cid, doc) for cid, doc, _t, _y in self.store.chunk_table()]
            years = dict(self.store.db.execute("SELECT id, year FROM documents"))
            orphans = self.store.db.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()[0]
        except IndexCorruptError:
            raise
        except Exception as e:
            raise IndexCorruptError(f"{self.path}: index files cannot be read ({str(e).splitlines()[0]})") from None
        n = len(table)
        self._check(n, len(years), orphans)
        self.chunk_ids = np.fromiter((c for c, _ in table), dtype=np.int64, count=n)
        if not np.array_equal(self.chunk_ids, self.lexical.chunk_ids):
            raise IndexCorruptError(f"{self.path / 'bm25'}: rows do not match the store's chunks")
        if n and self.manifest.next_chunk_id <= int(self.chunk_ids[-1]):
            raise IndexCorruptError(
                f"{self.path / MANIFEST}: next_chunk_id {self.manifest.next_chunk_id} is not above the largest stored chunk id {int(self.chunk_ids[-1])}"
            )
        self.doc_ids: list[str] = sorted(years)
        num = {d: i for i, d in enumerate(self.doc_ids)}
        self.chunk_doc = np.fromiter((num[d] for _, d in table), dtype=np.int32, count=n)
        self.doc_year = np.array([years[d] or 0 for d in self.doc_ids], dtype=np.int32)

    def _check(self, n_chunks: int, n_docs: int, orphans: int) -> None:
        """Cross-check the loaded parts against each other and the manifest (IndexCorruptError)."""
        m = self.manifest
        dim = m.embedder.get("dim")
        if dim != self.vectors.dim:
            where = self.path / ("vectors" if int(m.vector_params.get("shards", 1) or 1) > 1 else "vectors.faiss")
            raise IndexCorruptError(
                f"{where}: {self.vectors.dim}-d vectors, but the manifest's embedder {m.embedder.get('name')!r} makes {dim}-d ones"
            )
        if orphans:
            raise IndexCorruptError(f"{self.path / 'store.sqlite'}: {orphans} chunks belong to no row of the documents table")
        counts = (n_chunks, self.vectors.ntotal, len(self.lexical.chunk_ids), m.counts.get("chunks"))
        if len(set(counts)) != 1:
            raise IndexCorruptError(
                f"{self.path}: chunk counts disagree (store {counts[0]}, vectors {counts[1]}, bm25 {counts[2]}, manifest {counts[3]})"
            )
        if m.counts.get("documents") != n_docs:
            raise IndexCorruptError(f"{self.path}: document counts disagree (store {n_docs}, manifest {m.counts.get('documents')})")

    @property
    def name(self) -> str:
        """Index name (directory name)."""
        return self.dir.root.name

    @property
    def version(self) -> str:
        """Version directory name."""
        return self.path.name

    @property
    def embedder_name(self) -> str:
        """Name of the embedder the index was built with."""
        return self.manifest.embedder["name"]

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def rows_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """Row numbers of ``chunk_ids`` (all must exist)."""
        return np.searchsorted(self.chunk_ids, chunk_ids)

    def live_version(self) -> str | None:
        """The version ``CURRENT`` names now (a reader polls it to reload)."""
        return self.dir.current_name() if self.dir.exists() else None

    def info(self) -> dict:
        """Manifest plus location, for ``medcite index info``."""
        d = self.manifest.to_json()
        d["path"] = str(self.dir.root)
        d["backend"] = "local"
        d["versions"] = self.dir.versions()
        return d

    def close(self) -> None:
        """Close the store."""
        self.store.db.close()
