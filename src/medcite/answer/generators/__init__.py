"""Generating models behind one interface (:class:`ChatGenerator` around a LangChain chat model).

Backends (``--generator``): ``transformers`` (local directory or GGUF, CPU; default model: the
packaged Gemma 3 270M), ``llamacpp`` (in-process GGUF via llama-cpp-python), ``openai`` (any
OpenAI-compatible endpoint). Any other LangChain chat model can be wrapped from Python:
``ChatGenerator(my_chat_model, name="mine", context_tokens=8192)``. A configured backend never
falls back to another one: failures raise :class:`~medcite.errors.GeneratorError`.
"""

from __future__ import annotations

from .base import ChatGenerator, Generation, estimate_tokens

GENERATORS = ("extractive", "transformers", "llamacpp", "openai")

__all__ = ["GENERATORS", "ChatGenerator", "Generation", "estimate_tokens", "make_generator"]


def make_generator(
    kind: str,
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    context_tokens: int | None = None,
    timeout: float = 60.0,
    max_retries: int = 2,
    max_tokens: int = 256,
) -> ChatGenerator:
    """Build the generator named ``kind`` (``transformers``, ``llamacpp`` or ``openai``).

    Args:
        model: transformers: a model directory, ``.gguf`` file or cached hub id (default: the
            packaged Gemma 3 270M); llamacpp: a ``.gguf`` file (default: the packaged Gemma);
            openai: the server's model name (required).
        context_tokens: context window (tokens); local default: the model's, capped at 4096;
            openai default 4096.
        timeout: request timeout for openai (s). max_retries: openai retries (count).

    Raises:
        GeneratorError: unknown kind, missing package, model not loadable.
    """
    from ...errors import GeneratorError, UsageError

    if kind == "transformers":
        from .transformers_gen import TransformersChatModel

        chat = TransformersChatModel.load(model, context_tokens=context_tokens, max_tokens=max_tokens)
        return ChatGenerator(chat, name=chat.model_label, context_tokens=chat.context_tokens, max_tokens=max_tokens)
    if kind == "llamacpp":
        from .cache import packaged_gemma_gguf
        from .llamacpp_gen import LlamaCppChatModel

        path = model or str(packaged_gemma_gguf())
        chat = LlamaCppChatModel.load(path, context_tokens=context_tokens, max_tokens=max_tokens)
        return ChatGenerator(chat, name=chat.model_label, context_tokens=chat.context_tokens, max_tokens=max_tokens)
    if kind == "openai":
        from .openai_gen import openai_generator

        return openai_generator(model or "", base_url, api_key_env, timeout, max_retries, context_tokens or 4096, max_tokens)
    if kind == "extractive":
        raise UsageError("'extractive' uses no generating model")
    raise GeneratorError(f"unknown generator {kind!r}: use one of {', '.join(GENERATORS)}")
