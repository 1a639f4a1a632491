"""List answers: "Which drugs are used for …?", "List the symptoms of …" → cited items, one per line.

Items are read from coordinations in the retrieved passages ("casirivimab and imdevimab",
"NPM1, MLL and CEBPA", "such as A, B or C"): each element of a coordinated list is trimmed to its
noun phrase (the words between function words, at most :data:`MAX_ITEM_WORDS`), so every item is a
verbatim piece of a passage sentence. An item's score adds, over the sentences that list it, the
sentence's standardised similarity to the question (negative values count as 0) plus 1, plus one
for each further paper that mentions it; items that merely repeat the question's words are
dropped. Each item cites the passage of its best sentence.

Items are typed (:mod:`medcite.answer.item_kinds`): when the question asks for a kind of item
(drugs, genes, conditions, organisms, procedures), only candidates of that kind are listed
("department" and "data" are not drugs), and items of that kind the lexicons find in a sentence
outside any coordination are candidates too, at :data:`MENTION_WEIGHT` of a listed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from bm25s.stopwords import STOPWORDS_EN_PLUS

from ..documents import Passage
from .item_kinds import asked_kind, is_kind, kind_mentions
from .sentences import passage_sentences

#: Longest item kept (words).
MAX_ITEM_WORDS = 6
#: Most items listed.
MAX_ITEMS = 10
#: Items scoring below this fraction of the best item are not listed.
RELATIVE_FLOOR = 0.1
#: Weight of an item of the asked kind named outside a coordination, relative to a listed one.
MENTION_WEIGHT = 0.5
_STOP = set(STOPWORDS_EN_PLUS) | {
    "including", "include", "includes", "such", "like", "namely", "e.g", "i.e", "respectively", "both", "either", "neither",
    "also", "well", "other", "others", "various", "several", "many", "different", "patients", "showed", "found", "were",
    "compared", "versus", "vs", "between", "among", "than", "using", "used", "use", "treated", "associated", "related",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "novel", "new", "several", "following",
} | {  # verbs that follow a listed subject ("NPM1, MLL and CEBPA drive …")
    w + e for w in ("drive", "cause", "induce", "inhibit", "bind", "target", "regulate", "mediate", "activate", "encode", "lead",
                    "result", "affect", "increase", "reduce", "decrease", "promote", "contribute", "play", "represent", "remain",
                    "occur", "exhibit", "develop", "require", "suggest", "indicate", "confer", "underlie", "predispose", "show",
                    "include", "involve", "act", "lower", "raise", "reduce", "worsen", "belong", "interact", "trigger", "enhance", "improve", "prevent", "block",
                    "modulate", "control", "form", "share", "carry", "harbor", "harbour", "display", "produce", "express")
    for e in ("", "s", "d", "ed")
}
_SPLIT = re.compile(r",\s*(?:and|or|as well as)\s+|,\s*|\s+(?:and|or|as well as|and/or)\s+", re.IGNORECASE)
_SEGMENT = re.compile(r"[^;:()\[\]]+")
_WORD = re.compile(r"[^\s]+")


@dataclass
class ListItem:
    """One listed item.

    Attributes:
        text: the item, verbatim from ``quote``.
        passage: index of the passage it is cited from.
        quote: the passage sentence it was read from (verbatim).
        score: ranking score (see the module doc).
    """

    text: str
    passage: int
    quote: str
    score: float


def _trim(words: list[str], from_end: bool) -> list[str]:
    """The noun phrase at one end of a coordination element: the words up to the first function word."""
    seq = list(reversed(words)) if from_end else list(words)
    out = []
    for w in seq:
        core = w.strip(".,;:'\"“”").lower()
        if not core or core in _STOP or re.fullmatch(r"[\d.,%]+", core) or (core.endswith("ed") and core == w.strip(".,;:'\"“”") and len(core) > 5):
            break
        out.append(w)
        if len(out) == MAX_ITEM_WORDS:
            break
    return list(reversed(out)) if from_end else out


def _lstrip(words: list[str]) -> list[str]:
    """``words`` without leading function words and adverbs ("mainly abdominal ultrasonography")."""
    while words and (words[0].strip(".,;:'\"“”").lower() in _STOP or words[0].lower() in _LEAD_ADVERBS):
        words = words[1:]
    return words


def _entity_like(word: str) -> bool:
    return bool(re.search(r"[A-Z0-9]", word[1:]) or re.search(r"\d", word))


def _best_run(words: list[str]) -> list[str]:
    """The run of words between function words most like a name (capitals or digits inside a
    word), the last one on a tie; at most :data:`MAX_ITEM_WORDS` words."""
    runs, cur = [], []
    for w in words:
        core = w.strip(".,;:'\"“”").lower()
        if not core or core in _STOP or core in _LEAD_ADVERBS or (core.endswith("ed") and len(core) > 5 and core == w.strip(".,;:'\"“”")):
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        runs.append(cur)
    if not runs:
        return []
    best = max(range(len(runs)), key=lambda k: (sum(_entity_like(w) for w in runs[k]) > 0, k))
    return runs[best][-MAX_ITEM_WORDS:]


_ADVERBS = {"finally", "additionally", "importantly", "notably", "similarly", "interestingly", "recently", "briefly",
            "moreover", "furthermore", "however", "therefore", "thus", "overall", "currently", "previously", "together"}


#: Adverbs that open no name ("mainly abdominal ultrasonography").
_LEAD_ADVERBS = _ADVERBS | {"mainly", "mostly", "especially", "particularly", "primarily", "predominantly", "only", "even", "chiefly"}


def _junk(item: str) -> bool:
    """Web addresses, markup left in the text ("implementation</b>"), bare abbreviations of two letters or
    less, Roman numerals, single adverbs."""
    low = item.lower()
    return ("http" in low or "//" in item or "<" in item or ">" in item or "www." in low or len(item.replace(" ", "")) <= 2
            or bool(re.fullmatch(r"[ivxlc]+", low)) or low in _ADVERBS)


_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
#: Marks of a clause, not a noun phrase: bullets, dates, years, finite verbs and clause words.
_NOT_PHRASE = re.compile(
    rf"[•·▪■◦*]|\b{_MONTHS}\s+\d{{4}}\b|\b(?:19|20)\d\d\b|\b(?:underwent|undergoing|undergo|received|receiving|was|were|is|are|"
    r"has|have|had|been|being|since|until|during|whether|who|which|that|because|although|while|did|does)\b",
    re.IGNORECASE,
)


def is_noun_phrase(item: str) -> bool:
    """Whether ``item`` can be a listed name: at most :data:`MAX_ITEM_WORDS` words, with no bullet,
    date, year, finite verb or clause word ("underwent RARC since November 2005. •" is none)."""
    return len(item.split()) <= MAX_ITEM_WORDS and not _NOT_PHRASE.search(item)


def coordinated_items(sentence: str) -> list[str]:
    """Elements of the coordinated lists in ``sentence`` (verbatim, trimmed to noun phrases).

    ``"Mutations in NPM1, MLL and CEBPA drive AML."`` → ``["NPM1", "MLL", "CEBPA"]``. A
    segment without a coordination yields nothing.
    """
    items: list[str] = []
    for seg in _SEGMENT.findall(sentence):
        parts = _SPLIT.split(seg)
        if len(parts) < 2:
            continue
        for k, part in enumerate(parts):
            words = _WORD.findall(part.strip())
            if not words:
                continue
            if k == 0:
                words = _trim(words, from_end=True)
            elif k == len(parts) - 1:
                words = _trim(_lstrip(words), from_end=False)
            else:
                words = _best_run(words)  # "expression of CYP1A2" → "CYP1A2"
            text = " ".join(words).strip(".,;:'\"“” ")
            if text and text.lower() not in _STOP and re.search(r"[A-Za-z]", text) and not _junk(text) and is_noun_phrase(text):
                items.append(text)
    return items


def _key(item: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s-]", "", item.lower())).strip()


#: Salt and dosage-form words: "fondaparinux sodium" is the drug "fondaparinux" (askbt break test).
_SALT = frozenset("sodium potassium calcium magnesium hydrochloride hcl sulfate sulphate acetate citrate phosphate "
                  "mesylate maleate tartrate succinate fumarate besylate bromide chloride tablets tablet injection".split())


def _fold_salts(best: dict[str, ListItem]) -> dict[str, ListItem]:
    """``best`` with each item that is another listed item plus salt or dosage-form words
    (:data:`_SALT`) folded into it: the shorter name is kept with the better of the two scores (one
    drug named twice is no more support than its best mention, and the floor stays where it was)."""
    out = dict(best)
    for k in sorted(best, key=len, reverse=True):
        base = " ".join(w for w in k.split() if w not in _SALT)
        if base != k and base in out and k in out:
            out[base].score = max(out[base].score, out.pop(k).score)
    return out


def list_items(question: str, passages: list[Passage], keep: list[int], embedder) -> list[ListItem]:
    """Items for a list question from the passages ``keep`` (indices into ``passages``), best first.

    Args:
        embedder: has ``embed_query`` and ``embed_documents`` (L2-normalised rows).
    """
    sents = [(i, s.text) for i in keep for s in passage_sentences(passages[i])]
    if not sents:
        return []
    q = embedder.embed_query(question)
    sims = np.asarray(embedder.embed_documents([t for _, t in sents]) @ q, dtype=np.float64)
    sd = float(sims.std())
    z = (sims - sims.mean()) / sd if sd > 1e-6 else np.zeros_like(sims)
    qkeys = set(_key(question).split())
    kind = asked_kind(question)
    best: dict[str, ListItem] = {}
    typed: dict[str, bool] = {}
    for (i, text), zi in zip(sents, z):
        weight = max(float(zi), 0.0) + 1.0
        found = [(it, weight) for it in coordinated_items(text)] + [(it, weight * MENTION_WEIGHT) for it in kind_mentions(text, kind)]
        for it, w in found:
            k = _key(it)
            if not k or not is_noun_phrase(it) or set(k.split()) <= qkeys:
                continue
            if k not in typed:
                typed[k] = is_kind(it, kind)
            if not typed[k]:
                continue
            cur = best.get(k)
            if cur is None:
                best[k] = ListItem(it, i, text, w)
            else:
                cur.score += w
    # papers mentioning the item anywhere add support
    texts = {passages[i].doc_id: (passages[i].text or "").lower() for i in keep}
    for k, item in best.items():
        item.score += sum(1 for t in texts.values() if k in re.sub(r"[^\w\s-]", "", t)) - 1
    ranked = sorted(_fold_salts(best).values(), key=lambda it: -it.score)
    if not ranked:
        return []
    top = ranked[0].score
    return [it for it in ranked if it.score >= RELATIVE_FLOOR * top][:MAX_ITEMS]
