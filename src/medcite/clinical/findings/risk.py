"""Risk context of a case: exposures and circumstances that raise the probability of a
diagnosis without being findings of it — smoking, oral contraceptive or oestrogen use, recent
surgery, immobilisation, travel, injection drug use. They are kept apart from the findings (a smoker is not a
phenotype; "5 days after a total knee arthroplasty" is not a symptom), so they neither count as
findings a candidate must explain nor get matched to a disease name, while the clinician still
sees them and a caller can use them (e.g. the Wells and PERC rules for pulmonary embolism count
recent surgery/immobilisation and oestrogen use: Wells et al., Thromb Haemost 2000;83:416;
Kline et al., J Thromb Haemost 2004;2:1247).

Each risk factor takes a ConText status like a finding (:mod:`.context`): ``"does not smoke"``
is negated, ``"former smoker"``/``"history of smoking"`` historical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import find_triggers, status_of

_SURGERY_WORD = r"(?:surgery|operation|arthroplasty|replacement|\w+ectomy|\w+otomy|\w+plasty|repair|fixation)"
#: risk factor name → pattern (English, Spanish, Chinese)
RISKS: dict[str, re.Pattern] = {
    "smoking": re.compile(r"(?i)\b(?:smok(?:er|ers|es|ing|ed|e)|cigarettes?|tobacco(?:\s+use)?|pack[- ]years?|fumador\w*|"
                          r"tabaquismo)\b|吸烟"),
    "oral contraceptive use": re.compile(r"(?i)\b(?:oral contraceptives?(?:\s+(?:use|pills?))?|OCPs?|birth control pills?|"
                                         r"combined (?:oral contraceptive )?pill|estrogen therapy|oestrogen therapy|"
                                         r"hormone replacement therapy|HRT|anticonceptivos? orales?)\b|口服避孕药"),
    "recent surgery": re.compile(rf"(?i)\b(?:(?:\d+|one|two|three|four|five|six|seven|several|few)\s+(?:days?|weeks?)\s+"
                                 rf"(?:after|following|post)\s+(?:an?\s+|the\s+|his\s+|her\s+)?(?:[\w-]+\s+){{0,4}}?{_SURGERY_WORD}|"
                                 rf"recent\s+(?:[\w-]+\s+){{0,3}}?{_SURGERY_WORD}|post-?operative(?:ly)?|postop|"
                                 r"cirug[ií]a reciente)\b|术后"),
    "immobilisation": re.compile(r"(?i)\b(?:immobili[sz]\w*|bed-?rest|bed-?ridden|bedbound|confined to bed|"
                                 r"plaster cast|inmovilizaci[oó]n)\b|卧床|制动"),
    "travel": re.compile(r"(?i)\b(?:(?:recent|recently|international|long|long-distance)\s+(?:travel\w*|flights?|trips?)|"
                         r"travel(?:led|ed|ing)?\s+(?:to|from|abroad)|returned\s+from|flight\s+from|long[- ]haul(?:\s+flights?)?|viaje\w*)\b|旅行|出差"),
    # a predisposition of the modified Duke criteria (Li et al., Clin Infect Dis 2000;30:633)
    "injection drug use": re.compile(r"(?i)\b(?:inject(?:s|ed|ing)?\s+(?:heroin|drugs|cocaine|methamphetamine|opioids)|"
                                     r"injection\s+drug\s+(?:use|user)s?|intravenous\s+drug\s+(?:use|user|abuse)s?|IVDU|PWID|"
                                     r"people\s+who\s+inject\s+drugs|track\s+marks|drogas?\s+(?:por\s+v[ií]a\s+)?intravenosas?|"
                                     r"usuario\s+de\s+drogas\s+(?:por\s+v[ií]a\s+)?(?:intravenosas?|parenterales?))\b|静脉吸毒|静脉注射毒品"),
}


_FORMER = re.compile(r"(?i)\b(?:former|ex-?|quit|stopped|exfumador)\s*$")


@dataclass(frozen=True)
class RiskFactor:
    """One risk factor named in the case.

    Attributes:
        name: ``"smoking"``, ``"oral contraceptive use"``, ``"recent surgery"``,
            ``"immobilisation"``, ``"travel"`` or ``"injection drug use"``.
        text: the span as written; ``start``/``end`` its offsets.
        status: ``"present"``, ``"negated"``, ``"historical"`` or ``"family"`` (ConText).
    """

    name: str
    text: str
    start: int
    end: int
    status: str

    def to_json(self) -> dict:
        """The risk factor as a JSON-ready dict (all attributes, same names)."""
        return {"name": self.name, "text": self.text, "start": self.start, "end": self.end, "status": self.status}


def read_risks(text: str, language: str = "en") -> list[RiskFactor]:
    """Risk factors named in ``text`` (see the module docstring), in order of appearance, one
    span each (an earlier-listed factor wins an overlap)."""
    triggers = find_triggers(text, language)
    out: list[RiskFactor] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in RISKS.items():
        for m in pattern.finditer(text):
            s, e = m.start(), m.end()
            if any(not (e <= ts or s >= te) for ts, te in taken):
                continue
            taken.append((s, e))
            status = status_of(text, s, e, triggers, language)
            if status == "present" and _FORMER.search(text[max(0, s - 12):s]):
                status = "historical"  # "former smoker", "ex-smoker"
            out.append(RiskFactor(name, m.group(0), s, e, status))
    return sorted(out, key=lambda r: r.start)
