"""The seed case end to end with the real packaged embedder (e5-small) and the real knowledge base:
the Chinese question and its English translation give the same findings and the same top 5, with
influenza among them, cited."""

from __future__ import annotations

import pytest

from medcite.documents import Document, Section

from .conftest import clinical_docs

pytestmark = pytest.mark.slow

ZH = "患者表现为高烧、头痛、咳嗽等症状，可能是什么疾病？"
EN = "high fever, headache, cough"


def _docs() -> list[Document]:
    def mq(qid, focus, cui, text):
        return Document(f"medquad:{qid}", f"What is (are) {focus} ?", [Section("ANSWER", text)],
                        extra={"focus": focus, "cuis": [cui], "semantic_group": "Disorders", "qtype": "information"})

    return clinical_docs() + [
        mq("flu-2", "Flu", "C0021400", "Flu is a respiratory infection caused by a number of viruses. Symptoms of the flu include "
           "fever, headache, cough, sore throat and muscle aches."),
        mq("mening-1", "Meningitis", "C0025289", "Meningitis is inflammation of the membranes of the brain. Symptoms include "
           "sudden fever, severe headache and a stiff neck."),
        mq("migr-1", "Migraine", "C0149931", "Migraine is a common type of headache, with nausea and sensitivity to light."),
    ]


def test_chinese_and_english_seed_case_agree_and_find_influenza(tmp_path):
    from medcite.config import Settings
    from medcite.embedding import get_embedder
    from medcite.index.writer import IndexWriter
    from medcite.service import Medcite

    root = tmp_path / "indexes" / "seed"
    IndexWriter(root, get_embedder("e5-small")).build(_docs())
    svc = Medcite(Settings(index=str(root)))
    zh, en = svc.diagnose(ZH, top_k=5), svc.diagnose(EN, top_k=5)
    ids = lambda d: [f["concept_id"] for f in d.understood["findings"] if f["status"] == "present"]  # noqa: E731
    assert ids(zh) == ids(en) and len(ids(zh)) == 3
    assert [c.condition for c in zh.candidates] == [c.condition for c in en.candidates]
    flu = next(c for c in zh.candidates if c.condition_id == svc.knowledge_base().resolve("influenza").id)
    assert flu.grounding == "literature" and flu.citations
    assert {zh.references[n - 1].id for n in flu.citations} & {"medquad:flu-1", "medquad:flu-2"}
    assert any("高烧" in line and "HP:0001945" in line for line in zh.mapping)
