"""Age, sex and pregnancy of the patient as stated in a case text: ``"a 34-year-old woman"``,
``"45 yo M"``, ``"8-month-old boy"``, ``"男，45岁"``, ``"mujer de 62 años"``; ``"G1P0 at 34 weeks'
gestation"``, ``"孕34周"``, ``"embarazada de 34 semanas"``. A pregnancy is context (like age and
sex), not a finding: no candidate has to explain it."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


_WEEKS = r"(\d{1,2})(?:\s*\+\s*\d|\s*(?:and\s+)?\d/7)?"
#: a pregnancy stated with its gestational age (weeks), in English, Spanish and Chinese
_PREGNANT_WEEKS = [
    re.compile(rf"(?i)\b{_WEEKS}\s*(?:weeks?|wks?)['’]?\s*(?:of\s+)?(?:gestation(?:al age)?|pregnan(?:t|cy)|GA)\b"),
    re.compile(rf"(?i)\bG\d{{1,2}}\s*P\d{{1,2}}(?:[\d-]*)?,?\s*(?:at|of|,)?\s*{_WEEKS}\s*(?:weeks?|wks?)\b"),
    re.compile(rf"(?i)\b(?:gestational age|GA)\s*(?:of|:|=)?\s*{_WEEKS}\s*(?:weeks?|wks?)\b"),
    re.compile(rf"(?i)\bpregnant\s*(?:at|with|,)?\s*{_WEEKS}\s*(?:weeks?|wks?)\b"),
    re.compile(rf"(?i)\b(?:embarazada|gestante)\s+de\s+{_WEEKS}\s*semanas\b"),
    re.compile(rf"(?i)\b{_WEEKS}\s*semanas\s+de\s+(?:gestaci[oó]n|embarazo|amenorrea)\b"),
    re.compile(rf"(?i)\b(?:gestaci[oó]n|embarazo)\s+de\s+{_WEEKS}\s*semanas\b"),
    re.compile(rf"(?:孕|妊娠|怀孕){_WEEKS}\s*周"),
]
#: a pregnancy stated without the weeks ("a pregnant woman", "está embarazada", "孕妇")
_PREGNANT = re.compile(r"(?i)\b(?:pregnant|embarazada|gestante)\b|孕妇|妊娠期|怀孕")
_NOT_PREGNANT = re.compile(r"(?i)(?:\b(?:not|no|non|denies|niega|sin|never|nunca)\b[\s\w-]{0,12}|非|未|否认|无)$")


@dataclass(frozen=True)
class Pregnancy:
    """A pregnancy stated in the case: the span as written and the gestational age in
    completed weeks (None when not stated)."""

    text: str
    start: int
    end: int
    weeks: int | None

    def describe(self) -> str:
        """``"pregnant, 34 weeks' gestation"`` or ``"pregnant"``."""
        return f"pregnant, {self.weeks} weeks' gestation" if self.weeks is not None else "pregnant"

    def to_json(self) -> dict:
        """``{"text", "start", "end", "weeks"}``."""
        return {"text": self.text, "start": self.start, "end": self.end, "weeks": self.weeks}


def read_pregnancy(text: str) -> Pregnancy | None:
    """The first pregnancy stated in ``text`` (module docstring), else None; a negated mention
    (``"not pregnant"``, ``"niega embarazo"``, ``"否认怀孕"``) is not one, nor is a gestational age
    outside 1-45 weeks."""
    found = []
    for pat in _PREGNANT_WEEKS:
        for m in pat.finditer(text):
            if 1 <= int(m.group(1)) <= 45:
                found.append(Pregnancy(m.group(0), m.start(), m.end(), int(m.group(1))))
                break
    if found:
        return min(found, key=lambda p: p.start)
    for m in _PREGNANT.finditer(text):
        if not _NOT_PREGNANT.search(text[max(0, m.start() - 20):m.start()]):
            return Pregnancy(m.group(0), m.start(), m.end(), None)
    return None
