"""From a scan's row to a theme: ``hypecheck scan --theme LEADER-LAGGARD``.

:func:`theme_toml` writes a complete theme (the format of ``src/hypecheck/themes/*.toml``, validated
by :func:`hypecheck.theme.parse_theme` before it is returned) for the narrative "LEADER keeps beating
LAGGARD", from what the universe file knows:

* ``[[price.pairs]]``: the narrative's own pair first (``check`` gives its verdict on the first pair),
  then every other pair of the universe that has the leader, oriented with the leader first;
* ``[price] benchmarks``: the universe's market benchmark (and the laggard when it is another one);
  ``[price.sectors]``: the universe's sector funds with their names;
* ``[[breadth.pairs]]``: the equal-weight twins the universe knows for the leader, the laggard and the
  benchmark; ``leadership = "narrow"`` when the narrative is a cap-weighted fund beating its own
  equal-weight twin, else ``"broad"``;
* ``[[macro]]``: the universe's macro series (short rate, curve, credit spread, VIX, policy rate) with
  the direction commonly tied to the leader's kind of story (see :data:`STORIES`): risk-on stories
  (small caps, value, cyclicals, equal weight, high yield) need rates flat or down, a steeper curve,
  tighter credit; defensive ones (utilities, staples, health care, low volatility, Treasuries, gold)
  need rates flat or down and wider credit; growth and technology need the 10-year yield flat or down.
  They are the usual arguments, written to be edited;
* ``[attention] terms``: the universe's search terms for both sides plus suggested terms for the
  leader's kind of story;
* ``[[triggers]]``: the lead's 20-day spread falling below zero, and the leader's RS-Momentum against
  the laggard below 100 (what ``hypecheck watch`` reports on).

The description states the scan's measurements as of its date when the narrative is in the scan.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from ..errors import InputError, short
from ..lab.history import Universe, load_universe
from ..schema import Catalog

SECTOR_NAMES = {
    "XLB": "Materials",
    "XLC": "Communication Services",
    "XLE": "Energy",
    "XLF": "Financials",
    "XLI": "Industrials",
    "XLK": "Technology",
    "XLP": "Consumer Staples",
    "XLRE": "Real Estate",
    "XLU": "Utilities",
    "XLV": "Health Care",
    "XLY": "Consumer Discretionary",
}
RISK_ON = {"IWM", "IWN", "IWO", "IJR", "IJS", "IJT", "IJH", "IJJ", "IJK", "IWR", "VBR", "VBK", "SIZE", "RSP"}
RISK_ON |= {"IWD", "IVE", "VTV", "MGV", "VLUE", "XLF", "XLI", "XLB", "XLE", "XLY", "HYG", "QQQE", "DIA"}
RISK_ON |= {f"RSP{x}" for x in "TFHNSUDMRCG"}
DEFENSIVE = {"XLU", "XLP", "XLV", "USMV", "QUAL", "TLT", "IEF", "SHY", "GLD", "LQD", "XLRE"}
GROWTH = {"XLK", "QQQ", "SMH", "MGK", "IWF", "IVW", "VUG", "MTUM", "XLC", "SPY", "IVV", "IWB"}
# the leader's kind of story -> (macro role, direction, why), and suggested search terms
STORIES: dict[str, dict[str, Any]] = {
    "risk-on": {
        "macro": [
            ("rate_2y", "flat_or_down", "2-year Treasury yield (easier money helps smaller, cyclical firms)"),
            ("curve", "flat_or_up", "10y-2y curve (steepening helps cyclicals)"),
            ("credit", "flat_or_down", "high-yield credit spread (risk appetite)"),
            ("vix", "flat_or_down", "VIX (calm markets favour risk-taking)"),
        ],
        "terms": ["market rotation", "small cap stocks", "value stocks"],
    },
    "defensive": {
        "macro": [
            ("rate_2y", "flat_or_down", "2-year Treasury yield (falling rates lift bond-like stocks)"),
            ("credit", "flat_or_up", "high-yield credit spread (widening: flight to safety)"),
            ("vix", "flat_or_up", "VIX (fear favours defensives)"),
        ],
        "terms": ["recession", "market crash", "defensive stocks"],
    },
    "growth": {
        "macro": [
            ("rate_2y", "flat_or_down", "2-year Treasury yield (discount rate of long-duration earnings)"),
            ("curve", "flat_or_down", "10y-2y curve (flattening: growth scarce, paid up for)"),
        ],
        "terms": ["growth stocks", "tech stocks", "AI stocks"],
    },
}
TICKER_TERMS = {
    "IWM": ["Russell 2000", "small cap"],
    "SMH": ["semiconductor stocks"],
    "GLD": ["gold price"],
    "TLT": ["treasury bonds"],
    "XLE": ["oil price"],
    "XLF": ["bank stocks"],
    "RSP": ["equal weight S&P 500"],
}


def story_of(ticker: str) -> str:
    if ticker in DEFENSIVE:
        return "defensive"
    if ticker in GROWTH:
        return "growth"
    return "risk-on"  # RISK_ON and anything unknown: the usual "rotation" story


def _q(s: str) -> str:
    return json.dumps(str(s), ensure_ascii=True)  # a JSON string is a TOML basic string


def _theme_id(leader: str, laggard: str) -> str:
    s = re.sub(r"[^a-z0-9\-_]+", "-", f"{leader}-over-{laggard}".lower()).strip("-_")
    return (s or "narrative")[:64]


def parse_pair(text: str, universe: Universe | None = None) -> tuple[str, str]:
    """``"IWM-SPY"`` -> ("IWM", "SPY"); tickers containing ``-`` are matched against the universe."""
    t = text.strip()
    if universe is not None:
        for i in [m.start() for m in re.finditer("-", t)]:
            a, b = _canon(t[:i], universe), _canon(t[i + 1 :], universe)
            if a is not None and b is not None:
                return a, b
    parts = t.split("-")
    if len(parts) != 2 or not all(parts):
        raise InputError(f"--theme {short(text)} is not LEADER-LAGGARD", hint="write it like IWM-SPY")
    return parts[0].strip().upper(), parts[1].strip().upper()


def _canon(ticker: str, u: Universe) -> str | None:
    """The universe's own spelling of ``ticker`` (any case: ``ff:mkt`` -> ``ff:Mkt``), None if absent."""
    fold = ticker.strip().casefold()
    return next((x for a, b, _ in u.pairs for x in (a, b) if x.casefold() == fold), None)


