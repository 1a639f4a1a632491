"""The anatomical site of a pain or tenderness finding survives extraction (issue 15, defect 1 of
the break-test: "right lower quadrant" was dropped) and reaches the literature query."""

from __future__ import annotations

import pytest

from medcite.clinical.differential import differential
from medcite.clinical.findings import CaseFindings, Finding, extract_findings
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import FEVER, tiny_kb

ABDOMINAL_PAIN = "HP:0002027"


def _pain(text: str) -> Finding:
    return next(f for f in extract_findings(text).findings if "pain" in f.label.lower())


def test_location_before_the_finding_is_kept():
    f = _pain("right lower quadrant abdominal pain, vomiting, fever")
    assert f.concept_id == ABDOMINAL_PAIN and f.status == "present"
    assert f.location == "right lower quadrant"
    assert f.query_label() == "right lower quadrant abdominal pain"


def test_abbreviated_and_trailing_sites():
    assert _pain("Pain in the RLQ since this morning.").location == "right lower quadrant"
    # generic "pain" at an abdominal site is abdominal pain, the site kept
    ruq = _pain("RUQ pain after fatty meals")
    assert ruq.concept_id == ABDOMINAL_PAIN and ruq.query_label() == "right upper quadrant abdominal pain"
    # pain that migrates: the last site written is where it is now
    assert _pain("abdominal pain that began around the umbilicus and moved to the right lower quadrant").location == "right lower quadrant"


def test_pain_that_migrates_keeps_its_final_site():
    f = _pain("18 hours of periumbilical pain that has migrated to the right lower quadrant")
    assert f.concept_id == ABDOMINAL_PAIN and f.location == "right lower quadrant"
    # without a migration word the site written with the pain stays
    assert _pain("periumbilical pain and tenderness in the right lower quadrant").location == "periumbilical"


def test_swelling_keeps_its_site_like_pain():
    f = next(f for f in extract_findings("Left calf swelling. No cough.").findings if f.label == "Edema")
    assert f.status == "present" and f.location == "left calf"
    assert f.query_label() == "left calf edema"


def test_where_pain_radiates_is_not_its_site():
    f = _pain("constant right upper quadrant pain for 10 hours, radiating to the right shoulder")
    assert f.location == "right upper quadrant"
    assert _pain("crushing chest pain radiating to the left arm").location is None


def test_site_does_not_cross_sentences_or_change_status():
    case = extract_findings("Abdominal pain. The right lower quadrant scar is old.")
    assert case.findings[0].location is None
    neg = _pain("no right lower quadrant pain; headache")
    assert neg.status == "negated" and neg.location == "right lower quadrant"


def test_site_in_json_and_mapping():
    case = extract_findings("epigastric pain, left flank pain")
    j = case.to_json()["findings"]
    assert all("location" in f for f in j)
    flank = next(f for f in case.findings if f.label == "Flank pain")
    assert flank.location == "left flank" and flank.query_label() == "left flank pain"
    assert any("location: left flank" in line for line in case.mapping_lines())


class _Spy:
    """A retriever that records its queries and returns nothing."""

    def __init__(self):
        self.queries: list[str] = []

    def search(self, queries, opts, exclude_docs=None):
        self.queries += [queries] if isinstance(queries, str) else list(queries)
        return []


def _rlq_case() -> tuple[str, CaseFindings]:
    """'right lower quadrant abdominal pain, fever' as extracted: the pain with its site."""
    text = "right lower quadrant abdominal pain, fever"
    i = text.find("abdominal pain")
    return text, CaseFindings(text, (
        Finding(ABDOMINAL_PAIN, "Abdominal pain", "abdominal pain", i, i + 14, "present", "symptom", None, "hpo-name",
                location="right lower quadrant"),
        Finding(FEVER, "Fever", "fever", text.find("fever"), len(text), "present", "symptom", None, "hpo-name"),
    ), None, None, "en")


