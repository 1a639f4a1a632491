"""Phenotypes read from a condition record's prose with the findings extractor, cached as JSON.

A MedQuAD record without an HPO symptom table still describes its condition: "Signs and
symptoms include fever, cough …", "Affected infants have seizures and do not gain weight".
:func:`prose_terms` reads such text with the project's findings extractor
(:func:`medcite.clinical.findings.extract_findings`: HPO names and exact synonyms, the lay
lexicon, ConText status after Harkema et al. 2009), and keeps the phenotype terms it finds
*present* — "a family history of diabetes" does not give diabetes — and not preceded in their
clause by a negation cue ("X is not usually associated with fever" does not give fever). Records of a kind that names other things than the
condition's own features (:data:`SKIPPED_QTYPES`: treatment side effects, prevention, research)
are not read.

Reading a record takes ~40 ms (one core), ~5 min for the MedQuAD records of an index, so
:class:`ProseCache` keeps the terms per record text (``{sha1 of the text: [HPO ids]}``, a
gzipped JSON file beside the knowledge-base cache, no pickle); the knowledge base, which is
rebuilt whenever its code changes, then reads them back in seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path

#: MedQuAD question types whose answer is not a description of the condition's features.
SKIPPED_QTYPES = frozenset({"treatment", "prevention", "research", "support groups", "considerations"})
#: Characters of a record read (the extractor's own limit is 20,000).
MAX_PROSE_CHARS = 20_000
#: A negation cue earlier in the mention's clause. ConText ends a negation scope at "with"
#: ("denies fever, with cough"), so "is not usually associated with fever" reads as present there;
#: a knowledge base takes nothing its clause may deny (precision before recall). Clauses end at
#: punctuation and at "but" / "however" / "although" / "which" / "that", so "if not treated, it
#: leads to heart failure" keeps heart failure.
_NEGATION_BEFORE = re.compile(r"\b(?:not|no|never|rarely|seldom|without|neither|nor|unlike|absence|lacks?|lacking)\b|n't\b",
                              re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;:,()]|\n|\b(?:but|however|although|though|whereas|which|that)\b", re.IGNORECASE)
#: Bump when the extraction changes, so cached terms are not reused.
PROSE_VERSION = 3


def prose_terms(text: str) -> list[str]:
    """HPO ids of the findings ``text`` states as present, in order of first mention.

    Negated, historical and family mentions are left out (:mod:`medcite.clinical.findings.context`),
    and so is a mention after a negation cue in its clause (:data:`_NEGATION_BEFORE`);
    [] for empty text. Raises nothing for long text: only the first :data:`MAX_PROSE_CHARS`
    characters are read.
    """
    from ..findings import extract_findings

    text = (text or "")[:MAX_PROSE_CHARS]
    if not text.strip():
        return []
    case = extract_findings(text)
    out: list[str] = []
    for f in case.findings:
        if f.status != "present" or f.concept_id in out:
            continue
        left = _CLAUSE_END.split(text[max(0, f.start - 300) : f.start])[-1]
        if not _NEGATION_BEFORE.search(left):
            out.append(f.concept_id)
    return out


class ProseCache:
    """``{text digest: [HPO ids]}`` for :func:`prose_terms`, loaded from and saved to one file.

    Args:
        path: gzipped JSON file; ``None`` keeps the cache in memory only. A file that cannot be
            read is ignored (terms are recomputed).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.terms: dict[str, list[str]] = {}
        self.added = 0
        if self.path is not None and self.path.is_file():
            try:
                with gzip.open(self.path, "rt", encoding="utf-8") as f:
                    data = json.load(f)
                if data.get("version") == PROSE_VERSION:
                    self.terms = {k: list(v) for k, v in data["terms"].items()}
            except (OSError, ValueError, KeyError, AttributeError):
                self.terms = {}

    @staticmethod
    def key(text: str) -> str:
        """Digest of the text read (the first :data:`MAX_PROSE_CHARS` characters)."""
        return hashlib.sha1(text[:MAX_PROSE_CHARS].encode("utf-8")).hexdigest()[:20]

    def __call__(self, text: str) -> list[str]:
        """:func:`prose_terms` of ``text``, from the cache when known."""
        k = self.key(text)
        got = self.terms.get(k)
        if got is None:
            got = self.terms[k] = prose_terms(text)
            self.added += 1
        return got

    def save(self) -> None:
        """Write the cache (atomically) when terms were added; an unwritable path is ignored."""
        if self.path is None or not self.added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + f".tmp{os.getpid()}")
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                json.dump({"version": PROSE_VERSION, "terms": self.terms}, f)
            os.replace(tmp, self.path)
            self.added = 0
        except OSError:
            pass
