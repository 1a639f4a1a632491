"""Fixtures for the HTTP server tests: a tiny hashing-embedder index (with one record whose
title carries markup), a service over it, and a TestClient factory."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from tests.conftest import make_docs  # tests/conftest.py (pytest puts tests/ on sys.path)

from medcite.config import Settings
from medcite.documents import Document, Section
from medcite.index.writer import IndexWriter
from medcite.service import Medcite

#: A stored title that would run code if the page inserted it as HTML.
EVIL_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">Metformin safety & <b>kidneys</b>'

ANSWERABLE = "Is lactic acidosis rare among metformin users with normal kidney function?"
#: Answered from the record with the markup title (PMID:99) under the hashing embedder.
EVIL_QUESTION = "Was lactic acidosis extremely rare in this cohort of metformin users?"
OFF_TOPIC = "What is the best way to repair a cracked smartphone screen at home?"
#: Cosine threshold for the hashing embedder that separates the questions above (the
#: calibrated default for "hashing", 0.05, is for recall tests, not abstention).
THRESHOLD = 0.3


def server_docs() -> list[Document]:
    """The shared tiny documents plus one record whose title contains markup."""
    return make_docs() + [
        Document(
            "PMID:99", EVIL_TITLE,
            [Section("RESULTS", "Lactic acidosis among metformin users with normal kidney function was extremely rare in this cohort.")],
            pmid="99", year=2020, journal="Journal of <i>Tests</i>",
        )
    ]


@pytest.fixture
def index_path(tmp_path, embedder) -> Path:
    root = tmp_path / "indexes" / "web"
    IndexWriter(root, embedder).build(server_docs())
    return root


@pytest.fixture
def svc(index_path, embedder) -> Medcite:
    return Medcite(Settings(index=str(index_path), abstain_threshold=THRESHOLD), embedder=embedder)


@pytest.fixture
def make_client(svc):
    """``make_client(service=None, raise_server_exceptions=True, **server_settings)`` → TestClient."""
    from fastapi.testclient import TestClient

    from medcite.server import ServerSettings, create_app

    clients = []

    def make(service=None, raise_server_exceptions=True, client=("testclient", 50000), **kw):
        kw.setdefault("rate_limit", 0)
        kw.setdefault("reload_check_seconds", 0)
        app = create_app(service or svc, ServerSettings(**kw))
        c = TestClient(app, raise_server_exceptions=raise_server_exceptions, client=client)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedServer:
    """A real uvicorn server on 127.0.0.1 with an OS-chosen free port, in a thread."""

    def __init__(self, app) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's headless chromium through Playwright (skipped when either is missing)")