def theme_toml(
    result_or_catalog: Any,
    leader: str,
    laggard: str,
    *,
    universe: Universe | str | None = None,
    as_of: str | None = None,
) -> str:
    """A complete theme TOML for "``leader`` keeps beating ``laggard``" (see the module). The first
    argument is a :class:`~hypecheck.scan.core.ScanResult` (its universe, date and measurements are
    used) or a :class:`~hypecheck.schema.Catalog` (then ``universe``, default the catalog's standard
    one, and ``as_of`` are used)."""
    from ..theme import parse_theme

    leader, laggard = leader.strip().upper(), laggard.strip().upper()
    if leader == laggard:
        raise InputError(f"leader and laggard are both {leader}", hint="write --theme LEADER-LAGGARD")
    u, as_of, narrative, horizon = _source(result_or_catalog, leader, laggard, universe, as_of)
    leader, laggard = _canon(leader, u) or leader, _canon(laggard, u) or laggard
    if narrative is None and not isinstance(result_or_catalog, Catalog):
        narrative = result_or_catalog.find(leader, laggard)
    bench = str(u.market.get("benchmark", "")) or laggard
    story = story_of(leader)
    lines = _head(u, leader, laggard, horizon, as_of, narrative)
    lines += _attention(u, leader, laggard, story)
    lines += _price(u, leader, laggard, bench)
    lines += _breadth(u, leader, laggard, bench)
    lines += _macro(u, story)
    lines += _triggers(leader, laggard)
    text = "\n".join(lines) + "\n"
    parse_theme(tomllib.loads(text), where=f"{_theme_id(leader, laggard)}.toml")  # valid, or a bug here
    return text


def _source(
    result_or_catalog: Any, leader: str, laggard: str, universe: Universe | str | None, as_of: str | None
) -> tuple[Universe, str | None, Any, int]:
    """The universe, the date, the scan's narrative of the pair (None without one) and the horizon."""
    from .core import ScanResult, default_universe

    if isinstance(result_or_catalog, ScanResult):
        res = result_or_catalog
        u = res.universe_spec if isinstance(res.universe_spec, Universe) else load_universe(res.universe)
        return u, as_of or f"{res.as_of:%Y-%m-%d}", res.find(leader, laggard), res.horizon
    if not isinstance(result_or_catalog, Catalog):
        raise InputError("theme_toml needs a ScanResult or a Catalog", hint="pass scan(...)'s result")
    u = (
        universe
        if isinstance(universe, Universe)
        else load_universe(universe or default_universe(result_or_catalog))
    )
    return u, as_of, None, 6


