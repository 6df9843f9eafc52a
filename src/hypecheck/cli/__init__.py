"""The command line: a thin layer over the library. Errors become exit codes here, once.

Exit codes: 0 ok, 1 unexpected error, 2 bad input (theme, file, argument), 3 no data,
4 missing optional dependency, 5 live provider failure.
"""

from __future__ import annotations

import os
import re
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import EXIT_INTERNAL, HypecheckError

LABEL_COLOURS = {
    "real catalyst": "green",
    "viral sentiment": "red",
    "mixed": "yellow",
    "no skill shown": "magenta",
    "insufficient data": "white",
}

AS_OF = click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Evaluate as of this date (YYYY-MM-DD); nothing after it is used. "
    "Default: the theme's own date, else the last date in the data.",
)
DATA = click.option(
    "--data",
    "data",
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="A folder or file of your data (price, FRED, Google Trends CSVs; tidy CSV/Parquet). "
    "Default: the bundled offline sample data.",
)
OUT = click.option(
    "--out",
    "out",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=None,
    help="Write report.html, report.md (+ charts/) and verdict.json into DIR.",
)
RULES = click.option(
    "--rules",
    "rules",
    metavar="FILE",
    type=click.Path(path_type=Path),
    default=None,
    help="A rules TOML file (weights and thresholds); default: the built-in rules.",
)


STORE = click.option(
    "--store",
    "store_path",
    metavar="PATH",
    type=click.Path(path_type=Path),
    default=None,
    help="The DuckDB store file (default: $HYPECHECK_STORE or ~/.local/share/hypecheck/store.duckdb).",
)


def _scrub(text: str) -> str:
    from ..data.connectors.base import scrub

    return scrub(text)


