"""``hypecheck record``: score the forward record's forecasts whose horizon has passed."""

from __future__ import annotations

from pathlib import Path

import click

from .base import DATA, STORE, load_quietly, main


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

    load_quietly("pandas", "hypecheck.api", "hypecheck.record")
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
