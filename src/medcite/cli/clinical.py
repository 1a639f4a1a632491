"""``medcite diagnose``, ``medcite treatments``, ``medcite summarize``: the clinical commands.

Thin: parse, call :class:`~medcite.service.Medcite`, render. ``--json`` prints the shared
clinical shape (``task``, ``input``, ``items``, ``references``, ``notes``, ``disclaimer``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..errors import UsageError
from ..config import CASE_NOTE_MAX_CHARS, check_length
from .common import IndexOpt, JsonOpt, app, handle_errors, out, print_json, service
from .options import ItemsK, ModelChoice, Scope, bundled

def render_references(refs) -> None:
    """Print a numbered reference list with evidence levels."""
    if not refs:
        return
    out.print("\nReferences", style="bold")
    for r in refs:
        bits = [r.title.rstrip(".") + "."]
        if r.journal:
            bits.append(r.journal + ".")
        if r.year:
            bits.append(f"{r.year}.")
        ident = f"PMID {r.pmid}" if r.pmid else r.id
        sec = f" ({r.section})" if r.section else ""
        ev = f" [{r.evidence_level}]" if r.evidence_level else ""
        out.print(f"[{r.n}] {escape(' '.join(bits))} {escape(ident)}{escape(sec)}{escape(ev)} {r.url}".rstrip(), highlight=False)


def _cites(ns: list[int]) -> str:
    return "".join(f"[{n}]" for n in ns)


def _quote(text: str, n: int) -> None:
    """Print a supporting quote (whitespace folded, cut at 240 characters) with its citation ``[n]``."""
    q = " ".join(text.split())
    out.print(f"    \"{escape(q[:240])}{'…' if len(q) > 240 else ''}\" [{n}]", highlight=False)


def _footer(result) -> None:
    """Print a clinical result's notes, its references and, where it has one, its disclaimer."""
    for n in result.notes:
        out.print(f"[yellow]note:[/yellow] {escape(n)}", highlight=False)
    render_references(result.references)
    if hasattr(result, "disclaimer"):
        out.print(f"\n{escape(result.disclaimer)}", style="italic", highlight=False)


CandidatesOpt = Annotated[str | None, typer.Option("--candidates", "-c", help="rank exactly these conditions, separated by ';' (e.g. \"influenza; bacterial meningitis\")")]
CrossOpt = Annotated[bool, typer.Option("--cross-lingual", help="also match findings through the e5-small embedder (any language; first use embeds the HPO names, ~2-3 min, cached)")]


def _candidate_lines(i: int, c) -> None:
    from ..clinical.differential import NO_DATA

    flag = ("  (named in the findings)" if c.named_in_findings else "") + {"model": "  (proposed by the model)", "clinician": "  (given)"}.get(c.proposed_by, "")
    if c.demographic_misfit:
        flag += f"  (does not fit: {c.demographic_misfit}; score down-weighted)"
    if c.grounding == "literature":
        head = f"{c.evidence_count} supporting passage(s) {_cites(c.citations)}"
    elif c.grounding == NO_DATA:
        out.print(f"\n{i:>2}. {escape(c.condition)}{flag}  not scored: {escape(NO_DATA)}", style="bold", highlight=False)
        return
    else:
        # a criteria entry is named with the criteria it follows (never a literature citation [n])
        shown = list(dict.fromkeys([*c.criteria, *(x for x in c.kb_ids if not x.startswith("CRITERIA:"))]))[:3]
        head = "knowledge base: " + (", ".join(shown) if shown else "not in the knowledge base")
    out.print(f"\n{i:>2}. {escape(c.condition)}{flag}  score {c.score:.3f}; {escape(head)}", style="bold", highlight=False)
    if c.grounding == "literature" and c.criteria:
        out.print(f"    criteria:    {escape('; '.join(c.criteria))}", highlight=False)
    if c.given_as and c.given_as.lower() != c.condition.lower():
        out.print(f"    given as:    {escape(c.given_as)}" + ("" if c.in_knowledge_base else " (not in the knowledge base)"), highlight=False)
    if c.same_entry_as:
        out.print(f"    same knowledge-base entry ({escape(c.condition_id or 'literature')}) as: {escape('; '.join(c.same_entry_as))}"
                  " — the knowledge base cannot tell them apart", highlight=False)
    if c.explanation:
        out.print(f"    {escape(c.explanation)} {_cites(c.citations[:1])}", highlight=False)
    if c.matched_findings:
        out.print(f"    explains:    {escape('; '.join(c.matched_findings))}", highlight=False)
    if c.unexplained_findings:
        out.print(f"    unexplained: {escape('; '.join(c.unexplained_findings))}", highlight=False)
    for reason in c.contradicting_reasons:
        out.print(f"    against:     {escape(reason)}", highlight=False)
    for s in c.support:
        if s["quote"]:
            _quote(s["quote"], s["n"])
        else:
            out.print(f"    [{s['n']}] is about it ({escape(s['link'])} of {escape(s['doc_id'])})", highlight=False)


