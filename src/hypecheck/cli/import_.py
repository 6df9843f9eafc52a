"""``hypecheck import``: a folder or file of data into the store."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .base import STORE, main


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
