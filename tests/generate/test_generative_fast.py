"""Generative answerer plumbing with scripted LangChain chat models (fast, no real LM)."""

from __future__ import annotations

import json
from pathlib import Path

from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage

from medcite.answer.generative import GenerativeAnswerer
from medcite.answer.generators import ChatGenerator, estimate_tokens
from medcite.answer.prompting import build_prompt
from medcite.config import Settings
from medcite.documents import Answer, Passage
from medcite.service import Medcite


def _passages(n: int, words: int = 200) -> list[Passage]:
    return [Passage(i, f"PMID:{i}", " ".join(f"w{i}x{j}" for j in range(words)), "ABSTRACT", 0, 10, pmid=str(i), dense_score=0.9, rank=i + 1)
            for i in range(n)]


def test_prompt_drops_lowest_ranked_first_and_fits():
    count = lambda s, u: len((s + " " + u).split())
    ps = _passages(10)
    p = build_prompt("q?", ps, lambda t: 0, 512, 128, count_messages=count)
    assert p.tokens == count(p.system, p.user) <= 512 - 128
    assert p.passages == ps[: len(p.passages)] and p.dropped == 10 - len(p.passages) > 0


def test_estimate_is_conservative_for_english_and_cjk():
    assert estimate_tokens("a" * 300) == 100
    assert estimate_tokens("二甲双胍") == 4


def test_generator_reports_usage_and_default_estimate():
    chat = FakeListChatModel(responses=["x [1]."])
    g = ChatGenerator(chat, name="fake", context_tokens=1000)
    assert not g.exact_count and g.count("abc", "def") == estimate_tokens("abc") + estimate_tokens("def") + 16
    assert g.generate("s", "u").text == "x [1]."


def test_stream_yields_raw_pieces_then_a_guarded_answer(embedder, built_index):
    reply = "Lactic acidosis was rare among metformin users with normal kidney function [1]. Aspirin cures everything [9]."
    chat = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    svc = Medcite(Settings(index=str(built_index)), embedder=embedder)
    answerer = GenerativeAnswerer(ChatGenerator(chat, name="fake", context_tokens=2048), embedder, abstain_threshold=0.0)
    items = list(svc.ask_stream("metformin lactic acidosis kidney", answerer, top_k=3))
    pieces = [i for i in items if isinstance(i, str)]
    assert len(pieces) > 3 and "".join(pieces) == reply
    ans = items[-1]
    assert isinstance(ans, Answer) and "[9]" not in ans.answer and ans.extra["guard"]["removed_markers"] == 1
    assert ans.extra["raw_answer"] == reply and "retrieve" in ans.timings


def test_generative_path_retrieves_like_search_for_an_english_question(embedder, built_index):
    """One query (no rewrite) is searched as a single query: the same passages, order and fused
    scores as ``medcite search``, not an RRF of one query's lists."""
    chat = FakeListChatModel(responses=["Lactic acidosis was rare [1]."])
    svc = Medcite(Settings(index=str(built_index)), embedder=embedder)
    answerer = GenerativeAnswerer(ChatGenerator(chat, name="fake", context_tokens=2048), embedder, abstain_threshold=0.0)
    q = "metformin lactic acidosis kidney"
    assert answerer.queries(q) == [q]
    got = svc._retrieve_for(answerer, q, top_k=4)
    want = svc.search(q, top_k=4)
    assert [(p.chunk_id, p.score) for p in got] == [(p.chunk_id, p.score) for p in want]


def test_model_failure_is_a_generator_error_not_a_fallback(embedder, built_index):
    import pytest

    from medcite.errors import GeneratorError

    class Broken(FakeListChatModel):
        def _call(self, *a, **k):
            raise ConnectionError("server went away")

    svc = Medcite(Settings(index=str(built_index)), embedder=embedder)
    answerer = GenerativeAnswerer(ChatGenerator(Broken(responses=["x"]), name="broken"), embedder, abstain_threshold=0.0)
    with pytest.raises(GeneratorError, match="broken"):
        svc.ask("metformin lactic acidosis", answerer)


