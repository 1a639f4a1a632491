"""The open differential weighs the literature's say by how much of the case a candidate
explains (issue 15: a literature candidate explaining one finding in eleven ranked second)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from medcite.clinical.given import open_shares
from medcite.clinical.knowledge import KnowledgeBase, SourceEntry
from medcite.clinical.knowledge.combine import EXPLAINED_FULL, combine
from medcite.errors import UsageError

from .knowledge_fixtures import ANEMIA, COUGH, CRACK, FEVER, HEAD, PROD, RASH, tiny_entries, tiny_ontology

CASE = [PROD, FEVER, CRACK, HEAD, RASH, ANEMIA]
LIT_ONLY = "LIT:acute respiratory distress syndrome"


def _kb() -> KnowledgeBase:
    five = [(COUGH, FEVER, CRACK, HEAD, RASH), (FEVER, CRACK, HEAD, RASH, ANEMIA), (COUGH, FEVER, HEAD, RASH, ANEMIA)]
    extra = [SourceEntry(f"ORPHA:9{i}", "orpha", f"Five feature syndrome {i}", phenotype={t: 0.9 for t in terms})
             for i, terms in enumerate(five)]
    return KnowledgeBase.from_entries(tiny_ontology(), tiny_entries() + extra)


def _ranking(weighted: bool):
    kb = _kb()
    labels = [kb.ontology.names[t] for t in CASE]
    present = [SimpleNamespace(query_label=lambda label=label: label, concept_id=t) for label, t in zip(labels, CASE)]
    matches = kb.rank(CASE, [], limit=10)
    # the literature's best candidate: many passages, which mention one finding of six
    lit_by_key = {LIT_ONLY: SimpleNamespace(matched_findings=["Anemia"])}
    shares = open_shares(matches, lit_by_key, labels, {x: x for x in labels}, present, CASE, [], kb)
    ranked = combine(matches, {LIT_ONLY: 10.0}, kb=kb, weight=0.4, explains=shares if weighted else None)
    return [r.condition_id for r in ranked], shares


def test_literature_candidate_explaining_one_finding_ranks_below_kb_candidates_explaining_five():
    order, shares = _ranking(weighted=True)
    five = [f"ORPHA:9{i}" for i in range(3)]
    assert shares[LIT_ONLY] < min(shares[k] for k in five)
    assert all(order.index(LIT_ONLY) > order.index(k) for k in five)
    unweighted, _ = _ranking(weighted=False)  # the case exercises the weighting: without it the
    assert any(unweighted.index(LIT_ONLY) < unweighted.index(k) for k in five)  # literature's first wins a place


def test_a_candidate_explaining_enough_keeps_its_literature_score():
    kb = _kb()
    matches = kb.rank(CASE, [], limit=10)
    lit = {matches[1].condition.id: 4.0, LIT_ONLY: 2.0}
    plain = {r.condition_id: r.score for r in combine(matches, lit, kb=kb)}
    full = {r.condition_id: r.score for r in combine(matches, lit, kb=kb, explains={matches[1].condition.id: EXPLAINED_FULL, LIT_ONLY: 0.0})}
    assert full[matches[1].condition.id] == pytest.approx(plain[matches[1].condition.id])
    assert full[LIT_ONLY] == pytest.approx(0.0)  # explains nothing: no literature score left
    with pytest.raises(UsageError):
        combine(matches, lit, explained_full=0.0)
