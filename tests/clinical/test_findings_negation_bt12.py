"""Negation scope and vital-sign fixes of issue 15 (break-test 12): a negation negates its own
phrase only, a header colon does not swallow the "no" after it, one shown finding has one
status, and binary junk gives no vital sign."""

from __future__ import annotations

import random

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.vitals import read_vitals

# "right-sided weakness" is Hemiparesis (HP:0001269) since the break-test-12 lexicon additions
WEAK, SLURRED, APHASIA, FACIAL, FEVER, HTN = ("HP:0001269", "HP:0001350", "HP:0002427", "HP:0012799", "HP:0001945",
                                              "HP:0000822")
WIDENED, PNEUMOTHORAX, EFFUSION, STE, CHILLS, COUGH = ("HP:0034501", "HP:0002107", "HP:0002202", "HP:0012251",
                                                      "HP:0025143", "HP:0012735")
BRADYPNEA, TACHYPNEA = "HP:0046507", "HP:0002789"


def _status(text: str) -> dict[str, str]:
    return {f.concept_id: f.status for f in extract_findings(text).findings}


def test_a_negated_medication_does_not_negate_the_findings_after_the_comma():
    got = _status("72-year-old man with atrial fibrillation not on anticoagulation, sudden right-sided weakness "
                  "and slurred speech, expressive aphasia and right facial droop for 1 hour.")
    assert [got[c] for c in (WEAK, SLURRED, APHASIA, FACIAL)] == ["present"] * 4


@pytest.mark.parametrize("text, cid", [
    ("Atrial fibrillation, not anticoagulated, slurred speech since this morning.", SLURRED),
    ("No fever, sudden right-sided weakness.", WEAK),
])
def test_a_new_finding_list_after_a_comma_is_out_of_the_negation(text, cid):
    assert _status(text)[cid] == "present"


@pytest.mark.parametrize("text, cids", [
    ("No fever, chills or cough.", [FEVER, CHILLS, COUGH]),
    ("He is not febrile, coughing or short of breath.", [FEVER, COUGH]),
    ("Denies fever, chills, cough.", [FEVER, CHILLS, COUGH]),
])
def test_a_negated_finding_list_still_runs_over_commas(text, cids):
    got = _status(text)
    assert [got[c] for c in cids] == ["negated"] * len(cids)


@pytest.mark.parametrize("text, cid", [
    ("no widened mediastinum", WIDENED),
    ("Chest X-ray: no widened mediastinum, no pneumothorax.", WIDENED),
    ("Chest X-ray: no widened mediastinum, no pneumothorax.", PNEUMOTHORAX),
    ("CXR: no pleural effusion.", EFFUSION),
    ("ECG: no ST elevation.", STE),
    ("ECG: without ST elevation.", STE),
    ("ROS: denies fever.", FEVER),
])
def test_a_negation_after_a_header_colon_negates_what_follows(text, cid):
    assert _status(text)[cid] == "negated"


@pytest.mark.parametrize("text, cid", [("Fever: no.", FEVER), ("Cough: none\nFever: yes", COUGH)])
def test_a_postfix_mark_after_a_colon_still_negates_the_term_before(text, cid):
    assert _status(text)[cid] == "negated"


def test_a_concept_present_and_negated_is_shown_once_as_present():
    case = extract_findings("No history of chronic hypertension; booking BP 112/70. Vitals: BP 168/112 mmHg.")
    shown = [(f, others) for f, others in case.shown() if f.concept_id == HTN]
    assert len(shown) == 1
    kept, others = shown[0]
    assert kept.status == "present" and kept.via == "vital-range"
    assert [(o.text, o.status) for o in others] == [("hypertension", "negated")]
    assert sum("→ Hypertension" in line for line in case.mapping_lines()) == 1
    js = [f for f in case.to_json()["findings"] if f["concept_id"] == HTN]
    assert len(js) == 1 and js[0]["status"] == "present" and js[0]["also"][0]["status"] == "negated"


def test_a_concept_only_negated_stays_negated():
    case = extract_findings("No history of chronic hypertension. BP 118/76.")
    assert [(f.status, others) for f, others in case.shown() if f.concept_id == HTN] == [("negated", [])]


@pytest.mark.parametrize("path", ["j2", "junk.txt", "bin.dat"])
def test_binary_junk_of_the_break_test_gives_no_vital(path):
    import pathlib

    p = pathlib.Path("/tmp/bt12/bad") / path
    if not p.exists():
        pytest.skip("break-test 12 inputs not on this machine")
    assert read_vitals(p.read_bytes().decode("utf-8", "replace")) == []


def test_random_bytes_give_no_vital_sign():
    rng = random.Random(12)
    texts = [bytes(rng.randrange(256) for _ in range(400)).decode("utf-8", "replace") for _ in range(300)]
    assert [v for t in texts for v in read_vitals(t)] == []


@pytest.mark.parametrize("text", ["r\ufffd\ufffd]8", "R\x05\ufffd]7", "R:8", "r]8 and more"])
def test_a_one_letter_name_or_junk_between_name_and_value_is_no_respiratory_rate(text):
    assert read_vitals(text) == []


@pytest.mark.parametrize("text, cid", [("RR 8", BRADYPNEA), ("R 8/min", BRADYPNEA), ("resp 8", BRADYPNEA),
                                       ("respiratory rate of 28 breaths/min", TACHYPNEA), ("RR=30", TACHYPNEA),
                                       ("呼吸28次/分", TACHYPNEA), ("respirations (on arrival): 26/min", TACHYPNEA)])
def test_named_respiratory_rates_are_still_read(text, cid):
    assert [v.concept_id for v in read_vitals(text)] == [cid]


@pytest.mark.parametrize("text", ["发热39.5℃", "febrile to 102.3F", "(38.9 °C)", "39.5℃"])
def test_a_bare_temperature_after_a_word_or_mark_is_still_read(text):
    assert [v.concept_id for v in read_vitals(text)] == [FEVER]


def test_binary_junk_is_refused_with_a_clear_error():
    from medcite.errors import UsageError

    rng = random.Random(5)
    for _ in range(50):
        junk = bytes(rng.randrange(256) for _ in range(300)).decode("utf-8", "replace")
        with pytest.raises(UsageError, match="no clinical findings were recognised"):
            extract_findings(junk)


def test_a_stray_unreadable_character_in_a_real_note_is_tolerated():
    text = "Fever and productive cough for 3 days \ufffd crackles at the right base."
    assert FEVER in {f.concept_id for f in extract_findings(text).present()}
