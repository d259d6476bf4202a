"""Where exchange data lives on disk, and the limits that bound its processing.

DATA_DIR/exchange/<source>/<sha256>.parquet  the normalised rows of one loaded upload
DATA_DIR/exchange/errors/<upload id>.csv     every row error of one upload (row, column, reason)
DATA_DIR/exchange/snapshots/                 register snapshots for the comparison (blind index only)
DATA_DIR/exchange/tmp/                       staging and DuckDB spill space

Limits come from Django settings when set (tests), else from the environment:
SAFETYNET_EXCHANGE_MAX_BYTES (default 2 GiB), SAFETYNET_DUCKDB_MEMORY (default 1GB),
SAFETYNET_EXCHANGE_CHUNK_ROWS (default 50,000).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def root() -> Path:
    path = Path(settings.DATA_DIR) / "exchange"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sub(name: str) -> Path:
    path = root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


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


def relative(path: Path) -> str:
    return str(Path(path).relative_to(Path(settings.DATA_DIR)))