def _fail(exc: HypecheckError) -> None:
    from ..errors import cut_words

    # the last guard against echoing a huge input whole (sites that quote one cut it at 100 already)
    click.secho(f"error: {cut_words(_scrub(exc.message), 240)}", fg="red", err=True)
    if exc.hint:
        click.echo(f"  hint: {cut_words(_scrub(exc.hint), 240)}", err=True)
    sys.exit(exc.exit_code)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HypecheckError as exc:
            _fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so plainly; the traceback on request
            if os.environ.get("HYPECHECK_DEBUG"):
                raise
            click.secho(f"internal error: {type(exc).__name__}: {_scrub(str(exc))}", fg="red", err=True)
            click.echo(
                "  hint: this is a bug in hypecheck; rerun with HYPECHECK_DEBUG=1 for the traceback "
                "and report it",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hypecheck")
def main() -> None:
    """hypecheck: is this hot market narrative a viral sentiment shift, or backed by a real catalyst?

    Check a theme against the data and get a verdict with an evidence ledger. Runs offline on bundled
    sample data by default; point --data at your own files for current markets.
    """


def _run_check(
    theme: str,
    as_of: str | None,
    data: Path | None,
    rules: Path | None,
    out: Path | None,
    as_json: bool,
    quiet: bool = False,
    calibrate: bool = True,
    live: bool = False,
    store_path: Path | None = None,
) -> None:
    from ..api import check, load_catalog
    from ..theme import load_theme

    t0 = time.perf_counter()
    th = load_theme(theme)  # fail fast on a bad theme, before loading any data
    if live:
        _run_live(th, as_of, rules, out, as_json, calibrate, store_path, t0)
        return
    if data is not None and not quiet and not as_json:
        click.echo(f"loading {data} ...", err=True)
    catalog = load_catalog(data)
    if data is not None and not as_json and not quiet:
        rep = catalog.report
        rejected = [e for e in rep.loaded if e.rejected_rows]
        merged = getattr(rep, "merges", [])
        click.echo(
            f"loaded {len(catalog)} series from {len(rep.loaded)} files; skipped {len(rep.skipped)}"
            + (
                f"; {sum(e.rejected_rows for e in rejected)} rows rejected in {len(rejected)} files"
                if rejected
                else ""
            )
            + (f"; {len(merged)} series merged from several files" if merged else "")
            + (" (see the report's data section)" if rep.skipped or rejected or merged else ""),
            err=True,
        )
    if calibrate and not as_json and not quiet:
        click.echo("fitting the panel model on past narratives ...", err=True)
    result = check(th, as_of=as_of, data=data, rules=rules, calibrate=calibrate)  # catalog cached
    extra = _record(result, store_path, source=str(data) if data is not None else "bundled")
    _emit(result, out, as_json, t0, extra)


def _record(result: Any, store_path: Path | None, source: str) -> list[str]:
    """With a store: add the check's forecast to the forward record (``hypecheck record`` scores it)."""
    if store_path is None:
        return []
    from ..record import record_check
    from ..store import Store

    store = Store(store_path)
    store.verify(write=True)
    added = record_check(result, store, "check", source)
    return [f"forecast recorded in {store.path} (score it with `hypecheck record`)"] if added else []


@main.command()
@click.argument("theme")
@AS_OF
@DATA
@OUT
@RULES
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object (see the README).")
@click.option(
    "--calibration/--no-calibration",
    "calibrate",
    default=True,
    show_default=True,
    help="Fit the panel model on past narratives for the probability and the label "
    "(--no-calibration: evidence only, label 'insufficient data').",
)
@click.option(
    "--live",
    is_flag=True,
    help="Fetch stale series from the live providers into the store first, "
    "then check from the store (offline: use what is stored).",
)
@STORE
def check(
    theme: str,
    as_of: str | None,
    data: Path | None,
    out: Path | None,
    rules: Path | None,
    as_json: bool,
    calibrate: bool,
    live: bool,
    store_path: Path | None,
) -> None:
    """Check THEME (a built-in name or a .toml file) and print the verdict."""
    if live and data is not None:
        from ..errors import InputError

        raise InputError(
            "--live and --data cannot be combined", hint="--live reads the store; --data reads files"
        )
    _run_check(theme, as_of, data, rules, out, as_json, calibrate=calibrate, live=live, store_path=store_path)


_REJECTED_NOTE = re.compile(r"\b\d[\d,]* rows? rejected\b")
_TERMINAL_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _emit(result: Any, out: Path | None, as_json: bool, t0: float, extra: list[str] | None = None) -> None:
    """Write the report if asked, then print the JSON or the coloured summary (+ extra lines)."""
    written = {}
    if out is not None:
        from ..report import write_report

        written = write_report(result, out)
    if as_json:  # C1 controls and bidi overrides as \\u escapes too (json.dumps keeps them raw)
        click.echo(_TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", result.to_json()))
        return
    from ..report.html import escape_controls

    label = result.verdict.label
    for line in result.summary().splitlines():
        if line.startswith("VERDICT:"):
            click.secho(escape_controls(line), fg=LABEL_COLOURS.get(label), bold=True)
        else:
            click.echo(escape_controls(line))
    rejected = [
        f"  {p.id}: {n.removeprefix('warning: ')}"
        for p in result.provenance
        for n in p.notes
        if _REJECTED_NOTE.search(n)
    ]
    if rejected:
        click.echo("\nRows rejected in the data used:")
        for line in rejected:
            click.echo(escape_controls(line))
    for line in extra or []:
        click.echo(escape_controls(line))
    if written:
        click.echo("")
        for kind, path in written.items():
            click.echo(f"wrote {kind}: {path}")
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)


def _run_live(
    th: object,
    as_of: str | None,
    rules: Path | None,
    out: Path | None,
    as_json: bool,
    calibrate: bool,
    store_path: Path | None,
    t0: float,
) -> None:
    """check --live: fetch what is stale into the store, then check from the store; offline, say so
    and use what is stored. A read-only store is checked as it is: nothing fetched, nothing written."""
    from ..api import _parse_as_of, check
    from ..errors import NoDataError
    from ..fetch import fetch_theme, is_offline
    from ..panel import requested
    from ..store import Store

    store = Store(store_path)
    say = (lambda m: None) if as_json else (lambda m: click.echo(m, err=True))
    if store.read_only():
        # check from what is stored, writing nothing (not even the fetch log); checks the store first
        store.verify()
        say(f"the store {store.path} is read-only: checking from what is stored, without fetching")
        items = []
    else:
        say(f"fetching stale series into {store.path} ...")
        items = fetch_theme(th, store)  # type: ignore[arg-type]
    failed = [i for i in items if i.status == "failed"]
    offline = is_offline(items)
    fetched = sum(1 for i in items if i.status == "fetched")
    if offline:
        say("no network: the live providers could not be reached; using the data already in the store")
    elif failed:
        say(f"{len(failed)} series failed to fetch (see `hypecheck fetch` for the reasons); using the store")
    # as known on the as-of date (later vintages never reach a past check), only the theme's series
    catalog = None
    if store.exists():
        catalog = store.catalog(known_at=_parse_as_of(as_of), ids=requested(th, "store"))  # type: ignore[arg-type]
    if catalog is None or len(catalog) == 0:
        raise NoDataError(
            f"no stored data in {store.path}" + (" and no network to fetch it" if offline else ""),
            hint="connect to the network and run `hypecheck fetch THEME`, or check files with --data PATH",
        )
    say((f"{fetched} series fetched; " if items else "") + f"checking {len(catalog)} stored series")
    result = check(th, as_of=as_of, catalog=catalog, source="store", rules=rules, calibrate=calibrate)  # type: ignore[arg-type]
    ages = sorted(((p.age_days, p.id) for p in result.provenance), reverse=True)[:3]
    extra = (
        ["oldest data used: " + ", ".join(f"{i} ({a} days before the as-of date)" for a, i in ages)]
        if ages
        else []
    )
    if not store.read_only():  # a read-only store is checked as it is: nothing written
        extra += _record(result, store.path, "store")
    _emit(result, out, as_json, t0, extra)


@main.command()
@DATA
@STORE
@click.option("--json", "as_json", is_flag=True, help="Print the record as one JSON object (see the README).")
def record(data: Path | None, store_path: Path | None, as_json: bool) -> None:
    """Score every recorded forecast whose horizon has passed (the forward record).

    Forecasts are recorded by `check --store PATH` (and `check --live`); each is scored on the data
    now available (--data DIR, else the store's own closes): realised spread, inside its range or
    not, kept half or not, Brier scores. Replayed forecasts (made when the data already ran past
    their as-of date) are reported apart from live ones."""
    import json as _json

    from ..api import load_catalog
    from ..errors import InputError
    from ..record import score
    from ..store import Store

    store = Store(store_path)
    if not store.exists():
        raise InputError(
            f"no store at {store.path}: nothing has been recorded there",
            hint="run `hypecheck check THEME --data DIR --store PATH` first, then `hypecheck record --store PATH`",
        )
    store.verify()
    fc = store.forecasts()
    catalog = load_catalog(data) if data is not None else store.catalog()
    res = score(fc, catalog)
    if as_json:
        click.echo(_json.dumps(res.to_dict(), ensure_ascii=False, allow_nan=False))
        return
    click.echo(res.summary())


@main.command()
@click.argument("theme")
@click.option(
    "--since",
    metavar="DATE",
    default=None,
    help="Fetch from this date (default: everything, or "
    "the last stored date minus 10 days to pick up revisions).",
)
@click.option(
    "--max-age",
    "max_age",
    type=float,
    default=12.0,
    show_default=True,
    help="Series fetched less than this many hours ago are skipped.",
)
@click.option(
    "--pulls",
    type=int,
    default=1,
    show_default=True,
    help="Google Trends: average this many pulls (their dispersion is kept).",
)
@STORE
def fetch(theme: str, since: str | None, max_age: float, pulls: int, store_path: Path | None) -> None:
    """Fetch THEME's series from the live providers (Yahoo, FRED, Google Trends) into the store."""
    import datetime as _dt

    import pandas as pd

    from ..fetch import fetch_theme, not_fetched, plan, summary
    from ..store import Store
    from ..theme import load_theme

    t0 = time.perf_counter()
    th = load_theme(theme)
    store = Store(store_path)
    store.verify(write=True)  # a damaged, foreign, newer or read-only store: exit 5 before any request
    start = None
    if since is not None:
        try:
            start = pd.Timestamp(since).date()
        except ValueError:
            from ..errors import InputError

            raise InputError(f"--since {since!r} is not a date", hint="write it as YYYY-MM-DD") from None
    todo = plan(th)
    click.echo(f"fetching {len(todo)} series of {th.id} into {store.path}", err=True)
    bar: Any
    with click.progressbar(
        length=len(todo),
        label="fetching",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda i: None if i is None else f"{i.kind}:{i.id} {i.status}",
    ) as bar:
        items = fetch_theme(
            th,
            store,
            since=start,
            max_age=_dt.timedelta(hours=max_age),
            pulls=pulls,
            progress=lambda it: bar.update(1, it),
        )
    click.echo(summary(items))
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)
    missing = not_fetched(items)  # failed, or skipped because the network was down
    if missing:
        from ..errors import ProviderError
        from ..fetch import is_offline

        names = ", ".join(f"{i.kind}:{i.id}" for i in missing[:12])
        names += f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        if is_offline(items):
            raise ProviderError(
                f"no network: {len(missing)} of {len(items)} series were not fetched ({names})",
                hint="connect to the network and rerun the same `hypecheck fetch`; what is stored is kept, "
                "and `hypecheck check THEME --live` checks from it",
            )
        raise ProviderError(
            f"{len(missing)} of {len(items)} series failed to fetch ({names}); the reasons are listed above",
            hint="rerun later for transient errors (what is stored is kept); fix the theme for a series "
            "the provider does not know",
        )


