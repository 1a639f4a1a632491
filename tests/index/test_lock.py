"""One writer at a time, across processes; readers never wait."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from medcite.documents import Document, Section
from medcite.errors import IndexLockedError
from medcite.index import Index
from medcite.index.writer import IndexWriter

HOLDER = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def hold_lock(root, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(root / ".lock"), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


NEW = Document("PMID:77", "New", [Section("", "a new record about sepsis")])


def test_second_writer_fails_after_lock_timeout(built_index, embedder):
    holder = hold_lock(built_index, 30)
    try:
        t0 = time.monotonic()
        with pytest.raises(IndexLockedError, match="is being written by another process"):
            IndexWriter(built_index, embedder, lock_timeout=0.5).update([NEW])
        assert time.monotonic() - t0 >= 0.5
        # readers do not block while a writer holds the lock
        assert "PMID:1" in Index(built_index).doc_ids
    finally:
        holder.kill()
        holder.wait()
    assert "PMID:77" not in Index(built_index).doc_ids


def test_second_writer_waits_for_the_first(built_index, embedder):
    holder = hold_lock(built_index, 1.0)
    try:
        rep = IndexWriter(built_index, embedder, lock_timeout=30).update([NEW])
    finally:
        holder.wait()
    assert rep.added == ["PMID:77"] and "PMID:77" in Index(built_index).doc_ids


def test_cli_lock_timeout_message_and_exit_code(built_index):
    from typer.testing import CliRunner

    import medcite.cli  # noqa: F401
    from medcite.cli.common import app
    from medcite.errors import IndexLockedError as E

    holder = hold_lock(built_index, 30)
    try:
        res = CliRunner().invoke(app, ["index", "remove", "PMID:1", "-i", str(built_index), "--lock-timeout", "0.2"])
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == E.exit_code
    assert "is being written by another process" in res.output and "--lock-timeout" in res.output
