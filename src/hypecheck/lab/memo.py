"""Results of the lab's slow fits kept on disk beside the panel, keyed by a digest of their inputs.

The panel of narratives is cached (:func:`hypecheck.lab.history.cache_dir`); so are the fits run on
it that take most of a warm run (the verdict model's bootstrap refits, the Student-t tails of the
random-walk null, the walk-forward scores): each is a pure function of some panel columns and of the
lab's code, so it is stored under :func:`digest` of exactly those (column values, parameters and the
source of the modules that compute it). Files are ``.npz`` of float arrays (never pickles), written
atomically; a damaged, foreign or missing file is a miss and the fit simply runs.

Eviction. A file is named ``<kind>-<inputs>-<code>.npz``: a digest of the inputs (the *slot*) and one
of the lab's code. The memo files of the folder (never the panel or anything else in it) are kept
under a size budget, :data:`MAX_BYTES` (200 MB), or ``$HYPECHECK_MEMO_MAX_MB`` megabytes (10^6
bytes; ``0`` keeps nothing: no file is read or written and those present are removed). Writing a
file first removes the files of the same slot written by another version of the code (they can no
longer be read), then, if the folder may be over budget, removes the least recently used files first
(oldest modification time: a read touches its file, so what is used stays) until it is within it.
The folder is only ever listed after a write (a slow fit): for the slot at every write, for the
budget once per process and again only when what this process wrote may have taken it over budget;
a read lists nothing, so a check with a warm cache costs one touch per file read. Eviction never
fails a run: an error removing a file is ignored, and a file removed by another process while this
one reads it is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import time
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_SOURCES = (
    "model.py",
    "target.py",
    "null.py",
    "retention.py",
    "fade.py",
    "bootstrap.py",
    "memo.py",
)  # hashed into every key

MAX_BYTES = 200 * 10**6  # the memo files of a folder are kept under this (see the module)
ENV_MAX_MB = "HYPECHECK_MEMO_MAX_MB"  # overrides MAX_BYTES, in MB (10^6 bytes); 0 keeps nothing
STALE_TMP = 3600.0  # seconds after which a leftover temporary file (a writer died) is removed

# a memo file (this layout or the earlier <kind>-<32 hex>.npz), or a temporary one being written
_MEMO_NAME = re.compile(r"[a-z_]+-[0-9a-f]{32}(?:-[0-9a-f]{12})?(\.tmp\d+)?\.npz")
_usage: dict[str, int] = {}  # folder -> bytes of memo files after this process's last sweep + since


def digest(kind: str, frame: pd.DataFrame, columns: Iterable[str], *params: Any) -> str:
    """A digest of ``frame[columns]`` (values, in order), ``params`` (by ``repr``) and the source of
    the lab's fitting modules: equal digests mean equal inputs to the same code. It is
    ``<inputs>-<code>`` (32 and 12 hex digits), so that files of another code version are known."""
    cols = [c for c in columns if c in frame]
    h = hashlib.sha256(f"{kind}|{cols}|{len(frame)}|{params!r}|".encode())
    if cols and len(frame):
        h.update(pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes())
    code = hashlib.sha256()
    for name in _SOURCES:
        code.update(resources.files("hypecheck.lab").joinpath(name).read_bytes())
    return f"{h.hexdigest()[:32]}-{code.hexdigest()[:12]}"


def max_bytes() -> int:
    """The budget: ``$HYPECHECK_MEMO_MAX_MB`` MB when it is a number (a negative one is 0), else
    :data:`MAX_BYTES`."""
    raw = os.environ.get(ENV_MAX_MB, "").strip()
    try:
        mb = float(raw) if raw else None
    except ValueError:
        mb = None
    if mb is None or not math.isfinite(mb):
        return MAX_BYTES
    return max(0, int(mb * 10**6))


def load(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind``/``key``, or None (no cache, a miss, or a damaged file). A hit
    touches the file (its modification time is its last use, see the module)."""
    from .history import cache_dir

    cdir = cache_dir()
    if cdir is None or max_bytes() == 0:
        return None
    path = cdir / f"{kind}-{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            got = {k: np.asarray(z[k]) for k in z.files}
    except Exception:  # a damaged or foreign file is a miss (so is one removed meanwhile)
        return None
    with contextlib.suppress(OSError):  # a read-only cache: the file simply ages
        os.utime(path)
    return got


def save(kind: str, key: str, **arrays: np.ndarray) -> None:
    """Store ``arrays`` under ``kind``/``key`` (atomically; an unwritable cache is skipped), then keep
    the folder within its budget (see the module)."""
    from .history import cache_dir

    cdir = cache_dir()
    if cdir is None:
        return
    budget = max_bytes()
    path = cdir / f"{kind}-{key}.npz"
    size = 0
    if budget > 0:
        try:
            cdir.mkdir(parents=True, exist_ok=True)
            tmp = cdir / f"{kind}-{key}.tmp{id(arrays)}.npz"
            data: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
            np.savez(tmp, **data)
            tmp.replace(path)
            size = path.stat().st_size
        except OSError:
            return
        size -= _drop_other_versions(cdir, kind, key)
    known = _usage.get(str(cdir))
    if known is not None and known + size <= budget:
        _usage[str(cdir)] = known + size
    else:
        _usage[str(cdir)] = evict(cdir, budget)


def _drop_other_versions(cdir: Path, kind: str, key: str) -> int:
    """Remove the files of slot ``kind``/``key`` written by another code version; their bytes."""
    slot, sep, _ = key.rpartition("-")
    freed = 0
    if not sep:
        return 0
    try:
        for old in cdir.glob(f"{kind}-{slot}-*.npz"):
            if old.name != f"{kind}-{key}.npz" and _MEMO_NAME.fullmatch(old.name):
                try:
                    n = old.stat().st_size
                    old.unlink()
                    freed += n
                except OSError:
                    pass
    except OSError:
        pass
    return freed


def evict(cdir: Path, budget: int) -> int:
    """Remove the least recently used memo files of ``cdir`` (oldest modification time first) until
    they take at most ``budget`` bytes, and leftover temporary files; the bytes left. Never raises."""
    files: list[tuple[int, str, int]] = []  # (mtime_ns, name, size)
    stale = time.time() - STALE_TMP
    try:
        with os.scandir(cdir) as it:
            for entry in it:
                m = _MEMO_NAME.fullmatch(entry.name)
                if m is None:
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:  # removed meanwhile
                    continue
                if m.group(1):  # a temporary file: being written, or left by a writer that died
                    if st.st_mtime < stale:
                        _unlink(cdir / entry.name)
                    continue
                files.append((st.st_mtime_ns, entry.name, st.st_size))
    except OSError:  # no folder, or not readable
        return 0
    files.sort()
    total = sum(size for _, _, size in files)
    for _, name, size in files:
        if total <= budget:
            break
        if _unlink(cdir / name):
            total -= size
    return total


def _unlink(path: Path) -> bool:
    """Remove ``path``; whether it is gone (another process may have removed it first)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


__all__ = ["ENV_MAX_MB", "MAX_BYTES", "digest", "evict", "load", "max_bytes", "save"]
