"""``medcite`` command line (typer). Thin: parse, call :class:`~medcite.service.Medcite`, render.

Domain errors become one line on stderr and a non-zero exit code; ``-v`` shows tracebacks.
This module holds ``index build``, ``index info``, ``search`` and ``ask``; the other commands live in
the sibling modules of :mod:`medcite.cli` and register on the shared apps of :mod:`medcite.cli.common`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ..errors import UsageError
from ..config import check_length
from .answers import ask_generative, render_answer
from .common import (
    DeviceOpt, IndexOpt, JsonOpt, app, check_chunk_sizes, err, handle_errors, index_app, out, print_file_reports, print_json, progress_callback,
    service,
)
from .options import ModelChoice, Reading, bundled

@index_app.command("build")
@handle_errors
def index_build(
    paths: Annotated[list[Path], typer.Argument(help="files or directories to index")],
    index: IndexOpt = None,
    embedder: Annotated[Optional[str], typer.Option("--embedder", "-e", help="e5-small (default), minilm, or a sentence-transformers directory/id")] = None,
    on_duplicate: Annotated[str, typer.Option("--on-duplicate", help="ids repeated in the input: overwrite (last wins), skip (first wins), fail")] = "overwrite",
    chunk_tokens: Annotated[Optional[int], typer.Option("--chunk-tokens", min=16, help="max tokens per chunk (default: the embedder's limit)")] = None,
    overlap_tokens: Annotated[Optional[int], typer.Option("--overlap-tokens", min=0, help="overlap between chunks of a section (tokens; default 48)")] = None,
    lock_timeout: Annotated[Optional[float], typer.Option("--lock-timeout", min=0, help="seconds to wait for another writer")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress output")] = False,
    index_type: Annotated[str, typer.Option("--index-type", help="vector index: flat (exact, default), hnsw, ivfpq, or auto (flat up to --flat-max vectors, then ivfpq)")] = "flat",
    shards: Annotated[int, typer.Option("--shards", min=1, help="split the vectors into N shards (by hash of the chunk id), searched in parallel")] = 1,
    nprobe: Annotated[Optional[int], typer.Option("--nprobe", min=1, help="ivfpq: inverted lists scanned per query (default 32)")] = None,
    ef_search: Annotated[Optional[int], typer.Option("--ef-search", min=1, help="hnsw: search beam width (default 64)")] = None,
    flat_max: Annotated[Optional[int], typer.Option("--flat-max", min=0, help="auto: largest index kept exact (default 100000 vectors)")] = None,
    ray: Annotated[Optional[str], typer.Option("--ray", help="read, chunk and embed on Ray: 'local' (a local Ray instance) or a cluster address (ray://host:10001, auto)")] = None,
    embedder_backend: Annotated[Optional[str], typer.Option("--embedder-backend", help="torch (default), onnx, openvino or int8: faster CPU runtime for a sentence-transformers embedder (exported once, cached); int8 also for e5-small (e5-small@int8, OpenVINO)")] = None,
    device: DeviceOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="where searches run: local (FAISS + BM25 files, default) or milvus (a collection per version behind an alias)")] = "local",
    milvus_uri: Annotated[Optional[str], typer.Option("--milvus-uri", help="milvus: a Milvus Lite file (default indexes/<name>/milvus.db) or http://host:19530 (token from $MEDCITE_MILVUS_TOKEN)")] = None,
) -> None:
    """Build an index from PATHS (replacing its previous content) as a new version."""
    vopts = _vector_options(index_type, shards, nprobe, ef_search, flat_max)
    if backend not in ("local", "milvus"):
        raise UsageError(f"unknown --backend {backend!r} (use local or milvus)")
    if milvus_uri and backend != "milvus":
        raise UsageError("--milvus-uri needs --backend milvus")
    if embedder_backend:
        from ..config import Settings
        from ..embedding.backends import with_backend

        embedder = with_backend(embedder or Settings().embedder, embedder_backend)
    svc = service(index, embedder=embedder, chunk_max_tokens=chunk_tokens, chunk_overlap_tokens=overlap_tokens, lock_timeout=lock_timeout, device=device)
    check_chunk_sizes(chunk_tokens, svc.settings.chunk_overlap_tokens)
    from ..index import IndexDir

    IndexDir(svc.index_path).check_target()  # before reading the inputs
    backend_spec = {"kind": "milvus", "uri": milvus_uri or str(svc.index_path / "milvus.db")} if backend == "milvus" else {}
    if ray and backend_spec:
        raise UsageError("--ray builds local indexes only; build with --backend milvus without --ray")
    if ray:
        from ..index.ray_build import ray_index_build

        rep, reports = ray_index_build(svc, paths, ray, vector_options=vopts, on_duplicate=on_duplicate, quiet=quiet)
        failed = print_file_reports(reports, quiet)
        err.print(f"index {svc.index_path}: {rep.summary()}", highlight=False)
        if failed:
            err.print(f"[red]{failed} file(s) failed[/red]; the rest was indexed", highlight=False)
            raise typer.Exit(1)
        return
    docs, reports, deletes = svc.read_inputs(paths)
    failed = print_file_reports(reports, quiet)
    if not docs:
        raise UsageError("no documents were read from the given paths; nothing to index")
    cb, prog = progress_callback(quiet, "embedding")
    if prog:
        prog.start()
    try:
        w = svc.writer(progress=cb)
        w.vector_options, w.backend = vopts, backend_spec
        rep = w.build(docs, on_duplicate=on_duplicate)
    finally:
        if prog:
            prog.stop()
    err.print(f"index {svc.index_path}: {rep.summary()}", highlight=False)
    if failed:
        err.print(f"[red]{failed} file(s) failed[/red]; the rest was indexed", highlight=False)
        raise typer.Exit(1)


def _vector_options(index_type: str, shards: int, nprobe: int | None, ef_search: int | None, flat_max: int | None):
    """:class:`~medcite.index.ann.AnnOptions` from the build options; ``None`` for the default
    (exact flat, one shard), so the default build path stays exactly as it was."""
    from ..index.ann import AnnOptions

    if index_type == "flat" and shards == 1:
        return None
    kw = {k: v for k, v in {"nprobe": nprobe, "ef_search": ef_search, "flat_max": flat_max}.items() if v is not None}
    opts = AnnOptions(index_type=index_type, shards=shards, **kw)
    opts.validate()
    return opts


@index_app.command("info")
@handle_errors
def index_info(index: IndexOpt = None, as_json: JsonOpt = False) -> None:
    """Show an index's manifest: embedder, chunker, counts, versions."""
    info = service(index).index_info()
    if as_json:
        print_json(info)
        return
    out.print(f"index    {escape(info['path'])} (version {info['version']}, versions on disk: {', '.join(info['versions'])})", highlight=False)
    e = info["embedder"]
    out.print(f"embedder {e['name']} ({e['dim']}-d, max {e['max_tokens']} tokens, normalised)")
    c = info["chunker"]
    out.print(f"chunker  {c['max_tokens']} tokens max, {c['overlap_tokens']} overlap ({c.get('method', '')})")
    out.print(f"counts   {info['counts']['documents']} documents, {info['counts']['chunks']} chunks")
    out.print(f"backend  {info.get('backend', 'local')}" + (f" ({escape(info['uri'])}, alias {info['alias']} → collection {info['collection']})" if info.get("collection") else ""), highlight=False)
    vp = info.get("vector_params") or {}
    if vp:
        extra = {"hnsw": f"efSearch {vp.get('ef_search')}", "ivfpq": f"nprobe {vp.get('nprobe')}"}.get(vp.get("index_type"), "")
        tomb = f", {vp['tombstones']} deleted awaiting compaction" if vp.get("tombstones") else ""
        out.print(f"vectors  {escape(info.get('vector_index', ''))} ({extra}{tomb})".replace(" ()", ""), highlight=False)
    b = info.get("build", {})
    if b:
        out.print(f"last write {b.get('operation', '')}: {b.get('seconds', 0):.1f} s ({b.get('embed_seconds', 0):.1f} s embedding {b.get('chunks_embedded', 0)} chunks{' on ' + b['device'] if b.get('device') else ''}) at {info['created_at']}")


