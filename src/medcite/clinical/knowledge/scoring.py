"""Phenotype match scores: how well each condition's annotations explain a case's HPO terms.

Information content (Resnik 1995, "Using information content to evaluate semantic similarity in
a taxonomy", IJCAI) from annotation frequencies over diseases, as in the Phenomizer (Köhler et
al. 2009, "Clinical diagnostics in human genetics with semantic similarity searches in
ontologies", Am J Hum Genet 85:457): ``IC(t) = -ln(n_t / N)`` where ``n_t`` counts the diseases
annotated with ``t`` or a descendant of it among the N diseases of the HPO annotation sources
(OMIM/Orphanet/DECIPHER; MedQuAD tables do not count, so leaving a record out changes no IC).

For a present case term ``q`` and condition ``D`` (annotations ``a`` with frequency weight ``w``):

* **match** ``m(q, D) = max IC(c) · (FREQ_FLOOR + (1 - FREQ_FLOOR) · w_D(c))`` over the ancestors
  ``c`` of ``q`` (``q`` included, ``IC(c) ≥ MIN_IC``) that ``D``'s annotation closure holds,
  ``w_D(c)`` being the largest weight of an annotation at or below ``c`` — Resnik's similarity
  of ``q`` with its best annotation, weighted by how often the condition shows it;
* **explained** when ``q`` is an annotation or an ancestor of one (the case term is equal or more
  general), or an annotation is an ancestor of ``q`` at most :data:`EXPLAIN_DISTANCE` is-a steps
  up (the case term is a slightly more specific form of it); otherwise **unexplained**, and its
  match (through a more distant common ancestor) counts only :data:`PARTIAL` times;
* an absent case term ``x`` is **contradicted** when ``D`` has ``x`` or a descendant with weight
  ``w > VERY_FREQUENT`` (0.8: HPO "very frequent" and obligate, not a feature MedQuAD prose merely
  names): the condition nearly always shows what the case lacks (an occasional or merely frequent
  feature may be missing); a present
  term the condition's source excludes ("NOT") is contradicted as well.

Score (higher is better; "nats per annotation^β", comparable within one ranking only)::

    score(D) = (Σ_explained m(q, D) + PARTIAL · Σ_unexplained m(q, D) − UNEXPLAINED · Σ_unexplained IC(q) − CONTRADICTED · Σ_contradicted IC(x) · w)
               / n_D ** SIZE_EXPONENT

with ``n_D`` the number of the condition's phenotype annotations (a condition annotated with
everything explains every case; the probe of issue 15 divided by √n_D). The constants were set
on 400 MedQuAD cases outside the 600 evaluation cases (``scripts/eval_kb.py --tune 400``): every
setting of the grid there (FREQ_FLOOR 0.3/0.6, UNEXPLAINED 0.15–0.6, SIZE_EXPONENT 0.3/0.5,
PARTIAL 0/0.3, MIN_IC 1.0) gave top-5 0.48–0.52, so the choice is a middle one, not a peak
(SIZE_EXPONENT 0.3 rather than the probe's 0.5: as good there, and short clinical queries of 3–6
findings then penalise well-described diseases less); without
the unexplained penalty and partial-match discount (the plain Resnik backoff) top-5 fell to
0.16–0.42.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence

import numpy as np

from .frequency import VERY_FREQUENT
from .ontology import Ontology

FREQ_FLOOR = 0.6
MIN_IC = 1.0
PARTIAL = 0.3
EXPLAIN_DISTANCE = 2
UNEXPLAINED = 0.3
CONTRADICTED = 1.0
SIZE_EXPONENT = 0.3


def closure(ontology: Ontology, phenotype: Mapping[str, float]) -> dict[str, float]:
    """``{term: largest weight of an annotation at or below it}`` over the ancestors of the
    annotated terms."""
    out: dict[str, float] = {}
    for a, w in phenotype.items():
        for c in ontology.ancestors(a):
            if w > out.get(c, -1.0):
                out[c] = w
    return out


def information_content(ontology: Ontology, phenotypes: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """``{term: -ln(n_t / N)}`` over ``phenotypes`` (one mapping per disease); terms no disease
    carries are absent (callers treat them as ``ln N``)."""
    counts: dict[str, int] = {}
    for ph in phenotypes:
        seen: set[str] = set()
        for a in ph:
            seen.update(ontology.ancestors(a))
        for c in seen:
            counts[c] = counts.get(c, 0) + 1
    n = max(1, len(phenotypes))
    return {t: -math.log(k / n) for t, k in counts.items()}


class Tables:
    """Sparse term → condition tables for vectorised scoring.

    ``closure`` rows: for each term, the conditions whose annotation closure holds it, with
    ``w_D(term)``; ``direct`` rows: the conditions annotated with the term itself.
    Arrays are CSR-like: ``indptr`` (int64, terms + 1), ``indices`` (int32), ``weights`` (float32).
    """

    def __init__(self, terms: list[str], closure_csr: tuple[np.ndarray, ...], direct_csr: tuple[np.ndarray, ...],
                 ic: np.ndarray, sizes: np.ndarray, ic_max: float) -> None:
        self.terms = terms
        self.term_index = {t: i for i, t in enumerate(terms)}
        self.closure_csr = closure_csr
        self.direct_csr = direct_csr
        self.ic = ic
        self.sizes = sizes
        self.ic_max = ic_max

    @classmethod
    def build(cls, ontology: Ontology, phenotypes: Sequence[Mapping[str, float]], ic: Mapping[str, float]) -> Tables:
        """From one phenotype per condition (positions = condition indices) and IC values."""
        closures = [closure(ontology, ph) for ph in phenotypes]
        terms = sorted(set(ic).union(*closures))
        index = {t: i for i, t in enumerate(terms)}
        ct, cc, cw = array("i"), array("i"), array("f")
        dt, dc, dw = array("i"), array("i"), array("f")
        for ci, ph in enumerate(phenotypes):
            for c, w in closures[ci].items():
                ct.append(index[c])
                cc.append(ci)
                cw.append(w)
            for a, w in ph.items():
                dt.append(index[a])
                dc.append(ci)
                dw.append(w)
        n_conds = len(phenotypes)
        ic_max = math.log(max(2, n_conds))
        ic_arr = np.array([ic.get(t, ic_max) for t in terms], dtype=np.float32)
        sizes = np.array([len(ph) for ph in phenotypes], dtype=np.float32)
        return cls(terms, _csr(ct, cc, cw, len(terms)), _csr(dt, dc, dw, len(terms)), ic_arr, sizes, ic_max)

    def row(self, csr: tuple[np.ndarray, ...], term: str) -> tuple[np.ndarray, np.ndarray]:
        """``(condition indices, weights)`` of ``term`` in ``csr`` (empty when unknown)."""
        i = self.term_index.get(term)
        if i is None:
            return _EMPTY_I, _EMPTY_F
        indptr, indices, weights = csr
        return indices[indptr[i] : indptr[i + 1]], weights[indptr[i] : indptr[i + 1]]

    def term_ic(self, term: str) -> float:
        """IC of ``term`` (``ln N`` when no condition carries it)."""
        i = self.term_index.get(term)
        return float(self.ic[i]) if i is not None else self.ic_max

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for ``numpy.savez`` (the term list goes separately, as JSON)."""
        return {
            "closure_indptr": self.closure_csr[0], "closure_indices": self.closure_csr[1], "closure_weights": self.closure_csr[2],
            "direct_indptr": self.direct_csr[0], "direct_indices": self.direct_csr[1], "direct_weights": self.direct_csr[2],
            "ic": self.ic, "sizes": self.sizes, "ic_max": np.array([self.ic_max]),
        }

    @classmethod
    def from_arrays(cls, terms: list[str], a: Mapping[str, np.ndarray]) -> Tables:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            terms, (a["closure_indptr"], a["closure_indices"], a["closure_weights"]),
            (a["direct_indptr"], a["direct_indices"], a["direct_weights"]), a["ic"], a["sizes"], float(a["ic_max"][0]),
        )


