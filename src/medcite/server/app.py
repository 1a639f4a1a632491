"""HTTP front end: a FastAPI app over one :class:`~medcite.service.Medcite`.

Routes (all under the bearer token when ``MEDCITE_API_TOKEN`` is set, except ``/healthz`` and
the static page shell ``/`` + ``/static/*``, which carry no data):

- ``POST /v1/ask`` — an answer with numbered references; ``"stream": true`` answers as
  server-sent events (see :func:`sse_answer_events`);
- ``POST /v1/search`` — ranked passages;
- ``POST /v1/diagnose``, ``POST /v1/treatments``, ``POST /v1/summarize`` — the clinical tasks
  of :mod:`medcite.clinical`, when installed (``501`` otherwise); ``summarize`` takes an indexed
  PMID or document id only (never a server path);
- ``GET /v1/index`` — the live index version's manifest and counts;
- ``GET /healthz`` — liveness;
- ``GET /`` — the web page (``static/index.html``).

The index and embedder are loaded once at start-up. A newer version published by another
process (``medcite index update``) is picked up without a restart: at most once per
``reload_check_seconds`` a request compares ``CURRENT`` with the loaded version (one small file
read) and, when they differ, a background thread opens the new version and swaps it in; every
request runs against one consistent version.

Errors: a :class:`~medcite.errors.MedciteError` answers its ``http_status`` with its one-line
message; anything else answers ``500`` with a generic message and an error id (the traceback
goes to the server log only). Questions are never logged unless ``log_queries`` is on, and
then only through :func:`~medcite.privacy.mask_identifiers`.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.exceptions import HTTPException

from .. import __version__
from ..documents import Answer
from ..errors import MedciteError, UsageError
from ..config import CASE_NOTE_MAX_CHARS, DEFAULT_MAX_QUESTION_CHARS
from ..config import check_length as check_text_length
from ..privacy import mask_identifiers
from .guard import RequestGuard, TokenBucket
from .uploads import decode_upload, document_from_upload
from .models import (
    QUESTION_HARD_MAX,
    UPLOAD_MAX_BYTES,
    AnswerResponse,
    AskRequest,
    ClinicalResponse,
    DiagnoseRequest,
    DiagnoseResponse,
    ErrorResponse,
    HealthResponse,
    IndexInfoResponse,
    SearchRequest,
    SearchResponse,
    SummarizeRequest,
    TreatmentsRequest,
)
from ..service import Medcite

log = logging.getLogger("medcite.server")
query_log = logging.getLogger("medcite.server.queries")

STATIC_DIR = Path(__file__).with_name("static")
#: Content-Security-Policy of the web page: only its own script and style, no inline code.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ServerSettings(BaseSettings):
    """Server configuration: environment variables ``MEDCITE_<FIELD>`` (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", env_file=".env", extra="ignore")

    api_token: SecretStr | None = Field(None, description="bearer token required on every route but /healthz and the page shell; unset or empty: no authentication")
    max_body_bytes: int = Field(65_536, ge=1_024, description="largest accepted request body (bytes); larger ones get 413")
    max_upload_bytes: int = Field(14_000_000, ge=1_024, description="largest accepted request body on /v1/summarize, which takes uploaded files (bytes; a 10 MiB file is ~14 MB in base64)")
    max_question_chars: int = Field(DEFAULT_MAX_QUESTION_CHARS, ge=1, le=QUESTION_HARD_MAX, description="longest accepted question or query (characters); longer ones get 422")
    rate_limit: float = Field(10.0, ge=0, description="sustained requests per second per client IP address (0 = no limit)")
    rate_burst: int = Field(30, ge=1, description="requests a client may send at once before the rate limit applies (count)")
    log_queries: bool = Field(False, description="log questions, with e-mails, phone numbers, dates and record numbers masked")
    reload_check_seconds: float = Field(1.0, ge=0, description="how often a request may check for a newer index version (seconds)")

    def token(self) -> str | None:
        """The token as a string, or ``None`` when unset or empty."""
        t = self.api_token.get_secret_value() if self.api_token is not None else ""
        return t or None


def _public(path: str) -> bool:
    return path in ("/", "/healthz") or path.startswith("/static/")


def _unlimited(path: str) -> bool:
    return _public(path)


class IndexWatcher:
    """Swaps in a newer index version published by another process, without blocking requests.

    :meth:`poke` is called by each API request; at most once per ``interval`` seconds it reads
    ``CURRENT`` and, if it names another version than the loaded one, starts one background
    thread that calls :meth:`Medcite.reload_if_changed` (the new version is opened while
    requests go on against the old one).

    Args:
        service: the service whose index is watched.
        interval: minimum seconds between two checks (0: check on every request).
    """

    def __init__(self, service: Medcite, interval: float) -> None:
        self.service = service
        self.interval = interval
        self._last = float("-inf")
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        """Check (rate-limited) for a newer version; start a reload in the background if so."""
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval or (self._thread is not None and self._thread.is_alive()):
                return
            self._last = now
        try:
            live = self.service.index().live_version()
            if live is None or live == self.service.index().version:
                return
        except MedciteError:
            return  # no index (yet), or CURRENT mid-replacement: the request reports its own error
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._reload, name="medcite-index-reload", daemon=True)
                self._thread.start()

    def _reload(self) -> None:
        try:
            if self.service.reload_if_changed():
                log.info("index %s: now serving version %s", self.service.index_path.name, self.service.index().version)
        except MedciteError as e:
            log.warning("index reload failed; still serving the previous version: %s", e)
        except Exception:
            log.exception("index reload failed; still serving the previous version")

    def join(self, timeout: float | None = None) -> None:
        """Wait for a running reload (tests, shutdown)."""
        t = self._thread
        if t is not None:
            t.join(timeout)


