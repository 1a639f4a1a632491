"""The literature ranking of the differential on a tiny index: findings split, matched and
unexplained findings, citations, the disclaimer; and the model-proposal parser."""

from __future__ import annotations

from medcite.clinical.diagnose import DISCLAIMER, MAX_FINDING_QUERIES, rank_candidates, split_findings
from medcite.clinical.propose import proposal_names
from medcite.retrieval import SearchOptions

FINDINGS = "A 45-year-old man with fever, night sweats and weight loss; chronic cough; cold intolerance"


def _rank(text, retriever, vocab, top_k=10, exclude_docs=None):
    """What the differential does for its literature side: one query per finding plus the joint
    text, fused, then :func:`rank_candidates`."""
    findings, context = split_findings(text)
    joint = " ".join(text.split())
    queries = findings[:MAX_FINDING_QUERIES] + [joint] if len(findings) > 1 else [joint]
    passages = retriever.search(queries, SearchOptions(top_k=10), exclude_docs=exclude_docs)
    return rank_candidates(text, findings, context, passages, vocab, top_k), passages


def test_split_findings_separates_context():
    findings, context = split_findings(FINDINGS)
    assert findings == ["fever", "night sweats", "weight loss", "chronic cough", "cold intolerance"]
    assert context == ["A 45-year-old man"]
    assert split_findings("Hb 8.1 g/dL. Ferritin low")[0] == ["Hb 8.1 g/dL", "Ferritin low"]


def test_ranking_matched_and_unexplained(retriever, vocab):
    d, _ = _rank(FINDINGS, retriever, vocab, top_k=5)
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
    d, _ = _rank(FINDINGS, retriever, vocab)
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
    d, _ = _rank(FINDINGS, retriever, vocab, exclude_docs={"medquad:tb-1", "medquad:tb-2"})
    assert all(r.id not in {"medquad:tb-1", "medquad:tb-2"} for r in d.references)


def test_no_passages_gives_an_empty_list_with_a_note(vocab):
    d = rank_candidates("fever; cough", ["fever", "cough"], [], [], vocab)
    assert d.candidates == [] and d.notes == ["no passages were retrieved"]


def test_disclaimer_ends_the_output(retriever, vocab):
    d, _ = _rank("fever; cough", retriever, vocab)
    j = d.to_json()
    assert j["disclaimer"] == DISCLAIMER and list(j)[-2:] == ["disclaimer", "timings"]
    assert "not a diagnosis" in DISCLAIMER


def test_model_reply_yields_names_only():
    reply = ("1. Tuberculosis: night sweats and weight loss point to it [3]\n"
             "- influenza — sudden fever [1][99]\n"
             "2. tuberculosis: again [2]\n"
             "no colon on this line\n")
    assert proposal_names(reply) == ["Tuberculosis", "influenza"]
    assert proposal_names("NONE") == [] and proposal_names("none of the sources") == []
