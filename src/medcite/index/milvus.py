"""An index served by Milvus: one collection per version behind an alias, switched atomically.

A Milvus-backed index is written exactly like a local one (:mod:`medcite.index.writer`: the
local version directory stays the writer's working copy, for content hashes and vectors to
reuse) and then *pushed*: every chunk of the published version becomes a row of a new
collection ``<alias>_<version>`` holding the passage text and metadata (document id, PMID,
title, year, journal, section, span, MeSH terms, publication types, evidence level), the dense
vector and a BM25 sparse vector made by Milvus's BM25 function from the same ``title\\ntext``
the local BM25 indexes, *tokenized by medcite* (:func:`medcite.index.lexical.tokenize`: lower
case, English stop words removed, Snowball-stemmed, tokens joined by spaces) with the local
index's k1 and b, so the engine's BM25 ranks as the local one does (:data:`BM25_INPUT`). The
manifest is stored in the collection's properties, so a reader on another machine needs only
the URI and the alias (:class:`MilvusIndex`). The alias switch
(``alter_alias``) is the commit point for readers: a crash before it leaves the previous
collection live; the next write pushes the live local version again if the alias lags it
(:func:`ensure_pushed`) and drops collections nothing points at.

URIs: a Milvus Lite file (``indexes/<name>/milvus.db``; one process at a time), or a server
``http(s)://host:19530`` with the token from ``$MEDCITE_MILVUS_TOKEN`` (never written to the
manifest). Analyzer: the standard tokenizer and lowercase only, over medcite's tokens. Milvus
Lite 3.2.2 has no ``english`` analyzer type (Milvus docs, "Analyzer Overview") and its standard
analyzer ignores the ``stemmer`` filter (``milvus_lite.analyzer.factory`` honours only ``stop``
lists), so a collection fed raw text was unstemmed and kept stop words on Lite and stemmed on a
cluster; medcite's own tokens give the same BM25 on both. Collections pushed before that
(no ``medcite.bm25_input`` property) are queried with raw text, as they were built.

Fault injection: :data:`STAGES` as in the writer (``MEDCITE_CRASH_AT``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..documents import Document
from ..errors import IndexCorruptError, IndexNotFoundError, UsageError
from .manifest import Manifest

TOKEN_ENV = "MEDCITE_MILVUS_TOKEN"
#: Push stages, in order (``milvus:inserted:<k>`` after the k-th insert batch).
STAGES = ("milvus:created", "milvus:inserted:<k>", "milvus:loaded", "milvus:aliased", "milvus:dropped")
INSERT_BATCH = 512
MAX_VARCHAR = 65535
#: BM25 analyzer over medcite's tokens (identity on space-joined stems), Milvus Lite and clusters alike.
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase"]}
#: BM25 k1 and b of the local index (bm25s defaults, :mod:`medcite.index.lexical`); Milvus's own default k1 is 1.2.
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
#: Collection property saying what ``search_text`` holds: medcite's BM25 tokens (queries are tokenized alike).
BM25_INPUT = ("medcite.bm25_input", "lexical-tokens-v1")
FIELDS = ("chunk_id", "doc_id", "pmid", "title", "year", "journal", "section", "start", "end", "text",
          "mesh_terms", "publication_types", "evidence")
_CLIENTS: dict[str, Any] = {}


def normalise_uri(uri: str) -> str:
    """An absolute path for a Milvus Lite file, the URI unchanged for a server."""
    if "://" in uri:
        return uri
    if not uri.endswith(".db"):
        raise UsageError(f"--milvus-uri {uri!r}: give a Milvus Lite file ending in .db or a server URI (http://host:19530)")
    return str(Path(uri).expanduser().resolve())


def connect(uri: str):
    """A ``pymilvus.MilvusClient`` for ``uri`` (one per URI per process: a Lite file opens once).

    Raises:
        UsageError: pymilvus is not installed (``pip install medcite[milvus]``) or the URI cannot be opened.
    """
    uri = normalise_uri(uri)
    if uri in _CLIENTS:
        return _CLIENTS[uri]
    try:
        import logging

        from pymilvus import MilvusClient

        # the query iterator asks for a timestamp that Milvus Lite's in-process server does not
        # implement; both sides log it, and pymilvus falls back to a client-side one
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    except ImportError:
        raise UsageError("the Milvus backend needs pymilvus and milvus-lite: pip install 'medcite[milvus]'") from None
    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        client = MilvusClient(uri=uri, token=os.environ.get(TOKEN_ENV, ""))
    except Exception as e:
        raise UsageError(f"cannot open Milvus at {uri}: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    _CLIENTS[uri] = client
    return client


def disconnect(uri: str) -> None:
    """Close the cached client of ``uri`` (a Lite file can then be opened by another process)."""
    uri = normalise_uri(uri)
    client = _CLIENTS.pop(uri, None)
    if client is not None:
        client.close()
    if "://" not in uri:
        try:  # Milvus Lite serves a file from an in-process gRPC server that holds it until released
            from milvus_lite.server_manager import server_manager_instance
        except ImportError:
            return
        server_manager_instance.release_server(uri)


def alias_for(name: str) -> str:
    """Milvus alias of index ``name`` (letters, digits and underscores only)."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in name)
    return f"medcite_{safe}"