def _sse(event: str, data: Any) -> str:
    """One server-sent event (``data`` as one line of JSON)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def answer_items(service: Medcite, question: str, **opts) -> Iterator[str | Answer]:
    """Text pieces of the answer as they are produced, then the final :class:`Answer`.

    Uses :meth:`Medcite.ask_stream` when the service has it (generative answerers stream their
    text, then yield the guarded answer); otherwise the whole answer from :meth:`Medcite.ask`.
    """
    stream = getattr(service, "ask_stream", None)
    if callable(stream):
        yield from stream(question, **opts)
    else:
        yield service.ask(question, **opts)


def sse_answer_events(first: str | Answer, rest: Iterator[str | Answer], meta: dict[str, Any]) -> Iterator[str]:
    """The server-sent events of a streamed answer.

    Events, in order: ``meta`` (index, version, question); zero or more ``delta``
    (``{"text": piece}``: answer text as it is produced); then one ``answer`` (the final,
    guarded answer in the ``/v1/ask`` JSON shape — it replaces the streamed text, since the
    citation guard may have removed markers or sentences) or one ``error``
    (``{"detail", "status"}``).

    An answerer that does not stream (the extractive one) produces its :class:`Answer` at
    once; its sentences are then sent as one ``delta`` each before the ``answer`` event.

    Args:
        first: the first item of :func:`answer_items` (pulled before the response starts, so
            that retrieval errors still get their HTTP status).
        rest: the remaining items.
        meta: ``{"index", "version", "question"}``.
    """
    yield _sse("meta", meta)
    streamed = False
    try:
        for item in itertools.chain([first], rest):
            if isinstance(item, Answer):
                if not streamed:
                    texts = [x.text for x in item.sentences if x.supported] or [item.answer]
                    for i, text in enumerate(texts):
                        yield _sse("delta", {"text": text + (" " if i < len(texts) - 1 else "")})
                yield _sse("answer", {**item.to_json(), "index": meta["index"], "version": meta["version"]})
                return
            if item:
                streamed = True
                yield _sse("delta", {"text": str(item)})
        yield _sse("error", {"detail": "the answerer stopped without a final answer", "status": 500})
    except MedciteError as e:
        yield _sse("error", {"detail": str(e).splitlines()[0] if str(e) else type(e).__name__, "status": e.http_status})
    except Exception:
        err_id = uuid.uuid4().hex[:12]
        log.exception("error %s while streaming an answer", err_id)
        yield _sse("error", {"detail": f"internal server error (error id {err_id}; details are in the server log)", "status": 500})


def _jsonable(result: Any) -> Any:
    """Plain JSON data from a result object (``to_json()``, pydantic model, dataclass or dict)."""
    if hasattr(result, "to_json"):
        return result.to_json()
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    return result


def _with_meta(data: Any, ix) -> dict[str, Any]:
    """``data`` (a dict, else wrapped as ``{"result": data}``) with the index name and version."""
    base = data if isinstance(data, dict) else {"result": data}
    return {**base, "index": ix.name, "version": ix.version}


def _call_with_supported(fn, *args, **kwargs):
    """Call ``fn`` with only the keyword arguments it accepts (``None`` values dropped)."""
    kw = {k: v for k, v in kwargs.items() if v is not None}
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn(*args, **kw)
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kw = {k: v for k, v in kw.items() if k in params}
    return fn(*args, **kw)


ERRORS = {
    401: {"model": ErrorResponse, "description": "missing or invalid bearer token"},
    413: {"model": ErrorResponse, "description": "request body too large"},
    422: {"model": ErrorResponse, "description": "invalid request (e.g. question too long or empty)"},
    429: {"model": ErrorResponse, "description": "rate limit exceeded (see Retry-After)"},
    500: {"model": ErrorResponse, "description": "internal error (no details in the response)"},
}


def _without_module(task: str) -> dict[int, dict[str, Any]]:
    """The OpenAPI entry of a clinical route's 501 (an installation without that module)."""
    return {501: {"model": ErrorResponse, "description": f"this installation has no {task} module"}}


