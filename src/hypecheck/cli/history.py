"""``hypecheck history``: past episodes of a theme's configuration and what happened next."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .base import AS_OF, DATA, RULES, main


@main.command()
@click.argument("theme")
@AS_OF
@DATA
@RULES
@click.option("--json", "as_json", is_flag=True, help="Print episodes and calibration as JSON.")
def history(theme: str, as_of: str | None, data: Path | None, rules: Path | None, as_json: bool) -> None:
    """Past episodes of THEME's configuration, what happened next, and the verdict's track record."""
    import json as _json

    import pandas as pd

    from ..analytics.episodes import summarise
    from ..api import check, load_catalog, resolve_as_of
    from ..panel import build_panel
    from ..pillars.history import describe_episode, episode_table
    from ..rules import load_rules
    from ..theme import HistorySpec, load_theme

    t0 = time.perf_counter()
    th = load_theme(theme)
    catalog = load_catalog(data)
    source = catalog.source
    ts = resolve_as_of(th, catalog, source, as_of)
    if not th.pairs:
        from ..errors import InputError

        raise InputError(f"theme {th.id} has no price pair to find episodes for", hint="add [[price.pairs]]")
    spec = th.history or HistorySpec()
    panel = build_panel(th, catalog, ts, source)
    p = th.pairs[0]
    a, b = panel.price(p.leader), panel.price(p.laggard)
    if a is None or b is None:
        from ..errors import NoDataError

        gone = p.leader if a is None else p.laggard
        raise NoDataError(f"{gone}: {panel.why_missing('price', gone)}", hint="add its price file, or map it")
    cand, eps = episode_table(a, b, ts, spec)
    stats = summarise(eps)
    res = check(th, as_of=ts, data=data, rules=load_rules(rules), calibrate=True)
    where = "bundled sample data" if data is None else str(data)
    what = describe_episode(spec, p.leader, p.laggard, panel.prices[p.leader].meta.frequency)
    if as_json:
        click.echo(
            _json.dumps(
                {
                    "theme": th.id,
                    "as_of": ts.strftime("%Y-%m-%d"),
                    "history": where,
                    "episode": what,
                    "episodes": res.pillars["history"].tables.get("episodes", []),
                    "outcomes": [s.to_dict() for s in stats],
                    "calibration": res.calibration.to_dict() if res.calibration else None,
                },
                indent=2,
                default=str,
            )
        )
        return
    click.echo(f"{th.title}  [{th.id}]  as of {ts.date()}  history: {where}")
    click.echo(f"episodes: {what}")
    hs = ["1M", "3M", "6M", "12M", "rest_of_year"]
    click.echo(f"  {'year':<6}{'date':<12}{'measure':>9}" + "".join(f"{h:>14}" for h in hs))
    for r in eps.to_dict("records"):
        m = "" if r["spread"] != r["spread"] else f"{100 * r['spread']:+.2f}%"
        cells = "".join(f"{'pending' if r[h] != r[h] else f'{100 * r[h]:+.2f}%':>14}" for h in hs)
        click.echo(f"  {int(r['year']):<6}{pd.Timestamp(r['date']).strftime('%Y-%m-%d'):<12}{m:>9}{cells}")
    click.echo(f"  ({len(cand)} years looked at, {len(eps)} episodes)")
    click.echo("what happened next (leader - laggard; persisted = spread > 0):")
    click.echo(f"  {'horizon':<13}{'n':>3}{'persisted':>11}{'95% interval':>15}{'mean':>9}{'median':>9}")
    for s_ in stats:
        if s_.n:
            click.echo(
                f"  {s_.horizon:<13}{s_.n:>3}{s_.hits:>5} ({s_.rate:4.0%}){'':>1}{s_.ci_low:6.0%}-{s_.ci_high:4.0%}"
                f"{100 * s_.mean:+8.2f}%{100 * s_.median:+8.2f}%"
            )
    if res.calibration is not None:
        click.echo(res.calibration.summary())
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)
