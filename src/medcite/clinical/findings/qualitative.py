"""Qualitative laboratory results read from case text: a test and its reported result
(``"serum ketones positive"``, ``"leukocyte esterase positive"``, ``"haptoglobin undetectable"``,
``"Direct Coombs test negative"``, ``"positive for nitrites"``, ``"elevated D-dimer"``), kind
``"lab"``, via ``"lab-result"``.

An abnormal result (positive, detected, elevated … or, for a test whose abnormal direction is
low, low/undetectable) makes the finding present; a normal one (negative, not detected, normal)
makes it negated, so "Coombs test negative" argues against an immune haemolysis rather than
being silently dropped. Numeric values are read by :mod:`.labs`; this module reads the words.

The findings are HPO terms (Köhler et al., Nucleic Acids Res 2024) except a positive pregnancy
test (beta-hCG), which HPO has no term for (``MEDCITE:positive-pregnancy-test``, see
:data:`.lexicon.SIGN_LABELS`). A ketone test without a specimen is read as urine when the
sentence names urine or a urinalysis, as blood otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .tokens import sentence_at

KETONURIA, HYPERKETONEMIA = "HP:0002919", "HP:0410175"
_URINE = re.compile(r"(?i)\b(?:urine|urinary|urinalysis|dipstick)\b|尿")

#: (test names as a regex, HPO id when abnormal, abnormal direction "high" or "low")
TESTS: tuple[tuple[str, str, str], ...] = (
    (r"(?:serum|blood|plasma|capillary)\s+ketones?|beta[- ]hydroxybutyrate|β-hydroxybutyrate|ketonemia", HYPERKETONEMIA, "high"),
    (r"(?:urine|urinary)\s+ketones?", KETONURIA, "high"),
    (r"ketones?|ketone bodies", HYPERKETONEMIA, "high"),  # specimen decided by the sentence
    (r"(?:urine\s+)?nitrites?|nitritos?|亚硝酸盐", "HP:0031812", "high"),
    (r"(?:urine\s+)?leu[ck]ocyte\s+esterase|(?-i:LE)", "HP:0012085", "high"),
    (r"direct\s+(?:antiglobulin|Coombs)(?:\s+test)?|(?:direct\s+)?Coombs(?:'s)?(?:\s+test)?|(?-i:DAT)|direct\s+antiglobulin", "HP:0032366", "high"),
    (r"haptoglobin", "HP:0020181", "low"),
    (r"(?:serum\s+|urine\s+)?(?:beta|β|b)[- ]?h?CG|(?:serum\s+|urine\s+)?hCG|(?:urine\s+|serum\s+)?pregnancy\s+test|(?:test|prueba)\s+de\s+embarazo|"
     r"(?:尿)?(?:妊娠试验|早孕试验|hCG)",
     "MEDCITE:positive-pregnancy-test", "high"),
    (r"D[- ]dimers?|d[ií]mero[- ]D|D-?二聚体", "HP:0033106", "high"),
    (r"troponin(?:\s+[IT])?|troponina(?:\s+[IT])?|(?:高敏)?肌钙蛋白\s*[IT]?", "HP:0410173", "high"),
    # Chinese notes often give the direction without the value ("脂肪酶明显升高", "血钙降低")
    (r"(?:血)?脂肪酶|lipasa", "HP:0032932", "high"),
    (r"(?:血)?淀粉酶|amilasa", "HP:0410288", "high"),
    (r"C-?反应蛋白", "HP:0011227", "high"),
    (r"(?:血)?乳酸(?!脱氢酶)", "HP:0002151", "high"),
    (r"血钙", "HP:0002901", "low"),
    (r"ferritin", "HP:0012343", "low"),
    (r"(?:indirect|unconjugated)\s+(?:serum\s+)?bilirubin", "HP:0008282", "high"),
)
_ABNORMAL = {"high": r"positive|pos|detected|present|reactive|elevated|raised|high|increased|strongly positive|\+{1,4}|[1-4]\+|"
                     r"elevad[oa]s?|aumentad[oa]s?|positiv[oa]s?|(?:明显|显著|轻度)?(?:升高|增高|偏高)|阳性",
             "low": r"low|decreased|reduced|undetectable|not detectable|absent|depressed|unmeasurably low|"
                    r"disminuid[oa]s?|baj[oa]s?|(?:明显|显著|轻度)?(?:降低|减低|偏低|下降)"}
#: result words written before the test name ("elevated D-dimer", "positive for nitrites")
_ABNORMAL_BEFORE = {"high": r"positive|detected|reactive|elevated|raised|high|increased|strongly positive",
                    "low": r"low|decreased|reduced|undetectable|absent|depressed"}
_NORMAL = {"high": r"negative|neg|not detected|undetectable|absent|normal|nonreactive|non-reactive|within normal limits|"
                   r"negativ[oa]s?|阴性|正常",
           "low": r"normal|within normal limits|正常"}
_LINK = r"(?:\s*(?:test|assay|level|levels|result|titer|titre|was|is|were|are|:|=|-|,|：|水平|检测|结果|es|está)){0,3}\s*"


@dataclass(frozen=True)
class TestResult:
    """A qualitative result: ``concept_id`` present (``abnormal``) or negated, the span
    ``[start, end)`` (test name and result word) and the result word as written (``value``)."""

    concept_id: str
    start: int
    end: int
    abnormal: bool
    value: str


def _patterns():
    out = []
    for names, cid, direction in TESTS:
        result = rf"(?P<ab>{_ABNORMAL[direction]})|(?P<no>{_NORMAL[direction]})"
        after = re.compile(rf"(?i)(?<![A-Za-z0-9_-])(?P<name>{names}){_LINK}(?:{result})(?![A-Za-z0-9_+])")
        before = re.compile(rf"(?i)(?<![\w-])(?:(?P<ab>{_ABNORMAL_BEFORE[direction]})|(?P<no>{_NORMAL[direction]}))"
                            rf"(?:\s+for)?\s+(?P<name>{names})(?![\w])")
        out.append((cid, after, before))
    return out


_PATTERNS = _patterns()
#: a test named just before another one's result shares it ("leukocyte esterase and nitrite negative")
_COORDINATED = [(cid, direction, re.compile(rf"(?i)(?<![\w-])(?P<name>{names})\s*(?:,|and|&|/|or)\s*$"))
                for names, cid, direction in TESTS]


def _coordinated(text: str, r: TestResult, taken: list[tuple[int, int]]) -> list[TestResult]:
    """Results of the tests listed just before ``r``'s test name that take its result word."""
    out, pos = [], r.start
    while True:
        for cid, direction, pat in _COORDINATED:
            m = pat.search(text, max(0, pos - 60), pos)
            if m is None or any(not (m.end() <= ts or m.start() >= te) for ts, te in taken):
                continue
            ab = re.fullmatch(_ABNORMAL[direction], r.value, re.IGNORECASE)
            if not ab and not re.fullmatch(_NORMAL[direction], r.value, re.IGNORECASE):
                continue
            start, end = m.start("name"), m.end("name")
            taken.append((start, end))
            out.append(TestResult(cid, start, end, ab is not None, r.value))
            pos = start
            break
        else:
            return out


