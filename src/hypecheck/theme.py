"""Themes: a narrative written as a TOML file, validated with clear errors.

A theme names the question, the search terms, the leaders and laggards it claims (pairs to
compare), its benchmarks, the equal- vs cap-weight pairs, macro series with the direction the
narrative needs, dated events, the structural test, analyst-entered facts with citations, the
triggers to watch, a mapping of its series onto other sources (the bundled sample data), and the
publication lags of its series. See ``themes/small-cap-rotation.toml`` for a commented example of
every section; :data:`SCHEMA` declares every table's keys with their type, default, bounds and
meaning, and drives the validation (every problem is listed with its path, e.g. ``macro[1].needs``).

``[release]`` maps a series id to its publication lag in whole days, 0 to 400 (:attr:`Theme.release_lags`)::

    [release]
    ICSA = 5        # initial claims for the week ending Saturday are published the Thursday after
    CPIAUCSL = 14

For a series stored without vintages, an observation dated D counts as known from D + lag; it
overrides the built-in lag of that series (series with vintages use their vintage dates instead).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._toml import MAX_TOML_BYTES, parse_bounded
from .errors import HypecheckError, ThemeError, cut_words
from .pillar_registry import PILLARS

TICKER_RE = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9.\-=^_:]{0,39}$")
# an exchange symbol (no source prefix ``ff:``, no ``_``): case carries no meaning, so it is upper-cased
PLAIN_TICKER_RE = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9.\-=^]{0,39}$")
THEME_ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-_]{0,63}$")
MAX_TERM_LEN = 100
DIRECTIONS = ("up", "down", "flat", "flat_or_down", "flat_or_up")
WINDOW_RE = re.compile(r"^(YTD|MTD|QTD|\d+[DWMY])$")
LEANINGS = ("catalyst", "viral", "neutral")
LEADERSHIP = ("broad", "narrow")
MAX_RELEASE_LAG = 400  # days: longer than any scheduled release (annual revisions included)
# what each trigger kind reads (see hypecheck.triggers): parameter -> how it is checked at load
TRIGGER_KINDS: dict[str, dict[str, str]] = {
    "attention_at_baseline": {"terms": "terms", "periods": "count"},
    "spread_below": {"leader": "ticker", "laggard": "ticker", "window": "window", "level": "number"},
    "rs_momentum_below": {"tickers": "tickers", "benchmark": "ticker", "level": "number", "mode": "mode"},
    "breadth_below": {"members": "tickers", "metric": "metric", "level": "number"},
    "event": {"tickers": "tickers", "event_kind": "text", "days": "count", "surprise_below": "number"},
}
TRIGGER_REQUIRED: dict[str, tuple[str, ...]] = {"spread_below": ("leader", "laggard")}
BREADTH_METRICS = (  # columns of hypecheck.analytics.breadth.breadth (numba is not imported to load a theme)
    "pct_above_50d",
    "pct_above_200d",
    "advances",
    "declines",
    "ad_line",
    "mcclellan",
    "new_highs",
    "new_lows",
    "ew_return",
    "cw_return",
)


@dataclass(frozen=True)
class Pair:
    leader: str
    laggard: str
    label: str


@dataclass(frozen=True)
class BreadthPair:
    equal: str
    cap: str
    label: str


@dataclass(frozen=True)
class MacroSeries:
    id: str
    needs: str
    label: str
    window: str = "3M"
    tolerance: float = 0.10  # change (in the series' units) treated as "flat"


@dataclass(frozen=True)
class FundamentalSeries:
    """A measured fundamental (index earnings, a valuation ratio) and what the narrative needs of it.

    ``measure`` is ``growth`` (change in percent over ``window``: needs ``up`` or ``down`` beyond
    ``threshold``) or ``percentile`` (the latest value's percentile in the series' own history up to
    the as-of date: needs ``high`` (at least ``threshold``) or ``low`` (at most it), or ``context``:
    reported, neutral, no direction assumed). ``lag_months``
    delays each monthly value by its publication lag (Shiller's earnings: 3)."""

    id: str
    label: str
    measure: str = "growth"
    needs: str = "up"
    window: str = "12M"
    threshold: float = 0.0
    lag_months: int = 0


@dataclass(frozen=True)
class HistorySpec:
    """How the theme's past episodes are found (see :mod:`hypecheck.analytics.episodes`)."""

    episode: str = "first_weeks"  # "first_weeks" or "rs_high"
    weeks: int = 2
    min_spread: float = 0.025
    lookback: int = 252


@dataclass(frozen=True)
class Event:
    date: dt.date
    label: str
    kind: str = "event"
    tickers: tuple[str, ...] = ()  # the companies or funds it is about (matched by triggers; never the label)
    # earnings events filled from the data ([events] earnings): EPS estimate, actual, and the surprise
    # (actual - estimate) / |estimate|; None for events typed by hand or a report not yet made
    eps_estimate: float | None = None
    eps_actual: float | None = None
    surprise: float | None = None


@dataclass(frozen=True)
class Group:
    name: str
    weight: float
    tickers: tuple[str, ...] = ()
    earnings_growth_share: float | None = None


@dataclass(frozen=True)
class Structure:
    index: str
    target: float
    groups: tuple[Group, ...]
    horizon: str = "1Y"
    weights_source: str = ""
    rest_proxy: str | None = None  # series whose yearly returns stand in for "the rest of the index"
    solve_for: str = "rest"  # whose required return is computed: "rest" or a group's name


@dataclass(frozen=True)
class Fact:
    id: str
    claim: str
    value: float | None
    unit: str
    leaning: str
    source: str
    date: dt.date | None
    pillar: str = "fundamentals"
    flip: str = ""


@dataclass(frozen=True)
class Trigger:
    id: str
    kind: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)

    def price_tickers(self) -> list[str]:
        """The price series the trigger reads that it names itself (loaded with the theme's)."""
        p = self.params
        if self.kind == "spread_below":
            return [str(p[k]) for k in ("leader", "laggard") if k in p]
        if self.kind == "rs_momentum_below":
            return [str(x) for x in p.get("tickers", [])] + (
                [str(p["benchmark"])] if "benchmark" in p else []
            )
        if self.kind == "breadth_below":
            return [str(x) for x in p.get("members", [])]
        return []