def test_low_evidence_abstains_without_calling_the_model(embedder, built_index):
    calls = []

    class Spy(FakeListChatModel):
        def _call(self, *a, **k):
            calls.append(1)
            return "x"

    svc = Medcite(Settings(index=str(built_index)), embedder=embedder)
    answerer = GenerativeAnswerer(ChatGenerator(Spy(responses=["x"]), name="spy"), embedder, abstain_threshold=0.99)
    ans = svc.ask("How do I repair a cracked smartphone screen?", answerer)
    assert ans.abstained and not calls and ans.extra["guard"]["fallback"] == "abstain"


def test_cli_json_for_a_generative_answerer(embedder, built_index, monkeypatch):
    """`ask --json` through the CLI with a scripted model plugged in via the service factory."""
    from typer.testing import CliRunner

    import medcite.service as service_mod
    from medcite.cli import app

    reply = "Lactic acidosis was rare among metformin users with normal kidney function [1]."

    def fake_answerer(self, generator=None, model=None, base_url=None):
        gen = ChatGenerator(FakeListChatModel(responses=[reply]), name="fake", context_tokens=2048)
        return GenerativeAnswerer(gen, embedder, abstain_threshold=0.0)

    monkeypatch.setattr(service_mod.Medcite, "answerer", fake_answerer)
    monkeypatch.setattr(service_mod.Medcite, "embedder_for_index", lambda self: embedder)
    r = CliRunner().invoke(app, ["ask", "metformin lactic acidosis", "--index", str(built_index), "--generator", "openai", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["generator"] == "fake" and d["sentences"][0]["supported"] is True and d["sentences"][0]["citations"] == [1]
    assert d["references"][0]["pmid"] == "1" and {"tokens_in", "tokens_out", "guard", "timings", "question", "confidence", "notes"} <= set(d)
    assert Path(str(built_index)).exists()


def test_stop_sequences_apply_only_after_the_leading_blank_line():
    from medcite.answer.generators.local import BASE_STOPS, cut_at_stop

    # a base model usually opens its completion with a blank line: that is not the end of the answer
    assert cut_at_stop("\n\nAspirin helps [1].\n\nQuestion: next", BASE_STOPS) == ("\n\nAspirin helps [1].", True)
    assert cut_at_stop("  \n\n", BASE_STOPS) == ("  \n\n", False)
    assert cut_at_stop("Aspirin helps [1].", BASE_STOPS) == ("Aspirin helps [1].", False)
    # a stop with visible characters counts from the first character: the model ran on into a new question
    assert cut_at_stop("\nQuestion: foo?\n\nAnswer", BASE_STOPS) == ("", True)
    # inside a completion (not at its start) a blank line is a stop wherever it is
    assert cut_at_stop("  \n\nmore", BASE_STOPS, at_start=False) == ("  ", True)


class _FakeTok:
    """Tokens are strings; "<start_of_turn>" is special."""

    def decode(self, ids, skip_special_tokens=False):
        return "".join(t for t in ids if not (skip_special_tokens and t.startswith("<")))


def _tail_stop_fires(tokens, stops, tail=12):
    from medcite.answer.generators.transformers_gen import _TailStop

    class Ids(list):
        def __getitem__(self, k):
            return Rows(self) if isinstance(k, tuple) else list.__getitem__(self, k)

    class Rows:
        def __init__(self, seq):
            self.seq = seq

        def tolist(self):
            return list(self.seq)

    class Batch:
        shape = (1,)

        def __init__(self, seq):
            self.seq = seq

        def __getitem__(self, k):
            return Rows(self.seq[k[1]])

    ts = _TailStop(_FakeTok(), stops, 0, tail_tokens=tail)
    return [bool(ts(Batch(tokens[: i + 1]), None)[0]) for i in range(len(tokens))]


def test_tail_stop_sees_stops_after_whitespace_in_its_window_and_ignores_a_leading_special():
    from medcite.answer.generators.local import BASE_STOPS

    # eleven spaces then "\nQuestion:": the 12-token window starts with whitespace, the stop still counts
    fired = _tail_stop_fires(["The answer."] + [" "] * 11 + ["\n", "Question", ":"], BASE_STOPS)
    assert fired[-1] and not any(fired[:12])
    # a special token first is not visible text: the blank line after it is still the leading one
    fired = _tail_stop_fires(["<start_of_turn>", "\n\n", "Aspirin", " helps", "\n\n"], BASE_STOPS)
    assert fired == [False, False, False, False, True]


def test_llamacpp_stops_and_token_counts_over_a_scripted_stream():
    from medcite.answer.generators.llamacpp_gen import LlamaCppChatModel

    class FakeLlama:
        def __init__(self, pieces, finish):
            self.pieces, self.finish = pieces, finish
            self.resets = 0

        def reset(self):  # llama_cpp.Llama.reset: forget the cached tokens of the last request
            self.resets += 1

        def tokenize(self, b, add_bos=False, special=False):
            return list(b.decode("utf-8").split(" "))

        def n_ctx(self):
            return 512

        def create_completion(self, **kw):
            assert kw["stream"] and kw["stop"] is None
            assert self.resets, "each completion must start on an empty KV cache"
            for p in self.pieces:
                yield {"choices": [{"text": p, "finish_reason": None}]}
            yield {"choices": [{"text": "", "finish_reason": self.finish}]}

    def run(pieces, finish="stop", max_tokens=16):
        cm = LlamaCppChatModel(llm=FakeLlama(pieces, finish), context_tokens=512, max_tokens=max_tokens)
        msg = cm.invoke("Question?")
        streamed = "".join(c.content for c in cm.stream("Question?"))
        return msg.content, streamed.strip(), msg.usage_metadata["output_tokens"], msg.response_metadata["finish_reason"]

    assert run(["\n\n", "Aspirin", " helps", " [1].", "\n", "\nQuestion", ": next"]) == (
        "Aspirin helps [1].", "Aspirin helps [1].", 3, "stop")
    assert run(["\n", "Question", ":", " What", " is", "\n\n"])[:2] == ("", "")  # runs on into a new question
    # the limit ended it: the count is the limit, whatever chunks arrived (multi-byte characters come merged)
    assert run(["🧬🦠", "🧪"], finish="length", max_tokens=32)[2:] == (32, "length")


def test_a_gguf_file_is_parsed_once_per_cold_load(monkeypatch):
    """transformers builds a new GGUFReader for the tokenizer, the config and the weights; inside
    ``_gguf_parsed_once`` they are one reader per file, and the original class is restored."""
    import gguf

    from medcite.answer.generators.transformers_gen import _gguf_parsed_once

    made = []

    class FakeReader:
        def __init__(self, path, mode="r"):
            made.append(str(path))

    monkeypatch.setattr(gguf, "GGUFReader", FakeReader)
    with _gguf_parsed_once():
        from gguf import GGUFReader  # as transformers imports it, inside its loader

        a, b, c = GGUFReader("m.gguf"), GGUFReader("m.gguf"), GGUFReader("other.gguf")
    assert a is b and a is not c
    assert made == ["m.gguf", "other.gguf"]
    assert gguf.GGUFReader is FakeReader


def test_gguf_progress_bar_is_off_while_loading_and_restored(capsys):
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    from medcite.answer.generators.transformers_gen import _no_gguf_progress_bar

    original = gguf_utils.tqdm
    with _no_gguf_progress_bar():
        assert list(gguf_utils.tqdm(range(3), desc="Converting and de-quantizing GGUF tensors...")) == [0, 1, 2]
    assert "de-quantizing" not in capsys.readouterr().err
    assert gguf_utils.tqdm is original


def test_an_empty_cache_has_no_prepared_gemma(tmp_path, monkeypatch):
    from medcite.answer.generators.transformers_gen import packaged_gemma_is_prepared

    monkeypatch.setenv("MEDCITE_CACHE_DIR", str(tmp_path))
    assert packaged_gemma_is_prepared() is False
    assert not (tmp_path / "gguf").exists() or not any((tmp_path / "gguf").iterdir())  # nothing assembled
