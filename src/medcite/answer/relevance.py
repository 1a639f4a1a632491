"""Abstention thresholds per question language.

The extractive answerer abstains when the best passage's cosine similarity to the question is
below a threshold calibrated on English questions. A multilingual embedder (multilingual-e5)
scores a Chinese or Spanish question lower against English abstracts than its English original
(on the demo index the median best cosine of 30 translated PubMedQA questions is 0.839 in Chinese
and 0.868 in Spanish against 0.910 in English), so the English threshold refuses most Chinese
questions whose English counterpart is answered.

Signals that would not need a per-language threshold were measured first
(``scripts/calibrate_relevance.py``) and separate English answerable from off-topic questions
worse than the cosine itself: the best cosine standardised against a random background sample of
the index (answerable p2 3.85 vs off-topic p98 5.25, overlapping) and the gap between the best and
the 10th-best cosine (0.017 vs 0.035). So each language gets its own cosine threshold, calibrated
like the English one (``scripts/calibrate_abstention.py``): the midpoint between the 2nd
percentile of answerable questions and the 98th percentile of off-topic questions, here 20
translated PubMedQA questions and 25 translated off-topic questions per language
(``tests/fixtures/questions_multilingual.json``, ``calibration_*``; the test questions are not
used). Languages without a calibration use the lowest calibrated threshold of the embedder only
when :data:`UNCALIBRATED_FALLBACK` allows it, else the English one.
"""

from __future__ import annotations

#: Cosine threshold per embedder and question language (English: the answerer's own threshold).
#: Measured 2026-12-04 on the demo index (PubMedQA, e5-small) with scripts/calibrate_relevance.py.
#: Chinese: answerable p2 0.812, off-topic p98 0.805; Spanish: 0.837 vs 0.806. On the same index the
#: English midpoint is 0.845 (answerable p2 0.859, off-topic p98 0.831), below the 0.86 calibrated on
#: the 14,449-record bench index, so on large indexes these may let more off-topic questions through.
LANGUAGE_THRESHOLDS: dict[str, dict[str, float]] = {"e5-small": {"Chinese": 0.808, "Spanish": 0.821}}
#: Whether a language without its own calibration falls back to the lowest calibrated threshold
#: (``False``: the English threshold, i.e. such questions are refused more often).
UNCALIBRATED_FALLBACK = False


def language_threshold(embedder_name: str, language: str, english_threshold: float) -> float:
    """The abstention threshold for a question in ``language`` (see the module doc).

    Args:
        embedder_name: ``"e5-small"``, ``"minilm@int8"`` (backend suffixes ignored) …
        language: from :func:`medcite.multilingual.detect_language`.
        english_threshold: the answerer's (possibly user-set) English threshold; returned for
            English and for languages without a calibration.
    """
    if language == "English":
        return english_threshold
    table = LANGUAGE_THRESHOLDS.get(embedder_name.split("@")[0], {})
    if language in table:
        return table[language]
    if UNCALIBRATED_FALLBACK and table:
        return min(table.values())
    return english_threshold