@dataclass(frozen=True)
class BaseRateSpec:
    """A configuration the narrative names ("years the index gained 10% while tech lagged"), counted
    over complete periods of the data; see :mod:`hypecheck.analytics.baserate`."""

    id: str
    claim: str
    when: tuple[str, ...]
    then: tuple[str, ...] = ()
    period: str = "A"
    last: int | None = None
    min_rate: float | None = None  # the narrative needs the configuration at least this common

    def series(self) -> list[str]:
        from .analytics.baserate import parse_condition

        return list(dict.fromkeys(i for c in self.when + self.then for i in parse_condition(c).ids()))


@dataclass(frozen=True)
class Mapping:
    """How the theme's series map onto another source (e.g. the bundled sample data)."""

    source: str
    series: dict[str, str]
    as_of: dt.date | None = None
    note: str = ""
    events: tuple[Event, ...] = ()

    def target(self, id: str) -> str:
        """The source's id for the theme's series ``id`` (``id`` itself when unmapped); keys match
        regardless of case."""
        if id in self.series:
            return self.series[id]
        fold = id.casefold()
        return next((t for k, t in self.series.items() if k.casefold() == fold), id)


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    question: str
    terms: tuple[str, ...]
    pairs: tuple[Pair, ...]
    benchmarks: tuple[str, ...]
    windows: tuple[str, ...]
    style_box: dict[str, dict[str, str]]
    sectors: dict[str, str]
    breadth_pairs: tuple[BreadthPair, ...]
    macro: tuple[MacroSeries, ...]
    events: tuple[Event, ...]
    structure: Structure | None
    facts: tuple[Fact, ...]
    triggers: tuple[Trigger, ...]
    mappings: dict[str, Mapping]
    as_of: dt.date | None = None
    description: str = ""
    path: str = ""
    attention_frequency: str | None = None  # "D", "W" or "M": which search series to read (default: finest)
    base_rates: tuple[BaseRateSpec, ...] = ()
    fundamentals: tuple[FundamentalSeries, ...] = ()
    history: HistorySpec | None = None
    leadership: str = "broad"  # [breadth] leadership: "broad" (equal weight ahead supports) or "narrow"
    release_lags: dict[str, int] = field(default_factory=dict)  # [release]: series id -> lag in days
    earnings: tuple[str, ...] = ()  # [events] earnings: tickers whose reports become dated events

    def tickers(self) -> list[str]:
        """Every price series the theme names (its triggers' too), in first-mention order."""
        out: list[str] = []
        for t in (
            [p.leader for p in self.pairs]
            + [p.laggard for p in self.pairs]
            + list(self.benchmarks)
            + [t for row in self.style_box.values() for t in row.values()]
            + list(self.sectors)
            + [b.equal for b in self.breadth_pairs]
            + [b.cap for b in self.breadth_pairs]
            + ([self.structure.index] if self.structure else [])
            + ([self.structure.rest_proxy] if self.structure and self.structure.rest_proxy else [])
            + [t for g in (self.structure.groups if self.structure else ()) for t in g.tickers]
            + [t for b in self.base_rates for t in b.series()]
            + [t for tr in self.triggers for t in tr.price_tickers()]
        ):
            if t not in out:
                out.append(t)
        return out


# ---------------------------------------------------------------------------- validation helpers


@dataclass(frozen=True)
class Field:
    """One key of a theme table: its type, default, bounds and what it means.

    ``type`` is ``text``, ``number``, ``whole``, ``date``, ``id`` (a series id), ``list``, ``table`` or
    ``choice``; ``lo``/``hi`` bound a ``whole`` number, counted in ``unit``; ``choices`` lists the values
    of a ``choice``. A ``required`` key has no default."""

    type: str
    doc: str
    default: Any = None
    required: bool = False
    lo: int | None = None
    hi: int | None = None
    unit: str = ""
    choices: tuple[str, ...] = ()


def _f(type: str, doc: str, default: Any = None, **kw: Any) -> Field:
    return Field(type, doc, default, **kw)


def _req(type: str, doc: str, **kw: Any) -> Field:
    return Field(type, doc, None, required=True, **kw)


