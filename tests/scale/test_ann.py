"""Approximate index types: exact top-1, recall, deletes (remove_ids / tombstones), mmap loading."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from medcite.errors import UsageError
from medcite.index.ann import AnnIndex, AnnOptions, default_nlist
from medcite.index.factory import create_vectors, load_vectors, manifest_fields
from medcite.index.vectors import VectorIndex

from tests.scale.scale_vectors import clustered, exact_topk

# small and fast: 4-bit PQ codes train in well under a second on 3,000 points
OPTS = {
    "flat": AnnOptions("flat"),
    "hnsw": AnnOptions("hnsw", hnsw_m=16, ef_construction=40, ef_search=64),
    "ivfpq": AnnOptions("ivfpq", nlist=16, pq_m=8, pq_nbits=4, nprobe=8, rerank_factor=8),
}


def build(kind: str, ids: np.ndarray, x: np.ndarray) -> VectorIndex:
    v = create_vectors(x.shape[1], OPTS[kind], len(x))
    for i in range(0, len(x), 500):  # the writer adds in slices
        v.add(ids[i : i + 500], x[i : i + 500])
    if hasattr(v, "finalize"):
        v.finalize()
    return v


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_identical_vector_is_top1(kind, vecs):
    ids, x = vecs
    v = build(kind, ids, x)
    assert v.ntotal == len(ids)
    for r in (0, 17, 1234, 2999):
        _d, got = v.search(x[r], 5)
        assert got[0] == ids[r]


@pytest.mark.parametrize("kind,bound", [("hnsw", 0.9), ("ivfpq", 0.9)])
def test_recall_at_10_on_clustered_data(kind, bound, vecs):
    ids, x = vecs
    v = build(kind, ids, x)
    qs = clustered(100, seed=99)  # same distribution, not in the index
    rec = [len(set(v.search(q, 10)[1].tolist()) & set(exact_topk(x, ids, q, 10).tolist())) / 10 for q in qs]
    assert np.mean(rec) >= bound


def test_ivfpq_trains_on_a_sample_and_records_its_params(vecs):
    ids, x = vecs
    opts = AnnOptions("ivfpq", nlist=16, pq_m=8, pq_nbits=4, train_size=1000)
    v = create_vectors(32, opts, len(x))
    v.add(ids[:600], x[:600])
    assert not v.trained and v.ntotal == 600  # buffered until the sample is complete
    v.add(ids[600:], x[600:])
    assert v.trained and v.index.ntotal == len(x)
    f = manifest_fields(v)
    assert f["vector_index"].startswith("IVF16,PQ8x4") and f["vector_params"]["train_size"] == 1000
    assert f["vector_params"]["nprobe"] == 32 and f["vector_params"]["index_type"] == "ivfpq"


def test_tiny_ivfpq_shrinks_its_lists_and_codebooks():
    x = clustered(50, seed=3)
    v = create_vectors(32, AnnOptions("ivfpq", pq_m=4), 50)
    v.add(np.arange(50), x)
    v.finalize()
    assert v.opts.nlist == 1 and v.opts.pq_nbits <= 5 and v.search(x[7], 1)[1][0] == 7


def test_ivfpq_deletes_with_remove_ids(tmp_path, vecs):
    ids, x = vecs
    v = build("ivfpq", ids, x)
    gone = ids[:100]
    assert v.remove(np.concatenate([gone, [10**12]])) == 100  # an unknown id is ignored
    assert v.ntotal == len(ids) - 100 and len(v.ids()) == len(ids) - 100
    assert not np.isin(gone, v.ids()).any()
    for r in range(0, 100, 10):
        assert not np.isin(v.search(x[r], 10)[1], gone).any()
    v.save_into(tmp_path)
    w = load_vectors(tmp_path, manifest_fields(v)["vector_params"], mmap=False)
    assert w.ntotal == len(ids) - 100
    assert w.search(x[100], 1)[1][0] == ids[100]


def test_hnsw_deletes_are_tombstones_persisted_as_npy(tmp_path, vecs):
    ids, x = vecs
    v = build("hnsw", ids, x)
    gone = ids[:50]
    assert v.remove(gone) == 50 and v.remove(gone) == 0  # deleting twice removes nothing more
    assert v.ntotal == len(ids) - 50 and v.index.ntotal == len(ids)  # still in the graph
    for r in range(50):
        assert not np.isin(v.search(x[r], 10)[1], gone).any()
    v.save_into(tmp_path)
    assert np.array_equal(np.load(tmp_path / "vectors.tombstones.npy", allow_pickle=False), np.sort(gone))
    params = manifest_fields(v)["vector_params"]
    assert params["tombstones"] == 50
    w = load_vectors(tmp_path, params, mmap=True)
    assert w.ntotal == len(ids) - 50
    assert not np.isin(w.search(x[3], 10)[1], gone).any()
    assert not np.isin(w.search(x[3], 10, allowed=ids[:200])[1], gone).any()
    # re-adding an id brings it back
    v.add(gone[:1], x[:1])
    assert v.search(x[0], 1)[1][0] == gone[0]


def test_hnsw_compacts_when_tombstones_pile_up(vecs):
    ids, x = vecs
    v = build("hnsw", ids, x)
    v.remove(ids[: len(ids) // 3])
    v.finalize()
    assert len(v.tombstones) == 0 and v.index.ntotal == v.ntotal == len(ids) - len(ids) // 3
    assert v.search(x[-1], 1)[1][0] == ids[-1]


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_mmap_load_gives_the_same_results(tmp_path, kind, vecs):
    ids, x = vecs
    v = build(kind, ids, x)
    v.save_into(tmp_path)
    params = manifest_fields(v)["vector_params"]
    m = load_vectors(tmp_path, params, mmap=True)
    if kind == "ivfpq":
        inv = faiss.extract_index_ivf(m.index).invlists
        assert isinstance(faiss.downcast_InvertedLists(inv), faiss.OnDiskInvertedLists)
    for r in (5, 500, 2500):
        d1, i1 = v.search(x[r], 10)
        d2, i2 = m.search(x[r], 10)
        assert np.array_equal(i1, i2) and np.allclose(d1, d2)
        assert np.allclose(m.reconstruct(int(ids[r])), v.reconstruct(int(ids[r])))


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_small_filters_are_searched_exactly(kind, vecs):
    ids, x = vecs
    v = build(kind, ids, x)
    allowed = ids[1000:1300]
    q = x[5]
    want = exact_topk(x[1000:1300], allowed, q, 10)
    got = v.search(q, 10, allowed=allowed)[1]
    if kind == "hnsw":
        assert np.array_equal(got, want)  # stored vectors are exact
    else:
        assert len(set(got.tolist()) & set(want.tolist())) >= 8  # SQ8-decoded scores
    assert np.isin(got, allowed).all()


def test_auto_picks_flat_then_ivfpq():
    assert AnnOptions("auto", flat_max=1000).resolve(1000).index_type == "flat"
    assert AnnOptions("auto", flat_max=1000).resolve(1001).index_type == "ivfpq"
    assert isinstance(create_vectors(32, AnnOptions("auto", flat_max=10), 5), VectorIndex)
    assert isinstance(create_vectors(32, AnnOptions("auto", flat_max=10), 50), AnnIndex)
    assert default_nlist(1_000_000) == 1024 and default_nlist(100_000) == 256


def test_bad_options_are_usage_errors():
    with pytest.raises(UsageError, match="index type"):
        AnnOptions("lsh").resolve(10)
    with pytest.raises(UsageError, match="does not divide"):
        create_vectors(30, AnnOptions("ivfpq", pq_m=8), 100)
    with pytest.raises(UsageError, match="shards"):
        AnnOptions("flat", shards=0).validate()
