"""Age and sex of the patient as stated in a case text: ``"a 34-year-old woman"``,
``"45 yo M"``, ``"8-month-old boy"``, ``"男，45岁"``, ``"mujer de 62 años"``."""

from __future__ import annotations

import re

_AGE = [
    (re.compile(r"(?i)\b(\d{1,3})[- ]?(?:year|yr)s?[- ]old\b"), 1.0),
    (re.compile(r"(?i)\b(\d{1,3})[- ]?(?:month)s?[- ]old\b"), 1 / 12),
    (re.compile(r"(?i)\b(\d{1,3})[- ]?(?:week)s?[- ]old\b"), 1 / 52),
    (re.compile(r"(?i)\b(\d{1,3})\s*(?:yo|y/o|y\.o\.|yrs?|yoa)(?![a-z])"), 1.0),
    (re.compile(r"(?i)\b(?:aged?|edad(?:\s+de)?)\s*:?\s*(\d{1,3})\b"), 1.0),
    (re.compile(r"(?i)\b(\d{1,3})\s*años\b"), 1.0),
    (re.compile(r"(\d{1,3})\s*(?:岁|周岁)"), 1.0),
    (re.compile(r"(?i)\b(\d{1,3})\s*(?:M|F)\b(?!\s*(?:mg|ml|mmol|/))"), 1.0),
]
_FEMALE = re.compile(r"(?i)\b(?:woman|women|female|girl|lady|mujer|femenina|femenino|niña|señora|paciente\s+femenina)\b|"
                     r"\b\d{1,3}\s*(?:yo|y/o|year[- ]old)?\s*F\b|(?<![儿子])女(?![儿友朋方])")
_MALE = re.compile(r"(?i)\b(?:man|men|male|boy|gentleman|hombre|varón|varon|masculino|niño|señor)\b|"
                   r"\b\d{1,3}\s*(?:yo|y/o|year[- ]old)?\s*M\b|(?<![儿子])男(?![儿友朋方])")
_SHE = re.compile(r"(?i)\b(?:she|her|hers|ella)\b")
_HE = re.compile(r"(?i)\b(?:he|him|his|él)\b")


def read_age(text: str) -> float | None:
    """Age in years (months and weeks as fractions) of the first stated age, else None."""
    best: tuple[int, float] | None = None
    for pat, scale in _AGE:
        m = pat.search(text)
        if m and 0 < int(m.group(1)) <= 120 and (best is None or m.start() < best[0]):
            best = (m.start(), round(int(m.group(1)) * scale, 2))
    return best[1] if best else None


def read_sex(text: str) -> str | None:
    """``"female"`` or ``"male"`` from the first sex word (``woman``, ``M``, ``女``), else from
    the pronouns used (more *she/her* than *he/his*), else None."""
    f, m = _FEMALE.search(text), _MALE.search(text)
    if f or m:
        if f and (not m or f.start() < m.start()):
            return "female"
        return "male"
    she, he = len(_SHE.findall(text)), len(_HE.findall(text))
    if she != he:
        return "female" if she > he else "male"
    return None
