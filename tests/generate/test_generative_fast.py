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
    from medcite.answer.generators.transformers_gen import BASE_STOPS, cut_at_stop

    # a base model usually opens its completion with a blank line: that is not the end of the answer
    assert cut_at_stop("\n\nAspirin helps [1].\n\nQuestion: next", BASE_STOPS) == ("\n\nAspirin helps [1].", True)
    assert cut_at_stop("  \n\n", BASE_STOPS) == ("  \n\n", False)
    assert cut_at_stop("Aspirin helps [1].", BASE_STOPS) == ("Aspirin helps [1].", False)
