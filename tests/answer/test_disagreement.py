"""The "cited papers disagree" note: only different papers can disagree."""

from medcite.answer.selection import Unit, disagreement_note, finding_polarity
from medcite.answer.sentences import PassageSentence
from medcite.documents import Passage

EFFECT = "Early delivery reduced maternal complications (OR 0.61, 95% CI 0.42-0.88)."
NONE = "Neonatal mortality did not differ significantly between the groups (p = 0.41)."


def _unit(i: int, text: str) -> Unit:
    return Unit(i, [PassageSentence(text, 0, len(text), "results", "RESULTS", True, 0)], 1.0, 0.9)


def _passage(doc: str, text: str) -> Passage:
    return Passage(chunk_id=hash(doc + text) % 10_000, doc_id=doc, text=text, section="RESULTS", start=0, end=len(text),
                   publication_types=["Randomized Controlled Trial"])


def test_polarity_of_the_two_sentences():
    assert finding_polarity(EFFECT) == "effect" and finding_polarity(NONE) == "none"


def test_one_paper_with_mixed_outcomes_is_not_a_disagreement():
    passages = [_passage("PMID:1", EFFECT), _passage("PMID:1", NONE)]
    units = [_unit(0, EFFECT), _unit(1, NONE)]
    assert disagreement_note(units, passages, {0: 1, 1: 1}) == ""


def test_two_papers_that_go_opposite_ways_are_named():
    passages = [_passage("PMID:1", EFFECT), _passage("PMID:2", NONE)]
    note = disagreement_note([_unit(0, EFFECT), _unit(1, NONE)], passages, {0: 1, 1: 2})
    assert note.startswith("the cited papers disagree") and "[1] report an effect" in note and "[2] report no difference" in note


def test_a_mixed_paper_sides_with_neither():
    passages = [_passage("PMID:1", EFFECT), _passage("PMID:1", NONE), _passage("PMID:2", NONE)]
    note = disagreement_note([_unit(0, EFFECT), _unit(1, NONE), _unit(2, NONE)], passages, {0: 1, 1: 1, 2: 2})
    assert note == ""  # paper 1 is mixed, paper 2 found none: no paper reports only an effect
