"""The ``files`` source: a folder or files the user already has, the format of each detected (see
:mod:`hypecheck.data.formats`), and a folder read only as far as a check needs it.

Public API
----------
``FilesSource(path, max_bytes=..., today=None).load(catalog=None)``
    ``path`` is a file, a folder (walked recursively, in sorted order) or a list of both. Every file
    found in a folder ends up in ``catalog.report``: loaded (with the rows rejected and the repairs
    made) or skipped with the reason and what to do. A bad file inside a folder is skipped, never
    aborts the folder, and never half-loads: a file contributes all its series or none. A bad file
    named explicitly raises :class:`~hypecheck.errors.FormatError`. Nothing is added to the catalog
    unless every explicitly named file reads. Symbolic links to folders are followed, each real folder
    read once (a link that loops back, or leads to a folder read anyway, is reported, not walked);
    pipes, sockets and devices are never opened (skipped in a folder, an InputError when named).
``read_file(path) -> list[SeriesData]``
    One file; FormatError (naming the file and what to do) when it cannot be read.
``load_file(path, root=None) -> (list[SeriesData], LoadEntry)``
    The same, with the file's :class:`~hypecheck.schema.LoadEntry` (what was rejected or repaired).
``detect_format(path) -> str``
    The format name ``read_file`` uses; FormatError for files that are not a supported format.

Reading only what is needed: the folder index
---------------------------------------------
A folder is indexed: per file its name, format, the LoadEntry of reading it (status, reason, rows,
rows rejected) and per series its kind, id, frequency, first and last date and rows. The index is
built by reading every file once and kept on disk (``$HYPECHECK_CACHE/folders``, else
``$XDG_CACHE_HOME/hypecheck/folders`` or ``~/.cache/hypecheck/folders``; ``HYPECHECK_CACHE=off``
disables it), one JSON file per folder, each file's record keyed by its size, modification time
(nanoseconds) and a SHA-256 digest of its bytes: a changed or added file is read again, a removed one
dropped, the others not parsed. The digest catches an edit that keeps the size and the modification
time (``cp -p``, ``rsync -t``, filesystems with coarse timestamps). It is computed again only when a
file's stamp (status-change time, inode, device, size, mtime; see :meth:`_File.trusts`) changed or was
taken within 2 s of the file's last change: every write sets the status-change time, which no user
tool can set back. On ``../shared/data`` (866 files, 31 MB, page cache warm) a warm load of the index
takes 0.023 s with stamps trusted and 0.046 s hashing every file (medians of 9, 2026-12-06).
A change of the reading code (the modules of :mod:`hypecheck.data.formats`, this module, the schema)
discards the whole index. A record made on another day stays valid when the day cannot change it:
no row of the file was dated after either day, and the file was written before both.

The catalog a folder gives is lazy: ``ids``, ``has``, ``resolve``, ``suggest``, ``what_is_close``
and ``len`` answer from the index; a series is read when ``get``/``all`` (or iteration) asks for it,
together with the other files that hold it, and merged by the catalog's rules (ranked by where their
data start; later inputs only fill gaps; conflicts reported). The load report lists every file as if
all were read (the index holds what reading each gave), and every merge of the folder: a merge the
index holds for inputs that have not changed is reported from it, any other is computed by reading
its inputs when the folder is loaded. A file that changes between indexing and reading is read as it
is then (a FormatError naming it if it no longer holds the series).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import FormatError, InputError, MissingDependencyError, NoDataError
from ..schema import Catalog, LoadEntry, Pending, SeriesData, SeriesMeta
from .formats import DEFAULT_MAX_BYTES, detect, read_one
from .formats.base import _in_trends, _make_ctx, _Problem
from .formats.text import Probe
from .registry import register_source

__all__ = ["DEFAULT_MAX_BYTES", "FilesSource", "cache_dir", "detect_format", "load_file", "read_file"]

_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # errors Path.is_file reads as "no"
INDEX_VERSION = 4  # 2: each record keyed by its content digest too; 3: SHA-256 digests; 4: stamps
DIGEST_CHUNK = 1 << 20
STAMP_MARGIN_NS = 2_000_000_000  # a stamp is trusted when the file's last change is this much older


def file_stamp(st: os.stat_result) -> list[int]:
    """What the system changes whenever a file's bytes change: its status-change time (``st_ctime``:
    set by the kernel on every write, rename or ``utime``, and unlike the modification time not
    settable by ``touch``, ``cp -p`` or ``rsync -t``), inode, device, size and modification time."""
    return [st.st_ctime_ns, st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns]


def file_digest(path: Path) -> str:
    """A digest of the file's bytes (SHA-256, its first 128 bits in hex), read in 1 MB chunks: what keys
    a file's record beside its size and modification time (an edit that keeps both is still seen).
    SHA-256 rather than BLAKE2b: every run hashes the whole folder, and OpenSSL's SHA-256 runs on the
    CPU's SHA instructions (x86 SHA-NI, ARMv8), about twice BLAKE2b's speed there (18 vs 34 ms for
    32 MB on the project's machine)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)  # unbuffered: no file object per file (a folder has hundreds)
    try:
        while chunk := os.read(fd, DIGEST_CHUNK):
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()[:32]


# ------------------------------------------------------------------------------------ one file


def _origin(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def load_file(
    path: str | Path,
    *,
    root: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: pd.Timestamp | str | None = None,
) -> tuple[list[SeriesData], LoadEntry]:
    """Read one file: its series (all of them, or FormatError) and its LoadEntry.

    ``root`` makes the origin relative (as when loading a folder); ``today`` (default: the real
    date) is the cut-off for future-dated rows."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise InputError(
                f"{path}: not a regular file (a folder, device, pipe or socket)",
                hint="pass the path of a CSV or Parquet file",
            )
        raise InputError(f"{path}: no such file", hint="check the path")
    origin = _origin(path, Path(root) if root is not None else None)
    try:
        return read_one(path, origin, max_bytes, pd.Timestamp(today) if today is not None else None)
    except _Problem as p:
        raise FormatError(f"{path}: {p.what}", hint=p.hint or None) from None


def read_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, today: pd.Timestamp | str | None = None
) -> list[SeriesData]:
    """Read one file into standardised series; FormatError naming the file and what to do."""
    return load_file(path, max_bytes=max_bytes, today=today)[0]


def detect_format(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The format name :func:`read_file` uses for ``path`` (see
    :data:`~hypecheck.data.formats.FORMATS`).

    Raises FormatError for files of no supported format. Values are validated only as far as the
    decision needs (``date,<NAME>`` files look at their values: FRED id or Trends term)."""
    path = Path(path)
    probe = Probe(path, _make_ctx(path, str(path), None), max_bytes)
    try:
        fmt = detect(probe)
        return fmt.name
    except _Problem as p:
        raise FormatError(f"{path}: {p.what}", hint=p.hint or None) from None


# ------------------------------------------------------------------------------------ the walk


def _walk(folder: Path) -> tuple[list[tuple[tuple[str, ...], Path]], list[tuple[Path, str]]]:
    """Files under ``folder`` (recursively, sorted by relative path; each with the parts of that path) and the folders not entered, each
    with the reason (hidden; a symbolic link that loops back or leads to a folder searched anyway).

    Symbolic links to folders are followed (a data folder assembled from links is common), each real
    folder searched once: a link to a folder already on the way down (a loop), or inside ``folder``
    (searched there), or reached twice through links is not entered again, and said so."""
    files: list[tuple[tuple[str, ...], Path]] = []
    passed: list[tuple[Path, str]] = []
    root = os.path.realpath(folder)
    seen: set[str] = {root}
    top = os.fspath(folder)
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = Path(dirpath)
        # os.walk joins names onto ``top``: the relative folder is what follows it (no pathlib per file)
        rest = dirpath[len(top) :].strip(os.sep)
        rel = tuple(rest.split(os.sep)) if rest else ()
        dirnames.sort()  # top-down in sorted order: of two links to one folder, the first is followed
        for d in list(dirnames):
            full = here / d
            if d.startswith("."):
                passed.append((full, "hidden folder: not searched"))
                dirnames.remove(d)
                continue
            real = os.path.realpath(full)
            link = full.is_symlink()
            why = ""
            if real in seen:
                why = "a folder already searched (a loop, or a second way to it)"
            elif link and (real == root or real.startswith(root.rstrip(os.sep) + os.sep)):
                why = "a folder inside the data folder (read there, once)"
            if why:
                what = "symbolic link to " if link else "the same folder as "
                passed.append((full, f"{what}{why}: not searched again"))
                dirnames.remove(d)
            else:
                seen.add(real)
        files.extend(((*rel, f), here / f) for f in filenames)
    files.sort(key=lambda item: item[0])
    passed.sort()
    return files, passed


# ------------------------------------------------------------------------------------ the index


def cache_dir() -> Path | None:
    """Where folder indexes are kept: ``$HYPECHECK_CACHE/folders`` (``off`` disables), else
    ``$XDG_CACHE_HOME/hypecheck/folders`` or ``~/.cache/hypecheck/folders`` (the convention of
    :func:`hypecheck.lab.history.cache_dir`)."""
    env = os.environ.get("HYPECHECK_CACHE")
    if env is not None:
        return None if env.strip().lower() in {"", "off", "0", "no"} else Path(env) / "folders"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hypecheck" / "folders"


def code_stamp(modules: Sequence[Path], *head: str) -> str:
    """A digest of ``head`` and each module file's name, size and modification time: it changes when
    the code that made a kept copy changes (this index, the bundled datasets' copies)."""
    parts = list(head)
    for p in modules:
        with contextlib.suppress(OSError):
            st = p.stat()
            parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Changes when the code that reads files changes (its modules' sizes and modification times)."""
    here = Path(__file__).resolve().parent
    mods = [*sorted((here / "formats").glob("*.py")), here / "folder.py", here / "shiller.py"]
    return code_stamp([*mods, here.parent / "schema.py"], f"v{INDEX_VERSION}")


@dataclass
class _File:
    """One file of a folder: where it is, what reading it gave (its LoadEntry and, per series, kind,
    id, frequency, first and last date, rows), and the series when read in this run."""

    rel: str
    path: Path
    size: int
    mtime_ns: int
    in_trends: bool
    entry: LoadEntry
    series: list[tuple[str, str, str, str | None, str | None, int]] = field(default_factory=list)
    today: str = ""
    max_bytes: int = DEFAULT_MAX_BYTES
    cacheable: bool = True  # False for skips that another run may not repeat (missing dependency, OS error)
    digest: str = ""  # file_digest of the bytes the record describes
    stamp: list[int] = field(default_factory=list)  # _stamp of the file when its digest was taken
    stamped_ns: int = 0  # wall clock before that stat (0: no stamp)
    loaded: list[SeriesData] | None = None
    from_blob: bool = False  # ``loaded`` came from (or was written to) the copy kept on disk
    restamped: bool = False  # the stamp was renewed in this run (the index is then written again)

    def to_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "digest": self.digest,
            "stamp": self.stamp,
            "stamped_ns": self.stamped_ns,
            "in_trends": self.in_trends,
            "today": self.today,
            "max_bytes": self.max_bytes,
            "entry": [e.status, e.reason, e.format, list(e.series), e.rows, e.rejected_rows],
            "series": [list(s) for s in self.series],
        }

    @classmethod
    def from_json(cls, rel: str, path: Path, d: dict[str, Any]) -> _File:
        status, reason, fmt, series, rows, rejected = d["entry"]
        entry = LoadEntry(rel, status, reason, fmt, tuple(series), int(rows), int(rejected))
        return cls(
            rel,
            path,
            int(d["size"]),
            int(d["mtime_ns"]),
            bool(d["in_trends"]),
            entry,
            [(str(k), str(i), str(f), s, e, int(n)) for k, i, f, s, e, n in d["series"]],
            str(d["today"]),
            int(d["max_bytes"]),
            digest=str(d["digest"]),
            stamp=[int(x) for x in d.get("stamp") or ()],
            stamped_ns=int(d.get("stamped_ns") or 0),
        )

    def trusts(self, st: os.stat_result) -> bool:
        """Whether the file is provably the one hashed, without hashing it again: on POSIX, its
        :func:`file_stamp` is the one recorded, and its last change came :data:`STAMP_MARGIN_NS` before
        the stat that recorded it (so a write just after that stat, in the same tick of a coarse
        clock, cannot hide behind an equal ``st_ctime``). Elsewhere (Windows' ``st_ctime`` is the
        creation time) the digest is always computed."""
        return (
            os.name == "posix"
            and self.stamped_ns > 0
            and self.stamp == file_stamp(st)
            and st.st_ctime_ns < self.stamped_ns - STAMP_MARGIN_NS
        )

    def same_bytes(self, st: os.stat_result, since_ns: int) -> bool:
        """Whether the file at ``st`` still holds the bytes this record describes: its stamp trusted,
        else the same size and modification time and the same digest (then stamped anew, the clock
        read at ``since_ns`` before the stat; :attr:`restamped` says the record changed)."""
        if self.trusts(st):
            return True
        if (self.size, self.mtime_ns) != (st.st_size, st.st_mtime_ns) or not self.digest:
            return False
        if file_digest(self.path) != self.digest:
            return False  # the same size and time, other bytes (cp -p, rsync -t, coarse timestamps)
        if st.st_ctime_ns < since_ns - STAMP_MARGIN_NS:  # old enough to be trusted from now on
            self.stamp, self.stamped_ns, self.restamped = file_stamp(st), since_ns, True
        return True

    def still_valid(
        self, st: os.stat_result, since_ns: int, in_trends: bool, today: pd.Timestamp, max_bytes: int
    ) -> bool:
        """Whether this record is what reading the file now would give (its bytes hashed only when
        its size and modification time still match and its stamp is not trusted: :meth:`same_bytes`)."""
        if self.in_trends != in_trends or not self.same_bytes(st, since_ns):
            return False
        size = st.st_size
        if self.max_bytes != max_bytes and size > min(self.max_bytes, max_bytes):
            return False
        if self.today == str(today.date()):
            return True
        # another day: valid when the day cannot matter (no row after either day, written before both)
        if "after today" in self.entry.reason:
            return False
        ends = [pd.Timestamp(e) for *_, e, _ in self.series if e]
        written = pd.Timestamp(st.st_mtime_ns, unit="ns").normalize()
        earlier = min(today, pd.Timestamp(self.today))
        return all(e <= earlier for e in ends) and written <= earlier

    def read(self, max_bytes: int, today: pd.Timestamp, blobs: Path | None = None) -> list[SeriesData]:
        """The file's series: read earlier in this run, else from its copy in ``blobs`` (the series
        as read before, kept while the file is unchanged), else read now (and copied there)."""
        if self.loaded is not None:
            if blobs is not None and not self.from_blob:
                _save_series(blobs / self.blob_name(), self.loaded)
                self.from_blob = True  # written: not again
            return self.loaded
        unchanged = False
        with contextlib.suppress(OSError):
            since = time.time_ns()
            unchanged = self.same_bytes(self.path.stat(), since)
        if blobs is not None and unchanged:
            self.loaded = _load_series(blobs / self.blob_name())
            if self.loaded is not None:
                self.from_blob = True
                return self.loaded
        try:
            self.loaded = read_one(self.path, self.rel, max_bytes, today, self.in_trends)[0]
        except _Problem as p:
            raise FormatError(
                f"{self.path}: {p.what} (the file changed after the data folder was indexed?)",
                hint=p.hint or None,
            ) from None
        if blobs is not None and unchanged:
            _save_series(blobs / self.blob_name(), self.loaded)
            self.from_blob = True
        return self.loaded

    def blob_name(self) -> str:
        key = f"{self.rel}|{self.size}|{self.mtime_ns}|{self.digest}|{self.in_trends}|{self.max_bytes}|{self.today}"
        return hashlib.sha256(key.encode()).hexdigest()[:24] + ".bin"


_BLOB_MAGIC = b"HCSERIES1\n"  # then the header's length (8 bytes, little-endian), the header, the arrays
_BLOB_ALIGN = 16


def _save_series(path: Path, series: list[SeriesData]) -> None:
    """The series of one file as raw arrays (no pickles): a JSON header (meta, and each array's dtype,
    shape and offset) and the arrays' bytes, each at a 16-byte boundary; read back without parsing
    (:func:`_load_series`). Dates are datetime64 in their own unit. A file whose tables hold Python
    objects is not kept (it is read from its file each time)."""
    arrays: dict[str, np.ndarray] = {}
    metas = []
    for k, s in enumerate(series):
        metas.append({**s.meta.to_dict(), "notes": list(s.meta.notes)})
        arrays[f"i{k}"] = np.asarray(s.values.index.values)
        arrays[f"v{k}"] = s.values.to_numpy(dtype="float64")
        for tag, frame in (("f", s.flags), ("p", s.pulls), ("g", s.vintages)):
            if frame is not None:
                arrays[f"{tag}{k}"] = frame.to_numpy()
                cols = frame.columns
                arrays[f"{tag}c{k}"] = (
                    np.asarray(cols.values)
                    if isinstance(cols, pd.DatetimeIndex)
                    else np.asarray([str(c) for c in cols])
                )
    if any(a.dtype.hasobject for a in arrays.values()):
        return
    layout, chunks, off = {}, [], 0
    for name, a in arrays.items():
        raw = np.ascontiguousarray(a).tobytes()
        layout[name] = [a.dtype.str, list(a.shape), off]
        pad = -len(raw) % _BLOB_ALIGN
        chunks.append(raw + b"\0" * pad)
        off += len(raw) + pad
    head = json.dumps({"metas": metas, "arrays": layout}).encode()
    head += b" " * (-(len(_BLOB_MAGIC) + 8 + len(head)) % _BLOB_ALIGN)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_BLOB_MAGIC + len(head).to_bytes(8, "little") + head)
            fh.writelines(chunks)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


def _blob_arrays(path: Path) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """The metas and arrays :func:`_save_series` wrote: one read into an aligned buffer, each array a
    view of it (writable, aligned). ``ValueError`` for anything else (a damaged or foreign file)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        buf = np.empty(size, dtype=np.uint8)
        if fh.readinto(buf.data) != size:
            raise ValueError("short read")
    start = len(_BLOB_MAGIC) + 8
    if size < start or buf[: len(_BLOB_MAGIC)].tobytes() != _BLOB_MAGIC:
        raise ValueError("not a series copy")
    n = int.from_bytes(buf[len(_BLOB_MAGIC) : start].tobytes(), "little")
    head = json.loads(buf[start : start + n].tobytes())
    base = start + n
    arrays = {}
    for name, (dtype_str, shape, off) in head["arrays"].items():
        dt = np.dtype(dtype_str)
        if dt.hasobject or dt.itemsize == 0:
            raise ValueError("not a plain array")
        count = int(np.prod(shape, dtype=np.int64))
        lo = base + int(off)
        if off < 0 or count < 0 or lo + count * dt.itemsize > size:
            raise ValueError("array out of the file")
        arrays[name] = buf[lo : lo + count * dt.itemsize].view(dt).reshape(shape)
    return head["metas"], arrays


def _load_series(path: Path) -> list[SeriesData] | None:
    """What :func:`_save_series` wrote; None when there is none or it cannot be read (a miss)."""
    try:
        metas, z = _blob_arrays(path)
        out = []
        for k, m in enumerate(metas):
            meta = SeriesMeta(**{**m, "notes": tuple(m["notes"])})
            index = pd.DatetimeIndex(z[f"i{k}"])
            frames: dict[str, pd.DataFrame | None] = {}
            for tag in ("f", "p", "g"):
                if f"{tag}{k}" in z:
                    cols = z[f"{tag}c{k}"]
                    columns = pd.DatetimeIndex(cols) if tag == "g" else list(cols)
                    frames[tag] = pd.DataFrame(z[f"{tag}{k}"], index=index, columns=columns)
                else:
                    frames[tag] = None
            out.append(
                SeriesData(meta, pd.Series(z[f"v{k}"], index=index), frames["f"], frames["p"], frames["g"])
            )
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_file(
    path: Path, rel: str, max_bytes: int, today: pd.Timestamp, in_trends: bool, since_ns: int
) -> _File:
    """Read one file of a folder into its record; a file that cannot be read is a skipped entry.
    ``since_ns``: the wall clock read before the file's stat (its stamp's time)."""
    st = path.stat()
    rec = _File(rel, path, st.st_size, st.st_mtime_ns, in_trends, LoadEntry(rel, "skipped"))
    rec.stamp, rec.stamped_ns = file_stamp(st), since_ns
    rec.today, rec.max_bytes = str(today.date()), max_bytes
    try:
        rec.digest = file_digest(path)  # before reading: a later edit makes the record stale, not wrong
        series, entry = read_one(path, rel, max_bytes, today, in_trends)
    except _Problem as p:
        rec.entry.reason = p.reason
        return rec
    except MissingDependencyError as exc:
        rec.entry.reason, rec.cacheable = f"{exc.message}: {exc.hint}", False
        return rec
    except OSError as exc:
        rec.entry.reason, rec.cacheable = f"cannot read: {exc.strerror}", False
        return rec
    except Exception as exc:  # a bug must not abort the folder: the file is skipped, and said so
        rec.entry.reason = (
            f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); please report this file"
        )
        rec.cacheable = False
        return rec
    rec.entry, rec.loaded = entry, series
    rec.series = [
        (
            s.meta.kind,
            s.meta.id,
            s.meta.frequency,
            str(s.start.date()) if s.start is not None else None,
            str(s.end.date()) if s.end is not None else None,
            len(s.values),
        )
        for s in series
    ]
    return rec


class FolderIndex:
    """A data folder's files in walk order (see the module docstring): scanned with :meth:`scan`,
    added to a catalog (lazily) with :meth:`add_to`, kept on disk with :meth:`save`."""

    def __init__(self, folder: Path, max_bytes: int, today: pd.Timestamp) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.today = today
        self.passed: list[LoadEntry] = []  # folders not entered (never cached)
        self.walk: list[_File | LoadEntry] = []  # files in walk order; hidden files, pipes: LoadEntry
        self.merges: dict[str, dict[str, Any]] = {}  # cached merges: key -> {"inputs", "entry"}
        self.n_read = 0  # files read while scanning (0 when the index on disk was up to date)
        self.changed = False
        self._cache_file: Path | None = None

    @property
    def files(self) -> list[_File]:
        return [r for r in self.walk if isinstance(r, _File)]

    @classmethod
    def scan(cls, folder: Path, max_bytes: int, today: pd.Timestamp | None) -> FolderIndex:
        today = (today if today is not None else pd.Timestamp.today()).normalize()
        since = time.time_ns()  # before every stat below: the time of the stamps taken in this scan
        self = cls(folder, max_bytes, today)
        cached = self._load_cache()
        files, passed = _walk(folder)
        root_trends = _in_trends(folder.resolve().parts)
        for d, why in passed:
            self.passed.append(
                LoadEntry(origin=d.relative_to(folder).as_posix() + "/", status="skipped", reason=why)
            )
        seen: set[str] = set()
        for parts, f in files:
            rel = "/".join(parts)
            if parts[-1].startswith("."):
                self.walk.append(LoadEntry(origin=rel, status="skipped", reason="hidden file"))
                continue
            try:
                st = f.stat()  # one stat: the kind of file here, its size and time below
            except OSError as exc:  # as Path.is_file: a missing or looping target is not a file, ...
                if exc.errno not in _NOT_THERE and getattr(exc, "winerror", None) not in (21, 123, 1921):
                    raise  # ... anything else (permission denied) is raised
                st = None
            except ValueError:
                st = None
            if st is None or not stat.S_ISREG(st.st_mode):  # never open a pipe (it blocks), socket, device
                why = (
                    "broken symbolic link"
                    if f.is_symlink() and not f.exists()
                    else "not a regular file (a pipe, socket or device): not read"
                )
                self.walk.append(LoadEntry(origin=rel, status="skipped", reason=why))
                continue
            in_trends = root_trends or _in_trends(parts[:-1])
            seen.add(rel)
            rec = None
            if rel in cached:
                try:
                    old = _File.from_json(rel, f, cached[rel])
                    if old.still_valid(st, since, in_trends, today, max_bytes):
                        rec = old
                        self.changed = self.changed or old.restamped
                except (OSError, KeyError, TypeError, ValueError):
                    rec = None
            if rec is None:
                rec = _read_file(f, rel, max_bytes, today, in_trends, since)
                self.n_read += 1
                self.changed = True
            self.walk.append(rec)
        if set(cached) - seen:
            self.changed = True
        return self

    # ------------------------------------------------------------------ the cache on disk

    def _path(self) -> Path | None:
        base = cache_dir()
        if base is None:
            return None
        key = hashlib.sha256(str(self.folder.resolve()).encode()).hexdigest()[:24]
        return base / f"{key}.json"

    def _load_cache(self) -> dict[str, dict[str, Any]]:
        self._cache_file = self._path()
        if self._cache_file is None:
            return {}
        try:
            d = json.loads(self._cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if (
            not isinstance(d, dict)
            or d.get("code") != _code_stamp()
            or d.get("folder") != str(self.folder.resolve())
        ):
            return {}
        merges = d.get("merges")
        self.merges = merges if isinstance(merges, dict) else {}
        files = d.get("files")
        return files if isinstance(files, dict) else {}

    def save(self, catalog: Catalog) -> None:
        """Write the index (and the merges ``catalog`` recorded for this folder) when anything changed.
        A cache that cannot be written costs time on the next run, nothing else."""
        if self._cache_file is None or not self.changed:
            return
        files = {r.rel: r.to_json() for r in self.files if r.cacheable}
        merges = {}
        for key, inputs, entry in self._merges_of(catalog):
            merges[key] = {"inputs": inputs, "entry": [entry.origin, entry.reason, entry.rows]}
        doc = {"code": _code_stamp(), "folder": str(self.folder.resolve()), "files": files, "merges": merges}
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._cache_file.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, separators=(",", ":"))
            os.replace(tmp, self._cache_file)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
        self._prune()

    def _prune(self) -> None:
        """Remove the series copies of files that changed or went, and those of other code versions."""
        blobs = self._blobs()
        if blobs is None or self._cache_file is None:
            return
        keep = {r.blob_name() for r in self.files}
        with contextlib.suppress(OSError):
            for d in self._cache_file.parent.glob(f"{self._cache_file.stem}-*"):
                for f in d.iterdir():
                    if d != blobs or f.name not in keep:
                        f.unlink()
                if d != blobs:
                    d.rmdir()

    # ------------------------------------------------------------------ into a catalog

    def _groups(self) -> dict[tuple[str, str, str], list[_File]]:
        """(kind, id, frequency) -> the files holding it, in walk order."""
        out: dict[tuple[str, str, str], list[_File]] = {}
        for r in self.files:
            for kind, sid, freq, *_ in r.series:
                out.setdefault((kind, sid, freq), []).append(r)
        return out

    @staticmethod
    def _merge_key(kind: str, sid: str, freq: str) -> str:
        return json.dumps([kind, sid, freq])

    def _inputs(self, files: list[_File]) -> list[list[Any]]:
        return [[r.rel, r.size, r.mtime_ns, r.digest] for r in files]

    def _merges_of(self, catalog: Catalog) -> list[tuple[str, list[list[Any]], LoadEntry]]:
        groups = self._groups()
        out = []
        for m in catalog.report.merges:
            g = (m.format, m.series[0], m.frequency)
            if g in groups and len(groups[g]) > 1:
                out.append((self._merge_key(*g), self._inputs(groups[g]), m))
        return out

    def add_to(self, catalog: Catalog) -> int:
        """Register every series of the folder in ``catalog`` (read when asked for), one LoadEntry per
        file, and every merge (from the index when its inputs have not changed, else computed now).
        Returns the number of series the folder holds."""
        groups = self._groups()
        before = {g: g[2] in catalog.frequencies(g[0], g[1]) for g in groups}  # type: ignore[arg-type]
        first_seen: dict[tuple[str, str, str], tuple[int, int]] = {}
        n_series = 0
        for e in self.passed:
            catalog.report.add(e)
        for pos, r in enumerate(self.walk):
            if isinstance(r, LoadEntry):
                catalog.report.add(LoadEntry(**vars(r)))
                continue
            entry = LoadEntry(**vars(r.entry))
            merged = []
            for j, (kind, sid, freq, *_) in enumerate(r.series):
                if freq in catalog.frequencies(kind, sid):  # type: ignore[arg-type]
                    merged.append(sid)
                    first_seen.setdefault((kind, sid, freq), (pos, j))
                catalog.add_pending(Pending(kind, sid, freq, r.rel, self._reader(r)))
                n_series += 1
            if merged:
                note = f"merged with series already loaded: {', '.join(merged)}"
                entry.reason = f"{entry.reason}; {note}" if entry.reason else note
            catalog.report.add(entry)
        n0 = len(catalog.report.merges)
        for g, _order in sorted(first_seen.items(), key=lambda x: x[1]):
            kind, sid, freq = g
            cached = self.merges.get(self._merge_key(*g))
            if (
                not before[g]
                and isinstance(cached, dict)
                and cached.get("inputs") == self._inputs(groups[g])
                and len(cached.get("entry", ())) == 3
            ):
                origin, reason, rows = cached["entry"]
                catalog.report.record_merge(
                    LoadEntry(origin, "merged", reason, kind, (sid,), int(rows), frequency=freq)
                )
            else:
                catalog.all(kind, sid)  # type: ignore[arg-type]  # reads its inputs; the catalog records the merge
                self.changed = True
        rank = {(k, s, f): o for (k, s, f), o in first_seen.items()}
        tail = catalog.report.merges[n0:]
        tail.sort(key=lambda m: rank.get((m.format, m.series[0], m.frequency), (len(self.walk), 0)))
        catalog.report.merges[n0:] = tail
        return n_series

    def _reader(self, r: _File) -> Any:
        return lambda: r.read(self.max_bytes, self.today, self._blobs())

    def _blobs(self) -> Path | None:
        """The folder of this index's series copies (one per code version: others are removed on save)."""
        if self._cache_file is None:
            return None
        return self._cache_file.parent / f"{self._cache_file.stem}-{_code_stamp()}"


