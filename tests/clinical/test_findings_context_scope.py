"""ConText scope fixes of issue 15: a negation that compares the finding with the present one
is no negation, and a relative who brings the patient or tells the story is not the experiencer."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings

HEADACHE, PAIN, VOMIT, ABDO, FEVER, RASH, ASTHMA, HTN = ("HP:0002315", "HP:0012531", "HP:0002013", "HP:0002027",
                                                        "HP:0001945", "HP:0000988", "HP:0002099", "HP:0000822")


def _status(text: str) -> dict[str, str]:
    return {f.concept_id: f.status for f in extract_findings(text).findings}


@pytest.mark.parametrize("text, cid", [
    ("She has never had headaches like this before.", HEADACHE),
    ("He says he has never had pain like this.", PAIN),
    ("Sudden headache, the worst of her life; she has never had a headache like it.", HEADACHE),
    ("She has never had such a severe headache.", HEADACHE),
    ("Nunca había tenido un dolor de cabeza así.", HEADACHE),
    ("从未有过这样的头痛。", HEADACHE),
])
def test_a_negation_compared_with_the_present_complaint_leaves_it_present(text, cid):
    assert _status(text)[cid] == "present"


@pytest.mark.parametrize("text, cid", [
    ("She has never had migraines.", "HP:0002076"),
    ("No headache, no fever, never had chest pain before.", HEADACHE),
    ("Denies headache.", HEADACHE),
    ("无头痛。", HEADACHE),
])
def test_plain_negations_still_negate(text, cid):
    assert _status(text)[cid] == "negated"


@pytest.mark.parametrize("text, cids", [
    ("Brought in by his mother with 2 days of vomiting and abdominal pain.", [VOMIT, ABDO]),
    ("A 6-year-old boy is brought in by his mother with fever and a rash.", [FEVER, RASH]),
    ("A 3-year-old girl is brought to the emergency department by her parents because of fever and vomiting.", [FEVER, VOMIT]),
    ("Accompanied by his father, he has abdominal pain and vomiting.", [ABDO, VOMIT]),
    ("According to his mother, he has vomiting and fever.", [VOMIT, FEVER]),
    ("His mother noticed a rash on his legs.", [RASH]),
    ("Niño traído por su madre con fiebre y vómitos.", [FEVER, VOMIT]),
    ("母亲代诉患儿发热、呕吐3天。", [FEVER, VOMIT]),
])
def test_a_relative_who_brings_or_reports_is_not_the_experiencer(text, cids):
    got = _status(text)
    assert [got[c] for c in cids] == ["present"] * len(cids)


@pytest.mark.parametrize("text, cid", [
    ("His mother has asthma; he has wheezing.", ASTHMA),
    ("Family history of hypertension.", HTN),
    ("His father had hypertension.", HTN),
    ("Su madre tiene hipertensión.", HTN),
    ("母亲有高血压病史。", HTN),
])
def test_the_relatives_own_findings_stay_family_history(text, cid):
    assert _status(text)[cid] == "family"
