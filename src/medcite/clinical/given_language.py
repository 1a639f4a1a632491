"""English forms of a candidate name typed in Chinese or Spanish (``--candidates "急性阑尾炎"``,
``"pielonefritis aguda"``), so that it resolves to the knowledge base's English names (issue 15).

Chinese: the whole name, or its longest known tail after known leading qualifiers (急性 acute,
缺血性 ischemic …), looked up in CC-CEDICT with medcite's medical supplement
(:func:`medcite.translation.cedict.lexicon`) and in :data:`ZH_NAMES`, a few condition names both
lack. Spanish: :data:`ES_PHRASES` for whole names, else word by word with :data:`ES_WORDS`, the
postposed adjectives put before their noun ("pielonefritis aguda" → "acute pyelonephritis").
Both small maps were written for medcite (session 10) from standard clinical usage, not copied from a
published glossary; each entry is the usual English name of the condition.
"""

from __future__ import annotations

import re

from ..translation.cedict import is_chinese, lexicon

#: Chinese condition names CC-CEDICT and the supplement lack.
ZH_NAMES: dict[str, str] = {
    "异位妊娠": "ectopic pregnancy", "宫外孕": "ectopic pregnancy", "卵巢囊肿蒂扭转": "ovarian torsion",
    "卵巢扭转": "ovarian torsion", "肠系膜淋巴结炎": "mesenteric lymphadenitis", "缺血性脑卒中": "ischemic stroke",
    "脑梗死": "cerebral infarction", "脑梗塞": "cerebral infarction", "糖尿病酮症酸中毒": "diabetic ketoacidosis",
    "高渗高血糖状态": "hyperosmolar hyperglycemic state", "肾盂肾炎": "pyelonephritis", "膀胱炎": "cystitis",
    "肾绞痛": "renal colic", "主动脉夹层": "aortic dissection", "急性胰腺炎": "acute pancreatitis",
    "子痫前期": "pre-eclampsia", "先兆子痫": "pre-eclampsia", "短暂性脑缺血发作": "transient ischemic attack",
}
#: Leading Chinese qualifiers and their English adjectives (a name is tried with and without them).
ZH_QUALIFIERS: dict[str, str] = {
    "急性": "acute", "慢性": "chronic", "亚急性": "subacute", "缺血性": "ischemic", "出血性": "hemorrhagic",
    "细菌性": "bacterial", "病毒性": "viral", "左侧": "left", "右侧": "right", "复发性": "recurrent",
}
#: Whole Spanish names whose word order or words do not map one to one.
ES_PHRASES: dict[str, str] = {
    "infarto agudo de miocardio": "acute myocardial infarction", "infarto de miocardio": "myocardial infarction",
    "tromboembolismo pulmonar": "pulmonary embolism", "embolia pulmonar": "pulmonary embolism",
    "accidente cerebrovascular": "stroke", "ictus": "stroke", "embarazo ectópico": "ectopic pregnancy",
    "cólico renal": "renal colic", "colico renal": "renal colic", "disección aórtica": "aortic dissection",
    "diseccion aortica": "aortic dissection", "torsión ovárica": "ovarian torsion", "insuficiencia cardiaca": "heart failure",
    "insuficiencia cardíaca": "heart failure", "infección urinaria": "urinary tract infection",
    "infección del tracto urinario": "urinary tract infection", "cetoacidosis diabética": "diabetic ketoacidosis",
}
#: Spanish words: nouns, and adjectives (``True``) that follow their noun in Spanish.
ES_WORDS: dict[str, tuple[str, bool]] = {
    "pielonefritis": ("pyelonephritis", False), "cistitis": ("cystitis", False), "apendicitis": ("appendicitis", False),
    "neumonía": ("pneumonia", False), "neumonia": ("pneumonia", False), "meningitis": ("meningitis", False),
    "pancreatitis": ("pancreatitis", False), "colecistitis": ("cholecystitis", False), "diverticulitis": ("diverticulitis", False),
    "gastroenteritis": ("gastroenteritis", False), "hepatitis": ("hepatitis", False), "bronquitis": ("bronchitis", False),
    "sepsis": ("sepsis", False), "gripe": ("influenza", False), "influenza": ("influenza", False), "tuberculosis": ("tuberculosis", False),
    "preeclampsia": ("pre-eclampsia", False), "anemia": ("anemia", False), "asma": ("asthma", False), "cólico": ("colic", False),
    "colico": ("colic", False), "litiasis": ("lithiasis", False), "nefrolitiasis": ("nephrolithiasis", False),
    "urolitiasis": ("urolithiasis", False), "cetoacidosis": ("ketoacidosis", False), "hipoglucemia": ("hypoglycemia", False),
    "aguda": ("acute", True), "agudo": ("acute", True), "crónica": ("chronic", True), "crónico": ("chronic", True),
    "cronica": ("chronic", True), "cronico": ("chronic", True), "renal": ("renal", True), "diabética": ("diabetic", True),
    "diabetica": ("diabetic", True), "bacteriana": ("bacterial", True), "viral": ("viral", True), "isquémico": ("ischemic", True),
    "isquemico": ("ischemic", True), "pulmonar": ("pulmonary", True), "biliar": ("biliary", True),
}
_DE = re.compile(r"\s+(?:de|del|de la)\s+")


