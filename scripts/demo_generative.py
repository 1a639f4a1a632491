#!/usr/bin/env python
"""`make demo`, generative part: ask a question through the packaged Gemma 3 270M (transformers
path) and print the guarded answer beside the extractive one, with what the guard removed or
flagged — retrieval → prompt → LM → checked citations.

    .venv/bin/python scripts/demo_generative.py --index default --question "…"

The first run dequantizes the GGUF and caches the weights (~1 min on 2 idle cores); later runs
load the cache in seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def show(title: str, ans) -> None:
    from medcite.cli import render_answer
    from medcite.cli.answers import render_guard

    print(f"\n=== {title} ===", flush=True)
    render_answer(ans)
    render_guard(ans)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default="default")
    ap.add_argument("--question", required=True)
    ap.add_argument("--top-k", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=96)
    a = ap.parse_args()
    from medcite.config import Settings
    from medcite.errors import MedciteError
    from medcite.service import Medcite

    svc = Medcite(Settings(index=a.index, generator="transformers", generator_max_tokens=a.max_tokens))
    print(f"\nGenerative answer: {a.question}", flush=True)
    try:
        t0 = time.perf_counter()
        gen_answerer = svc.answerer()
        load_s = time.perf_counter() - t0
        print(f"Loaded {gen_answerer.name} in {load_s:.1f} s (CPU, float32; base model → completion prompt).", flush=True)
        extractive = svc.ask(a.question, svc.answerer("extractive"), top_k=a.top_k)
        generated = svc.ask(a.question, gen_answerer, top_k=a.top_k)
    except MedciteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    show("extractive (no language model)", extractive)
    print("\n--- what Gemma 3 270M wrote (unchecked) ---")
    print(generated.extra.get("raw_answer", "").strip() or "(nothing)")
    show(f"guarded answer from {generated.generator}", generated)
    g = generated.extra.get("guard", {})
    sent = generated.extra.get("passages_sent")
    print(f"\nGuard: {sent} passage(s) sent; {g.get('removed_markers', 0)} invalid citation marker(s) removed; "
          f"{g.get('supported_sentences', 0)} sentence(s) supported, {g.get('unsupported_sentences', 0)} unsupported, "
          f"{g.get('uncited_sentences', 0)} uncited; fallback: {g.get('fallback') or 'none'}.")
    tps = generated.extra.get("tokens_per_second")
    print(f"Tokens in/out: {generated.extra.get('tokens_in')}/{generated.extra.get('tokens_out')}"
          + (f", {tps:.1f} tokens/s" if tps else "") + f"; model load {load_s:.1f} s; answer {generated.timings.get('total', 0):.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
