"""Condition-name keys: the forms under which two names count as one condition.

A name is reduced to *tokens* by :func:`name_tokens`:

1. Greek letters are spelt out (α → alpha, β → beta …), then the name is ASCII-folded, lower-cased,
   possessives dropped ("Tourette's" → "tourette"), punctuation turned into spaces and plurals
   folded (:func:`medcite.clinical.vocabulary.normalize`);
2. roman numerals become arabic: multi-letter numerals (ii … xx, also with a subtype letter:
   "IIb" → "2b") everywhere except karyotype-like "xx"/"xxx"/"xy"; the one-letter numerals
   i, v, x only after a subtype word (type, group, class, grade, stage, form, factor, subtype,
   complementation), and i, v also as the last word of a name of two words or more
   ("Mucolipidosis I", "Factor V" — "X-linked", "Vitamin D" and "Tetrasomy X" stay);
3. letters and digits are split apart ("Xp11.22p11.23" → "xp 11 22 p 11 23", "1B" → "1 b");
4. the words "type", "the" and "of" are dropped ("Usher syndrome, type I" = "Usher syndrome 1";
   "Tetralogy of Fallot" = "Fallot tetralogy").

Keys:

* the **strong key** (:func:`strong_keys`) is the sorted bag of those tokens, for the name and for
  the name with its bracketed parts removed — so word order ("Diabetes mellitus, type 2" =
  "Type 2 diabetes mellitus"), "type I"/"type 1", case and punctuation never separate two names;
* the **weak keys** (:func:`weak_keys`) are the strong key without the generic heads "syndrome",
  "disease", "disorder", "condition", the inheritance words "autosomal", "dominant",
  "recessive", "x-linked", "familial", "hereditary", "inherited", the connectors "and", "with",
  "due to", "caused by" (:data:`CONNECTORS`), "isolated" and "chromosome", with "microdeletion"
  read as "deletion" ("Isolated aniridia" ~ "Aniridia"; "Conductive deafness with malformed
  external ear" ~ "Conductive deafness-malformed external ear syndrome"; "Chromosome 8q24.3
  deletion syndrome" ~ "8q24.3 microdeletion syndrome"; "Nephropathy, deafness, and
  hyperparathyroidism" ~ "Nephropathy-deafness-hyperparathyroidism syndrome";
  "Tourette syndrome" ~
  "Tourette disorder"; "Spastic paraplegia 15" ~ "Autosomal recessive spastic paraplegia type
  15"; "Familial amyloidosis, Finnish type" ~ "Amyloidosis, Finnish type"), and the name's words
  run together in order ("Mac Dermot-Winter syndrome" ~ "Macdermot-Winter syndrome"); and three
  narrower variants: the bag without generic heads and "autosomal"/"familial"/"hereditary"/
  "inherited" only, keeping dominant/recessive/X-linked ("Autosomal dominant intermediate
  Charcot-Marie-Tooth disease type D" ~ "Charcot-Marie-Tooth disease, dominant intermediate D",
  where the recessive "intermediate D" would make the broad key ambiguous); the name without an
  optional ", with or without …" clause ("Amyotrophic lateral sclerosis 6, with or without
  frontotemporal dementia" ~ "Amyotrophic lateral sclerosis type 6"); and, for a numbered subtype,
  without the descriptors "axonal"/"demyelinating" ("Charcot-Marie-Tooth disease, axonal, type
  2N" ~ "Charcot-Marie-Tooth disease type 2N") and with a lone roman "i"/"v" read as a number
  ("Transcobalamin I deficiency" ~ "Transcobalamin 1 deficiency"); they merge
  only where nothing contradicts them (see :mod:`.merge`: "Hypophosphatemic rickets" matches two
  OMIM entries, X-linked dominant and autosomal recessive, so it merges with neither).

Lay names (:data:`LAY_NAMES`: "flu", "heart attack", "shingles" …) also carry the key of the
clinical name. What never matches: different numbers or subtype letters ("spastic paraplegia 10" / "15"), a
"non"/"not" on one side only ("non-Hodgkin lymphoma" / "Hodgkin lymphoma"), different words
(eponyms: "Gilles de la Tourette syndrome" / "Tourette syndrome" — that link needs a CUI or a
shared source entry), abbreviations (kept apart, matched case-sensitively by the knowledge base).
"""

