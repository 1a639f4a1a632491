"""Documents sent to the API inline (``/v1/summarize`` with ``text`` or ``file``).

The bytes are written to a fresh temporary directory under a fixed name whose extension is the
upload's (only the readers' extensions are accepted, so a client never chooses a server path),
read with medcite's readers (:meth:`medcite.service.Medcite.read_inputs`: plain text, Markdown,
PDF, PubMed XML, PMC JATS, MEDLINE, JSON Lines) and deleted. Nothing is indexed or kept.
"""

from __future__ import annotations

import base64
import dataclasses
import binascii
import tempfile
from pathlib import Path

from ..documents import Document
from ..errors import ReaderError, UsageError

#: Extensions an upload may have (lower case), as the readers name them.
UPLOAD_SUFFIXES = (".txt", ".md", ".pdf", ".xml", ".nxml", ".nbib", ".jsonl")


def decode_upload(content_base64: str, max_bytes: int) -> bytes:
    """The bytes of a base64 upload.

    Raises:
        UsageError: not base64, empty, or over ``max_bytes``.
    """
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("file.content_base64 is not valid base64") from None
    if not data:
        raise UsageError("the uploaded file is empty")
    if len(data) > max_bytes:
        raise UsageError(f"the uploaded file has {len(data):,} bytes; at most {max_bytes:,} are accepted")
    return data


def document_from_upload(service, name: str, data: bytes) -> tuple[Document, list[str]]:
    """Read the first document of an uploaded file.

    Args:
        service: the :class:`~medcite.service.Medcite` whose readers are used.
        name: the client's file name (only its extension is used).
        data: the file's bytes.

    Returns:
        ``(document, notes)``; a note says when the file held more than one document.

    Raises:
        UsageError: an extension no reader takes, or no document with text in the file.
        ReaderError: the reader failed (a corrupt PDF …).
    """
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UsageError(f"cannot read a {suffix or 'extension-less'} file; upload one of: {', '.join(UPLOAD_SUFFIXES)}")
    with tempfile.TemporaryDirectory(prefix="medcite-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        docs, reports, _ = service.read_inputs([path])
    if reports and reports[0].error:
        raise ReaderError(f"{Path(name).name}: {reports[0].error.replace(str(path), 'the upload')}")
    docs = [d for d in docs if d.sections]
    if not docs:
        raise UsageError(f"{Path(name).name}: no text to summarise")
    notes = [f"{Path(name).name} holds {len(docs)} documents; summarised the first"] if len(docs) > 1 else []
    doc = docs[0]
    if str(path) in doc.id:  # "file:/tmp/…/upload.pdf": no server path in answers
        doc = dataclasses.replace(doc, id=f"upload:{Path(name).name}", source="upload")
    return doc, notes
