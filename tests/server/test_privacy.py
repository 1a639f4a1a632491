"""mask_identifiers: obvious identifiers masked, clinical numbers kept."""

from __future__ import annotations

import pytest

from medcite.privacy import mask_identifiers


@pytest.mark.parametrize(
    "text,expected",
    [
        ("write to jane.doe+work@example.co.uk today", "write to [EMAIL] today"),
        ("MRN: 00123456, seen twice", "MRN: [MRN], seen twice"),
        ("medical record number A-99812 and patient ID 5566", "medical record number [MRN] and patient ID [MRN]"),
        ("DOB 1980-03-12", "DOB [DATE]"),
        ("born 12/03/1980, admitted 3.4.21", "born [DATE], admitted [DATE]"),
        ("born 3 March 1980 or March 3rd, 1980", "born [DATE] or [DATE]"),
        ("call +1 (555) 123-4567 or 020 7946 0958", "call [PHONE] or [PHONE]"),
        ("phone 555.123.4567.", "phone [PHONE]."),
        ("SSN 123-45-6789", "SSN [ID]"),
        ("account 12345678", "account [ID]"),
    ],
)
def test_identifiers_are_masked(text, expected):
    assert mask_identifiers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "65-year-old man, HbA1c 7.5%, BP 120/80 mmHg, eGFR 45, troponin 0.04 ng/mL",
        "metformin 500-1000 mg twice daily for 12 weeks in 2019",
        "a cohort of 1200-3400 patients followed for 5 years",
        "Is aspirin (75 mg) useful for primary prevention after age 70?",
        "",
    ],
)
def test_clinical_text_is_kept(text):
    assert mask_identifiers(text) == text


def test_mixed():
    out = mask_identifiers("72-year-old, MRN 7788990, email a.b@c.org, DOB 01/02/1950, creatinine 1.4 mg/dL")
    assert out == "72-year-old, MRN [MRN], email [EMAIL], DOB [DATE], creatinine 1.4 mg/dL"
