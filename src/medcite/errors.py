"""Domain errors with actionable one-line messages.

Front ends map them to exit codes (CLI) and HTTP statuses (server); nothing else catches them
silently.
"""

from __future__ import annotations


class MedciteError(Exception):
    """Base class: ``str(err)`` is a complete one-line message for the user.

    Each kind states its CLI exit code and HTTP status in its class line
    (``class UsageError(MedciteError, exit_code=2, http_status=422)``); a kind that states
    none keeps its parent's.
    """

    exit_code = 1
    http_status = 400

    def __init_subclass__(cls, exit_code: int | None = None, http_status: int | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code
        if http_status is not None:
            cls.http_status = http_status


class UsageError(MedciteError, exit_code=2, http_status=422):
    """The request itself is malformed (empty question, bad option value)."""


class IndexNotFoundError(MedciteError, exit_code=3, http_status=404):
    """No index at the given name or path."""


class IndexCorruptError(MedciteError, exit_code=4, http_status=500):
    """An index file is missing, truncated, tampered with or inconsistent (the path is named)."""


class EmbedderMismatchError(MedciteError, exit_code=5, http_status=409):
    """The index was built with another embedder than the one requested."""


class IndexLockedError(MedciteError, exit_code=6, http_status=423):
    """Another process holds the index's write lock."""


class ReaderError(MedciteError, exit_code=7, http_status=422):
    """A whole input file could not be read (not the expected format, unreadable)."""


class EmbedderError(MedciteError, exit_code=8, http_status=500):
    """The embedder could not be loaded (unknown name, missing model files)."""


class GeneratorError(MedciteError, exit_code=9, http_status=502):
    """A generating model could not be loaded or reached."""
