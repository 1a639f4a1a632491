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

__all__ = ["app", "hoist_verbose", "render_answer", "run"]

_VERBOSE = ("-v", "--verbose")


def hoist_verbose(argv: list[str]) -> list[str]:
    """``argv`` with ``-v`` / ``--verbose`` given after the command ("medcite diagnose -v ...")
    moved before it, where the global option is parsed; nothing after a ``--`` is touched."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:end] if a in _VERBOSE]
    if not flags or argv[0] in _VERBOSE and len(flags) == 1:
        return list(argv)
    rest = [a for a in argv[:end] if a not in _VERBOSE]
    return ["--verbose", *rest, *argv[end:]]


def run() -> None:
    """Console-script entry point."""
    import sys

    app(args=hoist_verbose(sys.argv[1:]), prog_name="medcite")
