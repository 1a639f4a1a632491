"""``manifest.json``: what a version of an index is and how to check it.

Records the schema version, the embedder (name, dimension, normalisation, max tokens), the
chunker settings, document/chunk counts, build statistics (seconds, tokens) and the sha256 of
every file in the version directory, and the sha256 of every manifest field that decides how
the version is read (:data:`READ_FIELDS`). :func:`verify_files` refuses a version whose files or
read fields do not match (truncated, corrupted, hand-edited), naming the file or the field.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EmbedderMismatchError, IndexCorruptError

SCHEMA_VERSION = 2
#: Schema versions still read: 1 (before field checksums) is read without them.
READABLE_SCHEMAS = (1, 2)
#: Manifest fields that decide how a version is read, each covered by a checksum in
#: ``field_sha256`` (the embedder without ``dim``: the vectors' dimension is cross-checked
#: against the FAISS file on load, with its own message).
READ_FIELDS = ("version", "vector_index", "vector_params", "chunker", "embedder")
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    """Contents of ``manifest.json``.

    Attributes:
        embedder: ``{"name", "dim", "normalize", "max_tokens"}``.
        chunker: :meth:`ChunkerSettings.to_json`.
        counts: ``{"documents", "chunks"}``.
        files: relative path → sha256 hex of every other file in the version directory.
        build: ``{"seconds", "embed_seconds", "chunks_embedded", "tokens_embedded", "device"}`` of the
            write that made this version (seconds are wall-clock).
        vector_index: FAISS index description (``"IDMap2,Flat"``), metric inner product.
        vector_params: type and search parameters of an approximate or sharded vector index
            (:class:`medcite.index.ann.AnnOptions` as JSON, plus ``factory``, ``tombstones``);
            empty for the default exact flat index.
        next_chunk_id: the next int64 chunk id to assign (ids are never reused).
        backend: where readers search this version: empty for the local files;
            ``{"kind": "milvus", "uri", "alias", "collection"}`` for :mod:`medcite.index.milvus`.
        field_sha256: field name → sha256 hex of the field's canonical JSON, for every field
            of :data:`READ_FIELDS`; filled in by :meth:`write`.
    """

    name: str
    version: str
    embedder: dict[str, Any]
    chunker: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)
    vector_index: str = "IDMap2,Flat"
    vector_params: dict[str, Any] = field(default_factory=dict)
    next_chunk_id: int = 0
    backend: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    schema_version: int = SCHEMA_VERSION
    field_sha256: dict[str, str] = field(default_factory=dict)
    #: the keys ``manifest.json`` held when read (not written back)
    _raw_keys: frozenset = field(default=frozenset(), repr=False, compare=False)

    def field_digest(self, name: str) -> str:
        """sha256 hex of read field ``name`` as canonical JSON (sorted keys, no spaces)."""
        value = getattr(self, name)
        if name == "embedder":
            value = {k: v for k, v in value.items() if k != "dim"}
        return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The manifest as the JSON object ``manifest.json`` holds."""
        return {k: v for k, v in asdict(self).items() if k != "_raw_keys"}

    def write(self, directory: Path) -> None:
        """Write ``manifest.json`` (fsynced) into ``directory``, with the checksums of its read
        fields (:data:`READ_FIELDS`) and the current schema version."""
        path = directory / MANIFEST
        self.schema_version = SCHEMA_VERSION
        self.field_sha256 = {name: self.field_digest(name) for name in READ_FIELDS}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """Read and validate ``directory/manifest.json``.

        Raises:
            IndexCorruptError: missing, unparsable, or from an unknown schema version.
        """
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            m = cls(**data)
            m._raw_keys = frozenset(data)
        except FileNotFoundError:
            raise IndexCorruptError(f"{path}: manifest is missing") from None
        except (ValueError, TypeError) as e:
            raise IndexCorruptError(f"{path}: manifest is not valid ({e})") from None
        for name in ("embedder", "chunker", "counts", "files", "build", "vector_params", "field_sha256"):
            if not isinstance(getattr(m, name), dict):
                raise IndexCorruptError(f"{path}: field {name!r} is not a JSON object (the manifest was edited)")
        if not isinstance(m.schema_version, int) or isinstance(m.schema_version, bool):
            raise IndexCorruptError(f"{path}: field 'schema_version' is {m.schema_version!r}, not an integer (the manifest was edited)")
        if m.schema_version not in READABLE_SCHEMAS:
            raise IndexCorruptError(f"{path}: schema version {m.schema_version} is not {SCHEMA_VERSION}; run medcite index rebuild")
        return m

    def verify_fields(self, directory: Path) -> None:
        """Check the read fields against their checksums and ``version`` against the version
        directory's name (a schema-1 manifest, written before field checksums, is checked for
        its version name only).

        Raises:
            IndexCorruptError: naming the first field that has no checksum or does not match it.
        """
        path = directory / MANIFEST
        if self.version != directory.name and directory.name.startswith("v"):
            raise IndexCorruptError(f"{path}: field 'version' is {self.version!r}, but the version directory is {directory.name!r} (the manifest was edited)")
        if self.schema_version < 2 and "field_sha256" not in self._raw_keys:
            return  # written before field checksums (a manifest that carries them is checked whatever it claims)
        for name in READ_FIELDS:
            digest = self.field_sha256.get(name)
            if digest is None:
                raise IndexCorruptError(f"{path}: field {name!r} has no checksum (the manifest was edited)")
            if digest != self.field_digest(name):
                raise IndexCorruptError(f"{path}: field {name!r} does not match its checksum (the manifest was edited)")

    def check_embedder(self, name: str, dim: int | None = None) -> None:
        """Check that the index was built with embedder ``name`` (making ``dim``-d vectors,
        when given).

        Raises:
            EmbedderMismatchError: another embedder built the index, or ``dim`` is not the
                index's vector dimension.
        """
        built = self.embedder.get("name")
        if canonical_embedder_name(str(built)) != canonical_embedder_name(name):
            raise EmbedderMismatchError(
                f"index {self.name!r} was built with embedder {built!r}, not {name!r}; "
                f"use --embedder {built} or run medcite index rebuild --embedder {name}"
            )
        built_dim = self.embedder.get("dim")
        if dim is not None and built_dim != dim:
            raise EmbedderMismatchError(
                f"index {self.name!r} holds {built_dim}-d vectors, but embedder {name!r} makes {dim}-d ones; "
                f"run medcite index rebuild --embedder {name}"
            )


