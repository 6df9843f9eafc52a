"""The ``fred`` provider: FRED / ALFRED macro series, with vintages when an API key is available.

With an API key: the official API ``https://api.stlouisfed.org/fred/series/observations``
(``series_id``, ``api_key``, ``file_type=json``, optional ``observation_start``/``observation_end``).
Each observation carries the *real-time period* in which FRED held that value: ``{"realtime_start":
"2024-01-01", "realtime_end": "2024-01-01", "date": "2023-10-01", "value": "5.33"}``; missing values
are ``"."``. Errors are HTTP 400 with ``{"error_code": 400, "error_message": "Bad Request.  The
series does not exist."}``.

Vintages (ALFRED): ``vintage=D`` sends ``realtime_start=realtime_end=D`` and returns the values *as
they were known on D* (before later revisions), which is what a point-in-time backtest needs.
``realtime_start``/``realtime_end`` may also be given separately; a window holding several vintages
of one date keeps the latest in the series (said in the notes), and
:meth:`FredProvider.observations_with_vintages` returns every row
(``date, value, realtime_start, realtime_end``) for the store. The series returned is a
:class:`FredSeries` whose ``realtime`` frame holds each value's ``realtime_start``/``realtime_end``.

The key comes from ``api_key=``, else the environment variable ``FRED_API_KEY``, else the config file
``~/.config/hypecheck/config.toml`` (path overridable with ``HYPECHECK_CONFIG``), table ``[fred]``,
``api_key = "..."``. It is sent as a request parameter and never appears in messages, notes or
``Query.describe()``: every message built from FRED's answer is scrubbed of it (and of any
``api_key=...`` value, e.g. an echoed request URL), and a :class:`~.base.SecretFilter` on the
``httpx`` logger scrubs the request lines httpx logs at INFO. A 400 counts as a rejected key only when
FRED says so ("... variable api_key ..."), not when its message merely quotes the URL.

Without a key: the keyless download ``https://fred.stlouisfed.org/graph/fredgraph.csv?id=SERIES``
(``observation_date,SERIES``; older files ``DATE,SERIES``; missing as ``.`` or empty). That is the
*latest vintage only*, which the notes say. Frequency is inferred from the dates (D/W/M/Q/A).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import HypecheckError, InputError, NoDataError, ProviderError, UnknownSeriesError
from ...schema import SeriesData, SeriesMeta, infer_frequency
from .base import (
    Http,
    Query,
    Raw,
    as_date,
    install_log_filter,
    register_provider,
    register_secret,
    scrub,
    scrub_error,
)

__all__ = ["API_URL", "CSV_URL", "FredProvider", "FredSeries", "find_api_key"]

API_URL = "https://api.stlouisfed.org/fred/series/observations"
CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
KEY_ENV = "FRED_API_KEY"
CONFIG_ENV = "HYPECHECK_CONFIG"
DEFAULT_CONFIG = "~/.config/hypecheck/config.toml"
SERIES_ID = re.compile(r"^[A-Z0-9_]{1,40}$")
ALL_REALTIME = ("1776-07-04", "9999-12-31")  # FRED's documented bounds: every vintage
MISSING = frozenset({".", ""})
# FRED's own words when it refuses a key: "The value for variable api_key is not registered.",
# "Variable api_key is not set.", "... variable api_key is not a 32 character alpha-numeric ..."
KEY_REJECTED = re.compile(r"\bvariable api_key\b", re.IGNORECASE)
_KEY_HINT = (
    f"get a free key at https://fred.stlouisfed.org/docs/api/api_key.html and set {KEY_ENV}, or put "
    f'[fred] api_key = "..." in {DEFAULT_CONFIG}'
)


@dataclass
class FredSeries(SeriesData):
    """A FRED series plus, per value, the real-time period FRED held it in: ``realtime`` has columns
    ``realtime_start`` and ``realtime_end`` (``datetime.date``; ``9999-12-31`` = still current) on the
    values' dates; None for the keyless CSV download (latest vintage, no real-time periods). ``fetch``
    stores each value with its ``realtime_start`` as the vintage."""

    realtime: pd.DataFrame | None = None


def _config_key(path: Path) -> str | None:
    if not path.is_file():
        return None
    from ..._toml import read_bounded

    hint = 'fix the TOML syntax (a table [fred] with api_key = "...")'
    try:  # bounded: a config file nested 500 deep is an InputError, not a RecursionError
        doc = read_bounded(path, "it", InputError, hint=hint)
    except InputError as exc:
        raise InputError(f"cannot read the hypecheck config file {path}: {exc.message}", hint=hint) from None
    table = doc.get("fred")
    key = table.get("api_key") if isinstance(table, dict) else None
    if key is not None and not isinstance(key, str):
        raise InputError(f"{path}: [fred] api_key must be a string", hint='write api_key = "..." in quotes')
    return (key or "").strip() or None


def find_api_key(
    environ: Mapping[str, str] | None = None, config_path: str | os.PathLike[str] | None = None
) -> str | None:
    """The FRED API key: ``FRED_API_KEY``, else ``[fred] api_key`` in the config file (``config_path``,
    else ``HYPECHECK_CONFIG``, else ``~/.config/hypecheck/config.toml``); None when neither is set."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV, "").strip()
    if key:
        return key
    path = config_path or env.get(CONFIG_ENV) or DEFAULT_CONFIG
    return _config_key(Path(path).expanduser())


