"""The packaged e5-small engine: concurrent callers get the vectors a single caller gets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from medcite.embedding import E5SmallEmbedder

QUESTIONS = [
    "Does metformin cause lactic acidosis?", "Statins and muscle pain", "Aspirin after stroke",
    "Sepsis mortality in children", "Warfarin dosing in the elderly", "Asthma and inhaled steroids",
]


@pytest.mark.parametrize("instances", [1, 2])
def test_concurrent_queries_match_sequential(instances):
    emb = E5SmallEmbedder(instances=instances)
    ref = np.stack([emb.embed_query(q) for q in QUESTIONS])
    with ThreadPoolExecutor(6) as ex:
        got = np.stack(list(ex.map(emb.embed_query, QUESTIONS * 3)))
    assert got.shape == (18, 384) and got.dtype == np.float32
    np.testing.assert_allclose(got, np.concatenate([ref] * 3), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    docs = emb.embed_documents(QUESTIONS[:3])
    assert docs.shape == (3, 384) and emb.count_tokens(QUESTIONS[0]) > 5


def test_bad_instance_setting_is_one_line_error(monkeypatch):
    from medcite.errors import EmbedderError

    monkeypatch.setenv("MEDCITE_EMBED_INSTANCES", "two")
    with pytest.raises(EmbedderError, match="MEDCITE_EMBED_INSTANCES"):
        E5SmallEmbedder()
