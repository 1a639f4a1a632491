"""Treatment mentions: drug-name stems, procedure words and "treated with X" / "X therapy" patterns.

Used twice: over MedQuAD "treatment" answers to build a lexicon of treatments named in them
(:func:`treatment_terms_from_texts`), and over retrieved passages to find the options of
``medcite treatments`` (:func:`treatment_mentions`). Drug stems follow the WHO INN stem list
("Guidance on the use of International Nonproprietary Names for pharmaceutical substances",
WHO 2018): -mab, -tinib, -pril, -sartan, -olol, -statin, -cillin, -floxacin, -vir …
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bm25s.stopwords import STOPWORDS_EN_PLUS

from ..documents import Document
from .terms import fold_token, normalize

_STOPWORDS = set(STOPWORDS_EN_PLUS) | {fold_token(w) for w in STOPWORDS_EN_PLUS} | {
    "your", "kind", "type", "way", "thing", "doctor", "health", "provider", "begin", "beginning", "although",
    "because", "average", "back", "about", "usually", "often", "called", "include", "including", "help", "helps",
}
_INN_STEMS = (
    "mab", "tinib", "anib", "ciclib", "lisib", "rafenib", "pril", "sartan", "olol", "alol", "statin", "cillin",
    "mycin", "micin", "floxacin", "cycline", "conazole", "dazole", "prazole", "vir", "dipine", "parin", "semide",
    "thiazide", "lukast", "tidine", "triptan", "azepam", "azolam", "oxetine", "ipramine", "triptyline", "apine",
    "peridol", "setron", "gliptin", "gliflozin", "glutide", "glitazone", "formin", "profen", "fenac", "coxib", "sone",
    "olone", "platin", "taxel", "rubicin", "citabine", "trexate", "phosphamide", "mustine", "dronate", "caine",
    "barbital", "relin", "buterol", "meterol", "tropium", "phylline", "nidine", "zosin", "afil", "ercept", "kinra",
    "pressin", "reotide", "parib", "zomib", "lidomide", "limus", "sporin", "sporine", "thioprine", "izide", "clazide",
    "buride", "piride", "dazine", "oxacin", "penem", "bactam", "fungin", "mectin", "quine", "artemether",
)
_STEMS = _INN_STEMS
DRUG = re.compile(r"\b(?:[a-z][a-z-]{2,}(?:" + "|".join(sorted(_STEMS, key=len, reverse=True)) + r")|cef[a-z]{3,}(?:in|ime|one|ole|ir|en))\b")
NOT_DRUG = {
    "cholesterol", "histidine", "cytidine", "thymidine", "pyrimidine", "guanidine", "saline", "insulin-like", "protein",
    "person", "reason", "season", "poison", "comparison", "prison", "within", "begin", "margin", "origin", "domain",
    "vitamin", "toxin", "chemokine", "cytokine", "interleukin", "endothelin", "adrenaline", "routine", "medicine",
    "determine", "examine", "baseline", "guideline", "decline", "online", "machine", "discipline", "define", "combine",
    "hormone", "none", "someone", "everyone", "bone", "alone", "phone", "done", "gone", "stone", "tone", "zone",
    "ozone", "cortisone-like", "olol", "control", "patrol", "protocol", "alcohol", "ethanol", "estradiol",
    "glycerol", "sterol", "phenol", "thiol", "retinol", "carol", "virus", "privacy", "reservoir", "survivor", "ghrelin", "mason",
}
PROCEDURE = re.compile(
    r"\b(?:[a-z]+(?:ectomy|otomy|ostomy|plasty|pexy|desis|tripsy|scopy)|(?:radio|chemo|immuno|photo|physio|psycho|hormone |hormonal |"
    r"radiation |physical |occupational |speech |cognitive[- ]behavioral |behavioral |gene |enzyme replacement |oxygen |"
    r"photodynamic |laser |antibiotic |antiviral |antifungal |antiretroviral |targeted |hormone replacement |"
    r"endocrine |insulin |steroid |corticosteroid |anticoagulant |thrombolytic |antiplatelet |biologic |stem cell |"
    r"proton |electroconvulsive |deep brain )therapy|transplant(?:ation)?|dialysis|hemodialysis|haemodialysis|"
    r"plasmapheresis|plasma exchange|stenting|stent|bypass|ablation|radiotherapy|chemotherapy|immunotherapy|"
    r"physiotherapy|psychotherapy|surgery|surgical resection|resection|amputation|cardioversion|defibrillation|"
    r"vaccination|vaccine|immunoglobulin|ivig|phototherapy|brachytherapy|embolization|ligation|catheterization|"
    r"angioplasty|thrombectomy|hysterectomy|mastectomy|splenectomy|rehabilitation|exercise training|exercise|diet)\b"
)
_LEAD = (
    r"(?:treated|treatment|treating|therapy|therapies|managed|management|prophylaxis|pretreatment|pretreated|"
    r"regimen|combined|combination|responded|responds|response)"
)
_WORD = r"[A-Za-z][A-Za-z0-9-]*"
TREATED_WITH = re.compile(
    _LEAD + r"\s+(?:with|using|by|plus|to)\s+(?:(?:the|a|an|oral|intravenous|iv|topical|inhaled|high-dose|low-dose|adjuvant|"
    r"systemic|long-term|short-term|daily|weekly|subcutaneous|intramuscular)\s+)*(" + _WORD + r"(?:\s+" + _WORD + r"){0,2})",
    re.IGNORECASE,
)
X_THERAPY = re.compile(
    r"(" + _WORD + r"(?:\s+" + _WORD + r")?)\s+(?:therapy|treatment|monotherapy|infusions?|injections?|supplementation|"
    r"administration|tablets?|regimen|prophylaxis|therapies)\b",
    re.IGNORECASE,
)
RECEIVED = re.compile(
    r"(?:received|receiving|administered|given|administration of|initiation of|addition of|use of|dose of|doses of|"
    r"efficacy of|effect of|effects of|safety of|trial of|response to)\s+(?:(?:the|a|an|oral|intravenous|topical|"
    r"inhaled|high-dose|low-dose|adjuvant|systemic)\s+)*(" + _WORD + r"(?:\s+" + _WORD + r")?)",
    re.IGNORECASE,
)
#: Words that end a captured name, and words that are never a treatment by themselves.
_STOP_AFTER = {
    "and", "or", "in", "for", "was", "were", "is", "are", "versus", "vs", "compared", "plus", "alone", "at", "to", "on",
    "as", "after", "before", "during", "with", "the", "of", "patients", "patient", "group", "groups", "had", "has",
    "have", "can", "may", "might", "should", "could", "which", "that", "than", "from", "by", "until", "when", "while",
    "a", "an", "be", "been", "being", "this", "these", "those", "it", "its", "their", "reduced", "improved", "showed",
    "resulted", "led", "did", "not", "no", "only", "also", "both", "either", "each", "every", "daily", "weekly",
    "mg", "g", "kg", "ml", "dose", "doses", "therapy", "treatment", "treatments", "therapies", "regimen", "regimens",
}
GENERIC = {
    "treatment", "therapy", "therapies", "management", "medication", "medications", "drug", "drugs", "medicine",
    "medicines", "agent", "agents", "standard", "conventional", "current", "initial", "first-line", "second-line",
    "first", "second", "third", "line", "combination", "combined", "medical", "surgical", "optimal", "effective", "new",
    "novel", "specific", "appropriate", "available", "other", "such", "various", "different", "early", "late",
    "long-term", "short-term", "maintenance", "empirical", "empiric", "adjuvant", "neoadjuvant", "systemic", "local",
    "topical", "oral", "intravenous", "supportive", "active", "additional", "alternative", "usual", "best", "placebo",
    "control", "sham", "no", "any", "all", "some", "this", "that", "these", "those", "their", "its", "his", "her",
    "the", "a", "an", "patients", "patient", "people", "children", "adults", "women", "men", "group", "dose", "high",
    "low", "higher", "lower", "single", "multiple", "one", "two", "three", "daily", "weekly", "prior", "previous",
    "subsequent", "further", "successful", "unsuccessful", "failed", "failure", "response", "outcome", "outcomes",
    "study", "trial", "clinical", "care", "intervention", "interventions", "procedure", "procedures", "approach",
    "approaches", "option", "options", "strategy", "strategies", "use", "administration", "disease", "symptoms",
    "symptom", "condition", "cancer", "tumor", "infection", "pain", "effect", "effects", "efficacy", "safety", "time",
    "duration", "year", "years", "month", "months", "week", "weeks", "day", "days", "age", "rate", "risk", "level",
    "levels", "severe", "mild", "moderate", "acute", "chronic", "primary", "secondary", "immediate", "prompt",
    "aggressive", "intensive", "specialized", "preventive", "prophylactic", "curative", "palliative", "definitive",
    "kinds", "kind", "types", "type", "ways", "way", "your", "our", "my", "main", "certain",
}
_THERAPY_HEADS = ("therapy", "treatment", "monotherapy", "therapies", "supplementation", "infusion", "injection", "regimen", "prophylaxis", "administration", "tablet")


def _trim(x: str) -> str:
    words = []
    for w in x.split():
        if w.lower().strip("-") in _STOP_AFTER:
            break
        words.append(w)
    while words and words[0].lower() in GENERIC:
        words.pop(0)
    return " ".join(words)


def _trim_left(x: str) -> str:
    words = x.split()
    for i in range(len(words) - 1, -1, -1):
        if words[i].lower().strip("-") in _STOP_AFTER:
            words = words[i + 1 :]
            break
    while words and words[0].lower() in GENERIC:
        words.pop(0)
    return " ".join(words)


def option_key(name: str) -> str:
    """Normalised key of a treatment name: generic heads and modifiers dropped
    ("insulin therapy" → "insulin", "Radiation Therapy" → "radiation")."""
    words = [w for w in normalize(name).split() if w not in GENERIC and w not in _THERAPY_HEADS]
    return " ".join(words)


def is_drug_like(name: str) -> bool:
    """A name with a word that carries an INN drug stem (and is not a known non-drug word)."""
    return any(DRUG.fullmatch(w) and w not in NOT_DRUG for w in name.lower().split())


def treatment_mentions(text: str) -> list[tuple[str, str]]:
    """Treatment names mentioned in ``text``: ``[(surface form, how)]`` with ``how`` one of
    "pattern" ("treated with X", "X therapy", "received X"), "drug" (INN stem) or "procedure".

    Surface forms are verbatim from ``text`` (trimmed); duplicates are kept in order.
    """
    out: list[tuple[str, str]] = []
    for rx in (TREATED_WITH, RECEIVED):
        for m in rx.finditer(text):
            x = _trim(m.group(1))
            if x:
                out.append((x, "pattern"))
    for m in X_THERAPY.finditer(text):
        x = _trim_left(m.group(1))
        if x:
            head = text[m.end(1) : m.end()].strip().split()[0].lower()
            out.append((f"{x} {head}" if head in ("therapy", "therapies") and not is_drug_like(x) else x, "pattern"))
    low = text.lower()
    for m in DRUG.finditer(low):
        if m.group(0) not in NOT_DRUG:
            out.append((text[m.start() : m.end()], "drug"))
    for m in PROCEDURE.finditer(low):
        out.append((text[m.start() : m.end()], "procedure"))
    return out


def plausible_key(key: str) -> bool:
    """A key worth keeping: ≥ 4 letters, at most 3 words, none of them a stop or generic word."""
    words = key.split()
    return len(key) >= 4 and 0 < len(words) <= 3 and not any(w in _STOPWORDS or w in GENERIC for w in words)


def treatment_terms_from_texts(texts: Iterable[str], min_texts: int = 2) -> Counter[str]:
    """``{option key: number of texts naming it}`` for keys (:func:`option_key`, passing
    :func:`plausible_key`) named in at least ``min_texts`` of ``texts``."""
    counts: Counter[str] = Counter()
    for t in texts:
        keys = {option_key(x) for x, _ in treatment_mentions(t)}
        counts.update(k for k in keys if plausible_key(k))
    return Counter({k: n for k, n in counts.items() if n >= min_texts})


def treatment_lexicon(docs: Iterable[Document]) -> set[str]:
    """The data-derived treatment lexicon of an index.

    * names found in ≥ 2 MedQuAD "treatment" answers: drug stems and procedures always; other
      pattern matches ("treated with X", "X therapy") only when more of the MedQuAD records
      naming X are treatment answers than other answers (drops "bone", "brain", "cell" …);
    * MeSH headings of the indexed papers that carry a drug stem or are procedures.
    """
    docs = list(docs)
    treat = [d for d in docs if (d.extra or {}).get("qtype") == "treatment"]
    other = [d for d in docs if (d.extra or {}).get("qtype") not in (None, "treatment")]
    counts = treatment_terms_from_texts(d.body() for d in treat)
    sure = {k for k in counts if is_drug_like(k) or PROCEDURE.search(k)}
    unsure = set(counts) - sure
    if unsure:
        other_df: Counter[str] = Counter()
        for d in other:
            toks = set(normalize(d.body()).split())
            other_df.update(k for k in unsure if all(w in toks for w in k.split()))
        treat_df: Counter[str] = Counter()
        for d in treat:
            toks = set(normalize(d.body()).split())
            treat_df.update(k for k in unsure if all(w in toks for w in k.split()))
        sure |= {k for k in unsure if treat_df[k] > other_df[k]}
    for d in docs:
        for term in d.mesh_terms:
            low = term.lower()
            if "," not in low and (is_drug_like(low) or PROCEDURE.fullmatch(low)):
                k = option_key(term)
                if plausible_key(k):
                    sure.add(k)
    return sure
