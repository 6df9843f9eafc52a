"""Publication lags: when a macro observation became public, for series that carry no vintages.

A FRED series without vintages (a downloaded CSV) says what a value *is*, not when it was known. The
panel already holds back period-start stamps until their period ends (:func:`hypecheck.known.period_rule`);
many releases come later still. :data:`LAGS` adds the documented delay, in calendar days, counted
from the end of the observation's period (for a weekly series stamped on its last day, from the
stamp). Each value is conservative: the latest usual release date, so a check never uses a number
before it was published (at worst a few days after).

Sources: the release calendars of the BLS (Employment Situation: the first Friday after the month,
at most 7 days; CPI: 10-15 days after), the BEA (GDP advance estimate about 30 days after the
quarter; Personal Income and Outlays about 30 days after the month), the Federal Reserve (H.6 money
stock about 4 weeks after the month; G.17 industrial production about 17 days after), the Census
Bureau (new residential construction about 18 days after; retail sales about 16 days after) and the
Department of Labor (weekly claims: the Thursday after the week ending Saturday, 5 days).

Where the lags apply: :class:`hypecheck.known.KnownView`, the one cut every input of a check and
of the lab goes through, for macro series *without* vintages. A series with vintages (an ALFRED
all-vintages file, FRED's ``realtime_start``) is cut by its vintage dates instead, which are its publication dates. A
theme overrides or adds a lag per series in its ``[release]`` table (series id = days, counted as
here), e.g. ``[release]`` / ``ICSA = 5`` / ``MYSERIES = 40``; an id not listed keeps the lag below.
A series listed nowhere gets a conservative **assumed** lag by its frequency (:data:`ASSUMED_LAGS`:
daily market series none, weekly 7 days, monthly 60, quarterly 90, annual 120 days after the period
ends), and every report says "assumed lag N days" for it: Case-Shiller home prices (CSUSHPINSA) come
about 60 days after their month, job openings (JTSJOL) about 40, so a zero lag would use them weeks
before publication.
"""

from __future__ import annotations

from typing import Protocol

import pandas as pd

LAGS: dict[str, int] = {
    # weekly, stamped on the week-ending Saturday, released the following Thursday
    "ICSA": 5,
    "CCSA": 12,  # continuing claims: one week later than initial claims
    # monthly (stamped on the 1st; counted from the month's end)
    "UNRATE": 7,
    "U6RATE": 7,
    "PAYEMS": 7,
    "CIVPART": 7,
    "AHETPI": 7,
    "CPIAUCSL": 15,
    "CPILFESL": 15,
    "PCEPI": 31,
    "PCEPILFE": 31,
    "INDPRO": 17,
    "M2SL": 28,
    "M2REAL": 28,
    "HOUST": 18,
    "PERMIT": 18,
    "RSXFS": 16,
    # quarterly (counted from the quarter's end): the advance estimate
    "GDPC1": 30,
    "GDP": 30,
    "A191RL1Q225SBEA": 30,
    # monthly averages of daily rates, published the first business day after the month (H.15)
    "FEDFUNDS": 1,
    # Case-Shiller (last Tuesday of the second month after) and JOLTS (about 5-6 weeks after)
    "CSUSHPINSA": 60,
    "JTSJOL": 40,
    # bundled monthly datasets: the one-month T-bill return (set at the month's start) and Moody's
    # monthly average yields (known at the month's end)
    "FF:RF": 0,
    "ARCH:BAA-AAA": 1,
}

ASSUMED_LAGS: dict[str, int] = {"D": 0, "W": 7, "M": 60, "Q": 90, "A": 120, "irregular": 60}


def lag_info(series_id: str, frequency: str | None = None) -> tuple[int, bool]:
    """``(days, documented)``: the documented lag of ``series_id``, else the assumed lag of its
    ``frequency`` (:data:`ASSUMED_LAGS`; 0 when the frequency is not given either)."""
    key = series_id.strip().upper()
    if key in LAGS:
        return LAGS[key], True
    return ASSUMED_LAGS.get(frequency or "", 0), False


def lag_days(series_id: str, frequency: str | None = None) -> int:
    """The publication lag of ``series_id`` in days: documented, else assumed from ``frequency``."""
    return lag_info(series_id, frequency)[0]


