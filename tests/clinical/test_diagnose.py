"""Differential diagnosis on a tiny index: ranking, matched/unexplained findings, citations, disclaimer."""

from __future__ import annotations

import pytest

from medcite.clinical.diagnose import DISCLAIMER, diagnose, split_findings
from medcite.errors import UsageError
from medcite.retrieval import SearchOptions

FINDINGS = "A 45-year-old man with fever, night sweats and weight loss; chronic cough; cold intolerance"


def test_split_findings_separates_context():
    findings, context = split_findings(FINDINGS)
    assert findings == ["fever", "night sweats", "weight loss", "chronic cough", "cold intolerance"]
    assert context == ["A 45-year-old man"]
    assert split_findings("Hb 8.1 g/dL. Ferritin low")[0] == ["Hb 8.1 g/dL", "Ferritin low"]


def test_ranking_matched_and_unexplained(retriever, vocab):
    d = diagnose(FINDINGS, retriever, vocab, SearchOptions(top_k=10), top_k=5)
    names = [c.condition for c in d.candidates]
    assert names[0] == "Tuberculosis"
    top = d.candidates[0]
    assert set(top.matched_findings) == {"fever", "night sweats", "weight loss", "chronic cough"}
    assert top.unexplained_findings == ["cold intolerance"]
    assert top.evidence_count >= 2
    hypo = next(c for c in d.candidates if c.condition == "Hypothyroidism")
    assert "cold intolerance" in hypo.matched_findings and "night sweats" in hypo.unexplained_findings
    scores = [c.score for c in d.candidates]
    assert scores == sorted(scores, reverse=True)


def test_every_candidate_cites_a_reference_that_supports_it(retriever, vocab):
    d = diagnose(FINDINGS, retriever, vocab, SearchOptions(top_k=10), top_k=10)
    assert d.candidates
    for c in d.candidates:
        assert c.citations and all(1 <= n <= len(d.references) for n in c.citations)
        for s in c.support:
            ref = d.references[s["n"] - 1]
            assert ref.id == s["doc_id"]
            if s["quote"]:
                assert s["quote"] in ref.passage
    assert [r.n for r in d.references] == list(range(1, len(d.references) + 1))


def test_leave_one_out_excludes_documents(retriever, vocab):
    d = diagnose(FINDINGS, retriever, vocab, SearchOptions(top_k=10), exclude_docs={"medquad:tb-1", "medquad:tb-2"})
    assert all(r.id not in {"medquad:tb-1", "medquad:tb-2"} for r in d.references)


def test_disclaimer_ends_the_output(retriever, vocab):
    d = diagnose("fever; cough", retriever, vocab, SearchOptions(top_k=5))
    j = d.to_json()
    assert j["disclaimer"] == DISCLAIMER and list(j)[-2:] == ["disclaimer", "timings"]
    assert "not a diagnosis" in DISCLAIMER


def test_empty_or_context_only_findings_are_refused(retriever, vocab):
    with pytest.raises(UsageError):
        diagnose("   ", retriever, vocab)
    with pytest.raises(UsageError):
        diagnose("a 30-year-old woman", retriever, vocab)
