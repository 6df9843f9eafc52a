"""``hypecheck serve``: the local dashboard."""

from __future__ import annotations

from pathlib import Path

import click

from .base import DATA, STORE, main


@main.command()
@DATA
@STORE
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (0.0.0.0 exposes it)."
)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option(
    "--themes",
    "themes_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A folder of your own theme files (*.toml), served beside the built-in ones.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    metavar="NAME",
    multiple=True,
    help="Also answer requests for this Host name (NAME or NAME:PORT; repeatable). 127.0.0.1, "
    "localhost, [::1] and the --host value are always answered; any other Host gets 400.",
)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=None,
    help="Checks computed at once; more wait in a queue (default: the number of CPUs).",
)
@click.option(
    "--max-queued",
    type=click.IntRange(min=0),
    default=16,
    show_default=True,
    help="Checks that may wait for a free slot; beyond that a request gets 429 with Retry-After.",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=64 * 1024,
    show_default=True,
    metavar="BYTES",
    help="Largest request body accepted; a larger one gets 413 without being read.",
)
def serve(
    data: Path | None,
    store_path: Path | None,
    host: str,
    port: int,
    themes_dir: Path | None,
    allow_hosts: tuple[str, ...],
    max_runs: int | None,
    max_queued: int,
    max_body: int,
) -> None:
    """The local dashboard: a page per theme, as-of switch, re-run with progress, JSON API (/openapi.json)."""
    try:
        import uvicorn
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "the dashboard needs uvicorn", hint="pip install 'hypecheck[serve]'"
        ) from None
    from ..server import create_app

    if data is not None and not data.exists():
        from ..errors import InputError

        raise InputError(f"data path {str(data)!r} does not exist", hint="pass a folder or file with --data")
    if themes_dir is not None and not themes_dir.is_dir():
        from ..errors import InputError

        raise InputError(
            f"themes folder {str(themes_dir)!r} does not exist", hint="pass a folder of *.toml files"
        )
    from ..server.app import split_host

    for name in (host, *allow_hosts):
        if split_host(name) is None:
            from ..errors import InputError

            raise InputError(
                f"{name[:80]!r} is not a host name", hint="give a name or address, optionally NAME:PORT"
            )
    app = create_app(
        data=data,
        store=store_path,
        themes_dir=themes_dir,
        allow_hosts=(host, *allow_hosts),
        max_body=max_body,
        max_runs=max_runs,
        max_queued=max_queued,
    )
    engine = app.state.engine
    click.echo(f"hypecheck dashboard on http://{host}:{port}/  (data: {engine.source_label()})", err=True)
    if engine.data_note():
        click.secho(f"note: {engine.data_note()}", fg="yellow", err=True)
    if host in ("0.0.0.0", "::") and not allow_hosts:
        click.secho(
            "note: listening on every interface, but only loopback names are answered: add "
            "--allow-host NAME for each name or address other machines will use",
            fg="yellow",
            err=True,
        )
    # no proxy headers: the client address is the socket's, never a header's
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