from __future__ import annotations

import re

from ..terms import normalize

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon", "λ": "lambda", "μ": "mu"}
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
_MULTI_ROMAN = re.compile(r"^(x{0,2})(ix|iv|v?i{0,3})([a-h]?)$")
_SUBTYPE_WORDS = {"type", "group", "class", "grade", "stage", "form", "factor", "subtype", "complementation", "types"}
_KARYOTYPE = {"xx", "xxx", "xy", "xxy", "xyy", "xxxx"}
_DROP = {"type", "the", "of", "types"}
#: Generic head words removed for the weak key.
GENERIC_HEADS = {"syndrome", "disease", "disorder", "condition"}
#: Inheritance qualifiers (and the conjunction "and") removed for the weak key.
QUALIFIERS = {"autosomal", "dominant", "recessive", "familial", "hereditary", "inherited", "and"}
#: The qualifiers that do not tell two conditions apart (the narrower weak key keeps the others).
_NEUTRAL_QUALIFIERS = {"autosomal", "familial", "hereditary", "inherited", "and"}
#: Words that only join the parts of a name, dropped for the broad weak key: OMIM writes
#: "Conductive deafness with malformed external ear", Orphanet "Conductive deafness-malformed
#: external ear syndrome"; "caused by" / "due to" ("Neonatal intrahepatic cholestasis caused by
#: citrin deficiency" ~ "… due to citrin deficiency").
CONNECTORS = {"with", "due", "to", "caused", "by"}
#: Words the broad weak key reads alike or drops: OMIM's and Orphanet's words for one chromosomal
#: imbalance ("Chromosome 8q24.3 deletion syndrome" ~ "8q24.3 microdeletion syndrome"), and
#: Orphanet's "Isolated" for the non-syndromic form others name plainly ("Isolated aniridia" ~
#: "Aniridia").
_BROAD_FORMS = {"chromosome": "", "microdeletion": "deletion", "microduplication": "duplication", "isolated": ""}
#: Descriptors a numbered subtype's name may carry or not ("CMT, axonal, type 2N").
_SUBTYPE_DESCRIPTORS = {"axonal", "demyelinating"}
_OPTIONAL_CLAUSE = re.compile(r",?\s+with or without\b[^,;()]*", re.IGNORECASE)
_SPLIT_ALNUM = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_ABBREV = re.compile(r"^[A-Z][A-Za-z0-9-]*[A-Z0-9][A-Za-z0-9-]*$")


def _roman_value(tok: str) -> tuple[int, str] | None:
    """``(value, trailing subtype letter)`` of a roman numeral token, else ``None``."""
    m = _MULTI_ROMAN.match(tok)
    if not m or not (m.group(1) or m.group(2)):
        return None
    body = m.group(1) + m.group(2)
    total, prev = 0, 0
    for ch in reversed(body):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return (total, m.group(3)) if 0 < total <= 30 else None


def name_tokens(name: str) -> list[str]:
    """Canonical tokens of a condition name (module docstring, steps 1–3), in order."""
    for g, spelt in _GREEK.items():
        name = name.replace(g, f" {spelt} ")
    toks = normalize(name).split()
    out: list[str] = []
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else ""
        if tok not in _KARYOTYPE:
            rv = _roman_value(tok)
            if rv is not None:
                body = tok[: len(tok) - len(rv[1])]
                single = len(body) == 1
                last = i == len(toks) - 1 and len(toks) >= 2
                if not single or prev in _SUBTYPE_WORDS or (last and not rv[1] and body != "x"):
                    tok = f"{rv[0]}{rv[1]}"
        if tok not in _DROP:
            out.extend(_SPLIT_ALNUM.sub(" ", tok).split())
    return out


def _bag(tokens: list[str]) -> str:
    return " ".join(sorted(tokens))


def name_forms(name: str) -> list[str]:
    """The name and the name without bracketed parts (when that leaves something)."""
    name = " ".join(name.split())
    bare = " ".join(_BRACKETS.sub(" ", name).split())
    return [name] if not bare or bare == name else [name, bare]


