"""Anatomical location of a pain, tenderness or swelling finding, kept as a qualifier.

The HPO has few site-specific pain terms (it has "Epigastric pain" and "Flank pain", not
"Right lower quadrant pain"), and a location such as the right lower quadrant is what separates
appendicitis from gastroenteritis. So the location stays with the finding: the HPO concept is the
general one ("Abdominal pain", HP:0002027) and :attr:`.model.Finding.location` holds the site as
written in standard words ("right lower quadrant"); the literature query then says
"right lower quadrant abdominal pain" (:meth:`.model.Finding.query_label`).

A location is attached to a pain/tenderness finding of the same sentence when it is inside the
finding's span ("epigastric pain"), just before it ("RLQ abdominal pain", "right upper quadrant
pain") or after it in the same sentence ("pain that moved to the right lower quadrant",
"tenderness over the left iliac fossa"); the nearest such finding takes it. The site words are
the regions of the abdominal and chest examination (nine-region and four-quadrant schemes, as in
Bickley, *Bates' Guide to Physical Examination*, 13th ed., 2021, ch. 11 and 8).
"""

from __future__ import annotations

import re
from dataclasses import replace

from .lexicon import SIGN_CONDITION

#: Abbreviations written for the quadrants, expanded.
_ABBREV = {"rlq": "right lower quadrant", "ruq": "right upper quadrant", "llq": "left lower quadrant",
           "luq": "left upper quadrant"}
_SIDE = r"(?:right|left)"
LOCATION = re.compile(
    r"(?i)\b(?:"
    rf"{_SIDE}[- ](?:upper|lower)[- ]quadrant|(?:RLQ|RUQ|LLQ|LUQ)|{_SIDE} iliac fossa|{_SIDE} hypochondri(?:um|ac)|"
    r"epigastri(?:um|c)|periumbilical|umbilic(?:us|al)|suprapubic|hypogastri(?:um|c)|"
    rf"(?:{_SIDE} )?flank|(?:{_SIDE} )?costovertebral angle|substernal|retrosternal|"
    r"(?:lower|upper) abdom(?:en|inal)|"
    rf"{_SIDE}[- ]sided|{_SIDE} (?:shoulder|chest|calf|knee|hip|scrotum|testis|eye|ear)|lower back|low back|"
    r"(?:both|bilateral) (?:shoulders|hips|knees|calves|eyes|ears|testes))\b")
_RADIATION = re.compile(r"(?i)\b(?:radiat\w*|spread\w*|extend\w*|going)\s+(?:in)?to\s+(?:the\s+|his\s+|her\s+)?$")
_PAIN = re.compile(r"(?i)pain|tender|ache|colic|discomfort|swell|swollen|edema|oedema")
#: words that make a site after the finding its final site ("pain … that migrated to the RLQ")
_MIGRATION = re.compile(r"(?i)\b(?:migrat\w*|mov(?:ed|es|ing)|shift\w*|locali[sz]\w*|settl\w*)\b")
_BOUND = re.compile(r"(?<=[.!?])\s+|[\n;]")
#: The same sites as lay texts (MedQuAD, patient leaflets) write them, added to literature queries.
LAY_SITES = {"right lower quadrant": "lower right abdomen", "right upper quadrant": "upper right abdomen",
             "left lower quadrant": "lower left abdomen", "left upper quadrant": "upper left abdomen",
             "right iliac fossa": "lower right abdomen", "left iliac fossa": "lower left abdomen",
             "epigastric": "upper abdomen", "periumbilical": "around the navel", "suprapubic": "lower abdomen",
             "substernal": "behind the breastbone", "retrosternal": "behind the breastbone",
             "right costovertebral angle": "right flank", "left costovertebral angle": "left flank"}
#: Words between a finding and a location after it that keep them in one phrase.
MAX_GAP_CHARS = 80


def canonical(site: str) -> str:
    """``"RLQ"`` → ``"right lower quadrant"``; other sites lower-cased, hyphens as spaces
    (``"right-sided"`` stays ``"right sided"``), "epigastrium" → "epigastric"."""
    s = site.lower().replace("-", " ")
    s = _ABBREV.get(s, s)
    return {"epigastrium": "epigastric", "umbilicus": "periumbilical", "umbilical": "periumbilical",
            "hypogastrium": "hypogastric"}.get(s, s)


