"""Findings in any language: candidate phrases of a non-English text matched to HPO terms
through a multilingual embedder (default multilingual-e5-small), via ``"cross-lingual"``.

1. The text is cut into candidate phrases (:func:`candidate_phrases`): Chinese/Japanese on
   punctuation and ``和/及/与/或/伴``, Latin script on punctuation and ``y/o/con/sin/pero``;
   leading fillers (``患者表现为``, ``presenta``), negation words (their scope is read by
   :mod:`.context` on the original text) and trailing durations (``3天``, ``de 3 días``) are
   stripped, questions (``可能是什么疾病``) dropped.
2. The vocabulary is the names and EXACT synonyms of the HPO *core clinical* subset
   (``hposlim_core``, which lacks common findings such as Hypertension or Hepatomegaly), of
   every term annotated to ≥ 50 diseases in HPO's ``phenotype.hpoa``, and of every term of the
   hand lexicons; per term its name and its three shortest EXACT synonyms of at most four words
   (~5,000 strings). It is embedded once
   with the embedder's query side and kept as ``.npy`` under
   ``$MEDCITE_CACHE_DIR/findings/`` keyed by embedder name, HPO release and vocabulary hash.
3. Cosines are taken after subtracting the vocabulary's mean vector (the e5 space is
   anisotropic: raw cosines of unrelated short phrases sit at 0.82–0.90; centred, they spread
   out). A phrase takes the nearest term when the centred cosine is ≥ :data:`THRESHOLD` and
   beats the best *other* concept by :data:`MARGIN`. Both were calibrated on
   ``tests/fixtures/crosslingual_phrases.jsonl`` (53 zh/es finding phrases, 22 non-findings)
   with ``scripts/eval_findings.py --calibrate``: with multilingual-e5-small the embedder
   route alone is imprecise on one- and two-word phrases (threshold 0.30: precision 0.57,
   recall 0.58), so the threshold is set for precision: 0.45 / margin 0.03 gave precision
   0.91 and recall 0.38 (the lexicons alone 1.00 / 0.47; lexicons first, then the embedder,
   0.97 / 0.68) — calibrated and measured on the same 75 phrases, so optimistic. (The
   lexicons were extended afterwards with common findings, many of the calibration phrases
   among them; they now cover 0.98 of that set, a figure that no longer measures anything.)
   On Spanish medical cognates the embedder does well (hipoalbuminemia → Hypoalbuminemia
   0.94, hemiparesia → Hemiparesis 0.87) but not always (exantema → Diastema 0.48,
   linfopenia → Leukopenia 0.59); on Chinese it rarely passes the threshold. The
   hand-checked zh/es lexicons (:mod:`.lexicon`) therefore run first and the embedder only
   reads what they leave. Phrases naming the visit rather than a finding (``acude a
   urgencias``, ``来医院就诊``) are dropped before embedding.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .hpo import vocabulary
from .lexicon import LAY_EN, LEXICON_ES, LEXICON_ZH, SYMPTOM_IDS

THRESHOLD = 0.45
MARGIN = 0.03
#: a term annotated to at least this many diseases in HPO is in the cross-lingual vocabulary
MIN_DISEASES = 50
#: the shortest EXACT synonyms (of at most four words) kept per term, besides its name
SYNONYMS_PER_TERM = 3

_CJK_SPLIT = re.compile(r"[、，,。；;：:？?！!\s()（）]+|和|及|与|或|并|伴有|伴")
_LATIN_SPLIT = re.compile(r"(?i)[,;.:\n()!?¿¡]+|\s+(?:y|e|o|ni|con|sin|pero|u|and|or|with|without)\s+")
_ZH_LEAD = ("患者", "病人", "既往", "曾患", "表现为", "表现", "出现", "主诉", "自觉", "感到", "感觉", "有", "诉", "伴", "无", "否认",
            "没有", "未", "明显", "持续", "反复", "突发", "突然")
_ZH_TAIL = ("等症状", "症状", "病史", "史", "等", "的", "明显", "加重")
_ZH_QUESTION = re.compile(r"什么|吗|哪|可能|怎么|是否|如何|请问|为何|就诊|医院|医生|门诊|急诊|入院")
_ZH_DURATION = re.compile(r"\d+\s*(?:天|日|周|月|年|小时|个月)(?:余|左右)?$|[一二三四五六七八九十两数半]+\s*(?:天|日|周|月|年|小时|个月)(?:余|左右)?$")
_ES_LEAD = re.compile(r"(?i)^(?:(?:el|la|los|las|un|una|unos|unas|paciente|presenta|presentó|refiere|tiene|"
                      r"niega|no|sin|de|desde|hace|con|muy|mucha|mucho|también|además|y|cuadro|)\s+)+")
_ES_TAIL = re.compile(r"(?i)\s+(?:de|desde|hace|por|durante)\s+(?:\d+|una?|dos|tres|cuatro|cinco|seis|siete|varios|varias|"
                      r"pocos|pocas|algunos|algunas)\s+(?:horas?|d[ií]as?|semanas?|mes(?:es)?|años?)\b.*$|\s+\d.*$")
_LATIN_QUESTION = re.compile(r"(?i)\b(?:qué|que|cuál|cual|puede|podría|diagnóstico|enfermedad|urgencias|acude|consulta|"
                             r"ingresa|ingreso|hospital|médico|medico|doctor)\b")


@dataclass(frozen=True)
class Phrase:
    """A candidate phrase: ``text[start:end]``."""

    text: str
    start: int
    end: int


def _strip(chunk: str, start: int, cjk: bool) -> tuple[str, int] | None:
    s = chunk
    if cjk:
        if _ZH_QUESTION.search(s):
            return None
        changed = True
        while changed and s:
            changed = False
            for lead in _ZH_LEAD:
                if s.startswith(lead) and len(s) > len(lead):
                    s, start, changed = s[len(lead):], start + len(lead), True
            for tail in _ZH_TAIL:
                if s.endswith(tail) and len(s) > len(tail):
                    s, changed = s[: -len(tail)], True
            d = _ZH_DURATION.search(s)
            if d and d.start() > 0:
                s, changed = s[: d.start()], True
        return (s, start) if 2 <= len(s) <= 12 and not s.isdigit() else None
    if _LATIN_QUESTION.search(s):
        return None
    m = _ES_LEAD.match(s)
    if m:
        s, start = s[m.end():], start + m.end()
    s = _ES_TAIL.sub("", s).strip()
    words = s.split()
    return (s, start) if 1 <= len(words) <= 6 and len(s) >= 3 and not any(ch.isdigit() for ch in s) else None


def candidate_phrases(text: str, language: str) -> list[Phrase]:
    """Candidate finding phrases of ``text`` (see the module docstring), with offsets such that
    ``text[p.start:p.end] == p.text``."""
    cjk = language in ("zh", "ja", "ko")
    split = _CJK_SPLIT if cjk else _LATIN_SPLIT
    out: list[Phrase] = []
    pos = 0
    for m in [*split.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        chunk = chunk.strip()
        if chunk:
            r = _strip(chunk, pos + lead, cjk)
            if r:
                out.append(Phrase(r[0], r[1], r[1] + len(r[0])))
        if m:
            pos = m.end()
    return out


def vocabulary_strings() -> tuple[list[str], list[str]]:
    """The cross-lingual vocabulary: parallel lists of strings and their HPO ids (core subset,
    terms of ≥ :data:`MIN_DISEASES` diseases, lexicon terms; names and the
    :data:`SYNONYMS_PER_TERM` shortest EXACT synonyms),
    deduplicated, in a stable order."""
    vocab = vocabulary()
    common = {t for t, n in vocab.disease_counts.items() if n >= MIN_DISEASES}
    ids = set(vocab.core) | common | set(LAY_EN.values()) | set(LEXICON_ZH.values()) | set(LEXICON_ES.values()) | set(SYMPTOM_IDS)
    strings, owners, seen = [], [], set()
    for tid in sorted(i for i in ids if i in vocab.names):
        short = sorted((x for x in vocab.synonyms[tid] if len(x.split()) <= 4), key=len)[:SYNONYMS_PER_TERM]
        for s in (vocab.names[tid], *short):
            k = s.lower()
            if k not in seen:
                seen.add(k)
                strings.append(s)
                owners.append(tid)
    return strings, owners


class _Matrix:
    def __init__(self, vectors: np.ndarray, owners: list[str]) -> None:
        self.mean = vectors.mean(axis=0)
        c = vectors - self.mean
        self.centred = (c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)).astype(np.float32)
        self.owners = np.array(owners)


_MATRICES: dict[str, _Matrix] = {}
_LOCK = threading.Lock()


def _embed_queries(embedder, texts: list[str]) -> np.ndarray:
    # a batch method, where the embedder has one, is ~2x faster on the e5 engine (measured:
    # 64 terms 1.2 s against 2.5 s one by one, identical vectors); otherwise one by one
    batch = getattr(embedder, "embed_queries", None)
    if callable(batch):
        out = [np.asarray(batch(texts[i:i + 64]), dtype=np.float32) for i in range(0, len(texts), 64)]
        return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)
    return np.stack([np.asarray(embedder.embed_query(t), dtype=np.float32) for t in texts])


def _matrix(embedder) -> _Matrix:
    name = getattr(embedder, "name", type(embedder).__name__)
    if name in _MATRICES:
        return _MATRICES[name]
    with _LOCK:
        if name in _MATRICES:
            return _MATRICES[name]
        strings, owners = vocabulary_strings()
        digest = hashlib.sha1("\n".join(f"{s}\t{o}" for s, o in zip(strings, owners)).encode()).hexdigest()[:10]
        safe = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{name}-{vocabulary().version}-{digest}")
        path = Path(os.environ.get("MEDCITE_CACHE_DIR") or Path.home() / ".cache" / "medcite") / "findings" / f"xling-{safe}.npy"
        vectors = None
        if path.is_file():
            try:
                vectors = np.load(path, allow_pickle=False)
                if vectors.shape[0] != len(strings):
                    vectors = None
            except (OSError, ValueError):
                vectors = None
        if vectors is None:
            vectors = _embed_queries(embedder, strings)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.stem + f".tmp{os.getpid()}.npy")
                np.save(tmp, vectors, allow_pickle=False)
                os.replace(tmp, path)
            except OSError:
                pass  # unwritable cache: embedded again next process
        _MATRICES[name] = _Matrix(vectors, owners)
        return _MATRICES[name]


def nearest_terms(phrases: list[str], embedder) -> list[tuple[str, float, float]]:
    """For each phrase, ``(hpo_id, centred_cosine, margin)`` of its nearest vocabulary concept
    (margin = the lead over the best other concept). Embeds the vocabulary on first use."""
    if not phrases:
        return []
    mat = _matrix(embedder)
    q = _embed_queries(embedder, phrases) - mat.mean
    q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    sims = q @ mat.centred.T
    out = []
    for row in sims:
        order = np.argsort(-row)
        best = order[0]
        owner = mat.owners[best]
        other = next((row[j] for j in order[1:] if mat.owners[j] != owner), -1.0)
        out.append((str(owner), float(row[best]), float(row[best] - other)))
    return out


def match_phrases(phrases: list[Phrase], embedder, threshold: float = THRESHOLD, margin: float = MARGIN) -> list[tuple[Phrase, str, float]]:
    """The phrases accepted as findings: ``(phrase, hpo_id, centred_cosine)`` for those whose
    nearest concept passes ``threshold`` and ``margin``."""
    near = nearest_terms([p.text for p in phrases], embedder)
    return [(p, tid, s) for p, (tid, s, m) in zip(phrases, near) if s >= threshold and m >= margin]
