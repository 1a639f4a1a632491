"""Tiny hand-made corpus for the clinical tasks: MedQuAD-like condition pages, PubMed-like
abstracts with publication types, and one structured abstract to summarise."""

from __future__ import annotations

import pytest

from medcite.documents import Document, Section


def _mq(qid: str, focus: str, cuis: list[str], question: str, answer: str, qtype: str = "information", **extra) -> Document:
    meta = {"focus": focus, "cuis": cuis, "semantic_group": "Disorders", "qtype": qtype, **extra}
    if meta.get("focus_category") == "Other":
        meta["semantic_group"] = None
    return Document(f"medquad:{qid}", question, [Section("ANSWER", answer)], extra=meta)


def clinical_docs() -> list[Document]:
    return [
        _mq("tb-1", "Tuberculosis", ["C0041296"], "What is tuberculosis?",
            "Tuberculosis (TB) is a bacterial infection of the lungs. Its symptoms are a chronic cough lasting weeks, "
            "fever, night sweats and weight loss."),
        _mq("tb-2", "Tuberculosis", ["C0041296"], "What are the symptoms of tuberculosis?",
            "People with tuberculosis have night sweats, weight loss, fever and a cough that brings up blood.", qtype="symptoms"),
        _mq("flu-1", "Influenza", ["C0021400"], "What is influenza?",
            "Influenza is a viral infection with sudden fever, sore throat, muscle aches and a dry cough."),
        _mq("hypo-1", "Hypothyroidism", ["C0020676"], "What is hypothyroidism?",
            "Hypothyroidism causes fatigue, weight gain, cold intolerance, constipation and dry skin."),
        _mq("t2d-tx", "Type 2 Diabetes", ["C0011860"], "How to treat type 2 diabetes?",
            "Type 2 diabetes is treated with metformin, healthy eating and exercise. Some people need insulin therapy.", qtype="treatment"),
        _mq("t2d-tx2", "Type 2 Diabetes", ["C0011860"], "What are the treatments for type 2 diabetes?",
            "Doctors often start with metformin. Sitagliptin or insulin therapy may be added.", qtype="treatment"),
        _mq("other-1", "Surgery", [], "What is surgery?", "Surgery is an operation on the body.", focus_category="Other"),
        Document("PMID:101", "Night sweats and weight loss in pulmonary tuberculosis",
                 [Section("ABSTRACT", "In a retrospective cohort of 300 adults, night sweats, fever and weight loss predicted pulmonary tuberculosis.")],
                 pmid="101", year=2015, mesh_terms=["Tuberculosis, Pulmonary", "Humans", "Sweating"], publication_types=["Journal Article"]),
        Document("PMID:201", "Metformin for type 2 diabetes: a meta-analysis",
                 [Section("ABSTRACT", "We pooled 35 trials. Metformin reduced HbA1c by 1.1% in type 2 diabetes compared with placebo.")],
                 pmid="201", year=2019, publication_types=["Journal Article", "Meta-Analysis", "Review"]),
        Document("PMID:202", "Insulin therapy in a patient with type 2 diabetes",
                 [Section("ABSTRACT", "A 54-year-old man with type 2 diabetes started insulin therapy after ketoacidosis.")],
                 pmid="202", year=2012, publication_types=["Case Reports"]),
        Document("PMID:203", "Sitagliptin added to metformin in type 2 diabetes",
                 [Section("ABSTRACT", "Adults with type 2 diabetes were randomly assigned to sitagliptin or placebo; sitagliptin lowered HbA1c by 0.7%.")],
                 pmid="203", year=2010, publication_types=["Randomized Controlled Trial", "Multicenter Study"]),
        Document("PMID:204", "Glipizide use in type 2 diabetes",
                 [Section("ABSTRACT", "In this retrospective cohort study, patients with type 2 diabetes treated with glipizide had more hypoglycaemia.")],
                 pmid="204", year=2016, publication_types=["Journal Article"]),
        Document("PMID:301", "Exercise training and blood pressure",
                 [Section("BACKGROUND", "High blood pressure is common. We aimed to determine whether exercise training lowers it."),
                  Section("METHODS", "We enrolled 120 adults with hypertension and randomly assigned them to exercise training or usual care for 12 weeks."),
                  Section("RESULTS", "Systolic pressure fell by 8.2 mmHg (95% CI 5.1 to 11.3) with exercise training. Diastolic pressure fell by 3.1 mmHg. Adherence was good."),
                  Section("CONCLUSIONS", "Exercise training lowers blood pressure in adults with hypertension. It should be offered routinely.")],
                 pmid="301", year=2020, publication_types=["Randomized Controlled Trial"]),
    ]


@pytest.fixture
def cdocs() -> list[Document]:
    return clinical_docs()


@pytest.fixture
def clinical_index(tmp_path, embedder, cdocs):
    from medcite.index import Index
    from medcite.index.writer import IndexWriter

    root = tmp_path / "indexes" / "clin"
    IndexWriter(root, embedder).build(cdocs)
    return Index(root)


@pytest.fixture
def retriever(clinical_index, embedder):
    from medcite.retrieval import Retriever

    return Retriever(clinical_index, embedder)


@pytest.fixture
def vocab(clinical_index):
    from medcite.clinical.vocabulary import Vocabulary

    return Vocabulary.from_documents(clinical_index.store.iter_documents())
