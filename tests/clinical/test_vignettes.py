"""The hand-written case presentations of ``tests/fixtures/vignettes.json`` (issue 15, item 3):
the fixture's shape, and what their findings extraction must get right — vitals, lab tables with
units (blood and CSF), negations, "previous …" history, sites. ``scripts/eval_vignettes.py`` ranks
them on a real index; these tests need none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.clinical.differential import _uncovered_pieces
from medcite.clinical.findings import extract_findings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vignettes.json"
CASES = {c["id"]: c for c in json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]}


def _status(case_id: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in extract_findings(CASES[case_id]["text"]).findings:
        out.setdefault(f.label, f.status)
    return out


def test_fixture_shape():
    assert len(CASES) >= 12
    for c in CASES.values():
        assert c["text"] and c["diagnosis"] and c["synonyms"] and len(c["distractors"]) == 2
        assert c["diagnosis"] not in c["distractors"]
    assert len({c["diagnosis"] for c in CASES.values()}) == len(CASES)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_every_vignette_yields_findings_and_no_negated_one_as_present(case_id):
    case = extract_findings(CASES[case_id]["text"])
    assert case.present()
    assert not {f.concept_id for f in case.present()} & {f.concept_id for f in case.findings if f.status == "negated"}


def test_negations_and_history_in_vignettes():
    s = _status("appendicitis")
    assert s["Diarrhea"] == "negated" and s["Dysuria"] == "negated" and s["Fever"] == "present"
    assert _status("cholecystitis")["Jaundice"] == "negated"
    hf = _status("heart_failure")  # "with a previous myocardial infarction has had … dyspnea for 3 weeks"
    assert hf["Myocardial infarction"] == "historical" and hf["Dyspnea"] == "present"


def test_lab_tables_vitals_and_csf_in_vignettes():
    dka = _status("dka")
    assert {"Metabolic acidosis", "Acidosis", "Ketonuria", "Hyperglycemia", "Tachycardia"} <= {k for k, v in dka.items() if v == "present"}
    mening = _status("meningitis")
    assert {"CSF pleocytosis", "Increased CSF protein concentration", "Hypoglycorrhachia", "Fever"} <= set(mening)
    assert "Hypoglycemia" not in mening  # CSF glucose 22 mg/dL is not blood glucose
    iron = _status("iron_deficiency")
    assert {"Decreased mean corpuscular volume", "Decreased circulating ferritin concentration", "Anemia"} <= set(iron)


def test_site_kept_in_vignettes():
    pain = next(f for f in extract_findings(CASES["appendicitis"]["text"]).present() if f.label == "Abdominal pain")
    assert pain.location == "right lower quadrant"  # "began around the umbilicus and moved to the right lower quadrant"
    ruq = next(f for f in extract_findings(CASES["cholecystitis"]["text"]).present() if "pain" in f.label.lower())
    assert ruq.location == "right upper quadrant"  # not "right shoulder", where it radiates


def test_headers_and_denials_are_not_literature_pieces():
    text = "She denies vaginal discharge. Laboratory studies:\nfruity odor"
    assert _uncovered_pieces(text, [], "en") == ["fruity odor"]