def display_order(candidates: list, given: bool) -> list[tuple[str, object]]:
    """The candidates as the text output shows them: ``(section title or "", candidate)`` in order.

    Sections: supported by the indexed literature, knowledge base only, no data; the section
    holding the best-ranked candidate comes first, each section keeps the ranked order, and the
    caller numbers the whole list 1, 2, 3 … in this order (one scheme, no gaps or restarts).
    """
    from ..clinical.differential import KB_ONLY, NO_DATA

    groups = [(("Given candidates" if given else "Differential") + " — supported by the indexed literature",
               [c for c in candidates if c.grounding not in (KB_ONLY, NO_DATA)]),
              (KB_ONLY[0].upper() + KB_ONLY[1:], [c for c in candidates if c.grounding == KB_ONLY]),
              ("No data — " + NO_DATA.split(" — ")[0], [c for c in candidates if c.grounding == NO_DATA])]
    first = {id(c): i for i, c in enumerate(candidates)}
    out: list[tuple[str, object]] = []
    for title, items in sorted((g for g in groups if g[1]), key=lambda g: first[id(g[1][0])]):
        out += [(title if j == 0 else "", c) for j, c in enumerate(items)]
    return out


@app.command("diagnose")
@handle_errors
@bundled("scope", Scope)
@bundled("answerer", ModelChoice)
def diagnose(
    findings: Annotated[str, typer.Argument(help="the case in any language: a findings list, a note or a vignette with vitals and labs")],
    scope: Scope,
    candidates: CandidatesOpt = None,
    cross_lingual: CrossOpt = False,
    answerer: ModelChoice = ModelChoice(),
) -> None:
    """Grounded differential for FINDINGS: conditions from the phenotype knowledge base and the
    indexed literature, each with citations, or marked "knowledge base only".

    With --candidates, exactly those conditions are ranked, each with its evidence for and against.
    With a --generator other than extractive, the model proposes candidates, ranked and grounded the
    same way; case text sent to a model off this machine is masked for identifiers first.
    """
    from ..clinical.differential import split_candidates

    check_length(findings, "findings", CASE_NOTE_MAX_CHARS)
    given = split_candidates(candidates) if candidates is not None else None
    if given is not None and not given:
        raise UsageError("--candidates is empty: give names separated by ';'")
    svc = service(scope.index, **answerer.settings())
    d = svc.diagnose(findings, candidates=given, embedder="e5-small" if cross_lingual else None, **scope.reading())
    if scope.as_json:
        print_json(d.to_json())
        return
    out.print("Findings understood:", style="bold")
    for line in d.mapping or [f"{f}" for f in d.findings]:
        out.print(f"  {escape(line)}", highlight=False)
    if d.context:
        out.print(f"  context: {escape('; '.join(d.context))}", highlight=False)
    if d.knowledge_sources:
        out.print("Knowledge sources: " + escape("; ".join(["the indexed literature", *d.knowledge_sources])), highlight=False)
    if not d.candidates:
        out.print("No condition in the knowledge base or the indexed literature fits these findings.")
    # one numbering down the page: 1, 2, 3 … in the order shown, whatever the section
    for n, (title, c) in enumerate(display_order(d.candidates, given is not None), 1):
        if title:
            out.print(f"\n{title}", style="bold underline")
        _candidate_lines(n, c)
    # age/sex misfits set aside: a note (:func:`medcite.clinical.candidate_filter.mark_fit`)
    _footer(d)


@app.command("treatments")
@handle_errors
@bundled("scope", Scope)
def treatments(
    condition: Annotated[str, typer.Argument(help="the condition, e.g. 'type 2 diabetes'")],
    scope: Scope,
) -> None:
    """Treatment options for CONDITION found in the literature, strongest evidence first."""
    check_length(condition, "condition")
    r = service(scope.index).treatments(condition, **scope.reading())
    if scope.as_json:
        print_json(r.to_json())
        return
    out.print(f"Treatment options for {escape(r.condition)} in the indexed literature", style="bold", highlight=False)
    if not r.options:
        out.print("No treatment is named in the retrieved passages about this condition.")
    for i, o in enumerate(r.options, 1):
        levels = ", ".join(f"[{e['n']}] {e['level'] or 'design not stated'}" for e in o.evidence)
        out.print(f"\n{i:>2}. {escape(o.name)}  strongest evidence: {escape(o.best_level or 'not stated')}; {o.papers} paper(s) {_cites(o.citations)}", style="bold", highlight=False)
        n_text = f"; N = {o.participants:,} in the strongest paper" if o.participants else ""
        out.print(f"    evidence: {escape(levels)}{n_text}", highlight=False)
        others = [n for n in o.names if n.lower() != o.name.lower()]
        if others:
            out.print(f"    also named: {escape(', '.join(others))}", highlight=False)
        if o.effect:
            _quote(o.effect["text"], o.effect["n"])
        elif o.quotes:
            _quote(o.quotes[0]["text"], o.quotes[0]["n"])
    _footer(r)


@app.command("summarize")
@handle_errors
def summarize(
    target: Annotated[str, typer.Argument(metavar="PMID|FILE", help="a PMID or document id in the index, or a file (PubMed XML, JSONL, text, PDF …)")],
    index: IndexOpt = None,
    top_k: ItemsK = None,
    doc: Annotated[str | None, typer.Option("--doc", help="which record of a multi-record file (id or PMID)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Key sentences of one paper or long text per part (objective, methods, results, conclusion), each citing its section."""
    if not target.strip():
        raise UsageError("give a PMID or a file")
    s = service(index).summarize(target, top_k=top_k, doc_id=doc)
    if as_json:
        print_json(s.to_json())
        return
    head = s.title or s.doc_id
    out.print(f"{escape(head)}  ({escape(s.doc_id)}{'; ' + escape(s.evidence_level) if s.evidence_level else ''})", style="bold", highlight=False)
    part = ""
    for sent in s.sentences:
        if sent.part != part:
            part = sent.part
            out.print(f"\n{part.capitalize()}", style="bold")
        out.print(f"  {escape(' '.join(sent.text.split()))} {_cites(sent.citations)}", highlight=False)
    _footer(s)
