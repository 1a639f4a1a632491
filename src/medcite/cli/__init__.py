"""``medcite`` command line (typer): front end that parses, calls :class:`~medcite.service.Medcite`
and renders. Domain errors become one line on stderr and a non-zero exit code; ``-v`` shows tracebacks.

* :mod:`.common` — the typer apps, consoles, shared options, error handling, progress;
* :mod:`.answers` — printing answers, references and the guard's verdict (``ask``, ``ask --stream``);
* :mod:`.main` — ``index build``, ``index info``, ``search``, ``ask``;
* :mod:`.index` — ``index add/update/delete/…`` and :mod:`.pubmed` (``pubmed fetch``);
* :mod:`.generate` — ``model prepare`` (the packaged Gemma GGUF);
* :mod:`.clinical` — ``diagnose``, ``treatments``, ``summarize``;
* :mod:`.serve` — ``serve`` (the HTTP API); :mod:`.eval` — ``eval retrieval/answers``.

Importing this package registers every command; :func:`run` is the console script (``medcite``).
"""

from __future__ import annotations

from . import main, index, generate, clinical, serve, eval  # noqa: F401,I001  (each registers its commands, in this order)
from .answers import render_answer
from .common import app

__all__ = ["app", "render_answer", "run"]


def run() -> None:
    """Console-script entry point."""
    app()