@main.command()
@click.argument("theme")
@AS_OF
@DATA
@STORE
@click.option("--live", is_flag=True, help="Fetch stale series first and check from the store.")
@click.option(
    "--webhook", metavar="URL", default=None, help="POST a JSON summary here when something changed."
)
def watch(
    theme: str, as_of: str | None, data: Path | None, store_path: Path | None, live: bool, webhook: str | None
) -> None:
    """Evaluate THEME's triggers, print what changed since the last run, re-score the verdict.

    Exit codes: 0 nothing changed (or first run), 6 a trigger changed state, 7 the verdict label
    changed; errors as for `check`. State is kept in the store. Suitable for cron."""
    from ..store import Store
    from ..theme import load_theme
    from ..watch import run_watch

    th = load_theme(theme)
    store = Store(store_path)
    catalog = None
    if live:
        from ..api import _parse_as_of
        from ..fetch import fetch_theme, is_offline
        from ..panel import requested

        items = fetch_theme(th, store)
        if is_offline(items):
            click.echo("no network: using the data already in the store", err=True)
        # as known on the as-of date, only the theme's series
        catalog = store.catalog(known_at=_parse_as_of(as_of), ids=requested(th, "store"))
    res = run_watch(th, store=store, as_of=as_of, data=data, catalog=catalog, source="store", webhook=webhook)
    click.echo(res.line())
    for t in res.triggers:
        click.echo(f"  {t['state']:<8} {t['id']:<32} {t['detail']}")
    if res.first_run:
        click.echo("first run: state saved; the next run reports changes")
    elif res.changes:
        click.echo("changed since the last run:")
        for c in res.changes:
            click.echo(f"  {c}")
    else:
        click.echo("no change since the last run")
    if res.webhook:
        click.echo(res.webhook)
    sys.exit(res.exit_code)


