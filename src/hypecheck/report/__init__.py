"""Reports built from a :class:`~hypecheck.result.CheckResult` (read through its shape,
:class:`~hypecheck.report.view.CheckView`): HTML, Markdown with PNG charts, JSON, and every chart
alone as PNG and SVG. Files are written atomically (temp file, then rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .view import CheckView


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def out_folder(out: str | Path, what: str = "the report") -> Path:
    """``--out DIR`` made (with its parents); an existing file, or a path below one, or a folder that
    cannot be made is an InputError (exit 2) naming the path, for every command that writes into DIR."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..errors import InputError

        why = "it is a file" if path.is_file() else (exc.strerror or type(exc).__name__)
        raise InputError(
            f"cannot write {what} to --out {path}: {why}",
            hint="pass --out a folder you can write to (it is made if missing; never a file)",
        ) from None
    return path


def write_report(
    result: CheckView, out_dir: str | Path, formats: Iterable[str] = ("html", "md", "json")
) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` (+ ``charts/*.png|svg``) and ``verdict.json`` into ``out_dir``."""
    from . import charts
    from .html import render_html
    from .markdown import render_markdown

    out = out_folder(out_dir)
    out_folder(out / "charts")
    formats = tuple(formats)
    figs = charts.build(result)
    png = {name: (pillar, title, charts.to_bytes(fig, "png")) for name, (pillar, title, fig) in figs.items()}
    written: dict[str, Path] = {}
    for name, (_pillar, _title, fig) in figs.items():
        _atomic_write(out / "charts" / f"{name}.png", png[name][2])
        _atomic_write(out / "charts" / f"{name}.svg", charts.to_bytes(fig, "svg"))
    if figs:
        written["charts"] = out / "charts"
    if "html" in formats:
        written["html"] = out / "report.html"
        _atomic_write(written["html"], render_html(result, png).encode("utf-8"))
    if "md" in formats:
        written["markdown"] = out / "report.md"
        md = render_markdown(result, {k: (p, t) for k, (p, t, _) in png.items()})
        _atomic_write(written["markdown"], md.encode("utf-8"))
    if "json" in formats:
        written["json"] = out / "verdict.json"
        _atomic_write(written["json"], (result.to_json() + "\n").encode("utf-8"))
    return written


__all__ = ["out_folder", "write_report"]