# ------------------------------------------------------------------------------------ the source


@register_source("files")
class FilesSource:
    """Series from files the user already has; the format of each file is detected.

    ``path``: a file, a folder (walked recursively, in sorted order) or a list of files and folders.
    ``max_bytes``: files above this size are refused before being read (default 512 MB).
    ``today``: rows dated after it are rejected (default: the real date; tests pin it)."""

    name = "files"

    def __init__(
        self,
        path: str | Path | Sequence[str | Path],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        today: pd.Timestamp | str | None = None,
    ) -> None:
        self.paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
        if not self.paths:
            raise InputError("no path given to the files source", hint="pass a file or a folder")
        self.max_bytes = max_bytes
        self.today = pd.Timestamp(today) if today is not None else None
        self.indexes: list[FolderIndex] = []  # the folders of the last load (how many files were read)

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog:
        """Add every series found to ``catalog`` (a new one by default) and a LoadEntry per file.

        Explicitly named files that fail raise (FormatError, MissingDependencyError) before
        anything is added; files found in folders are skipped with the reason instead. The series of
        a folder are read when the catalog is asked for them (see the module docstring)."""
        unknown = set(options) - {"max_bytes", "today"}
        if unknown:
            raise InputError(f"unknown option(s) for the files source: {sorted(unknown)}")
        max_bytes = int(options.get("max_bytes", self.max_bytes))
        today_opt = options.get("today", self.today)
        today = pd.Timestamp(today_opt) if today_opt is not None else None
        catalog = catalog if catalog is not None else Catalog()
        results: list[tuple[list[SeriesData], LoadEntry] | FolderIndex] = []
        for p in self.paths:
            if p.is_file():
                results.append(load_file(p, max_bytes=max_bytes, today=today))
            elif p.is_dir():
                results.append(FolderIndex.scan(p, max_bytes, today))
            elif p.exists():
                raise InputError(
                    f"{p}: not a regular file or folder (a device, pipe or socket)",
                    hint="pass --data a folder or a CSV/Parquet file",
                )
            else:
                raise InputError(f"{p}: no such file or folder", hint="check the path given with --data")
        self.indexes = [r for r in results if isinstance(r, FolderIndex)]
        n_series = 0
        entries: list[LoadEntry] = []
        for res in results:
            if isinstance(res, FolderIndex):
                n0 = len(catalog.report.entries)
                n_series += res.add_to(catalog)
                entries += catalog.report.entries[n0:]
                continue
            series, entry = res
            merged = []
            for s in series:
                if s.meta.frequency in catalog.frequencies(s.meta.kind, s.meta.id):
                    merged.append(s.meta.id)
                catalog.add(s)
                n_series += 1
            if merged:
                note = f"merged with series already loaded: {', '.join(merged)}"
                entry.reason = f"{entry.reason}; {note}" if entry.reason else note
            catalog.report.add(entry)
            entries.append(entry)
        if n_series == 0:
            skipped = [e for e in entries if e.status == "skipped"]
            shown = "; ".join(f"{e.origin}: {e.reason}" for e in skipped[:5])
            raise NoDataError(
                f"no series found in {', '.join(map(str, self.paths))} ({len(skipped)} files skipped)"
                + (f": {shown}" if shown else ""),
                hint="point --data at CSV/Parquet files: Date,Close prices, FRED downloads, Google "
                "Trends exports or tidy date,series,value tables",
            )
        for ix in self.indexes:
            ix.save(catalog)
        return catalog
