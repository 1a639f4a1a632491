"""Vital signs read from case text and interpreted as HPO findings (kind ``"vital"``, via
``"vital-range"``). A normal value yields no finding.

Thresholds (adults):

=====================  ==========================================  =======================
vital                  finding                                     source
=====================  ==========================================  =======================
temperature            ≥ 38.0 °C (100.4 °F) → Fever HP:0001945     SIRS criteria (Bone et
                       < 35.0 °C → Hypothermia HP:0002045          al., Chest 1992;101:1644)
heart rate             > 100 /min → Tachycardia HP:0001649         conventional adult
                       < 50 /min → Bradycardia HP:0001662          definition (AHA)
blood pressure         systolic < 90 or diastolic < 60 mmHg →      NHLBI, "Low blood
                       Hypotension HP:0002615 (lower than 90/60;   pressure" (lower than
                       systolic ≥ 140 takes precedence)            90/60 mmHg), adults
                       ≥ 140 systolic or ≥ 90 diastolic →          ESC/ESH 2018 office-BP
                       Hypertension HP:0000822                     definition (Williams et al.)
respiratory rate       > 20 /min → Tachypnea HP:0002789            SIRS (Bone et al. 1992)
                       < 10 /min → Bradypnea HP:0046507
SpO2                   < 94 % → Hypoxemia HP:0012418               BTS oxygen guideline
                                                                   (O'Driscoll et al., 2017;
                                                                   target 94–98 %)
=====================  ==========================================  =======================

Formats read: ``temperature 39.4 °C``, ``T 102.3F``, ``temp of 38.9 degrees``, ``39.5℃``,
``体温39.5℃``; ``pulse 112/min``, ``HR 120 bpm``, ``heart rate is 54``; ``BP 85/50 mm Hg``,
``blood pressure of 160/95``, ``130/85 mmHg``; ``respirations 24/min``, ``RR 28``; ``SpO2 88%``,
``oxygen saturation of 91% on room air``. A temperature without a unit is read as °F above 45.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"(\d{2,3}(?:[.,]\d{1,2})?)"
# "is", "was", "of", ": ", "(on admission) ": letters of any script, spaces and light punctuation; not
# over a sentence or Chinese clause end ("呼吸深快。血糖 28"), nor over symbols or control characters
# (binary junk "r\ufffd\ufffd]8" is no respiratory rate)
_GAP = r"(?:[^\W\d_]|[ \t:=()\[\],~/'\"<>≈–—-]){0,25}?"

_TEMP_UNIT = r"\s*(°\s*[CF]|º\s*[CF]|℃|℉|degrees?\s*(?:C(?:elsius)?|F(?:ahrenheit)?)\b|deg\s*[CF]\b|[CF]\b)"
_TEMP = re.compile(
    rf"(?i)(?:\b(?:temperature|temp|T|Tmax)\b|体温|temperatura){_GAP}{_NUM}(?:{_TEMP_UNIT}|(?=\s*(?:degrees?)?\b))"
    # a bare "39.5℃" starts after a space, a mark or a Chinese word ("发热39.5℃"), not glued to junk
    rf"|(?<![^\s(\[,:;=~，：（\u4e00-\u9fff]){_NUM}{_TEMP_UNIT}"
)
_HR = re.compile(
    rf"(?i)(?:\b(?:heart\s+rate|pulse(?:\s+rate)?|HR|P|FC|frecuencia\s+cardiaca|frecuencia\s+cardíaca)\b|心率|脉搏){_GAP}"
    rf"(\d{{2,3}})\s*(/\s*min(?:ute)?|bpm|beats?\s*(?:per|/)\s*min(?:ute)?|lpm|次/分)?"
)
_BP = re.compile(
    rf"(?i)(?:\b(?:blood\s+pressure|BP|TA|PA|presi[oó]n\s+arterial)\b|血压){_GAP}(\d{{2,3}})\s*/\s*(\d{{2,3}})\s*(mm\s*Hg|mmHg)?"
    rf"|\b(\d{{2,3}})\s*/\s*(\d{{2,3}})\s*(mm\s*Hg|mmHg)"
)
_RR = re.compile(
    rf"(?i)(?:\b(?:respiratory\s+rate|respiration(?:s)?|resp(?:irations)?|RR|R|breathing\s+rate|FR|frecuencia\s+respiratoria)\b|呼吸){_GAP}"
    rf"(\d{{1,2}})\s*(/\s*min(?:ute)?|breaths?\s*(?:per|/)\s*min(?:ute)?|rpm|次/分)?"
)
_SPO2 = re.compile(
    rf"(?i)(?:\b(?:SpO2|SaO2|SatO2|Sat\s*O2|O2\s*sat(?:uration)?|oxygen\s+saturation|sat(?:uration)?s?|pulse\s+oximetry|saturaci[oó]n(?:\s+de\s+ox[ií]geno)?)\b|血氧饱和度|血氧){_GAP}"
    rf"(\d{{2,3}}(?:[.,]\d)?)\s*(%)"
)


@dataclass(frozen=True)
class VitalReading:
    """A vital sign read from text that implies a finding.

    Attributes:
        concept_id: the HPO id implied (e.g. ``"HP:0001945"`` for a temperature ≥ 38.0 °C).
        start, end: offsets of the reading in the text (keyword to unit).
        value: the value as a normalised string (``"39.4 °C"``, ``"85/50 mmHg"``).
    """

    concept_id: str
    start: int
    end: int
    value: str


def _f(s: str) -> float:
    return float(s.replace(",", "."))


def _temperature(m: re.Match) -> VitalReading | None:
    num = m.group(1) or m.group(3)
    unit = (m.group(2) or m.group(4) or "").upper()
    v = _f(num)
    if not unit.strip() and m.group(0)[:1] in "Tt" and len(m.group(0).split()[0]) == 1 and "." not in num:
        return None  # a bare "T 45" is more often a count or a stage than a temperature
    fahrenheit = "F" in unit or "℉" in unit or (not unit.strip() and v > 45)
    c = (v - 32) * 5 / 9 if fahrenheit else v
    if not 30.0 <= c <= 44.0:
        return None  # not a body temperature ("T 2" staging, "T 300")
    shown = f"{num} °{'F' if fahrenheit else 'C'}"
    if c >= 38.0:
        return VitalReading("HP:0001945", m.start(), m.end(), shown)
    if c < 35.0:
        return VitalReading("HP:0002045", m.start(), m.end(), shown)
    return None


def _rate(m: re.Match, plausible: tuple[int, int], above: tuple[int, str], below: tuple[int, str]) -> VitalReading | None:
    """A rate per minute read from group 1: the finding ``above[1]`` over ``above[0]``, ``below[1]``
    under ``below[0]``; nothing for a normal or implausible value (outside ``plausible``)."""
    v = int(m.group(1))
    if not plausible[0] <= v <= plausible[1]:
        return None
    for hpo, hit in ((above[1], v > above[0]), (below[1], v < below[0])):
        if hit:
            return VitalReading(hpo, m.start(), m.end(), f"{v}/min")
    return None


def _heart_rate(m: re.Match) -> VitalReading | None:
    if m.group(2) is None and m.group(0)[:1] in "Pp" and len(m.group(0).split()[0]) == 1:
        return None  # a bare "P 90" without a unit is too ambiguous
    return _rate(m, (20, 250), (100, "HP:0001649"), (50, "HP:0001662"))


def _blood_pressure(m: re.Match) -> VitalReading | None:
    sys_, dia = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
    s, d = int(sys_), int(dia)
    if not (50 <= s <= 300 and 20 <= d <= 200 and s > d):
        return None
    shown = f"{s}/{d} mmHg"
    if s < 90:
        return VitalReading("HP:0002615", m.start(), m.end(), shown)
    if s >= 140 or d >= 90:
        return VitalReading("HP:0000822", m.start(), m.end(), shown)
    if d < 60:  # "96/58": below 90/60 by its diastolic value
        return VitalReading("HP:0002615", m.start(), m.end(), shown)
    return None


_NAME = re.compile(r"[^\W\d_]*")


def _resp_rate(m: re.Match) -> VitalReading | None:
    if m.group(2) is None and len(_NAME.match(m.group(0)).group(0)) == 1:
        return None  # a bare "R 20" (or "R:20", "r]8") without a unit
    return _rate(m, (4, 80), (20, "HP:0002789"), (10, "HP:0046507"))


def _spo2(m: re.Match) -> VitalReading | None:
    v = _f(m.group(1))
    if not 50 <= v <= 100:
        return None
    if v < 94:
        return VitalReading("HP:0012418", m.start(), m.end(), f"{m.group(1)}%")
    return None


def read_vitals(text: str) -> list[VitalReading]:
    """Vital signs in ``text`` that imply a finding (see the module docstring for the
    thresholds), in order of appearance, not overlapping. Normal values give nothing."""
    out: list[VitalReading] = []
    spans: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in spans)

    # blood pressure first: "120/80" must not be read as a rate
    for pattern, interpret in ((_BP, _blood_pressure), (_SPO2, _spo2), (_TEMP, _temperature),
                               (_HR, _heart_rate), (_RR, _resp_rate)):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            spans.append((m.start(), m.end()))  # read, normal or not: no other vital may take it
            r = interpret(m)
            if r is not None:
                out.append(r)
    return sorted(out, key=lambda r: r.start)