@main.command()
@DATA
@STORE
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 exposes it)."
)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option(
    "--themes",
    "themes_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A folder of your own theme files (*.toml), served beside the built-in ones.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    metavar="NAME",
    multiple=True,
    help="Also answer requests for this Host name (NAME or NAME:PORT; repeatable). 127.0.0.1, "
    "localhost, [::1] and the --host value are always answered; any other Host gets 400.",
)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=None,
    help="Checks computed at once; more wait in a queue (default: the number of CPUs).",
)
@click.option(
    "--max-queued",
    type=click.IntRange(min=0),
    default=16,
    show_default=True,
    help="Checks that may wait for a free slot; beyond that a request gets 429 with Retry-After.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=64 * 1024,
    show_default=True,
    metavar="BYTES",
    help="Largest request body accepted; a larger one gets 413 without being read.",
)
def serve(
    data: Path | None,
    store_path: Path | None,
    host: str,
    port: int,
    themes_dir: Path | None,
    allow_hosts: tuple[str, ...],
    max_runs: int | None,
    max_queued: int,
    max_body: int,
) -> None:
    """The local dashboard: a page per theme, as-of switch, re-run with progress, JSON API (/openapi.json)."""
    try:
        import uvicorn
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "the dashboard needs uvicorn", hint="pip install 'hypecheck[serve]'"
        ) from None
    from ..server import create_app

    if data is not None and not data.exists():
        from ..errors import InputError

        raise InputError(f"data path {str(data)!r} does not exist", hint="pass a folder or file with --data")
    if themes_dir is not None and not themes_dir.is_dir():
        from ..errors import InputError

        raise InputError(
            f"themes folder {str(themes_dir)!r} does not exist", hint="pass a folder of *.toml files"
        )
    from ..server.app import split_host

    for name in (host, *allow_hosts):
        if split_host(name) is None:
            from ..errors import InputError

            raise InputError(
                f"{name[:80]!r} is not a host name", hint="give a name or address, optionally NAME:PORT"
            )
    app = create_app(
        data=data,
        store=store_path,
        themes_dir=themes_dir,
        allow_hosts=(host, *allow_hosts),
        max_body=max_body,
        max_runs=max_runs,
        max_queued=max_queued,
    )
    engine = app.state.engine
    click.echo(f"hypecheck dashboard on http://{host}:{port}/  (data: {engine.source_label()})", err=True)
    if engine.data_note():
        click.secho(f"note: {engine.data_note()}", fg="yellow", err=True)
    if host in ("0.0.0.0", "::") and not allow_hosts:
        click.secho(
            "note: listening on every interface, but only loopback names are answered: add "
            "--allow-host NAME for each name or address other machines will use",
            fg="yellow",
            err=True,
        )
    # no proxy headers: the client address is the socket's, never a header's
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@STORE
def import_files(path: Path, store_path: Path | None) -> None:
    """Load a folder or file of data (the formats `check --data` reads) into the store."""
    from ..data.folder import FilesSource
    from ..store import Store

    t0 = time.perf_counter()
    if not path.exists():
        from ..errors import InputError

        raise InputError(f"{path} does not exist", hint="give a folder or file of data")
    store = Store(store_path)
    store.verify(write=True)  # a damaged, foreign, newer or read-only store: say so before reading files
    cat = FilesSource(path).load()
    stored = 0
    with (
        store.writer(),
        click.progressbar(list(cat), label="importing", file=sys.stderr, show_pos=True) as bar,
    ):
        for s in bar:  # a series with vintages (ALFRED) stores each vintage as its own rows
            stored += store.write(s, provider="files").rows_stored
    vintaged = sum(1 for s in cat if s.vintages is not None)
    with_vintages = f", {vintaged} of them with vintages" if vintaged else ""
    click.echo(
        f"imported {len(cat)} series{with_vintages} ({stored} new or changed values) into {store.path}; "
        f"skipped {len(cat.report.skipped)} files"
    )
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)


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


