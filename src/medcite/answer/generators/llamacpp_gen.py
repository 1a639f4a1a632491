"""In-process GGUF models with llama-cpp-python's ``Llama``, as a LangChain chat model.

The fastest local path on CPU (quantized matmuls, no dequantization). A model whose GGUF
carries a chat template gets it (rendered with llama-cpp-python's Jinja2 formatter); a base
model gets the same completion prompt and stop sequences as the transformers path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from ...errors import GeneratorError
from .local import BASE_STOPS, COMPLETION_CUE, DEFAULT_LOCAL_CONTEXT, ROLE_NAMES, LocalChatModel, StopFilter

@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, n_threads: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as e:
        raise GeneratorError("the llamacpp generator needs llama-cpp-python (pip install 'medcite[llamacpp]')") from e
    if not os.path.isfile(path):
        raise GeneratorError(f"GGUF file not found: {path}")
    try:
        return Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
    except Exception as e:
        raise GeneratorError(f"llama.cpp could not load {path}: {type(e).__name__}: {str(e)[:200]}") from e


class LlamaCppChatModel(LocalChatModel):
    """A GGUF model run in-process by llama.cpp, exposed as a LangChain chat model.

    Attributes:
        context_tokens: ``n_ctx`` (tokens).
        repetition_penalty: llama.cpp ``repeat_penalty``.
    """

    llm: Any = Field(exclude=True)
    model_label: str = "llamacpp"
    chat_template: str = ""

    @classmethod
    def load(cls, model_path: str, context_tokens: int | None = None, n_threads: int | None = None, **kw) -> LlamaCppChatModel:
        """Load ``model_path`` (a .gguf file).

        Raises:
            GeneratorError: llama-cpp-python is missing or the file cannot be loaded.
        """
        llm = _load(str(model_path), int(context_tokens or DEFAULT_LOCAL_CONTEXT), int(n_threads or os.cpu_count() or 2))
        tmpl = (llm.metadata or {}).get("tokenizer.chat_template", "")
        label = os.path.splitext(os.path.basename(str(model_path)))[0]
        return cls(llm=llm, model_label=f"llamacpp:{label}", context_tokens=llm.n_ctx(), chat_template=tmpl, **kw)

    @property
    def _llm_type(self) -> str:
        return "medcite-llamacpp"

    def render(self, messages: list[BaseMessage], completion_cue: str | None = None) -> tuple[str, list[str]]:
        """``(prompt text, extra stop sequences)`` for ``messages`` (``completion_cue``: as in
        :meth:`TransformersChatModel.render`)."""
        if self.chat_template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            eos = self.llm.detokenize([self.llm.token_eos()]).decode("utf-8", "ignore")
            bos = self.llm.detokenize([self.llm.token_bos()]).decode("utf-8", "ignore")
            fmt = Jinja2ChatFormatter(self.chat_template, eos_token=eos, bos_token=bos)
            r = fmt(messages=[{"role": ROLE_NAMES.get(m.type, "user"), "content": m.content} for m in messages])
            return r.prompt, list(r.stop or []) if isinstance(r.stop, list) else ([r.stop] if r.stop else [])
        body = "\n\n".join(str(m.content) for m in messages if m.type != "ai")
        cue = COMPLETION_CUE if completion_cue is None else completion_cue
        return (f"{body}\n\n{cue}" if cue else body), list(BASE_STOPS)

    def _tokens(self, text: str) -> list[int]:
        # a rendered chat template starts with the BOS text; a completion prompt needs it added
        return self.llm.tokenize(text.encode("utf-8"), add_bos=not self.chat_template, special=True)

    def count_prompt_tokens(self, system: str, user: str) -> int:
        """Prompt tokens for a system + user pair as sent."""
        return len(self._tokens(self.render([SystemMessage(system), HumanMessage(user)])[0]))

    def get_num_tokens(self, text: str) -> int:
        """Tokens of ``text`` (no BOS)."""
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools=None) -> int:
        """Prompt tokens for ``messages`` as sent."""
        return len(self._tokens(self.render(messages)[0]))

    def _call_kw(self, messages, stop, max_tokens, completion_cue=None) -> tuple[list[int], dict]:
        text, stops = self.render(messages, completion_cue)
        ids = self._tokens(text)
        if len(ids) >= self.context_tokens:
            raise GeneratorError(f"the prompt has {len(ids)} tokens; {self.model_label} has a {self.context_tokens}-token context window")
        n = min(int(max_tokens or self.max_tokens), self.context_tokens - len(ids))
        allstops = self.stop_sequences(stop, stops)
        return ids, dict(prompt=ids, max_tokens=n, temperature=0.0, top_k=1, repeat_penalty=self.repetition_penalty, stop=allstops)

    def _fresh_context(self) -> None:
        """Start each request on an empty KV cache: every request is independent of the last.

        llama-cpp-python (0.3.x) reuses the longest token prefix the previous request left in the
        cache and trims the rest with ``kv_cache_seq_rm``; on Gemma 3's interleaved
        sliding-window cache (``llama_kv_cache_iswa``) that trim does not restore the state a fresh
        decode of the same prefix has, so the same prompt with greedy settings gave another text
        on its second call (``generate`` then ``stream``: "Aspirin is a…" against "[1] Aspirin …",
        llama-cpp-python 0.3.36). :meth:`Llama.reset` sets the cached token count to 0, so the
        next completion re-decodes the whole prompt from position 0 (``eval`` removes every cached
        position first). The cost is the prompt's decode per request, which a RAG prompt (new
        passages each time) pays nearly in full anyway.
        """
        self.llm.reset()

    def _pieces(self, kw: dict) -> Iterator[tuple[str, int, str]]:
        """Stream ``(text piece, 0, "")`` then one final ``("", tokens generated, finish reason)``,
        with the stop sequences applied here (:func:`cut_at_stop`: a stop made only of
        whitespace counts after the completion's leading whitespace): llama.cpp's own ``stop``
        would end a base model's answer at the blank line it usually starts with. A piece is held
        back while it could be the start of a stop sequence.

        Tokens generated: ``max_tokens`` when the limit ended the completion, else the received
        text re-tokenized (llama-cpp-python sends no chunk for a token that ends inside a
        multi-byte character, so chunks undercount).
        """
        filt = StopFilter(kw["stop"])
        finish = ""
        self._fresh_context()
        for part in self.llm.create_completion(**{**kw, "stop": None}, stream=True):
            ch = part["choices"][0]
            finish = ch.get("finish_reason") or finish
            shown = filt.feed(ch.get("text") or "")
            if shown:
                yield shown, 0, ""
            if filt.stopped:
                finish = "stop"
                break
        else:
            rest = filt.flush()
            if rest:
                yield rest, 0, ""
            finish = finish or "stop"
        received = filt.text
        n_out = kw["max_tokens"] if finish == "length" else len(self.llm.tokenize(received.encode("utf-8"), add_bos=False, special=True))
        yield "", n_out, finish

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, max_tokens: int | None = None,
                  completion_cue: str | None = None, **kwargs: Any) -> ChatResult:
        ids, kw = self._call_kw(messages, stop, max_tokens, completion_cue)
        text, n_out, finish = "", 0, ""
        for piece, n, fin in self._pieces(kw):
            text += piece
            n_out, finish = n or n_out, fin or finish
        msg = AIMessage(
            content=text.strip(),
            usage_metadata={"input_tokens": len(ids), "output_tokens": n_out, "total_tokens": len(ids) + n_out},
            response_metadata={"finish_reason": finish, "model_name": self.model_label},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, max_tokens: int | None = None,
                  completion_cue: str | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        ids, kw = self._call_kw(messages, stop, max_tokens, completion_cue)
        n_out, finish = 0, ""
        for piece, n, fin in self._pieces(kw):
            n_out, finish = n or n_out, fin or finish
            if piece:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", usage_metadata={"input_tokens": len(ids), "output_tokens": n_out, "total_tokens": len(ids) + n_out},
            response_metadata={"finish_reason": finish, "model_name": self.model_label},
        ))
