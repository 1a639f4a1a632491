"""Milvus URIs for the index suite: an embedded Milvus Lite file, a ``milvus-lite server`` on
loopback (started and stopped here) and any Milvus named by ``MEDCITE_TEST_MILVUS_URI``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("pymilvus", reason="the Milvus backend needs pymilvus and milvus-lite (pip install 'medcite[milvus]')")

ENV_URI = "MEDCITE_TEST_MILVUS_URI"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lite_server(tmp_path_factory):
    """``http://127.0.0.1:<port>`` of a ``milvus-lite server`` run for the test session."""
    exe = shutil.which("milvus-lite") or str(Path(sys.executable).with_name("milvus-lite"))
    if not Path(exe).exists():
        pytest.skip("milvus-lite has no server command here")
    port = _free_port()
    data = tmp_path_factory.mktemp("milvus-server")
    proc = subprocess.Popen([exe, "server", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.skip("milvus-lite server did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(params=["lite-file", pytest.param("lite-server", marks=pytest.mark.slow), "env"])
def milvus_uri(request, tmp_path):
    """A URI per engine; index names are unique, so a shared server never mixes tests."""
    from medcite.index import milvus

    kind = request.param
    if kind == "lite-file":
        uri = str(tmp_path / "milvus.db")
    elif kind == "lite-server":
        uri = request.getfixturevalue("lite_server")
    else:
        uri = os.environ.get(ENV_URI)
        if not uri:
            pytest.skip(f"{ENV_URI} is not set (a Milvus standalone or cluster to run the suite against)")
    yield uri
    milvus.disconnect(uri)


def unique_root(tmp_path: Path) -> Path:
    """``indexes/<unique name>`` under ``tmp_path``."""
    return tmp_path / "indexes" / f"t{uuid.uuid4().hex[:10]}"