@app.command("search")
@handle_errors
@bundled("reading", Reading)
def search(
    query: Annotated[str, typer.Argument(help="search text")],
    reading: Reading,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, bm25 or dense")] = "hybrid",
    fusion: Annotated[Optional[str], typer.Option("--fusion", help="hybrid fusion: zscore (default) or rrf")] = None,
    per_paper: Annotated[Optional[int], typer.Option("--per-paper", min=1, help="max passages per paper")] = None,
) -> None:
    """Retrieve passages for QUERY with their scores."""
    check_length(query, "query")
    svc = service(reading.index)
    passages = svc.search(query, top_k=reading.top_k or 10, mode=mode, fusion=fusion, max_per_paper=per_paper, **reading.filters())
    if reading.as_json:
        print(json.dumps({"query": query, "index": svc.index().name, "passages": [p.to_json() for p in passages]}, ensure_ascii=False))
        return
    if not passages:
        out.print("no passages found")
    for p in passages:
        ds = f"{p.dense_score:.3f}" if p.dense_score is not None else "-"
        bs = f"{p.bm25_score:.2f}" if p.bm25_score is not None else "-"
        head = f"{p.rank:>2}. {p.doc_id}  {p.year or ''}  score={p.score:.4f} cos={ds} bm25={bs}  [{p.section}]"
        out.print(head, style="bold", highlight=False)
        if p.title:
            out.print(f"    {escape(p.title)}", highlight=False)
        text = " ".join(p.text.split())
        out.print(f"    {escape(text[:300])}{'…' if len(text) > 300 else ''}", highlight=False)


@app.command("ask")
@handle_errors
@bundled("reading", Reading)
@bundled("answerer", ModelChoice)
def ask(
    question: Annotated[str, typer.Argument(help="the clinical or research question")],
    reading: Reading,
    answerer: ModelChoice = ModelChoice(),
    stream: Annotated[bool, typer.Option("--stream", help="print the model's text as it is generated, then the guarded answer")] = False,
) -> None:
    """Answer QUESTION from the indexed literature with numbered citations (or abstain)."""
    check_length(question, "question")
    svc = service(reading.index, **answerer.settings())
    opts = {"top_k": reading.top_k, **reading.filters()}
    if svc.settings.generator != "extractive":
        ask_generative(svc, question, reading.as_json, stream, **opts)
        return
    ans = svc.ask(question, **opts)
    if reading.as_json:
        print_json(ans.to_json())
        return
    render_answer(ans)
