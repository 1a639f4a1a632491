"""Evaluate the phenotype knowledge base alone on the MedQuAD "symptoms" cases of eval_diagnosis.py.

Cases: the same construction as ``scripts/eval_diagnosis.py`` (its ``make_findings`` and
``abbreviations_of`` are imported; the loop that selects records is mirrored line for line),
with one difference: the documents and the condition :class:`Vocabulary` come from the three
data files the diagnosis index is built from (PubMedQA + BioASQ + MedQuAD) instead of from a
built index — same document ids, same vocabulary builder — so no embedding is needed. Seed 13,
600 cases by default.

Per case: HPO terms are extracted from the findings text with
``medcite.clinical.findings.extract_findings`` when that module is importable (present findings
→ ``present``, negated → ``absent``), else with the exact name/synonym matcher
:meth:`Ontology.find_terms` (all terms present). The knowledge base is the real one
(:func:`load_knowledge_base` over the MedQuAD and PubMedQA files) and the case's own record is
left out (``exclude_sources={doc_id}``: its symptom table does not count; other records about the
same condition stay, as do HPO's own OMIM/Orphanet annotations of it).

Gold: the condition the case's record belongs to in the knowledge base; a ranked condition is
correct when it *is* that condition (one entry per condition after synonym merging; what merges
is documented in ``medcite.clinical.knowledge.merge``). Reported: top-1/5/10 and MRR@10 over all
cases, by knowledge source of the gold after leave-one-out ("hpo": OMIM/Orphanet/DECIPHER
annotations, its own or those of its numbered subtypes (``medcite.clinical.knowledge.families``); "medquad_only": only other MedQuAD tables; "none": no phenotype at all, so the
knowledge base alone cannot rank it), and attested / not attested as eval_diagnosis defines it.
For information only, a lenient figure also accepts a condition of the same family (same name
without subtype numbers, generic heads and inheritance words: "Stargardt disease 1" for
"Stargardt disease"); the headline figures never do.

``--tune`` runs a small grid over the scoring constants on *other* usable records (those after
the evaluation cases in the shuffled order), never on the evaluation cases.

Usage::

    PYTHONPATH=src nice -n 10 .venv/bin/python scripts/eval_kb.py --json results/eval_kb.json
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_diagnosis import abbreviations_of, make_findings  # noqa: E402

from medcite.clinical.diagnose import split_findings  # noqa: E402
from medcite.clinical.knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402
from medcite.clinical.knowledge import scoring  # noqa: E402
from medcite.clinical.knowledge.names import family_key  # noqa: E402
from medcite.clinical.vocabulary import Vocabulary, accept_medquad_focus  # noqa: E402
from medcite.readers import FileReport, read_documents  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_cases(files: list[Path], medquad: Path, min_findings: int, cache: Path | None) -> list[dict]:
    """All usable cases in file order (before shuffling), as eval_diagnosis.py selects them."""
    tag = hashlib.sha1(("|".join(f"{p.resolve()}:{p.stat().st_size}" for p in files) + f"|{min_findings}").encode()).hexdigest()[:10]
    path = cache / f"eval-kb-cases-{tag}.json.gz" if cache else None
    if path and path.is_file():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    docs = [d for p in files for d in read_documents(p, FileReport(str(p)))]
    vocab = Vocabulary.from_documents(docs)
    indexed = {d.id for d in docs}
    attached_docs: dict[int, set[str]] = {}
    for d, att in vocab.doc_conditions.items():
        for cid in att:
            attached_docs.setdefault(cid, set()).add(d)
    cases = []
    for doc in read_documents(medquad, FileReport(str(medquad))):
        ex = doc.extra or {}
        if ex.get("qtype") != "symptoms" or doc.id not in indexed or not accept_medquad_focus(ex):
            continue
        gold = vocab.lookup(ex["focus"])
        if gold is None:
            continue
        answer = doc.body()
        abbrevs = abbreviations_of(ex["focus"], answer) | gold.abbreviations
        findings = make_findings(answer, ex["focus"], {gold.name}, abbrevs)
        fs, _ctx = split_findings(findings)
        if len(fs) < min_findings:
            continue
        attested = bool(attached_docs.get(gold.id, set()) - {doc.id})
        cases.append({"doc_id": doc.id, "focus": ex["focus"], "findings": findings, "attested": attested,
                      "source": ex.get("origin", "")})
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(cases, f)
    return cases


def extractor(kb: KnowledgeBase):
    """``text -> (present HPO ids, absent HPO ids)`` and the extractor's name."""
    try:
        from medcite.clinical.findings import extract_findings  # type: ignore[attr-defined]
    except ImportError:
        return (lambda text: (kb.ontology.find_terms(text), [])), "exact HPO name/synonym matcher"

    def run(text: str) -> tuple[list[str], list[str]]:
        cf = extract_findings(text)
        pres = [f.concept_id for f in cf.findings if getattr(f, "status", "present") == "present" and str(f.concept_id).startswith("HP:")]
        neg = [f.concept_id for f in cf.findings if getattr(f, "status", "") == "negated" and str(f.concept_id).startswith("HP:")]
        return pres, neg

    return run, "medcite.clinical.findings.extract_findings"


