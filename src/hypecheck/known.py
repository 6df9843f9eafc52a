"""Data as known on a date: the one date cut of hypecheck (:class:`KnownView`).

Everything that reads data "as of" a date reads it here: the check's panel
(:func:`hypecheck.panel.build_panel`), the lab's market-wide context
(:func:`hypecheck.lab.history.build_context`, which the scan reads too), the lab's point-in-time
closes and the history pillar's bundled long history. The rules, once:

* **Vintages.** A series with vintages (an ALFRED all-vintages file, FRED's ``realtime_start``; kept
  through merges with plain CSVs, :func:`hypecheck.schema.merge_inputs`): each observation's value in
  the latest vintage dated on or before the date; an observation no such vintage holds was not
  published yet. Vintage dates are publication dates: no lag is added.
* **Periods.** Without vintages, a value stamped at the start of its period (FRED's monthly average
  on the 1st, a Trends week on its Sunday) is known once its period has ended (:func:`period_rule`).
* **Release lags.** A macro series is then held back by its documented publication lag
  (:data:`hypecheck.release.LAGS`), else a conservative *assumed* lag by frequency
  (:data:`hypecheck.release.ASSUMED_LAGS`), said in the note as "assumed lag N days"; a theme's
  ``[release]`` table overrides both. Prices and search interest have none.
* **Trends windows** of one term (several files on different 0-100 scales) are re-merged from their
  inputs, each cut at the date, so a window running on never changes a past value.
* **Staleness** is counted from the publication date (:data:`MAX_AGE_DAYS` by frequency).

One as-of parser (:func:`parse_as_of`) turns what a user typed into the date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from .errors import InputError, short
from .release import _lag_of
from .release import known_dates as known_dates
from .release import period_end as period_end
from .release import period_rule as period_rule
from .release import publication_dates as publication_dates
from .schema import Catalog, Kind, SeriesData

# How old the last observation may be, counted from its publication, before a series counts as stale.
MAX_AGE_DAYS = {"D": 10, "W": 21, "M": 62, "Q": 190, "A": 400, "irregular": 62}


@overload
def parse_as_of(value: None, what: str = ...) -> None: ...
@overload
def parse_as_of(value: str | dt.date | pd.Timestamp, what: str = ...) -> pd.Timestamp: ...
def parse_as_of(value: str | dt.date | pd.Timestamp | None, what: str = "as-of date") -> pd.Timestamp | None:
    """The day ``value`` names (None stays None): a ``YYYY-MM-DD`` string, a date or a timestamp.
    ``what`` names it in the error (``"--since"``), which quotes it as typed. A real date pandas
    cannot hold (0001-01-01, 9999-12-31) is kept at the nearest end, so a range check says plainly
    that it is before or after the data."""
    if value is None:
        return None
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise InputError(
                f"{what} {short(value)} is not an ISO date (ambiguous or not a date)",
                hint="write it as YYYY-MM-DD",
            )
        value = value.strip()
    try:
        ts = pd.Timestamp(value)
    except pd.errors.OutOfBoundsDatetime:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return pd.Timestamp.min.ceil("D") if d.year < 1970 else pd.Timestamp.max.floor("D")
    except (ValueError, TypeError):
        raise InputError(f"{what} {short(value)} is not a date", hint="write it as YYYY-MM-DD") from None
    if ts is pd.NaT:
        raise InputError(f"{what} {short(value)} is not a date", hint="write it as YYYY-MM-DD")
    return ts.normalize()


ASSUMED_LAG_WORDS = "assumed lag {days} days after its period ends"  # in a cut's note (cut_known)
_ASSUMED_LAG = re.compile(r"\bassumed lag (\d+) days after its period ends\b")


def assumed_lag_in(note: str | None) -> int | None:
    """The release lag in days a cut's note says was *assumed* (:data:`ASSUMED_LAG_WORDS`: no
    documented lag and none in the theme's ``[release]`` table), else None."""
    m = _ASSUMED_LAG.search(note or "")
    return int(m.group(1)) if m else None


