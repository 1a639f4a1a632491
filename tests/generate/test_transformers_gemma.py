"""The transformers path end to end with the packaged Gemma 3 270M GGUF (real model, real
e5-small index of 20 PubMedQA abstracts). Few, short generations (≤ 64 new tokens)."""

from __future__ import annotations

import json
import re

import pytest

from medcite.answer.generative import GenerativeAnswerer
from medcite.answer.generators import ChatGenerator
from medcite.answer.prompting import build_prompt
from medcite.answer.citations import MARKER, _numbers
from medcite.config import Settings
from medcite.documents import Passage
from medcite.embedding import get_embedder
from medcite.service import Medcite

pytestmark = pytest.mark.slow


def _svc(index20) -> Medcite:
    return Medcite(Settings(index=str(index20), generator_max_tokens=64), embedder=get_embedder("e5-small"))


def test_gemma_is_a_base_model_with_completion_prompt(gemma):
    assert not gemma.has_chat_template and gemma.context_tokens == 4096
    assert gemma.model_label == "transformers:gemma-3-270m"


def test_cached_dequantized_weights_are_reused(gemma):
    from medcite.answer.generators.cache import packaged_gemma_gguf
    from medcite.answer.generators.transformers_gen import dequantized_cache

    d = dequantized_cache(packaged_gemma_gguf())
    assert (d / "model.safetensors").stat().st_size > 100_000_000
    assert (d / "config.json").exists() and (d / "tokenizer_config.json").exists()


def test_answer_citations_point_at_sent_passages_whatever_the_model_wrote(gemma, index20, pubmedqa20):
    qs, _ = pubmedqa20
    svc = _svc(index20)
    gen = ChatGenerator(gemma, context_tokens=gemma.context_tokens, max_tokens=64)
    answerer = GenerativeAnswerer(gen, svc.embedder_for_index(), max_tokens=64)
    for q, k in ((qs[0]["question"], 3), (qs[1]["question"], 1)):
        ans = svc.ask(q, answerer, top_k=k)
        raw = ans.extra.get("raw_answer", "")
        sent = ans.extra.get("passages_sent", 0)
        # independent count of the numbers in the raw text that name no sent passage
        bad = sum(1 for m in MARKER.finditer(raw) for n in _numbers(m.group(1)) if not 1 <= n <= sent)
        assert ans.extra["guard"].get("removed_markers", 0) >= bad
        refs = {r.chunk_id for r in ans.references}
        assert len(refs) == len(ans.references) <= sent <= k
        for s in ans.sentences:
            assert all(1 <= n <= len(ans.references) for n in s.citations)
        for n in (int(x) for x in re.findall(r"\[(\d+)\]", ans.answer)):
            assert 1 <= n <= len(ans.references)
        assert ans.extra["tokens_in"] > 0 and ans.extra["tokens_out"] is not None
        assert ans.generator == "transformers:gemma-3-270m"


def test_prompt_fits_512_context_counted_by_the_same_tokenizer(gemma):
    long = " ".join(["Metformin lowered glycated haemoglobin in adults with type 2 diabetes and obesity."] * 30)
    passages = [Passage(i, f"PMID:{i}", f"{long} Trial {i}.", "RESULTS", 0, 10, pmid=str(i), dense_score=0.9, rank=i + 1) for i in range(10)]
    small = gemma.model_copy(update={"context_tokens": 512})
    gen = ChatGenerator(small, max_tokens=64)
    reserve = 64
    p = build_prompt("Does metformin lower HbA1c?", passages, lambda t: 0, 512, reserve, count_messages=gen.count)
    assert p.dropped > 0 and p.passages == passages[: len(p.passages)]  # lowest-ranked dropped first
    sent_ids = gemma.tokenizer(small.render(gen.messages(p.system, p.user)), add_special_tokens=True)["input_ids"]
    assert len(sent_ids) == p.tokens <= 512 - reserve
    g = gen.generate(p.system, p.user, max_tokens=8)
    assert g.tokens_in == len(sent_ids) and g.tokens_out <= 8


def test_cli_stream_json_reports_tokens_timings_and_guard(gemma, index20, pubmedqa20, monkeypatch):
    from typer.testing import CliRunner

    from medcite.cli import app

    monkeypatch.setenv("MEDCITE_GENERATOR_MAX_TOKENS", "48")
    monkeypatch.setenv("MEDCITE_EMBEDDER", "e5-small")
    q = pubmedqa20[0][2]["question"]
    r = CliRunner().invoke(app, ["ask", q, "--index", str(index20), "--generator", "transformers", "--json", "--stream", "-k", "2"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout.strip().splitlines()[-1])
    assert d["generator"] == "transformers:gemma-3-270m"
    for key in ("answer", "sentences", "references", "timings", "tokens_in", "tokens_out", "guard", "abstained"):
        assert key in d
    assert {"retrieve", "total"} <= set(d["timings"])
    for ref in d["references"]:
        assert {"pmid", "title", "year", "journal", "url", "passage", "span"} <= set(ref)
    for s in d["sentences"]:
        assert isinstance(s["supported"], bool) and all(1 <= n <= len(d["references"]) for n in s["citations"])
