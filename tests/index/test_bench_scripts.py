"""The benchmark scripts' input generators produce what they claim (small sizes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.conftest import SAMPLES

import pytest

from medcite.readers import FileReport, read_documents

REPO = Path(__file__).resolve().parents[2]


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stream_generator_makes_distinct_real_records(tmp_path):
    if not (SAMPLES / "pubmed_xml").exists():
        pytest.skip("../shared/samples is not present")
    gen = load("bench_stream_memory")
    path = tmp_path / "synthetic.xml.gz"
    gen.generate(path, 120)
    rep = FileReport(str(path))
    docs = list(read_documents(path, rep))
    assert len(docs) + len(rep.skipped) == 120 and len(docs) > 100
    assert len({d.id for d in docs}) == len(docs) and all(d.pmid.startswith("80000") for d in docs)
    assert len(rep.deleted) == 100 and len({d.title for d in docs}) > 20