def create_app(service: Medcite | None = None, settings: ServerSettings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Args:
        service: the :class:`Medcite` to serve (default: one configured from the environment).
        settings: :class:`ServerSettings` (default: from the environment).

    Returns:
        the ASGI app; its lifespan loads the index and embedder once (a missing index is
        logged, and requests then answer ``404`` with the reason).
    """
    svc = service or Medcite()
    cfg = settings or ServerSettings()
    watcher = IndexWatcher(svc, cfg.reload_check_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import anyio

        def warm() -> None:
            try:
                ix = svc.index()
                svc.retriever()
                svc.embedder_for_index().embed_query("warm-up")
                log.info("serving index %s version %s (%d chunks)", ix.name, ix.version, len(ix))
            except MedciteError as e:
                log.warning("index not loaded at start-up: %s", e)
            except Exception:
                log.exception("warm-up failed; requests will load the index themselves")

        await anyio.to_thread.run_sync(warm)
        yield
        watcher.join(timeout=5)

    app = FastAPI(
        title="medcite",
        version=__version__,
        summary="Answers from the medical literature with numbered, verified citations.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = svc
    app.state.settings = cfg
    app.state.watcher = watcher
    app.add_middleware(
        RequestGuard,
        token=cfg.token(),
        max_body_bytes=cfg.max_body_bytes,
        limiter=TokenBucket(cfg.rate_limit, cfg.rate_burst),
        public=_public,
        unlimited=_unlimited,
        uploads=lambda path: path.rstrip("/").endswith("/v1/summarize"),
        max_upload_bytes=cfg.max_upload_bytes,
    )

    # -- errors ---------------------------------------------------------------------------
    @app.exception_handler(MedciteError)
    async def medcite_error(request: Request, exc: MedciteError):
        return JSONResponse({"detail": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
        parts = []
        for e in errors:
            loc = ".".join(str(x) for x in e["loc"] if x != "body")
            parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
        return JSONResponse({"detail": "invalid request: " + "; ".join(parts), "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception):
        err_id = uuid.uuid4().hex[:12]
        log.error("error %s on %s %s", err_id, request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": f"internal server error (error id {err_id}; details are in the server log)"}, status_code=500)

    # -- helpers --------------------------------------------------------------------------
    def fresh() -> Medcite:
        watcher.poke()
        return svc

    def check_length(text: str, what: str) -> str:
        return check_text_length(text, what, cfg.max_question_chars)

    def log_query(kind: str, text: str) -> None:
        if cfg.log_queries:
            query_log.info("%s: %s", kind, mask_identifiers(" ".join(text.split())))

    bearer = HTTPBearer(auto_error=False, description="MEDCITE_API_TOKEN, when the server has one")
    api = APIRouter(prefix="/v1", dependencies=[Depends(bearer)], responses=ERRORS)

    # -- routes ---------------------------------------------------------------------------
    @api.post(
        "/ask",
        response_model=AnswerResponse,
        summary="Answer a question with numbered citations (or abstain)",
        responses={200: {"content": {"text/event-stream": {"schema": {"type": "string", "description": "events: meta, delta*, answer | error"}}}}},
    )
    def ask(req: AskRequest, service: Medcite = Depends(fresh)):  # noqa: B008
        question = check_length(req.question, "question")
        log_query("ask", question)
        ix = service.index()
        meta = {"index": ix.name, "version": ix.version}
        opts = {"top_k": req.top_k, "year_from": req.year_from, "year_to": req.year_to, "evidence": req.evidence,
                "publication_types": tuple(req.publication_types) if req.publication_types else None}
        if not req.stream:
            ans = service.ask(question, **opts)
            return {**ans.to_json(), **meta}
        items = answer_items(service, question, **opts)
        first = next(items, "")  # retrieval happens here: its errors still get a proper status
        return StreamingResponse(
            sse_answer_events(first, items, {**meta, "question": question}), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    def clinical_call(service: Medcite, method: str, task: str, module: str, text: str, label: str,
                      limit: int | None = None, **opts) -> dict[str, Any]:
        """Run ``service.<method>(text, **opts)`` for a clinical route: 501 when this installation
        lacks the method, the length check (``limit`` characters, default the question limit) and
        query log of every route, the index version in ``meta``."""
        fn = getattr(service, method, None)
        if not callable(fn):
            raise HTTPException(501, f"{task} is not available: this medcite installation has no medcite.clinical.{module} module")
        text = check_text_length(text, label, limit or cfg.max_question_chars)
        log_query(method, text)
        ix = service.index()
        return _with_meta(_jsonable(_call_with_supported(fn, text, **opts)), ix)

    @api.post("/search", response_model=SearchResponse, summary="Retrieve ranked passages")
    def search(req: SearchRequest, service: Medcite = Depends(fresh)):  # noqa: B008
        query = check_length(req.query, "query")
        log_query("search", query)
        retriever = service.retriever()  # one index version for the whole request, reported exactly
        opts = service.options(
            top_k=req.top_k, mode=req.mode, fusion=req.fusion, year_from=req.year_from, year_to=req.year_to, max_per_paper=req.per_paper,
            evidence=req.evidence, publication_types=tuple(req.publication_types) if req.publication_types else None,
        )
        opts.validate()  # an unknown evidence level is a 4xx before the index is read
        t0 = time.perf_counter()
        # the query vector is made here (not inside search) so its time is reported on its own
        qvec = [retriever.embedder.embed_query(query.strip())] if opts.mode in ("hybrid", "dense") and query.strip() else None
        t1 = time.perf_counter()
        passages = retriever.search(query, opts, query_vectors=qvec)
        t2 = time.perf_counter()
        ix = retriever.index
        return {"query": query, "index": ix.name, "version": ix.version, "passages": [p.to_json() for p in passages],
                "timings": {"embed_query": t1 - t0, "search": t2 - t1, "total": t2 - t0}}

    @api.post("/diagnose", response_model=DiagnoseResponse, summary="Literature-supported differential for free-text findings",
              responses=_without_module("diagnosis"))
    def diagnose(req: DiagnoseRequest, service: Medcite = Depends(fresh)):  # noqa: B008
        if req.candidates is not None and not [c for c in req.candidates if c.strip()]:
            raise HTTPException(422, "candidates is empty: give at least one condition name, or leave it out")
        return clinical_call(service, "diagnose", "diagnosis", "diagnose", req.findings, "findings text",
                             limit=max(cfg.max_question_chars, CASE_NOTE_MAX_CHARS), top_k=req.top_k,
                             candidates=[c.strip() for c in req.candidates if c.strip()] if req.candidates is not None else None)

    @api.post("/treatments", response_model=ClinicalResponse, summary="Treatment options for a condition, with evidence levels",
              responses=_without_module("treatments"))
    def treatments(req: TreatmentsRequest, service: Medcite = Depends(fresh)):  # noqa: B008
        return clinical_call(service, "treatments", "treatment search", "treatments", req.condition, "condition", top_k=req.top_k,
                             evidence=req.evidence, publication_types=tuple(req.publication_types) if req.publication_types else None)

    @api.post(
        "/summarize",
        response_model=ClinicalResponse,
        summary="Extractive summary of one indexed paper, pasted text or an uploaded text/PDF file",
        responses={
            404: {"model": ErrorResponse, "description": "no such document in the index"},
            **_without_module("summarize"),
        },
    )
    def summarize(req: SummarizeRequest, service: Medcite = Depends(fresh)):  # noqa: B008
        try:
            from ..clinical.summarize import summarize_document
        except ImportError:
            raise HTTPException(501, "summaries are not available: this medcite installation has no medcite.clinical.summarize module") from None
        ix = service.index()
        notes: list[str] = []
        if req.id is not None:
            key = req.id.strip()
            if key.upper().startswith("PMID:") and key[5:].strip().isdigit():
                key = key[5:].strip()
            # looked up in the index only: never read as a path on the server
            doc = ix.store.find_document(key)
            if doc is None:
                raise HTTPException(404, f"no document {req.id!r} in index {ix.name!r} (give an indexed PMID or document id)")
        else:  # pasted text or an uploaded file, read with the readers (uploads.py)
            name, data = ("pasted.txt", req.text.encode("utf-8")) if req.text is not None else (req.file.name, decode_upload(req.file.content_base64, UPLOAD_MAX_BYTES))
            doc, notes = document_from_upload(service, name, data)
        t0 = time.perf_counter()
        summary = summarize_document(doc, req.top_k)
        summary.notes = notes + summary.notes
        summary.timings = {"total": time.perf_counter() - t0}
        return _with_meta(_jsonable(summary), ix)

    @api.get("/index", response_model=IndexInfoResponse, summary="The live index version: manifest and counts")
    def index_info(service: Medcite = Depends(fresh)):  # noqa: B008
        info = service.index().info()
        info.pop("files", None)
        info.pop("path", None)  # no server file-system paths in responses
        return info

    app.include_router(api)

    @app.get("/healthz", response_model=HealthResponse, summary="Liveness (no token needed)")
    def healthz():
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(
            STATIC_DIR / "index.html",
            headers={
                "Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache",
            },
        )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