BACTEREMIA = "HP:0031864"
#: blood cultures and what grew: "Blood cultures: 3 of 3 sets growing Staphylococcus aureus",
#: "blood cultures grew E. coli", "2/2 blood cultures positive for ..." (growth → bacteraemia);
#: "blood cultures (were) negative / sterile / no growth" negates it
_CULTURE = re.compile(r"(?i)(?<![\w-])(?:blood\s+cultures?|hemocultivos?|hemocultivo|血培养)\s*(?:[:(,]\s*)?"
                      r"(?:(?:\d+\s*(?:of|/|de)\s*\d+|all|both)\s*(?:sets|bottles|frascos)?\s*)?(?:\)\s*)?(?:were|are|was|is|:)?\s*"
                      r"(?:(?P<ab>grew|growing|grow|positive(?:\s+for)?|yielded|isolated|positiv[oa]s?|阳性)|"
                      r"(?P<no>negative|sterile|no\s+growth|showed\s+no\s+growth|negativ[oa]s?|阴性))")


def _cultures(text: str, taken: list[tuple[int, int]]) -> list[TestResult]:
    """Bacteraemia (HP:0031864) from a blood culture result (:data:`_CULTURE`): growth makes it
    present, a negative or sterile culture negated."""
    out = []
    for m in _CULTURE.finditer(text):
        if any(not (m.end() <= ts or m.start() >= te) for ts, te in taken):
            continue
        taken.append((m.start(), m.end()))
        out.append(TestResult(BACTEREMIA, m.start(), m.end(), m.group("ab") is not None, m.group("ab") or m.group("no")))
    return out


def read_results(text: str) -> list[TestResult]:
    """Qualitative test results in ``text`` (module docstring), in order, not overlapping;
    the more specific test name wins (``"urine ketones"`` before ``"ketones"``), and tests
    listed before a result share it (``"leukocyte esterase and nitrite negative"``: both)."""
    out: list[TestResult] = []
    taken: list[tuple[int, int]] = []
    for cid, after, before in _PATTERNS:
        for pat in (after, before):
            for m in pat.finditer(text):
                s, e = m.start(), m.end()
                if any(not (e <= ts or s >= te) for ts, te in taken):
                    continue
                concept = cid
                if cid == HYPERKETONEMIA and not re.match(r"(?i)serum|blood|plasma|capillary|beta|β|ketonemia", m.group("name")) \
                        and _URINE.search(sentence_at(text, s)):
                    concept = KETONURIA
                word = m.group("ab") or m.group("no")
                taken.append((s, e))
                out.append(TestResult(concept, s, e, m.group("ab") is not None, word))
                if pat is after:
                    out += _coordinated(text, out[-1], taken)
    out += _cultures(text, taken)
    return sorted(out, key=lambda r: r.start)
