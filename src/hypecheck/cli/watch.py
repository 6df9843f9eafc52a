"""``hypecheck watch``: a theme's triggers and verdict against the last run (exit 6/7 on change)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import AS_OF, DATA, STORE, main


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
