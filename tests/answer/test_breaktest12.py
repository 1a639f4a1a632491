"""Break-test 12 (issue 16): an unrelated paper led a yes/no answer and an aim sentence stood in
for the retrieved conclusion."""

from __future__ import annotations

from medcite.answer.concepts import has_concepts, key_concepts
from medcite.answer.selection import score_units
from medcite.answer.sentences import passage_sentences
from medcite.documents import Passage
from medcite.index.lexical import tokenize

Q = "Is increased nuchal translucency in the first trimester associated with gestational diabetes?"
MACROSOMIA = ("All pregnancies underwent nuchal translucency (NT) screening at 11-14 weeks' gestation. "
              "Severe macrosomia apparently manifests as early as 11-14 weeks' gestation.")
GDM = ("This study was planned to evaluate whether increased nuchal translucency (NT) thickness in the first trimester "
       "can be related to onset of gestational diabetes mellitus (GDM) during pregnancy.\n\n"
       "A group of 678 singleton pregnancies who had developed GDM was compared with 420 controls.\n\n"
       "There was no significative difference (p = 0.585) between NT values in the study and control group.\n\n"
       "Therefore, NT assessment does not prove to be an useful ultrasound parameter for predicting GDM onset during pregnancy.")


def test_an_adjective_increased_is_not_the_relation_and_setting_words_are_not_the_condition():
    c = key_concepts(Q)
    assert tokenize(["nuchal"])[0][0] in c.exposure
    assert c.condition == frozenset(tokenize(["diabetes"])[0])  # "gestational" alone is a setting
    assert not has_concepts(c, MACROSOMIA)  # NT and gestation, never diabetes
    assert has_concepts(c, GDM)
    # a side made only of setting words keeps them
    assert key_concepts("Is pregnancy associated with migraine?").exposure == frozenset(tokenize(["pregnancy"])[0])


def test_an_aim_sentence_does_not_stand_in_for_the_conclusion(embedder):
    p = Passage(1, "PMID:21190419", GDM, "ABSTRACT", 0, len(GDM), title="")
    assert any(s.role == "objective" for s in passage_sentences(p))
    units = score_units(Q, [p], [0], embedder)
    assert units and all(u.main.role != "objective" for u in units)
    aim_only = Passage(2, "PMID:2", GDM.split("\n\n")[0], "ABSTRACT", 0, 200, title="")
    assert score_units(Q, [aim_only], [0], embedder)  # with nothing else to quote the aim stays


DDIMER = "Increased D-dimer levels should not be considered as a diagnostic parameter in diagnosis of acute appendicitis."
ENDOSCOPY = ("Of 24 patients with other indications, the diagnosis could be achieved in 18 of them (75%) by "
             "double-balloon enteroscopy, which is useful to identify bleeding lesions.")
TIMING = "Perforation occurred in 12.7% of patients with acute appendicitis operated on after 12 hours."


def test_a_chinese_diagnostic_question_needs_the_test_and_the_condition_in_one_sentence():
    from medcite.answer.relevance import about_terms
    from medcite.translation.cedict import key_terms

    q = "D-二聚体能否用于诊断急性阑尾炎？"
    terms = key_terms(q)
    others = [DDIMER, ENDOSCOPY, TIMING]
    assert about_terms(q, terms, DDIMER, others)
    assert not about_terms(q, terms, ENDOSCOPY, others)  # "diagnosis" is how, not what
    assert not about_terms(q, terms, TIMING, others)  # appendicitis without D-dimer


def test_an_answer_from_one_paper_says_its_evidence_is_weak(embedder):
    from medcite.answer.extractive import ExtractiveAnswerer

    p = Passage(1, "PMID:21190419", GDM, "ABSTRACT", 0, len(GDM), title="", dense_score=0.95)
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer(Q, [p])
    assert not ans.abstained and len(ans.references) == 1
    assert any(n.startswith("weak evidence") and "single paper" in n for n in ans.notes)
