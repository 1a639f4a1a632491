"""Distributed index build on Ray Data: read, chunk and embed across workers; assemble locally.

``medcite index build PATHS --ray local|ADDRESS`` runs three Ray Data stages
(https://docs.ray.io/en/latest/data/):

1. **read** — one task per input file (``flat_map``) runs the normal readers and emits one row
   per document (its JSON, with ``(file_no, rec_no)`` to keep the input order) and one row per
   file report (skips, deletions, errors);
2. **chunk + embed** — a pool of actors (``map_batches``), each holding one embedder (on a GPU
   when the cluster has GPUs: one actor per GPU; else ``cpus_per_worker`` CPUs each), chunks its
   documents with :func:`medcite.chunking.chunk_document` and embeds the chunks;
3. **write** — the rows (document, its chunks, their vectors as ``float32`` bytes) are written
   as Parquet shards to a staging directory (local for ``local``; for a cluster, a path or URI
   every worker and the driver can reach, e.g. ``s3://bucket/stage`` or a shared filesystem).

The driver then reads the shards back, restores the input order and hands documents, chunks
and vectors to the normal :class:`~medcite.index.writer.IndexWriter` (through its ``chunk_fn``
hook and a :class:`PrecomputedEmbedder`), which assigns chunk ids, fills the store, BM25 and the
vector index, and publishes a version exactly as a single-process build does. Chunk ids and
texts are therefore identical to the single-process build's; vectors differ only by the float
noise of different batch compositions.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..chunking import ChunkerSettings, chunk_document
from ..documents import Chunk, Document
from ..embedding import Embedder, get_embedder, index_embed_fn
from ..errors import MedciteError, UsageError
from ..readers import FileReport, iter_input_files, read_documents


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise UsageError("--ray needs Ray Data: pip install 'medcite[ray]' (or pip install 'ray[data]')") from None
    return ray


def _read_file(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Ray ``flat_map``: the documents of one file (one row each) plus one report row."""
    path = Path(row["path"])
    rep = FileReport(str(path))
    out: list[dict[str, Any]] = []
    try:
        for rec_no, doc in enumerate(read_documents(path, rep)):
            out.append({"kind": "doc", "file_no": row["file_no"], "rec_no": rec_no, "payload": json.dumps(doc.to_json(), ensure_ascii=False)})
    except MedciteError as e:
        rep.error, out = str(e), []
    except Exception as e:  # a reader bug must not lose the batch
        rep.error, out = f"{path}: {type(e).__name__}: {e}", []
    rep_json = {"path": rep.path, "format": rep.format, "read": rep.read if not rep.error else 0,
                "skipped": [list(s) for s in rep.skipped], "deleted": rep.deleted, "error": rep.error}
    out.append({"kind": "report", "file_no": row["file_no"], "rec_no": -1, "payload": json.dumps(rep_json, ensure_ascii=False)})
    return out


class _ChunkEmbed:
    """Ray actor for ``map_batches``: chunk documents and embed their chunks.

    Args:
        embedder_name: a :func:`get_embedder` name or model directory.
        chunker: ``ChunkerSettings`` as a dict.
        threads: torch intra-op threads for a CPU actor.
        use_gpu: move a sentence-transformers model to CUDA.
    """

    def __init__(self, embedder_name: str, chunker: dict[str, int], threads: int = 1, use_gpu: bool = False) -> None:
        try:
            import torch

            torch.set_num_threads(max(1, threads))
        except ImportError:  # pragma: no cover
            pass
        self.emb = get_embedder(embedder_name)
        if use_gpu and hasattr(self.emb, "_model"):  # sentence-transformers embedders only
            self.emb._model.to("cuda")
        self.chunker = ChunkerSettings(**chunker)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, list]:
        kinds, payloads = list(batch["kind"]), list(batch["payload"])
        chunks_json: list[str] = []
        texts: list[str] = []
        spans: list[tuple[int, int]] = []
        for kind, payload in zip(kinds, payloads):
            if kind != "doc":
                chunks_json.append("[]")
                spans.append((len(texts), len(texts)))
                continue
            doc = Document.from_json(json.loads(payload))
            chunks = chunk_document(doc, self.emb.count_tokens, self.chunker)
            chunks_json.append(json.dumps([c.__dict__ for c in chunks], ensure_ascii=False))
            spans.append((len(texts), len(texts) + len(chunks)))
            texts.extend(c.embed_text() for c in chunks)
        vecs = index_embed_fn(self.emb)(texts) if texts else np.zeros((0, self.emb.dim), np.float32)
        vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        return {
            "kind": kinds, "file_no": list(batch["file_no"]), "rec_no": list(batch["rec_no"]), "payload": payloads,
            "chunks": chunks_json, "vectors": [vecs[a:b].tobytes() for a, b in spans],
        }


