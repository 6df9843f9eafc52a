"""``hypecheck breadth``: member-level breadth of a folder or file of closes."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from .base import main


def _read_wide(path: Path, what: str) -> object:
    """A wide dates x members frame from a folder of price files, a wide CSV/Parquet, or a long
    CSV/Parquet with date, member (or ticker) and close (or value) columns."""
    import pandas as pd

    from ..errors import FormatError, InputError

    if not path.exists():
        raise InputError(
            f"{what}: {path} does not exist", hint="give a folder of price files or a CSV/Parquet file"
        )
    if path.is_dir():
        from ..data.folder import FilesSource

        cat = FilesSource(path).load()
        ids = [
            i for i in cat.ids("price") if cat.get("price", i).meta.frequency == "D" and not i.startswith("^")
        ]
        if not ids:
            raise InputError(
                f"{what}: no daily price files in {path}", hint="point at a folder of Date,Close CSVs"
            )
        return pd.concat({i: cat.get("price", i).values for i in ids}, axis=1, sort=True)
    try:
        raw = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{what}: cannot read {path}: {exc}", hint="give a CSV or Parquet file") from exc
    cols = {str(c).lower(): c for c in raw.columns}
    date_col = cols.get("date") or raw.columns[0]
    member = cols.get("member") or cols.get("ticker") or cols.get("symbol")
    value = cols.get("close") or cols.get("value") or cols.get("cap") or cols.get("market_cap")
    raw = _dated_rows(raw, date_col, path, what)
    if member is not None and value is not None and len(raw.columns) <= 4:
        dup = raw.duplicated([date_col, member])
        if dup.any():
            first = raw.loc[dup].iloc[0]
            raise InputError(
                f"{what}: {int(dup.sum())} duplicate (date, member) rows in {path}, e.g. {first[member]} on {first[date_col]}",
                hint="keep one row per member and date",
            )
        raw = raw.pivot(index=date_col, columns=member, values=value)
    else:
        raw = raw.set_index(date_col)
    raw.index = pd.DatetimeIndex(raw.index)
    return raw.sort_index()


def _dated_rows(raw: Any, date_col: Any, path: Path, what: str) -> Any:
    """``raw`` with its date column parsed as ``--data`` parses dates (one explicit format for the
    file: ISO, ``YYYYMMDD`` also as integers, US month/day only when the column proves it; day-first
    and mixed columns refused); rows whose date is unusable (a cell of another format, a future date)
    are dropped and counted on stderr, never silently."""
    import pandas as pd

    from ..data.formats.base import _make_ctx, _Problem
    from ..data.formats.values import _parse_dates
    from ..errors import FormatError
    from ..scan.members import _as_text

    col = raw[date_col]
    if raw.empty or pd.api.types.is_datetime64_any_dtype(col.dtype):
        return raw  # no rows: said by breadth itself ("the closes frame is empty")
    ctx = _make_ctx(path, path.name, None, in_trends=False)
    try:
        dates = _parse_dates(_as_text(col), ctx)
    except _Problem as p:
        raise FormatError(
            f"{what}: the date column of {path} is not dates hypecheck reads safely ({p.what})",
            hint=(p.hint + "; " if p.hint else "")
            + "wide files: date first, one column per member; long files: date, member, close",
        ) from None
    keep = ~dates.rejected
    if not keep.all():
        click.echo(f"{what}: {path.name}: {ctx.tally.summary()}", err=True)
    out = raw.loc[keep].copy()
    out[date_col] = pd.DatetimeIndex(dates.values[keep])
    return out


@main.command("breadth")
@click.argument("closes", type=click.Path(path_type=Path))
@click.option(
    "--caps",
    type=click.Path(path_type=Path),
    default=None,
    help="Market caps shaped like CLOSES (for cw_return).",
)
@click.option("--engine", type=click.Choice(["numba", "pandas", "dask"]), default="numba", show_default=True)
@click.option(
    "--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler address; default: a local cluster."
)
@click.option("--as-of", "as_of", metavar="DATE", default=None, help="Use closes up to this date only.")
@click.option(
    "--out", "out", type=click.Path(path_type=Path), default=None, help="Write the breadth frame to this CSV."
)
def breadth_cmd(
    closes: Path, caps: Path | None, engine: str, scheduler: str | None, as_of: str | None, out: Path | None
) -> None:
    """Member-level breadth of CLOSES: a folder of price files, or a wide or long CSV/Parquet.

    Prints the latest % above the 50/200-day averages, advances/declines, A/D line, McClellan
    oscillator, new highs/lows, equal- and cap-weighted returns, and any Zweig breadth thrusts."""

    import pandas as pd

    from ..analytics.breadth import breadth, zweig_thrust

    t0 = time.perf_counter()
    wide = _read_wide(closes, "closes")
    capf = _read_wide(caps, "caps") if caps is not None else None
    if as_of is not None:
        from ..api import _parse_as_of
        from ..errors import DateOutsideDataError
        from ..known import MAX_AGE_DAYS, cut_frame

        cut = _parse_as_of(as_of)
        assert cut is not None
        dates = wide.index  # type: ignore[attr-defined]
        first, last = (dates.min(), dates.max()) if len(dates) else (None, None)
        if last is not None and cut > last + pd.Timedelta(days=MAX_AGE_DAYS["D"]):
            raise DateOutsideDataError(
                f"as-of date {as_of.strip()} is after the end of the closes: they end on {last.date()}",
                hint=f"use --as-of {last.date()} or earlier, or add newer closes",
            )
        if first is not None and cut < first:
            raise DateOutsideDataError(
                f"as-of date {as_of.strip()} is before the closes: they start on {first.date()}",
                hint=f"use --as-of {first.date()} or later",
            )
        wide = cut_frame(wide, cut)  # type: ignore[arg-type]
        capf = cut_frame(capf, cut) if capf is not None else None  # type: ignore[arg-type]
    b = breadth(wide, capf, engine=engine, scheduler=scheduler)  # type: ignore[arg-type]
    _, thrusts = zweig_thrust(b)
    last = b.iloc[-1]
    shape = wide.shape  # type: ignore[attr-defined]
    click.echo(f"breadth of {shape[1]} members over {shape[0]} dates ({engine}), as of {b.index[-1].date()}")
    for col in b.columns:
        v = last[col]
        click.echo(
            f"  {col:<15} {'n/a' if v != v else (f'{v:,.4f}' if isinstance(v, float) and not float(v).is_integer() else f'{v:,.0f}')}"
        )
    if thrusts:
        click.echo("Zweig breadth thrusts: " + ", ".join(str(t.date.date()) for t in thrusts[-5:]))
    else:
        click.echo("Zweig breadth thrusts: none")
    if out is not None:
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            b.to_csv(tmp)
            os.replace(tmp, out)
        except OSError as exc:
            from ..errors import InputError

            raise InputError(
                f"cannot write {out}: {exc.strerror or exc}",
                hint="pass --out a file in a folder you can write to",
            ) from exc
        click.echo(f"wrote {out}")
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)