# table path (``""`` the top level, ``mapping.*`` any source, ``release.*`` any series) -> its keys
SCHEMA: dict[str, dict[str, Field]] = {
    "": {
        "id": _req("text", "lower-case id: names files and URLs"),
        "title": _req("text", "the narrative's name"),
        "question": _req("text", "the question the check answers"),
        "description": _f("text", "a longer description", ""),
        "as_of": _f("date", "the default as-of date for a data folder"),
        "attention": _f("table", "search interest"),
        "price": _f("table", "price confirmation"),
        "breadth": _f("table", "equal- vs cap-weight participation"),
        "macro": _f("list", "macro series and the direction the narrative needs"),
        "events": _f(
            "list",
            "dated catalysts ([[events]]); or a table [events] with earnings (tickers whose earnings "
            "reports in the data become dated events) and dated (the [[events.dated]] list)",
        ),
        "structure": _f("table", "the index's arithmetic: what the rest must return"),
        "facts": _f("list", "analyst-entered facts with citations"),
        "triggers": _f("list", "what to watch"),
        "mapping": _f("table", "the theme's series under other sources' ids"),
        "base_rates": _f("list", "configurations counted over the data's complete periods"),
        "fundamentals": _f("list", "measured fundamentals"),
        "history": _f("table", "how past episodes are found"),
        "release": _f("table", "publication lags in days, series id -> days"),
    },
    "attention": {
        "terms": _f("list", "search terms (at most 100 characters each; no two naming the same series)", []),
        "geo": _f("text", "the region the terms were searched in (informational)", ""),
        "frequency": _f(
            "choice", "which search series to read (default: the finest)", None, choices=("D", "W", "M")
        ),
    },
    "price": {
        "benchmarks": _f("list", "benchmark series", []),
        "windows": _f(
            "list", "return windows: YTD, MTD, QTD or N followed by D/W/M/Y", ["YTD", "1M", "3M", "6M", "12M"]
        ),
        "pairs": _f("list", "leader/laggard pairs the narrative claims", []),
        "style_box": _f("table", "size (small, mid, large) x style (value, blend, growth) -> series", {}),
        "sectors": _f("table", "sector series -> sector name", {}),
    },
    "price.pairs": {
        "leader": _req("id", "the series the narrative says leads"),
        "laggard": _req("id", "the series it says lags"),
        "label": _f("text", "shown name (default 'LEADER vs LAGGARD')"),
    },
    "breadth": {
        "pairs": _f("list", "equal- vs cap-weight pairs", []),
        "leadership": _f(
            "choice",
            "broad: equal weight ahead supports; narrow: cap weight ahead supports",
            "broad",
            choices=LEADERSHIP,
        ),
    },
    "breadth.pairs": {
        "equal": _req("id", "the equal-weight series"),
        "cap": _req("id", "the cap-weight series"),
        "label": _f("text", "shown name (default 'EQUAL vs CAP')"),
    },
    "macro": {
        "id": _req("id", "the macro series"),
        "needs": _req("choice", "the direction the narrative needs", choices=DIRECTIONS),
        "label": _f("text", "shown name (default the id)"),
        "window": _f("text", "the window of the change", "3M"),
        "tolerance": _f("number", "a change (in the series' units) within which it counts as flat", 0.10),
    },
    "fundamentals": {
        "id": _req("id", "the fundamental series"),
        "label": _f("text", "shown name (default the id)"),
        "measure": _f(
            "choice",
            "growth over the window, or the percentile in its own history",
            "growth",
            choices=("growth", "percentile"),
        ),
        "needs": _f(
            "choice",
            "growth: up/down; percentile: high/low/context",
            None,
            choices=("up", "down", "high", "low", "context"),
        ),
        "window": _f("text", "the window of the growth", "12M"),
        "threshold": _f("number", "the growth (percent) or percentile the narrative needs (default 0 / 50)"),
        "lag_months": _f(
            "whole", "delays each monthly value by its publication lag", 0, lo=0, hi=24, unit="months"
        ),
    },
    "history": {
        "episode": _f(
            "choice",
            "which episodes: early-year spreads or relative-strength highs",
            "first_weeks",
            choices=("first_weeks", "rs_high"),
        ),
        "weeks": _f("whole", "first_weeks: the weeks of January measured", 2, lo=1, hi=26, unit="weeks"),
        "min_spread": _f("number", "first_weeks: the spread that makes an episode", 0.025),
        "lookback": _f("whole", "rs_high: the trailing high's length", 252, lo=20, unit="observations"),
    },
    "events_table": {
        "earnings": _f(
            "list",
            "tickers whose earnings reports (date, EPS estimate and actual: an earnings calendar file or the "
            "earnings connector) become dated 'earnings' events with the surprise",
            [],
        ),
        "dated": _f("list", "dated catalysts, as [[events.dated]] entries (date, label, kind, tickers)", []),
    },
    "events": {
        "date": _req("date", "when it happened"),
        "label": _req("text", "what happened"),
        "kind": _f("text", "its kind (matched by event triggers)", "event"),
        "tickers": _f("list", "the companies or funds it is about", []),
    },
    "structure": {
        "index": _req("id", "the index series"),
        "target": _req("number", "the index's return target, a fraction (0.10 for 10%)"),
        "groups": _req("list", "the pillar groups and their index weights (summing below 1)"),
        "horizon": _f("text", "the target's horizon", "1Y"),
        "weights_source": _f("text", "where the weights come from", ""),
        "rest_proxy": _f("id", "a series standing in for the rest of the index"),
        "solve_for": _f("text", "whose required return: 'rest' or a group's name", "rest"),
    },
    "structure.groups": {
        "name": _req("text", "the group's name (not 'rest')"),
        "weight": _req("number", "its index weight, a fraction between 0 and 1"),
        "tickers": _f("list", "its members", []),
        "earnings_growth_share": _f("number", "its share of the index's earnings growth"),
    },
    "facts": {
        "id": _req("text", "unique among facts, triggers and base rates"),
        "claim": _req("text", "the fact"),
        "value": _f("number", "its value"),
        "unit": _f("text", "the value's unit", ""),
        "leaning": _f("choice", "which way it leans", "neutral", choices=LEANINGS),
        "source": _req("text", "the citation"),
        "date": _f("date", "when it was published"),
        "pillar": _f("text", "the registered pillar it belongs to", "fundamentals"),
        "flip": _f("text", "the reading that would reverse it", ""),
    },
    "triggers": {
        "id": _req("text", "unique among facts, triggers and base rates"),
        "kind": _req("choice", "what it watches", choices=tuple(TRIGGER_KINDS)),
        "description": _f("text", "what firing means", ""),
        "params": _f("table", "the kind's parameters (see TRIGGER_KINDS)", {}),
    },
    "base_rates": {
        "id": _req("text", "unique among facts, triggers and base rates"),
        "claim": _req("text", "the configuration in words"),
        "when": _req("list", "conditions such as 'SPY >= 0.10'"),
        "then": _f("list", "conditions counted when the 'when' held", []),
        "period": _f("choice", "the period counted", "A", choices=("A", "Q", "M")),
        "last": _f("whole", "count only the last N periods", None, lo=1, unit="periods"),
        "min_rate": _f("number", "the narrative needs the configuration at least this common"),
    },
    "mapping.*": {
        "series": _f("table", "theme series id -> the source's id", {}),
        "as_of": _f("date", "the default as-of date on that source"),
        "note": _f("text", "shown with results on that source", ""),
        "events": _f("list", "events on that source", []),
    },
    "release.*": {
        "*": _f(
            "whole",
            "days from the end of the period an observation covers to its publication",
            None,
            lo=0,
            hi=MAX_RELEASE_LAG,
            unit="days",
        ),
    },
}


