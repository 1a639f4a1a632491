"""OpenAI-compatible chat-completions servers (vLLM, Ollama, llama.cpp's server, OpenAI) through
``langchain-openai``'s ``ChatOpenAI``.

Retries: the ``openai`` client retries connection errors, timeouts, 408/409/429 and 5xx with
exponential backoff (0.5 s doubling to 8 s, with jitter; a server's ``Retry-After`` is honoured)
up to ``max_retries`` times. The API key is read from an environment variable and kept as a
``SecretStr``; it is never logged and is redacted from error messages.
"""

from __future__ import annotations

import os
from typing import Any

from ...errors import GeneratorError
from .base import ChatGenerator

#: Placeholder key for local servers that check none (sent only when the env var is unset).
NO_KEY = "not-needed"


def _compat_class():
    from langchain_openai import ChatOpenAI

    class CompatChatOpenAI(ChatOpenAI):
        """``ChatOpenAI`` that sends ``max_tokens`` (understood by vLLM, Ollama and llama.cpp's
        server) instead of ``max_completion_tokens`` when the endpoint is not OpenAI's."""

        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            base = str(self.openai_api_base or "")
            if base and "api.openai.com" not in base and "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return CompatChatOpenAI


def openai_generator(
    model: str,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    timeout: float = 60.0,
    max_retries: int = 2,
    context_tokens: int = 4096,
    max_tokens: int = 256,
    temperature: float = 0.0,
) -> ChatGenerator:
    """A :class:`ChatGenerator` for an OpenAI-compatible endpoint.

    Args:
        model: the server's model name.
        base_url: e.g. ``http://127.0.0.1:8000/v1`` (``None``: OpenAI's API).
        api_key_env: name of the environment variable holding the key (unset: a placeholder is
            sent, which local servers accept).
        timeout: per-request timeout (s).
        max_retries: retries on connection errors, timeouts, 429 and 5xx (count).
        context_tokens: the server model's context window (tokens); prompt tokens are estimated
            with :func:`~medcite.answer.generators.base.estimate_tokens` (no local tokenizer).
        max_tokens: answer length limit (tokens).

    Raises:
        GeneratorError: ``langchain-openai`` is missing, or no model name was given.
    """
    if not model:
        raise GeneratorError("the openai generator needs a model name (--model NAME or MEDCITE_GENERATOR_MODEL)")
    try:
        cls = _compat_class()
    except ImportError as e:
        raise GeneratorError("the openai generator needs the 'langchain-openai' package (pip install langchain-openai)") from e
    key = os.environ.get(api_key_env or "", "") or ""
    chat = cls(
        model=model, base_url=base_url, api_key=key or NO_KEY, timeout=timeout, max_retries=max_retries,
        temperature=temperature, stream_usage=True,
    )
    where = f"server {base_url}" if base_url else "api.openai.com"
    return ChatGenerator(
        chat, name=f"openai:{model}", context_tokens=context_tokens, max_tokens=max_tokens,
        error_hint=where, require_finish_reason=True, secrets=(key,) if key else (),
    )
