#!/usr/bin/env python
"""Benchmark generative answers on the PubMedQA dev questions (Gemma path by default).

Reports, over the questions run (``--limit``; the full set is 500):

* invalid citations reaching the user — counted independently of the guard from the final
  answers: a marker in the answer text or a sentence citation naming no reference, or a
  reference whose chunk was not among the passages sent/retrieved (must be 0);
* citation markers the guard removed (and answers with at least one);
* fraction of answers whose guarded citations (the references shown) include the gold PMID —
  over all answers, and over answers the model's own text supplied (no fallback);
* answers that fell back to the extractive answer, and answers that abstained;
* generation speed (generated tokens / generation seconds), tokens in/out, latency.

    nice -n 10 .venv/bin/python scripts/bench_generative.py --limit 100 --json results/bench_generative.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "pubmedqa"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=None, help="default: indexes/default, else indexes/bench-e5-small")
    ap.add_argument("--generator", default="transformers")
    ap.add_argument("--model", default=None)
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--limit", type=int, default=500)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--top-k", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--json", default=None, help="write the summary here")
    ap.add_argument("--details", default=None, help="write one JSON line per question here")
    a = ap.parse_args()
    from medcite.config import Settings
    from medcite.service import Medcite

    index = a.index or ("default" if (ROOT / "indexes" / "default" / "CURRENT").exists() else "bench-e5-small")
    svc = Medcite(Settings(index=index, index_root=ROOT / "indexes", generator=a.generator, generator_model=a.model,
                           generator_base_url=a.base_url, generator_max_tokens=a.max_tokens))
    t0 = time.perf_counter()
    answerer = svc.answerer()
    load_s = time.perf_counter() - t0
    qs = [json.loads(line) for line in open(DATA / "questions_dev.jsonl")][a.offset: a.offset + a.limit]
    det = open(a.details, "w") if a.details else None
    n = invalid = removed = with_removed = gold_all = gold_gen = gen_ok = fell_back = abstained = 0
    unsupported = uncited = supported = 0
    tok_out = gen_s = tok_in = 0.0
    lat = []
    for i, q in enumerate(qs):
        ans = svc.ask(q["question"], answerer, top_k=a.top_k)
        n += 1
        nrefs = len(ans.references)
        bad = sum(1 for x in re.findall(r"\[(\d+)\]", ans.answer) if not 1 <= int(x) <= nrefs)
        bad += sum(1 for s in ans.sentences for c in s.citations if not 1 <= c <= nrefs)
        invalid += bad
        g = ans.extra.get("guard", {})
        removed += g.get("removed_markers", 0) or 0
        with_removed += bool(g.get("removed_markers"))
        fb = g.get("fallback")
        if ans.abstained:
            abstained += 1
        elif fb == "extractive":
            fell_back += 1
        else:
            gen_ok += 1
        hit = any(r.pmid in q["gold_pmids"] for r in ans.references)
        gold_all += hit
        gold_gen += hit and not ans.abstained and fb is None
        supported += g.get("supported_sentences", 0) or 0
        unsupported += g.get("unsupported_sentences", 0) or 0
        uncited += g.get("uncited_sentences", 0) or 0
        if ans.extra.get("tokens_out"):
            tok_out += ans.extra["tokens_out"]
            tok_in += ans.extra.get("tokens_in") or 0
            gen_s += ans.timings.get("generate", 0.0)
        lat.append(ans.timings.get("total", 0.0))
        if det:
            det.write(json.dumps({"id": q["id"], "gold": q["gold_pmids"], "raw": ans.extra.get("raw_answer"), "answer": ans.answer,
                                  "refs": [r.pmid for r in ans.references], "guard": g, "abstained": ans.abstained,
                                  "tokens_out": ans.extra.get("tokens_out"), "seconds": ans.timings.get("total")}, ensure_ascii=False) + "\n")
            det.flush()
        if (i + 1) % 10 == 0:
            print(f"{i + 1}/{len(qs)}: gold-in-citations {gold_all / n:.2f}, removed markers {removed}, invalid shown {invalid}, "
                  f"{tok_out / gen_s if gen_s else 0:.1f} tok/s", file=sys.stderr, flush=True)
    gens = n - abstained  # generated or fell back
    out = {
        "index": index, "generator": answerer.name, "questions": n, "of": 500, "top_k": a.top_k, "max_tokens": a.max_tokens,
        "model_load_seconds": round(load_s, 1),
        "invalid_citations_shown": invalid,
        "markers_removed": removed, "answers_with_removed_markers": with_removed,
        "gold_pmid_in_citations": round(gold_all / n, 3) if n else None,
        "gold_pmid_in_citations_model_answers": round(gold_gen / gen_ok, 3) if gen_ok else None,
        "model_answers_kept": gen_ok, "fell_back_extractive": fell_back, "abstained": abstained,
        "sentences": {"supported": supported, "unsupported": unsupported, "uncited": uncited},
        "tokens_per_second": round(tok_out / gen_s, 2) if gen_s else None,
        "mean_tokens_in": round(tok_in / max(gens, 1), 1), "mean_tokens_out": round(tok_out / max(gens, 1), 1),
        "mean_seconds_per_question": round(sum(lat) / n, 2) if n else None,
    }
    print(json.dumps(out, indent=1))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
