"""Curated criteria entries: common acute and chronic conditions after their published criteria.

HPO annotates rare diseases (OMIM/Orphanet); the conditions a clinician tests first — diabetic
ketoacidosis, acute cholecystitis, pulmonary embolism, bacterial meningitis — have no HPO
annotation, and MedQuAD's prose about them is thin or merged ("Meningitis and Encephalitis").
``criteria.json`` (next to this module) lists ~100 of them, each with:

* ``slug`` (source id ``CRITERIA:<slug>``), ``name`` and ``synonyms`` (abbreviations such as
  DKA, HHS, NSTEMI, British spellings);
* ``phenotype``: ``{HPO id or MEDCITE sign id: weight in [0, 1]}`` — the elements of the cited
  criteria, score or guideline and the classic features it names, under the ids the findings
  extractor emits for a note (glucose 512 mg/dL → Hyperglycemia, HCO3 9 → Metabolic acidosis,
  CSF glucose 18 mg/dL → Hypoglycorrhachia). A ``MEDCITE:`` sign id is read as the HPO term it is
  evidence of (:func:`medcite.clinical.findings.lexicon.nearest_hpo`); one without an HPO
  counterpart is kept in the table but scores nothing (the knowledge base ranks HPO terms);
* ``excluded`` (optional): HPO ids whose presence argues against the condition by its criteria
  (hypoglycorrhachia for viral meningitis);
* ``risk_factors`` (optional): risk context the cited criteria count (:mod:`..risk_prior`:
  recent surgery and immobilisation for pulmonary embolism and deep vein thrombosis, Wells);
* ``citation`` (the full reference) and ``cite_short`` ("Kitabchi et al., Diabetes Care 2009");
* ``frequency_basis``: "reported in …" where the weights are the source's frequencies (van de
  Beek et al. 2004 for bacterial meningitis), else "criterion element" (judged weights: 0.9–0.95
  obligate elements, 0.5–0.8 core, below 0.5 supportive).

These entries are conditions, never findings (:func:`.kinds.classify_condition`), and they are not
annotation sources for information content (:data:`.base.IC_KINDS`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ...errors import UsageError
from ..findings.lexicon import SIGN_PREFIX, nearest_hpo
from ..findings.risk import RISKS
from .condition import SourceEntry
from .ontology import Ontology

#: The table shipped with the package.
CRITERIA_PATH = Path(__file__).with_name("criteria.json")
KIND = "criteria"
PREFIX = "CRITERIA:"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ID = re.compile(r"^(?:HP:\d{7}|MEDCITE:[a-z0-9-]+)$")


@lru_cache(maxsize=4)
def load_criteria(path: str | Path = CRITERIA_PATH) -> tuple[dict, ...]:
    """The checked records of a criteria table (module docstring), in file order.

    Raises:
        UsageError: the file is missing or not JSON, or a record lacks a slug, name, citation,
            short citation or phenotype, has a malformed id, a weight outside [0, 1] or a risk
            factor :data:`medcite.clinical.findings.risk.RISKS` does not know, or repeats a slug.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"criteria table {path}: {e}") from e
    out: list[dict] = []
    seen: set[str] = set()
    for rec in data.get("conditions", ()):
        slug = rec.get("slug", "")
        where = f"criteria table {path}, entry {slug or '?'}"
        if not _SLUG.match(slug) or slug in seen:
            raise UsageError(f"{where}: missing, malformed or repeated slug")
        seen.add(slug)
        for key in ("name", "citation", "cite_short", "frequency_basis"):
            if not str(rec.get(key, "")).strip():
                raise UsageError(f"{where}: no {key}")
        ph = rec.get("phenotype") or {}
        if not ph:
            raise UsageError(f"{where}: empty phenotype")
        for t, w in ph.items():
            if not _ID.match(t) or not isinstance(w, (int, float)) or not 0.0 <= float(w) <= 1.0:
                raise UsageError(f"{where}: bad phenotype item {t!r}: {w!r}")
        for t in rec.get("excluded", ()):
            if not _ID.match(t):
                raise UsageError(f"{where}: bad excluded id {t!r}")
        unknown = set(rec.get("risk_factors", ())) - set(RISKS)
        if unknown:
            raise UsageError(f"{where}: unknown risk factor(s) {sorted(unknown)}")
        out.append(rec)
    return tuple(out)


def criteria_entries(ontology: Ontology, path: str | Path = CRITERIA_PATH) -> list[SourceEntry]:
    """One :class:`~.condition.SourceEntry` (kind ``"criteria"``, source id ``CRITERIA:<slug>``)
    per record of the table, its phenotype in current HPO ids of ``ontology``: a ``MEDCITE:`` sign
    becomes its HPO counterpart (dropped when it has none), ids the ontology does not know or
    that are not phenotypes are dropped; the largest weight wins where two ids meet.

    Raises:
        UsageError: as :func:`load_criteria`.
    """
    out = []
    for rec in load_criteria(path):
        ph: dict[str, float] = {}
        for t, w in rec["phenotype"].items():
            c = ontology.canonical(nearest_hpo(t) or "") if t.startswith(SIGN_PREFIX) else ontology.canonical(t)
            if c is not None and ontology.is_phenotype(c) and float(w) > ph.get(c, -1.0):
                ph[c] = float(w)
        excluded = tuple(c for c in (ontology.canonical(t) for t in rec.get("excluded", ())) if c is not None)
        out.append(SourceEntry(PREFIX + rec["slug"], KIND, rec["name"], tuple(rec.get("synonyms", ())),
                               phenotype=ph, excluded=excluded, phenotype_source=KIND))
    return out


def citation_of(source_id: str, path: str | Path = CRITERIA_PATH) -> str:
    """The short citation of a criteria entry ("Kitabchi et al., Diabetes Care 2009") for its
    source id ``CRITERIA:<slug>``; "" for any other id or an unknown slug."""
    if not source_id.startswith(PREFIX):
        return ""
    slug = source_id[len(PREFIX):]
    for rec in load_criteria(path):
        if rec["slug"] == slug:
            return rec["cite_short"]
    return ""


def risk_factors_of(cond) -> set[str]:
    """Risk-factor names (:data:`medcite.clinical.findings.risk.RISKS` keys) that the criteria
    entries merged into ``cond`` (a :class:`~.condition.Condition`) count, e.g. {"recent
    surgery", "immobilisation"} for pulmonary embolism (Wells); empty for other conditions."""
    slugs = {e.source_id[len(PREFIX):] for e in cond.entries if e.kind == KIND}
    if not slugs:
        return set()
    return {r for rec in load_criteria() if rec["slug"] in slugs for r in rec.get("risk_factors", ())}


def describe_source(source_id: str) -> str:
    """How output names a knowledge-base source id: a criteria entry with its citation
    ("CRITERIA:diabetic-ketoacidosis — after Kitabchi et al., Diabetes Care 2009"), any other id
    as itself."""
    cite = citation_of(source_id)
    return f"{source_id} — after {cite}" if cite else source_id
