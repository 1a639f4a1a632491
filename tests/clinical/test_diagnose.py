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
                assert s["quote"] in ref.title + "\n" + ref.passage
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


def test_model_proposals_without_a_naming_citation_are_dropped(retriever, vocab, embedder, clinical_index):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from medcite.answer.generators import ChatGenerator

    passages = retriever.search(["fever", "night sweats", "weight loss", "fever; night sweats; weight loss"], SearchOptions(top_k=10))
    tb = next(i for i, p in enumerate(passages, 1) if p.doc_id.startswith("medquad:tb"))
    flu = next(i for i, p in enumerate(passages, 1) if p.doc_id == "medquad:flu-1")
    reply = (
        f"1. Tuberculosis: night sweats and weight loss point to it [{tb}]\n"
        f"2. Lupus: fever can occur [{tb}]\n"  # cited passage does not name lupus → dropped
        f"3. Influenza: sudden fever [{flu}][99]\n"  # [99] names no passage → removed, [flu] kept
        "4. Malaria: fever\n"  # no citation → dropped
    )
    gen = ChatGenerator(FakeListChatModel(responses=[reply]), name="fake", context_tokens=100000)
    d = diagnose("fever; night sweats; weight loss", retriever, vocab, SearchOptions(top_k=10), top_k=5, generator=gen)
    names = [c.condition for c in d.candidates]
    assert names[:2] == ["Tuberculosis", "Influenza"]
    assert "Lupus" not in names and "Malaria" not in names
    assert d.candidates[0].proposed_by == "model" and d.generator == "fake"
    assert any("2 model-proposed" in n for n in d.notes)
    for c in d.candidates:
        assert c.citations and all(1 <= n <= len(d.references) for n in c.citations)
    assert d.candidates[0].explanation == ""  # no guard given: the model's reason is not shown


def test_model_reasons_are_kept_only_when_the_guard_supports_them(retriever, vocab, embedder):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from medcite.answer.generators import ChatGenerator
    from medcite.answer.guard import CitationGuard

    passages = retriever.search(["fever", "cough", "fatigue", "fever; cough; fatigue"], SearchOptions(top_k=10))
    flu = next(i for i, p in enumerate(passages, 1) if p.doc_id == "medquad:flu-1")
    hypo = next(i for i, p in enumerate(passages, 1) if p.doc_id == "medquad:hypo-1")
    reply = (
        f"Influenza: Influenza is a viral infection with sudden fever, sore throat, muscle aches and a dry cough [{flu}]\n"
        f"Hypothyroidism: the moon landing happened in 1969 [{hypo}]\n"
    )
    gen = ChatGenerator(FakeListChatModel(responses=[reply]), name="fake", context_tokens=100000)
    d = diagnose("fever; cough; fatigue", retriever, vocab, SearchOptions(top_k=10), top_k=5, generator=gen, guard=CitationGuard(embedder))
    by = {c.condition: c for c in d.candidates}
    assert by["Influenza"].explanation.startswith("Influenza is a viral infection")
    assert by["Hypothyroidism"].explanation == "" and by["Hypothyroidism"].proposed_by == "model"
