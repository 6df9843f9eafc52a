"""The panel: the data a theme needs, cut at the as-of date, with provenance.

Nothing unknown on ``as_of`` enters a panel: every series is read through one
:class:`~hypecheck.known.KnownView` (per observation the latest vintage published by then; without
vintages, nothing dated after it, held back by the publication lag of :mod:`hypecheck.release` or the
theme's ``[release]`` table; Trends windows re-merged as known then), the one date cut of hypecheck
(the lab's context and the history pillar read through it too); analytics also guard.
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

import pandas as pd

from .known import Known, KnownView
from .schema import Catalog, Kind, SeriesData
from .theme import Event, Mapping, Theme

T = TypeVar("T")


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
    # the data as known on as_of that the panel was cut from (the history pillar reads through it too)
    view: KnownView | None = field(default=None, repr=False, compare=False)

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


def build_panel(theme: Theme, catalog: Catalog, as_of: pd.Timestamp | dt.date | str, source: str) -> Panel:
    """Resolve every series the theme names against ``catalog`` and cut it at ``as_of`` (through one
    :class:`~hypecheck.known.KnownView`, with the theme's ``[release]`` table)."""
    as_of = pd.Timestamp(as_of).normalize()
    mapping = theme.mappings.get(source)
    panel = Panel(theme=theme, as_of=as_of, source=source, mapping=mapping)
    panel.view = KnownView(catalog, as_of, dict(getattr(theme, "release_lags", None) or {}))
    _add_events(panel, catalog)
    for t in theme.tickers():
        got = _resolve(panel, "price", t)
        if got:
            panel.prices[t] = got[0]
    for m in theme.macro:
        got = _resolve(panel, "macro", m.id)
        if got:
            panel.macro[m.id] = got[0]
    for f in theme.fundamentals:
        if f.id not in panel.macro:
            got = _resolve(panel, "macro", f.id)
            if got:
                panel.macro[f.id] = got[0]
    for term in theme.terms:
        got = _resolve(panel, "search", term)
        if got:
            panel.search[term] = got
        elif catalog.resolve("news", mapping.target(term) if mapping else term) is not None:
            news = _resolve(panel, "news", term)  # news volume stands in where search interest is missing
            if news:
                panel.news[term] = news
    return panel


def _add_events(panel: Panel, catalog: Catalog) -> None:
    """The theme's events (its mapping's for this source), with the data's earnings reports when the
    theme lists ``[events] earnings``: those on or before the as-of date, the others ``upcoming``."""
    theme, mapping, as_of = panel.theme, panel.mapping, panel.as_of
    events = list(mapping.events) if mapping and mapping.events else list(theme.events)
    if theme.earnings:  # [events] earnings: the reports in the data, as dated events with the surprise
        found, gone = earnings_events(catalog, theme.earnings, as_of, panel.source)
        events = sorted([*events, *found], key=lambda e: e.date)
        for t, why in gone.items():
            panel.missing[("earnings", t)] = why
    panel.events = [e for e in events if pd.Timestamp(e.date) <= as_of]
    panel.upcoming = [e for e in events if pd.Timestamp(e.date) > as_of]


def _resolve(panel: Panel, kind: Kind, id: str) -> list[SeriesData]:
    """The series the theme calls ``id`` as known on the panel's date (every frequency of a search or
    news term, else the finest), each with its provenance; missing with the reason when there is none
    or it is stale."""
    view, mapping, as_of = panel.view, panel.mapping, panel.as_of
    assert view is not None
    catalog = view.catalog
    target = mapping.target(id) if mapping else id
    stored = catalog.resolve(kind, target)
    found = view.read(kind, stored, id, target) if stored is not None else []
    if not found:
        where = f" (mapped to {target!r})" if target != id else ""
        panel.missing[(kind, id)] = (
            f"no {kind} data for {id!r}{where} in the {panel.source} data; "
            + catalog.what_is_close(kind, target)
        )
        return []
    out = []
    for k in found:
        s = k.source
        if k.last is None or k.published is None:
            panel.missing[(kind, id)] = (
                f"{id!r} has no observation on or before {as_of.date()} (it starts {s.start.date() if s.start is not None else '?'})"
            )
            continue
        if k.stale:  # counted from its publication
            panel.missing[(kind, id)] = (
                f"{id!r} ends on {k.last.date()} (published about {k.published.date()}), "
                f"{k.publication_age(as_of)} days before the as-of date {as_of.date()}: too stale to use"
            )
            continue
        out.append(k.data)
        panel.provenance.append(_provenance(k, kind, id, target, stored, as_of))
    return out


def _provenance(
    k: Known, kind: Kind, id: str, target: str, stored: str | None, as_of: pd.Timestamp
) -> Provenance:
    s, cut = k.source, k.data
    assert k.last is not None
    return Provenance(
        id=id,
        kind=kind,
        resolved=s.meta.id,
        source=s.meta.source,
        origin=s.meta.origin,
        description=s.meta.description,
        frequency=s.meta.frequency,
        first=str(cut.values.index[0].date()),
        last=str(k.last.date()),
        age_days=k.age_days(as_of),
        sample_data=s.meta.sample_data,
        notes=s.meta.notes
        + ((k.note,) if k.note else ())
        + ((f"{target!r} read as the data's {stored!r}",) if stored != target else ()),
    )
