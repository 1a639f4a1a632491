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

Children (age under 18 when the case states it, :func:`.demographics.read_age`) are read
against the paediatric limits of the AHA Pediatric Advanced Life Support provider manual
(2020): heart rate above the awake range (> 205/min under 3 months, > 190/min to 2 years,
> 140/min to 10 years) is tachycardia and below the asleep range (< 80, < 75, < 60/min) is
bradycardia; respiratory rate above the range for age (> 60/min under 1 year, > 40/min to 3
years, > 34/min to 6 years, > 30/min to 13 years) is tachypnoea; systolic pressure below
60 mmHg (first 28 days), 70 mmHg (to 1 year), 70 + 2 × age mmHg (1-10 years) or 90 mmHg
(over 10) is hypotension, and the adult diastolic limit (< 60) does not apply. From 10 (heart
rate) and 13 years (respiratory rate) the adult limits hold. Hypertension keeps the adult
limits, which are at or above the paediatric stage-2 thresholds (Flynn et al., AAP clinical
practice guideline, Pediatrics 2017;140:e20171904), so no child is called hypertensive on a
lower value.

A temperature of the surroundings (``"air temperature 34 °C"``, ``"ambient 34 °C"``, ``"room
temperature"``, ``"water temperature"``, ``"temperatura ambiente"``, ``"气温"``) is not a body
temperature and is not read.

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


#: a temperature of the surroundings: the word that qualifies it stands straight before the reading
#: ("air temperature 34 °C", "(ambient 34 °C)", "气温34℃") or inside it ("temperatura ambiente 34 °C")
_AMBIENT_WORD = (r"(?:air|ambient|room|outside|outdoor|environmental|water|weather|external|ambiente|exterior|del\s+aire|"
                 r"气温|室温|水温|环境温度|环境)")
_AMBIENT_BEFORE = re.compile(rf"(?i){_AMBIENT_WORD}[\s:(=-]{{0,3}}$")
_AMBIENT_INSIDE = re.compile(rf"(?i)(?<![^\W\d_]){_AMBIENT_WORD}(?![^\W\d_])")


def _temperature(m: re.Match, text: str = "") -> VitalReading | None:
    if text and (_AMBIENT_BEFORE.search(text, max(0, m.start() - 30), m.start()) or _AMBIENT_INSIDE.search(m.group(0))):
        return None  # the air, the room or the water, not the patient
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


def _hr_limits(age: float | None) -> tuple[int, int]:
    """(tachycardia above, bradycardia below) for ``age`` in years (PALS 2020; adults otherwise)."""
    if age is None or age >= 10:
        return 100, 50
    if age < 0.25:
        return 205, 80
    if age < 2:
        return 190, 75
    return 140, 60


def _rr_limit(age: float | None) -> int:
    """Tachypnoea above this rate for ``age`` in years (PALS 2020; adults, SIRS, otherwise)."""
    if age is None or age >= 13:
        return 20
    return 60 if age < 1 else 40 if age < 4 else 34 if age < 6 else 30


def _heart_rate(m: re.Match, age: float | None = None) -> VitalReading | None:
    if m.group(2) is None and m.group(0)[:1] in "Pp" and len(m.group(0).split()[0]) == 1:
        return None  # a bare "P 90" without a unit is too ambiguous
    above, below = _hr_limits(age)
    return _rate(m, (20, 250), (above, "HP:0001649"), (below, "HP:0001662"))


def _blood_pressure(m: re.Match, age: float | None = None) -> VitalReading | None:
    sys_, dia = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
    s, d = int(sys_), int(dia)
    if not (50 <= s <= 300 and 20 <= d <= 200 and s > d):
        return None
    shown = f"{s}/{d} mmHg"
    child = age is not None and age < 18
    low_systolic = 90 if not child or age > 10 else 60 if age < 28 / 365 else 70 if age < 1 else 70 + 2 * age
    if s < low_systolic:
        return VitalReading("HP:0002615", m.start(), m.end(), shown)
    if s >= 140 or d >= 90:
        return VitalReading("HP:0000822", m.start(), m.end(), shown)
    if d < 60 and not child:  # "96/58": below 90/60 by its diastolic value (adults)
        return VitalReading("HP:0002615", m.start(), m.end(), shown)
    return None


_NAME = re.compile(r"[^\W\d_]*")


def _resp_rate(m: re.Match, age: float | None = None) -> VitalReading | None:
    if m.group(2) is None and len(_NAME.match(m.group(0)).group(0)) == 1:
        return None  # a bare "R 20" (or "R:20", "r]8") without a unit
    return _rate(m, (4, 80), (_rr_limit(age), "HP:0002789"), (10, "HP:0046507"))


def _spo2(m: re.Match) -> VitalReading | None:
    v = _f(m.group(1))
    if not 50 <= v <= 100:
        return None
    if v < 94:
        return VitalReading("HP:0012418", m.start(), m.end(), f"{m.group(1)}%")
    return None


def read_vitals(text: str, age: float | None = None) -> list[VitalReading]:
    """Vital signs in ``text`` that imply a finding (see the module docstring for the
    thresholds), in order of appearance, not overlapping. Normal values give nothing.
    ``age`` (years, None when unknown) selects the paediatric limits under 18."""
    out: list[VitalReading] = []
    spans: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in spans)

    # blood pressure first: "120/80" must not be read as a rate
    readers = ((_BP, lambda m: _blood_pressure(m, age)), (_SPO2, _spo2), (_TEMP, lambda m: _temperature(m, text)),
               (_HR, lambda m: _heart_rate(m, age)), (_RR, lambda m: _resp_rate(m, age)))
    for pattern, interpret in readers:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            spans.append((m.start(), m.end()))  # read, normal or not: no other vital may take it
            r = interpret(m)
            if r is not None:
                out.append(r)
    return sorted(out, key=lambda r: r.start)
