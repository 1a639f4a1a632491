"""Local models run with Hugging Face transformers on CPU, as a LangChain chat model.

A model is a directory (``config.json`` + weights + tokenizer), a hub id already in the local
cache, or a GGUF file (loaded with ``gguf_file=``, which dequantizes it to float32). GGUF
dequantization is slow (tens of seconds to minutes on 2 cores) and transformers refuses
``save_pretrained`` on a GGUF-loaded model, so the dequantized state dict is saved once with
safetensors, beside the config, generation config and tokenizer, under
``<cache>/dequantized/<key>/``; later loads read that directory like any local model (seconds).

Models with a chat template get it; base models (no template, e.g. Gemma 3 270M) get a plain
completion prompt ending in :data:`~medcite.answer.generators.local.COMPLETION_CUE` and stop at
:data:`~medcite.answer.generators.local.BASE_STOPS`. Decoding
is greedy (deterministic).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from ...embedding import quiet_model_loading
from ...errors import GeneratorError
from .cache import assembled_gemma_gguf, cache_dir, packaged_gemma_gguf
from .local import BASE_STOPS, COMPLETION_CUE, DEFAULT_LOCAL_CONTEXT, ROLE_NAMES, LocalChatModel, StopFilter, cut_at_stop

log = logging.getLogger(__name__)



def _cache_key(gguf: Path) -> str:
    st = gguf.stat()
    return hashlib.sha256(f"{gguf.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]


def dequantized_cache(gguf: Path) -> Path:
    """Directory holding the dequantized weights of ``gguf`` (may not exist yet)."""
    return cache_dir() / "dequantized" / f"{gguf.stem}-{_cache_key(gguf)}"


def packaged_gemma_is_prepared() -> bool:
    """True when the packaged Gemma GGUF is assembled and its dequantized weights are cached,
    so its next load takes seconds (checked without assembling or loading anything)."""
    try:
        gguf = assembled_gemma_gguf()
    except GeneratorError:
        return False
    return gguf is not None and (dequantized_cache(gguf) / "model.safetensors").exists()


def _save_dequantized(model, tok, target: Path) -> None:
    """Write ``model`` (float32 state dict, safetensors), its configs and tokenizer to
    ``target`` atomically (a temp dir renamed into place)."""
    from safetensors.torch import save_model

    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.config.save_pretrained(tmp)
    if getattr(model, "generation_config", None) is not None:
        model.generation_config.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    save_model(model, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    try:
        os.replace(tmp, target)
    except OSError:  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _gguf_parsed_once() -> Iterator[None]:
    """Within the block, every ``gguf.GGUFReader`` of one file is the first one.

    transformers parses a GGUF file three times to load one model (tokenizer, config, weights:
    each ``load_gguf_checkpoint`` call builds a new reader); each parse of Gemma 3's
    262,144-token vocabulary took ~25 s here, so a cold load took ~120 s against ~65 s with
    one parse. The reader is a read-only memory map, safe to share.
    """
    try:
        import gguf
    except ImportError:  # transformers will say that it needs the package
        yield
        return
    original = gguf.GGUFReader
    readers: dict[tuple[str, str], Any] = {}

    def reader(path, mode="r"):
        key = (str(path), mode)
        if key not in readers:
            readers[key] = original(path, mode)
        return readers[key]

    gguf.GGUFReader = reader
    try:
        yield
    finally:
        gguf.GGUFReader = original


@contextmanager
def _no_gguf_progress_bar() -> Iterator[None]:
    """transformers draws its "Converting and de-quantizing GGUF tensors" bar with plain tqdm,
    which its ``disable_progress_bar`` does not reach; within the block the bar is not drawn."""
    try:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # pragma: no cover - transformers is a dependency
        yield
        return
    original = getattr(gguf_utils, "tqdm", None)
    if original is None:
        yield
        return
    gguf_utils.tqdm = lambda iterable=None, *args, **kwargs: iterable
    try:
        yield
    finally:
        gguf_utils.tqdm = original


@lru_cache(maxsize=4)
def load_transformers(model: str | None = None, gguf_file: str | None = None) -> tuple[Any, Any, str]:
    """Load ``(model, tokenizer, label)`` on CPU in float32 (cached per process).

    Args:
        model: a model directory, a cached hub id, a ``.gguf`` file, or ``None`` for the packaged
            Gemma 3 270M GGUF.
        gguf_file: GGUF file name inside the directory ``model`` (transformers' ``gguf_file=``).

    Raises:
        GeneratorError: the model cannot be found or loaded (one line).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if model is None:
        path = packaged_gemma_gguf()
        label = "gemma-3-270m"
    else:
        path = Path(model).expanduser()
        label = path.stem if path.suffix == ".gguf" else Path(str(model).rstrip("/")).name
    if gguf_file:
        path = Path(path) / gguf_file
        label = path.stem
    quiet_model_loading()
    try:
        if isinstance(path, Path) and path.suffix == ".gguf":
            if not path.is_file():
                raise GeneratorError(f"GGUF file not found: {path}")
            cached = dequantized_cache(path)
            if (cached / "model.safetensors").exists():
                t0 = time.perf_counter()
                tok = AutoTokenizer.from_pretrained(cached, local_files_only=True)
                m = AutoModelForCausalLM.from_pretrained(cached, dtype=torch.float32, local_files_only=True)
                log.info("loaded %s from the dequantized cache in %.1f s", path.name, time.perf_counter() - t0)
            else:
                t0 = time.perf_counter()
                with _gguf_parsed_once(), _no_gguf_progress_bar():
                    tok = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
                    m = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)
                log.info("dequantized %s in %.1f s; caching in %s", path.name, time.perf_counter() - t0, cached)
                try:
                    _save_dequantized(m, tok, cached)
                except OSError as e:  # a read-only cache only costs speed
                    log.warning("could not cache dequantized weights in %s: %s", cached, e)
        else:
            src = str(path)
            if not Path(src).exists() and os.environ.get("HF_HUB_OFFLINE") == "1" and "/" not in src:
                raise GeneratorError(f"model not found: {src} (give a model directory, a .gguf file, or a cached hub id)")
            tok = AutoTokenizer.from_pretrained(src, local_files_only=True)
            m = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32, local_files_only=True)
    except GeneratorError:
        raise
    except Exception as e:
        raise GeneratorError(f"cannot load the transformers model {path}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}") from e
    m.eval()
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return m, tok, label


