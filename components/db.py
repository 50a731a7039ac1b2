"""Read-only access to the DuckDB file for the dashboard.

One connection per database *file version* (st.cache_resource), a cursor per query (DuckDB cursors are
independent connections to the same database, safe to use from Streamlit's script threads), and query
results cached (st.cache_data) on query name + bound parameters + file version. `gongkai ingest` swaps a new
file in with os.replace, which changes the inode and mtime: the next rerun opens the new file and misses the
old cache entries, so a re-ingest shows up on refresh without restarting the server.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from gongkai import store

APP_ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "GONGKAI_DB"


def db_path() -> Path:
    """GONGKAI_DB, else data/gongkai.duckdb next to app.py (not the working directory: `streamlit run`
    may be started from anywhere)."""
    configured = os.environ.get(DB_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return APP_ROOT / store.DEFAULT_DB


def db_version(path: Path | None = None) -> tuple[int, int] | None:
    return store.database_version(path or db_path())


class _Connection:
    """The one read-only connection of this server process, reopened when the file version changes.

    DuckDB keeps one database instance per open path in a process: connecting again to a path that is still
    open returns the *old* instance, even after the file was replaced. So the old connection is closed before
    the new file is opened (queries use short-lived cursors, so nothing long-running holds the old one)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[str, tuple[int, int]] | None = None
        self.con = None

    def cursor(self, path: str, version: tuple[int, int]):
        import duckdb  # noqa: PLC0415 — imported here so a page that never queries does not pay for it

        with self.lock:
            if self.key != (path, version):
                if self.con is not None:
                    self.con.close()
                self.con = duckdb.connect(path, read_only=True)
                self.key = (path, version)
            return self.con.cursor()


@st.cache_resource(show_spinner=False)
def _connection() -> _Connection:
    return _Connection()


def _hashable(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached_query(name: str, params: tuple, path: str, version: tuple[int, int]) -> pd.DataFrame:
    cursor = _connection().cursor(path, version)
    try:
        bound = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params}
        return store.run_query(cursor, name, bound)
    finally:
        cursor.close()


def query(name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters (never formatted into the SQL); cached per file version."""
    path = db_path()
    version = db_version(path)
    if version is None:
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    return _cached_query(name, _hashable(params or {}), str(path), version)


def report_count() -> int | None:
    """Reports in the database; None when the file is missing or is not a gongkai database."""
    try:
        return int(query("app_database_summary").loc[0, "reports"])
    except FileNotFoundError:
        return None
    except Exception:  # a file that is not a gongkai database: no reports table
        return None


def schema_version() -> str | None:
    """The schema version the file records (meta.schema_version); None when it records none."""
    path = db_path()
    version = db_version(path)
    if version is None:
        return None
    cursor = _connection().cursor(str(path), version)
    try:
        row = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except Exception:  # no meta table: not a gongkai database (report_count says so)
        return None
    finally:
        cursor.close()
    return row[0] if row else None


_DEMO_LOCK = threading.Lock()


def demo_builder_available() -> bool:
    import importlib.util  # noqa: PLC0415

    try:
        return importlib.util.find_spec("gongkai.demo.build") is not None
    except ImportError:
        return False


def build_demo_if_missing(progress) -> str | None:
    """First run: generate and ingest the demo corpus into the missing database file, once per server
    process (a second session arriving meanwhile waits, then finds the file). Returns the closing summary,
    or None when another session built it."""
    with _DEMO_LOCK:
        path = db_path()
        if path.exists():
            return None
        from gongkai.demo.build import build_demo  # noqa: PLC0415 — only the first start needs it

        result = build_demo(path, progress=progress, out=APP_ROOT / "data" / "demo")
        return "\n".join(result.lines())
