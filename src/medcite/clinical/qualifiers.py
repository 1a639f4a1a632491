"""Condition qualifiers: "type 2 diabetes" is not "type 1 diabetes", nor gestational diabetes.

A treatment paper counts for the asked condition only when it is about the same kind of it. A
qualifier family is a set of mutually exclusive variants, each with its surface patterns (diabetes
type 1 / type 2 / gestational; paediatric / adult populations). When the asked condition names a
variant, a passage qualifies when it names that variant more often than any conflicting one of
the same family (a tie, "with gestational diabetes or type 2 diabetes", is not about the asked
kind alone); a passage naming only conflicting variants, or no variant at all, is about another
condition. For the age group a passage naming no age group is kept.
"""

from __future__ import annotations

import re

#: family → variant → pattern (case-insensitive).
FAMILIES: dict[str, dict[str, re.Pattern]] = {
    "diabetes type": {
        "type 1": re.compile(r"\btype[\s-]*(?:1|i|one)\b(?!\d)|\bt1dm?\b|\biddm\b|\binsulin[- ]dependent\b|\bjuvenile[- ]onset\b|\bautoimmune diabetes\b", re.I),
        "type 2": re.compile(r"\btype[\s-]*(?:2|ii|two)\b(?!\d)|\bt2dm?\b|\bniddm\b|\bnon[- ]insulin[- ]dependent\b|\badult[- ]onset diabetes\b", re.I),
        "gestational": re.compile(r"\bgestational\b|\bgdm\b|\bdiabetes in pregnancy\b|\bpregnan\w*\b", re.I),
    },
    "age group": {
        "paediatric": re.compile(r"\bp(?:a)?ediatric\b|\bchild(?:ren|hood)?\b|\binfant\w*\b|\badolescen\w*\b|\bneonat\w*\b|\bjuvenile\b", re.I),
        "adult": re.compile(r"\badults?\b|\belderly\b|\bolder (?:adults|patients|people)\b|\baged\b", re.I),
    },
}


def qualifiers_of(condition: str) -> dict[str, str]:
    """``{family: variant}`` the condition names ("type 2 diabetes in children" → diabetes type:
    type 2, age group: paediatric); the first variant with a match wins within a family."""
    out = {}
    for fam, variants in FAMILIES.items():
        for name, pat in variants.items():
            if pat.search(condition):
                out[fam] = name
                break
    return out


def matches_qualifiers(wanted: dict[str, str], text: str) -> bool:
    """Whether ``text`` is about the qualified condition (see the module doc)."""
    for fam, want in wanted.items():
        counts = {name: len(pat.findall(text)) for name, pat in FAMILIES[fam].items()}
        mine = counts.pop(want)
        other = max(counts.values(), default=0)
        if fam == "age group":
            if other and not mine:  # a paediatric paper for an adult question, or the reverse
                return False
            continue
        if mine == 0 or other >= mine:  # a tie ("type 1 or type 2") is not about the asked kind alone
            return False
    return True


def conflicts(wanted: dict[str, str], text: str) -> bool:
    """Whether ``text`` (a title or one sentence) names another variant of an asked family and not
    the asked one ("type 1 diabetes" in a sentence for a type 2 question); naming none is no conflict."""
    for fam, want in wanted.items():
        counts = {name: bool(pat.search(text)) for name, pat in FAMILIES[fam].items()}
        if not counts.pop(want) and any(counts.values()):
            return True
    return False
