"""Answer-label parsing of the constrained final line, and citation metrics of answers."""

from __future__ import annotations

import pytest

from medcite.documents import Answer, AnswerSentence, Reference
from medcite.evaluation.retrieval import EvalQuestion
from medcite.evaluation.answers import (
    LABEL_INSTRUCTION,
    answer_record,
    evaluate_answers,
    is_label_line,
    parse_answer_label,
    summarise_answers,
    with_label_request,
)


@pytest.mark.parametrize("text,label", [
    ("Statins help [1].\nAnswer: yes", "yes"),
    ("Statins help [1].\n\nanswer: NO\n\n", "no"),
    ("It is unclear [2].\n**Answer:** Maybe.", "maybe"),
    ("It is unclear [2].\nAnswer: maybe [2]", "maybe"),
    ("Answer: yes", "yes"),
])
def test_label_on_the_final_line(text, label):
    assert parse_answer_label(text) == label


@pytest.mark.parametrize("text", [
    "",
    "Answer: yes\nbut the trials disagree [1].",  # not the final line
    "The answer is yes [1].",
    "Answer: probably",
    "Answer: yes and no",
])
def test_no_label_without_a_constrained_final_line(text):
    assert parse_answer_label(text) is None


def test_label_request_keeps_the_question_first():
    q = with_label_request("Does aspirin prevent stroke?  ")
    assert q.startswith("Does aspirin prevent stroke?\n") and q.endswith(LABEL_INSTRUCTION)
    assert is_label_line("Answer: no.") and not is_label_line("No answer was found.")


def _ref(n, pmid):
    return Reference(n, f"PMID:{pmid}", pmid, "t", 2000, "", "", "p", 0.1)


def _answer(sentences, refs, abstained=False, raw=None, removed=0, fallback=None):
    ans = Answer("q", " ".join(s.text for s in sentences if s.supported), abstained, refs, sentences, generator="fake")
    ans.extra = {"raw_answer": raw if raw is not None else "\n".join(s.text for s in sentences),
                 "guard": {"removed_markers": removed, "fallback": fallback}}
    return ans


def test_record_counts_only_supported_citations_and_ignores_the_label_line():
    q = EvalQuestion("a", "q", {"7": 1.0}, label="yes")
    sents = [
        AnswerSentence("Benefit shown [1].", [1], True),
        AnswerSentence("Claim about gold [2].", [2], False),  # cites the gold paper, but unsupported
        AnswerSentence("Answer: yes", [], False),
    ]
    ans = _answer(sents, [_ref(1, "5"), _ref(2, "7")], removed=2)
    r = answer_record(q, ans, label_requested=True, seconds=0.5)
    assert r["gold_cited"] is False  # only the unsupported sentence cites PMID 7
    assert r["sentences"] == 2 and r["unsupported_sentences"] == 1
    assert r["invalid_citations"] == 2
    assert r["predicted_label"] == "yes" and r["label_correct"] is True
    sents[1] = AnswerSentence("Claim about gold [2].", [2], True)
    assert answer_record(q, _answer(sents, [_ref(1, "5"), _ref(2, "7")]), True, 0.1)["gold_cited"] is True


def test_summary_rates_from_records():
    qs = [EvalQuestion(str(i), "q", {"1": 1.0}, label=lab) for i, lab in enumerate(["yes", "no", "maybe", None])]
    good = _answer([AnswerSentence("A [1].", [1], True), AnswerSentence("Answer: no", [], False)], [_ref(1, "1")], raw="A [1].\nAnswer: no")
    wrong = _answer([AnswerSentence("B [1].", [1], True)], [_ref(1, "2")], raw="B [1].\nAnswer: yes", removed=1)
    abst = _answer([], [], abstained=True, raw="", fallback="abstain")
    answers = {"0": wrong, "1": good, "2": abst, "3": good}

    def ask(q, want):
        assert want == (q.label is not None)
        return answers[q.id]

    s, recs = evaluate_answers(qs, ask, request_labels=True)
    assert s["n"] == 4 and s["label_questions"] == 3
    # q0 predicted yes (correct), q1 predicted no (correct), q2 abstained (unparsed → wrong)
    assert s["label_accuracy"] == pytest.approx(2 / 3)
    assert s["label_parsed_rate"] == pytest.approx(2 / 3) and s["label_accuracy_parsed"] == 1.0
    assert s["abstention_rate"] == pytest.approx(1 / 4) and s["fallback_rate"] == pytest.approx(1 / 4)
    assert s["invalid_citations"] == 1 and s["answers_with_invalid_citations"] == 1
    # gold PMID 1 cited by "good" answers (q1, q3), not by "wrong" (PMID 2) nor the abstention
    assert s["gold_cited_rate"] == pytest.approx(2 / 4) and s["gold_cited_rate_answered"] == pytest.approx(2 / 3)
    assert s["unsupported_sentence_share"] == 0.0  # the label line is not an answer sentence
    assert recs[3]["label"] is None and recs[3]["label_correct"] is None
    assert s["label_distribution"]["yes"] == 1


def test_without_label_requests_accuracy_is_none():
    s = summarise_answers([answer_record(EvalQuestion("a", "q", {}, label="yes"), _answer([], [], True, raw=""), False, 0.1)])
    assert s["label_accuracy"] is None and s["gold_cited_rate"] is None and s["unsupported_sentence_share"] is None