def _clean(sense: str) -> str:
    """A CC-CEDICT sense without its bracketed labels ("appendicitis (medicine)" → "appendicitis")."""
    return re.sub(r"\s*\([^)]*\)", "", sense).strip()


def _zh_senses(word: str) -> list[str]:
    """English senses of one Chinese word: :data:`ZH_NAMES` first, then up to two lexicon senses."""
    got = [ZH_NAMES[word]] if word in ZH_NAMES else []
    return got + [s for s in (_clean(x) for x in lexicon().get(word, ())[:2]) if s and not s.startswith("to ")]


def _zh_forms(name: str) -> list[str]:
    """English forms of a Chinese name: known qualifiers peeled off the front and kept as
    adjectives, then the rest looked up; else the longest known tail of two characters or more."""
    out: list[str] = []
    quals: list[str] = []
    rest = name
    while True:  # "急性缺血性脑卒中": acute ischemic + 脑卒中 (stroke)
        senses = _zh_senses(rest)
        if senses:
            out += [" ".join(quals + [senses[0]])] + ([senses[0]] if quals else []) + senses[1:]
            break
        q = next((q for q in ZH_QUALIFIERS if rest.startswith(q) and len(rest) > len(q)), None)
        if q is None:
            break
        quals.append(ZH_QUALIFIERS[q])
        rest = rest[len(q):]
    if not out:  # the longest known tail ("卵巢囊肿蒂扭转" → "扭转" would be too loose: two characters at least)
        for i in range(1, len(name) - 1):
            senses = _zh_senses(name[i:])
            if senses:
                out += senses[:1]
                break
    return out


def _es_forms(name: str) -> list[str]:
    """English forms of a Spanish name: :data:`ES_PHRASES`, else word by word when every word is
    in :data:`ES_WORDS` (adjectives moved before the nouns); ``[]`` otherwise."""
    low = " ".join(name.lower().split())
    if low in ES_PHRASES:
        return [ES_PHRASES[low]]
    words = _DE.sub(" ", low).split()
    if not words or any(w not in ES_WORDS for w in words):
        return []
    nouns = [ES_WORDS[w][0] for w in words if not ES_WORDS[w][1]]
    adjectives = [ES_WORDS[w][0] for w in words if ES_WORDS[w][1]]
    if not nouns:
        return []
    return [" ".join(adjectives + nouns)]


def english_forms(name: str) -> list[str]:
    """English names to try for a candidate typed in Chinese or Spanish, best first.

    Args:
        name: the name as given (``"急性阑尾炎"``, ``"pielonefritis aguda"``, ``"STEMI"``).

    Returns:
        English forms (``["acute appendicitis", …]``); ``[]`` for a name in English or one
        neither map knows (it is then resolved, or ranked on the literature, as typed).
    """
    name = name.strip()
    if not name:
        return []
    forms = _zh_forms(name) if is_chinese(name) else _es_forms(name)
    return [f for f in dict.fromkeys(forms) if f.lower() != name.lower()]
