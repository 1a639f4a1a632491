"""Mask obvious personal identifiers (protected health information) in free text before it is
written to a log or sent off the machine.

Used when the server runs with ``--log-queries`` (without it questions are never logged) and
before case text goes to a remote language model. This is a best-effort safety net for
*obvious* identifiers — the HIPAA Safe Harbor kinds that case notes carry (45 CFR
164.514(b)(2): names, addresses, dates, phone numbers, e-mails, record numbers) — not a
certified de-identification tool: a name that stands alone without a title or a ``patient``
label is not detected.

- e-mail addresses                                   → ``[EMAIL]``
- labelled record numbers (``MRN: 12345678``,
  ``medical record no. A-12345``, ``patient ID 998877``) → the label kept, the value ``[MRN]``
- full dates: ISO ``1980-03-12``, ``12/03/1980``, ``12.03.80``, ``12 March 1980``,
  ``March 12, 1980`` (any full date may be a date of birth) → ``[DATE]``
- US social-security-style numbers ``123-45-6789``   → ``[ID]``
- phone numbers (≥ 7 digits in groups: ``+1 (555) 123-4567``, ``020 7946 0958``) → ``[PHONE]``
- any other run of ≥ 7 digits (record or account numbers) → ``[ID]``
- labelled dates (``DOB: March 1980``, ``date of visit 3/12``, ``seen on 12 Jan``) and Chinese
  dates (``2024年3月12日``) → ``[DATE]``
- street addresses (``221B Baker Street, London NW1 6XE``, ``12 Oak Ave, Apt 4, Springfield,
  IL 62704``), labelled ones (``Address: …`` to the end of the line) and UK postcodes → ``[ADDRESS]``
- names after a title (``Mr. John Smith``, ``Dr O'Neil``, ``Mrs Lee``), after ``patient``
  (``patient John Smith``, ``Patient: Maria Garcia``) or a ``Name:`` label, and Chinese names
  after ``姓名：`` → the title kept, the name ``[NAME]``

:func:`mask_phi` also counts the masks by kind (``{"name": 2, "date": 1}``) so a front end can
say what it masked.

Clinical numbers are kept: ages (``65-year-old``), years alone (``in 2019``), doses, lab values
(``HbA1c 7.5%``, ``120/80 mmHg``, ``eGFR 45``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

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


_DATE_LABEL = (r"(?i)\b(DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|date\s+of\s+(?:visit|admission|discharge|service)|"
               r"visit\s+date|admission\s+date|discharge\s+date|admitted\s+on|discharged\s+on|seen\s+on|visited\s+on)")
_LABELLED_DATE = re.compile(
    _DATE_LABEL + rf"(\s*[:#]?\s*)((?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?(?:,?\s+\d{{2,4}})?)|"
    rf"(?:{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)|(?:{_MONTHS}\.?\s+\d{{4}})|"
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)|(?:\d{1,2}[/.-]\d{4})|(?:\d{4}))(?![\w/-])"
)
_ZH_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]")
_STREET = (r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
           r"Close|Crescent|Highway|Hwy|Square|Sq|Parkway|Pkwy)")
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Z]?\s+(?:[A-Z][a-z]+\.?\s+){{1,3}}{_STREET}\b\.?"
    r"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|#)\.?\s*\w+)?"
    r"(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})?"
    r"(?:,?\s*[A-Z]{2}\b)?(?:\s*\d{5}(?:-\d{4})?)?"
    r"(?:,?\s*[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b)?"
)
_ADDRESS_LABEL = re.compile(r"(?i)\b(address|lives\s+at|residing\s+at|resides\s+at|home\s+address)(\s*[:#]?\s*)([^\n;]{3,100}?)(?=\.\s|\.?$|\n|;)", re.MULTILINE)
_ZH_ADDRESS = re.compile(r"(?:住址|地址|家住)[:：]?\s*[^\s，,。；;]+")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b")
_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|[A-Z]\.|O'[A-Z][a-z]+|Mc[A-Z][a-z]+)"
_NOT_NAME = {
    "The", "A", "An", "He", "She", "They", "Was", "Is", "Has", "Had", "With", "Presents", "Presented", "Denies",
    "Reports", "Who", "And", "Of", "In", "On", "At", "To", "For", "Name", "Number", "No", "Is", "Complains",
    "Notes", "Came", "Comes", "Arrived", "Underwent", "Received", "Developed", "Education", "History", "Information",
    "Safety", "Care", "Records", "Record", "Portal", "Was", "Were", "Will", "Should", "Could", "Reported", "Said",
    "States", "Stated", "Arrives", "Returns", "Returned", "Tolerated", "Remains", "Appears", "Feels", "Describes",
    "Admits", "Endorses", "Requests", "Refuses", "Declines", "Understands", "Agrees", "Verbalizes", "Seen",
    "Status", "Summary", "Age", "Sex", "Male", "Female", "Identifier", "Presenting", "Complaint",
}
_TITLE_NAME = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Sra|Srta)(\.?\s+)({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")
_PATIENT_NAME = re.compile(
    rf"(?i:\b(patient|pt|paciente)(?:'s)?(\s*(?:name\s*(?:is)?|named|called)?\s*:?\s+))({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
_NAME_LABEL = re.compile(rf"(?i:\b(name|nombre)(\s*:\s*))({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})")
_ZH_NAME = re.compile(r"(姓名|患者姓名|病人姓名)([:：]\s*)([\u4e00-\u9fff]{2,4})")


class PhiMasking(NamedTuple):
    """Result of :func:`mask_phi`: the masked ``text`` and ``counts`` of masks by kind
    (``"email"``, ``"record"``, ``"address"``, ``"date"``, ``"id"``, ``"phone"``, ``"name"``;
    kinds with no mask are absent)."""

    text: str
    counts: dict[str, int]


def _names(pattern: re.Pattern, text: str) -> tuple[str, int]:
    n = 0

    def repl(m: re.Match) -> str:
        nonlocal n
        words = m.group(3).split()
        keep = []
        for w in words:  # stop at the first word that is not part of a name
            if w in _NOT_NAME:
                break
            keep.append(w)
        if not keep:
            return m.group(0)
        n += 1
        name = " ".join(keep)
        rest = m.group(3)[m.group(3).index(name) + len(name):] if name in m.group(3) else ""
        return f"{m.group(1)}{m.group(2)}[NAME]{rest}"

    return pattern.sub(repl, text), n


def mask_phi(text: str) -> PhiMasking:
    """Mask the identifiers listed in the module docstring and count the masks by kind.

    Args:
        text: any string (a question, findings, a case note).

    Returns:
        :class:`PhiMasking` ``(text, counts)``; text without identifiers comes back unchanged
        with empty counts.
    """
    counts: dict[str, int] = {}
    if not text:
        return PhiMasking(text, counts)

    def count(kind: str, n: int) -> None:
        if n:
            counts[kind] = counts.get(kind, 0) + n

    out, n = _EMAIL.subn("[EMAIL]", text)
    count("email", n)
    out, n = _MRN.subn(lambda m: f"{m.group(1)}{m.group(2)}[MRN]", out)
    count("record", n)
    out, n = _ADDRESS_LABEL.subn(lambda m: f"{m.group(1)}{m.group(2)}[ADDRESS]", out)
    count("address", n)
    for pat in (_ZH_ADDRESS, _ADDRESS, _POSTCODE):
        out, n = pat.subn("[ADDRESS]", out)
        count("address", n)
    for pat in (*_DATES, _ZH_DATE):
        out, n = pat.subn("[DATE]", out)
        count("date", n)
    out, n = _LABELLED_DATE.subn(lambda m: f"{m.group(1)}{m.group(2)}[DATE]", out)
    count("date", n)
    out, n = _SSN.subn("[ID]", out)
    count("id", n)
    phones = 0

    def phone(m: re.Match) -> str:
        nonlocal phones
        r = _phone(m)
        phones += r == "[PHONE]"
        return r

    out = _PHONE.sub(phone, out)
    count("phone", phones)
    out, n = _LONG_DIGITS.subn("[ID]", out)
    count("id", n)
    for pat in (_TITLE_NAME, _PATIENT_NAME, _NAME_LABEL, _ZH_NAME):
        out, n = _names(pat, out)
        count("name", n)
    return PhiMasking(out, counts)


def mask_identifiers(text: str) -> str:
    """Return ``text`` with e-mails, record numbers, addresses, dates, phone numbers, long digit
    runs and names after a title or a ``patient`` label replaced by placeholders (see the module
    docstring for the exact rules; :func:`mask_phi` also counts them).

    Args:
        text: any string (a question, findings).

    Returns:
        the masked string; text without identifiers comes back unchanged.
    """
    return mask_phi(text).text


def is_loopback_url(url: str | None) -> bool:
    """Whether ``url``'s host is this machine (``localhost``, ``127.x.x.x``, ``::1``); a URL with
    no host (``None``, "") counts as loopback — nothing is sent anywhere.

    Args:
        url: an endpoint such as ``http://127.0.0.1:8000/v1``.
    """
    import ipaddress
    from urllib.parse import urlsplit

    if not url:
        return True
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