class _V:
    """Collects every validation problem so the user sees them all at once."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []

    def err(self, path: str, msg: str) -> None:
        # a quoted value (a 100,000-character ticker) is cut, never echoed whole
        self.problems.append(cut_words(f"{path}: {msg}" if path else msg))

    def keys(self, table: Any, section: str, path: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            self.err(path, f"expected a table, got {type(table).__name__}")
            return {}
        allowed = set(SCHEMA[section])
        for k in table:
            if k not in allowed:
                close = difflib.get_close_matches(k, allowed, n=1)
                hint = (
                    f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(sorted(allowed))})"
                )
                self.err(path, f"unknown key {k!r}{hint}")
        return table

    def whole(self, table: dict[str, Any], section: str, key: str, path: str) -> Any:
        """A whole number within the bounds :data:`SCHEMA` declares (its default when absent or wrong)."""
        spec = SCHEMA[section].get(key) or SCHEMA[section]["*"]
        x = table.get(key, spec.default)
        if x is None and not spec.required:
            return None
        ok = isinstance(x, int) and not isinstance(x, bool)
        if not ok or (spec.lo is not None and x < spec.lo) or (spec.hi is not None and x > spec.hi):
            bounds = f" from {spec.lo} to {spec.hi}" if spec.hi is not None else f", at least {spec.lo}"
            self.err(
                f"{path}.{key}", f"must be a whole number of {spec.unit}{bounds} ({spec.doc}), got {x!r}"
            )
            return spec.default  # type: ignore[no-any-return]
        return x  # type: ignore[no-any-return]

    def str_(
        self, table: dict[str, Any], key: str, path: str, *, required: bool = True, default: str = ""
    ) -> str:
        v = table.get(key)
        if v is None:
            if required:
                self.err(path, f"missing required key {key!r}")
            return default
        if not isinstance(v, str) or not v.strip():
            self.err(f"{path}.{key}", "must be a non-empty string")
            return default
        return v.strip()

    def num(self, table: dict[str, Any], key: str, path: str, *, required: bool = True) -> float | None:
        v = table.get(key)
        if v is None:
            if required:
                self.err(path, f"missing required key {key!r}")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.err(f"{path}.{key}", f"must be a number, got {v!r}")
            return None
        return float(v)

    def ticker(self, v: Any, path: str, *, price: bool = False) -> str:
        """A series id; ``price``: an exchange symbol is upper-cased (``xlp`` is XLP)."""
        if not isinstance(v, str) or not TICKER_RE.match(v):
            self.err(
                path, f"{v!r} is not a valid ticker/series id (ASCII letters, digits and . - = ^ _ : only)"
            )
            return "?"
        return v.upper() if price and PLAIN_TICKER_RE.match(v) else v

    def date(self, v: Any, path: str) -> dt.date | None:
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                pass
        self.err(path, f"{v!r} is not a date (write YYYY-MM-DD)")
        return None

    def list_(self, v: Any, path: str) -> list[Any]:
        if v is None:
            return []
        if not isinstance(v, list):
            self.err(path, f"must be a list, got {type(v).__name__}")
            return []
        return v


def parse_theme(data: dict[str, Any], *, where: str = "<theme>") -> Theme:
    """Validate a parsed TOML document against :data:`SCHEMA` and build a :class:`Theme`; raise
    ThemeError listing every problem with its path. Each table has its own step below."""
    v = _V(where)
    top = v.keys(data, "", "")
    tid, title, question, description, as_of = _header(v, top)
    terms, att_freq = _attention(v, top)
    pairs, benchmarks, windows, style_box, sectors = _price(v, top)
    bpairs, leadership = _breadth(v, top)
    macro = _macro(v, top)
    fundamentals = _fundamentals(v, top)
    history = _history(v, top)
    events, earnings = _events_or_table(v, top.get("events"))
    structure = _structure(v, top)
    facts = _facts(v, top)
    triggers = _triggers(v, top, terms)
    base_rates = _base_rates(v, top)
    mappings = _mappings(v, top, pairs, bpairs)
    release_lags = _release(v, top)

    if not pairs and not terms:
        v.err(
            "",
            "a theme needs at least one price pair ([[price.pairs]]) or one search term ([attention] terms)",
        )
    named = _series_names(pairs, benchmarks, style_box, sectors, bpairs, structure, macro, fundamentals)
    for src, m in mappings.items():  # a key in other case than the theme writes it still maps it
        mappings[src] = Mapping(m.source, _rekey(dict(m.series), named), m.as_of, m.note, m.events)
    ids = [f.id for f in facts] + [t.id for t in triggers] + [b.id for b in base_rates]
    for d in {x for x in ids if ids.count(x) > 1}:
        v.err("", f"id {d!r} is used more than once among facts and triggers")

    if v.problems:
        raise ThemeError(
            f"theme {where} has {len(v.problems)} problem{'s' if len(v.problems) > 1 else ''}:\n  - "
            + "\n  - ".join(v.problems),
            hint="fix the theme file; `hypecheck themes --show small-cap-rotation` prints a complete example",
        )
    return Theme(
        id=tid,
        title=title,
        question=question,
        terms=tuple(terms),
        pairs=tuple(pairs),
        benchmarks=benchmarks,
        windows=tuple(windows),
        style_box=style_box,
        sectors=sectors,
        breadth_pairs=tuple(bpairs),
        macro=tuple(macro),
        events=tuple(events),
        structure=structure,
        facts=tuple(facts),
        triggers=tuple(triggers),
        mappings=mappings,
        as_of=as_of,
        description=description,
        path=where,
        attention_frequency=att_freq,
        base_rates=tuple(base_rates),
        fundamentals=tuple(fundamentals),
        history=history,
        leadership=leadership,
        release_lags=release_lags,
        earnings=earnings,
    )


def _header(v: _V, top: dict[str, Any]) -> tuple[str, str, str, str, dt.date | None]:
    """The top-level keys: id, title, question, description, as_of."""
    tid = v.str_(top, "id", "")
    if tid and not THEME_ID_RE.match(tid):
        v.err("id", f"{tid!r} must be lowercase letters, digits, '-' or '_' (it names files and URLs)")
    title = v.str_(top, "title", "")
    question = v.str_(top, "question", "")
    description = v.str_(top, "description", "", required=False)
    as_of = v.date(top["as_of"], "as_of") if "as_of" in top else None

    return tid, title, question, description, as_of


def _attention(v: _V, top: dict[str, Any]) -> tuple[list[str], str | None]:
    """[attention]: the search terms (no two naming the same series) and which frequency to read."""
    att = v.keys(top.get("attention", {}), "attention", "attention")
    terms: list[str] = []
    for i, t in enumerate(v.list_(att.get("terms"), "attention.terms")):
        p = f"attention.terms[{i}]"
        if not isinstance(t, str) or not t.strip():
            v.err(p, "must be a non-empty string")
        elif len(t) > MAX_TERM_LEN:
            v.err(p, f"is {len(t)} characters; search terms are at most {MAX_TERM_LEN}")
        elif "\x00" in t:
            v.err(p, "contains a NUL byte")
        elif (same := _same_term(t, terms)) is not None:
            v.err(
                p,
                f"duplicate term {t!r}"
                + (f" (the same search term as {same!r})" if same != t.strip() else ""),
            )
        else:
            terms.append(t.strip())

    att_freq = att.get("frequency")
    if att_freq is not None and att_freq not in ("D", "W", "M"):
        v.err("attention.frequency", f"{att_freq!r} must be 'D', 'W' or 'M'")
        att_freq = None

    return terms, att_freq


def _price(
    v: _V, top: dict[str, Any]
) -> tuple[list[Pair], tuple[str, ...], list[str], dict[str, dict[str, str]], dict[str, str]]:
    """[price]: pairs, benchmarks, windows, the style box and the sectors."""
    price = v.keys(top.get("price", {}), "price", "price")
    pairs = []
    for i, raw_pair in enumerate(v.list_(price.get("pairs"), "price.pairs")):
        path = f"price.pairs[{i}]"
        tbl = v.keys(raw_pair, "price.pairs", path)
        lead = v.ticker(tbl.get("leader"), f"{path}.leader", price=True)
        lag = v.ticker(tbl.get("laggard"), f"{path}.laggard", price=True)
        if lead == lag and lead != "?":
            v.err(path, f"leader and laggard are the same series {lead!r}")
        pairs.append(Pair(lead, lag, v.str_(tbl, "label", path, required=False, default=f"{lead} vs {lag}")))
    benchmarks = tuple(
        v.ticker(b, f"price.benchmarks[{i}]", price=True)
        for i, b in enumerate(v.list_(price.get("benchmarks"), "price.benchmarks"))
    )
    windows = []
    for i, w in enumerate(v.list_(price.get("windows", ["YTD", "1M", "3M", "6M", "12M"]), "price.windows")):
        if not isinstance(w, str) or not WINDOW_RE.match(w.upper()):
            v.err(f"price.windows[{i}]", f"{w!r} is not a window (YTD, MTD, QTD or N followed by D/W/M/Y)")
        else:
            windows.append(w.upper())
    style_box: dict[str, dict[str, str]] = {}
    sb = price.get("style_box", {})
    if not isinstance(sb, dict):
        v.err("price.style_box", "must be a table of size rows")
    else:
        for size, row in sb.items():
            if size not in ("small", "mid", "large"):
                v.err(f"price.style_box.{size}", "size must be small, mid or large")
                continue
            if not isinstance(row, dict):
                v.err(f"price.style_box.{size}", "must be a table {value=..., blend=..., growth=...}")
                continue
            style_box[size] = {}
            for style, t in row.items():
                if style not in ("value", "blend", "growth"):
                    v.err(f"price.style_box.{size}.{style}", "style must be value, blend or growth")
                    continue
                style_box[size][style] = v.ticker(t, f"price.style_box.{size}.{style}", price=True)
    sectors: dict[str, str] = {}
    sec = price.get("sectors", {})
    if not isinstance(sec, dict):
        v.err("price.sectors", "must be a table TICKER = 'Sector name'")
    else:
        for t, name in sec.items():
            sectors[v.ticker(t, f"price.sectors.{t}", price=True)] = str(name)

    return pairs, benchmarks, windows, style_box, sectors


def _breadth(v: _V, top: dict[str, Any]) -> tuple[list[BreadthPair], str]:
    """[breadth]: the equal- vs cap-weight pairs and which leadership the narrative needs."""
    breadth = v.keys(top.get("breadth", {}), "breadth", "breadth")
    bpairs = []
    for i, raw_bp in enumerate(v.list_(breadth.get("pairs"), "breadth.pairs")):
        path = f"breadth.pairs[{i}]"
        tbl = v.keys(raw_bp, "breadth.pairs", path)
        eq, cap = (
            v.ticker(tbl.get("equal"), f"{path}.equal", price=True),
            v.ticker(tbl.get("cap"), f"{path}.cap", price=True),
        )
        bpairs.append(
            BreadthPair(eq, cap, v.str_(tbl, "label", path, required=False, default=f"{eq} vs {cap}"))
        )
    leadership = breadth.get("leadership", "broad")
    if leadership not in LEADERSHIP:
        close = (
            difflib.get_close_matches(leadership.strip().lower(), LEADERSHIP, n=1)
            if isinstance(leadership, str)
            else []
        )
        v.err(
            "breadth.leadership",
            f'{leadership!r} must be "broad" (the narrative needs the rest of the market to join in: '
            'equal weight ahead of cap weight supports it) or "narrow" (a few large names carry it: cap '
            "weight ahead supports it)" + (f"; did you mean {close[0]!r}?" if close else ""),
        )
        leadership = "broad"

    return bpairs, leadership


def _macro(v: _V, top: dict[str, Any]) -> list[MacroSeries]:
    """[[macro]]: series and the direction the narrative needs of each."""
    macro = []
    for i, m in enumerate(v.list_(top.get("macro"), "macro")):
        path = f"macro[{i}]"
        m = v.keys(m, "macro", path)
        sid = v.ticker(m.get("id"), f"{path}.id")
        needs = v.str_(m, "needs", path)
        if needs and needs not in DIRECTIONS:
            v.err(f"{path}.needs", f"{needs!r} must be one of {', '.join(DIRECTIONS)}")
        window = str(m.get("window", "3M")).upper()
        if not WINDOW_RE.match(window):
            v.err(f"{path}.window", f"{window!r} is not a window")
        tol = v.num(m, "tolerance", path, required=False)
        macro.append(
            MacroSeries(
                sid,
                needs,
                v.str_(m, "label", path, required=False, default=sid),
                window,
                0.10 if tol is None else tol,
            )
        )

    return macro


def _fundamentals(v: _V, top: dict[str, Any]) -> list[FundamentalSeries]:
    """[[fundamentals]]: measured fundamentals, their measure and what the narrative needs."""
    fundamentals = []
    for i, f in enumerate(v.list_(top.get("fundamentals"), "fundamentals")):
        path = f"fundamentals[{i}]"
        f = v.keys(f, "fundamentals", path)
        sid = v.ticker(f.get("id"), f"{path}.id")
        measure = str(f.get("measure", "growth"))
        needs = str(f.get("needs", "up" if measure == "growth" else "high"))
        allowed = {"growth": ("up", "down"), "percentile": ("high", "low", "context")}
        if measure not in allowed:
            v.err(f"{path}.measure", f"{measure!r} must be 'growth' or 'percentile'")
        elif needs not in allowed[measure]:
            v.err(f"{path}.needs", f"{needs!r} must be one of {', '.join(allowed[measure])} for {measure}")
        window = str(f.get("window", "12M")).upper()
        if not WINDOW_RE.match(window):
            v.err(f"{path}.window", f"{window!r} is not a window")
        lag_m = v.whole(f, "fundamentals", "lag_months", path)
        thr = v.num(f, "threshold", path, required=False)
        fundamentals.append(
            FundamentalSeries(
                id=sid,
                label=v.str_(f, "label", path, required=False, default=sid),
                measure=measure,
                needs=needs,
                window=window,
                threshold=(0.0 if measure == "growth" else 50.0) if thr is None else thr,
                lag_months=lag_m,
            )
        )

    return fundamentals


def _history(v: _V, top: dict[str, Any]) -> HistorySpec | None:
    """[history]: how past episodes are found."""
    history = None
    if "history" in top:
        h = v.keys(top["history"], "history", "history")
        kind = str(h.get("episode", "first_weeks"))
        if kind not in ("first_weeks", "rs_high"):
            v.err("history.episode", f"{kind!r} must be 'first_weeks' or 'rs_high'")
        weeks = v.whole(h, "history", "weeks", "history")
        lookback = v.whole(h, "history", "lookback", "history")
        ms = v.num(h, "min_spread", "history", required=False)
        history = HistorySpec(kind, weeks, 0.025 if ms is None else ms, lookback)

    return history


def _structure(v: _V, top: dict[str, Any]) -> Structure | None:
    """[structure]: the index, its return target and its pillar groups (weights leave a rest)."""
    structure = None
    if "structure" in top:
        s = v.keys(top["structure"], "structure", "structure")
        index = v.ticker(s.get("index"), "structure.index", price=True)
        target = v.num(s, "target", "structure")
        groups = []
        for i, g in enumerate(v.list_(s.get("groups"), "structure.groups")):
            path = f"structure.groups[{i}]"
            g = v.keys(g, "structure.groups", path)
            w = v.num(g, "weight", path)
            if w is not None and not 0 < w < 1:
                v.err(f"{path}.weight", f"{w} must be a fraction between 0 and 1 (e.g. 0.34 for 34%)")
            share = v.num(g, "earnings_growth_share", path, required=False)
            tick = tuple(
                v.ticker(t, f"{path}.tickers[{j}]", price=True)
                for j, t in enumerate(v.list_(g.get("tickers"), path))
            )
            groups.append(Group(v.str_(g, "name", path), w or 0.0, tick, share))
        total = sum(g.weight for g in groups)
        if groups and total >= 1:
            v.err(
                "structure.groups", f"weights sum to {total:.3f}; they must leave a rest of the index (< 1)"
            )
        if not groups:
            v.err("structure.groups", "at least one pillar group is required")
        if target is not None and not -1 < target < 10:
            v.err("structure.target", f"{target} is not a plausible return target (a fraction: 0.10 for 10%)")
        rest = v.ticker(s["rest_proxy"], "structure.rest_proxy", price=True) if "rest_proxy" in s else None
        names = [g.name for g in groups]
        if "rest" in names:
            v.err("structure.groups", "a group may not be named 'rest' (it means the rest of the index)")
        solve_for = str(s.get("solve_for", "rest"))
        if solve_for != "rest" and solve_for not in names:
            close = difflib.get_close_matches(solve_for, names, n=1)
            v.err(
                "structure.solve_for",
                f"{solve_for!r} is neither 'rest' nor one of the groups ({', '.join(map(repr, names))})"
                + (f"; did you mean {close[0]!r}?" if close else ""),
            )
        structure = Structure(
            index,
            target or 0.0,
            tuple(groups),
            str(s.get("horizon", "1Y")),
            str(s.get("weights_source", "")),
            rest,
            solve_for,
        )

    return structure


def _facts(v: _V, top: dict[str, Any]) -> list[Fact]:
    """[[facts]]: analyst-entered facts with their source, leaning and pillar (a registered one)."""
    facts = []
    for i, f in enumerate(v.list_(top.get("facts"), "facts")):
        path = f"facts[{i}]"
        f = v.keys(f, "facts", path)
        leaning = v.str_(f, "leaning", path, required=False, default="neutral")
        if leaning not in LEANINGS:
            v.err(f"{path}.leaning", f"{leaning!r} must be one of {', '.join(LEANINGS)}")
        pillar = v.str_(f, "pillar", path, required=False, default="fundamentals")
        if pillar not in PILLARS:
            v.err(f"{path}.pillar", f"{pillar!r} must be one of {', '.join(PILLARS.names())}")
        source = v.str_(f, "source", path)
        facts.append(
            Fact(
                id=v.str_(f, "id", path),
                claim=v.str_(f, "claim", path),
                value=v.num(f, "value", path, required=False),
                unit=str(f.get("unit", "")),
                leaning=leaning,
                source=source,
                date=v.date(f["date"], f"{path}.date") if "date" in f else None,
                pillar=pillar,
                flip=str(f.get("flip", "")),
            )
        )

    return facts


def _triggers(v: _V, top: dict[str, Any], terms: list[str]) -> list[Trigger]:
    """[[triggers]]: what to watch, each kind's parameters checked at load."""
    triggers = []
    for i, t in enumerate(v.list_(top.get("triggers"), "triggers")):
        path = f"triggers[{i}]"
        t = v.keys(t, "triggers", path)
        params = t.get("params", {})
        if not isinstance(params, dict):
            v.err(f"{path}.params", "must be a table")
            params = {}
        kind = v.str_(t, "kind", path)
        triggers.append(
            Trigger(
                v.str_(t, "id", path),
                kind,
                v.str_(t, "description", path, required=False),
                _trigger_params(v, kind, dict(params), path, terms),
            )
        )

    return triggers


