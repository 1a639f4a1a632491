"""Retrieval evaluation: question sets, qrels, ranking metrics, and a run over an index.

Ranking metrics compare a ranked list of document ids with the relevant ones of a question.
Every metric first removes repeated ids from the ranking (a paper counts once, at its best
rank), so passage-level rankings can be scored as paper rankings.

* ``recall@k`` — ``|top-k ∩ relevant| / |relevant|``.
* ``hit@k`` — 1 when any relevant document is in the top k, else 0.
* ``MRR@k`` — reciprocal rank of the first relevant document within the top k, 0 when none
  (Voorhees 1999, "The TREC-8 Question Answering Track Report").
* ``nDCG@k`` — ``DCG@k / IDCG@k`` with ``DCG@k = Σ_{i=1..k} gain_i / log2(i + 1)`` and linear
  gains (the graded relevance of a qrels file, 1 for a gold PMID), as in trec_eval's
  ``ndcg_cut`` that BEIR reports (Järvelin & Kekäläinen 2002, "Cumulated gain-based evaluation
  of IR techniques").

Question files are JSON Lines: ``{"id", "question", "gold_pmids": [...]}`` (the PubMedQA and
BioASQ dev sets of ``shared/data``), or BEIR ``queries.jsonl`` rows ``{"_id", "text"}`` whose
relevance comes from a BEIR qrels TSV (``query-id  corpus-id  score`` with a header line).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import UsageError

#: Cut-offs reported by default.
RECALL_KS = (1, 5, 10, 20)
MRR_K = 10
NDCG_K = 10
#: Answer labels of yes/no/maybe questions (PubMedQA ``answer``, BioASQ yes/no ``exact_answer``).
LABELS = ("yes", "no", "maybe")
SYSTEMS = ("bm25", "dense", "hybrid")


def normalise_doc_id(doc_id: str) -> str:
    """Comparable document id: ``"PMID:123"`` → ``"123"``; other ids stripped of blanks."""
    d = str(doc_id).strip()
    return d[5:].strip() if d.upper().startswith("PMID:") else d


def dedupe(ranked: Iterable[str]) -> list[str]:
    """``ranked`` with repeats removed, first occurrence kept (order preserved)."""
    seen: set[str] = set()
    out = []
    for d in ranked:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


# -- metrics --------------------------------------------------------------------------------
def recall_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Fraction of ``relevant`` ids among the first ``k`` distinct ids of ``ranked`` (0..1).

    Raises:
        ValueError: ``relevant`` is empty or ``k < 1``.
    """
    rel = set(relevant)
    if not rel or k < 1:
        raise ValueError("recall needs at least one relevant document and k >= 1")
    return len(set(dedupe(ranked)[:k]) & rel) / len(rel)


