"""Results of the lab's slow fits kept on disk beside the panel, keyed by a digest of their inputs.

The panel of narratives is cached (:func:`hypecheck.lab.history.cache_dir`); so are the fits run on
it that take most of a warm run (the verdict model's bootstrap refits, the Student-t tails of the
random-walk null, the walk-forward scores): each is a pure function of some panel columns and of the
lab's code, so it is stored under :func:`digest` of exactly those (column values, parameters and the
source of the modules that compute it). Files are ``.npz`` of float arrays (never pickles), written
atomically; a damaged, foreign or missing file is a miss and the fit simply runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import resources
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


def digest(kind: str, frame: pd.DataFrame, columns: Iterable[str], *params: Any) -> str:
    """A digest of ``frame[columns]`` (values, in order), ``params`` (by ``repr``) and the source of
    the lab's fitting modules: equal digests mean equal inputs to the same code."""
    cols = [c for c in columns if c in frame]
    h = hashlib.sha256(f"{kind}|{cols}|{len(frame)}|{params!r}|".encode())
    if cols and len(frame):
        h.update(pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes())
    for name in _SOURCES:
        h.update(resources.files("hypecheck.lab").joinpath(name).read_bytes())
    return h.hexdigest()[:32]


def load(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind``/``key``, or None (no cache, a miss, or a damaged file)."""
    from .history import cache_dir

    cdir = cache_dir()
    if cdir is None:
        return None
    path = cdir / f"{kind}-{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: np.asarray(z[k]) for k in z.files}
    except Exception:  # a damaged or foreign file is a miss
        return None


def save(kind: str, key: str, **arrays: np.ndarray) -> None:
    """Store ``arrays`` under ``kind``/``key`` (atomically; an unwritable cache is skipped)."""
    from .history import cache_dir

    cdir = cache_dir()
    if cdir is None:
        return
    path = cdir / f"{kind}-{key}.npz"
    try:
        cdir.mkdir(parents=True, exist_ok=True)
        tmp = cdir / f"{kind}-{key}.tmp{id(arrays)}.npz"
        data: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
        np.savez(tmp, **data)
        tmp.replace(path)
    except OSError:
        return


__all__ = ["digest", "load", "save"]
