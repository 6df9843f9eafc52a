"""Property-based fuzzing of the input boundaries (hypothesis).

* The files source on generated CSV text: random headers among the real formats, random dates (valid,
  invalid, ambiguous, future), numbers, NaN, junk, random delimiters, quotes, BOMs and line endings.
  It returns series or raises a :class:`~hypecheck.errors.HypecheckError`, nothing else; what it
  returns is sorted, unique, finite, and positive for prices.
* :func:`hypecheck.validation.validate`: ``rows_in == rows_kept + len(rejected)`` for any input; the
  clean series is sorted, unique, finite (and positive for prices).
* The theme loader on generated TOML documents: a :class:`~hypecheck.theme.Theme` or a ThemeError.

Examples per test: ``HYPECHECK_FUZZ_EXAMPLES`` (default 60; ``tests/fuzz_long.py`` runs 5000).
The store round trip is covered by ``tests/test_store.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from hypecheck.data.folder import load_file
from hypecheck.data.formats.base import YIELD_INDICES
from hypecheck.errors import HypecheckError, ThemeError
from hypecheck.theme import SCHEMA, Theme, load_theme, parse_theme
from hypecheck.validation import validate

EXAMPLES = int(os.environ.get("HYPECHECK_FUZZ_EXAMPLES", "60"))
TODAY = pd.Timestamp("2026-11-24")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ============================================================================== the files source

HEADERS = [
    ["Date,Close"],
    ["Date,Price"],
    ["Date,Open,High,Low,Close,Adj Close,Volume"],
    ["Date,Open,High,Low,Close,Volume"],
    ["observation_date,DGS2"],
    ["DATE,T10Y2Y"],
    ["date,value"],
    ["Date,Adjusted"],
    ["date,small cap"],
    ["Mes,debt"],
    ["date,series,value"],
    ["date,series,value,kind"],
    ["date,cape,tr_cape,ecy"],
    ["Category: All categories", "", "Week,small cap: (United States)"],
    ["Category: All categories", "", "Day,a: (Worldwide),b: (Worldwide),isPartial"],
    ["Week,market rotation: (US)"],
    ["Kategorie: Alle Kategorien", "", "Woche,small cap: (Deutschland)"],
    ["Price,Close,Open", "Ticker,SPY,SPY", "Date,,"],
    ["Price,Adj Close,Close,High,Low", "Ticker,AAA,AAA,BBB,BBB", "Date,,,,"],
    ["Region,small cap: (United States)"],
    ["peak,trough"],
    ["Date"],
    [""],
]

_valid_dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def date_cells(draw: st.DrawFn, noise: int) -> str:
    d = draw(_valid_dates)
    styles = ["iso"] * (12 if noise == 0 else 3) + ["month", "us", "eu", "dotted", "junk", "empty", "ts"]
    style = draw(st.sampled_from(styles))
    if style == "iso":
        return d.isoformat()
    if style == "month":
        return d.strftime("%Y-%m")
    if style == "us":
        return f"{d.month}/{d.day}/{d.year}"
    if style == "eu":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dotted":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "ts":
        return f"{d.isoformat()} {draw(st.sampled_from(['00:00:00', '13:30:00', '00:00:00+02:00']))}"
    if style == "empty":
        return ""
    return draw(st.sampled_from(["2024-02-30", "2024-13-01", "not a date", "20240101", "2024/01/02", "NaT"]))


@st.composite
def value_cells(draw: st.DrawFn, noise: int) -> str:
    kinds = ["int", "float"] * (6 if noise == 0 else 1) + ["special", "text"]
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        return str(draw(st.integers(-5, 150) if noise else st.integers(0, 100)))
    if kind == "float":
        if noise == 0:
            return repr(draw(st.floats(min_value=0.01, max_value=1e6)))
        return repr(draw(st.floats(allow_nan=True, allow_infinity=True, width=64)))
    if kind == "special":
        return draw(
            st.sampled_from(["", ".", "NaN", "nan", "null", "#N/A", "<1", "inf", "-inf", "1e400", "0", "-0"])
        )
    return draw(
        st.sampled_from(
            ['"1,234.5"', '"x"', "abc", "=1+1", "+1,650%", "Breakout", "True", "price", "  12 ", '"', "1 2"]
        )
        | st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
    )


@st.composite
def csv_texts(draw: st.DrawFn) -> bytes:
    """CSV bytes; ``noise`` 0 is a mostly well-formed file, 1 a damaged one, 2 anything."""
    noise = draw(st.sampled_from([0, 0, 1, 2]))
    header = list(draw(st.sampled_from(HEADERS)))
    if noise == 2 and draw(st.integers(0, 4)) == 0:  # a random header line
        header = [draw(st.text(max_size=20))]
    names = [c.strip().lower() for c in header[-1].split(",")]
    trends = names[0] in ("week", "day")
    step = {"week": 7, "day": 1}.get(names[0]) or draw(st.sampled_from([1, 7, 30]))
    start = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2026, 1, 1)))
    rows = []
    for i in range(draw(st.integers(0 if noise else 1, 12))):
        width = (
            len(names) if (noise == 0 or draw(st.integers(0, 9))) else draw(st.integers(1, len(names) + 2))
        )
        if noise == 0 and draw(st.integers(0, 9)):  # well-formed: evenly spaced ISO dates
            cells = [(start + dt.timedelta(days=step * i)).isoformat()]
        else:
            cells = [draw(date_cells(noise))]
        for k in range(1, width):
            name = names[k] if k < len(names) else ""
            if trends and noise == 0 and name != "ispartial":
                cells.append(draw(st.sampled_from(["<1", "0", "100"]) | st.integers(0, 100).map(str)))
            elif name == "ispartial":
                cells.append(draw(st.sampled_from(["False", "True"] + (["maybe"] if noise else []))))
            elif name == "series":
                cells.append(draw(st.sampled_from(["AAA", "DGS2", "AAA", "a b"] + ([""] if noise else []))))
            elif name == "kind":
                cells.append(
                    draw(st.sampled_from(["price", "macro", "search"] + (["x", ""] if noise else [])))
                )
            else:
                cells.append(draw(value_cells(noise)))
        rows.append(cells)
    delim = "," if noise < 2 else draw(st.sampled_from([",", ",", ";", "\t"]))
    lines = [h.replace(",", delim) for h in header] + [delim.join(r) for r in rows]
    if noise and draw(st.booleans()) and rows:
        lines.insert(len(header), "")  # a blank line between header and data
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    if noise and draw(st.integers(0, 3)) == 0 and text:  # cut short, mid-row or anywhere
        text = text[: draw(st.integers(0, len(text)))]
    encodings = ["utf-8", "utf-8-sig"] + (["latin-1", "utf-16"] if noise == 2 else [])
    encoding = draw(st.sampled_from(encodings))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _check_series(series: list[Any], fmt: str = "") -> None:
    for s in series:
        v = s.values
        assert isinstance(v.index, pd.DatetimeIndex)
        assert v.index.is_monotonic_increasing and v.index.is_unique, s.meta.id
        assert len(v) > 0
        assert np.isfinite(v.to_numpy()).all(), s.meta.id
        if s.meta.kind == "price" and s.meta.id not in YIELD_INDICES:
            assert (v.to_numpy() > 0).all(), s.meta.id
        if fmt in ("trends-export", "trends-series"):
            assert ((v.to_numpy() >= 0) & (v.to_numpy() <= 100)).all(), s.meta.id
        assert (v.index <= TODAY).all()


@FUZZ
@given(
    content=csv_texts(),
    stem=st.sampled_from(["AAA", "^TNX", "multiTimeline", "two words", "DGS2"]),
    suffix=st.sampled_from([".csv", ".csv", ".txt", ".tsv"]),
    folder=st.sampled_from(["data", "trends"]),
)
def test_files_source_returns_series_or_a_hypecheck_error(
    content: bytes, stem: str, suffix: str, folder: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / folder / f"{stem}{suffix}"
        p.parent.mkdir()
        p.write_bytes(content)
        note(f"{p.relative_to(tmp)}: {content!r}")
        try:
            series, entry = load_file(p, today=TODAY)
        except HypecheckError as exc:
            assert exc.message and str(p) in exc.message
            event("error: " + exc.message.replace(str(p), "")[:45])
            return
    event(f"loaded: {entry.format}")
    assert entry.status == "loaded" and entry.rows == sum(len(s.values) for s in series)
    _check_series(series, entry.format)


@FUZZ
@given(
    frame=st.lists(
        st.tuples(
            st.one_of(st.none(), _valid_dates.map(pd.Timestamp), st.sampled_from(["2024-01-05", "x", ""])),
            st.sampled_from(["AAA", "BBB", "", None]),
            st.one_of(st.floats(), st.none(), st.sampled_from(["1.5", "x"])),
            st.sampled_from(["price", "macro", "bogus", None]),
        ),
        max_size=12,
    ),
    tz=st.booleans(),
)
def test_parquet_tidy_tables_return_series_or_a_hypecheck_error(
    frame: list[tuple[Any, Any, Any, Any]], tz: bool
) -> None:
    df = pd.DataFrame(frame, columns=["date", "series", "value", "kind"])
    if tz and len(df) and df["date"].map(lambda x: isinstance(x, pd.Timestamp)).all():
        df["date"] = pd.to_datetime(df["date"]).dt.tz_localize("UTC")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "t.parquet"
        try:
            df.to_parquet(p)
        except Exception:  # mixed object columns pyarrow cannot write: nothing to test
            return
        try:
            series, _ = load_file(p, today=TODAY)
        except HypecheckError:
            return
    _check_series(series)


# ============================================================================ validation.validate

_labels = st.one_of(
    _valid_dates.map(pd.Timestamp),
    _valid_dates.map(lambda d: d.isoformat()),
    st.sampled_from(["garbage", "", "2024-02-30", "31/12/2024", "1e10"]),
    st.integers(-5, 5),
    st.none(),
)
_vals = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10, 10),
    st.none(),
    st.sampled_from(["1.5", "x", "", "inf"]),
)


@FUZZ
@given(
    rows=st.lists(st.tuples(_labels, _vals), max_size=30),
    kind=st.sampled_from(["price", "macro", "search"]),
)
def test_validate_balances_and_cleans(rows: list[tuple[Any, Any]], kind: str) -> None:
    idx = pd.Index([r[0] for r in rows], dtype="object")
    values = pd.Series([r[1] for r in rows], index=idx, dtype="object")
    clean, rep = validate(values, kind=kind, id="X")
    assert rep.rows_in == len(rows)
    assert rep.balanced and rep.rows_in == rep.rows_kept + len(rep.rejected)
    assert rep.rows_kept == len(clean)
    if len(clean):
        assert isinstance(clean.index, pd.DatetimeIndex)
        assert clean.index.is_monotonic_increasing and clean.index.is_unique
        assert np.isfinite(clean.to_numpy(dtype="float64")).all()
        if kind == "price":
            assert (clean.to_numpy() > 0).all()
    rep.summary()
    json.dumps(rep.to_dict())


@FUZZ
@given(
    days=st.lists(_valid_dates, max_size=40),
    values=st.lists(st.floats(min_value=-10, max_value=1e6), max_size=40),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
    tz=st.sampled_from([None, "UTC", "America/New_York"]),
)
def test_validate_on_date_indexed_numbers(
    days: list[dt.date], values: list[float], unit: str, tz: str | None
) -> None:
    n = min(len(days), len(values))
    idx = pd.DatetimeIndex([pd.Timestamp(d) for d in days[:n]], dtype=f"datetime64[{unit}]")
    if tz is not None:
        idx = idx.tz_localize(tz)
    s = pd.Series(values[:n], index=idx, dtype="float64")
    clean, rep = validate(s, kind="price", id="P")
    assert rep.balanced
    assert clean.index.is_monotonic_increasing and clean.index.is_unique
    assert (clean.to_numpy() > 0).all()
    kept = {pd.Timestamp(d): v for d, v in zip(days[:n], values[:n], strict=True) if v > 0}
    assert all(
        kept[pd.Timestamp(d)] == v for d, v in zip(clean.index, clean.to_numpy(), strict=True)
    )  # dates kept whatever the unit or time zone
    # gaps in daily data are reported whatever the index's unit (pandas 3 defaults to microseconds)
    if len(clean) > 1:
        steps = np.diff(clean.index.values) / np.timedelta64(1, "D")
        if np.median(steps) <= 4:
            assert len(rep.gaps) == int((steps > 10).sum())


# ================================================================================== theme loader


def _toml_key(k: str) -> str:
    return json.dumps(k)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict[str, Any]) -> str:
    return "\n".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in doc.items()) + "\n"


_KEYS = sorted({k for keys in SCHEMA.values() for k in keys} | {"bogus", "AAA", "bundled", "files"})
_scalars = st.one_of(
    st.sampled_from(
        ["AAA", "BBB", "SPY", "<script>alert(1)</script>", "", "up", "growth", "3M", "2024-01-05"]
    ),
    st.text(max_size=12),
    st.integers(-3, 300),
    st.floats(),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_values_toml = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    max_leaves=20,
)


@st.composite
def theme_docs(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": "fuzz", "title": "T", "question": "Q?"}
    if draw(st.booleans()):
        doc["price"] = {"pairs": [{"leader": "AAA", "laggard": "BBB"}]}
    extra = draw(st.dictionaries(st.sampled_from(_KEYS), _values_toml, max_size=6))
    for k, v in extra.items():
        if draw(st.booleans()) and isinstance(doc.get(k), dict) and isinstance(v, dict):
            doc[k] = {**doc[k], **v}
        else:
            doc[k] = v
    for k in draw(st.lists(st.sampled_from(["id", "title", "question"]), max_size=2)):
        doc.pop(k, None)
    return doc


@FUZZ
@given(doc=theme_docs())
def test_parse_theme_gives_a_theme_or_a_theme_error(doc: dict[str, Any]) -> None:
    try:
        th = parse_theme(doc, where="fuzz.toml")
    except ThemeError as exc:
        assert exc.message.startswith("theme fuzz.toml")
        return
    assert isinstance(th, Theme)
    th.tickers()


@FUZZ
@given(
    doc=theme_docs(),
    garble=st.one_of(st.none(), st.text(max_size=30)),
    cut=st.integers(0, 100),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_theme_files_give_a_theme_or_a_theme_error(
    doc: dict[str, Any], garble: str | None, cut: int, encoding: str
) -> None:
    text = to_toml(doc)
    if garble is not None:  # damage the text: insert junk somewhere, or cut it short
        at = len(text) * cut // 100
        text = text[:at] + garble + text[at:] if garble else text[:at]
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "fuzz.toml"
        p.write_bytes(data)
        try:
            th = load_theme(p)
        except ThemeError:
            return
    assert isinstance(th, Theme)
    th.tickers()
