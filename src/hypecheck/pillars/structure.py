"""Structure: the return the rest of the index needs, and how often the rest has delivered it."""

from __future__ import annotations

import math

import numpy as np

from ..analytics.returns import window_return
from ..analytics.structure import calendar_year_returns, percentile_of, required_return
from ..evidence import Evidence, MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import pct, src


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("structure")
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
        return res
    as_of = panel.as_of
    weights = {g.name: g.weight for g in st.groups}
    w_sum = sum(weights.values())
    scenarios = [float(x) for x in rules.get("structure", "scenarios")]
    rows = []
    for r in scenarios:
        rr = required_return(st.target, weights, {g: r for g in weights})
        rows.append({"scenario": f"groups {pct(r, 0)}", "group_return": r, "required_rest": rr})
    # the groups' own year-to-date return so far (equal-weighted across each group's tickers)
    ytd = {}
    for g in st.groups:
        vals = [window_return(s, as_of, "YTD").value for t in g.tickers if (s := panel.price(t)) is not None]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            ytd[g.name] = float(np.mean(vals))
    if len(ytd) == len(st.groups):
        rows.append(
            {
                "scenario": "groups repeat their YTD pace (no annualising)",
                "group_return": None,
                "required_rest": required_return(st.target, weights, ytd),
            }
        )
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

    proxy_id = st.rest_proxy if st.rest_proxy and panel.price(st.rest_proxy) is not None else st.index
    proxy = panel.price(proxy_id)
    flat = required_return(st.target, weights, dict.fromkeys(weights, 0.0))
    if proxy is None:
        res.missing.append(
            MissingEvidence(
                "structure",
                "feasibility",
                f"no history for {proxy_id}: {panel.why_missing('price', proxy_id)}",
                f"add a price file for {proxy_id}",
            )
        )
    else:
        hist = calendar_year_returns(proxy, as_of)
        if len(hist) < 5:
            res.missing.append(
                MissingEvidence(
                    "structure",
                    "feasibility",
                    f"only {len(hist)} complete years of {proxy_id} before {as_of.date()}",
                    "use a longer history for the rest-of-index proxy",
                )
            )
        else:
            p = percentile_of(float(flat), hist.to_numpy())
            met = hist[hist >= flat]
            res.tables["feasibility"] = [
                {"year": int(y), "return": float(v), "meets": bool(v >= flat)}
                for y, v in zip(hist.index.tolist(), hist.tolist(), strict=True)
            ]
            hi, lo = (
                float(rules.get("structure", "strained_percentile")),
                float(rules.get("structure", "feasible_percentile")),
            )
            lean = "viral" if p >= hi else ("catalyst" if p < lo else "neutral")
            if proxy_id != st.rest_proxy:
                res.notes.append(
                    f"rest-of-index proxy {st.rest_proxy or '(none)'} unavailable; used {proxy_id} itself"
                )
            res.evidence.append(
                Evidence(
                    pillar="structure",
                    id="required-rest-return",
                    claim=(
                        f"for {st.index} to gain {pct(st.target, 0)} with {', '.join(weights)} flat "
                        f"({pct(w_sum, 0, False)} of the index), the rest must return {pct(float(flat), 1)}"
                    ),
                    value=p,
                    threshold=hi,
                    unit="percentile of the rest's calendar years",
                    leaning=lean,  # type: ignore[arg-type]
                    flip=(
                        f"required rest return falling below the {hi:.0f}th percentile of {proxy_id}'s years "
                        f"(a smaller target or the groups rising)"
                        if lean == "viral"
                        else f"required rest return rising above the {hi:.0f}th percentile of {proxy_id}'s years"
                    ),
                    source=src(panel, proxy_id) + f"; weights: {st.weights_source or 'theme input'}",
                    detail=(
                        f"{len(met)} of {len(hist)} calendar years of {proxy_id} ({hist.index.min()}-{hist.index.max()}) "
                        f"returned at least {pct(float(flat), 1)}: "
                        + ", ".join(str(int(y)) for y in met.index[-12:])
                    ),
                )
            )
            res.charts["burden"] = {
                "scenarios": rows,
                "history_median": float(hist.median()),
                "history_p80": float(np.percentile(hist, 80)),
                "proxy": proxy_id,
            }
    for g in st.groups:
        if g.earnings_growth_share is not None:
            res.notes.append(
                f"{g.name}: {pct(g.earnings_growth_share, 0, False)} of index earnings growth "
                f"(theme input) on {pct(g.weight, 0, False)} of its weight"
            )
    return res
