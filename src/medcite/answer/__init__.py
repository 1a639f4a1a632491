"""Answerers turn retrieved passages into an :class:`~medcite.documents.Answer`.

:class:`Answerer` is the interface; :class:`~medcite.answer.extractive.ExtractiveAnswerer` is
the default (no language model). Generative answerers (:mod:`.generative`, with the prompt of
:mod:`.prompting`, the models of :mod:`.generators` and other languages by :mod:`.multilingual`) plug
in behind the same interface. :mod:`.citations` parses and renumbers citation markers and builds
references from passages; :mod:`.guard` checks that each cited sentence is supported by its source.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..documents import Answer, Passage

ABSTAIN_TEXT = "The indexed literature does not answer this question."


@runtime_checkable
class Answerer(Protocol):
    """Produces an answer for ``question`` from ``passages`` (best first).

    Implementations must cite only the given passages, numbered ``[1]..[k]`` in the order of
    the returned references, and build references from passage metadata, never from model text.
    """

    name: str

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """Answer ``question`` from ``passages``; abstain when they do not answer it."""
