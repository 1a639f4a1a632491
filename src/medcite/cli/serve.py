"""``medcite serve``: run the HTTP API and web page with uvicorn."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Optional

import typer

from .common import IndexOpt, app, err, handle_errors, service
from ..errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
@handle_errors
def serve(
    index: IndexOpt = None,
    host: Annotated[str, typer.Option("--host", help="address to bind (default loopback only; set MEDCITE_API_TOKEN before binding wider)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port")] = 8000,
    log_queries: Annotated[bool, typer.Option("--log-queries", help="log questions (e-mails, phone numbers, dates, record numbers masked)")] = False,
    rate_limit: Annotated[float | None, typer.Option("--rate-limit", min=0, help="requests per second per client IP (0: no limit; default 10 or MEDCITE_RATE_LIMIT)")] = None,
    rate_burst: Annotated[int | None, typer.Option("--rate-burst", min=1, help="burst size per client (default 30 or MEDCITE_RATE_BURST)")] = None,
    max_question_chars: Annotated[int | None, typer.Option("--max-question-chars", min=1, help="longest question accepted (characters)")] = None,
    query_backend: Annotated[Optional[str], typer.Option("--query-backend", help="query embeddings of a sentence-transformers index: auto (ONNX Runtime when installed), torch, onnx or openvino; e5-small ignores it [default: MEDCITE_QUERY_BACKEND, else auto]")] = None,
) -> None:
    """Serve the HTTP API (/v1/ask, /v1/search, /v1/index …) and the web page at /.

    The bearer token is read from MEDCITE_API_TOKEN (never from the command line, where other
    users could see it in the process list).
    """
    import uvicorn

    from ..server.app import ServerSettings, create_app

    given = {"rate_limit": rate_limit, "rate_burst": rate_burst, "max_question_chars": max_question_chars}
    overrides = {k: v for k, v in given.items() if v is not None}
    if log_queries:
        overrides["log_queries"] = True
    try:
        cfg = ServerSettings(**overrides)
    except ValueError as e:
        raise UsageError(f"invalid server setting: {str(e).splitlines()[0]}") from None
    # concurrent requests: one single-threaded e5 engine per core beats one engine on all cores
    # (see medcite.embedding.E5SmallEmbedder); set MEDCITE_EMBED_INSTANCES=1 to opt out
    os.environ.setdefault("MEDCITE_EMBED_INSTANCES", str(os.cpu_count() or 1))
    # likewise one thread per ONNX Runtime query session: requests run side by side on the cores
    os.environ.setdefault("MEDCITE_EMBED_THREADS", "1")
    svc = service(index, query_backend=query_backend or os.environ.get("MEDCITE_QUERY_BACKEND") or "auto")
    ix = svc.index()  # fail fast (exit code 3) when the index does not exist
    emb = svc.embedder_for_index()
    if host not in LOOPBACK and not cfg.token():
        err.print(f"[yellow]warning:[/yellow] binding to {host} without MEDCITE_API_TOKEN: anyone who can reach this port can query the index", highlight=False)
    logging.getLogger("medcite.server").setLevel(logging.INFO)
    err.print(
        f"serving index {ix.name} (version {ix.version}, {len(ix)} passages) at http://{host}:{port}/ "
        f"(embedder {emb.name}{', queries on ' + emb.query_backend if getattr(emb, 'query_backend', None) else ''}; "
        f"token {'required' if cfg.token() else 'not required'}; questions {'logged, masked' if cfg.log_queries else 'not logged'})",
        highlight=False,
    )
    uvicorn.run(
        create_app(svc, cfg), host=host, port=port, proxy_headers=False, server_header=False, log_level="info",
        timeout_graceful_shutdown=5,
    )
