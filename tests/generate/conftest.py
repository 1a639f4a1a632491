"""Fixtures for generative tests: a 20-record PubMedQA index built with the real e5-small
embedder, and the packaged Gemma 3 270M loaded once per session (transformers path)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DATA, need_shared

N_RECORDS = 20


@pytest.fixture(scope="session")
def pubmedqa20():
    """``(questions, jsonl path of their 20 gold abstracts)`` from the PubMedQA dev set."""
    need_shared()
    qs = [json.loads(line) for line in open(DATA / "pubmedqa" / "questions_dev.jsonl")][:N_RECORDS]
    return qs, {p for q in qs for p in q["gold_pmids"]}


@pytest.fixture(scope="session")
def index20(pubmedqa20, tmp_path_factory):
    """Path of a 20-abstract index built with e5-small (multilingual; the demo's embedder)."""
    from medcite.embedding import get_embedder
    from medcite.index.writer import IndexWriter
    from medcite.readers import FileReport, read_documents

    _qs, pmids = pubmedqa20
    src = tmp_path_factory.mktemp("pq20") / "abstracts.jsonl"
    with open(DATA / "pubmedqa" / "abstracts.jsonl") as f, open(src, "w") as out:
        for line in f:
            if json.loads(line)["pmid"] in pmids:
                out.write(line)
    docs = list(read_documents(src, FileReport(str(src))))
    assert len(docs) == N_RECORDS
    root = tmp_path_factory.mktemp("ix") / "pq20"
    IndexWriter(root, get_embedder("e5-small")).build(docs)
    return root


@pytest.fixture(scope="session")
def gemma():
    """The packaged Gemma 3 270M as a TransformersChatModel (dequantized once, then cached)."""
    from medcite.answer.generators.transformers_gen import TransformersChatModel

    return TransformersChatModel.load(max_tokens=64)


def pytest_configure(config):
    config.addinivalue_line("markers", "llamacpp: needs llama-cpp-python (the [llamacpp] extra); -m 'not llamacpp' skips")


@pytest.fixture(scope="session")
def gemma_gguf():
    """Path of the packaged Gemma GGUF (assembled once into the medcite cache)."""
    from medcite.answer.generators.cache import packaged_gemma_gguf

    return packaged_gemma_gguf()
