"""A tidy long Parquet table (``.parquet``/``.pq``; columns ``date,series,value[,kind]``), read with
pyarrow (``pip install 'hypecheck[parquet]'``)."""

from __future__ import annotations

from ...errors import MissingDependencyError
from ...schema import SeriesData
from .base import PARQUET_SUFFIXES, Format, _Ctx, _Problem
from .text import Probe, _mb
from .tidy_long import _tidy

NAME = "parquet"
DESCRIPTION = "tidy long Parquet table (date,series,value[,kind])"


def detect(probe: Probe) -> bool:
    return probe.suffix in PARQUET_SUFFIXES


def read(probe: Probe) -> list[SeriesData]:
    size = probe.path.stat().st_size
    if size > probe.max_bytes:
        raise _Problem(
            f"file too large ({_mb(size)}; the limit is {_mb(probe.max_bytes)})",
            "raise the limit with FilesSource(path, max_bytes=...)",
        )
    return _read_parquet(probe.ctx)


def _read_parquet(ctx: _Ctx) -> list[SeriesData]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(
            f"{ctx.path}: reading Parquet files needs pyarrow", hint="pip install 'hypecheck[parquet]'"
        ) from None
    try:
        table = pq.read_table(ctx.path)
    except Exception as exc:  # pyarrow raises several types for truncated or corrupt files
        raise _Problem(
            f"not a readable Parquet file ({type(exc).__name__})",
            "export it again; a Parquet file without its footer was cut short",
        ) from None
    df = table.to_pandas()
    df.columns = [str(c).strip().lower() for c in df.columns]
    if not {"date", "series", "value"} <= set(df.columns):
        raise _Problem(
            f"Parquet columns {list(df.columns)[:8]}: a tidy long table is expected",
            "store the columns date, series, value[, kind]",
        )
    return _tidy(df, ctx, NAME, DESCRIPTION)


FORMAT = Format(NAME, DESCRIPTION, detect, read)
