"""Risk context is no finding to explain (break-test 12): a negated risk factor ("No recent travel
or immobilisation") and a present one ("smoker") never appear among a candidate's unexplained
findings, nor does a piece inside a negation's scope."""

from __future__ import annotations

from medcite.clinical.differential import differential
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.findings.risk import read_risks
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import COUGH, FEVER, case_kb

TEXT = "fever; cough; smoker; No recent travel or immobilisation. No sick contacts or pets."


def _case() -> CaseFindings:
    fs = []
    for cid, label in ((FEVER, "fever"), (COUGH, "cough")):
        i = TEXT.find(label)
        fs.append(Finding(cid, label.title(), label, i, i + len(label), "present", "symptom", None, "hpo-name"))
    return CaseFindings(TEXT, tuple(fs), None, None, "en", tuple(read_risks(TEXT)))


def test_risk_context_and_negated_pieces_are_never_unexplained_findings(retriever, vocab):
    case = _case()
    assert {(r.name, r.status) for r in case.risk_factors} >= {("smoking", "present"), ("immobilisation", "negated")}
    d = differential(TEXT, retriever, vocab, case_kb(), SearchOptions(top_k=20), case=case)
    assert d.candidates
    leftovers = {u.lower() for c in d.candidates for u in c.unexplained_findings}
    assert not leftovers & {"smoker", "immobilisation", "pets"}, leftovers


def test_a_negated_risk_factor_gives_no_prior():
    from types import SimpleNamespace

    from medcite.clinical.risk_prior import weigh_risks

    pe = SimpleNamespace(entries=[SimpleNamespace(kind="criteria", source_id="CRITERIA:pulmonary-embolism")])
    entry = SimpleNamespace(name="Pulmonary embolism", kb=SimpleNamespace(condition=pe), score=1.0)
    text = "No recent travel or immobilisation."
    assert {r.status for r in read_risks(text)} == {"negated"}
    assert weigh_risks([entry], read_risks(text)) == [] and entry.score == 1.0
    assert weigh_risks([entry], read_risks("Immobilisation for 5 days.")) and entry.score > 1.0
