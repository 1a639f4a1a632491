"""Shared fixtures: tiny hand-made documents, the hashing embedder, a temp app home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from medcite.documents import Document, Section  # noqa: E402
from medcite.embedding import HashingEmbedder  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
SAMPLES = SHARED / "samples"


def need_shared() -> None:
    if not DATA.exists():
        pytest.skip("../shared/data is not present")


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Point medcite's index root at a temp dir so tests never touch ./indexes."""
    monkeypatch.setenv("MEDCITE_INDEX_ROOT", str(tmp_path / "indexes"))
    yield


@pytest.fixture
def embedder():
    return HashingEmbedder(dim=256, max_tokens=64)


def make_docs() -> list[Document]:
    return [
        Document("PMID:1", "Metformin and lactic acidosis", [Section("BACKGROUND", "Metformin is a first-line drug for type 2 diabetes."),
                 Section("RESULTS", "Lactic acidosis was rare among metformin users with normal kidney function.")], pmid="1", year=2001),
        Document("PMID:2", "Statins after myocardial infarction", [Section("ABSTRACT", "High-intensity statins reduced recurrent myocardial infarction and cardiovascular death.")], pmid="2", year=2010),
        Document("PMID:3", "Aspirin for primary prevention", [Section("ABSTRACT", "Aspirin did not reduce cardiovascular events in older adults and increased major bleeding.")], pmid="3", year=2018),
        Document("PMID:4", "Vitamin D and fractures", [Section("ABSTRACT", "Vitamin D supplementation alone did not prevent fractures in community-dwelling adults.")], pmid="4", year=2019),
        Document("PMID:5", "Mitochondria in lace plant programmed cell death", [Section("RESULTS", "Mitochondrial dynamics change during programmed cell death in lace plant leaves.")], pmid="5", year=2011),
        Document("note:6", "Undated note on metformin", [Section("TEXT", "Metformin dosing must be adjusted in chronic kidney disease.")]),
    ]


@pytest.fixture
def docs() -> list[Document]:
    return make_docs()


@pytest.fixture
def built_index(tmp_path, embedder, docs):
    from medcite.index.writer import IndexWriter

    root = tmp_path / "indexes" / "tiny"
    IndexWriter(root, embedder).build(docs)
    return root
