"""What every bundled dataset shares: locating a data file inside an installed package without
importing the package, the :class:`Dataset` record, and the helpers that turn returns into levels."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import MissingDependencyError
from ...schema import Kind, SeriesData, SeriesMeta, infer_frequency

OPENED: list[Path] | None = None  # while a loader runs for the copy kept on disk: the files it located


def package_file(package: str, *parts: str) -> Path:
    """Path of a data file inside an installed package, without importing the package (noted in
    :data:`OPENED` when that list is set)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        extra = "samples" if package == "skfolio" else ""
        cmd = f"pip install 'hypecheck[{extra}]'" if extra else f"pip install {package}"
        raise MissingDependencyError(
            f"bundled data needs the package {package!r}, which is not installed", hint=cmd
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise MissingDependencyError(
            f"{package} is installed but its data file {'/'.join(parts)} is missing",
            hint=f"reinstall it: pip install --force-reinstall {package}",
        )
    if OPENED is not None:
        OPENED.append(path)
    return path


@dataclass(frozen=True)
class Dataset:
    name: str
    package: str
    describe: str
    loader: Callable[[], list[SeriesData]]
    optional: bool = False
    prefixes: tuple[str, ...] = ()  # every id the dataset holds starts with one of these


def meta(id: str, kind: Kind, origin: str, description: str, idx: pd.DatetimeIndex, units: str) -> SeriesMeta:
    return SeriesMeta(
        id=id,
        kind=kind,
        source="bundled",
        origin=origin,
        description=description,
        frequency=infer_frequency(idx),
        units=units,
        sample_data=True,
    )


def level_from_returns(r: pd.Series, start: pd.Timestamp) -> pd.Series:
    """Total-return level index = 100 x cumulative product of (1 + r); a base of 100 at ``start``."""
    level = 100.0 * np.cumprod(1.0 + r.to_numpy(dtype="float64"))
    idx = pd.DatetimeIndex(r.index).insert(0, pd.Timestamp(start))  # no per-date Python loop
    out = pd.Series(np.concatenate([[100.0], level]), index=idx)
    return out


def month_end(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return (idx + pd.offsets.MonthEnd(0)).normalize()
