"""Classify the top-10 misses of a ``scripts/eval_diagnosis.py`` run (issue 15's miss classes).

Reads the run's ``--json`` (per-case ranks and knowledge sources) and ``--record`` (each case's
ranking inputs: knowledge-base matches, literature scores, the combined order, the gold keys) and
the knowledge base of the index (from the same cache), and puts every top-10 miss whose gold
condition has a phenotype once its record is left out ("reachable") in the first class that
applies:

* ``a0`` the gold condition is typed a finding (:mod:`medcite.clinical.knowledge.kinds`: never a
  candidate by design — "Hypoglycemia", "Heart murmur");
* ``a1`` a numbered subtype or the family of the gold condition is in the top 10 (same
  :func:`~medcite.clinical.knowledge.names.family_key`: "Myopathy, tubular aggregate, 1" for
  "Tubular aggregate myopathy");
* ``a2`` a near name is in the top 10 (content-token Jaccard ≥ 0.5 with a gold name: the same
  disease under a name the knowledge base did not merge, or only a similar one — read them);
* ``d`` the knowledge base ranks the gold condition 1–10 and the combination pushes it out;
* ``c`` combined rank 11–30;
* ``b1``–``b5`` the knowledge base ranks it out of reach: the case gives at most one phenotype
  term; findings were read as history/family; the gold phenotype after leave-one-out has ≤ 5
  terms; it explains < 30 % of the case's terms; or it explains more and still ranks below 30.

Also printed: the share of all cases whose gold is in the knowledge base's top 10 or the
literature's top 10 (or found) — what any combination of the two lists could reach at best.

Usage::

    PYTHONPATH=src nice -n 10 .venv/bin/python scripts/diagnosis_misses.py --json s13.json --record rec13.jsonl \\
        --index /work/indexes/diag-hash --cache /tmp/cache
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.lexicon import nearest_hpo
from medcite.clinical.knowledge.names import family_key, name_tokens
from medcite.clinical.knowledge.store import load_knowledge_base_for_index
from medcite.index import Index

_STOP = {"syndrome", "disease", "disorder", "type", "and", "with", "of", "the", "due", "to"}


def _tokens(name: str) -> set[str]:
    return {t for t in name_tokens(name) if t not in _STOP}


def _twin(gold_names: list[str], shown: list[str]) -> tuple[str, str] | None:
    """The first shown name near a gold name, and whether it is of the gold's family."""
    for v in shown:
        for g in gold_names:
            a, b = _tokens(g), _tokens(v)
            if a and b and len(a & b) / len(a | b) >= 0.5:
                return v, "family" if family_key(g) == family_key(v) else "name"
    return None


def _kb_class(kb, case: dict, gold) -> str:
    """One of b1–b5 (module docstring) for a case the knowledge base ranks out of reach."""
    fs = extract_findings(case["findings"]).findings
    q = kb.terms([t for f in fs if f.status == "present" and (t := nearest_hpo(f.concept_id))])
    lost = [f for f in fs if f.status in ("historical", "family")]
    ph = gold.phenotype_without({case["doc_id"]}) if gold is not None else {}
    closure: set[str] = set()
    for a in ph:
        closure |= set(kb.ontology.ancestors(a))
    explained = [t for t in q if t in closure]
    if len(q) <= 1:
        return "b1 the case gives at most one phenotype term"
    if lost and len(lost) >= len(q) / 3:
        return "b2 findings read as history/family"
    if len(ph) <= 5:
        return "b3 the gold phenotype after leave-one-out has <= 5 terms"
    if len(explained) < 0.3 * len(q):
        return "b4 the gold explains < 30% of the case's terms"
    return "b5 the gold explains >= 30% and ranks below 30"


def classify(run: dict, records: dict[str, dict], kb) -> dict[str, list[dict]]:
    """``{class: [case summaries]}`` for the reachable top-10 misses of ``run``."""
    finding_ids = {kb.conditions[i].id for i in kb.finding_ids}
    out: dict[str, list[dict]] = collections.defaultdict(list)
    for case in run["cases"]:
        if case["rank"] or case["kb_source"].startswith("no phenotype"):
            continue
        rec = records[case["doc_id"]]
        gold_keys = set(rec["gold"]) | {case["kb_gold"]}
        gold = kb.get(case["kb_gold"]) if case["kb_gold"] else None
        bad = set(rec.get("findings_keys", []))
        order = [(k, v) for k, v in rec["names"].items() if k not in bad]
        combined = next((i for i, (k, _) in enumerate(order, 1) if k in gold_keys), 0)
        kb_rank = next((i for i, m in enumerate(rec["kb"], 1) if m[0] in gold_keys), 0)
        twin = _twin(gold.all_names() if gold is not None else [case["focus"]], [v for _, v in order[:10]])
        row = {"focus": case["focus"], "kb_rank": kb_rank, "combined": combined, "near": twin[0] if twin else ""}
        if gold is not None and gold.id in finding_ids:
            key = "a0 the gold is typed a finding"
        elif twin and twin[1] == "family":
            key = "a1 a subtype/family of the gold is in the top 10"
        elif twin:
            key = "a2 a near name is in the top 10"
        elif 0 < kb_rank <= 10:
            key = "d  knowledge-base rank 1-10, pushed out"
        elif 0 < combined <= 30:
            key = "c  ranked 11-30"
        else:
            key = _kb_class(kb, case, gold)
        out[key].append(row)
    return out


def reachable_by_fusion(run: dict, records: dict[str, dict]) -> float:
    """Share of the cases found in the top 10, or in the top 10 of the knowledge base or of the
    literature alone (the ceiling of re-weighting the combination)."""
    hits = 0
    for case in run["cases"]:
        rec = records[case["doc_id"]]
        gold = set(rec["gold"]) | {case["kb_gold"]}
        lit = sorted(rec["lit"], key=lambda k: -rec["lit"][k])[:10]
        hits += bool(case["rank"]) or any(m[0] in gold for m in rec["kb"][:10]) or any(k in gold for k in lit)
    return hits / max(1, len(run["cases"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="eval_diagnosis.py --json output")
    ap.add_argument("--record", required=True, help="eval_diagnosis.py --record output")
    ap.add_argument("--index", required=True)
    ap.add_argument("--cache", default="indexes/.cache", help="the --cache of the run")
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    run = json.loads(Path(args.json).read_text())
    records = {r["doc_id"]: r for r in map(json.loads, Path(args.record).read_text().splitlines())}
    kb = load_knowledge_base_for_index(Index(Path(args.index)), Path(args.cache) / "knowledge")
    classes = classify(run, records, kb)
    reachable = sum(1 for c in run["cases"] if not c["kb_source"].startswith("no phenotype"))
    print(f"{sum(map(len, classes.values()))} top-10 misses among {reachable} reachable cases; found or in the top 10 "
          f"of either list: {reachable_by_fusion(run, records):.3f} of all cases")
    for key in sorted(classes):
        rows = classes[key]
        ex = "; ".join(r["focus"][:40] + (f" ~ {r['near'][:40]}" if r["near"] else "") for r in rows[: args.examples])
        print(f"{len(rows):4d}  {key}   e.g. {ex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
