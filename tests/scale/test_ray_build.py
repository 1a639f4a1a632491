"""The Ray build (local instance) gives the same index as the single-process build."""

from __future__ import annotations

import json

import numpy as np
import pytest

from medcite.config import Settings
from medcite.documents import Document, Section
from medcite.index import Index
from medcite.index.writer import IndexWriter
from medcite.retrieval import Retriever, SearchOptions
from medcite.service import Medcite

WORDS = ("metformin statin aspirin sepsis insulin kidney fracture stroke warfarin asthma cancer "
         "trial cohort mortality dose placebo risk outcome children elderly").split()


def corpus(n: int = 30) -> list[Document]:
    rs = np.random.default_rng(5)
    docs = []
    for i in range(n):
        secs = [Section(lab, " ".join(rs.choice(WORDS, size=int(rs.integers(20, 90)))) + ".") for lab in ("BACKGROUND", "RESULTS")]
        docs.append(Document(f"PMID:{1000 + i}", f"Paper {i} on {rs.choice(WORDS)}", secs, pmid=str(1000 + i), year=int(1990 + i)))
    return docs


def write_jsonl(path, docs):
    with open(path, "w") as f:
        for d in docs:
            f.write(json.dumps({"pmid": d.pmid, "title": d.title, "year": d.year,
                                "sections": [{"label": s.label, "text": s.text} for s in d.sections]}) + "\n")


def test_staged_build_equals_single_process_without_ray(tmp_path):
    """The stage functions and the assembly, run in this process (no Ray runtime needed)."""
    check_equal_to_single_process(tmp_path, "inprocess")


@pytest.mark.ray
def test_ray_local_build_equals_single_process(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    check_equal_to_single_process(tmp_path, "local")


def check_equal_to_single_process(tmp_path, address):
    from medcite.index.ray_build import ray_index_build

    docs = corpus()
    write_jsonl(tmp_path / "a.jsonl", docs[:12])
    write_jsonl(tmp_path / "b.jsonl", docs[12:])
    (tmp_path / "bad.jsonl").write_text("{not json\n")

    single = Medcite(Settings(index=str(tmp_path / "single"), embedder="hashing"))
    got, reports, _ = single.read_inputs([tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "bad.jsonl"])
    single.index_build(got)

    distributed = Medcite(Settings(index=str(tmp_path / "ray"), embedder="hashing"))
    rep, ray_reports = ray_index_build(distributed, [tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "bad.jsonl"], address, quiet=True, workers=2)
    assert rep.documents == 30 and rep.chunks_embedded == rep.chunks
    assert [(r.path, r.read, bool(r.error)) for r in ray_reports] == [(r.path, r.read, bool(r.error)) for r in reports]

    a, b = Index(tmp_path / "single"), Index(tmp_path / "ray")
    assert np.array_equal(a.chunk_ids, b.chunk_ids) and a.doc_ids == b.doc_ids
    assert a.store.chunk_table() == b.store.chunk_table()
    for cid in a.chunk_ids.tolist():
        assert np.allclose(a.vectors.reconstruct(cid), b.vectors.reconstruct(cid), atol=1e-6)
    ra, rb = Retriever(a, single.embedder_for_index()), Retriever(b, distributed.embedder_for_index())
    for q in ("metformin kidney", "statin mortality trial", "asthma children"):
        pa = [p.chunk_id for p in ra.search(q, SearchOptions(top_k=10))]
        pb = [p.chunk_id for p in rb.search(q, SearchOptions(top_k=10))]
        assert pa == pb


@pytest.mark.ray
def test_ray_build_can_write_an_approximate_sharded_index(tmp_path):
    pytest.importorskip("ray")
    from medcite.index.ann import AnnOptions
    from medcite.index.ray_build import ray_index_build

    write_jsonl(tmp_path / "a.jsonl", corpus())
    svc = Medcite(Settings(index=str(tmp_path / "ray"), embedder="hashing"))
    ray_index_build(svc, [tmp_path / "a.jsonl"], "local", vector_options=AnnOptions("hnsw", shards=2), quiet=True, workers=1)
    ix = Index(tmp_path / "ray")
    assert ix.manifest.vector_params["shards"] == 2 and ix.manifest.vector_params["index_type"] == "hnsw"
    assert (ix.path / "vectors" / "shard-001.faiss").exists()
    assert ix.vectors.ntotal == len(ix)
