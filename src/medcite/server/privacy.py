"""Mask obvious personal identifiers in free text before it is written to a log.

Only used when the server runs with ``--log-queries``; without it questions are never logged.
This is a best-effort safety net for *obvious* identifiers, not a de-identification tool
(names and addresses are not detected):

- e-mail addresses                                   → ``[EMAIL]``
- labelled record numbers (``MRN: 12345678``,
  ``medical record no. A-12345``, ``patient ID 998877``) → the label kept, the value ``[MRN]``
- full dates: ISO ``1980-03-12``, ``12/03/1980``, ``12.03.80``, ``12 March 1980``,
  ``March 12, 1980`` (any full date may be a date of birth) → ``[DATE]``
- US social-security-style numbers ``123-45-6789``   → ``[ID]``
- phone numbers (≥ 7 digits in groups: ``+1 (555) 123-4567``, ``020 7946 0958``) → ``[PHONE]``
- any other run of ≥ 7 digits (record or account numbers) → ``[ID]``

Clinical numbers are kept: ages (``65-year-old``), years alone (``in 2019``), doses, lab values
(``HbA1c 7.5%``, ``120/80 mmHg``, ``eGFR 45``).
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MRN = re.compile(
    r"(?i)\b(MRN|medical\s+record(?:\s+(?:number|no\.?|#))?|record\s+(?:number|no\.?|#)|"
    r"patient\s+(?:id|number|no\.?)|hospital\s+(?:number|no\.?)|NHS\s+(?:number|no\.?))"
    r"(\s*[:#]?\s*)([A-Z0-9][A-Z0-9-]{3,})"
)
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATES = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b"),  # 1980-03-12
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"),  # 12/03/1980, 12.03.80, 12-03-1980
    re.compile(rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}\b"),  # 12 March 1980
    re.compile(rf"(?i)\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"),  # March 12, 1980
]
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
# groups of digits joined by spaces, dots or dashes, optional +country code and (area code)
_PHONE = re.compile(r"(?<![\w/.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){1,4}(?![\w/]|\.\d)")
_LONG_DIGITS = re.compile(r"\b\d{7,}\b")


_UNIT = re.compile(r"\s*(?:mg|g|mcg|µg|ug|ng|ml|l|kg|mmol|µmol|umol|iu|units?|u|%|mmhg|cells|copies|days?|weeks?|months?|years?|patients?)\b|\s*[%/]", re.IGNORECASE)


def _phone(m: re.Match) -> str:
    s = m.group(0)
    if sum(ch.isdigit() for ch in s) < 7 or _UNIT.match(m.string, m.end()):
        return s  # too short, or a quantity range such as "500-1000 mg"
    return "[PHONE]"


def mask_identifiers(text: str) -> str:
    """Return ``text`` with e-mails, record numbers, full dates, phone numbers and long digit
    runs replaced by placeholders (see the module docstring for the exact rules).

    Args:
        text: any string (a question, findings).

    Returns:
        the masked string; text without identifiers comes back unchanged.
    """
    if not text:
        return text
    out = _EMAIL.sub("[EMAIL]", text)
    out = _MRN.sub(lambda m: f"{m.group(1)}{m.group(2)}[MRN]", out)
    for pat in _DATES:
        out = pat.sub("[DATE]", out)
    out = _SSN.sub("[ID]", out)
    out = _PHONE.sub(_phone, out)
    out = _LONG_DIGITS.sub("[ID]", out)
    return out
