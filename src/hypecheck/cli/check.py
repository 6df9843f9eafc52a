"""``hypecheck check`` (and the shared run of a check: ``demo`` uses it): load, check, record, print."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import click

from .base import AS_OF, DATA, LABEL_COLOURS, OUT, RULES, STORE, load_quietly, main


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
    t0 = time.perf_counter()
    load_quietly("pandas", "hypecheck.api", *(["hypecheck.lab.verdict"] if calibrate else []))
    from ..api import check, load_catalog
    from ..theme import load_theme

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
