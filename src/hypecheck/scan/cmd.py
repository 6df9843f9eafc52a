"""The ``hypecheck scan`` command behind the thin CLI entry: data, scan, store, changes, output.

Kept out of :mod:`hypecheck.cli` so the command line stays a thin layer; every user-facing sentence
states a measurement (see :meth:`hypecheck.scan.core.Narrative.sentence`).
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import click
import pandas as pd

from ..errors import EXIT_OK, InputError, NoDataError
from . import store as scanstore
from .core import ScanResult, resolve_universe, scan


def _universe_theme(u: Any) -> Any:
    """A throwaway theme naming every series of the universe, for ``fetch_theme`` (``--live``)."""
    from ..theme import parse_theme

    pairs = [{"leader": a, "laggard": b} for a, b, _ in u.pairs if ":" not in a + b]
    twins = [{"equal": e, "cap": c} for c, e in u.twins.items()]
    macro = [{"id": sid, "needs": "flat"} for sid in u.macro.values()]
    terms = sorted({t for t in u.terms.values() if t})
    raw: dict[str, Any] = {
        "id": "scan-universe",
        "title": f"every series of the {u.name} universe",
        "question": "what does the scan need?",
        "price": {"pairs": pairs, "benchmarks": [u.market["benchmark"]] if u.market.get("benchmark") else []},
    }
    if twins:
        raw["breadth"] = {"pairs": twins}
    if macro:
        raw["macro"] = macro
    if terms:
        raw["attention"] = {"terms": terms, "geo": "US"}
    return parse_theme(raw, where=u.origin)


def _catalog(
    data: Path | None, live: bool, store: Any, universe: Any, say: Any, as_of: str | None = None
) -> tuple[Any, str]:
    from ..data.catalog import load_catalog

    if data is not None and live:
        raise InputError(
            "--data and --live both given", hint="scan files with --data, or the store with --live"
        )
    if not live:
        cat = load_catalog(data)
        return cat, ("bundled" if data is None else str(Path(data).resolve()))
    from ..fetch import fetch_theme, is_offline
    from ..schema import Catalog

    u, _ = resolve_universe(Catalog("store"), universe)  # an empty store-like catalog: the ETF default
    if store.read_only():
        store.verify()
        say(f"the store {store.path} is read-only: scanning what is stored, without fetching")
    else:
        say(f"fetching stale series of the {u.name} universe into {store.path} ...")
        items = fetch_theme(_universe_theme(u), store)
        if is_offline(items):
            say("no network: the live providers could not be reached; using the data already in the store")
    if not store.exists():
        raise NoDataError(
            f"no stored data in {store.path}", hint="connect to the network, or scan files with --data"
        )
    # as known on the scan date: each value's latest vintage published by then (no later revision)
    cat = store.catalog(known_at=as_of) if as_of else store.catalog()
    cat.source = "store"
    return cat, f"store:{store.path}"


def run(
    *,
    data: Path | None,
    live: bool,
    universe: str | None,
    as_of: str | None,
    as_json: bool,
    out: Path | None,
    scheduler: str | None,
    since: str | None,
    theme: str | None,
    store_path: Path | None,
) -> int:
    """Run the command; returns the exit code (see :mod:`hypecheck.scan.store`)."""
    from ..store import Store

    t0 = time.perf_counter()
    quiet = as_json or (theme is not None and out is None)

    def say(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    if out is not None:  # before the scan: a file or an impossible path is exit 2 now
        from ..report import out_folder

        out_folder(out, "the theme" if theme is not None else "the scan's page")
    store = Store(store_path)
    catalog, data_key = _catalog(data, live, store, universe, say, as_of)

    def progress(_: float, stage: str) -> None:
        say(f"{stage} ...")

    res = scan(catalog, as_of, universe, scheduler=scheduler, progress=progress)
    res.data_key = data_key
    if theme is not None:
        return _write_theme(res, theme, catalog, out)
    scope = scanstore.scope_of(res.universe, res.universe_version, data_key)
    current = res.to_dict()
    d = _since(since, res)
    compare_and_save(res, store, scope, current, catalog, universe, d, scheduler)
    code = res.changes.exit_code if res.changes is not None else EXIT_OK
    if out is not None:
        write_page(res, out)
    if as_json:
        click.echo(res.to_json())
        return code
    _print(res, out, t0)
    return code


def _write_theme(res: ScanResult, theme: str, catalog: Any, out: Path | None) -> int:
    """``--theme LEADER-LAGGARD``: the theme TOML of that row, into ``out`` or on standard output."""
    from .themegen import parse_pair, theme_toml

    leader, laggard = parse_pair(theme, res.universe_spec)
    _known_or_fail(theme, (leader, laggard), res, catalog)
    text = theme_toml(res, leader, laggard)
    if out is not None:
        path = out / f"{_theme_id(text)}.toml"
        _write(path, text)
        click.echo(f"wrote {path}: check it with `hypecheck check {path} --data ...`")
    else:
        click.echo(text, nl=False)
    return EXIT_OK


def _since(since: str | None, res: ScanResult) -> pd.Timestamp | None:
    """``--since`` as a date before the scan's and within the universe's closes (an InputError else)."""
    if since is None:
        return None
    from ..known import parse_as_of

    d = parse_as_of(since, "--since")
    typed = since.strip()  # said as typed (year 1 is 0001-01-01, not 1-01-01)
    if d >= res.as_of:
        raise InputError(
            f"--since {typed} is not before the scan date {res.as_of:%Y-%m-%d}",
            hint="pass an earlier --since date (or a later --as-of)",
        )
    if res.closes_from is not None and d < res.closes_from:
        raise InputError(
            f"--since {typed} is before the universe's closes ({res.closes_from:%Y-%m-%d} to "
            f"{res.as_of:%Y-%m-%d}): there is no scan to compare with",
            hint=f"pass --since between {res.closes_from:%Y-%m-%d} and {res.as_of:%Y-%m-%d}",
        )
    return d


def _print(res: ScanResult, out: Path | None, t0: float) -> None:
    """The scan's table, what changed since the last one, and where it was stored and written."""
    click.echo(res.summary())
    click.echo("")
    if res.changes is None:
        click.echo(
            f"first scan of this universe and data before {res.as_of:%Y-%m-%d}: the next scan reports changes"
        )
    elif res.changes.any:
        click.echo(
            f"changed since the scan as of {res.changes.since}"
            + (" (computed from the same data)" if res.changes.baseline == "computed" else "")
            + ":"
        )
        for line in res.changes.lines():
            click.echo(f"  {line}")
    else:
        click.echo(f"no change since the scan as of {res.changes.since}")
    click.echo(f"scan {res.stored}", err=True)
    if out is not None:
        click.echo(f"wrote {out / 'scan.html'} and {out / 'scan.json'}", err=True)
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)


