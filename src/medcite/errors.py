"""Domain errors with actionable one-line messages.

Front ends map them to exit codes (CLI) and HTTP statuses (server); nothing else catches them
silently.
"""

from __future__ import annotations


class MedciteError(Exception):
    """Base class: ``str(err)`` is a complete one-line message for the user."""

    exit_code = 1
    http_status = 400


class UsageError(MedciteError):
    """The request itself is malformed (empty question, bad option value)."""

    exit_code = 2
    http_status = 422


class IndexNotFoundError(MedciteError):
    """No index at the given name or path."""

    exit_code = 3
    http_status = 404


class IndexCorruptError(MedciteError):
    """An index file is missing, truncated, tampered with or inconsistent (the path is named)."""

    exit_code = 4
    http_status = 500


class EmbedderMismatchError(MedciteError):
    """The index was built with another embedder than the one requested."""

    exit_code = 5
    http_status = 409


class IndexLockedError(MedciteError):
    """Another process holds the index's write lock."""

    exit_code = 6
    http_status = 423


class ReaderError(MedciteError):
    """A whole input file could not be read (not the expected format, unreadable)."""

    exit_code = 7
    http_status = 422


class EmbedderError(MedciteError):
    """The embedder could not be loaded (unknown name, missing model files)."""

    exit_code = 8
    http_status = 500


class GeneratorError(MedciteError):
    """A generating model could not be loaded or reached."""

    exit_code = 9
    http_status = 502