def _base_rates(v: _V, top: dict[str, Any]) -> list[BaseRateSpec]:
    """[[base_rates]]: configurations counted over complete periods; conditions parsed at load."""
    base_rates = []
    for i, b in enumerate(v.list_(top.get("base_rates"), "base_rates")):
        path = f"base_rates[{i}]"
        b = v.keys(b, "base_rates", path)
        conds: dict[str, tuple[str, ...]] = {}
        for key in ("when", "then"):
            raw = b.get(key, [])
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
                v.err(f"{path}.{key}", "must be a list of conditions such as 'SPY >= 0.10'")
                raw = []
            for c in raw:
                try:
                    from .analytics.baserate import parse_condition

                    parse_condition(c)
                except HypecheckError as exc:
                    v.err(f"{path}.{key}", exc.message)
            conds[key] = tuple(raw)
        if not conds["when"]:
            v.err(f"{path}.when", "needs at least one condition")
        period = str(b.get("period", "A")).upper()
        if period not in ("A", "Q", "M"):
            v.err(f"{path}.period", f"{period!r} must be A, Q or M")
        last = v.whole(b, "base_rates", "last", path)
        base_rates.append(
            BaseRateSpec(
                id=v.str_(b, "id", path),
                claim=v.str_(b, "claim", path),
                when=conds["when"],
                then=conds["then"],
                period=period,
                last=last,
                min_rate=v.num(b, "min_rate", path, required=False),
            )
        )

    return base_rates


