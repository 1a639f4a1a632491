"""How much of a case a given candidate explains: the share of the findings, weighted by their
information content, that the candidate's known phenotype or its literature accounts for.

Used to rank the candidates a clinician (``--candidates``) or a model proposes. As in the
Phenomizer (Köhler et al. 2009, "Clinical diagnostics in human genetics with semantic similarity
searches in ontologies", Am J Hum Genet 85:457), findings a candidate does not explain count
against it, and specific findings count more than common ones: a finding's weight is the
information content of its HPO term over the knowledge base's diseases (Resnik 1995), so neck
stiffness or photophobia left unexplained costs influenza more than fever explained gains it.
The literature volume behind a name (influenza has far more papers than meningitis) is then
only the second term of the score (:data:`EXPLAINED_SHARE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .knowledge.base import KBMatch
from .knowledge.scoring import score_profile
from .terms import normalize

#: Share of the explained-findings term in a given candidate's score; the rest is the combined
#: knowledge-base / literature score of the open differential (relative to the case's best).
#: 0.6 rather than 0.5 so that a candidate explaining the whole case with no support outranks one
#: explaining a fifth of it with the best support (0.6 > 0.52).
EXPLAINED_SHARE = 0.6
#: Weight of a finding the knowledge base has no information content for (a piece of text the
#: extractor did not map to HPO); about the IC of a very common term such as "Pain".
DEFAULT_WEIGHT = 1.0
#: Cost of a contradicting finding relative to an unexplained one of the same weight.
CONTRADICTION_COST = 1.0
#: Credit for a finding only the literature ties to a candidate that has a curated phenotype
#: which lacks it (a passage naming influenza may mention neck stiffness as a warning sign of
#: something else); a candidate without a phenotype gets full credit from the literature.
LITERATURE_CREDIT = 0.5


def finding_weights(labels: Iterable[str], concept_of: Mapping[str, str], ic_of) -> dict[str, float]:
    """``{label: weight}`` for the case's findings.

    Args:
        labels: the findings as the literature query says them (``"right lower quadrant abdominal
            pain"``, or a piece of text the extractor did not map).
        concept_of: label → HPO id (labels without one get :data:`DEFAULT_WEIGHT`).
        ic_of: HPO id → information content in nats (e.g. ``kb.tables.term_ic``); may raise
            ``KeyError`` for unknown ids.

    Returns:
        weights ≥ :data:`DEFAULT_WEIGHT`.
    """
    out = {}
    for label in labels:
        cid = concept_of.get(label)
        try:
            w = float(ic_of(cid)) if cid else DEFAULT_WEIGHT
        except (KeyError, TypeError, ValueError):
            w = DEFAULT_WEIGHT
        out[label] = max(DEFAULT_WEIGHT, w)
    return out


def explained_share(explained: Iterable[str], weights: Mapping[str, float], contradicted_weight: float = 0.0,
                    partly: Iterable[str] = (), partial_credit: float = 1.0) -> float:
    """Weighted share of the findings explained, less the weighted share contradicted.

    Args:
        explained: labels (keys of ``weights``) the candidate explains; others are ignored.
        weights: :func:`finding_weights` of all the case's findings.
        contradicted_weight: summed weight of the findings that argue against the candidate.
        partly: labels explained on weaker evidence (a passage naming the candidate mentions
            the finding), counted ``partial_credit`` times unless also in ``explained``.

    Returns:
        a value in ``[-1, 1]`` (0.0 when ``weights`` is empty).
    """
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    full = {x for x in explained if x in weights}
    got = sum(weights[x] for x in full) + partial_credit * sum(weights[x] for x in set(partly) - full if x in weights)
    return max(-1.0, (got - CONTRADICTION_COST * contradicted_weight) / total)


def candidate_share(match, in_literature: Iterable[str], findings: Iterable[str], hpo_label: Mapping[str, str],
                    names: Mapping[str, str], weights: Mapping[str, float], ic_of) -> float:
    """:func:`explained_share` of one candidate: the findings its knowledge-base phenotype
    explains, those only the literature ties to it (:data:`LITERATURE_CREDIT` each when it has a
    curated phenotype, full credit when it has none), less its contradicted findings.

    Args:
        match: its :class:`~medcite.clinical.knowledge.base.KBMatch` (``None``: literature only).
        in_literature: findings (labels of ``findings``) a passage about it mentions.
        findings: the case's finding labels as the literature query says them.
        hpo_label: label → HPO display name of the finding (labels of mapped findings).
        names: HPO id → display name (``kb.ontology.names``).
        weights: :func:`finding_weights` of ``findings``. ic_of: HPO id → information content.

    Returns:
        a value in ``[-1, 1]``.
    """
    shown = {names.get(t, t) for t in (match.explained if match is not None else [])}
    explained = {f for f in findings if hpo_label.get(f, f) in shown}
    contra = sum(ic_of(t) for t in (match.contradicted if match is not None else []))
    credit = LITERATURE_CREDIT if match is not None and match.condition.phenotype else 1.0
    return explained_share(explained, weights, contra, in_literature, credit)


def open_shares(matches, lit_by_key, lit_findings, hpo_label, present, q_ids, x_ids, kb, exclude_sources=()) -> dict[str, float]:
    """``{candidate key: IC-weighted share of the case it explains}`` for the open differential
    (:func:`candidate_share`): its phenotype (scored here for a literature
    candidate the knowledge base knows but did not rank) and the findings that the case's passages
    supporting it mention.

    Args:
        matches: the knowledge base's matches (:meth:`KnowledgeBase.rank`).
        lit_by_key: ``{key: literature Candidate}`` (its ``matched_findings`` are the findings its
            supporting passages mention). lit_findings, hpo_label: as for :func:`candidate_share`.
        present: the present findings (their ``query_label()`` and HPO ``concept_id``).
        q_ids, x_ids: HPO ids of the present and the negated findings.
        kb: the knowledge base. exclude_sources: its source entries left out (leave-one-out).

    Returns:
        one share in ``[-1, 1]`` per key of ``matches`` and ``lit_by_key``.
    """
    weights = finding_weights(lit_findings, {f.query_label(): f.concept_id for f in present}, kb.tables.term_ic)
    by_id = {m.condition.id: m for m in matches}
    q = kb.terms(q_ids)
    x = [t for t in kb.terms(x_ids) if t not in q]
    out = {}
    for key in [*by_id, *lit_by_key]:
        m = by_id.get(key)
        cond = kb.get(key) if m is None and q else None
        profile = cond.phenotype_without(exclude_sources) if cond is not None else None
        if profile:
            m = KBMatch(cond, *score_profile(kb.ontology, kb.tables.term_ic, profile, q, x))
        lc = lit_by_key.get(key)
        out[key] = candidate_share(m, lc.matched_findings if lc else (), lit_findings, hpo_label, kb.ontology.names, weights, kb.tables.term_ic)
    return out


def given_score(share: float, support: float) -> float:
    """A given candidate's score: ``EXPLAINED_SHARE · share + (1 - EXPLAINED_SHARE) · support``,
    ``support`` being its combined knowledge-base / literature score in ``[0, 1]``.

    On the 17 vignettes of ``scripts/eval_vignettes.py`` (gold plus two distractors) the gold was
    first in 15 with this sum on the hashing index (/work/indexes/diag-hash, BM25) and 11 on the
    demo diagnosis index (hybrid); the product ``share · (0.5 + 0.5 · support)`` gave 14 and 11.
    """
    return EXPLAINED_SHARE * share + (1 - EXPLAINED_SHARE) * max(0.0, min(1.0, support))


#: Qualifiers that make a condition a distinct, narrower one ("hereditary pancreatitis" is not
#: the "acute pancreatitis" a clinician means, though OMIM also calls it "Pancreatitis").
NARROWING = frozenset({"hereditary", "familial", "congenital", "neonatal", "infantile", "juvenile", "autosomal",
                       "x-linked", "x linked", "drug-induced", "drug induced", "chronic", "acute", "recurrent", "idiopathic"})


def narrower(name: str, cond) -> bool:
    """Whether ``cond`` (a knowledge-base condition a typed ``name`` resolved to) is a narrower
    condition than the one meant: its display name carries a qualifier of :data:`NARROWING` that
    ``name`` lacks, and ``name`` is not itself one of its names."""
    given = normalize(name)
    if given in {normalize(n) for n in cond.all_names()}:
        return False
    shown, typed = f" {normalize(cond.name)} ", f" {given} "
    return any(f" {q} " in shown and f" {q} " not in typed for q in NARROWING)


def curated_name(name: str, cond) -> bool:
    """Whether ``name`` is a name the curated criteria entry of ``cond`` (:mod:`.knowledge.criteria`)
    gives it: such synonyms were chosen to denote that condition ("ST-elevation myocardial
    infarction" for "Acute myocardial infarction"), unlike OMIM's bare "Pancreatitis" for
    hereditary pancreatitis, so the display name's "acute" does not make it narrower."""
    key = normalize(name)
    return any(x.kind == "criteria" and key in {normalize(n) for n in (x.name, *x.synonyms)} for x in cond.entries)


def resolve_name(name: str, kb, vocabulary):
    """The knowledge-base condition a typed name denotes: the name itself, the index vocabulary's
    condition for it (abbreviations such as "DIC"), else the name without its leading qualifiers
    ("bacterial meningitis" → Meningitis, "community-acquired pneumonia" → Pneumonia) when that
    head is a condition, not a finding ("inferior ST-elevation myocardial infarction" → the
    criteria's "Acute myocardial infarction", :func:`curated_name`) — never a narrower condition than the name says ("acute
    pancreatitis" is not OMIM's "Hereditary pancreatitis", though OMIM also calls that
    "Pancreatitis"). ``(condition or None, exact)``."""
    cond = kb.resolve(name)
    if cond is not None and not narrower(name, cond):
        return cond, True
    v = vocabulary.lookup(name)
    if v is not None:
        cond = kb.resolve(v.name)
        if cond is not None and not narrower(name, cond):
            return cond, True
    words = name.split()
    for k in range(1, len(words)):
        head = " ".join(words[k:])
        cond = kb.resolve(head)
        # the broader condition must be named so ("acute pancreatitis" → Pancreatitis), not a
        # narrower one the head happens to resolve to
        if (cond is not None and not kb.is_finding_name(head) and (not narrower(name, cond) or curated_name(head, cond))
                and normalize(head) in {normalize(n) for n in cond.all_names()}):
            return cond, False
    return None, False
