"""The command line: a thin layer over the library. Errors become exit codes here, once.

Exit codes: 0 ok, 1 unexpected error, 2 bad input (theme, file, argument), 3 no data,
4 missing optional dependency, 5 live provider failure.
"""

from __future__ import annotations

import os
import sys
import time
from importlib import resources
from pathlib import Path

import click

from . import __version__
from .errors import HypecheckError

LABEL_COLOURS = {
    "real catalyst": "green",
    "viral sentiment": "red",
    "mixed": "yellow",
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


def _fail(exc: HypecheckError) -> None:
    click.secho(f"error: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)
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
            click.secho(f"internal error: {type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo(
                "  hint: this is a bug in hypecheck; rerun with HYPECHECK_DEBUG=1 for the traceback "
                "and report it",
                err=True,
            )
            sys.exit(1)
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
) -> None:
    from .api import check, load_catalog
    from .theme import load_theme

    t0 = time.perf_counter()
    th = load_theme(theme)  # fail fast on a bad theme, before loading any data
    if data is not None and not quiet and not as_json:
        click.echo(f"loading {data} ...", err=True)
    catalog, _ = load_catalog(data)
    if data is not None and not as_json and not quiet:
        rep = catalog.report
        click.echo(
            f"loaded {len(catalog)} series from {len(rep.loaded)} files; skipped {len(rep.skipped)}"
            + (" (see the report's data section)" if rep.skipped else ""),
            err=True,
        )
    result = check(th, as_of=as_of, data=data, rules=rules)  # catalog cached by load_catalog
    written = {}
    if out is not None:
        from .report import write_report

        written = write_report(result, out)
    if as_json:
        click.echo(result.to_json())
        return
    text = result.summary()
    label = result.verdict.label
    for line in text.splitlines():
        if line.startswith("VERDICT:"):
            click.secho(line, fg=LABEL_COLOURS.get(label), bold=True)
        else:
            click.echo(line)
    if written:
        click.echo("")
        for kind, path in written.items():
            click.echo(f"wrote {kind}: {path}")
    click.echo(f"({time.perf_counter() - t0:.1f}s)", err=True)


@main.command()
@click.argument("theme")
@AS_OF
@DATA
@OUT
@RULES
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object (see the README).")
def check(
    theme: str, as_of: str | None, data: Path | None, out: Path | None, rules: Path | None, as_json: bool
) -> None:
    """Check THEME (a built-in name or a .toml file) and print the verdict."""
    _run_check(theme, as_of, data, rules, out, as_json)


@main.command()
@OUT
def demo(out: Path | None) -> None:
    """Check the flagship theme on the bundled offline data and write the report (default: ./out)."""
    out = out or Path("out")
    click.echo("hypecheck demo: small-cap-rotation on the bundled sample data (offline)\n")
    _run_check("small-cap-rotation", None, None, None, out, as_json=False)


@main.command()
@click.option("--show", metavar="NAME", help="Print a built-in theme's TOML (a template for your own).")
def themes(show: str | None) -> None:
    """List the built-in themes."""
    from .theme import builtin_theme_names, load_theme

    if show:
        if show not in builtin_theme_names():
            load_theme(show)  # raises the helpful ThemeError
        click.echo((resources.files("hypecheck") / "themes" / f"{show}.toml").read_text("utf-8"))
        return
    for name in builtin_theme_names():
        t = load_theme(name)
        click.echo(f"{name:<24} {t.title}")
        click.echo(f"{'':<24} {t.question}")


if __name__ == "__main__":  # pragma: no cover
    main()