@main.command()
@DATA
@click.option(
    "--horizon",
    default="6M",
    show_default=True,
    metavar="H",
    help="Persistence horizon: 1M, 3M, 6M or 12M.",
)
@click.option(
    "--out",
    "out",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=None,
    help="Write lab.html (one self-contained page) and lab.json into DIR.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the lab's result as one JSON object (see the README)."
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where episodes and features are computed: this process, or a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="A running Dask scheduler (tcp://host:8786); implies --engine dask.",
)
def lab(
    data: Path | None, horizon: str, out: Path | None, as_json: bool, engine: str, scheduler: str | None
) -> None:
    """Build the panels of past narratives, score the verdict walk-forward, print its skill.

    Always the bundled Ken French history (1949-2017); with --data also the files (ETF) history. The
    last five years of each are a holdout, scored once by the model frozen at their start.
    """
    import json

    from ..lab.run import run_lab

    t0 = time.perf_counter()
    if out is not None:  # before hours of work: a file or an impossible path is exit 2 now
        from ..report import out_folder

        out_folder(out, "the lab's page")
    if scheduler:
        engine = "dask"

    def say(msg: str) -> None:
        if not as_json:
            click.echo(f"{msg} ...", err=True)

    res = run_lab(data, horizon=horizon, engine=engine, scheduler=scheduler, progress=say)
    if as_json:
        click.echo(json.dumps(res.to_dict(), allow_nan=False))
    else:
        click.echo(res.summary())
    if out is not None:
        from ..errors import InputError
        from ..report.labpage import write_page

        try:
            path = write_page(res, out)
        except OSError as exc:
            raise InputError(
                f"cannot write the lab's page to --out {out}: {exc.strerror or type(exc).__name__}",
                hint="pass --out a folder you can write to",
            ) from None
        if not as_json:
            click.echo(f"\nwrote {path} and {path.with_name('lab.json')}", err=True)
    if not as_json:
        click.echo(f"({time.perf_counter() - t0:.1f} s)", err=True)


