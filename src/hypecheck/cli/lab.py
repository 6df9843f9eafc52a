"""``hypecheck lab``: the panels of past narratives scored walk-forward."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .base import DATA, load_quietly, main


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

    load_quietly("pandas", "hypecheck.lab.run")
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
        click.echo(res.to_summary().text())
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
