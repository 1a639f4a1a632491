"""Option bundles: groups of command-line options several commands share, declared once.

A bundle is a frozen dataclass whose fields are typer options (:data:`typing.Annotated` aliases of
:mod:`medcite.cli.common`). :func:`bundled` gives a command one parameter of the bundle's type and
puts the bundle's options on the command line in its place, so ``search`` and ``ask`` (the reading
options), ``diagnose`` and ``treatments`` (the clinical scope) and every command that may call a
generating model (the model choice) list the same options with the same help, and a new option
is added in one place.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from dataclasses import dataclass
from functools import wraps
from typing import Annotated

import typer

from .common import BaseUrlOpt, EvidenceOpt, GeneratorOpt, IndexOpt, JsonOpt, ModelOpt, PubTypeOpt, TopK, YearFrom, YearTo

ItemsK = Annotated[int | None, typer.Option("--top-k", "-k", min=1, help="items to list (candidates / options; sentences per part for summarize)")]
PassagesOpt = Annotated[int | None, typer.Option("--passages", "-p", min=1, help="passages to read from the index")]


def bundled(name: str, cls: type):
    """Decorator: replace the parameter ``name: cls`` of a typer command by the options of the
    bundle dataclass ``cls`` (each field's type is its typer option, its default the default), and
    call the command with ``name=cls(**those options)``.

    Raises:
        TypeError: the command has no parameter ``name`` (a programming error, at import time).
    """
    fields = dataclasses.fields(cls)
    hints = typing.get_type_hints(cls, include_extras=True)

    def decorate(command):
        own = list(inspect.signature(command, eval_str=True).parameters.values())
        at = next((i for i, p in enumerate(own) if p.name == name), None)
        if at is None:
            raise TypeError(f"{command.__name__} has no parameter {name!r} for the {cls.__name__} options")
        shared = [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=hints[f.name], default=f.default)
                  for f in fields]
        rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if at < i else p for i, p in enumerate(own) if i != at]

        @wraps(command)
        def run(*args, **kwargs):
            kwargs[name] = cls(**{f.name: kwargs.pop(f.name) for f in fields})
            return command(*args, **kwargs)

        run.__signature__ = inspect.Signature(rest[:at] + shared + rest[at:], return_annotation=None)
        run.__annotations__ = {p.name: p.annotation for p in run.__signature__.parameters.values()}
        return run

    return decorate


@dataclass(frozen=True)
class Reading:
    """What ``search`` and ``ask`` read: which index, how many passages, which publication years
    and evidence levels, and JSON output."""

    index: IndexOpt = None
    top_k: TopK = None
    year_from: YearFrom = None
    year_to: YearTo = None
    evidence: EvidenceOpt = None
    publication_type: PubTypeOpt = None
    as_json: JsonOpt = False

    def filters(self) -> dict:
        """Keyword arguments for the service call: ``year_from``, ``year_to``, ``evidence``,
        ``publication_types`` (a tuple, or ``None`` for any)."""
        return {"year_from": self.year_from, "year_to": self.year_to, "evidence": self.evidence,
                "publication_types": tuple(self.publication_type) if self.publication_type else None}


@dataclass(frozen=True)
class Scope(Reading):
    """The options ``diagnose`` and ``treatments`` share: :class:`Reading`'s, where ``--top-k`` counts
    the items listed, plus ``--passages``, the passages read."""

    top_k: ItemsK = None
    passages: PassagesOpt = None

    def reading(self) -> dict:
        """Keyword arguments for the service call: ``top_k``, ``passages`` and :meth:`filters`."""
        return {"top_k": self.top_k, "passages": self.passages, **self.filters()}


@dataclass(frozen=True)
class ModelChoice:
    """Which answerer runs: ``--generator`` (extractive default), ``--model``, ``--base-url``."""

    generator: GeneratorOpt = None
    model: ModelOpt = None
    base_url: BaseUrlOpt = None

    def settings(self) -> dict:
        """Keyword arguments for :func:`medcite.cli.common.service` (settings overrides)."""
        return {"generator": self.generator, "generator_model": self.model, "generator_base_url": self.base_url}
