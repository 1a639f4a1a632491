"""Abstention notes: figures that differ, and the evidence filter named when it is the cause (issue 16)."""

from __future__ import annotations

from medcite.answer.extractive import below_figures
from medcite.config import Settings
from medcite.documents import Document, Section
from medcite.index.writer import IndexWriter
from medcite.service import Medcite


def test_figures_of_a_score_below_the_bar_differ():
    assert below_figures(0.8599526882171631, 0.86) == ("0.859", "0.860")  # was "0.860 is below the threshold 0.860"
    assert below_figures(0.831, 0.832) == ("0.831", "0.832")
    low, high = below_figures(0.86004, 0.86006)
    assert low != high and float(low) <= 0.86004 and abs(float(high) - 0.86006) < 1e-4


def test_no_passage_at_the_evidence_level_is_said_so(tmp_path, embedder):
    docs = [
        Document("PMID:31", "Statins after cardiac surgery", [Section("ABSTRACT", "Preoperative statins reduced atrial fibrillation after cardiac surgery.")], pmid="31"),
        Document("PMID:32", "Vitamin D and fractures", [Section("ABSTRACT", "We randomly assigned 400 adults to vitamin D or placebo; fractures did not differ.")],
                 pmid="32", publication_types=["Randomized Controlled Trial"]),
    ]
    root = tmp_path / "indexes" / "lv"
    IndexWriter(root, embedder).build(docs)
    svc = Medcite(Settings(index=str(root), embedder=embedder.name))
    q = "Do preoperative statins reduce atrial fibrillation after cardiac surgery?"
    assert not svc.ask(q).abstained
    ans = svc.ask(q, evidence="rct")
    assert ans.abstained
    assert ans.notes[0].startswith("no passage at that evidence level (rct or stronger)")
    assert not any(n.startswith("best evidence similarity") for n in ans.notes)