def cut_known(s: SeriesData, as_of: pd.Timestamp, lag: int | None = None) -> tuple[SeriesData, str | None]:
    """The series as it was knowable on ``as_of`` (see the module): vintages by vintage date, else
    nothing dated after ``as_of``, period-start stamps once their period has ended (decided on the
    stamps up to ``as_of`` only) and the release lag of a macro series (``lag`` overrides it, in days:
    the theme's ``[release]`` table). Returns the cut and a note when a rule applied."""
    if s.vintages is not None:
        return _cut_vintages(s, as_of)
    cut = s.cut(as_of)
    ends, rule = period_rule(pd.DatetimeIndex(cut.values.index), s.meta.frequency, s.meta.kind)
    lag, documented = _lag_of(s.meta, lag)
    if ends is None and not lag:
        return cut, None
    known = (ends if ends is not None else pd.DatetimeIndex(cut.values.index)) + pd.Timedelta(days=lag)
    keep = np.asarray(known <= as_of)
    dropped = int((~keep).sum())
    flags = cut.flags.loc[keep] if cut.flags is not None else None
    pulls = cut.pulls.loc[keep] if cut.pulls is not None else None
    parts = [rule] if ends is not None else []
    if lag and documented:
        parts.append(
            f"published {lag} days after its period ends (documented release lag, hypecheck.release)"
        )
    elif lag:
        parts.append(
            f"{ASSUMED_LAG_WORDS.format(days=lag)} (no documented release lag for this series: "
            f"the conservative default of a series of frequency {s.meta.frequency}; a theme's [release] "
            "table overrides it)"
        )
    what = "unfinished or unpublished period" if lag else "unfinished period"
    note = "; ".join(parts) + (f" ({_plural(dropped, what)} left out)" if dropped else "")
    return SeriesData(cut.meta, cut.values.loc[keep], flags, pulls), note


def published_on(s: SeriesData, date: pd.Timestamp, lag: int | None = None) -> pd.Timestamp:
    """When the observation of ``s`` dated ``date`` became public: its first vintage holding it (a
    series with vintages), else its period's end plus the publication lag (:func:`known_dates`)."""
    date = pd.Timestamp(date)
    if s.vintages is not None and date in s.vintages.index:
        row = s.vintages.loc[date]
        have = row.index[row.notna().to_numpy()]
        if len(have):
            return pd.Timestamp(have[0])
    return pd.Timestamp(known_dates(s.meta, pd.DatetimeIndex([date]), lag)[0])


def _cut_vintages(s: SeriesData, as_of: pd.Timestamp) -> tuple[SeriesData, str]:
    """:func:`cut_known` for a series with vintages: per observation, the latest vintage on or before
    ``as_of``."""
    v = s.vintages
    assert v is not None
    cols = pd.DatetimeIndex(v.columns)
    cols = cols[cols <= as_of]
    rows = np.asarray(v.index <= as_of)
    known = v.loc[rows, cols]
    if len(cols):
        latest = known.ffill(axis=1).iloc[:, -1]
    else:
        latest = pd.Series(np.nan, index=known.index, dtype="float64")
    keep = latest.notna().to_numpy()
    values = latest.loc[keep]
    flags = s.flags.loc[rows].loc[keep] if s.flags is not None else None
    pulls = s.pulls.loc[rows].loc[keep] if s.pulls is not None else None
    # the note says only what was known on as_of: nothing in it changes when later vintages arrive
    if len(cols):
        note = (
            f"values as published in the vintage of {cols[-1].date()}, the latest on or before "
            f"{as_of.date()} ({_plural(len(cols), 'vintage')} known then)"
        )
    else:
        note = f"no vintage on or before {as_of.date()}: nothing published yet"
    return SeriesData(s.meta, values, flags, pulls, known.loc[keep]), note