def _head(
    u: Universe, leader: str, laggard: str, horizon: int, as_of: str | None, narrative: Any
) -> list[str]:
    lines = [
        f"# Written by `hypecheck scan --theme {leader}-{laggard}` from the {u.name} universe ({u.origin}).",
        "# Every section is a starting point: edit the pairs, macro directions and terms to your narrative.",
        f"id = {_q(_theme_id(leader, laggard))}",
        f"title = {_q(f'{leader} pulls ahead of {laggard}')}",
        f"question = {_q(f'Will {leader} keep beating {laggard} over the next {horizon} months, or is the move a short-lived story?')}",
    ]
    if narrative is not None and as_of:
        desc = f"Found by hypecheck scan as of {as_of}: {narrative.sentence(horizon)}."
    else:
        desc = f"{leader} against {laggard}, a pair of the {u.name} universe" + (
            f"; not a live narrative in the scan as of {as_of}." if as_of else "."
        )
    lines.append(f"description = {_q(desc)}")
    if as_of:
        lines.append(f"as_of = {_q(as_of)}")
    return lines


def _attention(u: Universe, leader: str, laggard: str, story: str) -> list[str]:
    terms: list[str] = []
    for t in [
        u.terms.get(leader),
        u.terms.get(laggard),
        *TICKER_TERMS.get(leader, []),
        *STORIES[story]["terms"],
    ]:
        if t and t.lower() not in {x.lower() for x in terms}:
            terms.append(t)
    return ["", "[attention]", f"terms = [{', '.join(_q(t) for t in terms[:6])}]", 'geo = "US"', ""]


def _price(u: Universe, leader: str, laggard: str, bench: str) -> list[str]:
    benches = [bench] + ([laggard] if laggard != bench and laggard in _cap_weighted(u) else [])
    lines = ["[price]", f"benchmarks = [{', '.join(_q(b) for b in dict.fromkeys(benches))}]"]
    lines.append('windows = ["YTD", "1M", "3M", "6M", "12M"]')
    pairs = [(leader, laggard, f"{leader} vs {laggard} (the scanned narrative)")]
    for a, b, g in u.pairs:
        if leader in (a, b) and laggard not in (a, b):
            other = b if a == leader else a
            pairs.append((leader, other, f"{leader} vs {other} ({g})"))
    for a, b, label in pairs[:6]:
        lines += ["", "[[price.pairs]]", f"leader = {_q(a)}", f"laggard = {_q(b)}", f"label = {_q(label)}"]
    sectors = [s for s in u.market.get("sectors", []) if isinstance(s, str)]
    if sectors:
        lines += ["", "[price.sectors]"]
        lines += [f"{_q(s)} = {_q(SECTOR_NAMES.get(s, s))}" for s in sectors]  # quoted keys: ff:ind:NoDur
    return lines


def _breadth(u: Universe, leader: str, laggard: str, bench: str) -> list[str]:
    twins = []
    for t in dict.fromkeys([leader, laggard, bench]):
        if t in u.twins and u.twins[t] != t:
            twins.append((u.twins[t], t))
    if not twins:
        return []
    narrow = any(cap == leader and eq == laggard for eq, cap in twins)
    lines = ["", "[breadth]", f"leadership = {_q('narrow' if narrow else 'broad')}"]
    for eq, cap in twins:
        lines += [
            "",
            "[[breadth.pairs]]",
            f"equal = {_q(eq)}",
            f"cap = {_q(cap)}",
            f"label = {_q(f'{cap} equal weight ({eq}) vs cap weight')}",
        ]
    return lines


def _macro(u: Universe, story: str) -> list[str]:
    lines: list[str] = []
    for role, needs, label in STORIES[story]["macro"]:
        sid = u.macro.get(role)
        if sid:
            lines += [
                "",
                "[[macro]]",
                f"id = {_q(sid)}",
                f"needs = {_q(needs)}",
                f"label = {_q(label)}",
                'window = "3M"',
            ]
    return lines


def _triggers(leader: str, laggard: str) -> list[str]:
    return [
        "",
        "[[triggers]]",
        'id = "lead-spread-negative"',
        'kind = "spread_below"',
        f"description = {_q(f'{leader} minus {laggard} 20-day return spread below zero (the lead gone)')}",
        f'params = {{ leader = {_q(leader)}, laggard = {_q(laggard)}, window = "20D", level = 0.0 }}',
        "",
        "[[triggers]]",
        'id = "leader-rs-momentum"',
        'kind = "rs_momentum_below"',
        f"description = {_q(f'{leader} RS-Momentum against {laggard} below 100 (the lead losing speed)')}",
        f'params = {{ tickers = [{_q(leader)}], benchmark = {_q(laggard)}, level = 100.0, mode = "all" }}',
    ]


def _cap_weighted(u: Universe) -> set[str]:
    return set(u.twins)


__all__ = ["parse_pair", "theme_toml"]
