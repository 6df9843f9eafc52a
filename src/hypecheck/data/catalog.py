"""Where a check's catalog comes from: the bundled sample data or the user's files, cached per process.

Kept below :mod:`hypecheck.api` so the lab, the pillars and the CLI reach the same cached catalog without
importing the check (no import cycle); :func:`hypecheck.load_catalog` is this function.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..schema import Catalog
from .registry import get_source

_CATALOGS: dict[str, Catalog] = {}


def load_catalog(data: str | Path | None = None, *, refresh: bool = False) -> Catalog:
    """Load the bundled sample data (``data=None``) or the user's files; cached per process.

    The catalog's ``source`` attribute names the source (``"bundled"`` or ``"files"``), so
    ``check(theme, catalog=load_catalog(path))`` applies the theme's ``[mapping.<source>]``."""
    key = "bundled" if data is None else str(Path(data).resolve())
    if refresh or key not in _CATALOGS:
        if data is None:
            cat = get_source("bundled").load()
        else:
            p = Path(data)
            if not p.exists():
                raise InputError(
                    f"data path {str(p)!r} does not exist", hint="pass a folder or file with --data"
                )
            cat = get_source("files", path=p).load()
        cat.source = "bundled" if data is None else "files"
        _CATALOGS[key] = cat
    return _CATALOGS[key]
