"""``medcite index update | remove | rebuild``: keep an index current (registers on ``index_app``).

Also imports :mod:`medcite.cli.pubmed` so ``medcite pubmed fetch`` is registered with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .common import DeviceOpt, IndexOpt, check_chunk_sizes, err, handle_errors, index_app, print_file_reports, progress_callback, service
from ..errors import IndexNotFoundError, UsageError
from ..index.changes import DUPLICATE_POLICIES, Event, WriteReport

LockTimeout = Annotated[Optional[float], typer.Option("--lock-timeout", min=0, help="seconds to wait for another writer before failing")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="no progress output or per-file lines (errors still shown)")]
EmbedderOpt = Annotated[Optional[str], typer.Option("--embedder", "-e", help="embedder name (default: the one the index was built with)")]


def file_events(docs, reports) -> list[Event]:
    """Order puts and deletions file by file, as the files were given.

    ``Medcite.read_inputs`` concatenates the documents of every file that did not fail, in
    file order, and ``report.read`` counts each file's documents, so the list can be cut back
    into files; each file's ``<DeleteCitation>`` deletions follow its records.
    """
    events: list[Event] = []
    pos = 0
    for r in reports:
        n = 0 if r.error else r.read
        events.extend(("put", d) for d in docs[pos : pos + n])
        events.extend(("delete", i) for i in r.deleted)
        pos += n
    if pos != len(docs):  # defensive: counts disagree, fall back to all puts then all deletions
        return [*(("put", d) for d in docs), *(("delete", i) for r in reports for i in r.deleted)]
    return events


def _embedder(svc, name: str | None):
    from ..embedding import get_embedder
    from ..index.manifest import canonical_embedder_name

    return get_embedder(canonical_embedder_name(name), svc.settings.device) if name else svc.embedder_for_index(for_queries=False)


def _run(label: str, quiet: bool, fn) -> WriteReport:
    cb, prog = progress_callback(quiet, label)
    if prog:
        prog.start()
    try:
        return fn(cb)
    finally:
        if prog:
            prog.stop()


def _print_report(svc, rep: WriteReport, quiet: bool) -> None:
    err.print(f"index {escape(str(svc.index_path))}: {escape(rep.summary())}", highlight=False)
    if rep.duplicates and not quiet:
        shown = ", ".join(rep.duplicates[:5]) + (f" … (+{len(rep.duplicates) - 5})" if len(rep.duplicates) > 5 else "")
        err.print(f"duplicate ids in the input: {escape(shown)}", highlight=False)


def _normalise_id(raw: str) -> str:
    s = raw.strip()
    if s.isdigit():
        return f"PMID:{s}"
    if s.lower().startswith("pmid:") and s[5:].strip().isdigit():
        return f"PMID:{s[5:].strip()}"
    return s


def _looks_like_path(s: str) -> bool:
    return s.startswith(("/", "./", "../", "~")) or "/" in s or Path(s).expanduser().exists()


def _indexed_path(s: str, store) -> bool:
    """Whether ``s``, read as a path (the file may be gone), names an indexed paper or file."""
    fid = f"file:{Path(s).expanduser().resolve()}"
    return store.get_document(fid) is not None or bool(store.ids_with_prefix(fid + "#"))


def resolve_remove_ids(raw_ids: list[str], store) -> list[str]:
    """Document ids for what a user typed after ``index remove``: PMIDs (bare or ``PMID:``),
    ids as stored (``medquad:…``, ``file:/abs/path``), and file paths as typed (relative or
    absolute, ``file:relative/path`` too), which name the paper read from that file
    (``file:<absolute path>``) or, for a file of several records, every record read from it
    (``file:<absolute path>#…``). A path that names nothing stays as ``file:<absolute path>``
    (reported as not in the index).

    Args:
        raw_ids: the command-line arguments.
        store: the live version's :class:`medcite.index.store.Store`.
    """
    out: list[str] = []
    for raw in raw_ids:
        s = _normalise_id(raw)
        if s.startswith("file:"):
            path, sep, frag = s[5:].partition("#")
            if not path.startswith("/"):
                s = f"file:{Path(path).expanduser().resolve()}{sep}{frag}"
        elif ":" not in s.split("/")[0] and (_looks_like_path(s) or (store.get_document(s) is None and _indexed_path(s, store))):
            s = f"file:{Path(s).expanduser().resolve()}"
        else:
            out.append(s)
            continue
        if store.get_document(s) is not None or "#" in s:
            out.append(s)
        else:
            out.extend(store.ids_with_prefix(s + "#") or [s])
    return list(dict.fromkeys(out))


@index_app.command("update")
@handle_errors
def index_update(
    paths: Annotated[list[Path], typer.Argument(help="files or directories: new papers, revised records, PubMed update files")],
    index: IndexOpt = None,
    embedder: EmbedderOpt = None,
    on_duplicate: Annotated[str, typer.Option("--on-duplicate", help="an id repeated in the input: overwrite (last wins), skip (first wins), fail")] = "overwrite",
    lock_timeout: LockTimeout = None,
    quiet: Quiet = False,
    create: Annotated[bool, typer.Option("--create", help="create the index when it does not exist yet")] = False,
    device: DeviceOpt = None,
) -> None:
    """Add new records, replace revised ones, skip unchanged ones and apply deletions.

    Only new or changed chunks are embedded. Files are applied in order, so a later update
    file's revision or <DeleteCitation> wins. Exit code 1 when any file failed (the rest is
    still applied). Without --create, a missing index is an error (exit 3).
    """
    if on_duplicate not in DUPLICATE_POLICIES:
        raise UsageError(f"unknown --on-duplicate {on_duplicate!r} (use {', '.join(DUPLICATE_POLICIES)})")
    svc = service(index, lock_timeout=lock_timeout, device=device)
    from ..index import IndexDir

    target = IndexDir(svc.index_path)
    target.check_target()
    if not create and not target.exists() and not target.versions():
        raise IndexNotFoundError(f"no index at {svc.index_path}; build one with `medcite index build` or pass --create")
    emb = _embedder(svc, embedder)
    docs, reports, _deletes = svc.read_inputs(paths)
    failed = print_file_reports(reports, quiet)
    events = file_events(docs, reports)
    if not events:
        err.print("nothing to update: no records or deletions were read", highlight=False)
    else:
        rep = _run("embedding", quiet, lambda cb: svc.writer(embedder=emb, progress=cb).apply(events, on_duplicate=on_duplicate))
        _print_report(svc, rep, quiet)
    if failed:
        err.print(f"[red]{failed} file(s) failed[/red]; the rest was applied", highlight=False)
        raise typer.Exit(1)


@index_app.command("remove")
@handle_errors
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="document ids (PMID:123, bare PMIDs, ids such as medquad:… or file:/abs/path), or the paths of files that were indexed (relative or absolute)")],
    index: IndexOpt = None,
    lock_timeout: LockTimeout = None,
    quiet: Quiet = False,
) -> None:
    """Delete documents from the index (a new version without them). Exit code 1 when an id
    is not in the index."""
    svc = service(index, lock_timeout=lock_timeout)
    emb = svc.embedder_for_index(for_queries=False)
    from ..index import IndexDir

    from ..index.store import Store

    live = IndexDir(svc.index_path).current_path()  # IndexNotFoundError rather than creating an index
    store = Store(live / "store.sqlite", readonly=True)
    try:
        doc_ids = resolve_remove_ids(ids, store)
    finally:
        store.close()
    rep = svc.writer(embedder=emb).remove(doc_ids)
    _print_report(svc, rep, quiet)
    if rep.missing:
        err.print(f"[red]not in the index:[/red] {escape(', '.join(rep.missing))}", highlight=False)
        raise typer.Exit(1)


@index_app.command("rebuild")
@handle_errors
def index_rebuild(
    index: IndexOpt = None,
    embedder: EmbedderOpt = None,
    chunk_tokens: Annotated[Optional[int], typer.Option("--chunk-tokens", min=16, help="max tokens per chunk (default: kept, or the new embedder's limit)")] = None,
    overlap_tokens: Annotated[Optional[int], typer.Option("--overlap-tokens", min=0, help="overlap between chunks of a section (tokens)")] = None,
    lock_timeout: LockTimeout = None,
    quiet: Quiet = False,
    device: DeviceOpt = None,
) -> None:
    """Re-chunk and re-embed every stored document into a new version, then swap it in.

    Use after changing the embedder or the chunk size; the old version keeps answering until
    the swap.
    """
    from ..chunking import ChunkerSettings
    from ..index.writer import IndexWriter

    svc = service(index, lock_timeout=lock_timeout, device=device)
    emb = _embedder(svc, embedder)
    chunker = None
    if chunk_tokens or overlap_tokens is not None:
        # the value not given is kept from the live version (the chunk size only while the
        # embedder stays the same; a new embedder brings its own limit)
        m = svc.index().manifest
        kept = m.chunker
        same = m.embedder.get("name") == emb.name
        ov = int(kept.get("overlap_tokens", svc.settings.chunk_overlap_tokens)) if overlap_tokens is None else overlap_tokens
        size = chunk_tokens or (int(kept.get("max_tokens", emb.max_tokens)) if same else emb.max_tokens)
        chunker = ChunkerSettings(size, ov)
        check_chunk_sizes(chunker.max_tokens, chunker.overlap_tokens)
    writer_lock = svc.settings.lock_timeout
    rep = _run(
        "re-embedding", quiet,
        lambda cb: IndexWriter(svc.index_path, emb, chunker, lock_timeout=writer_lock, progress=cb).rebuild(),
    )
    _print_report(svc, rep, quiet)


@index_app.command("migrate")
@handle_errors
def index_migrate(
    index: IndexOpt = None,
    backend: Annotated[str, typer.Option("--backend", help="local (FAISS + BM25 files) or milvus")] = "milvus",
    milvus_uri: Annotated[Optional[str], typer.Option("--milvus-uri", help="milvus: a Milvus Lite file (default indexes/<name>/milvus.db) or http://host:19530 (token from $MEDCITE_MILVUS_TOKEN)")] = None,
    lock_timeout: LockTimeout = None,
) -> None:
    """Serve the live version from another backend: copy it, unchanged and without re-embedding,
    into a new version (on Milvus: a new collection, then the alias switch)."""
    from ..index.writer import IndexWriter

    if backend not in ("local", "milvus"):
        raise UsageError(f"unknown --backend {backend!r} (use local or milvus)")
    svc = service(index, lock_timeout=lock_timeout)
    spec = {"kind": "milvus", "uri": milvus_uri or str(svc.index_path / "milvus.db")} if backend == "milvus" else {}
    rep = IndexWriter(svc.index_path, None, lock_timeout=svc.settings.lock_timeout).migrate(spec)
    _print_report(svc, rep, False)


from . import pubmed as cli_pubmed  # noqa: E402,F401  (registers `medcite pubmed`)