class PrecomputedEmbedder:
    """An :class:`~medcite.embedding.Embedder` that answers ``embed_documents`` from vectors
    computed elsewhere (the Ray workers), keyed by the embedded text.

    Args:
        base: the real embedder (name, dimension, limits, queries and token counts come from it).
        table: embedded text → ``(d,) float32`` vector.

    Raises:
        KeyError: (from ``embed_documents``) a text that was not precomputed.
    """

    normalize = True

    def __init__(self, base: Embedder, table: dict[str, np.ndarray]) -> None:
        self.base, self.table = base, table
        self.name, self.dim, self.max_tokens = base.name, base.dim, base.max_tokens

    def embed_documents(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """Look the vectors up: ``(len(texts), d) float32``."""
        out = np.stack([self.table[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Delegated to the real embedder."""
        return self.base.embed_query(text)

    def count_tokens(self, text: str) -> int:
        """Delegated to the real embedder."""
        return self.base.count_tokens(text)


def _init_ray(address: str, num_cpus: int | None):
    ray = _ray()
    if ray.is_initialized():
        return ray, False
    kw: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False, "configure_logging": False}
    if address == "local":
        kw["num_cpus"] = num_cpus or os.cpu_count() or 1
        kw["object_store_memory"] = 512 * 1024 * 1024
        # workers inherit the driver's environment (offline model loading, threads)
        env = {k: v for k, v in os.environ.items() if k.startswith(("HF_", "MEDCITE_", "TOKENIZERS_", "TRANSFORMERS_"))}
        kw["runtime_env"] = {"env_vars": env}
        ray.init(**kw)
    else:
        ray.init(address=address, **kw)
    return ray, True


def run_ray_stages(
    paths: Iterable[str | Path], embedder_name: str, chunker: ChunkerSettings, stage_dir: str,
    address: str = "local", workers: int | None = None, cpus_per_worker: int = 1, docs_per_batch: int = 64,
    quiet: bool = True,
) -> dict[str, Any]:
    """Read, chunk and embed ``paths`` on Ray, writing Parquet shards to ``stage_dir``.

    Args:
        embedder_name: what each worker loads with :func:`get_embedder`.
        chunker: chunking settings (the same as the index's).
        stage_dir: output directory or URI for the Parquet shards.
        address: ``"local"`` (start a local Ray instance) or a cluster address.
        workers: embedding actors (default: one per GPU, else CPUs // ``cpus_per_worker``).
        docs_per_batch: documents per actor call.

    Returns:
        ``{"seconds", "workers", "gpus", "files"}``.

    Raises:
        ReaderError: a path does not exist.
        UsageError: Ray is not installed.
    """
    files = iter_input_files(paths)
    t0 = time.perf_counter()
    ray, started = _init_ray(address, None)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = not quiet
        # small blocks: a whole input file is otherwise one block (up to 128 MiB) handed to one
        # embedding actor, and the other actors sit idle while it works through the file
        ctx.target_max_block_size = 1024 * 1024
        gpus = int(ray.cluster_resources().get("GPU", 0))
        cpus = int(ray.cluster_resources().get("CPU", 1))
        n = workers or (gpus if gpus else max(1, cpus // max(1, cpus_per_worker)))
        ds = ray.data.from_items([{"file_no": i, "path": str(p)} for i, p in enumerate(files)], override_num_blocks=max(1, len(files)))
        # reading is light next to embedding; at 0 CPUs it is never starved by the actors holding every CPU
        ds = ds.flat_map(_read_file, num_cpus=0)
        ds = ds.map_batches(
            _ChunkEmbed,
            fn_constructor_kwargs={
                "embedder_name": embedder_name, "chunker": {"max_tokens": chunker.max_tokens, "overlap_tokens": chunker.overlap_tokens},
                "threads": cpus_per_worker, "use_gpu": bool(gpus),
            },
            batch_size=docs_per_batch, concurrency=n, num_gpus=1 if gpus else 0, num_cpus=0 if gpus else cpus_per_worker,
            batch_format="numpy",
        )
        ds.write_parquet(stage_dir)
    finally:
        if started:
            ray.shutdown()
    return {"seconds": time.perf_counter() - t0, "workers": n, "gpus": gpus, "files": len(files)}


def run_stages_inprocess(
    paths: Iterable[str | Path], embedder_name: str, chunker: ChunkerSettings, stage_dir: str, docs_per_batch: int = 64,
) -> dict[str, Any]:
    """The same three stages as :func:`run_ray_stages` in this process, without Ray (one
    Parquet shard per file). For tests of the assembly, and a reference for the Ray path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    files = iter_input_files(paths)
    worker = _ChunkEmbed(embedder_name, {"max_tokens": chunker.max_tokens, "overlap_tokens": chunker.overlap_tokens})
    Path(stage_dir).mkdir(parents=True, exist_ok=True)
    for i, p in enumerate(files):
        rows = _read_file({"file_no": i, "path": str(p)})
        parts = []
        for j in range(0, len(rows), docs_per_batch):
            part = rows[j : j + docs_per_batch]
            parts.append(worker({k: np.array([r[k] for r in part], dtype=object) for k in ("kind", "file_no", "rec_no", "payload")}))
        table = {k: [v for part in parts for v in part[k]] for k in parts[0]}
        pq.write_table(pa.table(table), Path(stage_dir) / f"shard-{i:05d}.parquet")
    return {"seconds": time.perf_counter() - t0, "workers": 1, "gpus": 0, "files": len(files)}


def load_stage(stage_dir: str, dim: int) -> tuple[list[Document], list[FileReport], dict[tuple[str, str], list[Chunk]], dict[str, np.ndarray]]:
    """Read the Parquet shards of :func:`run_ray_stages` back, in input order.

    Returns:
        ``(documents, file reports, (doc id, content hash) → chunks, embedded text → vector)``.
    """
    import pyarrow.parquet as pq

    rows = pq.read_table(stage_dir).to_pylist()
    rows.sort(key=lambda r: (r["file_no"], r["rec_no"]))
    docs: list[Document] = []
    reports: list[FileReport] = []
    chunks_of: dict[tuple[str, str], list[Chunk]] = {}
    vectors: dict[str, np.ndarray] = {}
    for r in rows:
        if r["kind"] == "report":
            d = json.loads(r["payload"])
            reports.append(FileReport(d["path"], d["format"], d["read"], [tuple(s) for s in d["skipped"]], d["deleted"], d["error"]))
            continue
        doc = Document.from_json(json.loads(r["payload"]))
        chunks = [Chunk(**c) for c in json.loads(r["chunks"])]
        vecs = np.frombuffer(r["vectors"], dtype=np.float32).reshape(len(chunks), dim)
        docs.append(doc)
        chunks_of.setdefault((doc.id, doc.content_hash()), chunks)
        for c, v in zip(chunks, vecs):
            vectors.setdefault(c.embed_text(), v)
    reports.sort(key=lambda rep: rep.path)
    return docs, reports, chunks_of, vectors


def ray_index_build(
    svc, paths: Iterable[str | Path], address: str, vector_options=None, on_duplicate: str = "overwrite",
    quiet: bool = False, stage_dir: str | None = None, workers: int | None = None, progress=None,
):
    """``medcite index build --ray``: :func:`run_ray_stages`, then the normal writer assembles.

    Args:
        svc: the :class:`~medcite.service.Medcite` service (index location, embedder, chunker).
        address: ``"local"``, a Ray cluster address, or ``"inprocess"`` (the same stages run
            here without Ray, see :func:`run_stages_inprocess`).
        vector_options: :class:`~medcite.index.ann.AnnOptions` or ``None`` (exact flat).
        stage_dir: where the Parquet shards go (default: a temporary directory beside the
            index, or ``$MEDCITE_RAY_STAGE``); a temporary one is removed afterwards.

    Returns:
        ``(WriteReport, file reports)``; ``report.embed_seconds`` is the Ray stage's wall time
        (read + chunk + embed), ``report.seconds`` the whole build.

    Raises:
        UsageError: Ray is missing, or no document was read.
    """
    t0 = time.perf_counter()
    writer = svc.writer()
    emb = writer.embedder
    chunker = writer.chunker or ChunkerSettings(max_tokens=emb.max_tokens)
    stage_dir = stage_dir or os.environ.get("MEDCITE_RAY_STAGE")
    own = stage_dir is None
    if own:
        root = Path(svc.index_path).parent
        root.mkdir(parents=True, exist_ok=True)
        stage_dir = tempfile.mkdtemp(prefix=f".ray-stage-{Path(svc.index_path).name}-", dir=root)
        os.rmdir(stage_dir)  # Ray Data creates it
    try:
        if address == "inprocess":  # the same stages without Ray (tests, debugging)
            stats = run_stages_inprocess(paths, emb.name, chunker, stage_dir)
        else:
            stats = run_ray_stages(paths, emb.name, chunker, stage_dir, address, workers=workers, quiet=quiet)
        docs, reports, chunks_of, vectors = load_stage(stage_dir, emb.dim)
    finally:
        if own:
            shutil.rmtree(stage_dir, ignore_errors=True)
    if not docs:
        raise UsageError("no documents were read from the given paths; nothing to index")
    w = svc.writer(embedder=PrecomputedEmbedder(emb, vectors), progress=progress)
    w.chunker = chunker
    w.vector_options = vector_options

    def chunk_fn(doc: Document, count_tokens, settings: ChunkerSettings) -> list[Chunk]:
        got = chunks_of.get((doc.id, doc.content_hash()))
        return got if got is not None and settings == chunker else chunk_document(doc, count_tokens, settings)

    w.chunk_fn = chunk_fn
    rep = w.build(docs, on_duplicate=on_duplicate)
    rep.embed_seconds = stats["seconds"]
    rep.seconds = time.perf_counter() - t0
    return rep, reports