#: Lay names users type for common conditions → the clinical name (both become strong keys of
#: either: "Flu" is "Influenza"). Exact whole names only.
LAY_NAMES = {
    "flu": "influenza", "heart attack": "myocardial infarction", "high blood pressure": "hypertension",
    "chickenpox": "varicella", "shingles": "herpes zoster", "whooping cough": "pertussis", "german measles": "rubella",
    "pink eye": "conjunctivitis", "strep throat": "streptococcal pharyngitis", "kidney stones": "nephrolithiasis",
    "lou gehrig disease": "amyotrophic lateral sclerosis", "mono": "infectious mononucleosis",
    "stomach flu": "gastroenteritis",
}
_LAY_KEYS = {" ".join(sorted(name_tokens(k))): " ".join(sorted(name_tokens(v))) for k, v in LAY_NAMES.items()}


def strong_keys(name: str) -> set[str]:
    """Strong keys of ``name``: sorted token bags of the name and of its bracket-free form, plus
    the clinical name's key for a lay name of :data:`LAY_NAMES`."""
    keys = {k for k in (_bag(name_tokens(f)) for f in name_forms(name)) if k}
    return keys | {_LAY_KEYS[k] for k in keys if k in _LAY_KEYS}


def weak_keys(name: str) -> set[str]:
    """Weak keys (module docstring): the token bag without generic heads and inheritance words,
    when that keeps a word of three letters or more and differs from the strong key, and the
    words run together ("compact" form, prefixed with "=")."""
    out = set()
    forms = name_forms(name)
    bare = _OPTIONAL_CLAUSE.sub("", name)
    if bare != name and bare.strip():
        forms += [f for f in name_forms(bare) if f not in forms]
    for f in forms:
        toks = name_tokens(f)
        joined = " ".join(toks).replace("x linked", "xlinked").split()
        rest = [t for t in (_BROAD_FORMS.get(t, t) for t in joined)
                if t and t not in GENERIC_HEADS and t not in QUALIFIERS and t not in CONNECTORS and t != "xlinked"]
        if len(rest) < len(toks) and any(len(t) >= 3 and not t.isdigit() for t in rest):
            out.add(_bag(rest))
        narrow = [t for t in toks if t not in GENERIC_HEADS and t not in _NEUTRAL_QUALIFIERS]
        if narrow != rest and len(narrow) < len(toks) and any(len(t) >= 3 and not t.isdigit() for t in narrow):
            out.add(_bag(narrow))
        if subtype_tokens(" ".join(toks)):
            plain = [t for t in toks if t not in GENERIC_HEADS and t not in _SUBTYPE_DESCRIPTORS]
            if len(plain) < len(toks) and any(len(t) >= 3 and not t.isdigit() for t in plain):
                out.add(_bag(plain))
        numbered = [{"i": "1", "v": "5"}.get(t, t) for t in toks]
        if numbered != toks:
            out.add(_bag(numbered))
        if len(toks) >= 2:
            out.add("=" + "".join(t for t in toks if t not in GENERIC_HEADS))
    return out


def family_key(name: str) -> str:
    """The name's tokens without subtype numbers or letters, generic heads and inheritance words
    ("Stargardt disease 1", "Stargardt disease" → "stargardt"; "Spherocytosis, type 1",
    "Hereditary spherocytosis" → "spherocytosis"): the key of a family of numbered subtypes."""
    toks = [t for t in name_tokens(name) if not (t.isdigit() or len(t) == 1) and t not in GENERIC_HEADS | QUALIFIERS]
    return " ".join(sorted(toks))


def abbreviations_in(name: str) -> set[str]:
    """Abbreviations given in brackets in a name ("Klippel-Trenaunay syndrome (KTS)" → {"KTS"})."""
    out = set()
    for inner in re.findall(r"\(([^()]*)\)", name):
        for part in re.split(r"[;,]", inner):
            p = part.strip()
            if len(p) >= 2 and _ABBREV.match(p):
                out.add(p)
    return out


def subtype_tokens(key: str) -> set[str]:
    """Tokens of a key that name a subtype (numbers, single letters, number+letter)."""
    return {t for t in key.split() if re.fullmatch(r"\d+[a-z]?|[a-z]", t)}
