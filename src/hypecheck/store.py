"""The local store: one DuckDB file holding every fetched value with its source, fetch time and
vintage, the fetch log, and small bits of state (``hypecheck watch`` keeps its trigger states here).

* **Idempotent upserts** keyed by (kind, id, date, vintage): fetching the same data twice changes
  nothing; a revised value for the same vintage replaces the old one.
* **Vintages**: a value's vintage is the date it became known: the provider's own (FRED/ALFRED
  ``realtime_start``, every column of an ALFRED all-vintages file: :attr:`SeriesData.vintages`) or
  else the fetch date. ``read(..., known_at=D)`` and ``catalog(known_at=D)`` return, per date, the
  latest vintage on or before ``D`` (what was known then); the default reads the latest vintage. A
  series whose every vintage is the day it was fetched or imported carries no publication dates (its
  vintages only say when hypecheck saw each value first), so a date none of its vintages reaches
  takes the first value seen, and the panel holds it back by its publication lag
  (:mod:`hypecheck.release`). A series with publication dates comes out of :meth:`Store.catalog` with
  its vintages, and the panel cuts it by them at every as-of date (a calibration's past dates too).
* **Reads only what is asked**: ``catalog(ids=...)`` reads the series a check names (and the names
  close to them, for did-you-mean), not the whole store.
* **Transactions**: each series is written in one transaction (values, metadata and its log line), so
  a process killed mid-fetch leaves every earlier series complete and the interrupted one absent;
  DuckDB's write-ahead log makes commits durable. Rerunning the fetch completes the rest.
* **Concurrency**: DuckDB lets one process write at a time. The store opens its connection only for
  the duration of a read or of one series' transaction and retries briefly while another process
  holds the lock, so readers (``check``, ``serve``) and one writer (``fetch``) interleave.

* **Safety**: the store carries its schema version (``store_meta``). A file that is not a DuckDB
  database (a SQLite file, text, an empty file), a truncated or checksum-corrupted store, a store from a
  newer schema version, another program's DuckDB database or a ``.wal`` beside the store that is not a
  DuckDB write-ahead log is refused with a :class:`StoreError` (exit 5) saying what to do; hypecheck
  never deletes or rewrites such a file. DuckDB's extension autoloading and autoinstalling are off, so
  opening a foreign file never downloads anything. A store without write permission (by its permission
  bits, honoured even for root) is read-only: reads work, writes say so instead of failing obscurely.

Default path: ``$HYPECHECK_STORE``, else ``$XDG_DATA_HOME/hypecheck/store.duckdb`` (usually
``~/.local/share/hypecheck/store.duckdb``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from .errors import EXIT_PROVIDER, HypecheckError, InputError, MissingDependencyError
from .schema import Catalog, SeriesData, SeriesMeta, normalise_name

_FREQ_ORDER = {"D": 0, "W": 1, "M": 2, "Q": 3, "A": 4, "irregular": 5}

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS observations (
        kind VARCHAR NOT NULL, id VARCHAR NOT NULL, frequency VARCHAR NOT NULL, date DATE NOT NULL,
        vintage DATE NOT NULL, value DOUBLE NOT NULL, source VARCHAR NOT NULL, fetched_at TIMESTAMP NOT NULL,
        PRIMARY KEY (kind, id, frequency, date, vintage))""",
    """CREATE TABLE IF NOT EXISTS series (
        kind VARCHAR NOT NULL, id VARCHAR NOT NULL, frequency VARCHAR NOT NULL, source VARCHAR,
        origin VARCHAR, description VARCHAR, units VARCHAR, notes VARCHAR, updated_at TIMESTAMP,
        PRIMARY KEY (kind, id, frequency))""",
    """CREATE TABLE IF NOT EXISTS fetch_log (
        run_id VARCHAR, kind VARCHAR, id VARCHAR, provider VARCHAR, status VARCHAR, rows_in INTEGER,
        rows_stored INTEGER, rows_rejected INTEGER, reason VARCHAR, finished_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS state (
        key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS forecasts (
        id VARCHAR PRIMARY KEY, made_on TIMESTAMP NOT NULL, as_of DATE NOT NULL, data_end DATE,
        origin VARCHAR NOT NULL, theme VARCHAR, source VARCHAR, leader VARCHAR NOT NULL,
        laggard VARCHAR NOT NULL, leader_id VARCHAR NOT NULL, laggard_id VARCHAR NOT NULL,
        horizon_months INTEGER NOT NULL, label VARCHAR NOT NULL, birth DATE, move DOUBLE,
        since_birth DOUBLE, sigma DOUBLE, p_kept DOUBLE, p_model DOUBLE, base_rate DOUBLE,
        kept_half_rate DOUBLE, lo DOUBLE, hi DOUBLE, level DOUBLE)""",
]
# The version of the tables above, kept in ``store_meta`` (key ``schema_version``). Bump it when they
# change; a store with a higher version is refused (written by a newer hypecheck), one without the row
# (made before versions were kept) is version 1 and gets the row on its next write.
SCHEMA_VERSION = (
    2  # 2: the forecasts table (the forward record); a version-1 store gains it on its next write
)
OUR_TABLES = frozenset({"observations", "series", "fetch_log", "state", "store_meta", "forecasts"})
# DuckDB must never install or load an extension because of what a file looks like: opening a SQLite
# file would otherwise download sqlite_scanner over plain HTTP and create ~/.duckdb.
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
# A DuckDB write-ahead log starts with its version entry: field 100 (wal_type) = 98 (WAL_VERSION), then
# field 101 (the version). Anything else beside the store is not a log DuckDB wrote.
WAL_PREFIX = b"\x64\x00\x62\x65\x00"
FOREIGN_FILES = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"ARROW1", "an Arrow file"),
    (b"PK\x03\x04", "a zip archive (or an Excel workbook)"),
    (b"\x1f\x8b", "a gzip file"),
)
_DAMAGE_WORDS = (
    "corrupt",
    "checksum",
    "could not read enough bytes",
    "not a valid duckdb",
    "internal error",
    "fatal error",
    "invalidated",
    "invalid block",
)


