"""Printing answers: the answer and its references, the citation guard's verdict, and
``medcite ask --generator …`` (with ``--stream``: the model's unchecked text on stderr, then the
guarded answer).
"""

from __future__ import annotations

import sys

from rich.markup import escape

from ..documents import Answer
from .common import err, out, print_json


def render_answer(ans) -> None:
    """Print an answer, its evidence table (when the answerer made one) and its references."""
    out.print(escape(ans.answer), highlight=False)
    for note in ans.notes:
        out.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
    render_evidence_table(ans.extra.get("evidence_table") or [])
    if ans.references:
        out.print("\nReferences", style="bold")
        for r in ans.references:
            title = r.title.rstrip(".")
            bits = [title if title.endswith(("…", "?", "!")) else title + "."]
            if r.journal:
                bits.append(r.journal + ".")
            if r.year:
                bits.append(f"{r.year}.")
            ident = f"PMID {r.pmid}" if r.pmid else r.id
            ev = f" [{r.evidence_level}]" if getattr(r, "evidence_level", "") else ""
            out.print(f"[{r.n}] {escape(' '.join(bits))} {ident}{ev} {r.url}".rstrip(), highlight=False)


def render_evidence_table(rows: list[dict]) -> None:
    """Print an evidence table (one row per cited paper: design, N, population, year, key result
    with its numbers) as a rich table; nothing when there are no rows."""
    if not rows:
        return
    from rich.table import Table

    t = Table(title="Evidence", title_justify="left", show_lines=True)
    t.add_column("#", justify="right")
    t.add_column("paper")
    t.add_column("design")
    t.add_column("N", justify="right")
    t.add_column("population", max_width=28)
    t.add_column("key result", max_width=64)
    for r in rows:
        ident = f"PMID {r['pmid']}" if r.get("pmid") else str(r.get("id", ""))
        paper = f"{ident}\n{r['year']}" if r.get("year") else ident
        n = "" if r.get("participants") is None else f"{r['participants']:,}"
        key = escape(r.get("key_result") or "")
        if r.get("numbers"):
            key += f"\n[dim]{escape(', '.join(r['numbers']))}[/dim]"
        t.add_row(str(r["n"]), escape(paper), escape(r.get("design") or "unknown"), n, escape(r.get("population") or ""), key)
    out.print(t)


def render_guard(ans: Answer) -> None:
    """Print the guard's verdict: removed markers, flagged sentences, fallback, speed."""
    g = ans.extra.get("guard") or {}
    if not g and "tokens_out" not in ans.extra:
        return
    flagged = [(s.text, s.support_score) for s in ans.sentences if not s.supported]
    if not flagged:  # a fallback answer keeps the model's flagged sentences in extra
        flagged = [(f["text"] + (f" (cited: {', '.join(map(str, f['cited']))})" if f["cited"] else ""), f["support_score"])
                   for f in ans.extra.get("flagged_sentences", [])]
    if flagged:
        out.print("\nFlagged by the citation guard (not supported by the cited source; not part of the answer):", style="bold yellow")
        for text, score in flagged:
            sc = f" (support {score:.2f})" if score is not None else " (no citation)"
            out.print(f"  ✗ {escape(text)}{sc}", highlight=False)
    bits = [f"generator {ans.generator}"]
    if g:
        bits.append(f"{g.get('removed_markers', 0)} invalid marker(s) removed")
        bits.append(f"{g.get('supported_sentences', 0)} supported / {g.get('unsupported_sentences', 0)} unsupported / {g.get('uncited_sentences', 0)} uncited sentence(s)")
        if g.get("fallback"):
            bits.append(f"fallback: {g['fallback']}")
    if ans.extra.get("tokens_out") is not None:
        tps = ans.extra.get("tokens_per_second")
        bits.append(f"tokens in/out {ans.extra.get('tokens_in')}/{ans.extra.get('tokens_out')}" + (f" ({tps:.1f} tok/s)" if tps else ""))
    if ans.extra.get("english_query"):
        bits.append(f"English query: {ans.extra['english_query']!r}")
    err.print("guard: " + "; ".join(bits), highlight=False, style="dim")


def ask_generative(svc, question: str, as_json: bool, stream: bool, **opts) -> None:
    """Answer with the generator configured in ``svc.settings`` (``--json``, ``--stream``)."""
    answerer = svc.answerer()
    if not stream:
        ans = svc.ask(question, answerer, **opts)
        if as_json:
            print_json(ans.to_json())
            return
        render_answer(ans)
        render_guard(ans)
        return
    ans = None
    streamed = False
    for item in svc.ask_stream(question, answerer, **opts):
        if isinstance(item, Answer):
            ans = item
        elif not as_json:
            if not streamed:
                err.print("model output (unchecked):", style="dim")
                streamed = True
            sys.stderr.write(item)
            sys.stderr.flush()
    if streamed:
        sys.stderr.write("\n")
    assert ans is not None
    if as_json:
        print_json(ans.to_json())
        return
    out.print("\nGuarded answer:", style="bold")
    render_answer(ans)
    render_guard(ans)
