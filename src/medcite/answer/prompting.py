"""Prompt builder: numbered passages laid into a prompt for a generating LM, fitted to a token budget.

Passages are numbered ``[1]..[k]`` in rank order. When the prompt would exceed
``context_tokens - reserve_tokens`` (counted with the generator's own tokenizer), the
lowest-ranked passages are dropped first, then the last kept passage is trimmed at a word
boundary. The passages actually sent are returned so citations can be checked against them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..documents import Passage

SYSTEM_RULES = (
    "You are a careful clinical research assistant. Answer the question using ONLY the numbered sources below. "
    "After every sentence, cite the source(s) that support it with their numbers in square brackets, e.g. [1] or [2][3]. "
    "Cite only numbers that appear in the list of sources. Do not invent facts or references. "
    "If the sources do not answer the question, reply exactly: \"The sources do not answer this question.\""
)


@dataclass
class Prompt:
    """A fitted prompt.

    Attributes:
        system: the rules (system message for chat models).
        user: sources + question (user message).
        text: ``system`` and ``user`` as one completion prompt (base models).
        passages: the passages sent, in their ``[n]`` order.
        tokens: length of ``text`` in the counter's tokens.
        dropped: passages left out to fit.
    """

    system: str
    user: str
    text: str
    passages: list[Passage]
    tokens: int
    dropped: int


def _source(n: int, p: Passage, text: str) -> str:
    head = f"[{n}] " + (p.title + " " if p.title else "") + (f"({p.year})" if p.year else "")
    return f"{head.strip()}\n{text.strip()}"


def render(question: str, passages: list[Passage], texts: list[str], language_hint: str = "") -> tuple[str, str, str]:
    """Return ``(system, user, completion_text)`` for the given passage texts."""
    sources = "\n\n".join(_source(i + 1, p, t) for i, (p, t) in enumerate(zip(passages, texts)))
    lang = f" Write the answer in {language_hint}." if language_hint else ""
    user = f"Sources:\n\n{sources}\n\nQuestion: {question}\n{lang}".rstrip()
    text = f"{SYSTEM_RULES}\n\n{user}\n\nAnswer (with citations):"
    return SYSTEM_RULES, user, text


def build_prompt(
    question: str,
    passages: list[Passage],
    count_tokens: Callable[[str], int],
    context_tokens: int,
    reserve_tokens: int = 256,
    language_hint: str = "",
    count_messages: Callable[[str, str], int] | None = None,
) -> Prompt:
    """Fit ``passages`` into ``context_tokens - reserve_tokens`` tokens.

    Args:
        count_tokens: the generator's tokenizer (tokens of a string); counts ``text``.
        context_tokens: the model's context window (tokens).
        reserve_tokens: room kept for the answer (tokens).
        count_messages: when given, ``(system, user) -> tokens`` of the prompt exactly as the
            generator sends it (chat template or completion text, special tokens included);
            it replaces ``count_tokens`` so the count is the one the model sees.

    Raises:
        ValueError: not even the rules and the question fit.
    """
    budget = context_tokens - reserve_tokens
    kept = list(passages)
    texts = [p.text or p.title for p in kept]
    while True:
        system, user, text = render(question, kept, texts, language_hint)
        n = count_messages(system, user) if count_messages is not None else count_tokens(text)
        if n <= budget:
            return Prompt(system, user, text, kept, n, len(passages) - len(kept))
        if not kept:
            raise ValueError(f"the question alone needs {n} tokens, more than the {budget} available")
        # trim the last passage first; drop it once it is short
        words = texts[-1].split()
        if len(words) > 40:
            over = n - budget
            cut = max(20, len(words) - max(over, len(words) // 4))
            texts[-1] = " ".join(words[:cut]) + " …"
        else:
            kept.pop()
            texts.pop()