def _known_or_fail(typed: str, tickers: tuple[str, str], res: ScanResult, catalog: Any) -> None:
    """Both sides of ``--theme`` in the scanned universe or among the data's price series; else an
    InputError (exit 2) before any theme is written: a theme for series nowhere in the data could
    only ever be checked as missing."""
    from ..errors import short

    u = res.universe_spec
    known = {x for a, b, _ in u.pairs for x in (a, b)} if u is not None else set()
    if u is not None and u.market.get("benchmark"):
        known.add(str(u.market["benchmark"]))
    gone = [t for t in tickers if t not in known and not catalog.has("price", t)]
    if not gone:
        return
    close = [c for t in gone for c in catalog.suggest("price", t)][:3]
    raise InputError(
        f"--theme {short(typed)}: {' and '.join(short(t) for t in gone)} "
        f"{'is' if len(gone) == 1 else 'are'} nowhere in the data (not in the {res.universe} universe "
        "nor among its price series); no theme written",
        hint=(f"did you mean {', '.join(close)}? " if close else "")
        + "pick LEADER-LAGGARD from the scan's table (`hypecheck scan`), or pass --data with their closes",
    )


def _theme_id(text: str) -> str:
    import tomllib

    return str(tomllib.loads(text)["id"])


def write_page(res: ScanResult, out: Path) -> Path:
    """``scan.html`` (one self-contained file, every value escaped, nothing fetched) and ``scan.json``."""
    from ..report import out_folder

    out_folder(out, "the scan's page")
    _write(out / "scan.json", res.to_json())
    e = html.escape
    rows = []
    for n in res.narratives:
        p = "" if n.p != n.p else f"{n.p:.0%}"
        iv = "" if n.p != n.p else f"{n.p_interval[0]:.0%}&ndash;{n.p_interval[1]:.0%}"
        drv = "<br>".join(e(d["sentence"]) for d in n.drivers)
        rows.append(
            f"<tr><td>{e(n.leader)}</td><td>{e(n.laggard)}</td><td>{e(f'{n.born:%Y-%m-%d}')}</td>"
            f"<td class=n>{n.age_days}</td><td class=n>{n.sharpness:+.1f}</td><td class=n>{100 * n.move:+.1f}%</td>"
            f"<td>{_spark(n.rs)}</td><td class=n>{p}</td><td class=n>{iv}</td><td>{e(n.label)}</td>"
            f"<td class=d>{drv}</td></tr>"
        )
    changes = ""
    if res.changes is not None:
        items = "".join(f"<li>{e(x)}</li>" for x in res.changes.lines()) or "<li>no change</li>"
        changes = f"<h2>Changed since the scan as of {e(res.changes.since)}</h2><ul>{items}</ul>"
    sentences = "".join(f"<li>{e(n.sentence(res.horizon))}.</li>" for n in res.narratives)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>hypecheck scan {e(f"{res.as_of:%Y-%m-%d}")}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse}}