_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float32)


def _csr(rows: array, cols: array, vals: array, n_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = np.frombuffer(rows, dtype=np.int32)
    c = np.frombuffer(cols, dtype=np.int32)
    v = np.frombuffer(vals, dtype=np.float32)
    order = np.lexsort((c, r))
    counts = np.bincount(r, minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, c[order].copy(), v[order].copy()


class CaseScores:
    """Vectorised scores of all conditions for one case, with the per-term detail kept.

    Attributes:
        score: float64 array, one score per condition (``-inf`` for conditions without phenotype).
        present / absent: the case terms used (known to the ontology).
        explained: per present term, a bool array over conditions.
        contradicted: per absent term, a float array (``IC · w`` where contradicted, else 0).
    """

    def __init__(self, tables: Tables, ontology: Ontology, present: Sequence[str], absent: Sequence[str]) -> None:
        n = len(tables.sizes)
        match = np.zeros(n, dtype=np.float64)
        unexplained = np.zeros(n, dtype=np.float64)
        contra = np.zeros(n, dtype=np.float64)
        self.present = list(present)
        self.absent = list(absent)
        self.explained: list[np.ndarray] = []
        self.contradicted: list[np.ndarray] = []
        for q in self.present:
            best = np.zeros(n, dtype=np.float64)
            expl = np.zeros(n, dtype=bool)
            for c, d in ontology.ancestors(q).items():
                ic = tables.term_ic(c)
                if d <= EXPLAIN_DISTANCE and d > 0:
                    idx, _ = tables.row(tables.direct_csr, c)
                    expl[idx] = True
                if ic < MIN_IC and d > 0:
                    continue
                idx, w = tables.row(tables.closure_csr, c)
                if not len(idx):
                    continue
                if d == 0:
                    expl[idx] = True
                vals = ic * (FREQ_FLOOR + (1.0 - FREQ_FLOOR) * w.astype(np.float64))
                best[idx] = np.maximum(best[idx], vals)
            match += np.where(expl, best, PARTIAL * best)
            unexplained += tables.term_ic(q) * (~expl)
            self.explained.append(expl)
        for x in self.absent:
            idx, w = tables.row(tables.closure_csr, x)
            arr = np.zeros(n, dtype=np.float64)
            mask = w > VERY_FREQUENT
            arr[idx[mask]] = tables.term_ic(x) * w[mask]
            contra += arr
            self.contradicted.append(arr)
        sizes = np.maximum(tables.sizes.astype(np.float64), 1.0)
        score = (match - UNEXPLAINED * unexplained - CONTRADICTED * contra) / sizes**SIZE_EXPONENT
        score[tables.sizes == 0] = -np.inf
        self.score = score


def score_profile(ontology: Ontology, ic_of, phenotype: Mapping[str, float], present: Sequence[str],
                  absent: Sequence[str]) -> tuple[float, list[str], list[str], list[str]]:
    """Score of one phenotype profile (the formula of the module docstring, computed directly).

    Used for conditions whose profile changes for one query (leave-one-out) and as the reference
    the vectorised :class:`CaseScores` must agree with.

    Args:
        ic_of: ``term -> IC`` (e.g. :meth:`Tables.term_ic`).

    Returns:
        ``(score, explained, unexplained, contradicted)``; ``score`` is ``-inf`` for an empty profile.
    """
    if not phenotype:
        return -math.inf, [], list(present), []
    clo = closure(ontology, phenotype)
    total = 0.0
    expl_ids, unexpl_ids, contra_ids = [], [], []
    penalty = 0.0
    for q in present:
        anc = ontology.ancestors(q)
        best = 0.0
        for c, d in anc.items():
            if c in clo and (d == 0 or ic_of(c) >= MIN_IC):
                best = max(best, ic_of(c) * (FREQ_FLOOR + (1.0 - FREQ_FLOOR) * clo[c]))
        explained = q in clo or any(0 < d <= EXPLAIN_DISTANCE and c in phenotype for c, d in anc.items())
        total += best if explained else PARTIAL * best
        if explained:
            expl_ids.append(q)
        else:
            unexpl_ids.append(q)
            penalty += UNEXPLAINED * ic_of(q)
    for x in absent:
        w = clo.get(x, 0.0)
        if w > VERY_FREQUENT:
            contra_ids.append(x)
            penalty += CONTRADICTED * ic_of(x) * w
    return (total - penalty) / max(1, len(phenotype)) ** SIZE_EXPONENT, expl_ids, unexpl_ids, contra_ids
