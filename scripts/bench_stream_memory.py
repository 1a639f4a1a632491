#!/usr/bin/env python
"""Peak memory while streaming a 30,000-record PubMed ``.xml.gz`` (target: < 1.5 GiB).

Generates a synthetic baseline-style file from the real records in
``../shared/samples/pubmed_xml`` (every ``<PubmedArticle>`` of the samples, repeated with new,
distinct PMIDs, plus a ``<DeleteCitation>`` list), then measures in fresh processes:

1. ``read``: iterating :func:`medcite.readers.read_documents` over it (documents not kept);
2. ``update``: ``medcite index update FILE -e hashing`` into a new index (all documents are held,
   chunked, embedded with the hashing embedder, BM25-indexed and written).

Peak RSS is the process's ``ru_maxrss`` (Linux: KiB) at exit; the whole Python process counts,
imports included.

Usage: python scripts/bench_stream_memory.py [--records 30000] [--keep DIR] [--skip-update]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples" / "pubmed_xml"
LIMIT_GIB = 1.5

ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
FIRST_PMID = re.compile(rb"(<MedlineCitation[^>]*>\s*<PMID[^>]*>)\d+(</PMID>)")
ARTICLE_ID = re.compile(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)')


def sample_articles() -> list[bytes]:
    """Every ``<PubmedArticle>`` of the sample files (real records)."""
    out: list[bytes] = []
    for p in sorted(SAMPLES.iterdir()):
        if p.name.endswith((".xml", ".xml.gz")):
            data = gzip.open(p).read() if p.suffix == ".gz" else p.read_bytes()
            out.extend(m.group(0) for m in ARTICLE.finditer(data))
    if not out:
        sys.exit(f"no PubmedArticle records found under {SAMPLES}")
    return out


def generate(path: Path, n: int, first_pmid: int = 80_000_000) -> None:
    """Write ``n`` records (samples cycled, PMIDs ``first_pmid..``) and 100 deletions."""
    arts = sample_articles()
    with gzip.open(path, "wb", compresslevel=6) as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
        for i in range(n):
            pmid = str(first_pmid + i).encode()
            a = FIRST_PMID.sub(lambda m: m.group(1) + pmid + m.group(2), arts[i % len(arts)], count=1)
            a = ARTICLE_ID.sub(lambda m: m.group(1) + pmid + m.group(2), a, count=1)
            f.write(a + b"\n")
        dels = b"".join(b'<PMID Version="1">%d</PMID>' % (first_pmid + n + k) for k in range(100))
        f.write(b"<DeleteCitation>" + dels + b"</DeleteCitation>\n</PubmedArticleSet>\n")


READ = """
import resource, sys, time
from pathlib import Path
from medcite.readers import FileReport, read_documents
t = time.perf_counter()
rep = FileReport(sys.argv[1])
n = sum(1 for _ in read_documents(Path(sys.argv[1]), rep))
print({"records": n, "skipped": len(rep.skipped), "deleted": len(rep.deleted), "seconds": time.perf_counter() - t,
       "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""

UPDATE = """
import resource, sys, time
from medcite.cli import app
t = time.perf_counter()
try:
    app(["index", "update", sys.argv[1], "-i", sys.argv[2], "-e", "hashing", "--create", "-q"], standalone_mode=False)
finally:
    print({"seconds": time.perf_counter() - t, "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
"""


def measure(code: str, *args: str) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT / "src")}
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"measurement failed ({p.returncode}):\n{p.stderr[-3000:]}")
    import ast

    res = ast.literal_eval(p.stdout.strip().splitlines()[-1])
    res["stderr_tail"] = p.stderr.strip().splitlines()[-2:]
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=30_000)
    ap.add_argument("--keep", type=Path, help="write the file and index here and keep them")
    ap.add_argument("--skip-update", action="store_true", help="only measure reading")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    work = a.keep or Path(tempfile.mkdtemp(prefix="medcite-stream-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / "pubmed_synthetic.xml.gz"
    t = time.perf_counter()
    generate(src, a.records)
    gen_s = time.perf_counter() - t
    out = {"records": a.records, "file_mib": src.stat().st_size / 2**20,
           "uncompressed_mib": None, "generate_seconds": gen_s}
    with gzip.open(src) as f:
        out["uncompressed_mib"] = sum(len(b) for b in iter(lambda: f.read(1 << 20), b"")) / 2**20
    print(f"generated {src} ({a.records} records, {out['file_mib']:.1f} MiB gzipped, {out['uncompressed_mib']:.0f} MiB XML) in {gen_s:.0f} s", flush=True)
    r = measure(READ, str(src))
    out["read"] = r
    print(f"read:   {r['records']} records ({r['skipped']} skipped, {r['deleted']} deletions) in {r['seconds']:.0f} s, "
          f"peak RSS {r['peak_rss_kib'] / 2**20:.3f} GiB", flush=True)
    if not a.skip_update:
        u = measure(UPDATE, str(src), str(work / "index"))
        out["update"] = u
        print(f"update: {u['seconds']:.0f} s, peak RSS {u['peak_rss_kib'] / 2**20:.3f} GiB  ({' | '.join(u['stderr_tail'])})", flush=True)
    peak = max(out["read"]["peak_rss_kib"], out.get("update", {}).get("peak_rss_kib", 0)) / 2**20
    print(f"peak RSS {peak:.3f} GiB (limit {LIMIT_GIB} GiB): {'OK' if peak < LIMIT_GIB else 'OVER'}")
    if a.json:
        print(json.dumps(out))
    if not a.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0 if peak < LIMIT_GIB else 1


if __name__ == "__main__":
    sys.exit(main())