def live_collection(client, alias: str) -> str | None:
    """Collection the alias points at, or ``None`` when the alias does not exist."""
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return client.describe_alias(alias)["collection_name"]


def _schema(client, dim: int):
    from pymilvus import DataType, Function, FunctionType

    s = client.create_schema(auto_id=False, description="medcite passages")
    s.add_field("chunk_id", DataType.INT64, is_primary=True)
    for f, n in (("doc_id", 1024), ("pmid", 32), ("title", 4096), ("journal", 1024), ("section", 256), ("evidence", 64)):
        s.add_field(f, DataType.VARCHAR, max_length=n)
    for f in ("year", "start", "end"):
        s.add_field(f, DataType.INT32)
    s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("search_text", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True, analyzer_params=ANALYZER)
    s.add_field("mesh_terms", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("publication_types", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=64, max_length=256)
    s.add_field("record", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["search_text"], output_field_names=["sparse"]))
    ip = client.prepare_index_params()
    ip.add_index("dense", index_type="FLAT", metric_type="IP")
    ip.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=dict(BM25_PARAMS))
    return s, ip


def _clip(s: str, limit: int) -> str:
    b = (s or "").encode("utf-8")
    return s if len(b) <= limit else b[:limit].decode("utf-8", "ignore")


def _record_json(rec: str) -> str:
    """The document record for the collection; a record over Milvus's VARCHAR limit keeps its
    metadata and abstract, and drops its full-text sections (``"truncated": true``)."""
    if len(rec.encode("utf-8")) <= MAX_VARCHAR:
        return rec
    d = json.loads(rec)
    d["sections"] = [s for s in d.get("sections", []) if str(s[0]).lower() in ("abstract", "")][:1]
    d["truncated"] = True
    return _clip(json.dumps(d, ensure_ascii=False), MAX_VARCHAR)