def test_literature_query_says_the_site(vocab):
    text, case = _rlq_case()
    spy = _Spy()
    d = differential(text, spy, vocab, tiny_kb(), SearchOptions(top_k=5), case=case, ground=False)
    assert "right lower quadrant abdominal pain" in d.findings
    assert any("right lower quadrant abdominal pain" in q and "lower right abdomen" in q for q in spy.queries)


def test_mentions_site_in_clinical_or_lay_words():
    from medcite.clinical.findings.location import mentions_site

    f = _pain("right lower quadrant abdominal pain")
    assert mentions_site("Tenderness in the right lower quadrant (McBurney point).", f)
    assert mentions_site("The appendix lies in the lower right part of the abdomen.", f)
    assert not mentions_site("Diffuse abdominal pain with vomiting and fever.", f)
    assert not mentions_site("Lower lobe pneumonia; the right ventricle and the abdomen were normal.", f)


def test_retrosternal_chest_pain_needs_no_site_in_the_passage():
    # every chest-pain cause hurts behind the breastbone: acute MI left "retrosternal chest pain" unexplained
    from medcite.clinical.findings import extract_findings
    from medcite.clinical.findings.location import mentions_site

    pain = next(f for f in extract_findings("58-year-old man with 2 hours of retrosternal chest pain.").findings
                if f.location)
    assert pain.location == "retrosternal"
    assert mentions_site("Acute myocardial infarction presents with chest pain and troponin rise.", pain)


def test_open_differential_prefers_candidates_whose_literature_names_the_site():
    from medcite.clinical.differential import _Entry
    from medcite.clinical.sites import SITE_PENALTY, weigh_sites
    from medcite.clinical.diagnose import Candidate
    from medcite.documents import Passage

    f = _pain("right lower quadrant abdominal pain")
    p_site = Passage(1, "d1", "Pain moves to the right lower quadrant.", "ABSTRACT", 0, 40, title="Appendicitis")
    p_none = Passage(2, "d2", "Cramping abdominal pain and vomiting.", "ABSTRACT", 0, 40, title="Gastroenteritis")

    def lit(chunk):
        return Candidate("x", "x", [], "", 1.0, 1.0, [1], 1, [], [], support=[{"chunk_id": chunk}])

    entries = [_Entry("K:gastro", "Gastroenteritis", 0.6, None, lit(2)), _Entry("K:kb", "Rare disease", 0.55, None, None),
               _Entry("K:app", "Appendicitis", 0.5, None, lit(1))]
    weigh_sites(entries, [f], [p_site, p_none])
    assert [e.name for e in entries][0] == "Appendicitis"
    assert entries[1].score == pytest.approx(0.6 * (1 - SITE_PENALTY))


def test_a_sited_finding_is_not_explained_by_the_phenotype_alone(vocab):
    from medcite.clinical.knowledge import KnowledgeBase, Ontology, SourceEntry

    root, pheno = "HP:0000001", "HP:0000118"
    onto = Ontology({root: "All", pheno: "Phenotypic abnormality", ABDOMINAL_PAIN: "Abdominal pain", FEVER: "Fever"},
                    {pheno: (root,), ABDOMINAL_PAIN: (pheno,), FEVER: (pheno,)}, {}, {}, "test")
    kb = KnowledgeBase.from_entries(onto, [SourceEntry("ORPHA:7", "orpha", "Gut fever", phenotype={ABDOMINAL_PAIN: 0.9, FEVER: 0.9})])
    text, case = _rlq_case()
    d = differential(text, _Spy(), vocab, kb, SearchOptions(top_k=5), case=case, ground=False)
    gut = next(c for c in d.candidates if c.condition == "Gut fever")
    # the phenotype has abdominal pain, but nothing says where: unexplained, and in that list only
    assert "right lower quadrant abdominal pain" in gut.unexplained_findings
    assert "Abdominal pain" not in gut.explained_findings
    assert "Fever" in gut.matched_findings
