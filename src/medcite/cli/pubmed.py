"""``medcite pubmed fetch``: download PubMed records for a query (registers on ``app``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .common import app, err, handle_errors

pubmed_app = typer.Typer(no_args_is_help=True, help="Fetch records from PubMed (NCBI E-utilities).")
app.add_typer(pubmed_app, name="pubmed")


@pubmed_app.command("fetch")
@handle_errors
def pubmed_fetch(
    query: Annotated[str, typer.Argument(help="PubMed query, e.g. 'metformin AND lactic acidosis'")],
    out: Annotated[Path, typer.Option("--out", "-o", help="directory for the XML batches (e.g. corpus/metformin)")],
    max_records: Annotated[int, typer.Option("--max", "-n", min=1, help="records to fetch at most (PubMed serves up to 10,000 per query)")] = 100,
    email: Annotated[Optional[str], typer.Option("--email", help="your e-mail, sent to NCBI as asked by its usage policy (default: $NCBI_EMAIL)")] = None,
    api_key: Annotated[Optional[str], typer.Option("--api-key", help="NCBI API key (default: $NCBI_API_KEY); allows 10 instead of 3 requests/s", show_default=False)] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10000, help="PMIDs per efetch request")] = 200,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress lines")] = False,
) -> None:
    """Search PubMed and save the records as XML batches under --out (resumable: rerun the
    same command after an interruption). Index them with: medcite index update OUT."""
    from ..readers.eutils import EutilsClient, fetch

    client = EutilsClient(api_key=api_key, email=email or os.environ.get("NCBI_EMAIL") or None)
    try:
        rep = fetch(query, out, max_records, client, batch_size=batch_size, log=None if quiet else lambda m: err.print(escape(m), highlight=False))
    finally:
        client.close()
    err.print(
        f"{len(rep.pmids)} of {rep.count} records in {len(rep.files)} file(s) under {escape(str(out))} "
        f"({rep.batches_fetched} batch(es) fetched now, {rep.batches_skipped} already there, {rep.requests} requests)"
        + (f"; {len(rep.missing)} PMIDs not returned by efetch" if rep.missing else ""),
        highlight=False,
    )
