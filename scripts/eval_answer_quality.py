#!/usr/bin/env python
"""What does the extractive answer quote? Figures for issue 16, beside today's answerer.

Tasks (``--task``):

* ``sections`` — PubMedQA dev: fraction of questions whose answer quotes a sentence of the gold
  paper's CONCLUSIONS or RESULTS section (a quoted sentence is matched to the section of the gold
  abstract it is a substring of).
* ``rouge`` — BioASQ dev summary and yes/no questions: ROUGE-2 F1 and ROUGE-SU4 F1 of the answer
  text (citation markers removed) against ``ideal_answer`` (best over the reference answers).
  ROUGE-2 from Google's ``rouge-score``; ROUGE-SU4 (skip-bigrams with at most 4 words between,
  plus unigrams, as ROUGE-1.5.5 ``-2 4 -u``) computed here on ``rouge-score``'s tokenizer with
  its Porter stemmer, since ``rouge-score`` has no SU4. An abstention scores 0.
* ``lists`` — BioASQ dev list questions: mean recall of the gold ``exact_answer`` items (see
  :func:`task_lists`); ``ask`` retrieves 10 passages for a list question, today's answerer the default 5.
* ``languages`` — the translated PubMedQA questions of ``tests/fixtures/questions_multilingual.json``:
  gold paper cited per language, and how many off-topic and absent-topic questions (medical topics
  no indexed abstract covers, with their English forms) abstain.

Systems in the same run on the same retrieved passages: ``new`` (the answerer of this
checkout), ``today`` (the extractive answerer of commit ``BASELINE_COMMIT``, loaded from git), and
for ``rouge`` ``first2`` (the first two sentences of the top passage; abstains like ``today``).

Usage: python scripts/eval_answer_quality.py --task rouge --index /work/indexes/bench-e5 [--limit 300] [--start 500]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.chunking import split_sentences  # noqa: E402
from medcite.config import Settings  # noqa: E402
from medcite.documents import Answer  # noqa: E402
from medcite.service import Medcite  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
#: The answerer before issue 16 (main at the time the work started).
BASELINE_COMMIT = "8c83245"
MARK = re.compile(r"\s*\[\d+\]")


def baseline_answerer_class():
    """``ExtractiveAnswerer`` of :data:`BASELINE_COMMIT`, imported inside the current package."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:src/medcite/answer/extractive.py"],
                         capture_output=True, text=True, check=True).stdout
    src = src.replace("from ..citations import", "from .citations import")  # moved into medcite.answer since
    spec = importlib.util.spec_from_loader("medcite.answer._extractive_baseline", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "medcite.answer"
    sys.modules[spec.name] = mod
    exec(compile(src, f"{BASELINE_COMMIT}:extractive.py", "exec"), mod.__dict__)
    return mod.ExtractiveAnswerer


def first_two(question: str, passages, threshold: float) -> str:
    """Baseline: the first two sentences of the top passage ("" when today's rule abstains)."""
    if not passages or (passages[0].dense_score or -1) < threshold and max(p.dense_score or -1 for p in passages) < threshold:
        return ""
    t = passages[0].text or passages[0].title
    return " ".join(t[s:e] for s, e in split_sentences(t)[:2])


# -- ROUGE ---------------------------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    from rouge_score import tokenizers

    global _TOK
    try:
        tok = _TOK
    except NameError:
        tok = _TOK = tokenizers.DefaultTokenizer(use_stemmer=True)
    return tok.tokenize(text)


def _f1(cand: Counter, ref: Counter) -> float:
    overlap = sum((cand & ref).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(cand.values()), overlap / sum(ref.values())
    return 2 * p * r / (p + r)


def rouge_su4(candidate: str, reference: str) -> float:
    """ROUGE-SU4 F1: skip-bigrams with at most 4 words between them, plus unigrams."""
    def grams(toks: list[str]) -> Counter:
        c = Counter(toks)
        for i in range(len(toks)):
            for j in range(i + 1, min(i + 6, len(toks))):
                c[(toks[i], toks[j])] += 1
        return c
    return _f1(grams(_tokens(candidate)), grams(_tokens(reference)))


def rouge2(candidate: str, reference: str) -> float:
    """ROUGE-2 F1 from ``rouge-score`` (Porter stemmer)."""
    from rouge_score import rouge_scorer

    global _SC
    try:
        sc = _SC
    except NameError:
        sc = _SC = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    return sc.score(reference, candidate)["rouge2"].fmeasure


def best_over(fn, cand: str, refs: list[str]) -> float:
    return max((fn(cand, r) for r in refs if r.strip()), default=0.0) if cand.strip() else 0.0


def answer_text(ans: Answer) -> str:
    return "" if ans.abstained else MARK.sub("", ans.answer).strip()


# -- tasks ---------------------------------------------------------------------------------------
def task_rouge(svc: Medcite, new, old, rows: list[dict]) -> dict:
    sums = {s: [0.0, 0.0] for s in ("new", "today", "first2")}
    n = 0
    for i, q in enumerate(rows, 1):
        if q.get("type") not in ("summary", "yesno"):
            continue
        refs = q["ideal_answer"] if isinstance(q["ideal_answer"], list) else [q["ideal_answer"]]
        passages = svc.search(q["question"])
        texts = {
            "new": answer_text(new.answer(q["question"], passages)),
            "today": answer_text(old.answer(q["question"], passages)),
            "first2": first_two(q["question"], passages, old.threshold),
        }
        for s, t in texts.items():
            sums[s][0] += best_over(rouge2, t, refs)
            sums[s][1] += best_over(rouge_su4, t, refs)
        n += 1
        if n % 50 == 0:
            print(f"  {n}: " + "  ".join(f"{s} R2 {v[0] / n:.4f}" for s, v in sums.items()), file=sys.stderr, flush=True)
    out = {s: {"rouge2_f1": v[0] / max(n, 1), "rouge_su4_f1": v[1] / max(n, 1)} for s, v in sums.items()}
    better = max(out["today"]["rouge2_f1"], out["first2"]["rouge2_f1"])
    out["n"] = n
    out["rouge2_relative_gain_over_better_baseline"] = out["new"]["rouge2_f1"] / better - 1 if better else None
    return out


def _gold_sections(pmid: str, abstracts: dict) -> list[tuple[str, str]]:
    rec = abstracts.get(pmid)
    return [(s["label"], s["text"]) for s in rec["sections"]] if rec else []


def quotes_finding(ans: Answer, gold: list[str], abstracts: dict) -> bool:
    """Whether a sentence of ``ans`` is a substring of a CONCLUSIONS / RESULTS section of a gold paper."""
    if ans.abstained:
        return False
    bodies = [MARK.sub("", s.text).strip() for s in ans.sentences]
    for pmid in gold:
        for label, text in _gold_sections(pmid, abstracts):
            if ("CONCLU" in label.upper() or "RESULT" in label.upper()) and any(b and b in text for b in bodies):
                return True
    return False


def task_sections(svc: Medcite, new, old, rows: list[dict]) -> dict:
    abstracts = {json.loads(line)["pmid"]: json.loads(line) for line in open(DATA / "pubmedqa" / "abstracts.jsonl")}
    hits = {"new": 0, "today": 0}
    cited = {"new": 0, "today": 0}
    n_sent = {"new": 0, "today": 0}
    for i, q in enumerate(rows, 1):
        passages = svc.search(q["question"])
        for name, a in (("new", new), ("today", old)):
            ans = a.answer(q["question"], passages)
            hits[name] += quotes_finding(ans, q["gold_pmids"], abstracts)
            cited[name] += bool({r.pmid for r in ans.references} & set(q["gold_pmids"]))
            n_sent[name] += len(ans.sentences)
        if i % 100 == 0:
            print(f"  {i}: conclusion/results quoted new {hits['new'] / i:.3f} today {hits['today'] / i:.3f}", file=sys.stderr, flush=True)
    n = len(rows)
    return {s: {"quotes_gold_conclusion_or_results": hits[s] / n, "gold_cited": cited[s] / n, "sentences_per_answer": n_sent[s] / n} for s in hits} | {"n": n}


def task_languages(svc: Medcite, new, old, _rows: list[dict]) -> dict:
    fx = json.loads((ROOT / "tests" / "fixtures" / "questions_multilingual.json").read_text())
    out: dict = {}
    for lang, block in fx["languages"].items():
        res = {}
        for name, a in (("new", new), ("today", old)):
            cited = answered = wrong = 0
            for q in block["questions"]:
                ans = a.answer(q["question"], svc.search(q["question"]))
                answered += not ans.abstained
                hit = bool({r.pmid for r in ans.references} & set(q["gold_pmids"]))
                cited += hit
                wrong += not ans.abstained and not hit  # answered from other papers only
            off = sum(a.answer(q, svc.search(q)).abstained for q in block["off_topic"])
            absent = sum(a.answer(q, svc.search(q)).abstained for q in block.get("absent", []))
            res[name] = {"gold_cited": cited / len(block["questions"]), "answered": answered, "answered_without_gold": wrong, "n": len(block["questions"]),
                         "off_topic_abstained": off, "off_topic_n": len(block["off_topic"]),
                         "absent_topic_abstained": absent, "absent_topic_n": len(block.get("absent", []))}
        out[lang] = res
    en = fx.get("english_absent", {}).get("absent", [])
    out["English absent-topic abstained"] = {name: sum(a.answer(q, svc.search(q)).abstained for q in en) for name, a in (("new", new), ("today", old))} | {"n": len(en)}
    return out


def _found(item_synonyms: list[str], text: str) -> bool:
    low = text.lower()
    return any(s.strip(" ,.").lower() in low for s in item_synonyms if s.strip(" ,."))


def task_lists(svc: Medcite, new, old, rows: list[dict]) -> dict:
    """BioASQ list questions: mean recall of the gold ``exact_answer`` items. Today: an item counts
    when any synonym occurs anywhere in the answer text. New: among the listed item names only
    (``list_items``) when the answer is a list, else anywhere in its text."""
    rec = {"new": 0.0, "today": 0.0}
    n = listed = 0
    for q in rows:
        if q.get("type") != "list":
            continue
        gold = [g if isinstance(g, list) else [g] for g in q["exact_answer"]]
        ans_new = svc.ask(q["question"], answerer=new)
        ans_old = old.answer(q["question"], svc.search(q["question"]))
        items = ans_new.extra.get("list_items")
        new_text = "\n".join(i["item"] for i in items) if items else answer_text(ans_new)
        listed += bool(items)
        rec["new"] += sum(_found(g, new_text) for g in gold) / len(gold)
        rec["today"] += sum(_found(g, answer_text(ans_old)) for g in gold) / len(gold)
        n += 1
        if n % 50 == 0:
            print(f"  {n}: recall new {rec['new'] / n:.3f} today {rec['today'] / n:.3f}", file=sys.stderr, flush=True)
    return {s: {"mean_item_recall": v / max(n, 1)} for s, v in rec.items()} | {"n": n, "answered_as_list": listed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=("rouge", "sections", "languages", "lists"), required=True)
    ap.add_argument("--index", required=True, help="index name under indexes/ or a path")
    ap.add_argument("--limit", type=int, default=500, help="questions read from the dev file (rouge: before the type filter)")
    ap.add_argument("--start", type=int, default=0, help="first row of the dev file read (tune on rows past the reported ones)")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    svc = Medcite(Settings(index=a.index, index_root=ROOT / "indexes"))
    new = svc.answerer("extractive")
    old = baseline_answerer_class()(svc.embedder_for_index(), svc.settings.answer_sentences, svc.settings.abstain_threshold)
    dataset = "bioasq" if a.task in ("rouge", "lists") else "pubmedqa"
    rows = [json.loads(line) for line in open(DATA / dataset / "questions_dev.jsonl")][a.start : a.start + a.limit]
    t0 = time.perf_counter()
    tasks = {"rouge": task_rouge, "sections": task_sections, "languages": task_languages, "lists": task_lists}
    res = tasks[a.task](svc, new, old, rows)
    res["seconds"] = round(time.perf_counter() - t0, 1)
    res["index"] = a.index
    print(json.dumps(res, indent=2))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
