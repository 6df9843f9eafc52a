"""``hypecheck fetch``: a theme's series from the live providers into the store."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from .base import STORE, main


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
