"""Sentence roles, dangling references and sentence choice of the extractive answerer."""

import pytest

from medcite.answer.extractive import ExtractiveAnswerer
from medcite.answer.sentences import effect_numbers, is_dangling, passage_sentences, question_kind, with_antecedents
from medcite.documents import Passage

GH = Passage(
    chunk_id=1, doc_id="PMID:11", pmid="11", year=2004, section="BACKGROUND / METHODS / RESULTS / CONCLUSIONS", start=0, end=0,
    text=(
        "Adults with growth hormone deficiency have a decreased life expectancy and growth hormone replacement is debated.\n\n"
        "We followed 289 adults with growth hormone deficiency receiving growth hormone replacement for mortality.\n\n"
        "Mortality of treated men was 1.1 (95% CI 0.6-1.9) times that of the background population.\n\n"
        "Men with growth hormone deficiency receiving growth hormone replacement have a mortality not different from the background population."
    ),
    dense_score=0.9,
)
LACE = Passage(
    chunk_id=2, doc_id="PMID:12", pmid="12", year=2011, section="RESULTS", start=0, end=0,
    text=(
        "Window stage leaves of the lace plant were treated with cyclosporine A to block the mitochondrial permeability transition pore. "
        "This treatment resulted in lace plant leaves with fewer perforations and reduced programmed cell death in the areoles."
    ),
    dense_score=0.9,
)


@pytest.mark.parametrize("sentence", [
    "This treatment resulted in lace plant leaves with fewer perforations.",
    "These results suggest that statins lower mortality.",
    "However, these findings were not replicated.",
    "It was associated with a lower risk of stroke.",
    "They had higher HbA1c at baseline.",
    "In conclusion, this approach reduces readmissions.",
    "This suggests a role for mitochondria.",
])
def test_dangling_subjects(sentence):
    assert is_dangling(sentence)


@pytest.mark.parametrize("sentence", [
    "This study shows that statins lower mortality.",
    "The present randomized trial found no benefit of aspirin.",
    "Metformin reduced HbA1c by 0.8%.",
    "It is unclear whether vitamin D prevents fractures.",
    "In this cohort, smoking doubled the risk.",
    "Theophylline levels were measured.",
])
def test_self_contained_subjects(sentence):
    assert not is_dangling(sentence)


def test_roles_follow_section_labels():
    sents = passage_sentences(GH)
    assert [s.role for s in sents] == ["objective", "methods", "results", "conclusion"]
    assert all(s.labelled for s in sents)
    assert all(GH.text[s.start:s.end] == s.text for s in sents)
    assert sents[2].has_effect and "95% CI" in " ".join(effect_numbers(sents[2].text))


def test_dangling_sentence_brings_its_antecedent():
    sents = passage_sentences(LACE)
    run = with_antecedents(sents[1], sents)
    assert run is not None and [s.index for s in run] == [0, 1]
    assert with_antecedents(sents[0], sents) == [sents[0]]


def test_question_kinds():
    assert question_kind("Does growth hormone replacement reduce mortality?") == "yesno"
    assert question_kind("Which drugs are used for the treatment of hypertension?") == "list"
    assert question_kind("What is granzyme B?") == "other"


def test_answer_leads_with_the_conclusion_not_the_background(embedder):
    q = "Does growth hormone replacement therapy reduce mortality in adults with growth hormone deficiency?"
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer(q, [GH])
    first = ans.sentences[0].text.rsplit(" [", 1)[0]
    assert first.startswith("Men with growth hormone deficiency receiving")
    assert not any(s.text.startswith("Adults with growth hormone deficiency have a decreased") for s in ans.sentences)
    assert 1 <= len(ans.sentences) <= 5


def test_dangling_sentence_never_quoted_alone(embedder):
    q = "Does cyclosporine A treatment change programmed cell death in lace plant leaves?"
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer(q, [LACE])
    bodies = [s.text.rsplit(" [", 1)[0] for s in ans.sentences]
    for k, b in enumerate(bodies):
        if is_dangling(b):
            assert k > 0 and LACE.text.index(bodies[k - 1]) < LACE.text.index(b)
    assert ans.extra["evidence_table"][0]["pmid"] == "12"


def test_evidence_table_row_per_cited_paper(embedder):
    q = "Does growth hormone replacement therapy reduce mortality in adults with growth hormone deficiency?"
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer(q, [GH, LACE])
    rows = ans.extra["evidence_table"]
    assert [r["n"] for r in rows] == [r.n for r in ans.references]
    gh = next(r for r in rows if r["pmid"] == "11")
    assert gh["participants"] == 289 and gh["population"].startswith("289 adults with growth hormone deficiency")
    assert gh["key_result"] in GH.text and gh["key_result_section"] in ("CONCLUSIONS", "RESULTS")
    assert gh["year"] == 2004