def search_phrase(finding) -> str:
    """What the literature search for ``finding`` says: :meth:`.model.Finding.query_label` plus
    the site in lay words when there is one (``"right lower quadrant abdominal pain lower right
    abdomen"``), and for a named sign the condition it classically points to
    (:data:`.lexicon.SIGN_CONDITION`: ``"McBurney point tenderness appendicitis"``)."""
    label = finding.query_label()
    lay = LAY_SITES.get(finding.location or "")
    label = f"{label} {lay}" if lay else label
    classic = SIGN_CONDITION.get(finding.concept_id)  # "McBurney point tenderness appendicitis"
    return f"{label} {classic}" if classic else label


#: Extra words allowed inside a site phrase ("lower right side of the abdomen").
SITE_SLACK = 3


#: Sites that set no condition apart: chest pain "behind the breastbone" is the usual chest pain
#: of cardiac, aortic, pericardial, oesophageal and pulmonary causes alike, so a passage need not
#: name it (an MI passage rarely says "retrosternal"; break-test 12 left retrosternal chest pain
#: "unexplained" by acute MI).
UNSPECIFIC_SITES = frozenset({"substernal", "retrosternal"})


def mentions_site(text: str, finding) -> bool:
    """Whether ``text`` (a passage) names the site of ``finding`` in clinical or lay words: all
    words of "right lower quadrant" or of "lower right abdomen", in any order, within a window
    of their number plus :data:`SITE_SLACK` words."""
    if not finding.location or finding.location in UNSPECIFIC_SITES:
        return True
    tokens = re.findall(r"[a-z]+", text.lower())
    forms = [finding.location] + ([LAY_SITES[finding.location]] if finding.location in LAY_SITES else [])
    for form in forms:
        need = set(re.findall(r"[a-z]+", form))
        width = len(need) + SITE_SLACK
        if any(t in need and need <= set(tokens[i:i + width]) for i, t in enumerate(tokens)):
            return True
    return False


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    left = 0
    for m in _BOUND.finditer(text, 0, pos):
        left = m.end()
    m = _BOUND.search(text, pos)
    return left, (m.start() if m else len(text))


def attach_locations(text: str, findings: list) -> list:
    """``findings`` (:class:`.model.Finding`, any order) with ``location`` set on pain and
    tenderness findings that have a site in their sentence (module docstring); others unchanged.
    A site in or just before the finding wins over one after it; among sites after it the last
    one written wins ("pain around the umbilicus that moved to the right lower quadrant" → right
    lower quadrant); pain that moves keeps its final site: a site after the finding with a
    migration word between (``"periumbilical pain that migrated to the right lower quadrant"``)
    wins over the site before it; where pain radiates to ("radiating to the right shoulder") is
    not its site. Swelling and oedema keep their site like pain (``"left calf swelling"``)."""
    sites = [(m.start(), m.end(), canonical(m.group(0))) for m in LOCATION.finditer(text)
             if not _RADIATION.search(text[max(0, m.start() - 40):m.start()])]  # where pain radiates is not its site
    if not sites:
        return list(findings)
    out = list(findings)
    painful = [i for i, f in enumerate(out) if _PAIN.search(f.label) or _PAIN.search(f.text)]
    chosen: dict[int, tuple[int, str, bool]] = {}  # finding index -> (site start, site, in/before it)
    for s, e, site in sites:
        lo, hi = _sentence_bounds(text, s)
        best, best_d = None, None
        for i in painful:
            f = out[i]
            if not (lo <= f.start < hi):
                continue
            if s < f.end and f.start < e:
                d = 0  # inside or overlapping the span: "epigastric pain", "right flank pain"
            elif e <= f.start and not text[e:f.start].strip(" -,"):  # just before: "RLQ pain"
                d = 0
            elif e <= f.start and len(text[e:f.start].split()) <= 2:  # "right lower quadrant abdominal pain"
                d = 1
            elif s >= f.end and s - f.end <= MAX_GAP_CHARS:
                d = 1 + (s - f.end) / MAX_GAP_CHARS
            else:
                continue
            if best_d is None or d < best_d:
                best, best_d = i, d
        if best is None:
            continue
        before = best_d <= 1
        moved = s >= out[best].end and bool(_MIGRATION.search(text[out[best].end:s]))
        prev = chosen.get(best)
        # a site in or just before the finding wins, unless the pain moved to a later site;
        # among sites after it, the last one written
        if moved:
            before = True
        if prev is None or moved or (before and not prev[2]) or (not before and not prev[2] and s > prev[0]):
            chosen[best] = (s, site, before)
    for i, (_, site, _) in chosen.items():
        if site not in out[i].label.lower():  # "Epigastric pain" + "epigastric" adds nothing
            out[i] = replace(out[i], location=site)
    return out