#: Embedder names that are never paths (``name@backend`` forms are left as they are too).
BUILTIN_EMBEDDERS = ("e5-small", "minilm", "hashing")


def canonical_embedder_name(name: str) -> str:
    """The name to record and compare for embedder ``name``: an existing model directory
    becomes its absolute resolved path (so a relative path, a trailing slash or a symlink name
    the same embedder from any working directory); built-in names, ``name@backend`` forms and
    model ids are returned unchanged."""
    if name in BUILTIN_EMBEDDERS or "@" in name:
        return name
    p = Path(name).expanduser()
    return str(p.resolve()) if p.is_dir() else name


def sha256_file(path: Path, bufsize: int = 1 << 20) -> str:
    """sha256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(bufsize):
            h.update(block)
    return h.hexdigest()


def checksum_dir(directory: Path) -> dict[str, str]:
    """sha256 of every file under ``directory`` except the manifest, keyed by relative path."""
    return {rel: sha256_file(directory / rel) for rel in sorted(_listing(directory))}


def required_files(manifest: Manifest) -> list[str]:
    """Files every version needs, relative to its directory: the SQLite store, the BM25 row map
    and the vector file(s) its ``vector_params`` describe (one per shard when sharded)."""
    shards = int(manifest.vector_params.get("shards", 1) or 1)
    vectors = [f"vectors/shard-{i:03d}.faiss" for i in range(shards)] if shards > 1 else ["vectors.faiss"]
    return ["store.sqlite", "bm25/chunk_ids.npy", *vectors]


def verify_files(directory: Path, manifest: Manifest) -> None:
    """Check the version's files against the manifest: every required file
    (:func:`required_files`) and every file present in ``directory`` has a checksum entry, and
    every file named there exists with the recorded sha256 (so emptying or deleting the
    manifest's ``files`` map does not switch the checks off); then the manifest's read fields
    (:meth:`Manifest.verify_fields`).

    Raises:
        IndexCorruptError: naming the first file that is missing, has no checksum entry or
            does not match it, or the first read field that was edited.
    """
    for rel in [*required_files(manifest), *sorted(_listing(directory))]:
        if rel not in manifest.files:
            p = directory / rel
            what = "has no checksum" if p.is_file() else "is missing and has no checksum"
            raise IndexCorruptError(f"{p}: {what} in {directory / MANIFEST} (the manifest's file list was edited)")
    for rel, digest in manifest.files.items():
        p = directory / rel
        if not p.is_file():
            raise IndexCorruptError(f"{p}: file is missing from the index")
        if sha256_file(p) != digest:
            raise IndexCorruptError(f"{p}: checksum does not match the manifest (truncated, corrupted or edited)")
    manifest.verify_fields(directory)


def _listing(directory: Path) -> set[str]:
    """Relative paths of every file under ``directory`` except the manifest and hidden files
    (``.DS_Store`` and the like, which file browsers drop into folders; the index writes none)."""
    return {
        p.relative_to(directory).as_posix() for p in directory.rglob("*")
        if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
    }
