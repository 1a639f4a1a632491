"""Non-English questions: language detection, English rewrite by the configured generator,
RRF fusion of both queries, answer requested in the question's language.

The Chinese questions are our own translations of PubMedQA dev questions; the "generator"
here is a scripted LangChain chat model returning the English rewrite (what a capable model
would produce), so the test checks the plumbing and the retrieval gain with the real
multilingual e5-small embedder, not a small model's translation skill."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from medcite.answer.generative import GenerativeAnswerer
from medcite.answer.generators import ChatGenerator
from medcite.config import Settings
from medcite.embedding import get_embedder
from medcite.answer.multilingual import clean_rewrite, detect_language, queries_for
from medcite.retrieval import SearchOptions
from medcite.service import Medcite

ZH = [  # (our translation, PubMedQA dev index)
    ("双气囊小肠镜在社区医院中是否有效且安全？", 1),
    ("创伤患者进行治疗性抗凝是否安全？", 5),
    ("Hawkins征能否预测距骨颈骨折后的坏死？", 13),
    ("针灸治疗发声创伤性嗓音疾病是否有效？", 15),
]


@pytest.mark.parametrize("text,lang", [
    ("Is metformin safe in kidney disease?", "English"),
    ("二甲双胍在肾病中安全吗？", "Chinese"),
    ("¿Es segura la metformina en los pacientes con enfermedad renal?", "Spanish"),
    ("Ist Metformin bei Patienten mit Niereninsuffizienz sicher und wie wird es dosiert?", "German"),
    ("メトホルミンは安全ですか？", "Japanese"),
    ("Безопасен ли метформин?", "Russian"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_clean_rewrite_takes_the_first_line_without_label():
    assert clean_rewrite(' English: "Is metformin safe?"\nQuestion: more') == "Is metformin safe?"


def test_english_question_is_not_rewritten():
    chat = FakeListChatModel(responses=["should not be called"])
    qs, lang, en = queries_for(ChatGenerator(chat, name="fake"), "Is metformin safe?")
    assert qs == ["Is metformin safe?"] and lang == "English" and en == ""


@pytest.mark.slow
def test_chinese_questions_are_rewritten_fused_and_answered_in_chinese(index20, pubmedqa20):
    qs, _ = pubmedqa20
    emb = get_embedder("e5-small")
    svc = Medcite(Settings(index=str(index20)), embedder=emb)
    ret = svc.retriever()
    opts = SearchOptions(top_k=20)
    alone_ranks, fused_ranks = [], []
    for zh, i in ZH:
        en, gold = qs[i]["question"], qs[i]["gold_pmids"][0]
        chat = FakeListChatModel(responses=[f"English: {en}", "二甲双胍[1]。"])
        gen = ChatGenerator(chat, name="fake", context_tokens=4096)
        answerer = GenerativeAnswerer(gen, emb, abstain_threshold=0.0)
        queries = answerer.queries(zh)
        assert queries == [en, zh]
        fused = ret.search(queries, opts)
        alone = ret.search(zh, opts)
        rank = lambda ps: next((p.rank for p in ps if p.pmid == gold), 99)
        fused_ranks.append(rank(fused))
        alone_ranks.append(rank(alone))
        prompt = answerer.prompt(zh, fused[:3])
        assert "Write the answer in Chinese." in prompt.user and zh in prompt.user
        ans = answerer.answer(zh, fused[:3])
        assert ans.extra["language"] == "Chinese" and ans.extra["english_query"] == en
    assert all(r == 1 for r in fused_ranks), fused_ranks
    assert sum(fused_ranks) <= sum(alone_ranks)