# the incoming rows that add knowledge: a new (date, vintage) whose value differs from the one known
# just before it, or a stored (date, vintage) whose value changed
_FRESH = """CREATE OR REPLACE TEMP TABLE fresh AS
   WITH stored AS (
       SELECT date, vintage, value FROM observations
       WHERE kind = ? AND id = ? AND frequency = ?),
   known AS (
       SELECT date, vintage, value, false AS new FROM stored s WHERE NOT EXISTS (
           SELECT 1 FROM incoming i WHERE i.date = s.date AND i.vintage = s.vintage)
       UNION ALL SELECT date, vintage, value, true AS new FROM incoming),
   ordered AS (
       SELECT date, vintage, new,
              lag(value) OVER (PARTITION BY date ORDER BY vintage) AS prev
       FROM known)
   SELECT i.* FROM incoming i
   JOIN ordered o ON o.new AND o.date = i.date AND o.vintage = i.vintage
   LEFT JOIN stored s ON s.date = i.date AND s.vintage = i.vintage
   WHERE CASE WHEN s.value IS NULL THEN o.prev IS NULL OR o.prev <> i.value
              ELSE s.value <> i.value END"""

_UPSERT_FRESH = """INSERT INTO observations
   SELECT kind, id, frequency, date, vintage, value, source, fetched_at
   FROM fresh ON CONFLICT (kind, id, frequency, date, vintage) DO UPDATE SET
   value = excluded.value, source = excluded.source, fetched_at = excluded.fetched_at"""

_UPSERT_SERIES = """INSERT INTO series VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (kind, id, frequency) DO UPDATE SET
   source = excluded.source, origin = excluded.origin, description = excluded.description,
   units = excluded.units, notes = excluded.notes, updated_at = excluded.updated_at"""


def _upsert_values(con: Any, frame: pd.DataFrame, meta: SeriesMeta) -> int:
    """Store the rows of ``frame`` that add knowledge (inside the caller's transaction); their count."""
    con.register("incoming", frame)
    con.execute(_FRESH, [meta.kind, meta.id, meta.frequency])
    changed = int(con.execute("SELECT count(*) FROM fresh").fetchall()[0][0])
    con.execute(_UPSERT_FRESH)
    con.execute("DROP TABLE fresh")
    con.unregister("incoming")
    return changed


def _series_row(meta: SeriesMeta) -> list[Any]:
    """The ``series`` table's row of ``meta`` (without ``updated_at``)."""
    return [
        meta.kind,
        meta.id,
        meta.frequency,
        meta.source,
        meta.origin,
        meta.description,
        meta.units,
        json.dumps(list(meta.notes)),
    ]


class StoreError(HypecheckError):
    """The store file cannot be opened, is damaged, foreign, from a newer version, busy or read-only."""

    exit_code = EXIT_PROVIDER


def _rebuild_hint(path: Path) -> str:
    return (
        f"hypecheck left it unchanged: move it aside (mv '{path}' '{path}.damaged') and rebuild the store "
        "with `hypecheck fetch THEME` or `hypecheck import PATH`"
    )


def _is_lock(message: str) -> bool:
    """DuckDB's "Could not set lock on file ... Conflicting lock is held" (not "block")."""
    return re.search(r"\block\b", message, re.IGNORECASE) is not None