def _rows(version_dir: Path, vectors, start: int, stop: int, table) -> list[dict]:
    """Collection rows for chunks ``table[start:stop]`` of a version's store."""
    from ..clinical.evidence import evidence_level
    from .lexical import tokenize
    from .store import Store

    store = Store(version_dir / "store.sqlite", readonly=True)
    try:
        part = table[start:stop]
        ids = [cid for cid, *_ in part]
        rows = store.chunk_rows(ids)
        recs = dict(store.db.execute(
            f"SELECT id, record FROM documents WHERE id IN ({','.join('?' * len(part))})", [d for _, d, *_ in part]))
        first = {d: c for c, d in store.db.execute(
            f"SELECT MIN(chunk_id), doc_id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))}) GROUP BY doc_id", [d for _, d, *_ in part])}
    finally:
        store.db.close()
    vecs = vectors.reconstruct_many(np.asarray(ids, dtype=np.int64))
    tokens = tokenize([t for _, _, t, _ in part])
    out = []
    for (cid, doc_id, _text, _y), vec, toks in zip(part, vecs, tokens):
        r = rows[cid]
        pts = [_clip(str(t), 256) for t in (r["publication_types"] or [])][:64]
        first_chunk = first.get(doc_id) == cid
        out.append({
            "chunk_id": int(cid), "doc_id": _clip(doc_id, 1024), "pmid": _clip(r["pmid"] or "", 32), "title": _clip(r["title"], 4096),
            "journal": _clip(r["journal"] or "", 1024), "section": _clip(r["section"], 256), "year": int(r["year"] or 0),
            "start": int(r["start"] or 0), "end": int(r["end"] or 0), "text": _clip(r["text"], MAX_VARCHAR),
            "search_text": _clip(" ".join(toks), MAX_VARCHAR), "mesh_terms": _clip(json.dumps(r["mesh_terms"] or []), MAX_VARCHAR),
            "publication_types": pts, "evidence": _clip(evidence_level(pts, r["text"], doc_id), 64),
            "record": _record_json(recs[doc_id]) if first_chunk else "", "dense": vec.astype(np.float32).tolist(),
        })
    return out


def push_version(version_dir: Path, manifest: Manifest, point: Callable[[str], None] | None = None) -> str:
    """Copy a published local version into a new collection and switch the alias to it.

    Args:
        version_dir: the local version directory (store, vectors, manifest).
        manifest: its manifest, with ``backend = {"kind": "milvus", "uri", "alias", "collection"}``.
        point: fault-injection callback (:data:`STAGES`).

    Returns:
        the collection name. Collections of the alias other than the new one and the one it
        replaced are dropped.
    """
    from .factory import load_vectors
    from .store import Store

    point = point or (lambda _s: None)
    b = manifest.backend
    client = connect(b["uri"])
    coll, alias = b["collection"], b["alias"]
    if client.has_collection(coll):
        client.drop_collection(coll)  # an earlier push of this version that never went live
    schema, ip = _schema(client, int(manifest.embedder["dim"]))
    client.create_collection(coll, schema=schema, index_params=ip)
    point("milvus:created")
    vectors = load_vectors(version_dir, manifest.vector_params, mmap=True)
    store = Store(version_dir / "store.sqlite", readonly=True)
    try:
        table = store.chunk_table()
    finally:
        store.db.close()
    for k, i in enumerate(range(0, len(table), INSERT_BATCH), start=1):
        client.insert(coll, _rows(version_dir, vectors, i, i + INSERT_BATCH, table))
        point(f"milvus:inserted:{k}")
    client.flush(coll)
    client.alter_collection_properties(coll, properties={"medcite.manifest": json.dumps(_manifest_json(manifest)), BM25_INPUT[0]: BM25_INPUT[1]})
    client.load_collection(coll)
    point("milvus:loaded")
    previous = live_collection(client, alias)
    if previous is None:
        client.create_alias(coll, alias)
    else:
        client.alter_alias(coll, alias)
    point("milvus:aliased")
    drop_stale(client, alias, keep={coll, previous})
    point("milvus:dropped")
    return coll


def _manifest_json(m: Manifest) -> dict:
    d = m.to_json()
    d["files"] = {}  # local checksums mean nothing to a remote reader
    return d


def drop_stale(client, alias: str, keep: set[str | None]) -> list[str]:
    """Drop the collections of ``alias`` (``<alias>_v…``) not in ``keep``; returns their names."""
    gone = []
    for c in client.list_collections():
        if c.startswith(alias + "_v") and c not in keep:
            client.drop_collection(c)
            gone.append(c)
    return gone


def ensure_pushed(version_dir: Path, manifest: Manifest, point: Callable[[str], None] | None = None) -> bool:
    """Push the live local version when the alias does not point at its collection (a write
    killed between the local publish and the alias switch). Returns whether it pushed."""
    b = manifest.backend
    if live_collection(connect(b["uri"]), b["alias"]) == b["collection"]:
        return False
    push_version(version_dir, manifest, point)
    return True


