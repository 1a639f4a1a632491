"""What the in-process chat models (transformers, llama.cpp) share: the completion cue and stop
sequences of base models, the stop handling of streamed text, and the common settings.

A base model (no chat template, e.g. Gemma 3 270M) gets a plain completion prompt ending in
:data:`COMPLETION_CUE` and stops at :data:`BASE_STOPS`; both runtimes apply stop sequences
themselves (:func:`cut_at_stop`, :class:`StopFilter`) so a blank line that opens a completion
does not end it.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from pydantic import ConfigDict, Field

#: Appended to a base model's completion prompt; the model continues after it.
COMPLETION_CUE = "Answer (with citations):"
#: Stop sequences for base models: the answer is one paragraph.
BASE_STOPS = ["\n\n", "\nQuestion:", "\nSources:", "<end_of_turn>", "<eos>"]
#: Context window used when a local model declares none or a huge one (tokens): prompt
#: processing on CPU grows with length, and medcite's prompts need far less.
DEFAULT_LOCAL_CONTEXT = 4096
#: LangChain message types → chat-template roles.
ROLE_NAMES = {"system": "system", "human": "user", "ai": "assistant"}


def cut_at_stop(text: str, stops: list[str], at_start: bool = True) -> tuple[str, bool]:
    """``(text before the first stop sequence, whether one was found)``.

    ``at_start`` (``text`` begins where the completion begins): a stop made only of whitespace
    ("\\n\\n") counts only after the text's leading whitespace — a base model often opens its
    completion with a blank line, which must not end the answer before it starts. Stops with
    visible characters ("\\nQuestion:") count anywhere.
    """
    lead = len(text) - len(text.lstrip()) if at_start else 0
    found = (text.find(s, lead if s.isspace() else 0) for s in stops)
    cut = min((i for i in found if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class StopFilter:
    """Applies stop sequences (:func:`cut_at_stop`) to streamed text: :meth:`feed` returns what
    may be shown now — text that could still be the start of a stop sequence is held back —
    and :meth:`flush` what is left at the end. :attr:`stopped` once a stop was seen."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = stops
        self.hold = max((len(s) for s in stops), default=0)
        self.text, self.sent, self.stopped = "", 0, False

    def feed(self, piece: str) -> str:
        """Add ``piece``; the text now safe to show ("" when none, and after a stop)."""
        if self.stopped:
            return ""
        self.text += piece
        cut, self.stopped = cut_at_stop(self.text, self.stops)
        upto = len(cut) if self.stopped else len(self.text) - self.hold
        out = self.text[self.sent:upto] if upto > self.sent else ""
        self.sent = max(self.sent, upto)
        return out

    def flush(self) -> str:
        """The held-back rest once the stream has ended ("" after a stop)."""
        if self.stopped:
            return ""
        out = self.text[self.sent:]
        self.sent = len(self.text)
        return out


class LocalChatModel(BaseChatModel):
    """Settings shared by the local chat models (a LangChain chat model base).

    Attributes:
        model_label: shown in answers (``"transformers:<name>"``, ``"llamacpp:<name>"``).
        context_tokens: context window enforced on prompt + output (tokens).
        max_tokens: default output limit (tokens).
        stop: extra stop sequences (base models also stop at :data:`BASE_STOPS`).
        repetition_penalty: CTRL-style penalty (Keskar et al. 2019) against loops in small models.
        supports_completion_cue: the model accepts :data:`COMPLETION_CUE` (base-model prompts).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_label: str = "local"
    context_tokens: int = DEFAULT_LOCAL_CONTEXT
    max_tokens: int = 256
    stop: list[str] = Field(default_factory=list)
    repetition_penalty: float = 1.1
    supports_completion_cue: bool = True

    def stop_sequences(self, stop: list[str] | None, extra: list[str]) -> list[str]:
        """The model's stops, then the call's ``stop``, then ``extra``: non-empty, first occurrence kept."""
        return list(dict.fromkeys(s for s in [*self.stop, *(stop or []), *extra] if s))