def _mappings(v: _V, top: dict[str, Any], pairs: list[Pair], bpairs: list[BreadthPair]) -> dict[str, Mapping]:
    """[mapping.<source>]: the theme's series under another source's ids."""
    mappings: dict[str, Mapping] = {}
    mp = top.get("mapping", {})
    if not isinstance(mp, dict):
        v.err("mapping", "must be a table of source names")
    else:
        for src, m in mp.items():
            path = f"mapping.{src}"
            m = v.keys(m, "mapping.*", path)
            series = m.get("series", {})
            if not isinstance(series, dict) or not all(isinstance(x, str) for x in series.values()):
                v.err(f"{path}.series", "must be a table THEME_ID = 'source series id'")
                series = {}
            _check_mapping(v, path, series, pairs, bpairs)
            mappings[src] = Mapping(
                source=src,
                series=series,
                as_of=v.date(m["as_of"], f"{path}.as_of") if "as_of" in m else None,
                note=str(m.get("note", "")),
                events=tuple(_events(v, m.get("events"), f"{path}.events")),
            )

    return mappings


def _release(v: _V, top: dict[str, Any]) -> dict[str, int]:
    """[release]: series id -> publication lag in days (``ICSA = 5``: the claims of the week ending on a
    Saturday are published the Thursday after), for series stored without vintages."""
    raw = top.get("release", {})
    if not isinstance(raw, dict):
        v.err("release", "must be a table SERIES_ID = days (the publication lag of each series)")
        return {}
    out: dict[str, int] = {}
    for sid, _days in raw.items():
        key = v.ticker(sid, f"release.{sid}")
        lag = v.whole(raw, "release.*", sid, "release")
        if key != "?" and lag is not None:
            out[key] = lag
    return out


