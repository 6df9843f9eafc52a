"""``hypecheck demo``: the flagship theme on the bundled data, with its report."""

from __future__ import annotations

from pathlib import Path

import click

from .base import OUT, main
from .check import _run_check


@main.command()
@OUT
def demo(out: Path | None) -> None:
    """Check the flagship theme on the bundled offline data and write the report (default: ./out)."""
    out = out or Path("out")
    click.echo("hypecheck demo: small-cap-rotation on the bundled sample data (offline)\n")
    _run_check("small-cap-rotation", None, None, None, out, as_json=False, calibrate=True)
