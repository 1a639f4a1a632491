"""What findings extraction returns: :class:`Finding` (one understood span) and
:class:`CaseFindings` (the case: findings, age, sex, language)."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("present", "negated", "historical", "family")
KINDS = ("symptom", "sign", "vital", "lab", "imaging")
#: strength of the evidence a mention gives (lower is stronger), for :meth:`CaseFindings.shown`
EVIDENCE_RANK = {"vital-range": 0, "lab-range": 0, "lab-result": 1, "hpo-name": 2, "hpo-synonym": 2, "lexicon": 2,
                 "cross-lingual": 3}
VIAS = ("hpo-name", "hpo-synonym", "lexicon", "vital-range", "lab-range", "lab-result", "cross-lingual")


@dataclass(frozen=True)
class Finding:
    """One finding understood in the input, as a Human Phenotype Ontology concept.

    Attributes:
        concept_id: HPO id, e.g. ``"HP:0001945"``, or for a named sign HPO has no term for the
            project's own ``"MEDCITE:<sign>"`` id (``"MEDCITE:rovsing-sign"``).
        label: the HPO term name, e.g. ``"Fever"``.
        text: the input span as written (``"高烧"``, ``"Platelet count 45,000/mm3"``).
        start, end: character offsets of ``text`` in the input (``input[start:end] == text``).
        status: ``"present"``, ``"negated"`` (``"no fever"``, ``"afebrile"``), ``"historical"``
            (``"history of …"``) or ``"family"`` (``"family history of …"``).
        kind: ``"symptom"``, ``"sign"``, ``"vital"``, ``"lab"`` or ``"imaging"``.
        value: the measured value that implied it (``"39.4 °C"``, ``"45,000/mm3"``), else None.
        via: how it was understood: ``"hpo-name"``, ``"hpo-synonym"``, ``"lexicon"``,
            ``"vital-range"``, ``"lab-range"``, ``"lab-result"`` (a qualitative result such as
            "nitrites positive") or ``"cross-lingual"``.
        location: the anatomical site of a pain or tenderness finding in standard words
            (``"right lower quadrant"``, ``"epigastric"``; :mod:`.location`), else None.
    """

    concept_id: str
    label: str
    text: str
    start: int
    end: int
    status: str
    kind: str
    value: str | None
    via: str
    location: str | None = None

    def query_label(self) -> str:
        """The finding as the literature query says it: the HPO label, with its location when it
        has one (``"right lower quadrant abdominal pain"``; ``"right flank pain"`` for "Flank
        pain" at the right flank)."""
        if not self.location:
            return self.label
        low = self.label.lower()
        words = self.location.split()
        side = words[0] if words[0] in ("right", "left") and len(words) > 1 else ""
        core = " ".join(words[1:]) if side else self.location
        if core in low:  # "right costovertebral angle" + "Costovertebral angle tenderness"
            return low.replace(core, self.location, 1)
        if words[-1] in low.split():
            return low.replace(words[-1], self.location, 1)
        return f"{self.location} {low}"

    def to_json(self) -> dict:
        """The finding as a JSON-ready dict (all attributes, same names)."""
        return {
            "concept_id": self.concept_id, "label": self.label, "text": self.text,
            "start": self.start, "end": self.end, "status": self.status, "kind": self.kind,
            "value": self.value, "via": self.via, "location": self.location,
        }


@dataclass(frozen=True)
class CaseFindings:
    """Everything understood in one case text.

    Attributes:
        text: the input as given.
        findings: in order of appearance; one concept may appear more than once (e.g. a lab
            value and the same finding named in words).
        age_years: age in years when stated (``"a 34-year-old woman"``, ``"男，45岁"``), else None.
        sex: ``"female"``, ``"male"`` or None.
        language: ISO 639-1 code of the input (``"en"``, ``"zh"``, ``"es"`` …).
        risk_factors: risk context named in the case (smoking, oral contraceptive use, recent
            surgery, immobilisation, travel; :class:`.risk.RiskFactor`), kept apart from the
            findings: they are not phenotypes and no candidate has to explain them.
        pregnancy: a stated pregnancy (:class:`.demographics.Pregnancy`: span and gestational
            weeks, ``"G1P0 at 34 weeks"``, ``"孕34周"``), context like age and sex, else None.
    """

    text: str
    findings: tuple[Finding, ...]
    age_years: float | None
    sex: str | None
    language: str
    risk_factors: tuple = ()
    pregnancy: object = None  # a :class:`.demographics.Pregnancy` when one is stated (context, not a finding)

    def present(self) -> list[Finding]:
        """Findings with status ``"present"``, one per concept (the first mention)."""
        return _first_per_concept(f for f in self.findings if f.status == "present")

    def negated(self) -> list[Finding]:
        """Findings with status ``"negated"`` whose concept is not also present, one per concept."""
        present = {f.concept_id for f in self.findings if f.status == "present"}
        return _first_per_concept(f for f in self.findings if f.status == "negated" and f.concept_id not in present)

    def present_ids(self) -> list[str]:
        """HPO ids of :meth:`present`, in order."""
        return [f.concept_id for f in self.present()]

    def shown(self) -> list[tuple[Finding, list[Finding]]]:
        """What a reader is shown: one finding per concept and status, ``(kept, other mentions)``,
        in order of first mention. The kept mention is the strongest evidence (:data:`EVIDENCE_RANK`:
        a measured value before a qualitative result before a named term before an embedder
        match; the first mention on a tie): "T 39.8 C" is kept for Fever over the word "fever",
        and "sonographic Murphy sign" goes under "Positive Murphy sign" as another mention. One
        finding has one status: a negated mention of a concept that is also present goes under the
        present one as another mention ("No history of chronic hypertension" under "BP 168/112
        mmHg"), its own status kept on it; family and historical mentions stay apart."""
        present = {f.concept_id for f in self.findings if f.status == "present"}
        groups: dict[tuple[str, str], list[Finding]] = {}
        for f in self.findings:
            status = "present" if f.status == "negated" and f.concept_id in present else f.status
            groups.setdefault((f.concept_id, status), []).append(f)
        out = []
        for group in groups.values():
            kept = min(group, key=lambda f: (f.status != "present", EVIDENCE_RANK.get(f.via, len(EVIDENCE_RANK))))
            out.append((kept, [f for f in group if f is not kept]))
        return out

    def to_json(self) -> dict:
        """JSON-ready dict: ``language``, ``age_years``, ``sex``, ``findings`` (one per concept and
        status, :meth:`shown`; each as :meth:`Finding.to_json` with ``also``: the other mentions
        as ``{"text", "start", "end", "value", "via", "status"}``) — what ``diagnose --json`` lists
        under "findings" — ``risk_factors`` (each as :meth:`.risk.RiskFactor.to_json`) and
        ``pregnancy`` (:meth:`.demographics.Pregnancy.to_json` or None)."""
        return {
            "language": self.language, "age_years": self.age_years, "sex": self.sex,
            "findings": [{**f.to_json(), "also": [{"text": o.text, "start": o.start, "end": o.end, "value": o.value, "via": o.via,
                                                   "status": o.status} for o in others]} for f, others in self.shown()],
            "risk_factors": [r.to_json() for r in self.risk_factors],
            "pregnancy": self.pregnancy.to_json() if self.pregnancy is not None else None,
        }

    def mapping_lines(self) -> list[str]:
        """One line per finding concept and status (:meth:`shown`) for a clinician to check what
        was understood, e.g. ``"高烧 → Fever (HP:0001945) [present, cross-lingual]"``, ``"T 39.8 C =
        39.8 °C → Fever (HP:0001945) [present, vital-range; also: fever]"``; then one line per risk factor,
        marked as context (``"smoking → risk factor: smoking [historical, context, not a finding]"``)."""
        out = []
        for f, others in self.shown():
            value = f" = {f.value}" if f.value and f.value not in f.text else ""
            site = f", location: {f.location}" if f.location else ""
            also = "; also: " + ", ".join(dict.fromkeys(o.text + (f" ({o.status})" if o.status != f.status else "")
                                                        for o in others)) if others else ""
            out.append(f"{f.text}{value} → {f.label} ({f.concept_id}) [{f.status}, {f.via}{site}{also}]")
        for r in self.risk_factors:
            out.append(f"{r.text} → risk factor: {r.name} [{r.status}, context, not a finding]")
        if self.pregnancy is not None:
            out.append(f"{self.pregnancy.text} → {self.pregnancy.describe()} [context, not a finding]")
        return out


def _first_per_concept(findings) -> list[Finding]:
    seen: set[str] = set()
    out = []
    for f in findings:
        if f.concept_id not in seen:
            seen.add(f.concept_id)
            out.append(f)
    return out