def hit_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1.0 when a relevant id is among the first ``k`` distinct ids of ``ranked``, else 0.0."""
    rel = set(relevant)
    return float(any(d in rel for d in dedupe(ranked)[:k]))


def mrr_at_k(ranked: Sequence[str], relevant: Iterable[str], k: int = MRR_K) -> float:
    """Reciprocal (1-based) rank of the first relevant id within the top ``k``; 0.0 if none."""
    rel = set(relevant)
    for i, d in enumerate(dedupe(ranked)[:k], start=1):
        if d in rel:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gains: dict[str, float], k: int = NDCG_K) -> float:
    """Normalised discounted cumulative gain at ``k`` with linear gains (0..1).

    Args:
        ranked: document ids, best first.
        gains: relevant id → graded relevance (> 0); ids absent have gain 0.
        k: cut-off.

    Raises:
        ValueError: no positive gain (IDCG would be 0).
    """
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    if not ideal:
        raise ValueError("nDCG needs at least one document with positive relevance")
    dcg = sum(gains.get(d, 0.0) / math.log2(i + 1) for i, d in enumerate(dedupe(ranked)[:k], start=1))
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg


def score_ranking(
    ranked: Sequence[str], gains: dict[str, float], ks: Sequence[int] = RECALL_KS, mrr_k: int = MRR_K, ndcg_k: int = NDCG_K
) -> dict[str, float]:
    """All metrics of one ranking: ``recall@k`` for each ``k``, ``hit@10``, ``mrr@{mrr_k}``,
    ``ndcg@{ndcg_k}``. ``gains``: relevant id → relevance (> 0)."""
    rel = [d for d, g in gains.items() if g > 0]
    out = {f"recall@{k}": recall_at_k(ranked, rel, k) for k in ks}
    out["hit@10"] = hit_at_k(ranked, rel, 10)
    out[f"mrr@{mrr_k}"] = mrr_at_k(ranked, rel, mrr_k)
    out[f"ndcg@{ndcg_k}"] = ndcg_at_k(ranked, gains, ndcg_k)
    return out


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    """``{"p50", "p95", "mean"}`` of durations given in seconds, in milliseconds."""
    if not len(seconds):
        return {"p50": float("nan"), "p95": float("nan"), "mean": float("nan")}
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)), "mean": float(ms.mean())}


# -- questions and qrels --------------------------------------------------------------------
@dataclass
class EvalQuestion:
    """One evaluation question.

    Attributes:
        id: question id (``id`` or BEIR ``_id``; the line number when absent).
        question: the question text.
        gains: relevant document id (normalised, see :func:`normalise_doc_id`) → relevance > 0.
        label: expected ``yes``/``no``/``maybe`` answer, or ``None``.
        type: question type when the file gives one (BioASQ ``factoid`` …), else ``""``.
    """

    id: str
    question: str
    gains: dict[str, float] = field(default_factory=dict)
    label: str | None = None
    type: str = ""


def load_qrels(path: str | Path) -> dict[str, dict[str, float]]:
    """Read a BEIR qrels TSV (``query-id<TAB>corpus-id<TAB>score``, header line optional) or a
    TREC qrels file (``qid 0 docid rel``, whitespace-separated).

    Returns:
        query id → {normalised doc id → relevance}; rows with relevance ≤ 0 are left out.

    Raises:
        UsageError: the file is missing or a row is malformed (the message names the line).
    """
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"qrels file {p} does not exist")
    out: dict[str, dict[str, float]] = {}
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t") if "\t" in line else line.split()
            parts = [x.strip() for x in parts]
            if len(parts) == 4:  # TREC: qid iter docid rel
                parts = [parts[0], parts[2], parts[3]]
            if len(parts) != 3:
                raise UsageError(f"{p}:{n}: expected 'query-id, corpus-id, score' columns, got {len(parts)}")
            qid, did, score = parts
            try:
                rel = float(score)
            except ValueError:
                if n == 1:
                    continue  # header
                raise UsageError(f"{p}:{n}: relevance {score!r} is not a number") from None
            if rel > 0:
                out.setdefault(qid, {})[normalise_doc_id(did)] = rel
    return out


def _label_of(row: dict) -> str | None:
    for key in ("answer", "final_decision", "exact_answer"):
        v = row.get(key)
        if isinstance(v, list) and len(v) == 1 and isinstance(v[0], str):
            v = v[0]
        if isinstance(v, str) and v.strip().lower() in LABELS:
            return v.strip().lower()
    return None


def load_questions(path: str | Path, qrels: str | Path | None = None, limit: int | None = None) -> list[EvalQuestion]:
    """Read a question file (JSON Lines), relevance from ``gold_pmids`` or from ``qrels``.

    Args:
        path: ``{"id", "question", "gold_pmids"}`` rows, or BEIR ``{"_id", "text"}`` rows.
        qrels: a qrels file; when given it replaces ``gold_pmids``.
        limit: keep the first ``limit`` questions.

    Raises:
        UsageError: missing file, a line that is not a JSON object, a row without question text.
    """
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"question file {p} does not exist")
    rel = load_qrels(qrels) if qrels else None
    out: list[EvalQuestion] = []
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise UsageError(f"{p}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise UsageError(f"{p}:{n}: expected a JSON object per line")
            text = row.get("question") or row.get("text") or row.get("query")
            if not isinstance(text, str) or not text.strip():
                raise UsageError(f"{p}:{n}: no question text (fields 'question', 'text' or 'query')")
            qid = str(row.get("id") or row.get("_id") or n)
            if rel is not None:
                gains = dict(rel.get(qid, {}))
            else:
                gains = {normalise_doc_id(d): 1.0 for d in row.get("gold_pmids") or row.get("gold_ids") or []}
            out.append(EvalQuestion(qid, text.strip(), gains, _label_of(row), str(row.get("type") or "")))
            if limit and len(out) >= limit:
                break
    if not out:
        raise UsageError(f"{p} holds no questions")
    return out


# -- a retrieval run ------------------------------------------------------------------------
@dataclass
class RetrievalReport:
    """Result of :func:`evaluate_retrieval`.

    Attributes:
        systems: system → summary (mean of each metric over scored questions, ``latency_ms``
            percentiles, ``n``).
        per_question: one dict per question: ``id``, ``question``, ``n_relevant`` and, per
            system, ``{metrics…, "ranked": top ids, "latency_ms": float}``.
        skipped: ids of questions without any relevant document (not scored).
        latencies: system → per-question latency in seconds (plots).
    """

    systems: dict[str, dict]
    per_question: list[dict]
    skipped: list[str]
    latencies: dict[str, list[float]]

    def to_json(self, per_question: bool = True) -> dict:
        """JSON-serialisable dict (``per_question=False`` leaves the per-question rows out)."""
        d = {"systems": self.systems, "skipped_no_relevant": self.skipped}
        if per_question:
            d["per_question"] = self.per_question
        return d


SearchFn = Callable[[str, str, "np.ndarray | None"], list[str]]


def evaluate_retrieval(
    questions: Sequence[EvalQuestion],
    search: SearchFn,
    systems: Sequence[str] = SYSTEMS,
    embed_query: Callable[[str], np.ndarray] | None = None,
    ks: Sequence[int] = RECALL_KS,
    progress: Callable[[int, int], None] | None = None,
) -> RetrievalReport:
    """Score every system on every question that has relevant documents.

    Args:
        questions: the questions.
        search: ``search(question, system, query_vector) -> ranked doc ids`` (normalised ids,
            best first, at least ``max(ks)`` distinct ones when the index has them).
        systems: names passed to ``search``.
        embed_query: when given, each question is embedded once and the vector is passed to
            every system; its time is added to the latency of systems other than ``"bm25"``.
        ks: recall cut-offs.
        progress: ``(done, total)`` callback.

    Returns:
        a :class:`RetrievalReport`; latency is wall time per query in seconds (ms in summaries).
    """
    per_q: list[dict] = []
    lat: dict[str, list[float]] = {s: [] for s in systems}
    scores: dict[str, list[dict[str, float]]] = {s: [] for s in systems}
    scored = [q for q in questions if q.gains]
    skipped = [q.id for q in questions if not q.gains]
    for i, q in enumerate(scored, start=1):
        row: dict = {"id": q.id, "question": q.question, "n_relevant": len(q.gains)}
        vec, t_embed = None, 0.0
        if embed_query is not None and any(s != "bm25" for s in systems):
            t0 = time.perf_counter()
            vec = embed_query(q.question)
            t_embed = time.perf_counter() - t0
        for s in systems:
            t0 = time.perf_counter()
            ranked = dedupe(search(q.question, s, vec))
            dt = time.perf_counter() - t0 + (t_embed if s != "bm25" else 0.0)
            m = score_ranking(ranked, q.gains, ks)
            scores[s].append(m)
            lat[s].append(dt)
            row[s] = {**m, "ranked": ranked[: max(ks)], "latency_ms": dt * 1000.0}
        per_q.append(row)
        if progress:
            progress(i, len(scored))
    summary = {}
    for s in systems:
        keys = scores[s][0].keys() if scores[s] else []
        summary[s] = {k: float(np.mean([m[k] for m in scores[s]])) for k in keys}
        summary[s]["n"] = len(scores[s])
        summary[s]["latency_ms"] = percentiles_ms(lat[s])
    return RetrievalReport(summary, per_q, skipped, lat)


def parse_systems(text: str, allowed: Sequence[str] = SYSTEMS) -> list[str]:
    """``"bm25,hybrid"`` → ``["bm25", "hybrid"]``.

    Raises:
        UsageError: empty list or an unknown system.
    """
    names = [s.strip().lower() for s in text.split(",") if s.strip()]
    if not names:
        raise UsageError("no retrieval system given (use e.g. --systems bm25,dense,hybrid)")
    bad = [s for s in names if s not in allowed]
    if bad:
        raise UsageError(f"unknown retrieval system {bad[0]!r}: use {', '.join(allowed)}")
    return list(dict.fromkeys(names))


def recall_curve(summary: dict, ks: Sequence[int] = RECALL_KS) -> list[tuple[int, float]]:
    """``[(k, mean recall@k)]`` of one system's summary, for the cut-offs present."""
    return [(k, summary[f"recall@{k}"]) for k in ks if f"recall@{k}" in summary]
