"""Price confirmation: do the leaders the narrative names actually lead, and across windows?"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..analytics.returns import relative_strength, returns_table, window_anchor
from ..analytics.rrg import rrg
from ..evidence import Evidence, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ..theme import Pair
from ._common import lean3, pct, pp, series_points, share_evidence, spread_finding, src, window_text

CHART_POINTS = 52  # RRG points kept per series for the charts (a year of weeks); tails stay ``g.tail`` long


Returns = dict[tuple[str, str], Any]  # (series, window) -> return (a fraction, None when unknown)


@dataclass(frozen=True)
class _Limits:
    """The price rules: the smallest spread that counts as a lead, and the shares of windows (or
    styles) ahead that read as persistent or fading."""

    min_spread: float
    keep: float
    fade: float

    @classmethod
    def of(cls, rules: Rules) -> _Limits:
        return cls(
            float(rules.get("price", "min_spread")),
            float(rules.get("price", "persistence_share")),
            float(rules.get("price", "fade_share")),
        )


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("price")
    res.tables["returns"] = _returns_rows(panel)
    ret: Returns = {(row["series"], row["window"]): row["return"] for row in res.tables["returns"]}
    limits = _Limits.of(rules)
    _pairs(panel, limits, res, ret)
    if panel.theme.style_box:
        _style_box(panel, limits, res, ret)
    if panel.theme.sectors:
        _sectors(panel, res, ret)
    _rotation(panel, rules, res)
    return res


def _returns_rows(panel: Panel) -> list[dict[str, Any]]:
    """Every series' return over each of the theme's windows, with the dates it runs between."""
    closes = {t: s.values for t, s in panel.prices.items()}
    table = returns_table(closes, panel.as_of, list(panel.theme.windows))
    records: list[dict[str, Any]] = table.to_dict("records")  # type: ignore[assignment]
    return [
        {
            "series": row["series"],
            "window": row["window"],
            "start": None
            if row["start"] is None or pd.isna(row["start"])
            else row["start"].strftime("%Y-%m-%d"),
            "end": None if row["end"] is None or pd.isna(row["end"]) else row["end"].strftime("%Y-%m-%d"),
            "return": None if math.isnan(row["return"]) else float(row["return"]),
        }
        for row in records
    ]


def _pairs(panel: Panel, limits: _Limits, res: PillarResult, ret: Returns) -> None:
    """Each leader/laggard pair: its spread over every window (the pairs table), whether the leader
    leads over the primary window, whether that lead persists across windows, and its RS line."""
    theme, as_of = panel.theme, panel.as_of
    windows = list(theme.windows)
    longest = max(windows, key=lambda w: as_of - window_anchor(as_of, w))
    rs_start = window_anchor(as_of, longest)
    pair_rows: list[dict[str, Any]] = []
    for pair in theme.pairs:
        a, b = panel.price(pair.leader), panel.price(pair.laggard)
        if a is None or b is None:
            gone = pair.leader if a is None else pair.laggard
            res.missing.append(
                MissingEvidence(
                    "price",
                    f"pair:{pair.leader}-{pair.laggard}",
                    f"{pair.label}: {panel.why_missing('price', gone)}",
                    f"add a price file for {gone} (Date,Close) to the data folder, or map it in [mapping.{panel.source}]",
                )
            )
            continue
        spreads: dict[str, float | None] = {}
        for w in windows:
            ra, rb = ret.get((pair.leader, w)), ret.get((pair.laggard, w))
            spreads[w] = None if ra is None or rb is None else ra - rb
            pair_rows.append(
                {
                    "pair": pair.label,
                    "leader": pair.leader,
                    "laggard": pair.laggard,
                    "window": w,
                    "leader_return": ra,
                    "laggard_return": rb,
                    "spread": spreads[w],
                }
            )
        if not _lead(panel, limits, res, ret, pair, spreads):
            continue
        _persistence(panel, limits, res, pair, spreads)
        rs = relative_strength(a, b, rs_start)
        if not rs.empty:
            res.charts.setdefault("rs_lines", {})[pair.label] = series_points(rs)
    res.tables["pairs"] = pair_rows


def _lead(
    panel: Panel,
    limits: _Limits,
    res: PillarResult,
    ret: Returns,
    pair: Pair,
    spreads: dict[str, float | None],
) -> bool:
    """The pair's primary-window spread as evidence; False (with the reason in ``res.missing``) when
    there is no primary-window return."""
    primary = panel.theme.windows[0]
    sp = spreads[primary]
    if sp is None:
        res.missing.append(
            MissingEvidence(
                "price",
                f"pair:{pair.leader}-{pair.laggard}",
                f"{pair.label}: no {primary} return (history too short before {panel.as_of.date()})",
                "use a later as-of date or longer price history",
            )
        )
        return False
    min_spread = limits.min_spread
    lean = lean3(sp, min_spread, -min_spread)
    res.evidence.append(
        Evidence(
            pillar="price",
            id=f"lead:{pair.leader}-{pair.laggard}:{primary}",
            claim=f"{pair.label}: {pair.leader} ahead of {pair.laggard} over {primary}",
            value=sp,
            threshold=min_spread,
            unit="fraction",
            leaning=lean,
            flip=(
                f"{pair.leader} - {pair.laggard} {primary} spread falling below {pp(-min_spread)}"
                if sp > 0
                else f"{pair.leader} - {pair.laggard} {primary} spread rising above {pp(min_spread)}"
            ),
            source=src(panel, pair.leader, pair.laggard),
            detail=f"{pair.leader} {pct(ret.get((pair.leader, primary)))} vs {pair.laggard} "
            f"{pct(ret.get((pair.laggard, primary)))}",
            finding=spread_finding(pair.leader, pair.laggard, sp, primary, lean, noise=min_spread),
        )
    )
    return True


def _persistence(
    panel: Panel, limits: _Limits, res: PillarResult, pair: Pair, spreads: dict[str, float | None]
) -> None:
    """Whether the leader is ahead in enough of the windows (needs at least two with a spread)."""
    valid = {w: s for w, s in spreads.items() if s is not None}
    if len(valid) < 2:
        return
    keep, fade = limits.keep, limits.fade
    ahead = [w for w, s in valid.items() if s > 0]
    behind = [w for w, s in valid.items() if s <= 0]
    res.evidence.append(
        share_evidence(
            pillar="price",
            id=f"persist:{pair.leader}-{pair.laggard}",
            claim=f"{pair.label}: leadership persists across windows",
            hits=len(ahead),
            total=len(valid),
            keep=keep,
            fade=fade,
            what=f"{pair.leader} ahead",
            items="windows",
            found=f"{pair.leader} was ahead of {pair.laggard} in {len(ahead)} of {len(valid)} windows"
            + (f" ({', '.join(ahead)})" if ahead else "")
            + (f", not over {', '.join(behind)}" if ahead and behind else ""),
            source=src(panel, pair.leader, pair.laggard),
            detail="ahead over "
            + (", ".join(ahead) or "no window")
            + "; "
            + ", ".join(f"{w} {pp(s)}" for w, s in valid.items()),
        )
    )


def _style_box(panel: Panel, limits: _Limits, res: PillarResult, ret: Returns) -> None:
    """The size x style box over the primary window, and whether small caps lead large caps across
    its styles."""
    theme = panel.theme
    primary = theme.windows[0]
    box = []
    for size in ("small", "mid", "large"):
        row = theme.style_box.get(size)
        if not row:
            continue
        box.append(
            {
                "size": size,
                **{st: {"ticker": t, "return": ret.get((t, primary))} for st, t in row.items()},
            }
        )
    res.tables["style_box"] = box
    res.charts["style_box"] = {"window": primary, "rows": box}
    small, large = theme.style_box.get("small") or {}, theme.style_box.get("large") or {}
    cols = [
        (st, small[st], large[st], ret.get((small[st], primary)), ret.get((large[st], primary)))
        for st in ("value", "blend", "growth")
        if st in small and st in large
    ]
    cols = [c for c in cols if c[3] is not None and c[4] is not None]
    if len(cols) < 2:
        return
    keep, fade = limits.keep, limits.fade
    ahead = [c for c in cols if c[3] - c[4] > 0]  # type: ignore[operator,misc]
    res.evidence.append(
        share_evidence(
            pillar="price",
            id=f"style-box:{primary}",
            claim=f"Small caps ahead of large caps across the style box over {primary}",
            hits=len(ahead),
            total=len(cols),
            keep=keep,
            fade=fade,
            what="small ahead of large",
            items="styles",
            found=f"small caps led large caps in {len(ahead)} of {len(cols)} styles {window_text(primary)} ("
            + ", ".join(f"{st} {pp(ra - rb)}" for st, _, _, ra, rb in cols)  # type: ignore[operator]
            + ")",
            source=src(panel, *[c[1] for c in cols], *[c[2] for c in cols]),
            detail="; ".join(f"{st}: {a} - {b} {pp(ra - rb)}" for st, a, b, ra, rb in cols),  # type: ignore[operator]
        )
    )


def _sectors(panel: Panel, res: PillarResult, ret: Returns) -> None:
    """The theme's sectors ranked by their primary-window return."""
    theme = panel.theme
    primary = theme.windows[0]
    sec = sorted(
        (
            {"ticker": t, "sector": name, "return": ret.get((t, primary))}
            for t, name in theme.sectors.items()
            if ret.get((t, primary)) is not None
        ),
        key=lambda r: -float(r["return"]),  # type: ignore[arg-type]
    )
    res.tables["sectors"] = sec
    res.charts["sectors"] = {"window": primary, "rows": sec}
    for t in theme.sectors:
        if (t, primary) not in ret:
            res.notes.append(f"sector {t}: {panel.why_missing('price', t)}")


