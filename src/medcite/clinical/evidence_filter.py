"""Evidence filters for retrieval: a minimum evidence level and publication types.

``--evidence rct`` keeps papers whose evidence level (:func:`medcite.clinical.evidence.evidence_level`:
PubMed publication types, else design wording in the abstract) is a randomized controlled trial
or stronger on the pyramid (practice guideline, systematic review, meta-analysis);
``--publication-type "Case Reports"`` keeps papers with that PubMed publication type, or whose level
read from the text has that name (records without publication types, such as PubMedQA's, are
classified from their wording). Both become a per-document mask applied before the top-k cut, as
the year filter is (:meth:`medcite.retrieval.Retriever.search`).
"""

from __future__ import annotations

import numpy as np

from ..errors import UsageError
from .evidence import LEVELS, PUBLICATION_TYPES, base_level, evidence_level, evidence_rank

#: Names accepted by ``--evidence`` → the level they stand for.
EVIDENCE_NAMES: dict[str, str] = {
    "meta-analysis": "Meta-Analysis",
    "systematic-review": "Systematic Review",
    "guideline": "Practice Guideline",
    "rct": "Randomized Controlled Trial",
    "clinical-trial": "Clinical Trial",
    "observational": "Observational Study",
    "case-report": "Case Report",
    "review": "Review",
}


def min_rank(name: str) -> int:
    """Rank of an ``--evidence`` name (``"rct"`` → 5); a level's own name is accepted too.

    Raises:
        UsageError: unknown name (the message lists the accepted ones).
    """
    key = " ".join(name.strip().lower().replace("_", "-").split())
    label = EVIDENCE_NAMES.get(key) or EVIDENCE_NAMES.get(key.replace(" ", "-")) or next((lv for lv in LEVELS if lv.lower() == key), None)
    if label is None:
        raise UsageError(f"unknown evidence level {name!r}: use one of {', '.join(EVIDENCE_NAMES)}")
    return LEVELS[label]


def check_publication_types(types: list[str] | tuple[str, ...]) -> list[str]:
    """Normalised (lower-case, single-spaced) publication types; empty strings dropped."""
    return [" ".join(t.lower().split()) for t in types if t and t.strip()]


def document_evidence(index) -> tuple[np.ndarray, list[frozenset[str]]]:
    """``(ranks, names)`` per document of ``index`` (in ``index.doc_ids`` order): the evidence rank
    (int8, 0 unknown) and the lower-case names a publication-type filter matches (the record's
    publication types and its level's name). Computed once per loaded index (a few seconds for
    15,000 abstracts) and kept on it."""
    cached = index.__dict__.get("_evidence_by_doc")
    if cached is not None:
        return cached
    pos = {d: i for i, d in enumerate(index.doc_ids)}
    ranks = np.zeros(len(index.doc_ids), dtype=np.int8)
    names: list[frozenset[str]] = [frozenset()] * len(index.doc_ids)
    for doc in index.store.iter_documents():
        i = pos.get(doc.id)
        if i is None:
            continue
        label = evidence_level(doc.publication_types, doc.title + "\n" + doc.body(), doc.id)
        ranks[i] = evidence_rank(label)
        own = {" ".join(t.lower().split()) for t in doc.publication_types}
        if label:
            own.add(base_level(label).lower())
            own |= {pt for pt, lv in PUBLICATION_TYPES.items() if lv == base_level(label)}
        names[i] = frozenset(own)
    index.__dict__["_evidence_by_doc"] = (ranks, names)
    return ranks, names


def evidence_doc_mask(index, evidence: str | None, publication_types: list[str] | tuple[str, ...] = ()) -> np.ndarray | None:
    """``(n_docs,) bool`` documents passing the filters, or ``None`` when no filter is set."""
    wanted = check_publication_types(publication_types or ())
    if not evidence and not wanted:
        return None
    ranks, names = document_evidence(index)
    ok = np.ones(len(ranks), dtype=bool)
    if evidence:
        ok &= ranks >= min_rank(evidence)
    if wanted:
        ok &= np.fromiter((any(w in n for w in wanted) for n in names), dtype=bool, count=len(names))
    return ok
