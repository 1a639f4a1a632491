"""Answer evaluation: yes/no/maybe label accuracy and citation metrics for any answerer.

Label accuracy: a generating answerer is asked to end its reply with one constrained line,
``Answer: yes``, ``Answer: no`` or ``Answer: maybe`` (:data:`LABEL_INSTRUCTION`);
:func:`parse_answer_label` reads that final line of the model's raw text. A reply without it
counts as wrong (and as unparsed). The extractive answerer gives no label.

Citation metrics, per answer, from the guarded :class:`~medcite.documents.Answer`:

* invalid citations — citation numbers the guard removed as naming no passage that was sent;
* gold cited — whether a paper cited by a supported sentence is among the question's relevant
  documents;
* unsupported sentences — sentences the guard marks unsupported (or uncited), the label line
  excluded, as a share of all sentences;
* abstained — the answer is the abstention (or fell back to it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..documents import Answer
from .retrieval import LABELS, EvalQuestion, normalise_doc_id, percentiles_ms

#: Appended to a yes/no/maybe question sent to a generating model.
LABEL_INSTRUCTION = (
    "After your cited answer, end with one final line of exactly this form: "
    "'Answer: yes', 'Answer: no' or 'Answer: maybe'."
)
_LABEL_LINE = re.compile(r"^[\s*_>#`'\"-]*answer\s*[:：]\s*[*_'\"`]*\s*(yes|no|maybe)\b[\s*_.!'\"`]*(\[[\d,\s–-]+\])*[\s.]*$", re.IGNORECASE)


def with_label_request(question: str) -> str:
    """``question`` followed by :data:`LABEL_INSTRUCTION` (on its own line)."""
    return f"{question.rstrip()}\n{LABEL_INSTRUCTION}"


def is_label_line(text: str) -> bool:
    """Whether ``text`` (one line or sentence) is an ``Answer: yes|no|maybe`` line."""
    return bool(_LABEL_LINE.match(text.strip()))


def parse_answer_label(text: str) -> str | None:
    """The label of the constrained final line of ``text``.

    The last non-empty line must read ``Answer: yes``, ``Answer: no`` or ``Answer: maybe``
    (case-insensitive; markdown emphasis, a trailing full stop and citation markers tolerated).

    Returns:
        ``"yes"``, ``"no"``, ``"maybe"``, or ``None`` when the final line is not such a line.
    """
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return None
    m = _LABEL_LINE.match(lines[-1].strip())
    return m.group(1).lower() if m else None


def _cited_ids(ans: Answer) -> set[str]:
    """Normalised ids of the papers cited by supported sentences (all references when the
    answer carries no sentence structure)."""
    refs = {r.n: r for r in ans.references}
    if ans.sentences:
        nums = {n for s in ans.sentences if s.supported for n in s.citations}
    else:
        nums = set(refs)
    return {normalise_doc_id(refs[n].pmid or refs[n].id) for n in nums if n in refs}


def _invalid_citations(ans: Answer) -> int:
    guard = ans.extra.get("guard") or {}
    v = guard.get("removed_markers", ans.extra.get("citations_removed", 0))
    return int(v or 0)


def answer_record(q: EvalQuestion, ans: Answer, label_requested: bool, seconds: float) -> dict:
    """Per-question metrics of one answer (see the module docstring).

    Returns:
        ``{"id", "abstained", "fallback", "invalid_citations", "gold_cited", "sentences",
        "unsupported_sentences", "label", "predicted_label", "label_correct", "seconds"}``;
        ``gold_cited`` is ``None`` for a question without relevant documents, the label fields
        ``None`` when no label was expected or requested.
    """
    raw = ans.extra.get("raw_answer") or ans.answer
    sents = [s for s in ans.sentences if not is_label_line(s.text)]
    guard = ans.extra.get("guard") or {}
    pred = parse_answer_label(raw) if label_requested else None
    expected = q.label if label_requested else None
    return {
        "id": q.id,
        "abstained": bool(ans.abstained),
        "fallback": guard.get("fallback"),
        "invalid_citations": _invalid_citations(ans),
        "gold_cited": (bool(_cited_ids(ans) & set(q.gains)) if q.gains else None),
        "sentences": len(sents),
        "unsupported_sentences": sum(1 for s in sents if not s.supported),
        "label": expected,
        "predicted_label": pred,
        "label_correct": (pred == expected) if expected else None,
        "seconds": seconds,
    }


def summarise_answers(records: Sequence[dict]) -> dict:
    """Rates over answer records (:func:`answer_record`).

    Returns:
        ``n``, ``invalid_citations`` (total), ``answers_with_invalid_citations``,
        ``gold_cited_rate`` (over questions with relevant documents), ``gold_cited_rate_answered``
        (the same over answers that did not abstain), ``unsupported_sentence_share``,
        ``abstention_rate``, ``fallback_rate``, ``label_questions``, ``label_accuracy``
        (unparsed = wrong), ``label_parsed_rate``, ``label_accuracy_parsed``, ``seconds``
        (per-answer percentiles in ms). Rates are ``None`` when their denominator is 0.
    """

    def rate(num: int, den: int) -> float | None:
        return num / den if den else None

    n = len(records)
    gold = [r for r in records if r["gold_cited"] is not None]
    gold_ans = [r for r in gold if not r["abstained"]]
    labelled = [r for r in records if r["label"]]
    parsed = [r for r in labelled if r["predicted_label"]]
    sents = sum(r["sentences"] for r in records)
    return {
        "n": n,
        "invalid_citations": int(sum(r["invalid_citations"] for r in records)),
        "answers_with_invalid_citations": sum(1 for r in records if r["invalid_citations"]),
        "gold_cited_rate": rate(sum(r["gold_cited"] for r in gold), len(gold)),
        "gold_cited_rate_answered": rate(sum(r["gold_cited"] for r in gold_ans), len(gold_ans)),
        "unsupported_sentence_share": rate(sum(r["unsupported_sentences"] for r in records), sents),
        "abstention_rate": rate(sum(r["abstained"] for r in records), n),
        "fallback_rate": rate(sum(1 for r in records if r["fallback"] not in (None, "")), n),
        "label_questions": len(labelled),
        "label_accuracy": rate(sum(bool(r["label_correct"]) for r in labelled), len(labelled)),
        "label_parsed_rate": rate(len(parsed), len(labelled)),
        "label_accuracy_parsed": rate(sum(bool(r["label_correct"]) for r in parsed), len(parsed)),
        "seconds": percentiles_ms([r["seconds"] for r in records]),
    }


def evaluate_answers(
    questions: Sequence[EvalQuestion],
    ask: Callable[[EvalQuestion, bool], Answer],
    request_labels: bool,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict, list[dict]]:
    """Answer every question and score the answers.

    Args:
        questions: the questions.
        ask: ``ask(question, request_label) -> Answer``; ``request_label`` is true for a
            question with an expected label when ``request_labels`` is set (the caller then adds
            :data:`LABEL_INSTRUCTION` to what the model sees, not to the retrieval query).
        request_labels: ask for labels at all (generating answerers only).
        progress: ``(done, total)`` callback.

    Returns:
        ``(summary, records)`` — see :func:`summarise_answers` and :func:`answer_record`.
    """
    records = []
    for i, q in enumerate(questions, start=1):
        want = bool(request_labels and q.label in LABELS)
        t0 = time.perf_counter()
        ans = ask(q, want)
        records.append(answer_record(q, ans, want, time.perf_counter() - t0))
        if progress:
            progress(i, len(questions))
    summary = summarise_answers(records)
    summary["label_distribution"] = {
        lab: int(np.sum([r["predicted_label"] == lab for r in records])) for lab in LABELS
    }
    return summary, records
