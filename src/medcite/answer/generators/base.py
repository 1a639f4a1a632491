"""The generator interface: any LangChain chat model, plus what medcite needs around it.

:class:`ChatGenerator` wraps a ``langchain_core`` :class:`BaseChatModel` (the local
transformers and llama.cpp models of this package, ``ChatOpenAI`` for OpenAI-compatible
servers, or any chat model a caller passes in) and adds:

* the model's context window and a token counter (the model's own tokenizer when it has one,
  else the stated estimate :func:`estimate_tokens`), so prompts can be fitted;
* ``generate`` / ``stream`` returning a :class:`Generation` with token counts and timings;
* errors mapped to one-line :class:`~medcite.errors.GeneratorError` messages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from ...errors import GeneratorError

#: Bytes of UTF-8 per token assumed by :func:`estimate_tokens` (conservative: English BPE
#: vocabularies average about 4 bytes per token; CJK text about 3 bytes per character and
#: roughly one token per character).
BYTES_PER_TOKEN = 3.0
#: Tokens added per chat message by the estimate (role markers and separators).
MESSAGE_OVERHEAD_TOKENS = 8


def estimate_tokens(text: str) -> int:
    """Token estimate for a model whose tokenizer is not available locally (remote servers):
    ``ceil(len(utf8 bytes) / 3)``. It over-counts English by ~25%, so fitted prompts stay
    inside the server's window."""
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


@dataclass
class Generation:
    """One completed generation.

    Attributes:
        text: the model's reply (stop sequences removed).
        tokens_in: prompt tokens (as counted by the server or the local tokenizer; ``None`` when
            unknown).
        tokens_out: generated tokens (``None`` when unknown).
        seconds: wall time of the call (s).
        first_token_seconds: time to the first streamed token (s), ``None`` when not streamed.
        finish_reason: ``"stop"``, ``"length"`` … as reported; ``""`` when unknown.
    """

    text: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    seconds: float = 0.0
    first_token_seconds: float | None = None
    finish_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_second(self) -> float | None:
        """Generated tokens per second of wall time (``None`` when unknown)."""
        if not self.tokens_out or self.seconds <= 0:
            return None
        return self.tokens_out / self.seconds


def describe_error(e: BaseException, where: str = "") -> str:
    """One line naming the failure (no API keys: only the exception's class and first line)."""
    msg = str(e).splitlines()[0] if str(e) else ""
    return f"{type(e).__name__}{': ' + msg[:200] if msg else ''}{' (' + where + ')' if where else ''}"


