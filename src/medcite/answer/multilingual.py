"""Questions in other languages over an English literature.

A non-English question is rewritten into English by the configured generator; retrieval then
fuses both queries with RRF (:meth:`medcite.retrieval.Retriever.search` with a list; BM25 gets
no weight for a query not in Latin script there; a single Chinese query gets a CC-CEDICT
term translation for BM25, :mod:`medcite.translation.cedict`), and the answer is requested in the question's
language with the same citations.

Language detection is by script (CJK, kana, Hangul, Cyrillic, Arabic, Greek, Hebrew,
Devanagari, Thai) and, for Latin script, by function words of a few European languages; a
Latin-script question without such cues is treated as English.
"""

from __future__ import annotations

import re
import unicodedata

_SCRIPTS = [
    ("HIRAGANA", "Japanese"), ("KATAKANA", "Japanese"), ("HANGUL", "Korean"), ("CJK", "Chinese"),
    ("CYRILLIC", "Russian"), ("ARABIC", "Arabic"), ("GREEK", "Greek"), ("HEBREW", "Hebrew"),
    ("DEVANAGARI", "Hindi"), ("THAI", "Thai"),
]
_LATIN_CUES = {
    "Spanish": {"el", "los", "las", "del", "es", "una", "qué", "para", "con", "cuál", "pacientes", "puede", "y", "la", "de", "en",
                "se", "por", "más", "cómo", "quién", "cuándo", "dónde", "cuántos", "cuántas", "sigue", "tras", "hay", "sobre", "sin", "según"},
    "French": {"le", "les", "des", "est", "une", "pour", "avec", "quel", "quelle", "patients", "peut", "et", "du"},
    "German": {"der", "die", "das", "ist", "und", "mit", "für", "ein", "eine", "bei", "kann", "patienten", "wie"},
    "Portuguese": {"o", "os", "as", "do", "da", "é", "uma", "para", "com", "qual", "pacientes", "pode", "e", "em"},
    "Italian": {"il", "gli", "della", "è", "una", "per", "con", "quale", "pazienti", "può", "e", "nel"},
}
_EN_CUES = {"the", "is", "are", "of", "and", "in", "does", "do", "what", "which", "with", "for", "patients", "can", "a"}

#: Prompt for the rewrite; the model continues after "English:".
REWRITE_PROMPT = (
    "Translate the medical question into English. Keep drug names, diseases and numbers. "
    "Reply with the English question only.\n\nQuestion ({lang}): {q}\nEnglish:"
)


def detect_language(text: str) -> str:
    """Language name of ``text`` (``"English"``, ``"Chinese"``, ``"Spanish"`` …)."""
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            latin += 1
            continue
        for key, lang in _SCRIPTS:
            if key in name:
                counts[lang] = counts.get(lang, 0) + 1
                break
    if counts and sum(counts.values()) >= latin:
        if counts.get("Japanese"):
            return "Japanese"
        return max(counts.items(), key=lambda kv: kv[1])[0]
    if "¿" in text or "¡" in text:  # inverted marks are written only in Spanish
        return "Spanish"
    words = re.findall(r"[^\W\d_]+", text.lower())
    en = sum(w in _EN_CUES for w in words)
    best, score = "English", en
    for lang, cues in _LATIN_CUES.items():
        s = sum(w in cues for w in words)
        if s > score + 1:
            best, score = lang, s
    return best


def is_english(text: str) -> bool:
    """Whether :func:`detect_language` says English."""
    return detect_language(text) == "English"


def clean_rewrite(text: str) -> str:
    """First line of the model's rewrite, without quotes or a leading label."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(english|question|translation)\s*[:：]\s*", "", line, flags=re.IGNORECASE)
    return line.strip(" \"'“”")


def rewrite_to_english(generator, question: str, language: str | None = None, max_tokens: int = 64) -> str:
    """Ask ``generator`` (a :class:`~medcite.answer.generators.ChatGenerator`) for an English
    version of ``question``.

    Returns:
        the English question, or ``""`` when the model returned nothing usable (retrieval then
        runs on the original question alone).

    Raises:
        GeneratorError: the model failed.
    """
    lang = language or detect_language(question)
    prompt = REWRITE_PROMPT.format(lang=lang, q=question.strip())
    gen = generator.generate("", prompt, max_tokens=max_tokens, stop=["\n"], completion_cue="")
    en = clean_rewrite(gen.text)
    if not en or not is_english(en) and detect_language(en) == lang:
        return ""
    return en


def queries_for(generator, question: str) -> tuple[list[str], str, str]:
    """Retrieval queries for ``question``.

    Returns:
        ``(queries, language, english_rewrite)``: for English, ``([question], "English", "")``;
        otherwise ``([rewrite, question], language, rewrite)`` — the English rewrite first so
        the passages' dense scores (and the calibrated thresholds applied to them) are
        computed against an English query — or ``([question], language, "")`` when the rewrite
        failed to produce English.
    """
    lang = detect_language(question)
    if lang == "English" or generator is None:
        return [question], lang, ""
    en = rewrite_to_english(generator, question, lang)
    return ([en, question] if en else [question]), lang, en
