"""``hypecheck scan``: the narratives alive across a universe (the work is in :mod:`hypecheck.scan.cmd`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .base import AS_OF, DATA, STORE, load_quietly, main


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
    load_quietly("pandas", "hypecheck.scan.cmd")
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
