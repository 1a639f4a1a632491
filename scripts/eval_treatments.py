#!/usr/bin/env python
"""Treatment options checked against the asked condition (issue 16).

For 20 conditions, runs ``medcite treatments`` and counts (1) options supported only by passages
about another condition — none of the option's cited passages names the condition's words with its
qualifiers (type 1 / type 2 / gestational, paediatric / adult; :mod:`medcite.clinical.qualifiers`)
— and (2) options that are fragments of another option of the same list (their name is a whole-word
part of another option's name). Prints both counts and the options per condition.

Usage: python scripts/eval_treatments.py --index /work/indexes/pubmedqa-e5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from medcite.clinical._text import content_tokens  # noqa: E402
from medcite.clinical.qualifiers import matches_qualifiers, qualifiers_of  # noqa: E402
from medcite.config import Settings  # noqa: E402
from medcite.service import Medcite  # noqa: E402

CONDITIONS = [
    "type 2 diabetes", "type 1 diabetes", "gestational diabetes", "hypertension", "asthma in children", "COPD",
    "heart failure", "atrial fibrillation", "stroke", "breast cancer", "prostate cancer", "colorectal cancer",
    "depression", "schizophrenia", "obesity", "osteoporosis", "rheumatoid arthritis", "sepsis", "HIV infection", "migraine",
]


def about(condition: str, text: str) -> bool:
    words = set(content_tokens(condition)) - {"infection", "children"}
    return bool(words) and words <= set(content_tokens(text)) and matches_qualifiers(qualifiers_of(condition), text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    a = ap.parse_args()
    svc = Medcite(Settings(index=a.index, index_root=ROOT / "indexes"))
    other = fragments = total = 0
    per = {}
    for c in CONDITIONS:
        r = svc.treatments(c)
        refs = {ref.n: ref for ref in r.references}
        names = [o.name.lower() for o in r.options]
        rows = []
        for o in r.options:
            total += 1
            ok = any(about(c, refs[n].title + "\n" + refs[n].passage) for n in o.citations)
            frag = any(o.name.lower() != m and re.search(rf"\b{re.escape(o.name.lower())}\b", m) for m in names)
            other += not ok
            fragments += bool(frag)
            rows.append(o.name + ("" if ok else "  [other condition]") + ("  [fragment]" if frag else ""))
        per[c] = rows
    print(json.dumps({"conditions": len(CONDITIONS), "options": total, "supported_only_by_other_conditions": other,
                      "fragments_of_another_option": fragments, "options_per_condition": per}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
