"""Helpers for the reader tests: locate the real sample files (skip when absent), run a reader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medcite.documents import Document
from medcite.readers import FileReport

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def sample(*parts: str) -> Path:
    """Path of a real sample file under ../shared/samples; skips the test when it is absent."""
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"sample not available: {path}")
    return path


def data_file(*parts: str) -> Path:
    """Path of a real data file under ../shared/data; skips the test when it is absent."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"data not available: {path}")
    return path


def read_all(reader: Callable[[Path, FileReport], Iterator[Document]], path: Path) -> tuple[list[Document], FileReport]:
    """Run a reader to the end; return its documents and the report."""
    report = FileReport(str(path))
    docs = list(reader(path, report))
    return docs, report