@main.command()
@DATA
@click.option("--live", is_flag=True, help="Fetch the universe's stale series into the store and scan it.")
@click.option(
    "--universe",
    metavar="FILE",
    default=None,
    help="A universe TOML (like src/hypecheck/lab/etf.toml, or one with a [members] table), a long "
    "date,ticker,close file or a folder of member CSVs. Default: the ETF universe (bundled: Ken French).",
)
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="Print the scan as one JSON object (see the README).")
@click.option(
    "--out",
    "out",
    metavar="DIR",
    type=click.Path(path_type=Path),
    default=None,
    help="Write scan.html and scan.json (with --theme: the theme TOML) into DIR.",
)
@click.option("--scheduler", metavar="ADDRESS", default=None, help="Run the pairs on this Dask scheduler.")
@click.option("--since", metavar="DATE", default=None, help="Report the changes since this date.")
@click.option(
    "--theme",
    "theme",
    metavar="LEADER-LAGGARD",
    default=None,
    help="Write a theme TOML for this narrative (stdout, or DIR with --out) instead of the table.",
)
@STORE
def scan(
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
) -> None:
    """List the narratives alive as of a date across a universe of pairs, with the panel model's
    probability, interval, label and drivers; say what changed since the last stored scan.

    Exit codes as for `watch`: 0 nothing changed (or first scan), 6 narratives born, faded,
    strengthened or weakened, 7 a narrative flipped or changed label."""
    from ..scan.cmd import run

    sys.exit(
        run(
            data=data,
            live=live,
            universe=universe,
            as_of=as_of,
            as_json=as_json,
            out=out,
            scheduler=scheduler,
            since=since,
            theme=theme,
            store_path=store_path,
        )
    )


@main.command()
@OUT
def demo(out: Path | None) -> None:
    """Check the flagship theme on the bundled offline data and write the report (default: ./out)."""
    out = out or Path("out")
    click.echo("hypecheck demo: small-cap-rotation on the bundled sample data (offline)\n")
    _run_check("small-cap-rotation", None, None, None, out, as_json=False, calibrate=True)


