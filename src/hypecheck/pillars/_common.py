"""Helpers shared by the pillars: formatting, provenance strings, cited facts, chart series, and the
phrasing of findings (what was measured, with its unit and the direction word that matches its sign)."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from ..evidence import Evidence, Leaning, finding_sentence
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


_WINDOW_UNITS = {"D": "day", "W": "week", "M": "month", "Y": "year"}


def window_text(window: str) -> str:
    """'this year' for YTD, 'this month' / 'this quarter' for MTD / QTD, 'over 3 months' for 3M."""
    w = window.upper()
    if w in ("YTD", "MTD", "QTD"):
        return {"YTD": "this year", "MTD": "this month", "QTD": "this quarter"}[w]
    m = re.fullmatch(r"(\d+)([DWMY])", w)
    if not m:
        return f"over {window}"
    n, unit = int(m[1]), _WINDOW_UNITS[m[2]]
    return f"over {n} {unit}{'' if n == 1 else 's'}"


def spread_text(a: str, b: str, spread: float, window: str | None = None) -> str:
    """'IWM led SPY by 6.53 pp this year' / 'RSP trailed SPY by 2.77 pp over 3 months': the verb follows
    the sign of ``spread`` (a - b, a fraction); a spread that rounds to 0.00 pp is 'level with'."""
    when = f" {window_text(window)}" if window else ""
    mag = abs(spread) * 100
    if f"{mag:.2f}" == "0.00":
        return f"{a} was level with {b}{when}"
    verb = "led" if spread > 0 else "trailed"
    return f"{a} {verb} {b} by {mag:.2f} pp{when}"


def spread_finding(
    a: str,
    b: str,
    spread: float,
    window: str | None,
    leaning: Leaning,
    *,
    noise: float | None = None,
    context: str = "",
) -> str:
    """One finding for a return spread: :func:`spread_text`, 'within the +/-x pp noise band' when the
    spread is inside ``noise``, an optional ``context`` clause, and the suffix for ``leaning``."""
    text = spread_text(a, b, spread, window)
    if noise is not None and abs(spread) <= noise:
        text += f", within the ±{noise * 100:.2f} pp noise band"
    if context:
        text += f": {context}"
    return finding_sentence(text, leaning)


def amount(x: float, digits: int = 2) -> str:
    """A level or change in its own unit: '0.18', '3.59', '21,000' (no decimals from 100 up)."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.{digits}f}"


def level_text(
    subject: str,
    change: float,
    window: str | None = None,
    *,
    unit: str = "",
    digits: int = 2,
) -> str:
    """'the 2-year yield rose 0.18 pp over 3 months': the verb (rose / fell / was unchanged) follows the
    sign of ``change``, the magnitude is shown in ``unit``."""
    when = f" {window_text(window)}" if window else ""
    mag = amount(abs(change), digits)
    if float(mag.replace(",", "")) == 0:
        return f"{subject} was unchanged{when}"
    verb = "rose" if change > 0 else "fell"
    return f"{subject} {verb} {mag}{' ' + unit if unit else ''}{when}"


def level_finding(
    subject: str,
    change: float,
    window: str | None,
    leaning: Leaning,
    *,
    unit: str = "",
    level: str = "",
    tolerance: float | None = None,
    needs: str = "",
) -> str:
    """One finding for a change in a level: :func:`level_text`, the level reached, whether the change
    is inside the flat band, what the narrative needs, and the suffix for ``leaning``."""
    text = level_text(subject, change, window, unit=unit)
    if level:
        text += f", to {level}"
    if tolerance is not None and abs(change) <= tolerance:
        text += f", within the ±{tolerance:g}{' ' + unit if unit else ''} band counted as flat"
    if needs:
        text += f"; the narrative needs {needs}"
    return finding_sentence(text, leaning)


def of_total(hits: int, total: int, items: str) -> str:
    """'6 of 10 sectors'."""
    return f"{hits} of {total} {items}"


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
                finding=finding_sentence(f"cited, not measured: {f.claim}", f.leaning),
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
    found: str | None = None,
) -> Evidence:
    """Evidence from how many of ``total`` items agree (windows, styles, sectors, days): catalyst at or
    above the ``keep`` share, viral at or below ``fade``; the flip says how many would change it.
    ``found`` is the finding's sentence without its direction suffix (default: '{what} in {hits} of
    {total} {items}')."""
    share = hits / total
    lean: Leaning = "catalyst" if share >= keep else ("viral" if share <= fade else "neutral")
    text = found if found is not None else f"{what} in {of_total(hits, total, items)}"
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
        finding=finding_sentence(text, lean),
    )


# ---------------------------------------------------------------- release lags said where they apply
_PERIOD_WORD = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "A": "year"}


def period_word(panel: Panel, id: str) -> str:
    """ "month", "quarter", ... for the frequency of the panel's macro series ``id`` ("period")."""
    s = panel.macro.get(id)
    return _PERIOD_WORD.get(s.meta.frequency, "period") if s is not None else "period"


def assumed_lag(panel: Panel, id: str) -> int | None:
    """The release lag in days the panel's cut of macro series ``id`` *assumed* (no documented lag
    for the series and no entry in the theme's ``[release]`` table), as the cut's note says it
    (:func:`hypecheck.known.cut_known`: "assumed lag N days"); None when the lag was documented or set
    by the theme, or none applied (a series with vintages, a daily series)."""
    from ..known import assumed_lag_in

    for p in panel.provenance:
        if p.kind == "macro" and p.id == id:
            return next((d for d in map(assumed_lag_in, p.notes) if d is not None), None)
    return None


def assumed_text(panel: Panel, id: str) -> str:
    """'published date assumed: 60 days after the month, ...' for a series cut with an assumed
    release lag (assumed_lag), else ''."""
    days = assumed_lag(panel, id)
    if days is None:
        return ""
    return (
        f"published date assumed: {days} days after the {period_word(panel, id)}, no documented release lag; "
        f"set {id} = <days> in the theme's [release] table"
    )