def _same_term(t: str, terms: list[str]) -> str | None:
    """The term already in ``terms`` that names the same search series as ``t`` (case, ``_``, spaces)."""
    from .schema import normalise_name

    key = normalise_name("search", t)
    return next((x for x in terms if normalise_name("search", x) == key), None)


def _series_names(
    pairs: list[Pair],
    benchmarks: tuple[str, ...],
    style_box: dict[str, dict[str, str]],
    sectors: dict[str, str],
    bpairs: list[BreadthPair],
    structure: Structure | None,
    macro: list[MacroSeries],
    fundamentals: list[FundamentalSeries],
) -> list[str]:
    out = [x for p in pairs for x in (p.leader, p.laggard)] + list(benchmarks)
    out += [t for row in style_box.values() for t in row.values()] + list(sectors)
    out += [x for b in bpairs for x in (b.equal, b.cap)]
    if structure is not None:
        out += [structure.index, *(t for g in structure.groups for t in g.tickers)]
        out += [structure.rest_proxy] if structure.rest_proxy else []
    return out + [m.id for m in macro] + [f.id for f in fundamentals]


def _rekey(series: dict[str, str], named: list[str]) -> dict[str, str]:
    """Mapping keys spelt as the theme spells its series (``iwm = "ff:S1V3"`` maps the theme's IWM)."""
    by_fold = {n.casefold(): n for n in named}
    out: dict[str, str] = {}
    for k, target in series.items():
        key = k if k in named else by_fold.get(k.casefold(), k)
        out.setdefault(key, target)
    return out


_SKIP = object()  # a trigger parameter dropped after its error was reported


