#!/usr/bin/env python
"""`make demo`: build the demo index from real PubMed abstracts, then ask it two questions;
end with a differential diagnosis on the seed's Chinese example and its English translation.

One question the literature answers, one it does not (medcite must abstain). The index is
reused when it was already built from the same corpus with the same embedder (``--rebuild``
forces a new build). Prints where the time went.

The differential needs condition records besides abstracts: a second index (``<index>-dx``)
holds the same abstracts plus the MedQuAD records chosen by one general rule — every MedlinePlus
health-topic summary (source ``MPlusHealthTopics``, question type ``information``) whose focus
is a disorder: the consumer-level overview of each common condition, ~900 records. It is built
with the hashing embedder (seconds; the differential reads it with BM25), and its phenotype
knowledge base is derived once and cached (``$MEDCITE_CACHE_DIR/knowledge``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ANSWERABLE = "Do mitochondria play a role in remodelling lace plant leaves during programmed cell death?"
UNANSWERABLE = "What is the best way to repair a cracked smartphone screen at home?"
SEED_CASE = "患者表现为高烧、头痛、咳嗽等症状，可能是什么疾病？"
SEED_CASE_EN = "high fever, headache, cough"


def medquad_subset(medquad: Path, out: Path) -> int:
    """Write the MedlinePlus health-topic summaries of MedQuAD whose focus is a disorder (the
    module docstring's rule) to ``out`` as JSONL; returns how many."""
    from medcite.clinical.terms import accept_medquad_focus

    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(medquad, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            rec = json.loads(line)
            meta = rec.get("extra") or rec
            if (meta.get("source") or meta.get("origin")) == "MPlusHealthTopics" and rec.get("qtype") == "information" and accept_medquad_focus(meta):
                w.write(line if line.endswith("\n") else line + "\n")
                n += 1
    return n


def differential_index(corpus: Path, index: str) -> tuple[str, list[str]] | None:
    """``(index name, build command)`` of the differential index, the command ``[]`` when it is
    already built from these files; ``None`` without MedQuAD."""
    medquad = ROOT.parent / "shared" / "data" / "medquad" / "qa.jsonl"
    if not medquad.exists():
        return None
    name = f"{index}-dx"
    idx = ROOT / "indexes" / name
    stamp = idx / ".built-from"
    want = json.dumps({"corpus": str(corpus.resolve()), "medquad": str(medquad.resolve()), "rule": "MPlusHealthTopics/information/disorder"})
    if (idx / "CURRENT").exists() and stamp.exists() and stamp.read_text() == want:
        return name, []
    subset = ROOT / "indexes" / ".demo" / "medquad-medlineplus.jsonl"
    n = medquad_subset(medquad, subset)
    print(f"(Building index '{name}' for the differential in the background: the abstracts plus {n} MedlinePlus condition "
          "summaries from MedQuAD, hashing embedder, read with BM25; then deriving its phenotype knowledge base, cached.)", flush=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    script = (f"import subprocess, sys, pathlib; rc = subprocess.call([sys.executable, '-m', 'medcite.cli', 'index', 'build', "
              f"{str(corpus)!r}, {str(subset)!r}, '--index', {name!r}, '--embedder', 'hashing', '--quiet']); "
              f"rc or pathlib.Path({str(stamp)!r}).write_text({want!r}); "
              f"from medcite.config import Settings; from medcite.service import Medcite; "
              f"s = Medcite(Settings(index={name!r})); s.knowledge_base(); s.vocabulary(); sys.exit(rc)")
    return name, [sys.executable, "-c", script]


def start_differential_preparation(corpus: Path, index: str):
    """Start building the differential index and its knowledge base at the lowest priority beside
    the main build (like the model preparation); ``(name, process or None)``."""
    got = differential_index(corpus, index)
    if got is None:
        return None
    name, cmd = got
    if not cmd:
        return name, None
    log = tempfile.TemporaryFile(mode="w+")
    return name, (subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log, preexec_fn=lambda: os.nice(19)), log)


def differential_demo(prep, timings: dict) -> int:
    """Wait for the differential index, then run ``medcite diagnose`` on the seed case in Chinese and English."""
    if prep is None:
        print("(skipping the differential: ../shared/data/medquad/qa.jsonl is not here)", flush=True)
        return 0
    name, proc = prep
    t0 = time.perf_counter()
    if proc is not None:
        finish_model_preparation(proc, "differential preparation")
    timings["differential index + knowledge base (wait)"] = time.perf_counter() - t0
    for case in (SEED_CASE, SEED_CASE_EN):
        print()
        t1 = time.perf_counter()
        rc = medcite("diagnose", case, "--index", name, "-k", "5")
        timings[f"diagnose: {case[:24]}"] = time.perf_counter() - t1
        if rc != 0:
            return rc
    return 0


def medcite(*args: str) -> int:
    cmd = [sys.executable, "-m", "medcite.cli", *args]
    print("$ medcite " + " ".join(a if " " not in a else repr(a) for a in args), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def start_model_preparation() -> tuple[subprocess.Popen, object] | None:
    """Start ``medcite model prepare`` in the background when the packaged Gemma's dequantized
    weights are not cached yet, so that the generative step's first load (~80 s, mostly on one
    core) runs beside the index build, which leaves part of the second core idle (reading,
    chunking, Python between batches). At normal priority it slowed the build from 302 to 352 s
    (the preparation, 86 s, done inside); at nice 19 it only takes the idle time. Its output goes
    to a temporary file (shown only if it fails)."""
    try:
        from medcite.answer.generators.transformers_gen import packaged_gemma_is_prepared

        if packaged_gemma_is_prepared():
            return None
    except Exception:  # the generative step will say what is wrong
        return None
    log = tempfile.TemporaryFile(mode="w+")
    # lowest priority: it runs on what the build leaves idle instead of slowing the build down
    proc = subprocess.Popen([sys.executable, "-m", "medcite.cli", "model", "prepare"], cwd=ROOT, stdout=log, stderr=log,
                            preexec_fn=lambda: os.nice(19))
    return proc, log


def finish_model_preparation(prep: tuple[subprocess.Popen, object] | None, what: str = "model preparation") -> None:
    if prep is None:
        return
    proc, log = prep
    if proc.wait() != 0:
        log.seek(0)
        lines = [ln for ln in log.read().splitlines() if ln.strip()]
        print(f"(background {what} failed: {lines[-1] if lines else proc.returncode})", flush=True)
    log.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "data" / "pubmedqa" / "abstracts.jsonl"))
    ap.add_argument("--index", default="default")
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--question", action="append", default=None, help="ask these instead of the two demo questions")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    if not corpus.exists():
        print(
            f"medcite demo: the corpus {corpus} is not here.\n"
            "  The demo reads real PubMed abstracts from ../shared/data (beside this repository).\n"
            "  Put papers (.jsonl, PubMed .xml/.xml.gz, .nbib, PMC .nxml, .pdf, .txt/.md) in corpus/ and run:\n"
            "    make demo CORPUS=corpus",
            file=sys.stderr,
        )
        return 1
    timings = {}
    idx = ROOT / "indexes" / a.index
    stamp = idx / ".built-from"
    want = json.dumps({"corpus": str(corpus.resolve()), "embedder": a.embedder})
    t0 = time.perf_counter()
    extra = ROOT / "scripts" / "demo_generative.py"
    generative = extra.exists() and not a.question
    prep = None
    dx = start_differential_preparation(corpus, a.index) if not a.question else None
    if a.rebuild or not (idx / "CURRENT").exists() or not stamp.exists() or stamp.read_text() != want:
        print(f"Building index '{a.index}' from {corpus} with the {a.embedder} embedder "
              "(about 0.3 s per abstract on 2 cores; progress below).", flush=True)
        if generative:
            prep = start_model_preparation()
            if prep is not None:
                print("(Preparing the Gemma 3 270M weights for the generative answer in the background.)", flush=True)
        rc = medcite("index", "build", str(corpus), "--index", a.index, "--embedder", a.embedder)
        if rc != 0:
            if prep is not None:
                prep[0].kill()
            return rc
        stamp.write_text(want)
    else:
        print(f"Index '{a.index}' already built from {corpus} (make demo REBUILD=1 to rebuild).", flush=True)
    timings["index build"] = time.perf_counter() - t0
    medcite("index", "info", "--index", a.index)
    questions = a.question or [ANSWERABLE, UNANSWERABLE]
    for q in questions:
        print()
        t1 = time.perf_counter()
        rc = medcite("ask", q, "--index", a.index)
        timings[f"ask: {q[:40]}…"] = time.perf_counter() - t1
        if rc != 0:
            if prep is not None:
                prep[0].kill()
            return rc
    if generative:
        t1 = time.perf_counter()
        finish_model_preparation(prep)
        subprocess.call([sys.executable, str(extra), "--index", a.index, "--question", ANSWERABLE], cwd=ROOT)
        timings["generative answer (Gemma 3 270M)"] = time.perf_counter() - t1
    if not a.question:
        rc = differential_demo(dx, timings)
        if rc != 0:
            return rc
    print("\nWhere the time went (s):")
    for k, v in timings.items():
        print(f"  {v:8.1f}  {k}")
    print("\nAsk your own: .venv/bin/medcite ask \"your question\"   (add --json for machine-readable output)")
    print(f"Differential: .venv/bin/medcite diagnose \"findings or case note\" --index {a.index}-dx   (--candidates \"a; b\" to weigh your own)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