td,th{{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}}td.n{{text-align:right}}
td.d{{font-size:12px;color:#555;max-width:28em}}.skill{{padding:8px;background:#f6f6f6}}</style></head><body>
<h1>hypecheck scan as of {e(f"{res.as_of:%Y-%m-%d}")}</h1>
<p>{len(res.narratives)} live narratives among {res.pairs_scanned} pairs of the {e(res.universe)} universe
(version {e(res.universe_version)}): born in the last {res.live_days} trading days or still moving at 2+ sd,
ranked by |sharpness| (the 15-day move in deviations of the pair's own noise).</p>
<p class=skill>{e(res.skill_sentence())}.</p>
<table><thead><tr><th>leader</th><th>laggard</th><th>born</th><th>age (days)</th><th>sd</th><th>15-day move</th>
<th>relative strength, 3 months</th><th>p ({res.horizon}M)</th><th>95% interval</th><th>label</th><th>drivers</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{changes}
<h2>In words</h2><ul>{sentences}</ul>
</body></html>
"""
    path = out / "scan.html"
    _write(path, page)
    return path


def _write(path: Path, text: str) -> None:
    """``text`` into ``path`` atomically; a path that cannot be written is an InputError (exit 2)."""
    from ..report import _atomic_write

    try:
        _atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {exc.strerror or type(exc).__name__}",
            hint="pass --out a folder you can write to",
        ) from None


def _spark(rs: list[float], w: int = 120, h: int = 24) -> str:
    if len(rs) < 2:
        return ""
    lo, hi = min(rs), max(rs)
    span = (hi - lo) or 1.0
    pts = " ".join(
        f"{w * i / (len(rs) - 1):.1f},{h - 2 - (h - 4) * (v - lo) / span:.1f}" for i, v in enumerate(rs)
    )
    return (
        f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="relative strength">'
        f'<polyline fill="none" stroke="#36c" stroke-width="1.5" points="{pts}"/></svg>'
    )


__all__ = ["run", "write_page"]


def compare_and_save(
    res: Any,
    store: Any,
    scope: str,
    current: dict[str, Any],
    catalog: Any,
    universe: Any,
    since: pd.Timestamp | None,
    scheduler: str | None = None,
) -> None:
    """Compare the scan ``res`` (``current``: its dict) with its baseline, then save it in the store:
    the stored scan on or before ``since`` (computed from the same data when none is stored), else
    the last stored scan before its date. ``res.changes`` and ``res.stored`` say what happened. One
    rule for ``hypecheck scan`` and the MCP ``scan`` tool."""
    baseline = "stored"
    if since is not None:
        prev = scanstore.load(store, scope, on_or_before=f"{since:%Y-%m-%d}")
        if prev is None:  # no stored scan then: the scan as of that date, from the same data
            prev = scan(catalog, since, universe, scheduler=scheduler).to_dict()
            baseline = "computed"
    else:
        prev = scanstore.load(store, scope, before=f"{res.as_of:%Y-%m-%d}")
    if prev is not None:
        res.changes = scanstore.compare(prev, current, baseline=baseline)
    res.stored = scanstore.save(store, scope, current)
