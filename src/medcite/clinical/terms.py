"""Names of conditions as text: normalisation, variants, disorder-looking terms, abbreviations.

:func:`normalize` compares names (ASCII, lower case, punctuation → space, light plural folding by
:func:`fold_token`); :func:`name_variants` gives the forms one name is matched by (inverted MeSH
headings re-ordered: "Diabetes Mellitus, Type 2" → "type 2 diabetes mellitus"); :func:`looks_like_disorder`
keeps MeSH terms with a disorder word ("syndrome", "carcinoma") or suffix ("-itis", "-osis");
:func:`long_form` finds an abbreviation's long form (Schwartz & Hearst 2003); :func:`trie_regex` builds
the character-trie alternation the matcher of :mod:`medcite.clinical.vocabulary` compiles.

Both the condition vocabulary and the treatment lexicon (:mod:`medcite.clinical.lexicon`) build on it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_KEEP_S = ("ss", "us", "is", "ys", "as", "os")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_IES = re.compile(r"(?<=[a-z0-9]{2})ies(?![a-z0-9])")
_PLURAL_S = re.compile(r"(?<=[a-z0-9]{2}[b-hj-np-rtv-xz0-9])s(?![a-z0-9])|(?<=[a-z]ma)s(?![a-z0-9])")

#: Words that make a MeSH heading a disorder (whole words, after normalisation).
DISORDER_WORDS = {
    "disease", "syndrome", "disorder", "deficiency", "infection", "neoplasm", "cancer", "carcinoma", "tumor",
    "tumour", "failure", "insufficiency", "injury", "fracture", "stenosis", "sclerosis", "palsy", "dystrophy",
    "malformation", "hernia", "ulcer", "abscess", "fever", "hypertension", "diabete", "obesity", "epilepsy",
    "pneumonia", "anemia", "anaemia", "leukemia", "lymphoma", "sepsis", "shock", "stroke", "infarction", "edema",
    "embolism", "thrombosis", "hemorrhage", "aneurysm", "atresia", "seizure", "dementia", "asthma", "arrhythmia",
    "fibrillation", "cirrhosis", "melanoma", "sarcoma", "glioma", "adenoma", "myeloma", "poisoning", "toxicity",
    "dysplasia", "hyperplasia", "hypoplasia", "aplasia", "atrophy", "anomaly", "defect", "depression", "psychosis",
    "schizophrenia", "autism", "migraine", "pain", "allergy", "hypersensitivity", "intolerance", "lesion", "cyst",
    "polyp", "calculi", "stone", "inflammation", "degeneration", "occlusion", "thrombocytopenia", "neutropenia",
}
DISORDER_SUFFIXES = ("itis", "osis", "oma", "emia", "aemia", "pathy", "plasia", "trophy", "algia", "uria", "penia", "cele", "ectasia", "rrhea", "rrhoea", "plegia", "paresis", "lepsy", "phobia", "mania")
#: MeSH headings that contain a disorder word but name no condition.
NON_CONDITION = re.compile(
    r"^(disease|syndrome|neoplasm|tumor|injury|lesion|pain)\b(?! (of|in))|models?\b|progression|free survival|susceptibility|outbreak|"
    r"transmission|predisposition|management|staging|invasiveness|recurrence|registry|registries|markers?\b|"
    r"biomarker|cell line|virus\b|bacteria\b|vaccine|antigen|protein|gene\b|receptor|hormone|agent|drug|"
    r"antineoplastic|chronic disease|acute disease|comorbidity|disease attribute|rare disease|genetic disease inborn$|"
    r"diagnosi|prognosi|apoptosi|anastomosi|homeostasi|mitosi|meiosi|symbiosi|osmosi|fixation|reduction|detection|"
    r"screening|surgery|surgical|therapy|treatment|transplant|prosthesi|care\b|test\b|testing|imaging|management|"
    r"animal|experimental|veterinary|prevention|control|diet|history|measurement|analysi|technique|procedure|"
    r"and immunology|manual|mediator|mycobacterium|bacterium|virus|fungi|parasite"
)
BRACKETED_ABBREV = re.compile(r"\(([A-Z][A-Za-z0-9-]{1,9})[;,)]")
ABBREV = re.compile(r"^[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*$")


def fold_token(tok: str) -> str:
    """Light plural folding of one lower-case token ("tumors" → "tumor", "allergies" → "allergy",
    "sarcomas" → "sarcoma"); words ending in -ss, -us, -is, -ys, -as, -os keep their "s"."""
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and (not tok.endswith(_KEEP_S) or tok.endswith("mas")):
        return tok[:-1]
    return tok


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """The form names are compared and matched in: ASCII-folded, lower case, alphanumeric runs
    joined by single spaces, plurals folded as :func:`fold_token` does (whole-string regexes).
    Memoised (a pure function of ``text``; the differential normalises each passage sentence
    once per candidate otherwise)."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = _POSSESSIVE.sub(" ", t)
    t = _NON_ALNUM.sub(" ", t).strip()
    t = _IES.sub("y", t)
    return _PLURAL_S.sub("", t)