class Described(Protocol):
    """What the rule reads of a series' metadata (:class:`hypecheck.schema.SeriesMeta` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def frequency(self) -> str: ...


_PERIOD_WORD = {"M": "month", "Q": "quarter", "A": "year", "W": "week"}


def period_rule(index: pd.DatetimeIndex, frequency: str, kind: str) -> tuple[pd.DatetimeIndex | None, str]:
    """When each observation becomes known, decided per observation, and the note that says how.

    FRED stamps monthly and quarterly averages on the 1st (January's average is dated 1 January but
    known only after the month ends); Google Trends stamps weeks on their first day (a Sunday) and
    months on the 1st. A series with *no* period-start stamp is stamped at the end of its periods
    (daily closes, month-end levels): ``(None, "")``, each value usable on its own date.

    A series with *any* period-start stamp is period-stamped: every observation is used from the end
    of the period it falls in (a start stamp moves to its period's last day; a stamp already on the
    last day does not move; a stray mid-period stamp, such as a row re-dated to the 15th, waits for
    its period's end too). There is no fallback that switches the rule off: mixed stamps (one re-dated
    row, or fewer than half the stamps on a period's first day) are read the safe way, never as
    end-of-period stamps, and the note says how many stamps were of each kind. Decided on the index
    given, so a caller that passes the series cut at the as-of date decides with nothing after it.
    """
    word = _PERIOD_WORD.get(frequency)
    if len(index) == 0 or word is None or (frequency == "W" and kind != "search"):
        return None, ""
    idx = pd.DatetimeIndex(index)
    if frequency == "M":
        mask = idx.day == 1
        ends = idx + pd.offsets.MonthEnd(0)
    elif frequency == "Q":
        mask = (idx.day == 1) & idx.month.isin([1, 4, 7, 10])
        ends = idx + pd.offsets.QuarterEnd(0)
    elif frequency == "A":
        mask = (idx.day == 1) & (idx.month == 1)
        ends = idx + pd.offsets.YearEnd(0)
    else:  # weekly search interest: weeks run Sunday to Saturday
        mask = idx.day_of_week == 6
        ends = idx + pd.to_timedelta((5 - idx.day_of_week) % 7, unit="D")
    starts = int(mask.sum())
    if starts == 0:
        return None, ""
    n = len(idx)
    if starts == n:
        note = f"values stamped at the start of their {word} are used once the {word} has ended"
        return pd.DatetimeIndex(ends), note
    others = n - starts
    share = (
        f"fewer than half are {word} starts, but the series is not read as stamped at {word} ends "
        f"(that could use a value before its {word} ended): "
        if starts < n / 2
        else ""
    )
    note = (
        f"mixed date stamps: {starts} of {n} observations stamped on the first day of their {word}, "
        f"{others} on other days; {share}every value is used once the {word} it falls in has ended"
    )
    return pd.DatetimeIndex(ends), note


def period_end(index: pd.DatetimeIndex, frequency: str, kind: str) -> pd.DatetimeIndex | None:
    """When each observation becomes known (see :func:`period_rule`); None for a series stamped at
    the end of its periods (daily closes, month-end levels), usable on its own dates."""
    return period_rule(index, frequency, kind)[0]


def _lag_of(meta: Described, lag: int | None) -> tuple[int, bool]:
    """``(days, documented)``: ``lag`` (a theme's ``[release]`` entry) when given, else the release
    lag of a macro series (documented or assumed, :mod:`hypecheck.release`); 0 for other kinds."""
    if lag is not None:
        return lag, True
    return lag_info(meta.id, meta.frequency) if meta.kind == "macro" else (0, True)


def known_dates(meta: Described, index: pd.DatetimeIndex, lag: int | None = None) -> pd.DatetimeIndex:
    """When each plain (vintage-less) observation stamped ``index`` became public: its period's end
    (:func:`period_rule`, decided on ``index``) plus the release lag (``lag``, else documented or
    assumed for a macro series, :mod:`hypecheck.release`; 0 for prices and search interest)."""
    idx = pd.DatetimeIndex(index)
    ends = period_end(idx, meta.frequency, meta.kind)
    days = _lag_of(meta, lag)[0]
    return pd.DatetimeIndex((ends if ends is not None else idx) + pd.Timedelta(days=days))


def publication_dates(index: pd.DatetimeIndex, meta: Described) -> pd.DatetimeIndex:
    """When plain observations of a series described by ``meta`` became public (:func:`known_dates`):
    what a plain CSV's dates get as their vintage when merged with a vintaged file."""
    return known_dates(meta, index)
