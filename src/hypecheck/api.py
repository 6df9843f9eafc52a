"""The Python API: ``hypecheck.check("small-cap-rotation", as_of=...)``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace as _replace
from pathlib import Path
from typing import Any

import pandas as pd

from .data.catalog import load_catalog
from .errors import DateOutsideDataError, InputError
from .known import parse_as_of as _parse_as_of  # the one as-of parser
from .panel import build_panel
from .pillar_registry import PILLARS
from .result import CheckResult
from .rules import Rules, load_rules
from .schema import Catalog, Kind
from .theme import Theme, load_theme
from .verdict import decide


def _theme_span(
    theme: Theme, catalog: Catalog, source: str
) -> tuple[pd.Timestamp, pd.Timestamp, str, str] | None:
    """(first date, last date, the frequency of the series that ends last, what was spanned) over
    the theme's price series in ``catalog``; over its other series when it has no price series there."""
    mapping = theme.mappings.get(source)
    kinds: list[tuple[Kind, list[str]]] = [
        ("price", theme.tickers()),
        ("macro", [m.id for m in theme.macro] + [f.id for f in theme.fundamentals]),
        ("search", list(theme.terms)),
    ]
    span: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    for kind, names in kinds:
        for n in names:
            stored = catalog.resolve(kind, mapping.target(n) if mapping else n)
            if stored is None:
                continue
            for sd in catalog.all(kind, stored):
                if sd.start is not None and sd.end is not None:
                    span.append((sd.start, sd.end, sd.meta.frequency))
        if span:
            newest = max(span, key=lambda x: x[1])
            what = "price data" if kind == "price" else "data"
            return min(x[0] for x in span), newest[1], newest[2], what
    return None