@main.command()
@click.option("--show", metavar="NAME", help="Print a built-in theme's TOML (a template for your own).")
def themes(show: str | None) -> None:
    """List the built-in themes."""
    from ..theme import builtin_theme_names, load_theme

    if show:
        if show not in builtin_theme_names():
            load_theme(show)  # raises the helpful ThemeError
        click.echo((resources.files("hypecheck") / "themes" / f"{show}.toml").read_text("utf-8"))
        return
    for name in builtin_theme_names():
        t = load_theme(name)
        click.echo(f"{name:<24} {t.title}")
        click.echo(f"{'':<24} {t.question}")


def _read_wide(path: Path, what: str) -> object:
    """A wide dates x members frame from a folder of price files, a wide CSV/Parquet, or a long
    CSV/Parquet with date, member (or ticker) and close (or value) columns."""
    import pandas as pd

    from ..errors import FormatError, InputError

    if not path.exists():
        raise InputError(
            f"{what}: {path} does not exist", hint="give a folder of price files or a CSV/Parquet file"
        )
    if path.is_dir():
        from ..data.folder import FilesSource

        cat = FilesSource(path).load()
        ids = [
            i for i in cat.ids("price") if cat.get("price", i).meta.frequency == "D" and not i.startswith("^")
        ]
        if not ids:
            raise InputError(
                f"{what}: no daily price files in {path}", hint="point at a folder of Date,Close CSVs"
            )
        return pd.concat({i: cat.get("price", i).values for i in ids}, axis=1, sort=True)
    try:
        raw = pd.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq") else pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"{what}: cannot read {path}: {exc}", hint="give a CSV or Parquet file") from exc
    cols = {str(c).lower(): c for c in raw.columns}
    date_col = cols.get("date") or raw.columns[0]
    member = cols.get("member") or cols.get("ticker") or cols.get("symbol")
    value = cols.get("close") or cols.get("value") or cols.get("cap") or cols.get("market_cap")
    raw = _dated_rows(raw, date_col, path, what)
    if member is not None and value is not None and len(raw.columns) <= 4:
        dup = raw.duplicated([date_col, member])
        if dup.any():
            first = raw.loc[dup].iloc[0]
            raise InputError(
                f"{what}: {int(dup.sum())} duplicate (date, member) rows in {path}, e.g. {first[member]} on {first[date_col]}",
                hint="keep one row per member and date",
            )
        raw = raw.pivot(index=date_col, columns=member, values=value)
    else:
        raw = raw.set_index(date_col)
    raw.index = pd.DatetimeIndex(raw.index)
    return raw.sort_index()


def _dated_rows(raw: Any, date_col: Any, path: Path, what: str) -> Any:
    """``raw`` with its date column parsed as ``--data`` parses dates (one explicit format for the
    file: ISO, ``YYYYMMDD`` also as integers, US month/day only when the column proves it; day-first
    and mixed columns refused); rows whose date is unusable (a cell of another format, a future date)
    are dropped and counted on stderr, never silently."""
    import pandas as pd

    from ..data.formats.base import _make_ctx, _Problem
    from ..data.formats.values import _parse_dates
    from ..errors import FormatError
    from ..scan.members import _as_text

    col = raw[date_col]
    if raw.empty or pd.api.types.is_datetime64_any_dtype(col.dtype):
        return raw  # no rows: said by breadth itself ("the closes frame is empty")
    ctx = _make_ctx(path, path.name, None, in_trends=False)
    try:
        dates = _parse_dates(_as_text(col), ctx)
    except _Problem as p:
        raise FormatError(
            f"{what}: the date column of {path} is not dates hypecheck reads safely ({p.what})",
            hint=(p.hint + "; " if p.hint else "")
            + "wide files: date first, one column per member; long files: date, member, close",
        ) from None
    keep = ~dates.rejected
    if not keep.all():
        click.echo(f"{what}: {path.name}: {ctx.tally.summary()}", err=True)
    out = raw.loc[keep].copy()
    out[date_col] = pd.DatetimeIndex(dates.values[keep])
    return out