class MilvusStore:
    """The read side of a version's documents, as :class:`medcite.index.store.Store` offers them."""

    def __init__(self, client, collection: str) -> None:
        self.client, self.collection = client, collection

    def _docs(self, expr: str, limit: int = 1) -> list[Document]:
        rows = self.client.query(self.collection, filter=f'({expr}) and record != ""', output_fields=["record"], limit=limit)
        return [Document.from_json({k: v for k, v in json.loads(r["record"]).items() if k != "truncated"}) for r in rows]

    def get_document(self, doc_id: str) -> Document | None:
        """The stored :class:`Document` or ``None``."""
        got = self._docs(f"doc_id == {json.dumps(doc_id)}")
        return got[0] if got else None

    def find_document(self, key: str) -> Document | None:
        """Look a document up by id, ``PMID:n`` or bare PMID digits."""
        doc = self.get_document(key)
        if doc is None and key.isdigit():
            doc = self.get_document(f"PMID:{key}")
        return doc

    def iter_documents(self) -> Iterator[Document]:
        """All documents (order of the engine)."""
        it = self.client.query_iterator(self.collection, batch_size=1000, filter='record != ""', output_fields=["record"])
        try:
            while batch := it.next():
                for r in batch:
                    yield Document.from_json({k: v for k, v in json.loads(r["record"]).items() if k != "truncated"})
        finally:
            it.close()


class MilvusIndex:
    """A published version served by Milvus (read-only; the collection behind the alias at open).

    Attributes:
        uri, alias, collection: where it lives.
        manifest: the :class:`Manifest` stored with the collection.
        store: :class:`MilvusStore`.
        bm25_tokens: the collection's BM25 field was fed medcite's tokens (:data:`BM25_INPUT`).
        dir: the local ``indexes/<name>`` directory (may not exist on a reader machine).

    Raises:
        IndexNotFoundError: no alias ``alias`` at ``uri``.
        IndexCorruptError: the collection has no medcite manifest.
    """

    backend = "milvus"

    def __init__(self, uri: str, alias: str, root: Path) -> None:
        from .versions import IndexDir

        self.uri, self.alias, self.dir = normalise_uri(uri), alias, IndexDir(root)
        self.client = connect(self.uri)
        coll = live_collection(self.client, alias)
        if coll is None:
            raise IndexNotFoundError(f"no medcite index {alias!r} at {self.uri} (build one with: medcite index build PATH --backend milvus)")
        self.collection = coll
        if "Loaded" not in str(self.client.get_load_state(coll).get("state", "")):
            self.client.load_collection(coll)  # Milvus Lite reopens a file with its collections released
        props = self.client.describe_collection(coll).get("properties", {}) or {}
        if "medcite.manifest" not in props:
            raise IndexCorruptError(f"{self.uri}: collection {coll} has no medcite manifest")
        self.manifest = Manifest(**json.loads(props["medcite.manifest"]))
        #: whether ``search_text`` holds medcite's BM25 tokens (queries are then tokenized alike)
        self.bm25_tokens = props.get(BM25_INPUT[0]) == BM25_INPUT[1]
        self.store = MilvusStore(self.client, coll)
        self._n = int(self.manifest.counts.get("chunks", 0))

    @property
    def name(self) -> str:
        """Index name."""
        return self.manifest.name

    @property
    def version(self) -> str:
        """Version name (the collection's)."""
        return self.manifest.version

    @property
    def embedder_name(self) -> str:
        """Name of the embedder the index was built with."""
        return self.manifest.embedder["name"]

    def __len__(self) -> int:
        return self._n

    def info(self) -> dict:
        """Manifest plus backend, URI, alias and collection, for ``medcite index info``."""
        d = _manifest_json(self.manifest)
        d.update(path=str(self.dir.root), backend="milvus", uri=self.uri, alias=self.alias, collection=self.collection,
                 versions=self.dir.versions())
        return d

    def live_version(self) -> str | None:
        """The version the alias points at now (a reader polls it to reload)."""
        coll = live_collection(self.client, self.alias)
        return coll[len(self.alias) + 1 :] if coll else None

    def close(self) -> None:
        """Nothing to release (the client is shared per URI)."""
