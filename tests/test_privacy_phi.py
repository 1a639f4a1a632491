"""PHI masking of case notes (issue 15 part 6): planted identifiers of every kind are masked
and counted; clinical content is kept."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.privacy import mask_identifiers, mask_phi

NOTE = (
    "Patient: Maria Garcia, DOB: 14 March 1962, MRN 00482913. Seen on 3/12 by Dr. Alan O'Neil.\n"
    "Address: 42 Elm Street, Springfield, IL 62704\n"
    "Phone (555) 201-7788, email maria.g@example.com. Her son Mr. John Smith called on 2024-03-15.\n"
    "The patient John Doe presents with fever 39.2 °C, productive cough and platelets 45,000/mm3; "
    "BP 84/52 mm Hg. Lives at 221B Baker Street, London NW1 6XE.\n"
    "患者姓名：张伟，2024年3月12日就诊，发热三天。"
)
PLANTED = ["Maria", "Garcia", "14 March 1962", "00482913", "3/12", "Alan", "O'Neil", "42 Elm Street", "Springfield",
           "62704", "201-7788", "maria.g@example.com", "John Smith", "2024-03-15", "John Doe", "221B Baker",
           "NW1 6XE", "张伟", "2024年3月12日"]


def test_every_planted_identifier_is_masked_and_counted():
    masked, counts = mask_phi(NOTE)
    for ident in PLANTED:
        assert ident not in masked, ident
    assert counts == {"email": 1, "record": 1, "address": 2, "date": 4, "phone": 1, "name": 5}
    assert "Patient: [NAME]" in masked and "Dr. [NAME]" in masked and "Mr. [NAME]" in masked
    assert mask_identifiers(NOTE) == masked


def test_clinical_content_survives_masking():
    masked, _ = mask_phi(NOTE)
    for kept in ("fever 39.2 °C", "productive cough", "platelets 45,000/mm3", "BP 84/52 mm Hg", "发热三天"):
        assert kept in masked
    # and the findings read from the masked note are those of the original
    assert extract_findings(masked).present_ids() == extract_findings(NOTE).present_ids()


@pytest.mark.parametrize(
    "text,masked,kind",
    [
        ("seen by Dr Smith today", "seen by Dr [NAME] today", "name"),
        ("Mrs. Lee-Wong reports chest pain", "Mrs. [NAME] reports chest pain", "name"),
        ("patient named Ana Torres", "patient named [NAME]", "name"),
        ("Name: Peter Parker", "Name: [NAME]", "name"),
        ("date of birth: 03/1975", "date of birth: [DATE]", "date"),
        ("admitted on 12 Jan", "admitted on [DATE]", "date"),
        ("lives at 12 Oak Ave, Apt 4, Boston, MA 02118", "lives at [ADDRESS]", "address"),
        ("from 7 Park Road today", "from [ADDRESS] today", "address"),
    ],
)
def test_single_kinds(text, masked, kind):
    out, counts = mask_phi(text)
    assert out == masked
    assert counts == {kind: 1}


@pytest.mark.parametrize(
    "text",
    [
        "A 34-year-old woman with fever, BP 150/92 mm Hg and Hb 8.5 g/dL",
        "The patient presents with productive cough. Patient denies chest pain.",
        "Dr. visit was uneventful; the patient was discharged in 2019",
        "Platelet count 45,000/mm3; creatinine 2.1 mg/dL; pulse 112/min",
        "Patient States she has had fever. Patient Denies chest pain. Patient Summary: stable.",
        "",
    ],
)
def test_clinical_text_is_untouched(text):
    assert mask_phi(text) == (text, {})
