"""Where exchange data lives on disk, and the limits that bound its processing.

DATA_DIR/exchange/<source>/<sha256>.parquet  the normalised rows of one loaded upload
DATA_DIR/exchange/errors/<upload id>.csv     every row error of one upload (row, column, reason)
DATA_DIR/exchange/snapshots/                 empty per-source files for sources without data
DATA_DIR/exchange/tmp/<kind>-<token>/        one workspace per upload or comparison run: the raw
                                             upload, staged rows, DuckDB spill space

Nothing here is readable by others: directories are 0700 and files 0600 (`private_file`), and the
raw upload (plaintext names and IDs) lives only inside a workspace. A workspace holds an exclusive
lock (`flock`) on its `.lock` file for as long as its process works in it and is removed when the
work ends, failure or not; a workspace whose lock is free belongs to a process that died (killed,
power cut), and `sweep_leftovers()`, called at every start (`VerificationConfig.ready`), removes
it, together with the framework's temporary upload files left in `FILE_UPLOAD_TEMP_DIR` (older than
`FILE_UPLOAD_TEMP_STALE_SECONDS`, default one hour: they are written continuously while a request
arrives and deleted when it ends). Sweeping only what no live process holds makes it safe when
several processes start at once.

Limits come from Django settings when set (tests), else from the environment:
SAFETYNET_EXCHANGE_MAX_BYTES (default 2 GiB), SAFETYNET_DUCKDB_MEMORY (default 1GB),
SAFETYNET_EXCHANGE_CHUNK_ROWS (default 50,000).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

try:
    import fcntl
except ImportError:  # not POSIX: no locks, and the sweep keeps every workspace
    fcntl = None

logger = logging.getLogger(__name__)
LOCK = ".lock"
GRACE_SECONDS = 60  # an entry younger than this may be a workspace whose lock is being taken


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create (or truncate) `path` as an empty file that only the owner can read and write;
    writers that open it afterwards keep that mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)
    return path


def root() -> Path:
    return private_dir(Path(settings.DATA_DIR) / "exchange")


def sub(name: str) -> Path:
    root()
    return private_dir(root() / name)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


@contextlib.contextmanager
def workspace(kind: str) -> Iterator[Path]:
    """A private directory under `tmp/` for one upload or run, locked while in use and removed
    afterwards, whatever happens."""
    path = private_dir(sub("tmp") / f"{kind}-{uuid.uuid4().hex}")
    fd = os.open(path / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)  # releases the lock


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def _abandoned(entry: Path, now: float) -> bool:
    """A workspace whose lock no process holds, or an entry of no workspace past the grace time."""
    try:
        young = now - entry.lstat().st_mtime < GRACE_SECONDS
        lock = entry / LOCK
        if not entry.is_dir() or not lock.exists():
            return not young
        if fcntl is None:
            return False
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:  # removed meanwhile by its owner or another sweep
        return False
    try:
        return _try_lock(fd)  # held until closed: the owner is gone, nobody else will take it
    finally:
        os.close(fd)


def sweep_leftovers(now: float | None = None) -> list[Path]:
    """Remove what dead processes left behind: abandoned workspaces (and loose files) under
    `exchange/tmp/`, and stale framework upload files. Cheap (two directory listings), never
    raises, and touches nothing a live process holds. Returns what it removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    tmp = Path(settings.DATA_DIR) / "exchange" / "tmp"
    try:
        entries = list(tmp.iterdir()) if tmp.is_dir() else []
        for entry in entries:
            if _abandoned(entry, now):
                _remove(entry)
                removed.append(entry)
        uploads = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
        stale = float(getattr(settings, "FILE_UPLOAD_TEMP_STALE_SECONDS", 3600))
        if uploads and Path(uploads).is_dir():
            for entry in Path(uploads).iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_file() and now - entry.stat().st_mtime > stale:
                        entry.unlink(missing_ok=True)
                        removed.append(entry)
    except OSError:  # a start-up must not fail over a cleanup
        logger.exception("could not sweep leftover exchange files")
    if removed:
        logger.warning("removed %d leftover exchange file(s) of interrupted work", len(removed))
    return removed


def _setting(name: str, env: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(env, default)
    return type(default)(value)


def max_bytes() -> int:
    return _setting("EXCHANGE_MAX_BYTES", "SAFETYNET_EXCHANGE_MAX_BYTES", 2 * 1024**3)


def memory_limit() -> str:
    return _setting("DUCKDB_MEMORY_LIMIT", "SAFETYNET_DUCKDB_MEMORY", "1GB")


def chunk_rows() -> int:
    return _setting("EXCHANGE_CHUNK_ROWS", "SAFETYNET_EXCHANGE_CHUNK_ROWS", 50_000)


def absolute(relative: str) -> Path:
    return Path(settings.DATA_DIR) / relative


def discard_framework_temp(file) -> None:
    """Delete the framework's temporary copy of an uploaded file now (Django's
    `TemporaryUploadedFile` deletes it when closed), not at the end of the request."""
    if hasattr(file, "temporary_file_path"):
        with contextlib.suppress(OSError):
            file.close()


def relative(path: Path) -> str:
    return str(Path(path).relative_to(Path(settings.DATA_DIR)))