def tokens(text: str) -> list[str]:
    """Normalised tokens of ``text`` (see :func:`normalize`)."""
    return normalize(text).split()


def name_variants(name: str) -> tuple[set[str], set[str]]:
    """Surface forms of one name: ``(normalised variants, abbreviations)``.

    Variants: the name; the name without bracketed parts; inverted headings re-ordered ("A, B" →
    "B A"). Bracketed abbreviations ("Klippel-Trenaunay Syndrome (KTS)") are returned separately.
    """
    variants: set[str] = set()
    abbrevs: set[str] = set()
    name = " ".join(name.split())
    for inner in re.findall(r"\(([^()]*)\)", name):
        if ABBREV.match(inner.strip()) and len(inner.strip()) >= 2:
            abbrevs.add(inner.strip())
    bare = " ".join(re.sub(r"\([^()]*\)", " ", name).split())
    for form in {name, bare}:
        if "(" in form and not ABBREV.search(form):
            continue
        variants.add(normalize(form))
        parts = [p.strip() for p in form.split(",")]
        if len(parts) == 2 and parts[0] and parts[1] and len(parts[1].split()) <= 4:
            variants.add(normalize(f"{parts[1]} {parts[0]}"))
    variants.discard("")
    return variants, abbrevs


def looks_like_disorder(term: str) -> bool:
    """Whether a MeSH heading names a disorder (disorder word or suffix, not a generic heading)."""
    norm = normalize(term)
    if not norm or NON_CONDITION.search(norm):
        return False
    words = norm.split()
    return any(w in DISORDER_WORDS or (len(w) > 5 and w.endswith(DISORDER_SUFFIXES)) for w in words)


AGE_PREFIX = re.compile(r"^(?:adult|childhood|child|pediatric|paediatric|adult onset|juvenile|infantile) ")
def long_form(abbr: str, before: str) -> str:
    """Long form of ``abbr`` ending ``before`` (Schwartz & Hearst 2003): the shortest run of the
    last ``min(len + 5, 2 len)`` words in which the abbreviation's letters and digits occur in order,
    the first one starting a word; "" when there is none."""
    words = re.findall(r"[\w'’-]+", before)
    chars = [ch.lower() for ch in abbr if ch.isalnum()]
    if not chars or not words:
        return ""
    limit = min(len(chars) + 5, 2 * len(chars))
    for n in range(1, min(limit, len(words)) + 1):
        cand = words[-n:]
        if not cand[0].lower().startswith(chars[0]):
            continue
        text = " ".join(cand).lower()
        i = len(text) - 1
        ok = True
        for ch in reversed(chars):
            while i >= 0 and text[i] != ch:
                i -= 1
            if i < 0:
                ok = False
                break
            i -= 1
        if ok and n >= 1:
            return " ".join(cand)
    return ""


_NEGATIONS = {"non", "not", "without", "no"}


SUBTYPE = re.compile(r"^(?:[a-z]?\d+[a-z]?|[a-z]|i{1,3}|iv|vi{0,3}|ix|x{1,3}i{0,3})$")


def same_name(a: str, b: str) -> bool:
    """Two normalised names that may be one condition: word Jaccard ≥ 0.5, word counts within
    one of each other, same negations, and no differing subtype token (numbers, letters, roman
    numerals: "spastic paraplegia 10" is not "spastic paraplegia 15")."""
    wa, wb = set(a.split()), set(b.split())
    if (wa & _NEGATIONS) != (wb & _NEGATIONS) or abs(len(a.split()) - len(b.split())) > 1:
        return False
    if any(SUBTYPE.match(w) for w in wa ^ wb):
        return False
    return len(wa & wb) >= 0.5 * len(wa | wb)


def accept_medquad_focus(extra: dict) -> bool:
    """Whether a MedQuAD record's focus is a disorder: semantic group "Disorders", or no group
    and ``focus_category`` "Disease" (the "Other" category holds topics such as "Surgery")."""
    group = extra.get("semantic_group") or ""
    if group:
        return group == "Disorders"
    return extra.get("focus_category") == "Disease"


def trie_regex(words: Iterable[str]) -> str:
    """Regex alternation of ``words`` shaped as a character trie; optional tails are greedy, so
    the longest word matching at a position is preferred."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return render(trie)