class FredProvider:
    """FRED observations (see the module docstring). ``api_key`` overrides the environment and the
    config file; ``environ``/``config_path`` are injectable for tests."""

    name = "fred"
    kinds: tuple[str, ...] = ("macro",)

    def __init__(
        self,
        http: Http | None = None,
        *,
        api_key: str | None = None,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 3,
        backoff: float = 1.0,
        environ: Mapping[str, str] | None = None,
        config_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.http = http or Http(self.name, client, retries=retries, backoff=backoff, sleep=sleep)
        self._api_key = api_key
        self._environ = environ
        self._config_path = config_path
        register_secret(api_key)
        install_log_filter("httpx")  # httpx logs each request's full URL, key included, at INFO

    def __repr__(self) -> str:  # never show the key
        try:
            state = "set" if self._key() else "none"
        except HypecheckError:
            state = "unreadable config"
        return f"FredProvider(key={state})"

    def _key(self) -> str | None:
        key = self._api_key or find_api_key(self._environ, self._config_path)
        register_secret(key)
        return key

    # ------------------------------------------------------------------ the three steps
    def query(
        self,
        id: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        vintage: dt.date | str | None = None,
        realtime_start: dt.date | str | None = None,
        realtime_end: dt.date | str | None = None,
        **options: Any,
    ) -> Query:
        """``vintage=D``: the values as known on D (``realtime_start=realtime_end=D``)."""
        sid = id.strip().upper()
        if not SERIES_ID.match(sid):
            raise InputError(
                f"not a FRED series id: {id!r}",
                hint="FRED ids are letters, digits and '_' (DGS10, UNRATE); look them up on "
                "https://fred.stlouisfed.org",
            )
        first, last = as_date(start, sid), as_date(end, sid)
        if first and last and first > last:
            raise InputError(f"{sid}: start {first} is after end {last}", hint="swap the dates")
        rt_start = as_date(realtime_start, f"{sid} realtime_start")
        rt_end = as_date(realtime_end, f"{sid} realtime_end")
        when = as_date(vintage, f"{sid} vintage")
        if when is not None:
            if rt_start or rt_end:
                raise InputError(
                    f"{sid}: give vintage= or realtime_start/realtime_end, not both",
                    hint="vintage=D is realtime_start=realtime_end=D",
                )
            rt_start = rt_end = when
        key = self._key()
        opts: dict[str, Any] = dict(options)
        if key is None:
            if rt_start or rt_end:
                raise InputError(
                    f"{sid}: vintages (values as known on a date) need a FRED API key",
                    hint=_KEY_HINT + "; without a key only the latest vintage (fredgraph.csv) is available",
                )
            opts["mode"] = "csv"
            return Query(self.name, "macro", sid, CSV_URL, {"id": sid}, first, last, opts)
        params = {"series_id": sid, "api_key": key, "file_type": "json"}
        if first:
            params["observation_start"] = first.isoformat()
        if last:
            params["observation_end"] = last.isoformat()
        if rt_start:
            params["realtime_start"] = rt_start.isoformat()
        if rt_end:
            params["realtime_end"] = rt_end.isoformat()
        opts["mode"] = "json"
        if when is not None:
            opts["vintage"] = when.isoformat()
        return Query(self.name, "macro", sid, API_URL, params, first, last, opts)

    def fetch(self, query: Query) -> Raw:
        try:
            status, content, headers = self.http.get(query, what=f"FRED series {query.id!r}")
        except HypecheckError as exc:
            raise scrub_error(exc) from None
        return Raw(query, status, content, dt.datetime.now(dt.UTC), headers)

    def standardize(self, raw: Raw) -> list[SeriesData]:
        try:
            frame = self._frame(raw)
            return [_series(raw, frame)]
        except HypecheckError as exc:  # every message, whatever built it, leaves scrubbed
            raise scrub_error(exc) from None

    def get(
        self, id: str, start: dt.date | None = None, end: dt.date | None = None, **opts: Any
    ) -> list[SeriesData]:
        """``standardize(fetch(query(...)))``."""
        return self.standardize(self.fetch(self.query(id, start, end, **opts)))

    def observations_with_vintages(
        self,
        series_id: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        realtime_start: dt.date | str = ALL_REALTIME[0],
        realtime_end: dt.date | str = ALL_REALTIME[1],
    ) -> pd.DataFrame:
        """Every observation row FRED holds in the real-time window (by default all vintages):
        columns ``date`` (Timestamp), ``value`` (float, NaN for ``.``), ``realtime_start`` and
        ``realtime_end`` (``datetime.date``). Needs an API key."""
        q = self.query(series_id, start, end, realtime_start=realtime_start, realtime_end=realtime_end)
        frame = self._frame(self.fetch(q))
        return frame.reset_index(drop=True)

    def vintages_frame(
        self, series_id: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> pd.DataFrame | None:
        """Every vintage of the observations from ``start`` (ALFRED's full real-time window) as the
        schema's vintages frame: observation dates x vintage dates (each row's ``realtime_start``), a
        cell where that vintage published a value. None without an API key (the keyless CSV holds the
        latest vintage only) or when FRED returns no rows."""
        if not self._key():
            return None
        rows = self.observations_with_vintages(series_id, start, end)
        rows = rows.loc[rows["value"].notna()]
        if rows.empty:
            return None
        frame = rows.assign(vintage=pd.to_datetime(rows["realtime_start"])).pivot_table(
            index="date", columns="vintage", values="value", aggfunc="last"
        )
        frame.index = pd.DatetimeIndex(frame.index)
        frame.columns = pd.DatetimeIndex(frame.columns)
        return frame.sort_index().sort_index(axis=1).astype("float64")

    # ------------------------------------------------------------------ parsing
    def _scrub(self, text: str) -> str:
        key = self._key()
        return scrub(text.replace(key, "***") if key else text)

    def _frame(self, raw: Raw) -> pd.DataFrame:
        try:
            if raw.query.options.get("mode") == "csv":
                return _parse_csv(raw)
            return _parse_json(raw, self._scrub)
        except HypecheckError as exc:  # observations_with_vintages() comes here without standardize()
            raise scrub_error(exc) from None


def _malformed(raw: Raw, why: str) -> ProviderError:
    # ``why`` may quote FRED's answer, which may echo the request URL with the key
    return ProviderError(
        f"FRED series {raw.query.id!r}: malformed response: {scrub(why)} ({raw.query.describe()})",
        hint="FRED may have changed its format or served an error page; retry later",
    )


def _empty(raw: Raw) -> ProviderError:
    return ProviderError(
        f"FRED series {raw.query.id!r}: empty response ({raw.query.describe()})",
        hint="retry later; an empty answer is usually a transient FRED problem",
    )


def _unknown(sid: str, detail: str) -> UnknownSeriesError:
    return UnknownSeriesError(
        f"FRED does not know the series {sid!r}: {detail}",
        hint=f"check the id on https://fred.stlouisfed.org/series/{sid} (ids look like DGS10, UNRATE)",
    )


def _values(raw: Raw, cells: pd.Series) -> pd.Series:
    text = cells.astype("string").str.strip()
    missing = (text.isna() | text.isin(list(MISSING))).astype(bool)
    nums = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = nums.isna() & ~missing
    if bad.any():
        example = scrub(str(text[bad].iloc[0]))  # scrub before cutting: a cut key would not match
        if len(example) > 60:
            example = example[:57] + "..."
        raise _malformed(raw, f"value {example!r} is neither a number nor '.' (missing)")
    return nums.astype("float64")


def _parse_json(raw: Raw, scrub: Callable[[str], str]) -> pd.DataFrame:
    sid = raw.query.id
    doc: Any = None
    body = raw.content.strip()
    if body:
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
    if raw.status != 200:
        message = scrub(str(doc.get("error_message", ""))) if isinstance(doc, Mapping) else ""
        low = message.lower()
        if "does not exist" in low:
            raise _unknown(sid, message.removeprefix("Bad Request.").strip())
        if KEY_REJECTED.search(message):  # FRED's words, not a message that merely quotes the URL
            raise InputError(
                f"FRED rejected the API key for series {sid!r} (HTTP {raw.status}): {message}",
                hint=f"check {KEY_ENV} or [fred] api_key in the config file; " + _KEY_HINT,
            )
        if raw.status == 404:
            raise _unknown(sid, f"HTTP 404 {message}".strip())
        raise ProviderError(
            f"FRED series {sid!r}: HTTP {raw.status} {message} ({raw.query.describe()})".replace("  (", " ("),
            hint="check the series id and the dates; retry later if it persists",
        )
    if not body:
        raise _empty(raw)
    if doc is None:
        start = scrub(body[:1000].decode("utf-8", "replace"))[:40]  # scrub, then cut
        raise _malformed(raw, f"not JSON (it starts {start!r})")
    obs = doc.get("observations") if isinstance(doc, Mapping) else None
    if not isinstance(obs, list):
        raise _malformed(raw, "no 'observations' list")
    need = ("date", "value", "realtime_start", "realtime_end")
    if not all(isinstance(o, Mapping) and all(k in o for k in need) for o in obs):
        raise _malformed(raw, f"an observation lacks one of {', '.join(need)}")
    frame = pd.DataFrame({k: [o[k] for o in obs] for k in need})
    try:
        frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        for col in ("realtime_start", "realtime_end"):
            frame[col] = [dt.date.fromisoformat(str(v)) for v in frame[col]]
    except ValueError:
        raise _malformed(raw, "a date is not YYYY-MM-DD") from None
    frame["value"] = _values(raw, frame["value"])
    frame.attrs["units"] = str(doc.get("units", ""))
    return frame


def _parse_csv(raw: Raw) -> pd.DataFrame:
    sid = raw.query.id
    if raw.status == 404:
        raise _unknown(sid, "fredgraph.csv answered HTTP 404")
    if raw.status != 200:
        raise ProviderError(
            f"FRED series {sid!r}: fredgraph.csv answered HTTP {raw.status} ({raw.query.describe()})",
            hint="retry later, or set a FRED API key to use the official API",
        )
    text = raw.content.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise _empty(raw)
    if text.startswith("<"):
        raise ProviderError(
            f"FRED series {sid!r}: fredgraph.csv returned an HTML page instead of CSV "
            f"(the series may not exist) ({raw.query.describe()})",
            hint=f"check the id on https://fred.stlouisfed.org/series/{sid}; retry later if it exists",
        )
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if r]
    except csv.Error as exc:
        raise _malformed(raw, f"not CSV ({exc})") from None
    header = [c.strip() for c in rows[0]]
    if len(header) != 2 or header[0].lower() not in ("observation_date", "date") or header[1].upper() != sid:
        raise _malformed(raw, f"expected the header 'observation_date,{sid}' (or 'DATE,{sid}'), got {header}")
    body = rows[1:]
    if any(len(r) != 2 for r in body):
        raise _malformed(raw, "a row does not have 2 cells")
    frame = pd.DataFrame(body, columns=["date", "value"])
    try:
        frame["date"] = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d")
    except ValueError:
        raise _malformed(raw, "a date is not YYYY-MM-DD") from None
    frame["value"] = _values(raw, frame["value"])
    first, last = raw.query.start, raw.query.end
    if first is not None:
        frame = frame[frame["date"] >= pd.Timestamp(first)]
    if last is not None:
        frame = frame[frame["date"] <= pd.Timestamp(last)]
    return frame.reset_index(drop=True)


def _series(raw: Raw, frame: pd.DataFrame) -> FredSeries:
    sid = raw.query.id
    json_mode = raw.query.options.get("mode") != "csv"
    span = f"{raw.query.start or 'the start'} to {raw.query.end or 'the end'}"
    if frame.empty:
        raise NoDataError(
            f"FRED series {sid!r} has no observations from {span}",
            hint="widen the date range" + (" or pick a later vintage" if json_mode else ""),
        )
    notes: list[str] = []
    units = str(frame.attrs.get("units", ""))
    frame = frame.sort_values(["date", "realtime_start"] if json_mode else ["date"], kind="stable")
    dup = frame["date"].duplicated(keep="last")
    if dup.any():
        notes.append(
            f"{int(frame.loc[dup, 'date'].nunique())} date(s) had several vintages in the real-time window: "
            "kept the latest (observations_with_vintages() returns all)"
        )
        frame = frame[~dup]
    missing = frame["value"].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} missing value(s) ('.' or blank) skipped")
    frame = frame[~missing & np.isfinite(frame["value"].fillna(0.0))]
    if frame.empty:
        raise NoDataError(
            f"FRED series {sid!r}: every observation from {span} is missing ('.')",
            hint="widen the date range",
        )
    index = pd.DatetimeIndex(frame["date"])
    values = pd.Series(frame["value"].to_numpy(dtype="float64"), index=index)
    realtime = None
    if json_mode:
        vintage = raw.query.options.get("vintage")
        rt = raw.query.params
        if vintage:
            notes.append(
                f"values as known on {vintage} (ALFRED vintage: realtime_start=realtime_end={vintage})"
            )
        elif "realtime_start" in rt or "realtime_end" in rt:
            notes.append(
                f"real-time window {rt.get('realtime_start', 'today')}..{rt.get('realtime_end', 'today')}"
            )
        else:
            notes.append("latest vintage (values as FRED holds them today)")
        realtime = pd.DataFrame(
            {
                "realtime_start": frame["realtime_start"].to_numpy(),
                "realtime_end": frame["realtime_end"].to_numpy(),
            },
            index=index,
        )
        starts = sorted(set(frame["realtime_start"]))
        notes.append(f"vintages (realtime_start) from {starts[0]} to {starts[-1]}")
        if units and units != "lin":
            notes.append(f"units transformation: {units}")
        source = "FRED API (api.stlouisfed.org)"
    else:
        notes.append("latest vintage only (keyless fredgraph.csv download; set FRED_API_KEY for vintages)")
        source = "FRED graph CSV (fredgraph.csv)"
    meta = SeriesMeta(
        id=sid,
        kind="macro",
        source="fred",
        origin=raw.query.describe(),
        description=f"{source}: {sid}",
        frequency=infer_frequency(index),
        notes=tuple(notes),
    )
    return FredSeries(meta, values, realtime=realtime)


register_provider("fred", FredProvider, default=True)