class _TailStop:
    """Stops generation once the decoded new text contains a stop sequence (as
    :func:`cut_at_stop`). Decodes only the last few tokens per step (transformers'
    ``stop_strings`` precomputes tables over the whole vocabulary, which costs minutes for
    Gemma's 262k tokens on a busy CPU)."""

    def __init__(self, tokenizer, stops: list[str], n_prompt: int, tail_tokens: int = 12) -> None:
        self.tok, self.stops, self.n_prompt, self.tail = tokenizer, stops, n_prompt, tail_tokens
        self.lead: int | None = None  # index of the first new token with visible text

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        new = input_ids[0, self.n_prompt:].tolist()
        if self.lead is None:
            head = self.tok.decode(new, skip_special_tokens=False)
            visible = self.tok.decode(new, skip_special_tokens=True).strip()  # as the final text is decoded
            if not visible:
                hit = any(s in head for s in self.stops if not s.isspace())  # a special stop such as <eos>
                return torch.full((input_ids.shape[0],), hit, dtype=torch.bool)
            self.lead = len(new) - 1
        start = max(self.lead, len(new) - self.tail)
        text = self.tok.decode(new[start:], skip_special_tokens=False)
        hit = bool(cut_at_stop(text, self.stops, at_start=start == self.lead)[1])
        return torch.full((input_ids.shape[0],), hit, dtype=torch.bool)


