"""CLI for generative answers: ``medcite ask --generator …`` rendering (with ``--stream``) and
``medcite model prepare`` (assemble the packaged Gemma GGUF and cache its dequantized weights).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer
from rich.markup import escape

from .cli_common import app, err, handle_errors, out
from .documents import Answer

model_app = typer.Typer(no_args_is_help=True, help="Local generating models (the packaged Gemma 3 270M).")
app.add_typer(model_app, name="model")


def render_guard(ans: Answer) -> None:
    """Print the guard's verdict: removed markers, flagged sentences, fallback, speed."""
    g = ans.extra.get("guard") or {}
    if not g and "tokens_out" not in ans.extra:
        return
    flagged = [(s.text, s.support_score) for s in ans.sentences if not s.supported]
    if not flagged:  # a fallback answer keeps the model's flagged sentences in extra
        flagged = [(f["text"] + (f" (cited: {', '.join(map(str, f['cited']))})" if f["cited"] else ""), f["support_score"])
                   for f in ans.extra.get("flagged_sentences", [])]
    if flagged:
        out.print("\nFlagged by the citation guard (not supported by the cited source; not part of the answer):", style="bold yellow")
        for text, score in flagged:
            sc = f" (support {score:.2f})" if score is not None else " (no citation)"
            out.print(f"  ✗ {escape(text)}{sc}", highlight=False)
    bits = [f"generator {ans.generator}"]
    if g:
        bits.append(f"{g.get('removed_markers', 0)} invalid marker(s) removed")
        bits.append(f"{g.get('supported_sentences', 0)} supported / {g.get('unsupported_sentences', 0)} unsupported / {g.get('uncited_sentences', 0)} uncited sentence(s)")
        if g.get("fallback"):
            bits.append(f"fallback: {g['fallback']}")
    if ans.extra.get("tokens_out") is not None:
        tps = ans.extra.get("tokens_per_second")
        bits.append(f"tokens in/out {ans.extra.get('tokens_in')}/{ans.extra.get('tokens_out')}" + (f" ({tps:.1f} tok/s)" if tps else ""))
    if ans.extra.get("english_query"):
        bits.append(f"English query: {ans.extra['english_query']!r}")
    err.print("guard: " + "; ".join(bits), highlight=False, style="dim")


def ask_generative(svc, question: str, as_json: bool, stream: bool, **opts) -> None:
    """Answer with the generator configured in ``svc.settings`` (``--json``, ``--stream``)."""
    from .cli import render_answer

    answerer = svc.answerer()
    if not stream:
        ans = svc.ask(question, answerer, **opts)
        if as_json:
            print(json.dumps(ans.to_json(), default=str, ensure_ascii=False))
            return
        render_answer(ans)
        render_guard(ans)
        return
    ans = None
    streamed = False
    for item in svc.ask_stream(question, answerer, **opts):
        if isinstance(item, Answer):
            ans = item
        elif not as_json:
            if not streamed:
                err.print("model output (unchecked):", style="dim")
                streamed = True
            sys.stderr.write(item)
            sys.stderr.flush()
    if streamed:
        sys.stderr.write("\n")
    assert ans is not None
    if as_json:
        print(json.dumps(ans.to_json(), default=str, ensure_ascii=False))
        return
    out.print("\nGuarded answer:", style="bold")
    render_answer(ans)
    render_guard(ans)


@model_app.command("prepare")
@handle_errors
def prepare(
    model: Annotated[str | None, typer.Option("--model", "-m", help="a .gguf file or model directory (default: the packaged Gemma 3 270M)")] = None,
) -> None:
    """Load a local model once so later loads are fast (GGUF: caches the dequantized weights)."""
    from .answer.generators.cache import cache_dir
    from .answer.generators.transformers_gen import TransformersChatModel

    t0 = time.perf_counter()
    chat = TransformersChatModel.load(model)
    err.print(f"{chat.model_label} ready in {time.perf_counter() - t0:.1f} s (cache: {cache_dir()}; "
              f"{'chat template' if chat.has_chat_template else 'base model: completion prompt'}; context {chat.context_tokens} tokens)",
              highlight=False)