def evaluate(kb: KnowledgeBase, cases: list[dict], extract) -> dict:
    """Rank every case; adds ``rank``, ``gold_source``, ``top`` to each case; returns timings."""
    t_extract = t_rank = 0.0
    for c in cases:
        gold = kb.source_condition(c["doc_id"])
        c["gold"] = gold.id if gold else None
        ph = gold.phenotype_without({c["doc_id"]}) if gold else {}
        kinds = {e.kind for e in gold.entries if e.phenotype and e.source_id != c["doc_id"]} if gold else set()
        c["gold_source"] = "hpo" if kinds & {"omim", "orpha", "decipher", "family"} else ("medquad_only" if ph else "none")
        t0 = time.perf_counter()
        if "terms" not in c:
            c["terms"], c["absent"] = extract(c["findings"])
        t1 = time.perf_counter()
        ranked = kb.rank(c["terms"], c["absent"], limit=10, exclude_sources={c["doc_id"]})
        t2 = time.perf_counter()
        t_extract += t1 - t0
        t_rank += t2 - t1
        c["rank"] = next((r for r, m in enumerate(ranked, 1) if gold is not None and m.condition.id == gold.id), 0)
        fam = {family_key(n) for n in gold.all_names()} if gold else set()
        c["rank_family"] = next((r for r, m in enumerate(ranked, 1) if m.condition.id == (gold.id if gold else None)
                                 or family_key(m.condition.name) in fam), 0)
        c["top"] = [m.condition.name for m in ranked[:5]]
    n = max(1, len(cases))
    return {"extract_ms_per_case": round(1000 * t_extract / n, 2), "rank_ms_per_case": round(1000 * t_rank / n, 2)}


def figures(sel: list[dict], key: str = "rank") -> dict:
    """top-1/5/10 and MRR@10 of the cases in ``sel`` (by ``key``: "rank" or "rank_family")."""
    ranks = [c[key] for c in sel]
    out: dict = {"cases": len(ranks)}
    if ranks:
        for k in (1, 5, 10):
            out[f"top{k}"] = round(sum(1 for r in ranks if 0 < r <= k) / len(ranks), 4)
        out["mrr10"] = round(sum(1 / r for r in ranks if r) / len(ranks), 4)
    return out


GRID = {
    "FREQ_FLOOR": [0.3, 0.6],
    "UNEXPLAINED": [0.15, 0.3, 0.6],
    "SIZE_EXPONENT": [0.3, 0.5],
    "MIN_IC": [1.0],
    "PARTIAL": [0.0, 0.3],
}