def _cut_search_inputs(
    s: SeriesData, parts: list[SeriesData], as_of: pd.Timestamp, lag: int | None
) -> tuple[SeriesData, str | None]:
    """A search series merged from several Trends files, merged again from its inputs each cut at
    ``as_of`` (same order, same rules): the stitching ratio of overlapping windows and the rescaling to
    a maximum of 100 then use only periods known on ``as_of``, so later periods (a window running on,
    a higher peak) never change a past value."""
    from .schema import _merge_search

    cuts = [cut_known(p, as_of, lag) for p in parts]
    known = [(c, note) for c, note in cuts if not c.values.dropna().empty]
    if not known:
        return cut_known(s, as_of, lag)
    merged = known[0][0]
    for c, _ in known[1:]:
        merged = _merge_search(merged, c)
    return merged, known[0][1]


def cut_closes(s: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Closes (values stamped at the end of their day) as knowable on ``as_of``: those dated on or
    before it. For closes already taken from a catalog; series of a catalog go through the view."""
    return s.loc[pd.DatetimeIndex(s.index) <= as_of]


def cut_frame(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """A wide frame of values stamped at the end of their periods (daily closes, one column per
    member) as knowable on ``as_of``: the rows dated on or before it. For inputs that are not series
    of the panel (``hypecheck breadth``'s closes and caps); series go through :class:`KnownView`."""
    return frame.loc[pd.DatetimeIndex(frame.index) <= as_of]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class Known:
    """One series as known on a view's date: ``data`` (the cut), the ``source`` it was cut from (as
    held in the catalog), the ``note`` saying which rule applied, its last observation and when that
    was published."""

    source: SeriesData
    data: SeriesData
    note: str | None
    last: pd.Timestamp | None
    published: pd.Timestamp | None
    stale: bool = False  # published longer ago than MAX_AGE_DAYS allows for its frequency

    def age_days(self, as_of: pd.Timestamp) -> int | None:
        """Days from the last observation's date to ``as_of``."""
        return None if self.last is None else int((as_of - self.last).days)

    def publication_age(self, as_of: pd.Timestamp) -> int | None:
        """Days from the last observation's publication to ``as_of``: what staleness is counted on."""
        return None if self.published is None else int((as_of - self.published).days)


class KnownView:
    """The data of ``catalog`` as known on ``as_of`` (see the module). ``release`` is a theme's
    ``[release]`` table (series id = days), looked up in any case.

    ``as_of=None`` is the lab's view of a whole history: :meth:`realtime` and :meth:`windows` then
    give every value by the date it became known, so any later date reads what was known then;
    methods that need one date (:meth:`read`, :meth:`cut`) need ``as_of``."""

    def __init__(
        self,
        catalog: Catalog,
        as_of: pd.Timestamp | dt.date | str | None = None,
        release: Mapping[str, int] | None = None,
    ) -> None:
        self.catalog = catalog
        self.as_of = None if as_of is None else parse_as_of(as_of)
        self._release = {k.strip().casefold(): int(v) for k, v in (release or {}).items()}

    def __repr__(self) -> str:
        when = "every date" if self.as_of is None else str(self.as_of.date())
        return f"<KnownView of {self.catalog!r} as known on {when}>"

    def _date(self) -> pd.Timestamp:
        if self.as_of is None:
            raise ValueError("this KnownView has no as-of date (pass as_of to cut at one)")
        return self.as_of

    def at(self, as_of: pd.Timestamp | dt.date | str) -> KnownView:
        """The same catalog and release table as known on another date."""
        out = KnownView(self.catalog, as_of)
        out._release = self._release
        return out

    def lag(self, *names: str) -> int | None:
        """The ``[release]`` lag (days) of the first of ``names`` listed (any case), else None."""
        return next((self._release[n.casefold()] for n in names if n and n.casefold() in self._release), None)

    def max_age(self, frequency: str) -> int:
        """Days after its publication a value of this frequency is still current (:data:`MAX_AGE_DAYS`)."""
        return MAX_AGE_DAYS.get(frequency, 62)

    # ------------------------------------------------------------------ one date
    def cut(self, s: SeriesData, lag: int | None = None, parts: list[SeriesData] | None = None) -> Known:
        """``s`` as known on the view's date; ``parts`` (the Trends windows a search series was merged
        from) are re-merged, each cut at the date."""
        as_of = self._date()
        if lag is None:
            lag = self.lag(s.meta.id)
        if parts is not None and len(parts) > 1:
            cut, note = _cut_search_inputs(s, parts, as_of, lag)
        else:
            cut, note = cut_known(s, as_of, lag)
        v = cut.values.dropna()
        last = pd.Timestamp(v.index[-1]) if len(v) else None
        published = published_on(s, last, lag) if last is not None else None
        pub_age = None if published is None else int((as_of - published).days)
        stale = pub_age is not None and pub_age > self.max_age(s.meta.frequency)
        return Known(s, cut, note, last, published, stale)

    def read(self, kind: Kind, stored: str, *names: str) -> list[Known]:
        """The series held as ``(kind, stored)`` as known on the view's date: every frequency of a
        search or news term, else the finest; ``names`` (the theme's names for it) pick its
        ``[release]`` lag. Empty when the catalog does not hold it."""
        if not self.catalog.has(kind, stored):
            return []
        found = (
            self.catalog.all(kind, stored) if kind in ("search", "news") else [self.catalog.get(kind, stored)]
        )
        out = []
        for s in found:
            lag = self.lag(*names, stored, s.meta.id)
            parts = self.catalog.inputs(kind, stored, s.meta.frequency) if kind == "search" else []
            out.append(self.cut(s, lag, parts))
        return out

    def closes(self, id: str) -> pd.Series | None:
        """The closes of price series ``id`` known on the view's date (all of them without one), NaN
        dropped; None when the catalog holds none."""
        if not self.catalog.has("price", id):
            return None
        s = self.catalog.get("price", id).values.dropna()
        if self.as_of is not None:
            s = cut_closes(s, self.as_of)
        return s if len(s) else None

    # ------------------------------------------------------------------ every date (the lab)
    def realtime(self, kind: Kind, id: str) -> pd.Series | None:
        """Series ``(kind, id)`` as it was known over time: on each date a value became known (a
        vintage, or an observation's period end plus its release lag), the newest observation's value
        as known then; so on any date the last entry is what was published by then (first releases
        and revisions as they came, never a later revision). Cut at the view's date when it has one."""
        if not self.catalog.has(kind, id):
            return None
        sd = self.catalog.get(kind, id)
        if sd.vintages is not None:
            out = _realtime_vintages(sd.vintages)
        else:
            v = sd.values.dropna()
            if v.empty:
                return None
            out = pd.Series(v.to_numpy(), index=known_dates(sd.meta, pd.DatetimeIndex(v.index), self.lag(id)))
            out = out.sort_index(kind="mergesort")
            out = out[~out.index.duplicated(keep="last")]
        if out is not None and self.as_of is not None:
            out = out.loc[out.index <= self.as_of]
        return out if out is not None and len(out) else None

    def windows(self, sd: SeriesData) -> Iterator[tuple[pd.Timestamp, SeriesData]]:
        """``(date, series as known on it)`` for every date a value of search series ``sd`` became
        known (up to the view's date): its Trends windows re-merged from the inputs cut at each date,
        so a later window (a new peak, another overlap) never changes what an earlier date read. A
        series merged from one input is cut once per date the same way."""
        parts = self.catalog.inputs(sd.meta.kind, sd.meta.id, sd.meta.frequency)
        v = sd.values.dropna()
        dates = pd.DatetimeIndex(sorted(set(known_dates(sd.meta, pd.DatetimeIndex(v.index)))))
        if self.as_of is not None:
            dates = dates[dates <= self.as_of]
        for d in dates:
            yield d, self.at(d).cut(sd, 0, parts).data


def _realtime_vintages(frame: pd.DataFrame) -> pd.Series | None:
    """A series with vintages over time: on each vintage date (a publication), the newest
    observation's value in that vintage."""
    rows = []
    for col in frame.columns:
        c = frame[col].dropna()
        if len(c):
            rows.append((pd.Timestamp(col), float(c.iloc[-1])))
    if not rows:
        return None
    out = pd.Series([v for _, v in rows], index=pd.DatetimeIndex([d for d, _ in rows]))
    return out[~out.index.duplicated(keep="last")].sort_index()
