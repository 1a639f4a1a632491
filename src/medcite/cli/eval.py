"""``medcite eval``: measure retrieval and answers on your own questions.

* ``medcite eval retrieval QUESTIONS.jsonl --index NAME [--systems bm25,dense,hybrid]``:
  recall@1/5/10/20, MRR@10, nDCG@10 and latency per system against ``gold_pmids`` or a BEIR
  qrels TSV (``--qrels``), per question (``--json``) and summarised (table).
* ``medcite eval answers QUESTIONS.jsonl [--generator …]``: label accuracy on yes/no/maybe
  questions (generating answerers), invalid citations, gold papers cited, unsupported
  sentences, abstentions.

``--plot DIR`` writes the JSON results and PNG plots into DIR. Metrics: :mod:`medcite.evaluation.retrieval`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import IndexOpt, JsonOpt, app, err, handle_errors, out, print_json, service
from .options import ModelChoice, bundled
from ..evaluation.retrieval import (
    RECALL_KS,
    SYSTEMS,
    load_questions,
    normalise_doc_id,
    parse_systems,
    recall_curve,
)

eval_app = typer.Typer(no_args_is_help=True, help="Evaluate retrieval and answers on a question set.")
app.add_typer(eval_app, name="eval")

QuestionsArg = Annotated[Path, typer.Argument(help="questions, JSON Lines: {id, question, gold_pmids} or BEIR {_id, text}")]
QrelsOpt = Annotated[Path | None, typer.Option("--qrels", help="BEIR qrels TSV (query-id, corpus-id, score); replaces gold_pmids")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=1, help="only the first N questions")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="write the JSON results and PNG plots into this directory")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="no progress output")]


def _progress(quiet: bool, label: str):
    """``(done, total)`` callback printing a line to stderr every 10%."""
    if quiet:
        return None
    state = {"last": -1}

    def cb(done: int, total: int) -> None:
        step = int(10 * done / max(total, 1))
        if step != state["last"] or done == total:
            state["last"] = step
            print(f"{label}: {done}/{total}", file=sys.stderr, flush=True)

    return cb


def _pct(v) -> str:
    return "  n/a" if v is None else f"{v:5.3f}"


@eval_app.command("retrieval")
@handle_errors
def eval_retrieval(
    questions: QuestionsArg,
    index: IndexOpt = None,
    systems: Annotated[str, typer.Option("--systems", help="comma-separated: bm25, dense, hybrid")] = ",".join(SYSTEMS),
    qrels: QrelsOpt = None,
    limit: LimitOpt = None,
    per_question: Annotated[bool, typer.Option("--per-question", help="also print recall@10 of every question")] = False,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Recall@1/5/10/20, MRR@10, nDCG@10 and latency of each retrieval system on QUESTIONS."""
    from ..evaluation.retrieval import evaluate_retrieval

    names = parse_systems(systems)
    qs = load_questions(questions, qrels, limit)
    svc = service(index)
    retriever = svc.retriever()
    emb = svc.embedder_for_index()
    depth = max(RECALL_KS)

    def search(text: str, system: str, vec):
        opts = svc.options(top_k=depth, mode=system, max_per_paper=1)
        ps = retriever.search(text, opts, query_vectors=[vec] if vec is not None and system != "bm25" else None)
        return [normalise_doc_id(p.doc_id) for p in ps]

    rep = evaluate_retrieval(qs, search, names, embed_query=emb.embed_query, progress=_progress(quiet, "questions"))
    result = {
        "index": svc.index().name, "embedder": emb.name, "questions": str(questions), "qrels": str(qrels) if qrels else None,
        **rep.to_json(),
    }
    if plot:
        _plot_retrieval(plot, result, rep)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    out.print(f"index {result['index']} ({emb.name}), {len(qs)} questions from {questions}"
              + (f", {len(rep.skipped)} without relevant documents skipped" if rep.skipped else ""), highlight=False)
    head = f"{'system':8s} {'n':>5s} " + " ".join(f"{'R@' + str(k):>6s}" for k in RECALL_KS) + f" {'MRR@10':>7s} {'nDCG@10':>7s} {'p50 ms':>8s} {'p95 ms':>8s}"
    out.print(head, style="bold", highlight=False)
    for s in names:
        m = rep.systems[s]
        out.print(f"{s:8s} {m['n']:5d} " + " ".join(f"{m[f'recall@{k}']:6.3f}" for k in RECALL_KS)
                  + f" {m['mrr@10']:7.3f} {m['ndcg@10']:7.3f} {m['latency_ms']['p50']:8.1f} {m['latency_ms']['p95']:8.1f}", highlight=False)
    if per_question:
        for row in rep.per_question:
            cells = " ".join(f"{s}={row[s]['recall@10']:.2f}" for s in names)
            out.print(f"{row['id']}: {cells}", highlight=False)
    if plot:
        err.print(f"wrote {plot}/retrieval.json, retrieval_recall.png, retrieval_latency.png", highlight=False)


