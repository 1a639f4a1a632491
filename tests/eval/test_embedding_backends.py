"""Embedder backends (ONNX Runtime, int8, OpenVINO) on a tiny random sentence-transformers
model made here: same vectors as torch, cached exports, clear errors. No download."""

from __future__ import annotations

import numpy as np
import pytest

from medcite.errors import EmbedderError

pytest.importorskip("onnxruntime")
pytest.importorskip("sentence_transformers")

WORDS = ["the", "a", "of", "and", "in", "to", "with", "was", "were", "is", "for", "statin", "statins", "aspirin", "metformin", "trial", "patients", "risk", "death", "stroke", "reduced", "increased", "dose", "kidney"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A 2-layer, 32-d BERT with a word-level vocabulary, saved as a sentence-transformers dir."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    d = tmp_path_factory.mktemp("tiny")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"] + list("abcdefghijklmnopqrstuvwxyz.,")
    (d / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tok = BertTokenizerFast(vocab_file=str(d / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    hf = d / "hf"
    BertModel(cfg).save_pretrained(hf)
    tok.save_pretrained(hf)
    word = models.Transformer(str(hf), max_seq_length=24)
    st = SentenceTransformer(modules=[word, models.Pooling(32, "mean"), models.Normalize()], device="cpu")
    out = d / "st"
    st.save(str(out))
    return out


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One export cache for the module (each export is done once and reused)."""
    d = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("MEDCITE_CACHE_DIR", str(d))
    yield d
    mp.undo()


TEXTS = ["statins reduced death in patients", "aspirin", "metformin dose and kidney risk " * 6, "", "stroke trial"]


def _torch_vectors(model_dir):
    from medcite.embedding import SentenceTransformerEmbedder

    e = SentenceTransformerEmbedder(str(model_dir))
    return e, e.embed_documents(TEXTS), e.embed_query("aspirin and stroke")


@pytest.mark.parametrize("backend,min_cos", [("onnx", 0.99999), ("openvino", 0.9999), ("int8", 0.9)])
def test_backend_vectors_match_torch(tiny_model, cache, backend, min_cos):
    if backend == "openvino":
        pytest.importorskip("openvino")
    from medcite.embedding.backends import ExportedEmbedder

    ref, R, rq = _torch_vectors(tiny_model)
    e = ExportedEmbedder(str(tiny_model), backend)
    V = e.embed_documents(TEXTS)
    assert V.shape == R.shape and V.dtype == np.float32
    assert np.allclose(np.linalg.norm(V, axis=1), 1.0, atol=1e-5)
    assert (V * R).sum(axis=1).min() >= min_cos
    assert float(e.embed_query("aspirin and stroke") @ rq) >= min_cos
    # truncation: the long text is cut at max_seq_length, like sentence-transformers
    assert e.max_tokens == ref.max_tokens == 24
    assert e.count_tokens(TEXTS[2]) == ref.count_tokens(TEXTS[2]) > 24


def test_export_is_cached_and_reused(tiny_model, cache, monkeypatch):
    from medcite.embedding import backends as eb

    e1 = eb.ExportedEmbedder(str(tiny_model), "onnx")  # exported by an earlier test or now
    meta = next(cache.glob("embedders/*/meta.json"))
    stamp = meta.stat().st_mtime_ns

    def boom(*a, **k):
        raise AssertionError("exported twice")

    monkeypatch.setattr(eb, "_export_onnx", boom)
    e2 = eb.ExportedEmbedder(str(tiny_model), "onnx")
    assert meta.stat().st_mtime_ns == stamp
    assert np.allclose(e1.embed_query("statins"), e2.embed_query("statins"))


def test_names_and_errors(tiny_model, cache):
    from medcite.embedding import get_embedder
    from medcite.embedding.backends import split_name, with_backend

    assert split_name("minilm@int8") == ("minilm", "int8") and split_name("minilm") == ("minilm", "torch")
    assert with_backend("minilm", "onnx") == "minilm@onnx" and with_backend("minilm@onnx", "torch") == "minilm"
    with pytest.raises(EmbedderError, match="unknown embedder backend"):
        split_name("minilm@tpu")
    with pytest.raises(EmbedderError, match="sentence-transformers"):
        with_backend("e5-small", "onnx")
    with pytest.raises(EmbedderError, match="local sentence-transformers directory"):
        get_embedder(str(cache / "not-a-model") + "@onnx")
    e = get_embedder(f"{tiny_model}@onnx")
    assert e.name == f"{tiny_model}@onnx" and e.dim == 32


def test_index_build_with_embedder_backend(tiny_model, cache, tmp_path):
    import json

    from typer.testing import CliRunner

    from medcite.cli import app

    runner = CliRunner()
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"pmid": str(i), "title": t, "sections": [{"label": "ABSTRACT", "text": t + " in patients"}]}) + "\n"
                            for i, t in enumerate(["statins reduced death", "aspirin and stroke risk", "metformin dose and kidney"], start=1)))
    ix = tmp_path / "ix"
    r = runner.invoke(app, ["index", "build", str(docs), "--index", str(ix), "--embedder", str(tiny_model), "--embedder-backend", "onnx", "-q"])
    assert r.exit_code == 0, r.output
    info = json.loads(runner.invoke(app, ["index", "info", "--index", str(ix), "--json"]).stdout)
    assert info["embedder"]["name"] == f"{tiny_model}@onnx" and info["counts"]["documents"] == 3
    s = runner.invoke(app, ["search", "aspirin stroke", "--index", str(ix), "--json", "-k", "1"])
    assert s.exit_code == 0, s.output
    assert json.loads(s.stdout)["passages"][0]["doc_id"] == "PMID:2"
    r = runner.invoke(app, ["index", "build", str(docs), "--index", str(tmp_path / "ix2"), "--embedder", "hashing", "--embedder-backend", "int8"])
    assert r.exit_code != 0 and "sentence-transformers" in r.output and "Traceback" not in r.output



def test_query_runtime_gives_torch_vectors_and_fits_a_torch_index(tiny_model, cache, tmp_path):
    from medcite.config import Settings
    from medcite.documents import Document, Section
    from medcite.embedding import SentenceTransformerEmbedder
    from medcite.embedding.backends import QueryRuntimeEmbedder
    from medcite.embedding.registry import serving_embedder
    from medcite.index.writer import IndexWriter
    from medcite.service import Medcite

    torch_emb, docs_t, query_t = _torch_vectors(tiny_model)
    e = serving_embedder(str(tiny_model), "onnx")
    assert isinstance(e, QueryRuntimeEmbedder) and e.name == torch_emb.name and e.dim == torch_emb.dim
    q = e.embed_query("aspirin and stroke")
    assert q.dtype == np.float32 and q.shape == (32,) and float(q @ query_t) > 0.99999
    assert np.allclose(e.embed_documents(TEXTS), docs_t, atol=1e-6)  # documents stay on torch
    assert e.count_tokens("aspirin") == torch_emb.count_tokens("aspirin")

    # an index built with torch serves queries through the export, same ranking
    docs = [Document(id=f"PMID:{i}", title="", sections=[Section("", t)]) for i, t in enumerate(TEXTS[:3] + TEXTS[4:], start=1)]
    IndexWriter(tmp_path / "ix", SentenceTransformerEmbedder(str(tiny_model))).build(docs)
    for backend in ("torch", "onnx", "auto"):
        svc = Medcite(Settings(index=str(tmp_path / "ix"), query_backend=backend))
        assert (svc.embedder_for_index().__class__ is QueryRuntimeEmbedder) == (backend != "torch")
        hits = svc.search("aspirin", top_k=4, mode="dense")
        assert [p.doc_id for p in hits][0] == "PMID:2"


def test_serving_embedder_choices_and_errors(tiny_model, cache):
    from medcite.embedding import HashingEmbedder
    from medcite.embedding.registry import serving_embedder

    assert isinstance(serving_embedder("hashing", "auto"), HashingEmbedder)  # not a sentence-transformers model: as is
    assert serving_embedder(str(tiny_model), "torch").__class__.__name__ == "SentenceTransformerEmbedder"
    with pytest.raises(EmbedderError, match="would change the vectors"):
        serving_embedder(str(tiny_model), "int8")
    with pytest.raises(EmbedderError, match="unknown query backend"):
        serving_embedder(str(tiny_model), "tpu")


def test_loading_a_model_draws_no_progress_bar(tiny_model, capfd):
    """transformers draws a "Loading weights" bar per load; CLI output and server logs stay clean."""
    from transformers.utils import logging as hf_logging

    from medcite.embedding import SentenceTransformerEmbedder

    hf_logging.enable_progress_bar()
    capfd.readouterr()
    SentenceTransformerEmbedder(str(tiny_model)).embed_query("aspirin")
    out, err = capfd.readouterr()
    assert "Loading weights" not in out + err
