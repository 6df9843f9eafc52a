"""``hypecheck themes``: the built-in themes."""

from __future__ import annotations

import click

from .base import main


@main.command()
@click.option("--show", metavar="NAME", help="Print a built-in theme's TOML (a template for your own).")
def themes(show: str | None) -> None:
    """List the built-in themes."""
    from importlib import resources

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
