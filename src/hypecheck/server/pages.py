"""Server-rendered pages: the Jinja2 templates (autoescaped) with what every page shows."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Engine


class Pages:
    """The dashboard's templates, rendered with the themes, the data source, its note and the
    version beside each page's own context."""

    def __init__(self, engine: Engine) -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        tdir = Path(str(resources.files("hypecheck") / "server" / "templates"))
        self.env = Environment(
            loader=FileSystemLoader(str(tdir)), autoescape=select_autoescape(["html", "j2"])
        )
        self.engine = engine

    def render(self, template: str, **context: Any) -> str:
        """``template`` as HTML; ``themes`` is the engine's unless the context has them."""
        from .. import __version__

        e = self.engine
        if "themes" not in context:
            context["themes"] = e.themes()
        return self.env.get_template(template).render(
            **context,
            source=e.source_label(public=True),
            data_note=e.data_note(public=True),
            version=__version__,
        )

    def html(self, template: str, **context: Any) -> Any:
        """:meth:`render` as an HTML response."""
        from fastapi.responses import HTMLResponse

        return HTMLResponse(self.render(template, **context))
