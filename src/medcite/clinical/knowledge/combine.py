"""Combining the knowledge-base ranking with literature evidence into one differential.

Both sides are put on a 0–1 scale relative to the case's best candidate, then mixed linearly::

    combined = (1 - LITERATURE_WEIGHT) · kb_rel + LITERATURE_WEIGHT · lit_rel
    kb_rel  = max(0, kb_score) / max over candidates of max(0, kb_score)
    lit_rel = literature[id] / max(literature.values())

The literature score is a per-condition retrieval-evidence score the caller computes from the
passages it retrieved for the case: any non-negative number, larger meaning more and better
supporting passages (for example ``medcite.clinical.diagnose``'s candidate evidence: summed
fused-rank votes times IDF); only ratios within one case matter. A condition that only the
literature names enters with ``kb_rel = 0`` — under its knowledge-base id when the caller resolved
its name (:meth:`KnowledgeBase.resolve`), else under whatever key the caller gave. Findings
(:mod:`.kinds`) are dropped from both sides. Ties keep knowledge-base order, then literature order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...errors import UsageError
from .base import KBMatch, KnowledgeBase

#: Share of the literature in the combined score (0: knowledge base only, 1: literature only).
LITERATURE_WEIGHT = 0.5


@dataclass
class Ranked:
    """One condition of the combined differential.

    Attributes:
        condition_id: knowledge-base id, or the caller's key for a condition the knowledge base
            does not know.
        name: display name (the key itself when unknown to the knowledge base).
        score: combined score in [0, 1] (relative to this case's best candidates).
        kb_score: the knowledge-base score (``None`` when it did not rank the condition).
        literature_score: the caller's literature score (``None`` when it gave none).
        match: the knowledge-base match (explained / unexplained / contradicted findings), if any.
    """

    condition_id: str
    name: str
    score: float
    kb_score: float | None
    literature_score: float | None
    match: KBMatch | None = None

    @property
    def source(self) -> str:
        """"both", "knowledge base" or "literature"."""
        if self.kb_score is not None and self.literature_score:
            return "both"
        return "knowledge base" if self.kb_score is not None else "literature"


def combine(kb_matches: Sequence[KBMatch], literature: Mapping[str, float], *, kb: KnowledgeBase | None = None,
            weight: float = LITERATURE_WEIGHT, limit: int | None = None) -> list[Ranked]:
    """One ranked differential from knowledge-base matches and literature scores (module docstring).

    Args:
        kb_matches: :meth:`KnowledgeBase.rank` output.
        literature: ``{condition id or name: literature score ≥ 0}``.
        kb: used to name literature-only conditions and drop findings among them.
        weight: :data:`LITERATURE_WEIGHT` by default.
        limit: keep this many (all when ``None``).

    Raises:
        UsageError: a weight outside [0, 1] or a negative literature score.
    """
    if not 0.0 <= weight <= 1.0:
        raise UsageError(f"literature weight must be in [0, 1], got {weight}")
    if any(v < 0 for v in literature.values()):
        raise UsageError("literature scores must be non-negative")
    kb_top = max((max(0.0, m.score) for m in kb_matches), default=0.0) or 1.0
    lit_top = max(literature.values(), default=0.0) or 1.0
    out: dict[str, Ranked] = {}
    for m in kb_matches:
        cid = m.condition.id
        if cid in out:
            continue
        lit = literature.get(cid)
        rel = (1 - weight) * max(0.0, m.score) / kb_top + weight * (lit or 0.0) / lit_top
        out[cid] = Ranked(cid, m.condition.name, rel, m.score, lit, m)
    for key, lit in literature.items():
        if key in out:
            continue
        name = key
        if kb is not None:
            cond = kb.get(key)
            if cond is not None:
                if cond.id in out:
                    continue
                name = cond.name
            if kb.is_finding_name(name):
                continue
        out[key] = Ranked(key, name, weight * lit / lit_top, None, lit)
    ranked = sorted(out.values(), key=lambda r: -r.score)
    return ranked[:limit] if limit is not None else ranked
