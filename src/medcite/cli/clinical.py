"""``medcite diagnose``, ``medcite treatments``, ``medcite summarize``: the clinical commands.

Thin: parse, call :class:`~medcite.service.Medcite`, render. ``--json`` prints the shared
clinical shape (``task``, ``input``, ``items``, ``references``, ``notes``, ``disclaimer``).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..errors import UsageError
from .common import (
    BaseUrlOpt,
    GeneratorOpt,
    IndexOpt,
    JsonOpt,
    ModelOpt,
    YearFrom,
    YearTo,
    app,
    handle_errors,
    out,
    print_json,
    service,
)

ItemsK = Annotated[int | None, typer.Option("--top-k", "-k", min=1, help="items to list (candidates / options; sentences per part for summarize)")]
PassagesOpt = Annotated[int | None, typer.Option("--passages", "-p", min=1, help="passages to read from the index")]


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


def _notes(notes: list[str]) -> None:
    for n in notes:
        out.print(f"[yellow]note:[/yellow] {escape(n)}", highlight=False)


@app.command("diagnose")
@handle_errors
def diagnose(
    findings: Annotated[str, typer.Argument(help="free-text findings: age, sex, symptoms, signs, results (separate with ';' or ',')")],
    index: IndexOpt = None,
    top_k: ItemsK = None,
    passages: PassagesOpt = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    as_json: JsonOpt = False,
    generator: GeneratorOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Literature-grounded differential for FINDINGS: candidate conditions, each with citations.

    With --generator other than extractive, the model proposes candidates; each is kept only when a
    cited passage names it.
    """
    if not findings.strip():
        raise UsageError("the findings are empty")
    svc = service(index, generator=generator, generator_model=model, generator_base_url=base_url)
    d = svc.diagnose(findings, top_k=top_k, passages=passages, year_from=year_from, year_to=year_to)
    if as_json:
        print_json(d.to_json())
        return
    out.print(f"Findings: {escape('; '.join(d.findings))}" + (f"  (context: {escape('; '.join(d.context))})" if d.context else ""), highlight=False)
    if not d.candidates:
        out.print("No condition in the indexed literature is supported by these findings.")
    for i, c in enumerate(d.candidates, 1):
        flag = ("  (named in the findings)" if c.named_in_findings else "") + ("  (proposed by the model)" if c.proposed_by == "model" else "")
        out.print(f"\n{i:>2}. {escape(c.condition)}{flag}  score {c.score:.3f}, {c.evidence_count} supporting passage(s) {_cites(c.citations)}", style="bold", highlight=False)
        if c.explanation:
            out.print(f"    {escape(c.explanation)} {_cites(c.citations[:1])}", highlight=False)
        if c.matched_findings:
            out.print(f"    matched:     {escape('; '.join(c.matched_findings))}", highlight=False)
        if c.unexplained_findings:
            out.print(f"    unexplained: {escape('; '.join(c.unexplained_findings))}", highlight=False)
        for s in c.support:
            if s["quote"]:
                q = " ".join(s["quote"].split())
                out.print(f"    \"{escape(q[:240])}{'…' if len(q) > 240 else ''}\" [{s['n']}]", highlight=False)
    _notes(d.notes)
    render_references(d.references)
    out.print(f"\n{escape(d.disclaimer)}", style="italic", highlight=False)


@app.command("treatments")
@handle_errors
def treatments(
    condition: Annotated[str, typer.Argument(help="the condition, e.g. 'type 2 diabetes'")],
    index: IndexOpt = None,
    top_k: ItemsK = None,
    passages: PassagesOpt = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    as_json: JsonOpt = False,
) -> None:
    """Treatment options for CONDITION found in the literature, strongest evidence first."""
    if not condition.strip():
        raise UsageError("the condition is empty")
    r = service(index).treatments(condition, top_k=top_k, passages=passages, year_from=year_from, year_to=year_to)
    if as_json:
        print_json(r.to_json())
        return
    out.print(f"Treatment options for {escape(r.condition)} in the indexed literature", style="bold", highlight=False)
    if not r.options:
        out.print("No treatment is named in the retrieved passages about this condition.")
    for i, o in enumerate(r.options, 1):
        levels = ", ".join(f"[{e['n']}] {e['level'] or 'design not stated'}" for e in o.evidence)
        out.print(f"\n{i:>2}. {escape(o.name)}  strongest evidence: {escape(o.best_level or 'not stated')}; {o.papers} paper(s) {_cites(o.citations)}", style="bold", highlight=False)
        out.print(f"    evidence: {escape(levels)}", highlight=False)
        if o.quotes:
            q = " ".join(o.quotes[0]["text"].split())
            out.print(f"    \"{escape(q[:240])}{'…' if len(q) > 240 else ''}\" [{o.quotes[0]['n']}]", highlight=False)
    _notes(r.notes)
    render_references(r.references)
    out.print(f"\n{escape(r.disclaimer)}", style="italic", highlight=False)


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
    _notes(s.notes)
    render_references(s.references)
