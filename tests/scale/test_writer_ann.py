"""Approximate and sharded indexes through the writer, the read side, retrieval and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from medcite.documents import Document, Section
from medcite.index import Index
from medcite.index.ann import AnnIndex, AnnOptions
from medcite.index.shards import ShardedVectorIndex
from medcite.index.writer import IndexWriter
from medcite.retrieval import Retriever, SearchOptions


def test_default_build_is_unchanged(built_index):
    ix = Index(built_index)
    assert ix.manifest.vector_index == "IDMap2,Flat" and ix.manifest.vector_params == {}
    assert type(ix.vectors).__name__ == "VectorIndex" and (ix.path / "vectors.faiss").exists()


@pytest.mark.parametrize("opts", [AnnOptions("hnsw"), AnnOptions("ivfpq"), AnnOptions("ivfpq", shards=2), AnnOptions("flat", shards=3)])
def test_build_update_rebuild_keep_the_index_type(tmp_path, embedder, docs, opts):
    root = tmp_path / "indexes" / "ann"
    IndexWriter(root, embedder, vector_options=opts).build(docs)
    ix = Index(root)
    vp = ix.manifest.vector_params
    assert vp["index_type"] == opts.index_type and vp.get("shards", 1) == opts.shards
    assert isinstance(ix.vectors, ShardedVectorIndex if opts.shards > 1 else AnnIndex)
    r = Retriever(ix, embedder)
    top = r.search("metformin lactic acidosis", SearchOptions(top_k=1, mode="dense"))
    assert top[0].doc_id == "PMID:1" and top[0].dense_score > 0.3

    changed = Document("PMID:2", "Statins after myocardial infarction", [Section("ABSTRACT", "Revised: statins lowered mortality.")], pmid="2", year=2010)
    rep = IndexWriter(root, embedder).update([changed], delete_ids=["PMID:3"])
    assert rep.deleted == ["PMID:3"] and rep.replaced == ["PMID:2"]
    ix = Index(root)  # checksums, and store/vector counts agree after the delete
    assert ix.manifest.vector_params["index_type"] == opts.index_type
    assert len(ix) == ix.vectors.ntotal
    hits = Retriever(ix, embedder).search("aspirin primary prevention bleeding", SearchOptions(top_k=5, mode="dense"))
    assert "PMID:3" not in {p.doc_id for p in hits}

    IndexWriter(root, embedder).rebuild()
    ix = Index(root)
    assert ix.manifest.vector_params["index_type"] == opts.index_type and ix.manifest.vector_params.get("tombstones", 0) == 0
    assert len(ix) == ix.vectors.ntotal == 5 + 0  # 5 documents left, one chunk each


def test_hnsw_tombstones_survive_a_reload(tmp_path, embedder, docs):
    root = tmp_path / "indexes" / "h"
    more = docs + [Document(f"X:{i}", f"Filler {i}", [Section("ABSTRACT", f"Unrelated filler text number {i} about cells.")]) for i in range(10)]
    IndexWriter(root, embedder, vector_options=AnnOptions("hnsw")).build(more)
    IndexWriter(root, embedder).remove(["PMID:4"])
    ix = Index(root)
    assert ix.manifest.vector_params["tombstones"] == 1
    tomb = np.load(ix.path / "vectors.tombstones.npy", allow_pickle=False)
    assert len(tomb) == 1 and tomb[0] not in set(ix.chunk_ids.tolist())
    hits = Retriever(ix, embedder).search("vitamin D fractures", SearchOptions(top_k=3, mode="dense"))
    assert "PMID:4" not in {p.doc_id for p in hits}


def test_cli_build_options(tmp_path, docs):
    from medcite.cli import app

    f = tmp_path / "docs.jsonl"
    with open(f, "w") as out:
        for d in docs:
            out.write(json.dumps({"pmid": d.pmid or d.id, "title": d.title, "year": d.year,
                                  "sections": [{"label": s.label, "text": s.text} for s in d.sections]}) + "\n")
    runner = CliRunner()
    r = runner.invoke(app, ["index", "build", str(f), "--index", str(tmp_path / "ix"), "--embedder", "hashing", "--quiet",
                            "--index-type", "hnsw", "--shards", "2", "--ef-search", "100"])
    assert r.exit_code == 0, r.output
    ix = Index(tmp_path / "ix")
    assert ix.manifest.vector_params["shards"] == 2 and ix.manifest.vector_params["ef_search"] == 100
    r = runner.invoke(app, ["index", "info", "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0 and "2 shards by hash of IDMap2,HNSW32,Flat" in r.output
    r = runner.invoke(app, ["index", "build", str(f), "--index", str(tmp_path / "iy"), "--embedder", "hashing", "--quiet", "--index-type", "lsh"])
    assert r.exit_code != 0 and "unknown index type" in r.output
