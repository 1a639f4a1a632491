"""The citation guard: invalid markers, support checks, references from metadata, fallback."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from medcite.answer.generative import GenerativeAnswerer
from medcite.answer.generators import ChatGenerator
from medcite.documents import Passage
from medcite.answer.guard import CitationGuard, says_no_answer, split_answer

P = [
    Passage(11, "PMID:1", "Metformin is a first-line drug for type 2 diabetes. Lactic acidosis was rare among metformin users with normal kidney function.",
            "RESULTS", 0, 120, title="Metformin and lactic acidosis", pmid="1", year=2001, journal="Diabetes Care", dense_score=0.9, score=0.03),
    Passage(22, "PMID:2", "High-intensity statins reduced recurrent myocardial infarction and cardiovascular death by 22 percent.",
            "ABSTRACT", 0, 100, title="Statins after myocardial infarction", pmid="2", year=2010, journal="Lancet", dense_score=0.85, score=0.02),
    Passage(33, "PMID:3", "Aspirin did not reduce cardiovascular events in older adults and increased major bleeding.",
            "ABSTRACT", 0, 90, title="Aspirin for primary prevention", pmid="3", year=2018, journal="NEJM", dense_score=0.8, score=0.01),
]


@pytest.fixture
def guard(embedder):
    return CitationGuard(embedder)


def test_marker_naming_no_sent_passage_is_removed_and_counted(guard):
    r = guard.check("Metformin is a first-line drug for type 2 diabetes [7]. Statins reduced recurrent myocardial infarction [2].", P)
    assert r.removed_markers == 1
    assert "[7]" not in r.text and all("[7]" not in s.text for s in r.sentences)
    assert all(1 <= n <= len(r.references) for s in r.sentences for n in s.citations)
    assert [ref.pmid for ref in r.references] == ["2"]


def test_zero_and_malformed_markers_are_removed(guard):
    r = guard.check("Metformin is a first-line drug for type 2 diabetes [0][1a][][1.5] [1].", P)
    assert r.removed_markers == 4
    assert r.sentences[0].citations == [1] and r.sentences[0].supported
    assert r.text.endswith("[1].") or r.text.endswith("[1]")


def test_unsupported_sentence_is_flagged_and_left_out(guard):
    text = ("Lactic acidosis was rare among metformin users with normal kidney function [1]. "
            "Chocolate cures migraine in teenagers within two days [3].")
    r = guard.check(text, P)
    ok, bad = r.sentences
    assert ok.supported and not bad.supported
    assert bad.support_score is not None and bad.support_score < r.threshold
    assert "Chocolate" not in r.text and "Lactic acidosis" in r.text
    assert r.unsupported == 1
    # the flagged sentence keeps its (renumbered) citation for transparency, after the supported ones
    assert [ref.pmid for ref in r.references] == ["1", "3"] and bad.citations == [2]


def test_numbers_absent_from_the_cited_passage_make_a_sentence_unsupported(guard):
    good = guard.check("Statins reduced recurrent myocardial infarction and cardiovascular death by 22 percent [2].", P)
    bad = guard.check("Statins reduced recurrent myocardial infarction and cardiovascular death by 45 percent [2].", P)
    assert good.sentences[0].supported and not bad.sentences[0].supported


def test_uncited_sentence_is_never_supported(guard):
    r = guard.check("Aspirin increased major bleeding in older adults. Aspirin did not reduce cardiovascular events [3].", P)
    assert [s.supported for s in r.sentences] == [False, True] and r.uncited == 1


def test_references_come_from_metadata_not_model_text(guard):
    r = guard.check("Aspirin did not reduce cardiovascular events in older adults [3]. References: [3] Smith J. Fake Journal 2099. PMID 99999999.", P)
    assert [(x.pmid, x.title, x.year, x.journal) for x in r.references] == [("3", "Aspirin for primary prevention", 2018, "NEJM")]
    assert r.references[0].passage == P[2].text and r.references[0].span == (0, 90)


def test_markers_after_the_full_stop_stay_with_their_sentence():
    assert split_answer("Metformin is safe. [1] Statins help [2]. 二甲双胍安全[1]。他汀有效[2]。") == [
        "Metformin is safe. [1]", "Statins help [2].", "二甲双胍安全[1]。", "他汀有效[2]。"]


def test_says_no_answer():
    assert says_no_answer("The sources do not answer this question.")
    assert not says_no_answer("Metformin is safe [1].")


def _answerer(embedder, reply: str, fallback: str):
    chat = FakeListChatModel(responses=[reply])
    gen = ChatGenerator(chat, name="fake", context_tokens=2048)
    return GenerativeAnswerer(gen, embedder, fallback=fallback, abstain_threshold=0.0)


def test_all_unsupported_falls_back_to_the_extractive_answer_and_says_so(embedder):
    ans = _answerer(embedder, "Chocolate cures migraine [1]. Coffee prevents gout [9].", "extractive").answer("metformin lactic acidosis", P)
    assert not ans.abstained and ans.extra["guard"]["fallback"] == "extractive"
    assert ans.extra["guard"]["removed_markers"] == 1
    assert "Chocolate" not in ans.answer and any("extractive" in n for n in ans.notes)
    assert all(s.supported for s in ans.sentences)
    assert [f["text"] for f in ans.extra["flagged_sentences"]] == ["Chocolate cures migraine.", "Coffee prevents gout."]


def test_all_unsupported_with_abstain_fallback_abstains_and_says_so(embedder):
    ans = _answerer(embedder, "Chocolate cures migraine [1].", "abstain").answer("metformin lactic acidosis", P)
    assert ans.abstained and ans.references == [] and ans.extra["guard"]["fallback"] == "abstain"
    assert any("abstained" in n for n in ans.notes)


def test_supported_generated_answer_passes(embedder):
    reply = "Lactic acidosis was rare among metformin users with normal kidney function [1]. Aspirin increased major bleeding [3]."
    ans = _answerer(embedder, reply, "extractive").answer("metformin lactic acidosis", P)
    assert not ans.abstained and ans.extra["guard"]["fallback"] is None and ans.generator == "fake"
    assert [r.pmid for r in ans.references] == ["1", "3"]
    assert ans.answer.count("[") == 2 and "[1]" in ans.answer and "[2]" in ans.answer
    assert ans.extra["passages_sent"] == 3
