"""The panel: the data a theme needs, cut at the as-of date, with provenance.

Nothing unknown on ``as_of`` enters a panel: every series goes through :func:`cut_known` here, once
(per observation the latest vintage published by then; without vintages, nothing dated after it,
held back by the documented publication lag of :mod:`hypecheck.release` or the theme's ``[release]``
table). This is the only cut of input data; analytics also guard.
Names are resolved as a person means them (:meth:`~hypecheck.schema.Catalog.resolve`: case, and for
search terms underscores, spaces and file names); a name that finds nothing is missing with a reason
that says what was looked for, what the data hold that is close, and what to do.
A series that ends long before the as-of date is *stale* and treated as missing with the reason,
never silently used as if current. Events after the as-of date are kept apart as ``upcoming``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

from .schema import Catalog, Kind, SeriesData
from .theme import Event, Mapping, Theme

T = TypeVar("T")

# How old the last observation may be, relative to as-of, before a series counts as stale.
MAX_AGE_DAYS = {"D": 10, "W": 21, "M": 62, "Q": 190, "A": 400, "irregular": 62}


@dataclass(frozen=True)
class Provenance:
    id: str  # the theme's name for it
    kind: Kind
    resolved: str  # the id in the source (differs when mapped)
    source: str
    origin: str
    description: str
    frequency: str
    first: str | None
    last: str | None  # last observation used (<= as_of)
    age_days: int | None
    sample_data: bool
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class Panel:
    theme: Theme
    as_of: pd.Timestamp
    source: str
    prices: dict[str, SeriesData] = field(default_factory=dict)
    macro: dict[str, SeriesData] = field(default_factory=dict)
    search: dict[str, list[SeriesData]] = field(default_factory=dict)
    news: dict[str, list[SeriesData]] = field(
        default_factory=dict
    )  # news volume, for terms without search data
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    upcoming: list[Event] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    mapping: Mapping | None = None
    # results computed once per check and shared (the price pillar's RRG per benchmark and the sector
    # breadth are read again by the triggers); keys name the computation and its inputs
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, repr=False, compare=False)

    def computed(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """``make()`` once per panel for ``key`` (same inputs, same result), then the stored value."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]  # type: ignore[return-value]

    def price(self, id: str) -> pd.Series | None:
        s = _get(self.prices, id)
        return s.values if s is not None else None

    def macro_series(self, id: str) -> pd.Series | None:
        s = _get(self.macro, id)
        return s.values if s is not None else None

    def why_missing(self, kind: str, id: str) -> str:
        if (kind, id) in self.missing:
            return self.missing[(kind, id)]
        fold = id.casefold()
        for (k, i), why in self.missing.items():
            if k == kind and i.casefold() == fold:
                return why
        return f"{id} was not requested"


def _get(table: dict[str, SeriesData], id: str) -> SeriesData | None:
    """``table[id]``, else the entry whose key differs only in case (a trigger's ``rsp`` is RSP)."""
    if id in table:
        return table[id]
    fold = id.casefold()
    return next((s for k, s in table.items() if k.casefold() == fold), None)


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


def cut_known(s: SeriesData, as_of: pd.Timestamp, lag: int | None = None) -> tuple[SeriesData, str | None]:
    """The series as it was knowable on ``as_of``: the one cut every input goes through.

    * A series with vintages (:attr:`~hypecheck.schema.SeriesData.vintages`): each observation's value
      in the latest vintage dated on or before ``as_of``; an observation no such vintage holds is left
      out (it was not published yet). Vintage dates are publication dates, so no lag is added.
    * Otherwise: nothing dated after ``as_of``; period-stamped observations only once their period
      has ended (see :func:`period_rule`, decided on the stamps up to ``as_of`` only); and for macro
      series the documented publication lag of :mod:`hypecheck.release` (``lag`` overrides it, in days:
      the theme's ``[release]`` table).

    Returns the cut and a note when a rule applied."""
    from .release import lag_info

    if s.vintages is not None:
        return _cut_vintages(s, as_of)
    cut = s.cut(as_of)
    ends, rule = period_rule(pd.DatetimeIndex(cut.values.index), s.meta.frequency, s.meta.kind)
    documented = True
    if lag is None:
        lag, documented = lag_info(s.meta.id, s.meta.frequency) if s.meta.kind == "macro" else (0, True)
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
            f"assumed lag {lag} days after its period ends (no documented release lag for this series: "
            f"the conservative default of a series of frequency {s.meta.frequency}; a theme's [release] "
            "table overrides it)"
        )
    what = "unfinished or unpublished period" if lag else "unfinished period"
    note = "; ".join(parts) + (f" ({_plural(dropped, what)} left out)" if dropped else "")
    return SeriesData(cut.meta, cut.values.loc[keep], flags, pulls), note


