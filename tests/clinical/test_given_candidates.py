"""Given candidates (``--candidates``) are ranked by the findings each explains, not by how much
literature their name has (issue 15, defect 2 of the break-test: influenza above meningitis with
neck stiffness and photophobia unexplained)."""

from __future__ import annotations

import pytest

from medcite.clinical.differential import differential, resolve_name
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.given import explained_share, finding_weights, given_score
from medcite.clinical.knowledge import KnowledgeBase, SourceEntry
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import COUGH, CRACK, FEVER, case_kb, tiny_ontology


def _case(text: str, *terms: tuple[str, str]) -> CaseFindings:
    fs = []
    for cid, label in terms:
        i = max(text.lower().find(label.lower()), 0)
        fs.append(Finding(cid, label, text[i:i + len(label)], i, i + len(label), "present", "symptom", None, "hpo-name"))
    return CaseFindings(text, tuple(fs), None, None, "en")


@pytest.fixture
def kb() -> KnowledgeBase:
    # tuberculosis: three indexed documents name it, but its phenotype has no crackles;
    # "Cough crackle syndrome": no indexed literature, but it explains every finding of the case
    return case_kb()


def test_unexplained_findings_lower_a_given_candidate(retriever, vocab, kb):
    text = "fever; cough; crackles"
    case = _case(text, (FEVER, "Fever"), (COUGH, "Cough"), (CRACK, "Crackles"))
    d = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=case,
                     candidates=["tuberculosis", "Cough crackle syndrome"])
    assert [c.given_as for c in d.candidates] == ["Cough crackle syndrome", "tuberculosis"]
    tb = d.candidates[1]
    assert tb.citations and "Crackles" in tb.unexplained_findings  # more literature, fewer findings explained


def test_specific_findings_weigh_more():
    w = finding_weights(["Fever", "Stiff neck", "odd piece"], {"Fever": "F", "Stiff neck": "S"}, {"F": 1.5, "S": 6.0}.__getitem__)
    assert w["Stiff neck"] > w["Fever"] and w["odd piece"] == 1.0
    assert explained_share(["Stiff neck"], w) > explained_share(["Fever", "odd piece"], w)
    assert explained_share(["Fever", "Stiff neck"], w, contradicted_weight=6.0) < explained_share(["Fever", "Stiff neck"], w)
    assert given_score(1.0, 0.0) > given_score(0.2, 1.0)  # explaining the case beats literature volume


def test_broader_name_must_be_a_name_of_the_condition(vocab):
    # "Pancreatitis" is a synonym OMIM gives hereditary pancreatitis: "acute pancreatitis" is not it
    kb = KnowledgeBase.from_entries(tiny_ontology(), [
        SourceEntry("OMIM:167800", "omim", "Hereditary pancreatitis", synonyms=("Pancreatitis",), phenotype={FEVER: 0.5}),
        SourceEntry("MESH:Meningitis", "mesh", "Meningitis"),
    ])
    assert resolve_name("bacterial meningitis", kb, vocab)[0].name == "Meningitis"
    cond, _ = resolve_name("acute pancreatitis", kb, vocab)
    assert cond is None or cond.name != "Hereditary pancreatitis"


def test_candidates_that_explain_nothing_are_said_to_be_weak(retriever, vocab, kb):
    text = "fever; cough"
    case = _case(text, (FEVER, "Fever"), (COUGH, "Cough"))
    d = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=case, candidates=["Martian pox", "Venusian itch"])
    assert all(c.score <= 0 for c in d.candidates)
    assert any(n.startswith("weak evidence") for n in d.notes)


def test_a_passage_naming_a_candidate_in_passing_speaks_only_through_that_sentence():
    from medcite.clinical.differential import _about
    from medcite.documents import Passage

    lyme = Passage(1, "medquad:lyme", "Many of its symptoms are like those of the flu. Lyme disease causes a stiff neck.",
                   "ANSWER", 0, 80, title="What is Lyme disease?")
    assert "stiff" not in _about(lyme, "text", "Many of its symptoms are like those of the flu.")
    assert "stiff" in _about(lyme, "focus", "")  # a passage about the condition speaks in full


def test_a_named_sign_is_searched_as_a_finding_with_its_classic_condition(retriever, vocab, kb):
    """"McBurney point tenderness" reads like a condition name to the typing rule; it was left out
    of the literature queries as a "named condition", so a textbook appendicitis note never
    searched its most specific sign (break-test of session 9)."""
    from medcite.clinical.findings.location import search_phrase

    text = "fever; cough; McBurney point tenderness"
    case = _case(text, (FEVER, "Fever"), (COUGH, "Cough"))
    i = text.index("McBurney")
    sign = Finding("MEDCITE:mcburney-point-tenderness", "McBurney point tenderness", text[i:], i, len(text),
                   "present", "sign", None, "lexicon")
    case = CaseFindings(text, case.findings + (sign,), None, None, "en")
    assert search_phrase(sign) == "McBurney point tenderness appendicitis"
    seen: list[str] = []
    search = retriever.search

    def spy(queries, *a, **k):
        seen.extend([queries] if isinstance(queries, str) else queries)
        return search(queries, *a, **k)

    retriever.search = spy
    d = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=case)
    assert any("McBurney point tenderness appendicitis" in q for q in seen), seen
    assert "McBurney point tenderness" not in [c.condition for c in d.candidates]