class TransformersChatModel(LocalChatModel):
    """A causal LM run with transformers, exposed as a LangChain chat model.

    Build it with :meth:`load`. ``invoke(messages, max_tokens=N)`` / ``stream(...)`` work like any
    chat model; replies carry ``usage_metadata`` (tokens in/out) and ``response_metadata``
    (``finish_reason``: ``"stop"`` or ``"length"``).

    Attributes:
        context_tokens: context window enforced on prompt + output (tokens).
        stop: extra stop sequences (base models also stop at :data:`BASE_STOPS`).
        repetition_penalty: CTRL-style penalty (Keskar et al. 2019) against loops in small models.
    """

    hf_model: Any = Field(exclude=True)
    tokenizer: Any = Field(exclude=True)
    model_label: str = "transformers"

    @classmethod
    def load(cls, model: str | None = None, gguf_file: str | None = None, context_tokens: int | None = None, **kw) -> TransformersChatModel:
        """Load a local model (see :func:`load_transformers`); ``context_tokens`` defaults to the
        model's ``max_position_embeddings`` capped at :data:`DEFAULT_LOCAL_CONTEXT`.

        Raises:
            GeneratorError: the model cannot be loaded.
        """
        m, tok, label = load_transformers(model, gguf_file)
        native = int(getattr(m.config, "max_position_embeddings", 0) or DEFAULT_LOCAL_CONTEXT)
        ctx = min(native, context_tokens or DEFAULT_LOCAL_CONTEXT)
        return cls(hf_model=m, tokenizer=tok, model_label=f"transformers:{label}", context_tokens=ctx, **kw)

    @property
    def _llm_type(self) -> str:
        return "medcite-transformers"

    @property
    def has_chat_template(self) -> bool:
        """Whether the tokenizer carries a chat template (else: completion prompt)."""
        return bool(getattr(self.tokenizer, "chat_template", None))

    # -- prompt rendering ---------------------------------------------------------------------
    def render(self, messages: list[BaseMessage], completion_cue: str | None = None) -> str:
        """The exact text given to the tokenizer for ``messages``; ``completion_cue`` (base models
        only) replaces :data:`COMPLETION_CUE` (``""``: nothing appended)."""
        if self.has_chat_template:
            msgs = [{"role": ROLE_NAMES.get(m.type, "user"), "content": m.content} for m in messages]
            return self.tokenizer.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
        body = "\n\n".join(str(m.content) for m in messages if m.type != "ai")
        cue = COMPLETION_CUE if completion_cue is None else completion_cue
        return f"{body}\n\n{cue}" if cue else body

    def _encode(self, messages: list[BaseMessage], completion_cue: str | None = None) -> list[int]:
        text = self.render(messages, completion_cue)
        # a chat template already writes the BOS token; a completion prompt needs it added
        return self.tokenizer(text, add_special_tokens=not self.has_chat_template)["input_ids"]

    def count_prompt_tokens(self, system: str, user: str) -> int:
        """Tokens of the prompt for a system + user message pair, exactly as :meth:`invoke` sends it."""
        from langchain_core.messages import HumanMessage, SystemMessage

        return len(self._encode([SystemMessage(system), HumanMessage(user)]))

    def get_num_tokens(self, text: str) -> int:
        """Tokens of ``text`` under this model's tokenizer (no specials)."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools=None) -> int:
        """Prompt tokens for ``messages`` as sent."""
        return len(self._encode(messages))

    def _stops(self, stop: list[str] | None) -> list[str]:
        return self.stop_sequences(stop, [] if self.has_chat_template else BASE_STOPS)

    def _gen_kwargs(self, ids: list[int], stop: list[str] | None, max_tokens: int | None) -> dict:
        import torch

        n_in = len(ids)
        if n_in >= self.context_tokens:
            raise GeneratorError(f"the prompt has {n_in} tokens; {self.model_label} has a {self.context_tokens}-token context window")
        new = min(int(max_tokens or self.max_tokens), self.context_tokens - n_in)
        stops = self._stops(stop)
        x = torch.tensor([ids])
        kw = dict(
            input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=new, do_sample=False,
            repetition_penalty=self.repetition_penalty, pad_token_id=self.tokenizer.pad_token_id,
        )
        if stops:
            from transformers import StoppingCriteriaList

            kw["stopping_criteria"] = StoppingCriteriaList([_TailStop(self.tokenizer, stops, n_in)])
        return kw

    # -- LangChain hooks ----------------------------------------------------------------------
    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, max_tokens: int | None = None,
        completion_cue: str | None = None, **kwargs: Any,
    ) -> ChatResult:
        import torch

        ids = self._encode(messages, completion_cue)
        kw = self._gen_kwargs(ids, stop, max_tokens)
        with torch.inference_mode():
            out = self.hf_model.generate(**kw)
        new = out[0, len(ids):].tolist()
        eos = self._eos_ids()
        hit_eos = bool(new) and new[-1] in eos
        text = self.tokenizer.decode([t for t in new if t not in eos], skip_special_tokens=True)
        text, stopped = cut_at_stop(text, self._stops(stop))
        finish = "stop" if (stopped or hit_eos or len(new) < kw["max_new_tokens"]) else "length"
        msg = AIMessage(
            content=text.strip(),
            usage_metadata={"input_tokens": len(ids), "output_tokens": len(new), "total_tokens": len(ids) + len(new)},
            response_metadata={"finish_reason": finish, "model_name": self.model_label},
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _eos_ids(self) -> set[int]:
        e = self.hf_model.generation_config.eos_token_id
        ids = set(e if isinstance(e, list) else [e] if e is not None else [])
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, max_tokens: int | None = None,
        completion_cue: str | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import TextIteratorStreamer

        ids = self._encode(messages, completion_cue)
        kw = self._gen_kwargs(ids, stop, max_tokens)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        result: dict = {}

        def work() -> None:
            try:
                with torch.inference_mode():
                    result["out"] = self.hf_model.generate(**kw, streamer=streamer)
            except Exception as e:  # surfaced in the consumer thread
                result["error"] = e
                streamer.end()

        th = threading.Thread(target=work, daemon=True)
        th.start()
        filt = StopFilter(self._stops(stop))
        for piece in streamer:  # read to the end after a stop: the generating thread must finish
            shown = filt.feed(piece)
            if shown:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=shown))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
        th.join()
        if "error" in result:
            raise result["error"]
        rest = filt.flush()
        if rest:
            yield ChatGenerationChunk(message=AIMessageChunk(content=rest))
        stopped = filt.stopped
        n_out = int(result["out"].shape[1] - len(ids)) if "out" in result else 0
        finish = "stop" if (stopped or n_out < kw["max_new_tokens"]) else "length"
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata={"input_tokens": len(ids), "output_tokens": n_out, "total_tokens": len(ids) + n_out},
                response_metadata={"finish_reason": finish, "model_name": self.model_label},
            )
        )


def model_info(chat: TransformersChatModel) -> dict:
    """Small JSON-able description (label, context, chat template or completion prompt)."""
    return json.loads(json.dumps({
        "model": chat.model_label, "context_tokens": chat.context_tokens,
        "prompt": "chat template" if chat.has_chat_template else "completion + stop sequences",
    }))
