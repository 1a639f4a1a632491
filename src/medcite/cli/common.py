"""Shared pieces of the ``medcite`` command line: the typer apps, consoles, common options,
error handling and progress reporting. Command modules register on :data:`app` / :data:`index_app`.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from ..config import Settings
from ..errors import MedciteError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="medcite: answers from the medical literature, with verified citations.")
index_app = typer.Typer(no_args_is_help=True, help="Build, update and inspect indexes.")
app.add_typer(index_app, name="index")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state = {"verbose": False}

DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="where to embed: auto (a CUDA GPU when there is one, default), cpu, cuda or cuda:N")]
IndexOpt = Annotated[Optional[str], typer.Option("--index", "-i", help="index name under indexes/ or a path (default: the demo index 'default')")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON object")]
TopK = Annotated[Optional[int], typer.Option("--top-k", "-k", min=1, help="passages to retrieve")]
YearFrom = Annotated[Optional[int], typer.Option("--year-from", help="only papers published in or after this year")]
YearTo = Annotated[Optional[int], typer.Option("--year-to", help="only papers published in or before this year")]
EvidenceOpt = Annotated[Optional[str], typer.Option(
    "--evidence", help="minimum evidence level: meta-analysis, systematic-review, guideline, rct, clinical-trial, observational, case-report, review")]
PubTypeOpt = Annotated[Optional[list[str]], typer.Option(
    "--publication-type", help="only papers of this PubMed publication type (repeatable; levels read from the text count)")]
GeneratorOpt = Annotated[Optional[str], typer.Option("--generator", "-g", help="extractive (default), transformers, llamacpp or openai")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", "-m", help="model directory or .gguf file (local), or the server's model name (openai); default local model: the packaged Gemma 3 270M")]
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show tracebacks and debug logs")] = False) -> None:
    """medcite: retrieval-augmented answers with numbered citations to real papers."""
    _state["verbose"] = verbose
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("bm25s", "faiss", "pypdf", "httpx", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def handle_errors(fn: Callable) -> Callable:
    """Turn domain errors into a one-line message and exit code (traceback with ``-v``)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except MedciteError as e:
            if _state["verbose"]:
                traceback.print_exc()
            err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
            raise typer.Exit(e.exit_code) from None
        except ValidationError as e:  # a setting (MEDCITE_* variable or .env) out of range
            if _state["verbose"]:
                traceback.print_exc()
            first = e.errors()[0] if e.errors() else {}
            name = "MEDCITE_" + "_".join(str(x) for x in first.get("loc", ())).upper()
            err.print(f"[red]error:[/red] invalid setting {escape(name)}={escape(repr(first.get('input')))}: {escape(str(first.get('msg', e)))}", highlight=False)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):  # deliberate exits (exit codes) pass through
            raise
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as e:  # unexpected: still one line unless -v
            if _state["verbose"]:
                traceback.print_exc()
            err.print(f"[red]error:[/red] {type(e).__name__}: {escape(str(e).splitlines()[0] if str(e) else '')} (run with -v for details)", highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def check_chunk_sizes(chunk_tokens: int | None, overlap_tokens: int | None) -> None:
    """Refuse chunks no longer than their overlap.

    Raises:
        UsageError: ``chunk_tokens <= overlap_tokens``.
    """
    if chunk_tokens is not None and overlap_tokens is not None and chunk_tokens <= overlap_tokens:
        raise UsageError(
            f"--chunk-tokens {chunk_tokens} must be larger than the overlap of {overlap_tokens} tokens "
            "(--overlap-tokens, or MEDCITE_CHUNK_OVERLAP_TOKENS)"
        )


def service(index: str | None, **settings):
    from ..service import Medcite

    kw = {k: v for k, v in settings.items() if v is not None}
    if index:
        kw["index"] = index
    return Medcite(Settings(**kw))


def progress_callback(quiet: bool, label: str):
    """A ``(done, total)`` callback: a rich bar on a terminal, log lines otherwise, nothing if quiet."""
    if quiet:
        return None, None
    if err.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        prog = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(), console=err)
        task = prog.add_task(label, total=None)

        def cb(done: int, total: int) -> None:
            prog.update(task, completed=done, total=total)

        return cb, prog
    state = {"last": -1}

    def log(done: int, total: int) -> None:
        pct = int(100 * done / max(total, 1))
        if pct // 10 != state["last"] // 10 or done == total:
            state["last"] = pct
            print(f"{label}: {done}/{total} chunks embedded ({pct}%)", file=sys.stderr, flush=True)

    return log, None


def print_file_reports(reports, quiet: bool) -> int:
    failed = 0
    for r in reports:
        if r.error:
            failed += 1
            err.print(f"[red]failed[/red]  {escape(r.error)}", highlight=False)
        elif not quiet:
            skipped = f", {len(r.skipped)} skipped" if r.skipped else ""
            deleted = f", {len(r.deleted)} deletions" if r.deleted else ""
            err.print(f"read    {escape(r.path)} [{r.format}]: {r.read} records{skipped}{deleted}", highlight=False)
        if not quiet:
            for rid, why in r.skipped[:5]:
                err.print(f"  skipped {escape(str(rid))}: {escape(why)}", highlight=False)
            if len(r.skipped) > 5:
                err.print(f"  … {len(r.skipped) - 5} more skipped", highlight=False)
    return failed


def print_json(obj) -> None:
    """Print ``obj`` as one JSON line on stdout (``--json``; non-JSON values as ``str``)."""
    print(json.dumps(obj, default=str, ensure_ascii=False))
