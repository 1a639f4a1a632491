"""Sharded vector indexes: merged results equal one index's; routing by hash and by year."""

from __future__ import annotations

import numpy as np
import pytest

from medcite.errors import UsageError
from medcite.index.ann import AnnOptions
from medcite.index.factory import create_vectors, load_vectors, manifest_fields
from medcite.index.shards import ShardedVectorIndex, shard_of_ids, shard_of_years
from medcite.index.vectors import VectorIndex

from tests.scale.scale_vectors import clustered


def test_flat_shards_merge_to_the_single_index_result(tmp_path, vecs):
    ids, x = vecs
    single = VectorIndex.new(32)
    single.add(ids, x)
    sharded = create_vectors(32, AnnOptions("flat", shards=3), len(ids))
    assert isinstance(sharded, ShardedVectorIndex) and len(sharded.shards) == 3
    sharded.add(ids, x)
    assert sharded.ntotal == len(ids) and min(s.ntotal for s in sharded.shards) > 800  # even split
    allowed = ids[::3]
    for q in clustered(20, seed=42):
        d1, i1 = single.search(q, 10)
        d2, i2 = sharded.search(q, 10)
        assert np.array_equal(i1, i2) and np.allclose(d1, d2)
        d1, i1 = single.search(q, 10, allowed)
        d2, i2 = sharded.search(q, 10, allowed)
        assert np.array_equal(i1, i2) and np.allclose(d1, d2)
    sharded.save_into(tmp_path)
    assert sorted(p.name for p in (tmp_path / "vectors").iterdir()) == ["shard-000.faiss", "shard-001.faiss", "shard-002.faiss"]
    loaded = load_vectors(tmp_path, manifest_fields(sharded)["vector_params"])
    q = x[11]
    assert np.array_equal(loaded.search(q, 10)[1], single.search(q, 10)[1])
    assert np.allclose(loaded.reconstruct(int(ids[11])), x[11])


def test_sharded_deletes_reach_the_owning_shard(vecs):
    ids, x = vecs
    sharded = create_vectors(32, AnnOptions("hnsw", shards=2, hnsw_m=16), len(ids))
    sharded.add(ids, x)
    assert sharded.remove(ids[:40]) == 40
    assert sharded.ntotal == len(ids) - 40
    assert not np.isin(sharded.search(x[0], 10)[1], ids[:40]).any()
    assert manifest_fields(sharded)["vector_params"]["tombstones"] == 40


def test_hash_routing_is_stable_and_even():
    ids = np.arange(100_000, dtype=np.int64)
    a = shard_of_ids(ids, 4)
    assert np.array_equal(a, shard_of_ids(ids, 4))
    counts = np.bincount(a, minlength=4)
    assert counts.min() > 0.95 * counts.max()


def test_year_routing_by_bounds(vecs):
    ids, x = vecs
    years = np.where(np.arange(len(ids)) % 3 == 0, 1995, np.where(np.arange(len(ids)) % 3 == 1, 2008, 2021))
    assert shard_of_years(np.array([0, 1999, 2000, 2014, 2015, 2030]), [2000, 2015]).tolist() == [0, 0, 1, 1, 2, 2]
    s = ShardedVectorIndex.create(32, AnnOptions("flat", shards=3, shard_by="year"), len(ids), year_bounds=[2000, 2015])
    s.add(ids, x, keys=years)
    assert [sh.ntotal for sh in s.shards] == [int((years == y).sum()) for y in (1995, 2008, 2021)]
    single = VectorIndex.new(32)
    single.add(ids, x)
    assert np.array_equal(s.search(x[5], 10)[1], single.search(x[5], 10)[1])
    assert s.remove(ids[:9]) == 9
    with pytest.raises(UsageError, match="year bounds"):
        ShardedVectorIndex([VectorIndex.new(32)] * 3, AnnOptions("flat", shards=3, shard_by="year"), [2000])
