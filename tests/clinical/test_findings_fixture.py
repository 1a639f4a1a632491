"""The hand-checked fixture (tests/fixtures/findings_cases.jsonl): precision and recall of
present findings ≥ 0.9, and a denied fever is never present."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from medcite.clinical.findings import extract_findings

ROOT = Path(__file__).resolve().parents[2]
CASES = [json.loads(line) for line in (ROOT / "tests/fixtures/findings_cases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _evaluate(embedder=None) -> dict:
    spec = importlib.util.spec_from_file_location("eval_findings", ROOT / "scripts" / "eval_findings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.evaluate(embedder, verbose=False)


def test_fixture_is_large_and_varied_enough():
    assert len(CASES) >= 40
    texts = " ".join(c["text"] for c in CASES)
    for needle in ("no ", "denies", "mg/dL", "/mm3", "°C", "mm Hg", "无", "否认", "sin ", "niega"):
        assert needle in texts
    for c in CASES:
        assert not set(c["present"]) & set(c["negated"])


def test_precision_and_recall_of_present_findings():
    res = _evaluate()
    assert res["precision"] >= 0.9
    assert res["recall"] >= 0.9
    assert res["negated_recall"] >= 0.9


@pytest.mark.parametrize("text", [c["text"] for c in CASES if "HP:0001945" in c["negated"]]
                         + ["no fever", "No fever.", "no fevers or chills", "fever: none", "afebrile", "无发热", "sin fiebre"])
def test_a_denied_fever_is_never_present(text):
    assert "HP:0001945" not in extract_findings(text).present_ids()


@pytest.mark.slow
def test_precision_and_recall_with_the_real_embedder():
    res = _evaluate("e5-small")
    assert res["precision"] >= 0.9 and res["recall"] >= 0.9
