"""The HTML report: one self-contained file (inline CSS, charts as data: PNGs, no script, no
network), built only from the result. Jinja2 autoescapes every value, so user text (theme titles,
terms, tickers, sources) is always shown as text."""

from __future__ import annotations

import base64
import math
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..evidence import Evidence
from ..pillar_registry import PILLARS

if TYPE_CHECKING:
    from jinja2 import Environment

    from .view import CheckView

# C0 and C1 controls (but the line break), DEL, and the invisible bidi/zero-width format characters
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def escape_controls(text: str) -> str:
    """Control characters as visible escapes (``\\x1b``, ``\\u202e``); line breaks kept. Applied to
    every value the HTML template shows and to the whole Markdown report."""
    return CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


@cache
def _env() -> Environment:
    """The Jinja2 environment (Jinja2 is imported on the first HTML render, not with the package)."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    return Environment(
        loader=PackageLoader("hypecheck", "report/templates"),
        autoescape=select_autoescape(default=True),
        finalize=lambda v: escape_controls(v) if isinstance(v, str) and not isinstance(v, Markup) else v,
    )


PERCENT_UNITS = {"fraction", "share of windows", "hit rate", "fraction below the high"}


def fmt_num(x: Any, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if unit in PERCENT_UNITS:
            return f"{x * 100:+.2f}%" if unit == "fraction" else f"{x * 100:.1f}%"
        if unit.startswith("percentile"):
            return f"{x:.0f}th pct"
        return f"{x:.4g}" if abs(x) < 1e5 else f"{x:,.0f}"
    return str(x)


def fmt_value(e: Evidence) -> str:
    return fmt_num(e.value, e.unit)


def fmt_threshold(e: Evidence) -> str:
    return fmt_num(e.threshold, e.unit)


def fmt_score(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.2f}"


RETURN_COLS = {
    "return",
    "spread",
    "leader_return",
    "laggard_return",
    "equal_return",
    "cap_return",
    "drawdown",
    "ytd",
    "group_return",
    "required_rest",
    "ytd_spread",
    "next_spread",
    "spread_before",
    "spread_after",
    "others_return",
    "required_return",
    "weight",
    "earnings_growth_share",
}


def table_view(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows as display strings (returns as percentages), with which columns are numeric."""
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    numeric = {
        c: any(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows)
        for c in cols
    }
    out = []
    for r in rows:
        row = {}
        for c in cols:
            v = r.get(c)
            if isinstance(v, dict):  # style box cells
                v = f"{v.get('ticker', '')} {fmt_num(v.get('return'), 'fraction')}"
            row[c] = fmt_num(v, "fraction" if c in RETURN_COLS else "")
        out.append(row)
    return {"columns": cols, "rows": out, "numeric": numeric}


def fmt_pct(x: float | None, digits: int = 1) -> str:
    if x is None or x != x:
        return ""
    return f"{100 * x:+.{digits}f}%" if digits else f"{100 * x:.0f}%"


def returns_grid(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The long returns table as series x window."""
    grid: dict[str, dict[str, Any]] = {}
    for r in rows:
        grid.setdefault(r["series"], {"series": r["series"]})[r["window"]] = r["return"]
    return list(grid.values())


def strongest(r: CheckView, leaning: str, n: int = 3) -> list[Evidence]:
    """The ``n`` items leaning ``leaning`` to show first (heaviest, measured before cited, largest
    spreads first); the report shows each one's finding."""
    items = [e for e in r.evidence if e.leaning == leaning]
    return sorted(
        items, key=lambda e: (-e.weight, e.cited, -abs(e.value or 0) if e.unit == "fraction" else 0)
    )[:n]


def context(r: CheckView, chart_b64: dict[str, list[dict[str, str]]] | None = None) -> dict[str, Any]:
    tables: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name in r.measured():
        p = r.pillars[name]
        for tname, rows in p.tables.items():
            if not rows:
                continue
            if (name, tname) == ("price", "returns"):
                tables.setdefault(name, []).append(("returns by window", table_view(returns_grid(rows))))
            else:
                tables.setdefault(name, []).append((tname.replace("_", " "), table_view(rows)))
    return {
        "r": r,
        "v": r.verdict,
        "as_of": r.as_of.strftime("%Y-%m-%d"),
        "titles": PILLARS.titles(),
        "pillars": [(n, r.pillars[n]) for n in r.measured()],
        "tables": tables,
        "charts": chart_b64 or {},
        "top_catalyst": strongest(r, "catalyst"),
        "top_viral": strongest(r, "viral"),
        "fmt_value": fmt_value,
        "fmt_threshold": fmt_threshold,
        "fmt_score": fmt_score,
        "rules": r.rules.table(),
        "version": __version__,
        "cal": None if r.calibration is None else r.calibration.to_dict(),
        "hs": r.hindsight,
        "fmt_pct": fmt_pct,
    }


def render_html(r: CheckView, png: dict[str, tuple[str, str, bytes]] | None = None) -> str:
    """The full report. ``png``: chart name -> (pillar, title, PNG bytes); built here when omitted."""
    if png is None:
        from . import charts

        png = {k: (p, t, charts.to_bytes(f, "png")) for k, (p, t, f) in charts.build(r).items()}
    b64: dict[str, list[dict[str, str]]] = {}
    for _name, (pillar, title, data) in png.items():
        b64.setdefault(pillar, []).append({"title": title, "b64": base64.b64encode(data).decode("ascii")})
    return _env().get_template("report.html.j2").render(**context(r, b64))