def test_disagreeing_papers_are_named(embedder):
    from medcite.answer.selection import finding_polarity

    assert finding_polarity("Statins did not reduce mortality (HR 0.98, 95% CI 0.8-1.2).") == "none"
    assert finding_polarity("Statins reduced mortality by 20%.") == "effect"
    yes = Passage(chunk_id=5, doc_id="PMID:51", pmid="51", section="CONCLUSIONS", start=0, end=0, dense_score=0.9,
                  text="In this randomized trial, statins reduced mortality after stroke by 20% in 412 adults.")
    no = Passage(chunk_id=6, doc_id="PMID:52", pmid="52", section="CONCLUSIONS", start=0, end=0, dense_score=0.9,
                 text="In this cohort study, statins did not reduce mortality after stroke in 300 adults.")
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("Do statins reduce mortality after stroke?", [yes, no])
    assert {r.pmid for r in ans.references} == {"51", "52"}
    assert any(n.startswith("the cited papers disagree") for n in ans.notes)


def test_effect_numbers_keep_whole_decimals():
    """The evidence table showed "HR 2", "CI 0", "86-1.43" for "HR 2.89 ... [CI 0.86-1.43]" and
    "odds ratio, 0," for "odds ratio, 0.94" (break-test of session 9): a truncated effect size misleads."""
    pieces = effect_numbers("(women HR 2.89, 95% confidence interval [CI] 1.67-5.01; men HR 1.11 [CI 0.86-1.43]).")
    assert "HR 2.89" in pieces and "HR 1.11" in pieces and "CI 0.86-1.43" in pieces
    assert "HR 2" not in pieces and "86-1.43" not in pieces
    assert "odds ratio, 0.94" in effect_numbers("(odds ratio, 0.94; 95 percent confidence interval, 0.82 to 1.08; P=0.38).")


# Break test askbt (session 11): what the answer led with on unseen questions.
@pytest.mark.parametrize("sentence", [
    "Similarly, the lateral PTS of the ACLR failure group was significantly steeper than the control group.",
    "In contrast, patients with isolated hypertriglyceridemia showed significant improvement.",
    "Conversely, mortality rose in the untreated arm.",
])
def test_comparisons_with_the_sentence_before_are_dangling(sentence):
    assert is_dangling(sentence)


def test_similar_without_comma_is_not_a_comparison():
    assert not is_dangling("Similar rates were found in both groups (12% vs 13%).")


def _paper(pmid: int, sections: list[tuple[str, str]]) -> Passage:
    """A one-chunk structured abstract: ``sections`` are ``(label, text)`` pairs."""
    return Passage(chunk_id=pmid, doc_id=f"PMID:{pmid}", pmid=str(pmid), year=2012, start=0, end=0, dense_score=0.9,
                   section=" / ".join(lab for lab, _ in sections), text="\n\n".join(t for _, t in sections))


QOL = _paper(71, [
    ("AIMS", "To explore the impact of delivery mode on postpartum quality of life."),
    ("METHODS", "The scale for postnatal quality of life was adopted to assess quality of life after caesarean and vaginal delivery."),
    ("RESULTS", "None of six dimensions of quality of life differed between women with vaginal delivery and caesarean section."),
    ("CONCLUSIONS", "Delivery mode did not affect postpartum quality of life. "
                    "Socio-cultural determinants may contribute more in influencing postnatal quality of life after delivery. "
                    "Prospective studies should examine the effect of delivery mode on postpartum quality of life."),
])


def test_lead_conclusion_first_and_no_future_work_or_methods(embedder):
    """The first CONCLUSIONS sentence is the main finding; a further-research sentence and a methods
    sentence are not findings and are not quoted from a paper that has findings."""
    q = "Does caesarean versus vaginal delivery change postpartum quality of life?"
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer(q, [QOL])
    bodies = [s.text.rsplit(" [", 1)[0] for s in ans.sentences]
    assert bodies[0] == "Delivery mode did not affect postpartum quality of life."
    assert not any(b.startswith(("Prospective studies", "The scale for", "To explore")) for b in bodies)


def test_a_papers_sentences_read_conclusion_then_results(embedder):
    from medcite.answer.selection import choose_units, score_units

    q = "Does caesarean versus vaginal delivery change postpartum quality of life?"
    units = choose_units(score_units(q, [QOL], [0], embedder), [QOL], max_units=3, min_units=3)
    roles = [u.main.role for u in units]
    assert roles == sorted(roles, key=lambda r: {"conclusion": 0, "results": 1}.get(r, 2))
    conc = [u.main.index for u in units if u.main.role == "conclusion"]
    assert conc == sorted(conc)  # reading order within a role