def _may_write(path: Path) -> bool:
    """Write permission by the access check *and* the permission bits (root passes the access check for
    any file; a store someone made read-only with chmod stays read-only for root too)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def default_path() -> Path:
    env = os.environ.get("HYPECHECK_STORE")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "hypecheck" / "store.duckdb"


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError("the store needs duckdb", hint="pip install duckdb") from exc
    return duckdb


@dataclass
class WriteResult:
    kind: str
    id: str
    rows_in: int
    rows_stored: int  # new or changed (kind, id, date, vintage) rows
    rows_rejected: int


def _rows(
    data: SeriesData, vintage: pd.Series | dt.date | None, today: pd.Timestamp
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, np.ndarray]:
    """(dates, vintages, values) of the rows ``data`` brings (see :meth:`Store.write`)."""
    if vintage is None and data.vintages is not None:
        v = data.vintages
        cells = v.to_numpy(dtype="float64")
        ii, jj = np.nonzero(~np.isnan(cells))
        return pd.DatetimeIndex(v.index[ii]), pd.DatetimeIndex(v.columns[jj]), cells[ii, jj]
    s = data.values.dropna()
    if isinstance(vintage, pd.Series):
        vint = pd.to_datetime(vintage.reindex(s.index)).fillna(today)
    else:
        vint = pd.Series(pd.Timestamp(vintage) if vintage is not None else today, index=s.index)
    return pd.DatetimeIndex(s.index), pd.DatetimeIndex(vint), s.to_numpy(dtype="float64")


def _keys(kind: str, id: str, origin: str) -> set[str]:
    """The normalised names a stored series answers to, as :meth:`Catalog.matches` finds them: its id,
    and for a search term the name of every file it was read from."""
    out = {normalise_name(kind, id)}
    if kind == "search":
        for o in (origin or "").split(" + "):
            stem = PurePosixPath(o.replace("\\", "/")).stem
            if stem:
                out.add(normalise_name(kind, stem))
    return out


# The value of a date as known at ``known_at`` (parameter 1): the latest vintage on or before it; for a
# series without publication dates (``published`` false), the first value seen when none is that old.
_KNOWN_VALUE = """CASE WHEN w.published THEN arg_max(o.value, o.vintage) FILTER (WHERE o.vintage <= $known)
    ELSE coalesce(arg_max(o.value, o.vintage) FILTER (WHERE o.vintage <= $known), arg_min(o.value, o.vintage)) END"""


class Store:
    """A DuckDB-backed store at ``path`` (created on first write)."""

    def __init__(self, path: str | Path | None = None, *, lock_timeout: float = 30.0) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.lock_timeout = lock_timeout
        self._session: Any = None
        self._verified: tuple[int, int] | None = None  # (device, inode) of the file checked read-only

    @contextlib.contextmanager
    def writer(self) -> Iterator[Store]:
        """Hold one write connection for several writes (each still its own transaction): faster for
        bulk imports, at the cost of keeping readers waiting until the block ends."""
        with self._connect(write=True) as con:
            self._session = con
            try:
                yield self
            finally:
                self._session = None

    # ------------------------------------------------------------------ checks
    def read_only(self) -> bool:
        """True when the store exists but may not be written: the file, or the folder where DuckDB
        writes its ``.wal``, has no write permission."""
        if not self.path.is_file():
            return False
        return not (_may_write(self.path) and _may_write(self.path.parent))

    def verify(self, *, write: bool = False) -> None:
        """Run every check on an existing store without changing it: a DuckDB file, no foreign
        ``.wal`` beside it, a hypecheck store of a schema version this hypecheck reads, not truncated
        and (``write``) writable. Raises :class:`StoreError`; a missing store passes (the first write
        creates it)."""
        if not self.path.exists():
            return
        with self._connect(write=False):
            pass
        if write:
            self._preflight(write=True)

    def _preflight(self, write: bool) -> None:
        """Checks before DuckDB sees the file (so a foreign file never reaches it)."""
        p = self.path
        if p.is_dir():
            raise StoreError(
                f"the store path {p} is a folder",
                hint=f"pass --store with a file path, e.g. {p / 'store.duckdb'}",
            )
        if p.exists():
            try:
                with p.open("rb") as fh:
                    head = fh.read(64)
            except OSError as exc:
                raise StoreError(
                    f"cannot read the store {p}: {exc.strerror or exc}",
                    hint="check the file's permissions (ls -l); hypecheck left it unchanged",
                ) from None
            if not head:
                raise StoreError(
                    f"cannot open the store {p}: the file is empty (0 bytes)",
                    hint="if it held your store, it was truncated: move it aside and rebuild the store with "
                    "`hypecheck fetch THEME` or `hypecheck import PATH`; if you created it empty, delete it "
                    "(hypecheck never deletes a store)",
                )
            if head[8:12] != DUCKDB_MAGIC:
                what = next((name for magic, name in FOREIGN_FILES if head.startswith(magic)), None)
                if what is not None:
                    raise StoreError(
                        f"cannot open the store {p}: it is {what}, not a hypecheck (DuckDB) store",
                        hint="pass --store with the path of a hypecheck store, or a new path to start one; "
                        "hypecheck left this file unchanged",
                    )
                raise StoreError(
                    f"cannot open the store {p}: it is not a DuckDB database (it starts {head[:16]!r})",
                    hint="if it is another program's file, pass --store with another path; if it was your "
                    "store, it is damaged and " + _rebuild_hint(p),
                )
        wal = p.with_name(p.name + ".wal")
        if wal.exists():
            try:
                with wal.open("rb") as fh:
                    whead = fh.read(len(WAL_PREFIX))
            except OSError as exc:
                whead, why = b"?", f"it cannot be read: {exc.strerror or exc}"
            else:
                why = f"it starts {whead!r}"
            # a log being written right now may be shorter than its first entry: only a contradiction counts
            if whead != WAL_PREFIX[: len(whead)]:
                raise StoreError(
                    f"cannot open the store {p}: the file {wal} beside it is not a DuckDB write-ahead log "
                    f"({why}); DuckDB would discard it",
                    hint=f"hypecheck leaves it in place: look at it, then move it aside (mv '{wal}' "
                    f"'{wal}.bad') and rerun; if a fetch or import was interrupted, rerun it afterwards",
                )
        if write and self.read_only():
            folder = not _may_write(p.parent)
            raise StoreError(
                f"the store {p} is read-only ("
                + (
                    f"its folder {p.parent} is not writable, and DuckDB writes {wal.name} there"
                    if folder
                    else "the file has no write permission"
                )
                + ")",
                hint=f"make it writable (chmod u+w '{p.parent if folder else p}') to fetch or import into "
                "it; `hypecheck check THEME --live` checks from a read-only store without fetching",
            )

    def _check_schema(self, con: Any, write: bool) -> None:
        """Checks on an open connection: a hypecheck store, a schema version this hypecheck reads,
        not truncated; a write connection creates the tables and records the version."""
        p = self.path
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() "
                "WHERE database_name = current_database() AND schema_name = 'main'"
            ).fetchall()
        }
        if tables and not tables & {"observations", "series"}:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise StoreError(
                f"cannot use {p} as the store: it is a DuckDB database of another program (tables: {shown})",
                hint="pass --store with the path of a hypecheck store, or a new path to start one; "
                "hypecheck left this file unchanged",
            )
        version: int | None = None
        if "store_meta" in tables:
            rows = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchall()
            if rows:
                try:
                    version = int(rows[0][0])
                except (TypeError, ValueError):
                    raise StoreError(
                        f"cannot open the store {p}: its schema version {rows[0][0]!r} is not a number",
                        hint=_rebuild_hint(p),
                    ) from None
        if version is not None and version > SCHEMA_VERSION:
            from . import __version__

            raise StoreError(
                f"cannot open the store {p}: it was written by a newer hypecheck (store schema version "
                f"{version}; hypecheck {__version__} reads up to version {SCHEMA_VERSION})",
                hint="upgrade hypecheck (pip install -U hypecheck) to use it, or pass --store with another "
                "path; hypecheck left the file unchanged",
            )
        # the file must hold at least every block in use (DuckDB cuts free blocks off the end, so the
        # total can exceed the file; the used count cannot)
        size_rows = con.execute(
            "SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = current_database()"
        ).fetchall()
        if size_rows and self.path.is_file():
            block, used = (int(v or 0) for v in size_rows[0])
            size = self.path.stat().st_size
            if size < block * used:
                raise StoreError(
                    f"cannot open the store {p}: it is truncated (the file has {size:,} bytes; the "
                    f"{used} blocks in use need at least {block * used:,})",
                    hint=_rebuild_hint(p),
                )
        if write and (version is None or version < SCHEMA_VERSION or not OUR_TABLES.issubset(tables)):
            for stmt in SCHEMA:
                con.execute(stmt)
            con.execute(
                "INSERT INTO store_meta VALUES ('schema_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [str(SCHEMA_VERSION)],
            )

    def _error(self, exc: Exception, write: bool) -> StoreError:
        """A DuckDB error as a StoreError saying what to do (a healthy store is never called damaged)."""
        text = str(exc).strip()
        first = (text.splitlines() or [type(exc).__name__])[0]
        low = text.lower()
        p = self.path
        if _is_lock(text):
            return StoreError(
                f"the store {p} is busy (another hypecheck process holds it)",
                hint="wait for the running fetch to finish and retry",
            )
        if "permission denied" in low:
            if write:
                return StoreError(
                    f"the store {p} is read-only (permission denied)",
                    hint=f"make it and its folder writable (chmod u+w '{p}') to fetch or import into it; "
                    "`hypecheck check THEME --live` checks from a read-only store without fetching",
                )
            return StoreError(
                f"cannot read the store {p}: permission denied",
                hint="check the file's permissions (ls -l); hypecheck left it unchanged",
            )
        if "no space left" in low:
            return StoreError(
                f"the store {p}: the disk is full ({first})",
                hint="free some space and rerun; series written before are kept",
            )
        if "version number" in low or ("version" in low and "newer" in low):
            return StoreError(
                f"cannot open the store {p}: it was written by a newer DuckDB ({first})",
                hint="upgrade hypecheck and duckdb (pip install -U hypecheck duckdb), or pass --store with "
                "another path; hypecheck left the file unchanged",
            )
        if any(w in low for w in _DAMAGE_WORDS):
            return StoreError(f"cannot open the store {p}: it is damaged ({first})", hint=_rebuild_hint(p))
        return StoreError(
            f"the store {p} failed: {first}",
            hint="check the path, its permissions and the free disk space, then rerun; hypecheck did not "
            "change the file",
        )

    @contextlib.contextmanager
    def _translate(self, write: bool) -> Iterator[None]:
        duckdb = _duckdb()
        try:
            yield
        except duckdb.Error as exc:
            raise self._error(exc, write) from exc

    # ------------------------------------------------------------------ connections
    @contextlib.contextmanager
    def _connect(self, write: bool) -> Iterator[Any]:
        if self._session is not None:
            with self._translate(write):
                yield self._session
            return
        duckdb = _duckdb()
        if write:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot create the store at {self.path}: {exc.strerror or exc}",
                    hint="pass a --store path inside a writable folder",
                ) from exc
        elif not self.path.exists():
            raise InputError(
                f"no store at {self.path}", hint="run `hypecheck fetch THEME` first, or pass --store PATH"
            )
        self._preflight(write)
        if write and self.path.is_file() and self._verified != self._ident():
            # every check on a read-only handle first: a damaged, foreign or newer store is refused
            # before DuckDB holds it for writing (which may replay and checkpoint)
            with self._connect(write=False):
                pass
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=not write, config=dict(DUCKDB_CONFIG))
                break
            except duckdb.Error as exc:
                if _is_lock(str(exc)) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    continue
                raise self._error(exc, write) from exc
        try:
            with self._translate(write):
                self._check_schema(con, write)
                self._verified = self._ident()
                yield con
        finally:
            con.close()

    def _ident(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    # ------------------------------------------------------------------ writes
    def write(
        self,
        data: SeriesData,
        *,
        vintage: pd.Series | dt.date | None = None,
        fetched_at: dt.datetime | None = None,
        rows_in: int | None = None,
        rows_rejected: int = 0,
        provider: str = "",
        run_id: str = "",
    ) -> WriteResult:
        """Upsert one series in one transaction: values (with their vintages), metadata and a log line.

        ``vintage``: a Series aligned to ``data.values`` (per-value vintages, e.g. FRED's
        ``realtime_start``), one date for all values, or None: ``data.vintages`` when the series has
        them (every vintage its own rows), else the fetch date.

        Only what adds knowledge becomes a row: a value equal to the one the store already knew for
        its date at that vintage (an unchanged value fetched again, a vintage repeating the one before)
        is not stored again; a different value for a stored (date, vintage) replaces it."""
        now = fetched_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        dates, vints, vals = _rows(data, vintage, pd.Timestamp(now.date()))
        meta = data.meta
        frame = pd.DataFrame(
            {
                "kind": meta.kind,
                "id": meta.id,
                "frequency": meta.frequency,
                "date": dates.date,
                "vintage": vints.date,
                "value": vals,
                "source": meta.source,
                "fetched_at": now,
            }
        )
        n_in = len(frame) + rows_rejected if rows_in is None else rows_in
        with self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                changed = _upsert_values(con, frame, meta) if len(frame) else 0
                con.execute(_UPSERT_SERIES, [*_series_row(meta), now])
                con.execute(
                    "INSERT INTO fetch_log VALUES (?, ?, ?, ?, 'stored', ?, ?, ?, '', ?)",
                    [run_id, meta.kind, meta.id, provider or meta.source, n_in, changed, rows_rejected, now],
                )
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(Exception):
                    con.execute("ROLLBACK")
                raise
        return WriteResult(meta.kind, meta.id, len(frame) + rows_rejected, changed, rows_rejected)

    def log_failure(self, kind: str, id: str, provider: str, reason: str, run_id: str = "") -> None:
        with self._connect(write=True) as con:
            con.execute(
                "INSERT INTO fetch_log VALUES (?, ?, ?, ?, 'failed', 0, 0, 0, ?, ?)",
                [run_id, kind, id, provider, reason, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )

    def set_state(self, key: str, value: Any) -> None:
        with self._connect(write=True) as con:
            con.execute(
                "INSERT INTO state VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                [key, json.dumps(value), dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            )

    def add_forecasts(self, rows: list[dict[str, Any]]) -> int:
        """Record forecasts (the forward record): one row each, keyed by ``id``; a row already
        recorded is kept as it was (a forecast is never rewritten). Returns the rows added."""
        if not rows:
            return 0
        cols = [
            "id", "made_on", "as_of", "data_end", "origin", "theme", "source", "leader", "laggard",
            "leader_id", "laggard_id", "horizon_months", "label", "birth", "move", "since_birth", "sigma",
            "p_kept", "p_model", "base_rate", "kept_half_rate", "lo", "hi", "level",
        ]  # fmt: skip
        with self._connect(write=True) as con:
            before = con.execute("SELECT count(*) FROM forecasts").fetchone()[0]
            con.executemany(
                f"INSERT INTO forecasts ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                "ON CONFLICT (id) DO NOTHING",
                [[r.get(c) for c in cols] for r in rows],
            )
            after = con.execute("SELECT count(*) FROM forecasts").fetchone()[0]
        return int(after - before)

    def forecasts(self) -> pd.DataFrame:
        """Every recorded forecast (empty without a store or before the first one)."""
        if not self.exists():
            return pd.DataFrame()
        with self._connect(write=False) as con:
            has = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'forecasts' AND schema_name = 'main'"
            ).fetchone()[0]
            if not has:
                return pd.DataFrame()
            return con.execute("SELECT * FROM forecasts ORDER BY made_on, id").df()

    # ------------------------------------------------------------------ reads
    def exists(self) -> bool:
        return self.path.exists()

    def get_state(self, key: str, default: Any = None) -> Any:
        if not self.exists():
            return default
        with self._connect(write=False) as con:
            rows = con.execute("SELECT value FROM state WHERE key = ?", [key]).fetchall()
            row = rows[0] if rows else None
        return default if row is None else json.loads(row[0])

    def series_ids(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        """(kind, id, frequency) of every stored series."""
        if not self.exists():
            return []
        with self._connect(write=False) as con:
            q = "SELECT kind, id, frequency FROM series" + (" WHERE kind = ?" if kind else "")
            rows = con.execute(q + " ORDER BY kind, id, frequency", [kind] if kind else []).fetchall()
        return [(k, i, f) for k, i, f in rows]

    def read(
        self, kind: str, id: str, *, known_at: dt.date | str | None = None, frequency: str | None = None
    ) -> pd.Series:
        """Values of one series: per date the latest vintage (on or before ``known_at`` if given; a
        series without publication dates: see the module docstring). With several frequencies stored
        under one id (e.g. daily and monthly Trends), the finest unless ``frequency`` says which."""
        if not self.exists():
            raise InputError(
                f"no store at {self.path}", hint="run `hypecheck fetch THEME` first, or pass --store PATH"
            )
        freqs = [f for k, i, f in self.series_ids(kind) if i == id]
        if not freqs:
            return pd.Series(dtype="float64", name=id)
        freq = frequency or sorted(freqs, key=lambda f: _FREQ_ORDER.get(f, 9))[0]
        with self._connect(write=False) as con:
            want = self._want(con, [(kind, id, freq)])
            df = self._known_values(con, want, known_at)
        if df.empty:
            return pd.Series(dtype="float64", name=id)
        return pd.Series(df["value"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(df["date"]), name=id)

    @staticmethod
    def _want(con: Any, keys: list[tuple[str, str, str]]) -> pd.DataFrame:
        """``keys`` (kind, id, frequency) with ``published`` (the series' vintages are publication
        dates: one of them is not the day it was fetched) and its last fetch time."""
        want = pd.DataFrame(keys, columns=["kind", "id", "frequency"])
        con.register("want_keys", want)
        try:
            return con.execute(
                """SELECT w.kind, w.id, w.frequency,
                          coalesce(bool_or(o.vintage <> CAST(o.fetched_at AS DATE)), false) AS published,
                          max(o.fetched_at) AS fetched
                   FROM want_keys w LEFT JOIN observations o
                     ON o.kind = w.kind AND o.id = w.id AND o.frequency = w.frequency
                   GROUP BY ALL"""
            ).df()
        finally:
            con.unregister("want_keys")

    @staticmethod
    def _known_values(con: Any, want: pd.DataFrame, known_at: dt.date | str | None) -> pd.DataFrame:
        """kind, id, frequency, date, value: per date of each series in ``want`` the value known at
        ``known_at`` (the latest when None)."""
        known = pd.Timestamp(known_at).date() if known_at is not None else dt.date.max
        con.register("want", want)
        try:
            return con.execute(
                f"""SELECT o.kind, o.id, o.frequency, o.date, {_KNOWN_VALUE} AS value
                    FROM observations o JOIN want w ON o.kind = w.kind AND o.id = w.id AND o.frequency = w.frequency
                    GROUP BY o.kind, o.id, o.frequency, o.date, w.published
                    HAVING value IS NOT NULL ORDER BY o.kind, o.id, o.frequency, o.date""",
                {"known": known},
            ).df()
        finally:
            con.unregister("want")

    @staticmethod
    def _vintage_rows(con: Any, want: pd.DataFrame, known_at: dt.date | str | None) -> pd.DataFrame:
        """kind, id, frequency, date, vintage, value: every stored row of the series in ``want`` with a
        vintage on or before ``known_at`` (all when None)."""
        known = pd.Timestamp(known_at).date() if known_at is not None else dt.date.max
        con.register("want", want)
        try:
            return con.execute(
                """SELECT o.kind, o.id, o.frequency, o.date, o.vintage, o.value
                   FROM observations o JOIN want w ON o.kind = w.kind AND o.id = w.id AND o.frequency = w.frequency
                   WHERE o.vintage <= $known ORDER BY o.kind, o.id, o.frequency, o.date, o.vintage""",
                {"known": known},
            ).df()
        finally:
            con.unregister("want")

    def info(self, kind: str, id: str, frequency: str | None = None) -> dict[str, Any] | None:
        """Metadata and coverage of a stored series (the finest frequency unless given)."""
        if not self.exists():
            return None
        with self._connect(write=False) as con:
            rows = con.execute(
                """SELECT s.frequency, s.source, s.origin, s.description, s.units, s.notes, s.updated_at,
                          min(o.date), max(o.date), count(DISTINCT o.date), max(o.fetched_at)
                   FROM series s LEFT JOIN observations o
                     ON o.kind = s.kind AND o.id = s.id AND o.frequency = s.frequency
                   WHERE s.kind = ? AND s.id = ? GROUP BY ALL""",
                [kind, id],
            ).fetchall()
        if frequency is not None:
            rows = [r for r in rows if r[0] == frequency]
        if not rows:
            return None
        row = sorted(rows, key=lambda r: _FREQ_ORDER.get(r[0], 9))[0]
        keys = ["frequency", "source", "origin", "description", "units", "notes", "updated_at"]
        out = dict(zip(keys, row[:7], strict=True))
        out["notes"] = tuple(json.loads(out["notes"] or "[]"))
        out.update(first=row[7], last=row[8], n=row[9], fetched_at=row[10])
        return out

    def last_fetched(self, kind: str, id: str, provider: str) -> dt.datetime | None:
        """When ``provider`` last stored ``(kind, id)`` (its fetch log), None if it never did. An
        import or another provider's values do not count: values imported from files are not what
        the live provider would answer now."""
        if not self.exists():
            return None
        with self._connect(write=False) as con:
            row = con.execute(
                """SELECT max(finished_at) FROM fetch_log
                   WHERE kind = ? AND id = ? AND provider = ? AND status = 'stored'""",
                [kind, id, provider],
            ).fetchall()
        return row[0][0] if row else None

    def fetch_log(self, limit: int = 100) -> pd.DataFrame:
        if not self.exists():
            return pd.DataFrame()
        with self._connect(write=False) as con:
            return con.execute("SELECT * FROM fetch_log ORDER BY finished_at DESC LIMIT ?", [limit]).df()

    def catalog(
        self,
        *,
        known_at: dt.date | str | None = None,
        ids: Iterable[tuple[str, str]] | None = None,
    ) -> Catalog:
        """The stored series as a :class:`Catalog` (what ``check --live`` reads), as known at
        ``known_at`` (default: the latest vintages).

        ``ids``: (kind, name) pairs, e.g. :func:`hypecheck.panel.requested`: only the series those
        names find (as :meth:`Catalog.resolve` would: any case, search terms by file name too) and the
        names close to them (so a missing name still gets its did-you-mean) are read, in one query.
        None: every series is listed from the ``series`` table and each is read when a check first asks
        for it (the dashboard). A series with publication dates carries its vintages (on or before
        ``known_at``), so the panel cuts it by vintage at any as-of date."""
        cat = Catalog("store")
        if not self.exists():
            return cat
        with self._connect(write=False) as con:
            meta_rows = con.execute(
                "SELECT kind, id, frequency, source, origin, description, units, notes FROM series "
                "ORDER BY kind, id, frequency"
            ).fetchall()
            if ids is None and hasattr(cat, "add_pending"):
                from .schema import Pending

                for row in meta_rows:
                    cat.add_pending(
                        Pending(
                            row[0],
                            row[1],
                            row[2],
                            row[4] or "",
                            partial(self._read_rows, [row], known_at, keep_empty=True),
                        )
                    )
                return cat
            if ids is not None:
                meta_rows = _select(meta_rows, ids)
            series = self._read_rows(meta_rows, known_at, con)
        for s in series:
            cat.add(s)
        return cat

    def _read_rows(
        self,
        meta_rows: list[tuple[Any, ...]],
        known_at: dt.date | str | None,
        con: Any = None,
        *,
        keep_empty: bool = False,
    ) -> list[SeriesData]:
        """The series of ``meta_rows`` (rows of the ``series`` table) as known at ``known_at``; a
        series with no value known then is left out (``keep_empty``: kept with no values, for a
        catalog that listed it before reading it)."""
        if not meta_rows:
            return []
        if con is None:
            with self._connect(write=False) as own:
                return self._read_rows(meta_rows, known_at, own, keep_empty=keep_empty)
        want = self._want(con, [(r[0], r[1], r[2]) for r in meta_rows])
        flat = self._known_values(con, want.loc[~want["published"]], known_at)
        deep = self._vintage_rows(con, want.loc[want["published"]], known_at)
        info = {(r.kind, r.id, r.frequency): r for r in want.itertuples(index=False)}
        groups = {key: g for key, g in flat.groupby(["kind", "id", "frequency"], sort=False)}
        groups.update({key: g for key, g in deep.groupby(["kind", "id", "frequency"], sort=False)})
        out: list[SeriesData] = []
        for kind, id, freq, source, origin, desc, units, notes in meta_rows:
            g = groups.get((kind, id, freq))
            if (g is None or g.empty) and not keep_empty:
                continue
            if g is None:
                g = pd.DataFrame({"date": pd.DatetimeIndex([]), "vintage": [], "value": []})
            fetched: Any = info[(kind, id, freq)].fetched
            extra = (
                f"stored; last fetched {pd.Timestamp(fetched):%Y-%m-%d %H:%M} UTC"
                if pd.notna(fetched)
                else "stored"
            )
            meta = SeriesMeta(
                id=id,
                kind=kind,
                source=f"store:{source}",
                origin=f"{self.path} ({origin})",
                description=desc or "",
                frequency=freq or "irregular",
                units=units or "",
                notes=(*tuple(json.loads(notes or "[]")), extra),
            )
            if bool(info[(kind, id, freq)].published):
                frame = g.pivot(index="date", columns="vintage", values="value")
                frame.index = pd.DatetimeIndex(frame.index)
                frame.columns = pd.DatetimeIndex(frame.columns)
                # a vintage holds every observation published before it: the store keeps only changes
                frame = frame.sort_index().sort_index(axis=1).ffill(axis=1)
                frame.columns.name = frame.index.name = None
                out.append(SeriesData.from_vintages(meta, frame))
            else:
                values = pd.Series(
                    g["value"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(g["date"]), name=id
                )
                out.append(SeriesData(meta, values))
        return out

    def counts(self) -> dict[str, int]:
        if not self.exists():
            return {"series": 0, "observations": 0}
        with self._connect(write=False) as con:
            n_s = con.execute("SELECT count(*) FROM series").fetchall()[0][0]
            n_o = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
        return {"series": int(n_s), "observations": int(n_o)}


def _select(rows: list[tuple[Any, ...]], ids: Iterable[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """The rows of the ``series`` table the (kind, name) pairs find, and the rows of names close to a
    name (difflib, as :meth:`Catalog.suggest`), so a name that finds nothing still has its did-you-mean."""
    asked: dict[str, set[str]] = {}
    for kind, name in ids:
        asked.setdefault(kind, set()).add(normalise_name(kind, name))
    keep: list[tuple[Any, ...]] = []
    for kind, names in asked.items():
        of_kind = [r for r in rows if r[0] == kind]
        keys = [_keys(kind, r[1], r[4]) for r in of_kind]
        every = sorted(set().union(*keys)) if keys else []
        close = {c for n in names for c in difflib.get_close_matches(n, every, n=3, cutoff=0.6)}
        keep.extend(r for r, k in zip(of_kind, keys, strict=True) if k & (names | close))
    return keep
