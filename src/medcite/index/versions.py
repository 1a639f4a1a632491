"""Versioned index directories with atomic publish and a single-writer lock.

Layout::

    indexes/<name>/
      CURRENT          # one line: the live version directory name
      v000003/         # immutable once published
      .v000004.tmp-*/  # a write in progress (or left by a crash; removed on the next write)
      .lock            # filelock for writers

Writers build a whole new version in a temporary directory, fsync it, rename it into place and
then replace ``CURRENT`` with :func:`os.replace` (atomic on POSIX). Readers read ``CURRENT``
once and keep that version, so they never see a half-written one. A crash can leave a temporary
directory, a ``CURRENT.tmp`` or a renamed version that never became current; the next writer
removes all three (:meth:`IndexDir.clean_stale`) before it writes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import IndexCorruptError, IndexLockedError, IndexNotFoundError, UsageError

CURRENT = "CURRENT"
#: One line per version that ever became live (appended after ``CURRENT`` is replaced), so a
#: version newer than the live one can be told apart: never live = a killed write's leftover
#: (removed); once live = the user rolled ``CURRENT`` back by hand (kept).
PUBLISHED = "PUBLISHED"
_VERSION = re.compile(r"^v(\d{6})$")
KEEP_VERSIONS = 2


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """fsync every file and directory under ``path`` (inclusive)."""
    for p in sorted(path.rglob("*"), reverse=True):
        if p.is_file():
            with open(p, "rb+") as f:
                os.fsync(f.fileno())
        elif p.is_dir():
            _fsync_dir(p)
    _fsync_dir(path)


class IndexDir:
    """One named index on disk (the directory that holds ``CURRENT`` and the versions)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def exists(self) -> bool:
        """Whether a published version exists."""
        return (self.root / CURRENT).is_file()

    def current_name(self) -> str:
        """Name of the live version (``"v000003"``).

        Raises:
            IndexNotFoundError: no index has been published here, or the path is a file.
            IndexCorruptError: ``CURRENT`` is missing although version directories exist, or
                it is not text naming a version.
        """
        path = self.root / CURRENT
        if self.root.exists() and not self.root.is_dir():
            raise IndexNotFoundError(f"{self.root}: is a file, not an index directory")
        try:
            name = path.read_bytes().decode("utf-8").strip()
        except UnicodeDecodeError:
            raise IndexCorruptError(f"{path}: is not text (binary content); it must name a version such as v000001") from None
        except IsADirectoryError:
            raise IndexCorruptError(f"{path}: is a directory, not a file naming a version") from None
        except FileNotFoundError:
            versions = self.versions()
            if versions:
                raise IndexCorruptError(
                    f"{self.root}: versions exist ({', '.join(versions)}) but {CURRENT} is missing; restore it with "
                    f"`echo {versions[-1]} > {self.root / CURRENT}` (the newest version) or remove the directory"
                ) from None
            raise IndexNotFoundError(f"no index at {self.root} (run `make demo`, or build one with: medcite index build PATH --index {self.root.name})") from None
        if not _VERSION.match(name):
            raise IndexCorruptError(f"{path}: does not name a version ({name[:40]!r})")
        return name

    def current_path(self) -> Path:
        """Directory of the live version."""
        return self.root / self.current_name()

    def check_target(self) -> None:
        """Refuse to write where no index should go: a path that is a regular file, a version
        directory (or anything holding a ``manifest.json``), or a non-empty directory that is not
        an index (no ``CURRENT``, no version directories; only the lock file and leftovers of an
        interrupted first write are allowed). A missing or empty directory is fine.

        Raises:
            UsageError: naming the path.
        """
        root = self.root
        if root.exists() and not root.is_dir():
            raise UsageError(f"{root}: is a file, not an index directory; pass another --index")
        if _VERSION.match(root.name) and (root.parent / CURRENT).is_file() or (root / "manifest.json").exists():
            raise UsageError(f"{root}: is a version directory of an index, not an index; pass --index {root.parent}")
        if not root.is_dir() or self.exists() or self.versions():
            return
        other = sorted(p.name for p in root.iterdir() if not (p.name in (".lock", CURRENT + ".tmp") or p.name.startswith(".v") and ".tmp" in p.name))
        if other:
            shown = ", ".join(other[:3]) + (" …" if len(other) > 3 else "")
            raise UsageError(f"{root}: is a non-empty directory that is not an index ({shown}); pass another --index")

    def versions(self) -> list[str]:
        """Published version names, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and _VERSION.match(p.name))

    @contextmanager
    def lock(self, timeout: float = 10.0):
        """Hold the writer lock.

        Args:
            timeout: seconds to wait for another writer.

        Raises:
            IndexLockedError: another process kept the lock for ``timeout`` seconds.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".lock"))
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexLockedError(
                f"index {self.root.name!r} is being written by another process (waited {timeout:g} s; see --lock-timeout)"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def clean_stale(self) -> list[Path]:
        """Remove what interrupted writes left behind (call with the lock held).

        That is: temporary version directories (``.v000004.tmp-*``), a stray ``CURRENT.tmp``,
        and version directories newer than the live one that never became live (renamed into
        place by a write killed before it replaced ``CURRENT``; :data:`PUBLISHED` tells them
        from versions a user rolled back from by editing ``CURRENT``, which are kept).
        Returns the removed paths.

        Raises:
            IndexCorruptError: version directories exist but ``CURRENT`` is missing or invalid
                (nothing is removed: which version was live cannot be told).
        """
        removed: list[Path] = []
        if not self.root.is_dir():
            return removed
        live = self.current_name() if self.exists() or self.versions() else ""
        for p in self.root.iterdir():
            if p.name.startswith(".v") and ".tmp" in p.name:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        stray = self.root / (CURRENT + ".tmp")
        if stray.exists():
            stray.unlink()
            removed.append(stray)
        published = self.published()
        for name in self.versions():
            if name > live and name not in published:
                shutil.rmtree(self.root / name, ignore_errors=True)
                removed.append(self.root / name)
        return removed

    def published(self) -> set[str]:
        """Names of the versions that were ever live (from :data:`PUBLISHED`)."""
        try:
            return set((self.root / PUBLISHED).read_text(encoding="utf-8", errors="replace").split())
        except FileNotFoundError:
            return set()

    def next_name(self) -> str:
        """Name the next version will get."""
        vs = self.versions()
        n = int(vs[-1][1:]) + 1 if vs else 1
        return f"v{n:06d}"

    def new_tmp(self) -> Path:
        """Create a temporary directory for a version being written (call with the lock held)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{self.next_name()}.tmp-", dir=self.root))

    def publish(self, tmp: Path, point: Callable[[str], None] | None = None) -> str:
        """Make ``tmp`` the live version: fsync, rename, atomically replace ``CURRENT``.

        Args:
            tmp: a directory made by :meth:`new_tmp`, complete (manifest included).
            point: fault-injection callback, called with ``"publish:fsynced"``,
                ``"publish:renamed"``, ``"publish:current-tmp"`` and ``"publish:swapped"``.

        Returns:
            the new version's name. Versions older than the one it replaces are removed
            (:data:`KEEP_VERSIONS` = 2 live versions kept).
        """
        point = point or (lambda _stage: None)
        previous = self.current_name() if self.exists() else ""
        name = self.next_name()
        fsync_tree(tmp)
        point("publish:fsynced")
        final = self.root / name
        os.rename(tmp, final)
        _fsync_dir(self.root)
        point("publish:renamed")
        cur_tmp = self.root / (CURRENT + ".tmp")
        with open(cur_tmp, "w") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
        point("publish:current-tmp")
        os.replace(cur_tmp, self.root / CURRENT)
        _fsync_dir(self.root)
        point("publish:swapped")
        with open(self.root / PUBLISHED, "a", encoding="utf-8") as f:
            f.write(name + "\n")
            f.flush()
            os.fsync(f.fileno())
        # keep the new version and the one it replaced (KEEP_VERSIONS = 2); versions between
        # them (rolled back from by hand) stay until the user removes them
        for old in self.versions():
            if previous and old < previous:
                shutil.rmtree(self.root / old, ignore_errors=True)
        return name
