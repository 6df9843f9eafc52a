"""Structure: the return one part of the index needs given what the other parts do, and how often
that part has delivered it.

The index is the theme's named groups (``[[structure.groups]]``, with their index weights) plus the
rest of the index. By default the test solves for the rest ("with mega-cap tech flat, the rest of the
index must carry it"); a theme may instead solve for one of its groups (``[structure] solve_for =
"Semiconductors"``: "with the rest of the index flat, semis must return X"). The required return is
compared with that part's own calendar-year record: the rest-of-index proxy (``rest_proxy``, else
the index) for the rest, the group's tickers (equal-weighted) for a group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analytics.returns import window_return
from ..analytics.structure import REST, calendar_year_returns, percentile_of, required_part_return
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..theme import Structure
from ._common import pct, src


def solve_for(panel: Panel) -> str:
    """The part whose required return the theme's structural test computes: ``"rest"`` (default) or
    the name of one of its groups (read from the theme's ``[structure] solve_for``)."""
    st = panel.theme.structure
    v = getattr(st, "solve_for", None) if st is not None else None
    v = str(v).strip() if v else REST
    return REST if v.lower() in (REST, "rest of the index", "the rest") else v


def _ordinal(x: float) -> str:
    n = round(x)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _group_years(panel: Panel, tickers: tuple[str, ...], as_of: pd.Timestamp) -> tuple[pd.Series, list[str]]:
    """Calendar-year returns of a group: the mean over its tickers with a return that year."""
    cols = {}
    for t in tickers:
        s = panel.price(t)
        if s is not None:
            cols[t] = calendar_year_returns(s, as_of)
    if not cols:
        return pd.Series(dtype="float64", name="return"), []
    return pd.DataFrame(cols).mean(axis=1, skipna=True).dropna().sort_index(), list(cols)


@dataclass(frozen=True)
class _Parts:
    """The structural test's parts: the theme's groups with their weights, the part solved for and the
    others whose returns are set."""

    st: Structure
    weights: dict[str, float]
    solve: str
    others: list[str]

    @property
    def solve_txt(self) -> str:
        return f"the rest of {self.st.index}" if self.solve == REST else self.solve

    @property
    def others_txt(self) -> str:
        return " and ".join(f"the rest of {self.st.index}" if k == REST else k for k in self.others)

    def need(self, returns: dict[str, float]) -> float:
        """The return the solved-for part needs for the index to reach its target."""
        return required_part_return(self.st.target, self.weights, returns, self.solve)


def _parts(panel: Panel, res: PillarResult) -> _Parts | None:
    """The test's parts, or None (with the reason in ``res.missing``) when the theme has no usable
    [structure] test."""
    st = panel.theme.structure
    if st is None:
        res.missing.append(
            MissingEvidence(
                "structure",
                "structure",
                "the theme has no [structure] test",
                "add [structure] with index, target and [[structure.groups]]",
            )
        )
        return None
    weights = {g.name: g.weight for g in st.groups}
    solve = solve_for(panel)
    if solve != REST and solve not in weights:
        res.missing.append(
            MissingEvidence(
                "structure",
                "structure",
                f"[structure] solve_for = {solve!r} names no group (groups: {', '.join(weights)})",
                "set solve_for to 'rest' or to the name of one of the [[structure.groups]]",
            )
        )
        return None
    others = [k for k in (*weights, REST) if k != solve]
    return _Parts(st, weights, solve, others)


def _ytd(panel: Panel, parts: _Parts) -> dict[str, float]:
    """The groups' own year-to-date return so far (equal-weighted across each group's tickers); the
    rest's follows from the index's by the same arithmetic."""
    st, as_of = parts.st, panel.as_of
    ytd = {}
    for g in st.groups:
        vals = [window_return(s, as_of, "YTD").value for t in g.tickers if (s := panel.price(t)) is not None]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            ytd[g.name] = float(np.mean(vals))
    index_px = panel.price(st.index)
    if len(ytd) == len(st.groups) and index_px is not None:
        idx_ytd = window_return(index_px, as_of, "YTD").value
        if not math.isnan(idx_ytd):
            ytd[REST] = required_part_return(idx_ytd, parts.weights, ytd, REST)
    return ytd


def _scenarios(parts: _Parts, rules: Rules, ytd: dict[str, float]) -> list[dict[str, object]]:
    """The required return under each flat scenario for the others, then under their YTD pace."""
    solve, others = parts.solve, parts.others
    rows: list[dict[str, object]] = []
    for r in [float(x) for x in rules.get("structure", "scenarios")]:
        rr = parts.need(dict.fromkeys(others, r))
        if solve == REST:
            rows.append({"scenario": f"groups {pct(r, 0)}", "group_return": r, "required_rest": rr})
        else:
            rows.append({"scenario": f"others {pct(r, 0)}", "others_return": r, "required_return": rr})
    if all(k in ytd for k in others):
        label = (
            "groups repeat their YTD pace (no annualising)"
            if solve == REST
            else ("others repeat their YTD pace (no annualising)")
        )
        rr = parts.need({k: ytd[k] for k in others})
        rows.append(
            {"scenario": label, "group_return": None, "required_rest": rr}
            if solve == REST
            else {"scenario": label, "others_return": None, "required_return": rr}
        )
    return rows


def _record(panel: Panel, parts: _Parts, res: PillarResult) -> tuple[pd.Series | None, str, list[str]]:
    """The solved-for part's calendar-year record: (yearly returns or None, what they are the record
    of, the series they come from); a missing record goes to ``res.missing``."""
    st, solve, as_of = parts.st, parts.solve, panel.as_of
    if solve == REST:
        proxy_id = st.rest_proxy if st.rest_proxy and panel.price(st.rest_proxy) is not None else st.index
        proxy = panel.price(proxy_id)
        hist = calendar_year_returns(proxy, as_of) if proxy is not None else None
        if proxy is None:
            res.missing.append(
                MissingEvidence(
                    "structure",
                    "feasibility",
                    f"no history for {proxy_id}: {panel.why_missing('price', proxy_id)}",
                    f"add a price file for {proxy_id}",
                )
            )
        elif proxy_id != st.rest_proxy:
            res.notes.append(
                f"rest-of-index proxy {st.rest_proxy or '(none)'} unavailable; used {proxy_id} itself"
            )
        return hist, proxy_id, [proxy_id]
    g = {g.name: g for g in st.groups}[solve]
    hist, used = _group_years(panel, g.tickers, as_of)
    record = f"{solve} ({', '.join(used)}, equal-weighted)" if len(used) > 1 else (used[0] if used else solve)
    if not used:
        res.missing.append(
            MissingEvidence(
                "structure",
                "feasibility",
                f"no price history for the group {solve!r} (tickers: {', '.join(g.tickers) or 'none named'})",
                "name the group's tickers in [[structure.groups]] and add their price files",
            )
        )
        return None, record, used
    return hist, record, used


def _feasibility_evidence(
    panel: Panel, parts: _Parts, rules: Rules, flat: float, hist: pd.Series, record: str, sources: list[str]
) -> Evidence:
    """The finding: where the required return (others flat) sits among the part's calendar years."""
    st, solve, weights = parts.st, parts.solve, parts.weights
    others_txt = parts.others_txt
    p = percentile_of(float(flat), hist.to_numpy())
    met = hist[hist >= flat]
    hi, lo = (
        float(rules.get("structure", "strained_percentile")),
        float(rules.get("structure", "feasible_percentile")),
    )
    lean: Leaning = "viral" if p >= hi else ("catalyst" if p < lo else "neutral")
    verdict_txt = (
        "a top-quintile year" if p >= hi else ("below the median year" if p < lo else "above the median year")
    )
    claim = (
        f"for {st.index} to gain {pct(st.target, 0)} with {', '.join(weights)} flat "
        f"({pct(sum(weights.values()), 0, False)} of the index), the rest must return {pct(float(flat), 1)}: "
        f"below its median year"
        if solve == REST
        else f"for {st.index} to gain {pct(st.target, 0)} with {others_txt} flat, {solve} "
        f"({pct(weights[solve], 0, False)} of the index) must return {pct(float(flat), 1)}: "
        f"below its median year"
    )
    return Evidence(
        pillar="structure",
        id="required-rest-return" if solve == REST else f"required-return:{solve}",
        claim=claim,
        value=p,
        threshold=hi,
        unit="percentile of the rest's calendar years"
        if solve == REST
        else f"percentile of {solve}'s calendar years",
        leaning=lean,
        flip=(
            f"required return falling below the {hi:.0f}th percentile of {record}'s years "
            f"(a smaller target or the other parts rising)"
            if lean == "viral"
            else f"required return rising above the {hi:.0f}th percentile of {record}'s years"
        ),
        source=src(panel, *sources) + f"; weights: {st.weights_source or 'theme input'}",
        detail=(
            f"{len(met)} of {len(hist)} calendar years of {record} ({hist.index.min()}-{hist.index.max()}) "
            f"returned at least {pct(float(flat), 1)}: " + ", ".join(str(int(y)) for y in met.index[-12:])
        ),
        finding=finding_sentence(
            f"for {st.index} to gain {pct(st.target, 0)} with {others_txt} flat, {parts.solve_txt} must "
            f"return {pct(float(flat), 1)}; {record} returned at least that in {len(met)} of "
            f"{len(hist)} calendar years ({hist.index.min()}-{hist.index.max()}), so the requirement "
            f"sits at the {_ordinal(p)} percentile of its years, {verdict_txt}",
            lean,
        ),
    )


def _feasibility(
    panel: Panel, parts: _Parts, rules: Rules, res: PillarResult, rows: list[dict[str, object]]
) -> None:
    """The required return with the others flat against the part's calendar-year record: the
    feasibility table, the finding and the burden chart (or why they are missing)."""
    flat = parts.need(dict.fromkeys(parts.others, 0.0))
    hist, record, sources = _record(panel, parts, res)
    if hist is None:
        return
    if len(hist) < 5:
        res.missing.append(
            MissingEvidence(
                "structure",
                "feasibility",
                f"only {len(hist)} complete years of {record} before {panel.as_of.date()}",
                "use a longer history for "
                + (
                    "the rest-of-index proxy"
                    if parts.solve == REST
                    else f"the {parts.solve!r} group's tickers"
                ),
            )
        )
        return
    res.tables["feasibility"] = [
        {"year": int(y), "return": float(v), "meets": bool(v >= flat)}
        for y, v in zip(hist.index.tolist(), hist.tolist(), strict=True)
    ]
    res.evidence.append(_feasibility_evidence(panel, parts, rules, flat, hist, record, sources))
    res.charts["burden"] = {
        # chart rows carry the required return as required_rest whichever part is solved for
        "scenarios": [{**x, "required_rest": x.get("required_rest", x.get("required_return"))} for x in rows],
        "history_median": float(hist.median()),
        "history_p80": float(np.percentile(hist, 80)),
        "proxy": record,
        "solve_for": parts.solve,
    }


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("structure")
    parts = _parts(panel, res)
    if parts is None:
        return res
    st = parts.st
    ytd = _ytd(panel, parts)
    rows = _scenarios(parts, rules, ytd)
    res.tables["scenarios"] = rows
    res.tables["groups"] = [
        {
            "group": g.name,
            "weight": g.weight,
            "tickers": ", ".join(g.tickers),
            "earnings_growth_share": g.earnings_growth_share,
            "ytd": ytd.get(g.name),
        }
        for g in st.groups
    ]
    _feasibility(panel, parts, rules, res, rows)
    for g in st.groups:
        if g.earnings_growth_share is not None:
            res.notes.append(
                f"{g.name}: {pct(g.earnings_growth_share, 0, False)} of index earnings growth "
                f"(theme input) on {pct(g.weight, 0, False)} of its weight"
            )
    if parts.solve != REST:
        res.notes.append(
            f"structural test solved for {parts.solve!r}: the return it needs given what {parts.others_txt} do "
            "([structure] solve_for)"
        )
    return res
