"""Any language in, same findings out: Chinese and Spanish through the lexicons, language
detection, candidate phrases, and the embedder route (a scripted embedder here; the real
multilingual-e5-small in the slow tests)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from medcite.clinical.findings import crosslingual, extract_findings
from medcite.clinical.findings.crosslingual import candidate_phrases, vocabulary_strings
from medcite.clinical.findings.language import detect

SEED_ZH = "患者表现为高烧、头痛、咳嗽等症状，可能是什么疾病？"
SEED_EN = "high fever, headache, cough"
FEVER, HEADACHE, COUGH = "HP:0001945", "HP:0002315", "HP:0012735"


@pytest.mark.parametrize(
    "text,code",
    [(SEED_ZH, "zh"), (SEED_EN, "en"), ("fiebre alta, tos y dolor de cabeza", "es"), ("tos", "es"),
     ("Paciente con fiebre", "es"), ("no fever, denies cough", "en")],
)
def test_language(text, code):
    assert detect(text) == code


def test_seed_chinese_gives_the_same_findings_as_english_without_an_embedder():
    zh, en = extract_findings(SEED_ZH), extract_findings(SEED_EN)
    assert zh.present_ids() == en.present_ids() == [FEVER, HEADACHE, COUGH]
    assert [f.text for f in zh.present()] == ["高烧", "头痛", "咳嗽"]
    assert zh.language == "zh"
    assert zh.mapping_lines()[0] == "高烧 → Fever (HP:0001945) [present, lexicon]"


def test_spanish_same_findings():
    es = extract_findings("fiebre alta, tos y dolor de cabeza")
    assert sorted(es.present_ids()) == sorted([FEVER, HEADACHE, COUGH])
    assert es.language == "es"


@pytest.mark.parametrize(
    "text,present,negated",
    [
        ("无发热，有咳嗽", [COUGH], [FEVER]),
        ("否认头痛、胸痛，有发热", [FEVER], [HEADACHE, "HP:0100749"]),
        ("没有发烧，但是有头痛", [HEADACHE], [FEVER]),
        ("患者无明显诱因出现腹痛", ["HP:0002027"], []),
        ("sin fiebre, con tos", [COUGH], [FEVER]),
        ("niega dolor de cabeza y fiebre", [], [HEADACHE, FEVER]),
        ("no refiere tos; presenta fiebre", [FEVER], [COUGH]),
    ],
)
def test_negation_in_chinese_and_spanish(text, present, negated):
    case = extract_findings(text)
    assert case.present_ids() == present
    assert sorted(f.concept_id for f in case.negated()) == sorted(negated)


def test_chinese_history_and_family():
    case = extract_findings("既往高血压病史，母亲有癫痫，现发热")
    assert case.present_ids() == [FEVER]


def test_candidate_phrases_strip_fillers_and_drop_questions():
    phrases = candidate_phrases(SEED_ZH, "zh")
    assert [p.text for p in phrases] == ["高烧", "头痛", "咳嗽"]
    for p in phrases:
        assert SEED_ZH[p.start:p.end] == p.text
    es = "El paciente presenta fiebre de 3 días, tos seca y sin dolor de garganta. ¿Qué puede ser?"
    assert [p.text for p in candidate_phrases(es, "es")] == ["fiebre", "tos seca", "dolor de garganta"]


class ScriptedEmbedder:
    """Vectors by hash, except that the phrases in ``aliases`` get the vector of the HPO string
    they translate (so the route's accept/reject logic is tested, not a model)."""

    name = "scripted-test"

    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases
        self.calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        text = self.aliases.get(text, text)
        v = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(384).astype(np.float32)
        return v / np.linalg.norm(v)


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDCITE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(crosslingual, "_MATRICES", {})
    return tmp_path


def test_embedder_route_maps_unlisted_phrases_and_caches_the_matrix_as_npy(fresh_cache):
    emb = ScriptedEmbedder({"面色苍白": "Pallor", "关节肿胀": "Joint swelling"})
    case = extract_findings("发热，面色苍白，无关节肿胀，今天早上", embedder=emb)
    got = {f.concept_id: (f.text, f.status, f.via) for f in case.findings}
    assert got == {FEVER: ("发热", "present", "lexicon"), "HP:0000980": ("面色苍白", "present", "cross-lingual"),
                   "HP:0001386": ("关节肿胀", "negated", "cross-lingual")}
    files = list((fresh_cache / "findings").glob("xling-scripted-test-*.npy"))
    assert len(files) == 1
    assert np.load(files[0], allow_pickle=False).shape == (len(vocabulary_strings()[0]), 384)
    # a new process reads the matrix instead of embedding the vocabulary again
    crosslingual._MATRICES.clear()
    emb2 = ScriptedEmbedder({"面色苍白": "Pallor"})
    assert extract_findings("面色苍白", embedder=emb2).present_ids() == ["HP:0000980"]
    assert emb2.calls == 1


def test_english_text_never_goes_through_the_embedder(fresh_cache):
    emb = ScriptedEmbedder({})
    extract_findings("fever and an unlisted complaint", embedder=emb)
    assert emb.calls == 0


@pytest.mark.slow
def test_seed_chinese_with_the_real_embedder_matches_english():
    zh = extract_findings(SEED_ZH, embedder="e5-small")
    en = extract_findings(SEED_EN, embedder="e5-small")
    assert zh.present_ids() == en.present_ids() == [FEVER, HEADACHE, COUGH]
    assert zh.negated() == []


@pytest.mark.slow
def test_real_embedder_reads_spanish_phrases_outside_the_lexicon():
    # (hemiparesia joined the Spanish lexicon in session 10; nistagmo is still outside it)
    case = extract_findings("hipoalbuminemia y nistagmo", embedder="e5-small")
    assert {f.concept_id for f in case.present() if f.via == "cross-lingual"} == {"HP:0003073", "HP:0000639"}
    assert extract_findings("hipoalbuminemia y nistagmo").findings == ()  # not in the lexicons


class BatchScriptedEmbedder(ScriptedEmbedder):
    """The same vectors, through a batch method that the route prefers."""

    name = "scripted-batch-test"

    def __init__(self, aliases):
        super().__init__(aliases)
        self.batches = 0

    def embed_queries(self, texts):
        self.batches += 1
        return np.stack([ScriptedEmbedder.embed_query(self, t) for t in texts])


def test_a_batch_query_method_is_used_when_present(fresh_cache):
    emb = BatchScriptedEmbedder({"面色苍白": "Pallor"})
    assert extract_findings("面色苍白", embedder=emb).present_ids() == ["HP:0000980"]
    assert emb.batches == -(-len(vocabulary_strings()[0]) // 64) + 1
