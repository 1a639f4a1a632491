"""SQLite store of documents and chunks: the source of truth of an index version.

Tables: ``documents`` (id, pmid, title, year, journal, JSON record, content hash) and ``chunks``
(int64 ``chunk_id``, doc id, ordinal, section, character span, text, token count, content
hash). Vectors and BM25 are derived from it and can be rebuilt from it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..documents import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, pmid TEXT, title TEXT, year INTEGER, journal TEXT,
    record TEXT NOT NULL, content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
    section TEXT, start INTEGER, "end" INTEGER, text TEXT NOT NULL, n_tokens INTEGER,
    title TEXT, content_hash TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_pmid ON documents(pmid);
"""


class Store:
    """One ``store.sqlite`` file.

    Args:
        path: the database file.
        readonly: open with ``mode=ro`` (query time); writers use ``readonly=False``.
    """

    def __init__(self, path: Path, readonly: bool = True) -> None:
        self.path = Path(path)
        if readonly:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(str(self.path), check_same_thread=False)
            self.db.executescript(_SCHEMA)
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=FULL")

    def close(self) -> None:
        """Commit (if writable) and close."""
        try:
            self.db.commit()
        finally:
            self.db.close()

    # -- writes ---------------------------------------------------------------------------
    def put_document(self, doc: Document, chunks: Iterable[tuple[int, Chunk]]) -> None:
        """Insert ``doc`` and its ``(chunk_id, chunk)`` pairs (the doc must not exist)."""
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
            (doc.id, doc.pmid, doc.title, doc.year, doc.journal, json.dumps(doc.to_json(), ensure_ascii=False), doc.content_hash()),
        )
        self.db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(cid, c.doc_id, c.ordinal, c.section, c.start, c.end, c.text, c.n_tokens, c.title, c.content_hash()) for cid, c in chunks],
        )

    def delete_document(self, doc_id: str) -> list[int]:
        """Delete a document and its chunks. Returns the removed chunk ids ([] if absent)."""
        ids = [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=?", (doc_id,))]
        self.db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        return ids

    def commit(self) -> None:
        """Commit pending writes."""
        self.db.commit()

    # -- reads ----------------------------------------------------------------------------
    def content_hash(self, doc_id: str) -> str | None:
        """Stored content hash of ``doc_id`` or ``None`` when absent."""
        row = self.db.execute("SELECT content_hash FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def get_document(self, doc_id: str) -> Document | None:
        """The stored :class:`Document` or ``None``."""
        row = self.db.execute("SELECT record FROM documents WHERE id=?", (doc_id,)).fetchone()
        return Document.from_json(json.loads(row[0])) if row else None

    def find_document(self, key: str) -> Document | None:
        """Look a document up by id, ``PMID:n`` or bare PMID digits."""
        doc = self.get_document(key)
        if doc is None and key.isdigit():
            doc = self.get_document(f"PMID:{key}")
        return doc

    def ids_with_prefix(self, prefix: str) -> list[str]:
        """Ids of the documents whose id starts with ``prefix`` (literal, not a pattern), sorted."""
        rows = self.db.execute("SELECT id FROM documents WHERE substr(id, 1, ?) = ? ORDER BY id", (len(prefix), prefix))
        return [r[0] for r in rows]

    def iter_documents(self) -> Iterator[Document]:
        """All documents, in id order."""
        for (rec,) in self.db.execute("SELECT record FROM documents ORDER BY id"):
            yield Document.from_json(json.loads(rec))

    def count_documents(self) -> int:
        """Number of documents."""
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def count_chunks(self) -> int:
        """Number of chunks."""
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def chunk_table(self) -> list[tuple[int, str, str, int | None]]:
        """``(chunk_id, doc_id, embed text, year)`` for every chunk, ordered by chunk_id."""
        sql = (
            "SELECT c.chunk_id, c.doc_id, CASE WHEN c.title != '' AND c.text != '' THEN c.title || char(10) || c.text WHEN c.text != '' THEN c.text ELSE c.title END, d.year "
            "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.chunk_id"
        )
        return list(self.db.execute(sql))

    def chunk_rows(self, chunk_ids: list[int]) -> dict[int, dict]:
        """Chunk and document fields for ``chunk_ids``: ``{chunk_id: {...}}``."""
        if not chunk_ids:
            return {}
        out = {}
        q = ",".join("?" * len(chunk_ids))
        sql = (
            f'SELECT c.chunk_id, c.doc_id, c.section, c.start, c."end", c.text, d.record FROM chunks c '
            f"JOIN documents d ON d.id = c.doc_id WHERE c.chunk_id IN ({q})"
        )
        for cid, doc_id, section, start, end, text, rec in self.db.execute(sql, list(map(int, chunk_ids))):
            r = json.loads(rec)
            out[cid] = {
                "chunk_id": cid, "doc_id": doc_id, "section": section or "", "start": start, "end": end, "text": text,
                "title": r.get("title", ""), "pmid": r.get("pmid"), "year": r.get("year"), "journal": r.get("journal", ""),
                "mesh_terms": r.get("mesh_terms", []), "publication_types": r.get("publication_types", []),
            }
        return out