def _plot_retrieval(d: Path, result: dict, rep) -> None:
    from ..evaluation.plots import plot_latency, plot_recall_curves

    d.mkdir(parents=True, exist_ok=True)
    (d / "retrieval.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    plot_recall_curves({s: recall_curve(m) for s, m in rep.systems.items()}, d / "retrieval_recall.png", f"recall@k — {result['index']}")
    plot_latency({s: [x * 1000 for x in v] for s, v in rep.latencies.items()}, d / "retrieval_latency.png", "query latency (incl. query embedding)")


@eval_app.command("answers")
@handle_errors
@bundled("model_choice", ModelChoice)
def eval_answers(
    questions: QuestionsArg,
    index: IndexOpt = None,
    model_choice: ModelChoice = ModelChoice(),
    top_k: Annotated[int | None, typer.Option("--top-k", "-k", min=1, help="passages retrieved per question")] = None,
    labels: Annotated[bool, typer.Option("--labels/--no-labels", help="ask generating models for a final 'Answer: yes|no|maybe' line on yes/no/maybe questions")] = True,
    qrels: QrelsOpt = None,
    limit: LimitOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Label accuracy and citation metrics of an answerer on QUESTIONS."""
    from ..evaluation.answers import evaluate_answers, with_label_request

    qs = load_questions(questions, qrels, limit)
    svc = service(index, **model_choice.settings())
    answerer = svc.answerer()
    generative = getattr(answerer, "generator", None) is not None
    retriever = svc.retriever()
    opts = svc.options(top_k=top_k)
    queries_of = getattr(answerer, "queries", None)

    def ask(q, want_label: bool):
        passages = retriever.search(queries_of(q.question) if queries_of else q.question, opts)
        return answerer.answer(with_label_request(q.question) if want_label else q.question, passages)

    summary, records = evaluate_answers(qs, ask, request_labels=labels and generative, progress=_progress(quiet, "answers"))
    result = {
        "index": svc.index().name, "generator": getattr(answerer, "name", str(model_choice.generator)), "questions": str(questions),
        "labels_requested": bool(labels and generative), "summary": summary, "per_question": records,
    }
    if plot:
        _plot_answers(plot, result)
    if as_json:
        print_json(result)
        return
    s = summary
    out.print(f"index {result['index']}, generator {result['generator']}, {s['n']} questions from {questions}", highlight=False)
    out.print(f"invalid citations removed      {s['invalid_citations']} (in {s['answers_with_invalid_citations']} answers)", highlight=False)
    out.print(f"gold paper cited               {_pct(s['gold_cited_rate'])} of questions, {_pct(s['gold_cited_rate_answered'])} of answered", highlight=False)
    out.print(f"unsupported sentences          {_pct(s['unsupported_sentence_share'])} of answer sentences", highlight=False)
    out.print(f"abstained                      {_pct(s['abstention_rate'])}   fell back: {_pct(s['fallback_rate'])}", highlight=False)
    if result["labels_requested"]:
        out.print(f"yes/no/maybe label accuracy    {_pct(s['label_accuracy'])} over {s['label_questions']} questions "
                  f"(final line parsed in {_pct(s['label_parsed_rate'])}; accuracy when parsed {_pct(s['label_accuracy_parsed'])})", highlight=False)
    else:
        out.print("yes/no/maybe label accuracy    n/a (the extractive answerer gives no label; use a --generator)" if not generative
                  else "yes/no/maybe label accuracy    not requested (--no-labels)", highlight=False)
    out.print(f"seconds per answer             p50 {s['seconds']['p50'] / 1000:.2f}, p95 {s['seconds']['p95'] / 1000:.2f}", highlight=False)
    if plot:
        err.print(f"wrote {plot}/answers.json, answers.png", highlight=False)


def _plot_answers(d: Path, result: dict) -> None:
    from ..evaluation.plots import plot_answer_rates

    d.mkdir(parents=True, exist_ok=True)
    (d / "answers.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    s = result["summary"]
    rates = {
        "gold cited": s["gold_cited_rate"], "gold cited (answered)": s["gold_cited_rate_answered"],
        "unsupported sentences": s["unsupported_sentence_share"], "abstained": s["abstention_rate"],
        "fell back": s["fallback_rate"], "label accuracy": s["label_accuracy"] if result["labels_requested"] else None,
    }
    plot_answer_rates(rates, d / "answers.png", f"answers — {result['generator']} on {result['index']}")