class ChatGenerator:
    """Drives one chat model for medcite.

    Args:
        chat_model: any LangChain chat model.
        name: label shown to users and in ``--json`` (``"transformers:gemma-3-270m"``).
        context_tokens: the model's context window (tokens); prompts never exceed it.
        count_messages: ``(system, user) -> tokens`` of the prompt exactly as sent; default:
            the chat model's ``count_prompt_tokens`` when it has one, else
            :func:`estimate_tokens` plus :data:`MESSAGE_OVERHEAD_TOKENS` per message.
        max_tokens: default answer length (tokens).
        system_role: send the rules as a system message (``False``: prepend them to the user
            message, for servers whose templates reject a system role).
        error_hint: appended to GeneratorError messages (e.g. the server URL).
        require_finish_reason: treat a stream that ends without a finish reason as cut (servers
            speaking the OpenAI protocol always send one).
        secrets: strings (API keys) redacted from every error message.
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        name: str | None = None,
        context_tokens: int | None = None,
        count_messages: Callable[[str, str], int] | None = None,
        max_tokens: int = 256,
        system_role: bool = True,
        error_hint: str = "",
        require_finish_reason: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.chat_model = chat_model
        self.name = name or getattr(chat_model, "model_label", None) or chat_model._llm_type
        ctx = context_tokens or getattr(chat_model, "context_tokens", None)
        self.context_tokens = int(ctx or 4096)
        self.max_tokens = max_tokens
        self.system_role = system_role
        self.error_hint = error_hint
        self.require_finish_reason = require_finish_reason
        self._secrets = tuple(x for x in secrets if x)
        own = getattr(chat_model, "count_prompt_tokens", None)
        self.exact_count = count_messages is not None or own is not None
        self._count = count_messages or own or self._estimate

    @staticmethod
    def _estimate(system: str, user: str) -> int:
        return estimate_tokens(system) + estimate_tokens(user) + 2 * MESSAGE_OVERHEAD_TOKENS

    def count(self, system: str, user: str) -> int:
        """Prompt tokens for ``(system, user)`` as they would be sent (see ``count_messages``)."""
        return int(self._count(system, user))

    def messages(self, system: str, user: str) -> list[BaseMessage]:
        """The chat messages sent for a prompt."""
        if not system:
            return [HumanMessage(user)]
        if self.system_role:
            return [SystemMessage(system), HumanMessage(user)]
        return [HumanMessage(f"{system}\n\n{user}")]

    def _redact(self, msg: str) -> str:
        for x in self._secrets:
            msg = msg.replace(x, "***")
        return msg

    def _fail(self, e: BaseException) -> GeneratorError:
        if isinstance(e, GeneratorError):
            return GeneratorError(self._redact(str(e)))
        if "Connection" in type(e).__name__ and self.error_hint:
            return GeneratorError(self._redact(
                f"cannot reach the {self.name} {self.error_hint} ({describe_error(e)}); is it running, and is --base-url right?"
            ))
        return GeneratorError(self._redact(f"the {self.name} generator failed: {describe_error(e, self.error_hint)}"))

    def generate(
        self, system: str, user: str, max_tokens: int | None = None, stop: list[str] | None = None,
        completion_cue: str | None = None,
    ) -> Generation:
        """Generate a reply.

        Args:
            system, user: the messages (an empty ``system`` is not sent).
            max_tokens: answer length limit (tokens; default: the generator's).
            stop: extra stop sequences.
            completion_cue: for medcite's local base models only, the text appended after the
                messages (default: their answer cue; ``""`` for none). Ignored by other models.

        Raises:
            GeneratorError: the model failed or could not be reached (one line, no secrets).
        """
        t0 = time.perf_counter()
        try:
            msg = self.chat_model.invoke(self.messages(system, user), **self._kw(max_tokens, stop, completion_cue))
        except Exception as e:
            raise self._fail(e) from e
        dt = time.perf_counter() - t0
        usage = getattr(msg, "usage_metadata", None) or {}
        meta = getattr(msg, "response_metadata", None) or {}
        text = msg.content if isinstance(msg.content, str) else "".join(
            c.get("text", "") if isinstance(c, dict) else str(c) for c in msg.content
        )
        return Generation(
            text, usage.get("input_tokens"), usage.get("output_tokens"), dt, None,
            str(meta.get("finish_reason") or ""),
        )

    def stream(
        self, system: str, user: str, max_tokens: int | None = None, stop: list[str] | None = None,
        completion_cue: str | None = None,
    ) -> Iterator[str | Generation]:
        """Yield text pieces as they arrive, then one final :class:`Generation`.

        Raises:
            GeneratorError: the model failed, could not be reached, or the stream was cut
                before the model said it had finished.
        """
        t0 = time.perf_counter()
        parts: list[str] = []
        first = None
        usage: dict = {}
        finish = ""
        try:
            for chunk in self.chat_model.stream(self.messages(system, user), **self._kw(max_tokens, stop, completion_cue)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    if first is None:
                        first = time.perf_counter() - t0
                    parts.append(piece)
                    yield piece
                if getattr(chunk, "usage_metadata", None):
                    usage = dict(chunk.usage_metadata)
                meta = getattr(chunk, "response_metadata", None) or {}
                finish = str(meta.get("finish_reason") or finish)
        except Exception as e:
            if parts:
                raise GeneratorError(self._redact(
                    f"the {self.name} stream was cut after {len(''.join(parts))} characters: {describe_error(e, self.error_hint)}"
                )) from e
            raise self._fail(e) from e
        if not finish and self.require_finish_reason:
            raise GeneratorError(
                f"the {self.name} stream ended without a finish reason after {len(''.join(parts))} characters "
                f"(connection cut?){' (' + self.error_hint + ')' if self.error_hint else ''}"
            )
        yield Generation(
            "".join(parts).strip(), usage.get("input_tokens"), usage.get("output_tokens"), time.perf_counter() - t0, first, finish
        )

    def _kw(self, max_tokens: int | None, stop: list[str] | None = None, completion_cue: str | None = None) -> dict:
        kw: dict[str, Any] = {"max_tokens": max_tokens or self.max_tokens}
        if stop:
            kw["stop"] = list(stop)
        if completion_cue is not None and getattr(self.chat_model, "supports_completion_cue", False):
            kw["completion_cue"] = completion_cue
        return kw
