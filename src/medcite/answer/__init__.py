"""Answerers turn retrieved passages into an :class:`~medcite.documents.Answer`.

:class:`Answerer` is the interface; :class:`~medcite.answer.extractive.ExtractiveAnswerer` is
the default (no language model). Generative answerers plug in behind the same interface.
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