def resolve_as_of(
    theme: Theme, catalog: Catalog, source: str, as_of: str | dt.date | pd.Timestamp | None
) -> pd.Timestamp:
    """The as-of date a check of ``theme`` on ``catalog`` uses: ``as_of`` parsed, else the default
    (:func:`default_as_of`). A date after the end of the theme's data (by more than a series may lag
    before it is stale) or before its start is one clear InputError naming the data's last or first
    date, not every series "too stale" or "no observation"."""
    from .known import MAX_AGE_DAYS

    ts = _parse_as_of(as_of)
    if ts is None:
        return default_as_of(theme, catalog, source)
    span = _theme_span(theme, catalog, source)
    if span is None:
        if ts in (pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")):
            raise DateOutsideDataError(
                f"as-of date {_shown(as_of, ts)} is outside the dates hypecheck can work with (1678-2261)",
                hint="pass --as-of a date within the data",
            )
        return ts
    first, last, freq, what = span
    shown = _shown(as_of, ts)
    where = "the bundled sample data" if source == "bundled" else f"the {source} data"
    if ts > last + pd.Timedelta(days=MAX_AGE_DAYS.get(freq, 62)):
        raise DateOutsideDataError(
            f"as-of date {shown} is after the end of the data: the theme's {what} in {where} end on "
            f"{last.date()}; pass --as-of on or before it",
            hint=f"use --as-of {last.date()} or earlier, or add newer data"
            + (" with --data PATH" if source == "bundled" else ""),
        )
    if ts < first:
        raise DateOutsideDataError(
            f"as-of date {shown} is before any data: the theme's {what} in {where} start on "
            f"{first.date()}; pass --as-of on or after it",
            hint=f"use --as-of {first.date()} or later",
        )
    return ts


def _shown(as_of: str | dt.date | pd.Timestamp | None, ts: pd.Timestamp) -> str:
    if isinstance(as_of, str):
        return as_of.strip()
    if isinstance(as_of, dt.date) and not isinstance(as_of, pd.Timestamp):
        return as_of.isoformat()
    return str(ts.date())


def default_as_of(theme: Theme, catalog: Catalog, source: str) -> pd.Timestamp:
    mapping = theme.mappings.get(source)
    if source == "bundled" and mapping and mapping.as_of:
        return pd.Timestamp(mapping.as_of)
    if source != "bundled" and theme.as_of:
        return pd.Timestamp(theme.as_of)
    ends = []
    for t in theme.tickers():
        tid = catalog.resolve("price", mapping.target(t) if mapping else t)
        if tid is not None:
            end = catalog.get("price", tid).end
            if end is not None:
                ends.append(end)
    if not ends:
        names = ", ".join(theme.tickers()[:8]) + (" ..." if len(theme.tickers()) > 8 else "")
        raise InputError(
            f"none of the theme's price series ({names}) are in the {source} data, so there is no default as-of",
            hint="pass --as-of YYYY-MM-DD, and check the theme's tickers or [mapping] table",
        )
    return max(ends)


def _horizon(rl: Rules) -> int:
    from .lab.run import parse_horizon

    try:
        return parse_horizon(rl.get("verdict", "horizon"))
    except InputError:
        return 6


def _panel_verdict(
    th: Theme,
    panel: Any,
    catalog: Catalog,
    source: str,
    ts: pd.Timestamp,
    verdict: Any,
    rl: Rules,
    pillars: dict[str, Any] | None = None,
) -> tuple[Any, Any]:
    """The verdict from the panel model for the theme's first pair (see :func:`check`)."""
    from .lab.verdict import panel_verdict

    if not th.pairs:
        return None, _replace(
            verdict, label="insufficient data", flip="the theme names no leader/laggard pair", flip_items=[]
        )
    p = th.pairs[0]
    mapping = th.mappings.get(source)
    a_id = mapping.series.get(p.leader, p.leader) if mapping else p.leader
    b_id = mapping.series.get(p.laggard, p.laggard) if mapping else p.laggard
    lab_source = "bundled" if source == "bundled" else "files"
    try:
        level = float(rl.get("verdict", "interval"))
    except InputError:
        level = 0.95
    pv = panel_verdict(
        panel.price(p.leader),
        panel.price(p.laggard),
        a_id,
        b_id,
        catalog,
        lab_source,
        ts,
        _horizon(rl),
        level,
        names=(
            p.leader if a_id == p.leader else f"{p.leader} ({a_id})",
            p.laggard if b_id == p.laggard else f"{p.laggard} ({b_id})",
        ),
    )
    if isinstance(pv, str):
        return None, _replace(
            verdict, label="insufficient data", flip=f"no panel probability: {pv}", flip_items=[]
        )
    tops = [f"{e['feature']} ({e['what']}) {100 * e['contribution_p']:+.1f} pp" for e in pv.top(3)]
    flip = _model_flip(pv, tops)
    from .signature import sentence, signature

    pv.signature = signature(pillars or {}, th, pv.fade.birth if pv.fade is not None else None, ts)
    pv.data_end = _data_end(catalog, a_id, b_id)
    k = pv.known
    return pv, _replace(
        verdict,
        label=pv.fade.label if pv.fade is not None else pv.label,
        flip=(pv.fade_flip() + ". The panel model: " + flip) if pv.fade is not None else flip,
        flip_items=tops,
        headline=" ".join(x for x in (pv.finding(), sentence(pv.signature), pv.paragraph()) if x),
        fade=pv.fade.to_dict() if pv.fade is not None else None,
        history=k.to_dict() if k is not None else None,
        range=pv.range.to_dict() if pv.range is not None else None,
        signature=pv.signature,
        detectable={"auc": k.detectable_auc if k is not None else None},
    )


def _model_flip(pv: Any, tops: list[str]) -> str:
    """What would change the panel model's label: its interval against the base rate (or, with no
    skill shown, a record that beats both benchmarks), then the largest contributions."""
    from .lab.verdict import NO_SKILL

    lo, hi = pv.interval
    if pv.label == NO_SKILL:
        flip = (
            "a model record that beats both the base rate and trailing momentum out of sample "
            "(both 95% intervals above zero); until then the probability is shown without a label"
        )
    elif pv.label in ("real catalyst", "viral sentiment"):
        flip = (
            f"the probability's interval ({lo:.0%}-{hi:.0%}) would have to reach the base rate "
            f"{pv.base_rate:.0%}"
        )
    else:
        flip = (
            f"the probability's interval ({lo:.0%}-{hi:.0%}) would have to clear the base rate "
            f"{pv.base_rate:.0%} on one side"
        )
    return flip + ". Largest contributions: " + "; ".join(tops) if tops else flip


def _data_end(catalog: Catalog, a_id: str, b_id: str) -> pd.Timestamp | None:
    """The pair's last common close in the whole data (what a forecast made now could already see)."""
    try:
        a, b = catalog.get("price", a_id).values, catalog.get("price", b_id).values
    except Exception:  # a missing side: no common close
        return None
    common = a.dropna().index.intersection(b.dropna().index)
    return pd.Timestamp(common[-1]) if len(common) else None


def check(
    theme: str | Path | Theme,
    *,
    as_of: str | dt.date | pd.Timestamp | None = None,
    data: str | Path | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    rules: Rules | str | Path | None = None,
    calibrate: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> CheckResult:
    """Check a theme: gather its data cut at ``as_of``, measure every pillar, decide the verdict.

    ``theme`` is a built-in name, a path to a TOML file, or a :class:`Theme`. ``data`` is a folder or
    file of the user's data (``None`` = the bundled sample data); alternatively pass a ready
    ``catalog`` (``load_catalog(path)``) and, to override the catalog's own ``source`` attribute, the
    ``source`` name whose ``[mapping.<source>]`` applies. ``as_of`` defaults to the theme's
    own date (``as_of`` in the theme; for bundled data the ``[mapping.bundled]`` date), else the last
    date in the data; a date after the end of the theme's data or before its start is an InputError
    naming the data's last or first date. Nothing dated after ``as_of`` is used for the verdict.

    The label comes from the panel model of the lab (:mod:`hypecheck.lab.verdict`): the probability
    that the theme's first pair keeps its lead over the rules' horizon, fitted on the past narratives
    whose outcomes were known by ``as_of`` (the ETF panel for a data folder, Ken French for the
    bundled data), its interval against the base rate, and "no skill shown" when the model's
    out-of-sample record does not beat the base rate and trailing momentum. ``result.calibration`` holds
    it (a :class:`~hypecheck.lab.verdict.PanelVerdict`). ``calibrate=False`` skips the model (the label
    is then "insufficient data"). ``progress(fraction, stage)`` is called before each pillar and the
    model fit (the dashboard's progress bar). When the data extend past ``as_of``, ``result.hindsight`` says what
    happened next (computed after the verdict).
    """
    th = theme if isinstance(theme, Theme) else load_theme(theme)
    rl = rules if isinstance(rules, Rules) else load_rules(rules)
    if catalog is None:
        catalog = load_catalog(data)
        source = catalog.source
    else:
        source = source or getattr(catalog, "source", "") or "custom"
    ts = resolve_as_of(th, catalog, source, as_of)
    panel = build_panel(th, catalog, ts, source)
    measured = tuple(PILLARS)  # the registry as it is now, for the whole check
    steps = len(measured) + (2 if calibrate else 0)
    pillars = _measure(measured, panel, rl, progress, steps)
    verdict = decide(pillars, rl)
    from .hindsight import hindsight

    calibration = None
    if calibrate:
        if progress:
            progress(0.1 + 0.8 * len(measured) / steps, "fitting the panel model on past narratives")
        calibration, verdict = _panel_verdict(th, panel, catalog, source, ts, verdict, rl, pillars)
    else:
        verdict = _replace(
            verdict,
            label="insufficient data",
            flip="the panel model was not run (calibrate=False / --no-calibration): the label comes only "
            "from the model fitted on past narratives",
            flip_items=[],
        )
    from .triggers import evaluate

    mapping = th.mappings.get(source)
    return CheckResult(
        triggers=evaluate(panel, rl),
        hindsight=hindsight(th, catalog, source, ts),
        calibration=calibration,
        theme=th,
        as_of=ts,
        source=_source_text(source, data),
        verdict=verdict,
        pillars=pillars,
        provenance=panel.provenance,
        load_report=catalog.report,
        rules=rl,
        data_note=mapping.note.strip() if mapping else "",
        upcoming=[{"date": str(e.date), "label": e.label} for e in panel.upcoming],
    )


def _source_text(source: str, data: str | Path | None) -> str:
    """Where the data came from, as the result says it."""
    if source == "bundled":
        return "bundled sample data"
    return f"files: {data}" if data is not None else source


def _measure(
    measured: tuple[Any, ...],
    panel: Any,
    rl: Rules,
    progress: Callable[[float, str], None] | None,
    steps: int,
) -> dict[str, Any]:
    """Every pillar's measurement of the panel (``progress`` told before each), then each pillar's
    cross-pillar pass over all of them."""
    pillars = {}
    for k, pillar in enumerate(measured):
        if progress:
            progress(0.1 + 0.8 * k / steps, f"measuring {pillar.name}")
        pillars[pillar.name] = pillar.run(panel, rl)
    for pillar in measured:
        pillar.cross(pillars, panel)
    return pillars
