"""The index suite on the Milvus backend: Milvus Lite file, ``milvus-lite server`` on loopback,
and ``MEDCITE_TEST_MILVUS_URI`` (same code; only the URI differs)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from tests.conftest import REPO, make_docs
from tests.index.milvus_fixtures import lite_server, milvus_uri, unique_root  # noqa: F401  (fixtures)

from medcite.documents import Document, Section
from medcite.errors import EmbedderMismatchError
from medcite.index import milvus, open_index
from medcite.index.writer import IndexWriter
from medcite.milvus_retrieval import MilvusRetriever, filter_expression
from medcite.retrieval import Retriever, SearchOptions

QUERIES = ["metformin lactic acidosis kidney", "statins myocardial infarction", "aspirin bleeding older adults", "vitamin D fractures"]


def _build(tmp_path, embedder, uri, docs=None):
    root = unique_root(tmp_path)
    rep = IndexWriter(root, embedder, backend={"kind": "milvus", "uri": uri}).build(docs or make_docs())
    return root, rep


def _ids(passages):
    return [p.doc_id for p in passages]


def test_build_records_backend_and_serves_from_the_collection(tmp_path, embedder, milvus_uri):
    root, rep = _build(tmp_path, embedder, milvus_uri)
    ix = open_index(root)
    assert isinstance(ix, milvus.MilvusIndex) and ix.collection == f"{milvus.alias_for(root.name)}_{rep.version}"
    info = ix.info()
    assert info["backend"] == "milvus" and info["collection"] == ix.collection and info["counts"] == {"documents": 6, "chunks": 6}
    assert ix.store.find_document("3").title == "Aspirin for primary prevention"
    assert sorted(d.id for d in ix.store.iter_documents()) == sorted(d.id for d in make_docs())
    # a reader with no local copy (another machine): the URI alone
    remote = open_index(tmp_path / "elsewhere" / root.name, milvus_uri)
    assert remote.collection == ix.collection and remote.manifest.embedder == ix.manifest.embedder


@pytest.mark.parametrize("opts", [
    SearchOptions(top_k=4, bm25_prf_docs=0), SearchOptions(top_k=4, fusion="rrf"), SearchOptions(top_k=4, mode="dense"),
    SearchOptions(top_k=4, mode="bm25"), SearchOptions(top_k=3, year_from=2005, bm25_prf_docs=0), SearchOptions(top_k=6, max_per_paper=2, bm25_prf_docs=0),
])
def test_rankings_match_the_local_index(tmp_path, embedder, milvus_uri, opts):
    root, _ = _build(tmp_path, embedder, milvus_uri)
    local = tmp_path / "local"
    IndexWriter(local, embedder).build(make_docs())
    mr, lr = MilvusRetriever(open_index(root), embedder), Retriever(open_index(local), embedder)
    for q in QUERIES:
        m, l = mr.search(q, opts), lr.search(q, opts)
        assert len(m) == len(l) and m[0].doc_id == l[0].doc_id, q
        if opts.mode == "dense":  # the same vectors and metric: the same ranking and cosines
            assert [round(p.dense_score, 4) for p in m] == [round(p.dense_score, 4) for p in l]  # ties may come in any order
        else:  # Milvus's BM25 (its analyzer, k1 1.2) and bm25s's differ a little: ties may fall otherwise below the top
            assert len(set(_ids(m)) & set(_ids(l))) >= len(l) - 1, q


def test_bm25_on_the_engine_scores_as_the_local_bm25(tmp_path, embedder, milvus_uri):
    # the collection holds medcite's tokens and the local k1/b: the same BM25 scores, ties aside
    root, _ = _build(tmp_path, embedder, milvus_uri)
    local = tmp_path / "local"
    IndexWriter(local, embedder).build(make_docs())
    ix = open_index(root)
    assert ix.bm25_tokens
    mr, lr = MilvusRetriever(ix, embedder), Retriever(open_index(local), embedder)
    opts = SearchOptions(top_k=6, mode="bm25")
    for q in [*QUERIES, "Metformin-associated LACTIC acidosis in kidneys"]:  # case and inflections stemmed alike
        m, l = mr.search(q, opts), lr.search(q, opts)
        assert [round(p.bm25_score, 4) for p in m] == [round(p.bm25_score, 4) for p in l], q
        ms, ls = {p.doc_id: p.bm25_score for p in m}, {p.doc_id: p.bm25_score for p in l}
        assert all(abs(ms[d] - ls[d]) < 1e-4 for d in ms.keys() & ls.keys()), q
    assert mr.search("what is the", opts) == [] == lr.search("what is the", opts)  # only stop words: nothing matches
    assert len(mr.search("what is the", SearchOptions(top_k=3))) == 3  # the dense list still answers


def test_one_hybrid_query_is_three_searches_and_one_fetch(tmp_path, embedder, milvus_uri):
    root, _ = _build(tmp_path, embedder, milvus_uri)
    ix = open_index(root)
    calls: list[str] = []
    client = ix.client

    class Counting:
        def __getattr__(self, name):
            f = getattr(client, name)
            return lambda *a, **k: (calls.append(name), f(*a, **k))[1]

    ix.client = Counting()
    r = MilvusRetriever(ix, embedder)
    for opts in (SearchOptions(top_k=3, bm25_prf_docs=0), SearchOptions(top_k=3, year_from=2005)):
        calls.clear()
        got = r.search("metformin lactic acidosis", opts)
        assert len(got) == 3 and all(p.dense_score is not None for p in got)
        # BM25 list (with its hits' vectors), dense list, BM25 of the dense-only candidates; then the rows;
        # no separate vector fetch and no count(*) for the filter
        assert calls.count("search") <= 3 and calls.count("query") == 1, calls


def test_filters_apply_inside_the_search_before_the_cut(tmp_path, embedder, milvus_uri):
    root, _ = _build(tmp_path, embedder, milvus_uri)
    r = MilvusRetriever(open_index(root), embedder)
    got = r.search("metformin", SearchOptions(top_k=4, year_from=2010, year_to=2018))
    assert sorted(_ids(got)) == ["PMID:2", "PMID:3", "PMID:5"]  # every paper of 2010-2018, not what survives a cut
    got = r.search("metformin", SearchOptions(top_k=6), exclude_docs={"PMID:1", "note:6"})
    assert {"PMID:1", "note:6"}.isdisjoint(_ids(got)) and len(got) == 4
    assert r.search("metformin", SearchOptions(year_from=2030)) == []
    assert filter_expression(SearchOptions(year_from=2000), {"a'b"}) == '(year >= 2000 and year > 0) and (doc_id not in ["a\'b"])'


def test_update_remove_rebuild_switch_the_alias_and_keep_the_old_reader(tmp_path, embedder, milvus_uri):
    root, _ = _build(tmp_path, embedder, milvus_uri)
    old = open_index(root)
    changed = replace(make_docs()[1], sections=[Section("ABSTRACT", "Statins cut recurrent infarction; a new sentence.")])
    new = Document("PMID:7", "Colchicine after infarction", [Section("ABSTRACT", "Colchicine lowered ischemic events.")], pmid="7", year=2019)
    rep = IndexWriter(root, embedder).update([*make_docs()[:1], changed, new], delete_ids=["PMID:4"])
    assert (rep.added, rep.replaced, rep.unchanged, rep.deleted) == (["PMID:7"], ["PMID:2"], ["PMID:1"], ["PMID:4"])
    ix = open_index(root)
    assert ix.collection != old.collection and ix.manifest.counts["documents"] == 6
    r = MilvusRetriever(ix, embedder)
    assert r.search("colchicine ischemic", SearchOptions(top_k=1))[0].doc_id == "PMID:7"
    assert "PMID:4" not in _ids(r.search("vitamin D fractures", SearchOptions(top_k=6)))
    assert "PMID:4" in _ids(MilvusRetriever(old, embedder).search("vitamin D fractures", SearchOptions(top_k=1)))  # old version intact
    assert old.live_version() == ix.version
    rep = IndexWriter(root, embedder).update(make_docs()[:1])
    assert rep.unchanged == ["PMID:1"] and open_index(root).collection == ix.collection  # nothing changed: no new collection
    IndexWriter(root, embedder).remove(["PMID:7"])
    IndexWriter(root, embedder).rebuild()
    last = open_index(root)
    assert last.manifest.counts["documents"] == 5 and last.manifest.build["operation"] == "rebuild"
    alias = milvus.alias_for(root.name)
    assert sorted(c for c in last.client.list_collections() if c.startswith(alias + "_v"))[-2:][-1] == last.collection
    assert len([c for c in last.client.list_collections() if c.startswith(alias + "_v")]) == 2  # new + the one it replaced
    with pytest.raises(EmbedderMismatchError):
        from medcite.embedding import HashingEmbedder

        IndexWriter(root, HashingEmbedder(dim=128, max_tokens=64)).update(make_docs()[:1])


_CRASH = """
import sys
sys.path.insert(0, {repo!r})
from tests.conftest import make_docs
from medcite.documents import Document, Section
from medcite.embedding import HashingEmbedder
from medcite.index.writer import IndexWriter
new = Document("PMID:8", "Ezetimibe added to statins", [Section("ABSTRACT", "Ezetimibe lowered LDL further.")], pmid="8", year=2015)
IndexWriter({root!r}, HashingEmbedder(dim=256, max_tokens=64)).update([new], delete_ids=["PMID:5"])
"""


def _killed_update(root, stage: str) -> None:
    env = {**os.environ, "MEDCITE_CRASH_AT": stage, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", _CRASH.format(repo=str(REPO), root=str(root))], env=env, timeout=300,
                          capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]


@pytest.mark.parametrize("stage", ["milvus:created", pytest.param("milvus:inserted:1", marks=pytest.mark.slow),
                                   pytest.param("milvus:loaded", marks=pytest.mark.slow), "publish:swapped"])
def test_kill_9_during_a_push_leaves_the_previous_alias_live_and_the_next_write_repairs(tmp_path, embedder, milvus_uri, stage):
    root, _ = _build(tmp_path, embedder, milvus_uri)
    before = open_index(root).collection
    milvus.disconnect(milvus_uri)  # a Lite file opens in one process at a time
    _killed_update(root, stage)
    ix = open_index(root)
    assert ix.collection == before
    assert "PMID:5" in _ids(MilvusRetriever(ix, embedder).search("lace plant programmed cell death", SearchOptions(top_k=1)))
    rep = IndexWriter(root, embedder).update(make_docs()[:1])  # the local version went live: the push is redone first
    assert rep.unchanged == ["PMID:1"]
    ix = open_index(root)
    assert ix.collection != before and "PMID:8" in _ids(MilvusRetriever(ix, embedder).search("ezetimibe", SearchOptions(top_k=1)))