def _rrg_members(panel: Panel) -> list[str]:
    """Tickers to place on the RRG: pair leaders, the small row of the style box, the first
    equal-weight series and the sectors, in that order, without duplicates or benchmarks."""
    theme = panel.theme
    out: list[str] = [p.leader for p in theme.pairs]
    if theme.style_box and theme.style_box.get("small"):
        out += list(theme.style_box["small"].values())
    out += [b.equal for b in theme.breadth_pairs[:1]]
    out += list(theme.sectors)
    seen: list[str] = []
    for t in out:
        if t not in seen and t not in theme.benchmarks:
            seen.append(t)
    return seen


def _rotation(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """Relative Rotation Graph of the theme's leaders, style corners and sectors against each
    benchmark (weekly, causal), with one evidence item per pair leader against the primary one."""
    theme = panel.theme
    if not theme.benchmarks:
        return
    members = [t for t in _rrg_members(panel) if panel.price(t) is not None]
    daily_like = [t for t in members if panel.prices[t].meta.frequency in ("D", "W")]
    if not members:
        return
    if not daily_like:
        freq = panel.prices[members[0]].meta.frequency
        res.missing.append(
            MissingEvidence(
                "price",
                "rrg",
                f"the Relative Rotation Graph needs daily or weekly closes; these series are {freq}",
                "use daily price files (e.g. the shared ETF data) for the rotation view",
            )
        )
        return
    closes = pd.concat({t: panel.price(t) for t in daily_like}, axis=1, sort=True)
    weight = float(rules.get("price", "rrg_weight"))
    leaders = list(dict.fromkeys(p.leader for p in theme.pairs))
    tables: list[dict[str, Any]] = []
    for k, bench_id in enumerate(theme.benchmarks):
        bench = panel.price(bench_id)
        if bench is None:
            res.notes.append(f"RRG against {bench_id}: {panel.why_missing('price', bench_id)}")
            continue
        try:
            named = bench.rename(bench_id)
            g = panel.computed(("rrg", bench_id, tuple(daily_like)), partial(rrg, closes, named, freq="W"))
        except ValueError as exc:
            res.missing.append(
                MissingEvidence(
                    "price", f"rrg:{bench_id}", f"RRG against {bench_id}: {exc}", "use longer daily history"
                )
            )
            continue
        for t, why in g.skipped.items():
            res.notes.append(f"RRG against {bench_id}: {t} left out ({why})")
        latest = g.latest()
        tails = g.tail_points(CHART_POINTS)  # a year of points: the dashboard's date slider moves along them
        chart: dict[str, Any] = {"benchmark": bench_id, "freq": g.freq, "tail": g.tail, "series": {}}
        for row in latest.to_dict("records"):
            t = str(row["ticker"])
            dates, ratio, momentum = tails[t]
            chart["series"][t] = {
                "dates": np.datetime_as_string(dates, unit="D").tolist(),  # YYYY-MM-DD, one call
                "ratio": ratio.tolist(),
                "momentum": momentum.tolist(),
                "quadrant": row["quadrant"],
            }
            tables.append(
                {
                    "benchmark": bench_id,
                    "series": t,
                    "date": pd.Timestamp(row["date"]).strftime("%Y-%m-%d"),
                    "rs_ratio": float(row["rs_ratio"]),
                    "rs_momentum": float(row["rs_momentum"]),
                    "quadrant": row["quadrant"],
                    "heading": row["heading"],
                    "heading_deg": None if pd.isna(row["heading_deg"]) else float(row["heading_deg"]),
                    "weeks_in_quadrant": int(row["periods_in_quadrant"]),
                }
            )
            if k == 0 and t in leaders:
                res.evidence.append(
                    _rrg_evidence(panel, bench_id, {str(k): v for k, v in row.items()}, weight)
                )
        res.charts.setdefault("rrg", {})[bench_id] = chart
    if tables:
        res.tables["rrg"] = tables
        res.notes.append(
            "RRG: weekly RS = 100 x close / benchmark; RS-Ratio = 100 + z-score of its 10-week EMA over 52 weeks; "
            "RS-Momentum = 100 + z-score of the weekly change of RS-Ratio over 52 weeks (causal; see hypecheck.analytics.rrg)"
        )


_RRG_LEAN: dict[str, Any] = {
    "leading": "catalyst",
    "improving": "neutral",
    "weakening": "neutral",
    "lagging": "viral",
}
_RRG_FLIP = {
    "leading": "RS-Momentum falling below 100 (into weakening)",
    "improving": "RS-Ratio rising above 100 would make it leading; RS-Momentum below 100 would send it back to lagging",
    "weakening": "RS-Momentum back above 100 would make it leading again; RS-Ratio below 100 would make it lagging",
    "lagging": "RS-Momentum rising above 100 (into improving)",
}


def _rrg_evidence(panel: Panel, bench_id: str, row: dict[str, Any], weight: float) -> Evidence:
    t, q = str(row["ticker"]), str(row["quadrant"])
    ratio, mom = float(row["rs_ratio"]), float(row["rs_momentum"])
    side = (
        f"RS-Ratio {ratio:.2f} {'above' if ratio >= 100 else 'below'} 100, "
        f"RS-Momentum {mom:.2f} {'above' if mom >= 100 else 'below'} 100"
    )
    return Evidence(
        pillar="price",
        id=f"rrg:{t}-{bench_id}",
        claim=f"{t} in the leading quadrant of the weekly RRG against {bench_id}",
        value=float(row["rs_ratio"]),
        threshold=100.0,
        unit="RS-Ratio",
        leaning=_RRG_LEAN[q],
        flip=_RRG_FLIP[q],
        source=src(panel, t, bench_id),
        weight=weight,
        finding=finding_sentence(
            f"{t} is in the {q} quadrant of the weekly RRG against {bench_id} ({side})", _RRG_LEAN[q]
        ),
        detail=(
            f"{q}, RS-Ratio {float(row['rs_ratio']):.2f}, RS-Momentum {float(row['rs_momentum']):.2f}, "
            f"heading {row['heading'] or 'n/a'}, {int(row['periods_in_quadrant'])} week(s) in quadrant "
            f"(as of {pd.Timestamp(row['date']).date()})"
        ),
    )
