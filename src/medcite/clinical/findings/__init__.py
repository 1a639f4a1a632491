"""Findings extraction for the differential (issue 15, parts 1–2).

Free text in any language — a findings list, a case note, an exam-style vignette with vitals
and a lab table — becomes Human Phenotype Ontology concepts with their status (present,
negated, historical, family), kind, the value that implied them and how each was understood::

    >>> from medcite.clinical.findings import extract_findings
    >>> case = extract_findings("Platelet count 45,000/mm3; no rebound or guarding")
    >>> [(f.label, f.status) for f in case.findings]   # doctest: +SKIP
    [('Thrombocytopenia', 'present'), ('Rebound tenderness', 'negated'), ('Abdominal guarding', 'negated')]

One concept per module: :mod:`.model` (the result types), :mod:`.hpo` (the ontology),
:mod:`.tokens`, :mod:`.lexicon`, :mod:`.matcher` (names in text), :mod:`.vitals`,
:mod:`.labs` (values against ranges), :mod:`.context` (ConText status), :mod:`.demographics`,
:mod:`.language`, :mod:`.crosslingual` (the embedder route), :mod:`.extract` (the pipeline).
A finding is always a phenotype (an HPO term), never a diagnosis.
"""

from .extract import extract_findings
from .model import CaseFindings, Finding

__all__ = ["CaseFindings", "Finding", "extract_findings"]