def _did_you_mean(x: str, options: Any) -> str:
    close = difflib.get_close_matches(x, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _bad(v: _V, where: str, msg: str) -> object:
    v.err(where, msg)
    return _SKIP


def _terms_param(v: _V, x: Any, where: str, terms: list[str]) -> Any:
    """Search terms spelt as the theme spells them; each one the theme does not read is an error."""
    if not isinstance(x, list) or not x or not all(isinstance(t, str) for t in x):
        return _bad(v, where, f"must be a list of the theme's search terms, got {x!r}")
    from .schema import normalise_name

    by_norm = {normalise_name("search", t): t for t in terms}
    spelt = []
    for j, t in enumerate(x):
        own = by_norm.get(normalise_name("search", t))
        if own is None:
            v.err(
                f"{where}[{j}]",
                f"{t!r} is not one of the theme's [attention] terms, so it is never read"
                + _did_you_mean(t, terms)
                + "; add it to [attention] terms or name one of "
                + (", ".join(repr(x) for x in terms) if terms else "them (the theme has none)"),
            )
        else:
            spelt.append(own)
    return spelt


def _param(v: _V, how: str, x: Any, where: str, terms: list[str]) -> Any:
    """One trigger parameter checked against its type ``how`` and normalised (``_SKIP`` after an error)."""
    if how == "ticker":
        return v.ticker(x, where, price=True)
    if how == "tickers":
        if not isinstance(x, list) or not x:
            return _bad(v, where, f'must be a list of tickers, such as ["NVDA"], got {x!r}')
        return [v.ticker(t, f"{where}[{j}]", price=True) for j, t in enumerate(x)]
    if how == "number":
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return _bad(v, where, f"must be a number, got {x!r}")
        return float(x)
    if how == "count":
        if isinstance(x, bool) or not isinstance(x, int) or x < 1:
            return _bad(v, where, f"must be a whole number, at least 1, got {x!r}")
        return x
    if how == "window":
        w = str(x).upper()
        if not isinstance(x, str) or not WINDOW_RE.match(w):
            return _bad(v, where, f"{x!r} is not a window (20D for 20 trading days, 1M, 3M, YTD ...)")
        return w
    if how == "mode":
        if x not in ("all", "any"):
            return _bad(
                v, where, f"{x!r} must be 'all' (every ticker below the level) or 'any' (one is enough)"
            )
        return x
    if how == "metric":
        if x not in BREADTH_METRICS:
            return _bad(
                v,
                where,
                f"unknown breadth metric {x!r}"
                + _did_you_mean(str(x), BREADTH_METRICS)
                + f"; the metrics are {', '.join(BREADTH_METRICS)}",
            )
        return x
    if how == "terms":
        return _terms_param(v, x, where, terms)
    if how == "text":
        if not isinstance(x, str) or not x.strip():
            return _bad(v, where, "must be a non-empty string")
        return x.strip()
    return _SKIP


def _trigger_params(v: _V, kind: str, params: dict[str, Any], path: str, terms: list[str]) -> dict[str, Any]:
    """Check a trigger's kind and parameters at load (a typo must not wait for the first run to be
    "unknown"); tickers are upper-cased like the theme's, terms spelt as the theme spells them."""
    if not kind:
        return params
    if kind not in TRIGGER_KINDS:
        v.err(
            f"{path}.kind",
            f"unknown trigger kind {kind!r}"
            + _did_you_mean(kind, TRIGGER_KINDS)
            + f"; the kinds are {', '.join(TRIGGER_KINDS)}",
        )
        return params
    spec = TRIGGER_KINDS[kind]
    for k in TRIGGER_REQUIRED.get(kind, ()):
        if k not in params:
            v.err(f"{path}.params", f"a {kind} trigger needs {k!r}")
    out: dict[str, Any] = {}
    for k, x in params.items():
        where = f"{path}.params.{k}"
        how = spec.get(k)
        if how is None:
            v.err(
                where,
                f"{kind} takes no parameter {k!r}" + _did_you_mean(k, spec) + f"; it takes {', '.join(spec)}",
            )
            continue
        value = _param(v, how, x, where, terms)
        if value is not _SKIP:
            out[k] = value
    return out


def _check_mapping(
    v: _V, path: str, series: dict[str, str], pairs: list[Pair], bpairs: list[BreadthPair]
) -> None:
    """A mapping is one step (theme id -> source id). A target that is itself a mapped theme id is a
    cycle (``A = "B"`` and ``B = "A"`` would silently swap the two) or a chain; and a pair whose two
    sides land on one source series compares that series with itself."""
    for k, target in series.items():
        if target != k and target in series:
            back = series[target]
            kind = "a cycle" if back == k else "a chain"
            v.err(
                f"{path}.series.{k}",
                f"maps to {target!r}, which is itself mapped (to {back!r}): {kind}; a mapping is applied once, "
                "so map every theme series straight to its source id",
            )
    sides = [(f"price.pairs[{i}]", p.leader, p.laggard) for i, p in enumerate(pairs)]
    sides += [(f"breadth.pairs[{i}]", b.equal, b.cap) for i, b in enumerate(bpairs)]
    for where, a, b in sides:
        if a != b and "?" not in (a, b) and series.get(a, a) == series.get(b, b):
            v.err(
                f"{path}.series",
                f"{where}: {a!r} and {b!r} both map to {series.get(a, a)!r}; a pair needs two different series",
            )


def _events_or_table(v: _V, raw: Any) -> tuple[list[Event], tuple[str, ...]]:
    """``events``: the list of dated events, or the table ``[events]`` with ``earnings`` (tickers)
    and ``dated`` (the list); (events, earnings tickers)."""
    if not isinstance(raw, dict):
        return _events(v, raw, "events"), ()
    t = v.keys(raw, "events_table", "events")
    tickers: list[str] = []
    for j, x in enumerate(v.list_(t.get("earnings"), "events.earnings")):
        tk = v.ticker(x, f"events.earnings[{j}]", price=True)
        if tk not in tickers:
            tickers.append(tk)
    return _events(v, t.get("dated"), "events.dated"), tuple(tickers)


def _events(v: _V, raw: Any, where: str) -> list[Event]:
    out = []
    for i, e in enumerate(v.list_(raw, where)):
        path = f"{where}[{i}]"
        e = v.keys(e, "events", path)
        d = v.date(e.get("date"), f"{path}.date")
        tickers = tuple(
            v.ticker(t, f"{path}.tickers[{j}]", price=True)
            for j, t in enumerate(v.list_(e.get("tickers"), f"{path}.tickers"))
        )
        out.append(Event(d or dt.date.min, v.str_(e, "label", path), str(e.get("kind", "event")), tickers))
    return sorted(out, key=lambda x: x.date)


# ---------------------------------------------------------------------------- loading


def builtin_theme_names() -> list[str]:
    folder = resources.files("hypecheck") / "themes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_theme(name_or_path: str | Path) -> Theme:
    """Load a built-in theme by name or a user's theme file by path."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        if not p.exists():
            raise ThemeError(f"theme file {str(p)!r} does not exist", hint="check the path")
        if not p.is_file():
            raise ThemeError(
                f"theme file {str(p)!r} is not a regular file (a folder, device or pipe)",
                hint="pass the path of a .toml file",
            )
        text = _read(p)
        where = str(p)
    else:
        name = str(name_or_path)
        if name not in builtin_theme_names():
            close = difflib.get_close_matches(name, builtin_theme_names(), n=1)
            raise ThemeError(
                f"no built-in theme {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
                hint="`hypecheck themes` lists them; or pass the path of a .toml file",
            )
        text = (resources.files("hypecheck") / "themes" / f"{name}.toml").read_text("utf-8")
        where = f"{name}.toml"
    data = parse_bounded(text, f"theme {where}", ThemeError, hint="check quoting and brackets")
    return parse_theme(data, where=where)


def _read(p: Path) -> str:
    if p.stat().st_size > MAX_TOML_BYTES:
        raise ThemeError(f"theme file {p} is larger than 1 MB", hint="a theme is a short TOML file")
    try:
        with p.open("rb") as fh:  # at most the limit, whatever the size said a moment ago
            raw = fh.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise ThemeError(
            f"theme file {p} cannot be read: {exc.strerror or exc}", hint="check the file"
        ) from None
    if len(raw) > MAX_TOML_BYTES:
        raise ThemeError(f"theme file {p} is larger than 1 MB", hint="a theme is a short TOML file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ThemeError(f"theme file {p} is not UTF-8 text", hint="save it as UTF-8") from None