def tune(kb: KnowledgeBase, cases: list[dict], extract) -> dict:
    """Grid over the scoring constants on ``cases``; prints each setting's top-5 and MRR@10 and
    returns the best setting (by top-5, then MRR@10). The module constants are left at the best."""
    for c in cases:
        c["terms"], c["absent"] = extract(c["findings"])
    best = None
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values))
        for k, v in setting.items():
            setattr(scoring, k, v)
        evaluate(kb, cases, extract)
        f = figures(cases)
        print(f"tune {setting}: top5 {f['top5']:.3f} mrr10 {f['mrr10']:.3f}", file=sys.stderr)
        if best is None or (f["top5"], f["mrr10"]) > best[0]:
            best = ((f["top5"], f["mrr10"]), setting)
    for k, v in best[1].items():
        setattr(scoring, k, v)
    return best[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DATA), help="folder with pubmedqa/, bioasq/, medquad/")
    ap.add_argument("--cases", type=int, default=600)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--min-findings", type=int, default=2)
    ap.add_argument("--cache", default="indexes/.cache", help="folder for the case cache")
    ap.add_argument("--tune", type=int, default=0, help="tune on this many records outside the evaluation cases first")
    ap.add_argument("--json", default=None, help="write figures and per-case ranks here")
    ap.add_argument("--show", type=int, default=0, help="print this many cases")
    args = ap.parse_args()
    data = Path(args.data)
    medquad = data / "medquad" / "qa.jsonl"
    files = [data / "pubmedqa" / "abstracts.jsonl", data / "bioasq" / "abstracts.jsonl", medquad]

    t0 = time.perf_counter()
    kb = load_knowledge_base([medquad, data / "pubmedqa" / "abstracts.jsonl"])
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_knowledge_base([medquad, data / "pubmedqa" / "abstracts.jsonl"])
    again_ms = 1000 * (time.perf_counter() - t0)
    print(f"knowledge base: {len(kb)} conditions, loaded in {load_s:.1f} s (second load in-process {again_ms:.2f} ms)", file=sys.stderr)

    t0 = time.perf_counter()
    cases = build_cases(files, medquad, args.min_findings, Path(args.cache) if args.cache else None)
    random.Random(args.seed).shuffle(cases)
    usable = len(cases)
    eval_cases, rest = cases[: args.cases], cases[args.cases :]
    print(f"{usable} usable symptom records; evaluating {len(eval_cases)} (cases built in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    extract, how = extractor(kb)
    tuned = tune(kb, rest[: args.tune], extract) if args.tune else None
    timing = evaluate(kb, eval_cases, extract)
    for c in eval_cases[: args.show]:
        print(f"--- {c['doc_id']} gold={c['focus']!r} ({c['gold']}, {c['gold_source']}) rank={c['rank']} terms={len(c['terms'])}\n"
              f"{c['findings'][:300]}\n→ {c['top']}", file=sys.stderr)
    result = {
        "cases": len(eval_cases), "seed": args.seed, "usable_records": usable, "extractor": how,
        "knowledge_base": {"conditions": len(kb), "load_seconds": round(load_s, 2)},
        "scoring": {k: getattr(scoring, k) for k in ("FREQ_FLOOR", "MIN_IC", "PARTIAL", "EXPLAIN_DISTANCE", "UNEXPLAINED", "CONTRADICTED", "SIZE_EXPONENT")},
        "tuned_on": len(rest[: args.tune]) if tuned else 0,
        "all": figures(eval_cases),
        "by_gold_source": {s: figures([c for c in eval_cases if c["gold_source"] == s]) for s in ("hpo", "medquad_only", "none")},
        "by_record_source": {s: figures([c for c in eval_cases if c["source"] == s]) for s in sorted({c["source"] for c in eval_cases})},
        "attested": figures([c for c in eval_cases if c["attested"]]),
        "not_attested": figures([c for c in eval_cases if not c["attested"]]),
        "lenient_same_or_subtype": figures(eval_cases, "rank_family"),
        "no_terms": sum(1 for c in eval_cases if not c["terms"]),
        **timing,
    }
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({**result, "per_case": eval_cases}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
