"""Helpers shared by the pillars: formatting, provenance strings, cited facts, chart series."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..evidence import Evidence, Leaning
from ..panel import Panel
from ..rules import Rules


def pct(x: float | None, digits: int = 2, sign: bool = True) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 100:+.{digits}f}%" if sign else f"{x * 100:.{digits}f}%"


def pp(x: float | None, digits: int = 2) -> str:
    """A difference of two returns, in percentage points."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 100:+.{digits}f} pp"


def src(panel: Panel, *ids: str) -> str:
    """'IWM: files prices/etf_daily/IWM.csv; SPY: ...' for the evidence's source field."""
    parts = []
    for i in ids:
        for p in panel.provenance:
            if p.id == i:
                label = i if p.resolved == i else f"{i}={p.resolved}"
                parts.append(f"{label}: {p.source} {p.origin} (to {p.last})")
                break
    return "; ".join(parts)


def lean3(value: float, up: float, down: float) -> Leaning:
    """catalyst above ``up``, viral below ``down``, neutral between."""
    if value > up:
        return "catalyst"
    if value < down:
        return "viral"
    return "neutral"


def series_points(s: pd.Series, start: pd.Timestamp | None = None) -> dict[str, list[Any]]:
    """Chart-ready points: {'dates': [...ISO...], 'values': [...]} (NaN dropped)."""
    s = s.dropna()
    if start is not None:
        s = s.loc[s.index >= start]
    return {"dates": [d.strftime("%Y-%m-%d") for d in s.index], "values": [float(v) for v in s.to_numpy()]}


def cited_facts(panel: Panel, rules: Rules, pillar: str, notes: list[str] | None = None) -> list[Evidence]:
    """The theme's analyst-entered facts for ``pillar``; facts dated after the as-of date are left
    out (they were not known then) and listed in ``notes``."""
    out = []
    for f in panel.theme.facts:
        if f.pillar != pillar:
            continue
        if f.date is not None and pd.Timestamp(f.date) > panel.as_of:
            if notes is not None:
                notes.append(f"cited fact {f.id!r} is dated {f.date}, after the as-of date: not used")
            continue
        out.append(
            Evidence(
                pillar=pillar,
                id=f"fact:{f.id}",
                claim=f.claim,
                value=f.value,
                threshold=None,
                leaning=f.leaning,  # type: ignore[arg-type]
                flip=f.flip or "a newer, cited figure pointing the other way",
                unit=f.unit,
                source=f"cited: {f.source}" + (f" ({f.date})" if f.date else ""),
                weight=float(rules.get("verdict", "cited_weight")),
                cited=True,
            )
        )
    return out


def share_evidence(
    *,
    pillar: str,
    id: str,
    claim: str,
    hits: int,
    total: int,
    keep: float,
    fade: float,
    what: str,
    items: str,
    source: str,
    detail: str,
    weight: float = 1.0,
) -> Evidence:
    """Evidence from how many of ``total`` items agree (windows, styles, sectors, days): catalyst at or
    above the ``keep`` share, viral at or below ``fade``; the flip says how many would change it."""
    share = hits / total
    lean: Leaning = "catalyst" if share >= keep else ("viral" if share <= fade else "neutral")
    need = math.ceil(keep * total)
    return Evidence(
        pillar=pillar,
        id=id,
        claim=claim,
        value=share,
        threshold=keep,
        unit=f"share of {items}",
        leaning=lean,
        flip=(
            f"{what} in fewer than {need} of {total} {items}"
            if lean == "catalyst"
            else f"{what} in at least {need} of {total} {items}"
        ),
        source=source,
        detail=detail,
        weight=weight,
    )