def published_on(s: SeriesData, date: pd.Timestamp, lag: int | None = None) -> pd.Timestamp:
    """When the observation of ``s`` dated ``date`` became public: its first vintage holding it (a
    series with vintages), else its period's end plus the publication lag (``lag``, else documented
    or assumed, :mod:`hypecheck.release`; 0 for prices and search interest)."""
    from .release import lag_info

    date = pd.Timestamp(date)
    if s.vintages is not None and date in s.vintages.index:
        row = s.vintages.loc[date]
        have = row.index[row.notna().to_numpy()]
        if len(have):
            return pd.Timestamp(have[0])
    ends = period_end(pd.DatetimeIndex([date]), s.meta.frequency, s.meta.kind)
    base = pd.Timestamp(ends[0]) if ends is not None else date
    if lag is None:
        lag = lag_info(s.meta.id, s.meta.frequency)[0] if s.meta.kind == "macro" else 0
    return base + pd.Timedelta(days=lag)


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


def cut_frame(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """A wide frame of values stamped at the end of their periods (daily closes, one column per
    member) as knowable on ``as_of``: the rows dated on or before it. For inputs that are not series
    of the panel (``hypecheck breadth``'s closes and caps); series go through :func:`cut_known`."""
    return frame.loc[pd.DatetimeIndex(frame.index) <= as_of]


def requested(theme: Theme, source: str) -> list[tuple[Kind, str]]:
    """Every (kind, name) :func:`build_panel` looks up for ``theme`` on ``source`` data (names after
    the theme's ``[mapping.<source>]``): what a store needs to read for a check."""
    mapping = theme.mappings.get(source)
    names: list[tuple[Kind, str]] = [("price", t) for t in theme.tickers()]
    names += [("macro", m.id) for m in theme.macro] + [("macro", f.id) for f in theme.fundamentals]
    names += [("search", term) for term in theme.terms] + [("news", term) for term in theme.terms]
    names += [("earnings", f"{t}:{f}") for t in theme.earnings for f in ("eps_estimate", "eps_actual")]
    out: list[tuple[Kind, str]] = []
    for kind, name in names:
        key = (kind, mapping.target(name) if mapping else name)
        if key not in out:
            out.append(key)
    return out


def earnings_events(
    catalog: Catalog, tickers: tuple[str, ...] | list[str], as_of: pd.Timestamp, source: str = ""
) -> tuple[list[Event], dict[str, str]]:
    """Dated ``earnings`` events for ``tickers`` from the catalog's ``earnings`` series (an earnings
    calendar file, or the connector's rows in the store), and why a ticker has none.

    A report dated on or before ``as_of`` carries its EPS estimate, actual and surprise ((actual -
    estimate) / |estimate|); a report after ``as_of`` is an upcoming event with its estimate only:
    its actual is never shown before its date."""
    out: list[Event] = []
    gone: dict[str, str] = {}
    for t in tickers:
        got: dict[str, pd.Series] = {}
        for f in ("eps_estimate", "eps_actual"):
            sid = catalog.resolve("earnings", f"{t}:{f}")
            if sid is not None:
                got[f] = catalog.get("earnings", sid).values.dropna()
        if not got:
            gone[t] = (
                f"no earnings data for {t} in the {source or catalog.source} data: add an earnings calendar "
                "(date,ticker,eps_estimate,eps_actual) to the data folder, or fetch it into the store "
                "(hypecheck fetch THEME, needs yfinance)"
            )
            continue
        est, act = (
            got.get("eps_estimate", pd.Series(dtype=float)),
            got.get("eps_actual", pd.Series(dtype=float)),
        )
        for d in sorted(set(est.index) | set(act.index)):
            e = float(est[d]) if d in est.index else None
            past = pd.Timestamp(d) <= as_of
            a = float(act[d]) if past and d in act.index else None
            surprise = (a - e) / abs(e) if a is not None and e is not None and e != 0 else None
            if a is not None and e is not None:
                word = "beat" if a > e else "missed" if a < e else "met"
                sur = "" if surprise is None else f", surprise {surprise:+.1%}"
                label = f"{t} earnings: EPS {a:.2f} {word} the {e:.2f} estimate{sur}"
            elif a is not None:
                label = f"{t} earnings: EPS {a:.2f} (no estimate)"
            else:
                label = f"{t} earnings" + (f" (EPS estimate {e:.2f})" if e is not None else "")
            out.append(Event(pd.Timestamp(d).date(), label, "earnings", (t,), e, a, surprise))
    return out, gone


def _release_lag(theme: Theme, *names: str) -> int | None:
    """The theme's ``[release]`` lag (days) for the first of ``names`` it lists (any case), else None."""
    lags: dict[str, int] = dict(getattr(theme, "release_lags", None) or {})
    if not lags:
        return None
    folded = {k.strip().casefold(): int(v) for k, v in lags.items()}
    return next((folded[n.casefold()] for n in names if n and n.casefold() in folded), None)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def build_panel(theme: Theme, catalog: Catalog, as_of: pd.Timestamp | dt.date | str, source: str) -> Panel:
    """Resolve every series the theme names against ``catalog`` and cut it at ``as_of``."""
    as_of = pd.Timestamp(as_of).normalize()
    mapping = theme.mappings.get(source)
    panel = Panel(theme=theme, as_of=as_of, source=source, mapping=mapping)
    events = list(mapping.events) if mapping and mapping.events else list(theme.events)
    if theme.earnings:  # [events] earnings: the reports in the data, as dated events with the surprise
        found, gone = earnings_events(catalog, theme.earnings, as_of, source)
        events = sorted([*events, *found], key=lambda e: e.date)
        for t, why in gone.items():
            panel.missing[("earnings", t)] = why
    panel.events = [e for e in events if pd.Timestamp(e.date) <= as_of]
    panel.upcoming = [e for e in events if pd.Timestamp(e.date) > as_of]

    def resolve(kind: Kind, id: str) -> list[SeriesData]:
        target = mapping.target(id) if mapping else id
        stored = catalog.resolve(kind, target)
        found: list[SeriesData] = []
        if stored is not None:  # search: every frequency; prices and macro: the finest
            found = catalog.all(kind, stored) if kind in ("search", "news") else [catalog.get(kind, stored)]
        if not found:
            where = f" (mapped to {target!r})" if target != id else ""
            panel.missing[(kind, id)] = (
                f"no {kind} data for {id!r}{where} in the {source} data; "
                + catalog.what_is_close(kind, target)
            )
            return []
        out = []
        for s in found:
            lag = _release_lag(theme, id, target, s.meta.id)
            parts = catalog.inputs(kind, stored, s.meta.frequency) if kind == "search" and stored else []
            if len(parts) > 1:  # Trends files of one term: re-merged from the inputs as known on as_of
                cut, period_note = _cut_search_inputs(s, parts, as_of, lag)
            else:
                cut, period_note = cut_known(s, as_of, lag)
            if cut.values.dropna().empty:
                panel.missing[(kind, id)] = (
                    f"{id!r} has no observation on or before {as_of.date()} (it starts {s.start.date() if s.start is not None else '?'})"
                )
                continue
            last = cut.values.dropna().index[-1]
            age = int((as_of - last).days)
            published = published_on(s, last, lag)
            pub_age = int((as_of - published).days)
            if pub_age > MAX_AGE_DAYS.get(s.meta.frequency, 62):  # stale: counted from its publication
                panel.missing[(kind, id)] = (
                    f"{id!r} ends on {last.date()} (published about {published.date()}), {pub_age} days "
                    f"before the as-of date {as_of.date()}: too stale to use"
                )
                continue
            out.append(cut)
            panel.provenance.append(
                Provenance(
                    id=id,
                    kind=kind,
                    resolved=s.meta.id,
                    source=s.meta.source,
                    origin=s.meta.origin,
                    description=s.meta.description,
                    frequency=s.meta.frequency,
                    first=str(cut.values.index[0].date()),
                    last=str(last.date()),
                    age_days=age,
                    sample_data=s.meta.sample_data,
                    notes=s.meta.notes
                    + ((period_note,) if period_note else ())
                    + ((f"{target!r} read as the data's {stored!r}",) if stored != target else ()),
                )
            )
        return out

    for t in theme.tickers():
        got = resolve("price", t)
        if got:
            panel.prices[t] = got[0]
    for m in theme.macro:
        got = resolve("macro", m.id)
        if got:
            panel.macro[m.id] = got[0]
    for f in theme.fundamentals:
        if f.id not in panel.macro:
            got = resolve("macro", f.id)
            if got:
                panel.macro[f.id] = got[0]
    for term in theme.terms:
        got = resolve("search", term)
        if got:
            panel.search[term] = got
        elif catalog.resolve("news", mapping.target(term) if mapping else term) is not None:
            news = resolve("news", term)  # news volume stands in where search interest is missing
            if news:
                panel.news[term] = news
    return panel
