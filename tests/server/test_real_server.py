"""`medcite serve` as a real process: uvicorn on a free loopback port, called over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import ANSWERABLE, free_port

TOKEN = "real-server-token"


@pytest.fixture
def server(index_path, tmp_path):
    port = free_port()
    env = {**os.environ, "MEDCITE_API_TOKEN": TOKEN, "HF_HUB_OFFLINE": "1", "MEDCITE_ABSTAIN_THRESHOLD": "0.3"}
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "medcite.cli", "serve", "--index", str(index_path), "--port", str(port), "--log-queries"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded 2-core machine can take a minute to import and start
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()  # no teardown runs for a fixture that fails before its yield
            proc.wait(10)
            log.seek(0)
            pytest.fail(f"medcite serve did not start: {log.read()[-2000:]}")
        time.sleep(0.1)
    yield base, proc, log
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.close()


def test_real_server_over_http(server):
    base, proc, log = server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=30) as c:
        assert c.get("/v1/index").status_code == 401
        info = c.get("/v1/index", headers=auth).json()
        assert info["name"] == "web" and info["counts"]["documents"] == 7

        r = c.post("/v1/search", json={"query": "vitamin D fractures", "top_k": 2}, headers=auth)
        assert r.status_code == 200 and r.json()["passages"][0]["doc_id"] == "PMID:4"

        q = ANSWERABLE + " Patient: john.smith@example.com"
        a = c.post("/v1/ask", json={"question": q}, headers=auth).json()
        assert a["abstained"] is False and a["references"][0]["pmid"] == "1"

        with c.stream("POST", "/v1/ask", json={"question": ANSWERABLE, "stream": True}, headers=auth) as s:
            assert s.headers["content-type"].startswith("text/event-stream")
            events = [line[len("event: "):] for line in s.iter_lines() if line.startswith("event: ")]
        assert events[0] == "meta" and events[-1] == "answer" and "delta" in events

        r = c.post("/v1/ask", content=json.dumps({"question": "x" * 70_000}), headers={**auth, "content-type": "application/json"})
        assert r.status_code == 413
        assert "server" not in r.headers  # no server banner

    proc.send_signal(signal.SIGINT)
    assert proc.wait(15) == 0
    log.seek(0)
    out = log.read()
    assert "serving index web" in out
    assert "[EMAIL]" in out and "john.smith" not in out  # --log-queries masks identifiers
