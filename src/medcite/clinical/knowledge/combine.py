"""Combining the knowledge-base ranking with literature evidence into one differential.

Two fusions of the two rankings, mixed. The scores, each on a 0–1 scale relative to the case's
best candidate, mixed linearly::

    linear  = (1 - LITERATURE_WEIGHT) · kb_rel + LITERATURE_WEIGHT · lit_rel
    kb_rel  = max(0, kb_score) / max over candidates of max(0, kb_score)
    lit_rel = literature[id] / max(literature.values())

and the ranks, by reciprocal rank fusion (Cormack, Clarke & Büttcher 2009, SIGIR), scaled so a
condition first on both sides gets 1::

    rrf = (1 / (RRF_K + kb_rank) + RRF_LITERATURE / (RRF_K + lit_rank)) · (RRF_K + 1) / (1 + RRF_LITERATURE)

(a side that does not rank the condition adds 0), then ``combined = (1 - RANK_SHARE) · linear +
RANK_SHARE · rrf``. The linear part keeps the size of a lead (a knowledge-base match far ahead of
the rest stays ahead); the rank part does not let one side's score scale decide — the
literature's relative scores are flat for common conditions named in many passages, the
knowledge base's for rare ones sharing a phenotype. Measured on ``scripts/eval_diagnosis.py``
(seed 13, 600 cases, hashing index, BM25): see :data:`RANK_SHARE`.

When the caller gives how much of the case each candidate explains (the information-content
weighted share of :func:`medcite.clinical.given.candidate_share`), the literature's two terms
(``lit_rel`` and its reciprocal rank) are multiplied by ``min(1, max(0, share) /
EXPLAINED_FULL)``: the literature's first-ranked condition explaining one finding in eleven (acute
respiratory distress syndrome for a TTP note: it names creatinine) keeps only ``share /
EXPLAINED_FULL`` of its literature score and cannot outrank knowledge-base candidates that explain
most of the case; one explaining :data:`EXPLAINED_FULL` of it or more keeps all of it.

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
#: Share of the rank fusion in the combined score (0: the linear mix alone, the method before
#: this constant). RRF_K: the rank offset (small: the first few ranks count most, the lists are
#: short and their heads matter); RRF_LITERATURE: the literature's weight in the rank fusion.
#: Set on seed 13 of ``scripts/eval_diagnosis.py`` (600 cases, hashing index, BM25, literature
#: weight 0.4), over share 0.3–1, k 2–5, literature 0.5–1.2, keeping the pneumonia vignette of
#: issue 15 first: top-1/5/10 0.357/0.588/0.648 with the linear mix alone, 0.343/0.618/0.667
#: here; seed 7 0.353/0.595/0.635 → 0.337/0.613/0.652, seed 21 0.393/0.620/0.660 →
#: 0.367/0.637/0.673 (MRR@10 unchanged ±0.01). RRF_LITERATURE 0.7 ranks about as well but puts
#: the pneumonia case third (its knowledge-base rank is 20, its literature rank 1); a pure rank
#: fusion (share 1) costs top-1 (0.26–0.33).
RANK_SHARE = 0.5
RRF_K = 2
RRF_LITERATURE = 0.85
#: Explained share at and above which a candidate keeps all of its literature score (module
#: docstring); below it the literature's terms shrink in proportion. Set on the recorded ranking
#: inputs of ``scripts/eval_diagnosis.py --record`` (600 cases, hashing index, BM25), re-scored
#: (re-scoring reproduces a real run's figures): top-1/5/10 seed 13 0.345/0.618/0.668
#: unweighted, 0.345/0.622/0.660 at 0.3, 0.347/0.610/0.660 at 0.4, 0.350/0.607/0.652 at 0.5,
#: 0.403/0.593/0.635 at 1; seed 7 0.337/0.613/0.652 unweighted, 0.335/0.617/0.648 at 0.3,
#: 0.335/0.618/0.650 at 0.4, 0.335/0.613/0.650 at 0.5. The MedQuAD cases it costs are conditions
#: whose other records the literature finds by their focus but whose passages name few of the
#: case's findings. A larger literature weight or rank weight does not win them back (top-1 falls
#: to 0.18–0.29, top-10 ≤ 0.660). 0.4 rather than 0.3: on the TTP note of the demo diagnosis
#: index (11 findings) rabies, a literature candidate explaining 3, is 6th at 0.3, out of the
#: top 10 at 0.4 (acute respiratory distress syndrome, explaining 1, is out at either).
EXPLAINED_FULL = 0.4


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
            weight: float = LITERATURE_WEIGHT, limit: int | None = None, rank_share: float = RANK_SHARE,
            rrf_k: float = RRF_K, rrf_literature: float = RRF_LITERATURE, explains: Mapping[str, float] | None = None,
            explained_full: float = EXPLAINED_FULL) -> list[Ranked]:
    """One ranked differential from knowledge-base matches and literature scores (module docstring).

    Args:
        kb_matches: :meth:`KnowledgeBase.rank` output.
        literature: ``{condition id or name: literature score ≥ 0}``.
        kb: used to name literature-only conditions and drop findings among them.
        weight: :data:`LITERATURE_WEIGHT` by default.
        limit: keep this many (all when ``None``).
        rank_share, rrf_k, rrf_literature: the rank fusion's share, offset and literature
            weight (:data:`RANK_SHARE`, :data:`RRF_K`, :data:`RRF_LITERATURE`).
        explains: ``{key: share of the case explained, in [-1, 1]}`` (keys as in ``kb_matches``
            and ``literature``); a key it lacks keeps all of its literature score, and ``None``
            (the default) turns the weighting off.
        explained_full: :data:`EXPLAINED_FULL` by default.

    Raises:
        UsageError: a weight or rank share outside [0, 1], ``rrf_k`` < 0, ``rrf_literature`` < 0,
            ``explained_full`` ≤ 0, or a negative literature score.
    """
    if not 0.0 <= weight <= 1.0:
        raise UsageError(f"literature weight must be in [0, 1], got {weight}")
    if not 0.0 <= rank_share <= 1.0 or rrf_k < 0 or rrf_literature < 0:
        raise UsageError(f"rank fusion needs a share in [0, 1] and non-negative k and weight, got {rank_share}, {rrf_k}, {rrf_literature}")
    if explained_full <= 0:
        raise UsageError(f"explained_full must be positive, got {explained_full}")
    if any(v < 0 for v in literature.values()):
        raise UsageError("literature scores must be non-negative")
    kb_top = max((max(0.0, m.score) for m in kb_matches), default=0.0) or 1.0
    lit_top = max(literature.values(), default=0.0) or 1.0
    kb_rank: dict[str, int] = {}
    for m in sorted(kb_matches, key=lambda m: -m.score):
        kb_rank.setdefault(m.condition.id, len(kb_rank) + 1)
    lit_rank = {k: i for i, k in enumerate(sorted(literature, key=lambda k: -literature[k]), 1) if literature[k] > 0}
    scale = (rrf_k + 1) / (1 + rrf_literature)

    def fused(key: str, kb_rel: float, lit: float | None) -> float:
        share = explains.get(key) if explains is not None else None
        gate = 1.0 if share is None else min(1.0, max(0.0, share) / explained_full)
        linear = (1 - weight) * kb_rel + weight * gate * (lit or 0.0) / lit_top
        rrf = (1 / (rrf_k + kb_rank[key]) if key in kb_rank else 0.0) + gate * (
            rrf_literature / (rrf_k + lit_rank[key]) if key in lit_rank else 0.0)
        return (1 - rank_share) * linear + rank_share * rrf * scale

    out: dict[str, Ranked] = {}
    for m in kb_matches:
        cid = m.condition.id
        if cid in out:
            continue
        lit = literature.get(cid)
        out[cid] = Ranked(cid, m.condition.name, fused(cid, max(0.0, m.score) / kb_top, lit), m.score, lit, m)
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
        out[key] = Ranked(key, name, fused(key, 0.0, lit), None, lit)
    ranked = sorted(out.values(), key=lambda r: -r.score)
    return ranked[:limit] if limit is not None else ranked