@main.command("breadth")
@click.argument("closes", type=click.Path(path_type=Path))
@click.option(
    "--caps",
    type=click.Path(path_type=Path),
    default=None,
    help="Market caps shaped like CLOSES (for cw_return).",
)
@click.option("--engine", type=click.Choice(["numba", "pandas", "dask"]), default="numba", show_default=True)
@click.option(
    "--scheduler", metavar="ADDRESS", default=None, help="Dask scheduler address; default: a local cluster."
)
@click.option("--as-of", "as_of", metavar="DATE", default=None, help="Use closes up to this date only.")
@click.option(
    "--out", "out", type=click.Path(path_type=Path), default=None, help="Write the breadth frame to this CSV."
)
def breadth_cmd(
    closes: Path, caps: Path | None, engine: str, scheduler: str | None, as_of: str | None, out: Path | None
) -> None:
    """Member-level breadth of CLOSES: a folder of price files, or a wide or long CSV/Parquet.

    Prints the latest % above the 50/200-day averages, advances/declines, A/D line, McClellan
    oscillator, new highs/lows, equal- and cap-weighted returns, and any Zweig breadth thrusts."""

    import pandas as pd

    from ..analytics.breadth import breadth, zweig_thrust

    t0 = time.perf_counter()
    wide = _read_wide(closes, "closes")
    capf = _read_wide(caps, "caps") if caps is not None else None
    if as_of is not None:
        from ..api import _parse_as_of
        from ..errors import DateOutsideDataError
        from ..panel import MAX_AGE_DAYS, cut_frame

        cut = _parse_as_of(as_of)
        assert cut is not None
        dates = wide.index  # type: ignore[attr-defined]
        first, last = (dates.min(), dates.max()) if len(dates) else (None, None)
        if last is not None and cut > last + pd.Timedelta(days=MAX_AGE_DAYS["D"]):
            raise DateOutsideDataError(
                f"as-of date {as_of.strip()} is after the end of the closes: they end on {last.date()}",
                hint=f"use --as-of {last.date()} or earlier, or add newer closes",
            )
        if first is not None and cut < first:
            raise DateOutsideDataError(
                f"as-of date {as_of.strip()} is before the closes: they start on {first.date()}",
                hint=f"use --as-of {first.date()} or later",
            )
        wide = cut_frame(wide, cut)  # type: ignore[arg-type]
        capf = cut_frame(capf, cut) if capf is not None else None  # type: ignore[arg-type]
    b = breadth(wide, capf, engine=engine, scheduler=scheduler)  # type: ignore[arg-type]
    _, thrusts = zweig_thrust(b)
    last = b.iloc[-1]
    shape = wide.shape  # type: ignore[attr-defined]
    click.echo(f"breadth of {shape[1]} members over {shape[0]} dates ({engine}), as of {b.index[-1].date()}")
    for col in b.columns:
        v = last[col]
        click.echo(
            f"  {col:<15} {'n/a' if v != v else (f'{v:,.4f}' if isinstance(v, float) and not float(v).is_integer() else f'{v:,.0f}')}"
        )
    if thrusts:
        click.echo("Zweig breadth thrusts: " + ", ".join(str(t.date.date()) for t in thrusts[-5:]))
    else:
        click.echo("Zweig breadth thrusts: none")
    if out is not None:
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            b.to_csv(tmp)
            os.replace(tmp, out)
        except OSError as exc:
            from ..errors import InputError

            raise InputError(
                f"cannot write {out}: {exc.strerror or exc}",
                hint="pass --out a file in a folder you can write to",
            ) from exc
        click.echo(f"wrote {out}")
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)


@main.command("mcp")
def mcp_cmd() -> None:
    """Serve check, scan, lab, record and themes to an assistant over MCP (stdio).

    Add it to the assistant's MCP configuration as the command `hypecheck` with the argument `mcp`
    (see the README). Tools return the JSON the commands' --json prints; bad input is a tool error
    with the hint. Needs `pip install 'hypecheck[mcp]'`."""
    from ..mcp_server import serve

    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
