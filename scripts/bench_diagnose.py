"""Benchmark warm ``diagnose`` latency (issue 15: ≤ 3 s per case on the 30,855-document index).

Opens one :class:`medcite.service.Medcite` on ``--index`` (as ``medcite serve`` does: the index,
the embedder, the findings vocabulary and the phenotype knowledge base are loaded once, on the
first call), then runs ``diagnose`` on every case of the vignette fixtures (case presentations
with vitals and lab tables, English, Chinese and Spanish) and on short findings lists, open
differential and with the fixture's given candidates. Prints the cold first call (seconds) and
the warm per-case wall time: p50, p95 and max (seconds), per mode.

The retrieval mode is the service's default for the index: BM25 for a hashing-embedder index
(its dense half carries no meaning), hybrid otherwise; ``--mode`` overrides it.

Usage::

    PYTHONPATH=src nice -n 10 .venv/bin/python scripts/bench_diagnose.py --index /work/indexes/diag-hash
    .venv/bin/python scripts/bench_diagnose.py --index default-dx --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from medcite.config import Settings
from medcite.service import Medcite

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = [ROOT / "tests/fixtures/vignettes.json", ROOT / "tests/fixtures/vignettes_heldout.json"]
SHORT = [
    "fever, productive cough, pleuritic chest pain and crackles over the right lower lobe",
    "high fever, headache, cough",
    "患者表现为高烧、头痛、咳嗽等症状，可能是什么疾病？",
    "polyuria, polydipsia, weight loss, fatigue",
    "joint pain, morning stiffness, swollen hands, fatigue",
    "fiebre, rigidez de nuca, fotofobia y vómitos",
]


def _cases(paths: list[Path]) -> list[tuple[str, list[str] | None]]:
    """(findings text, given candidates or None) pairs: each vignette twice, then the short lists."""
    out: list[tuple[str, list[str] | None]] = []
    for p in paths:
        if not p.exists():
            continue
        for c in json.loads(p.read_text(encoding="utf-8"))["cases"]:
            out.append((c["text"], None))
            out.append((c["text"], list(c.get("distractors", [])) + [c["diagnosis"]]))
    out += [(s, None) for s in SHORT]
    return out


def _summary(times: list[float]) -> str:
    """``p50 / p95 / max`` of ``times`` (seconds) as text."""
    s = sorted(times)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return f"n={len(s)}  p50 {statistics.median(s):.2f} s  p95 {p95:.2f} s  max {s[-1]:.2f} s"


def main() -> None:
    """Parse arguments, run the cases, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True, help="index name under indexes/ or a path")
    ap.add_argument("--mode", default=None, choices=["hybrid", "bm25", "dense"], help="default: the service's choice for the index")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the cases (warm timings from all of them)")
    ap.add_argument("--json", default=None, help="write the figures here")
    args = ap.parse_args()

    svc = Medcite(Settings(index=args.index))
    opts = {"mode": args.mode} if args.mode else {}
    cases = _cases(FIXTURES)
    t0 = time.perf_counter()
    svc.diagnose(cases[0][0], **opts)
    cold = time.perf_counter() - t0
    open_t: list[float] = []
    given_t: list[float] = []
    for _ in range(args.repeat):
        for text, given in cases:
            t = time.perf_counter()
            svc.diagnose(text, candidates=given, **opts)
            (given_t if given else open_t).append(time.perf_counter() - t)
    info = svc.index_info()
    docs = info.get("counts", {}).get("documents")
    print(f"index {args.index}: {docs} documents, embedder {svc.index().manifest.embedder.get('name')}, mode {args.mode or 'service default'}")
    print(f"cold first call (index, vocabulary, knowledge base, case): {cold:.1f} s")
    print(f"warm open differential:   {_summary(open_t)}")
    print(f"warm given candidates:    {_summary(given_t)}")
    print(f"warm all:                 {_summary(open_t + given_t)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"index": args.index, "documents": docs, "cold_s": cold,
                                               "open_s": open_t, "given_s": given_t,
                                               "p50_s": statistics.median(open_t + given_t)}, indent=1))


if __name__ == "__main__":
    main()
