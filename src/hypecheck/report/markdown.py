"""The Markdown twin of the report, with PNG charts referenced from a folder beside it. User text is
escaped (HTML-significant characters as entities, Markdown syntax with backslashes, control and
bidirectional-override characters as visible ``\\x1b`` / ``\\u202e`` escapes, so a name holding a
terminal escape sequence cannot recolour or rewrite the terminal of whoever ``cat``s the file)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..pillar_registry import PILLARS
from .html import escape_controls, fmt_score, fmt_threshold, fmt_value, returns_grid, strongest, table_view

if TYPE_CHECKING:
    from .view import CheckView

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def md(text: Any) -> str:
    s = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return escape_controls(s.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


def _table(view: dict[str, Any]) -> list[str]:
    cols = view["columns"]
    lines = [
        "| " + " | ".join(md(c) for c in cols) + " |",
        "|" + "|".join("---:" if view["numeric"][c] else "---" for c in cols) + "|",
    ]
    lines += ["| " + " | ".join(md(r[c]) for c in cols) + " |" for r in view["rows"]]
    return lines


Charts = dict[str, list[tuple[str, str]]]  # pillar (or section) -> [(chart name, title)]


def _images(by_pillar: Charts, key: str, chart_dir: str) -> list[str]:
    out: list[str] = []
    for cname, title in by_pillar.get(key, []):
        out += [f"![{md(title)}]({chart_dir}/{cname}.png)", ""]
    return out


def _head(r: CheckView, by_pillar: Charts, chart_dir: str) -> list[str]:
    """Title, question, date and source, the verdict with the probability, the fan chart, the lean,
    what would flip it, the strongest evidence each way and the arithmetic."""
    v = r.verdict
    out = [
        f"# {md(r.theme.title)}",
        "",
        f"*{md(r.theme.question)}*",
        "",
        f"As of **{r.as_of.date()}** · data: {md(r.source)}"
        + (" · **SAMPLE DATA**" if r.sample_data else ""),
        "",
    ]
    if r.data_note:
        out += [f"> {md(r.data_note)}", ""]
    c = r.calibration
    head = [f"**{md(x)}**" if i == 0 else md(x) for i, x in enumerate(c.headline())] if c is not None else []
    out += [
        f"## Verdict: {v.label.upper()}",
        "",
        *[x + "  " for x in head],
        "",
        *[f"![{md(title)}]({chart_dir}/{cname}.png)\n" for cname, title in by_pillar.get("history_fan", [])],
        f"Evidence lean {fmt_score(v.score)} on -1 viral .. +1 catalyst (which way the ledger's items lean; "
        "descriptive, not the label).",
        "",
        f"**What would flip it:** {md(v.flip)}",
        "",
    ]
    for leaning, title in (("catalyst", "a real catalyst"), ("viral", "viral sentiment")):
        top = strongest(r, leaning)
        out += [f"**Strongest evidence for {title}:**", ""]
        out += [
            f"- {md(e.finding or e.claim)} ({PILLARS.title(e.pillar)}{', cited' if e.cited else ''})"
            for e in top
        ]
        out += ["- none", ""] if not top else [""]
    out += ["| pillar | status | score | weight |", "|---|---|---:|---:|"]
    out += [
        f"| {PILLARS.title(a['pillar'])} | {a['status']} | {fmt_score(a['score'])} | {a['weight']} |"
        for a in v.arithmetic
    ]
    return out


def _pillar(r: CheckView, name: str, by_pillar: Charts, chart_dir: str) -> list[str]:
    """One measured pillar: its status and reason, its charts, evidence, missing inputs, notes, tables."""
    p = r.pillars[name]
    out = ["", f"## {PILLARS.title(name)} ({p.status}, score {fmt_score(p.score)})", "", md(p.reason), ""]
    out += _images(by_pillar, name, chart_dir)
    if p.evidence:
        out += [
            "| finding | value | threshold | leaning | would flip if | claim tested | source |",
            "|---|---:|---:|---|---|---|---|",
        ]
        out += [
            f"| {md(e.finding or e.claim)} | {fmt_value(e)} | {fmt_threshold(e)} | {e.leaning} | {md(e.flip)} "
            f"| {md(e.claim)} | {md(e.source)} |"
            for e in p.evidence
        ]
    out += [f"- missing: {md(m.reason)} (to supply it: {md(m.how_to_fix)})" for m in p.missing]
    out += [f"- note: {md(n)}" for n in p.notes]
    for tname, rows in p.tables.items():
        if rows:
            view = table_view(returns_grid(rows) if (name, tname) == ("price", "returns") else rows)
            out += ["", f"**{md(tname)}**", "", *_table(view)]
    return out


def _calibration(r: CheckView, by_pillar: Charts, chart_dir: str) -> list[str]:
    """The panel model's ledger: what moved the probability (empty without a model)."""
    c = r.calibration
    if c is None:
        return []
    out = [
        "",
        "## The panel model: what moved the probability",
        "",
        f"Each feature of {md(c.leader)} over {md(c.laggard)} as of {r.as_of.date()}, its learned weight "
        "(log-odds per standard deviation, fitted on past narratives) and its contribution to the "
        "probability (the probability minus the probability with that feature at its past average).",
        "",
        *_images(by_pillar, "calibration", chart_dir),
        "| feature | pillar | value | weight | contribution |",
        "|---|---|---:|---:|---:|",
    ]
    for e in sorted(c.ledger, key=lambda e: -abs(e["contribution_p"])):
        val = "n/a" if e["value"] is None else f"{e['value']:+.4g}"
        out.append(
            f"| {md(e['what'])} | {e['pillar']} | {val} | {e['weight']:+.3f} | {100 * e['contribution_p']:+.1f} pp |"
        )
    return out


def _hindsight(r: CheckView, by_pillar: Charts, chart_dir: str) -> list[str]:
    """What happened after the as-of date (empty without hindsight)."""
    h = r.hindsight
    if not h:
        return []
    return [
        "",
        "## What happened next (hindsight: not used by the verdict)",
        "",
        f"{md(h['note'])}; as of {h['as_of']}, data to {h['data_end']}.",
        "",
        *_images(by_pillar, "hindsight", chart_dir),
        "| pair | horizon | to | spread |",
        "|---|---|---|---:|",
        *(
            f"| {md(x['pair'])} | {x['horizon']}{'' if x['complete'] else ' (so far)'} | {x['end']} | {100 * x['spread']:+.2f} pp |"
            for x in h["rows"]
        ),
    ]


def _provenance(r: CheckView) -> list[str]:
    out = [
        "",
        "## Provenance",
        "",
        "| series | resolved | source | origin | last | age (days) | notes |",
        "|---|---|---|---|---|---:|---|",
    ]
    return out + [
        f"| {md(p.id)} | {md(p.resolved)} | {md(p.source)} | {md(p.origin)} | {p.last} | {p.age_days} "
        f"| {md('; '.join(p.notes))} |"
        for p in r.provenance
    ]


def render_markdown(
    r: CheckView, charts: dict[str, tuple[str, str]] | None = None, chart_dir: str = "charts"
) -> str:
    """``charts``: chart name -> (pillar, title) of PNGs saved as ``{chart_dir}/{name}.png``."""
    by_pillar: Charts = {}
    for name, (pillar, title) in (charts or {}).items():
        by_pillar.setdefault(pillar, []).append((name, title))
    out = _head(r, by_pillar, chart_dir)
    for name in r.measured():
        out += _pillar(r, name, by_pillar, chart_dir)
    out += _calibration(r, by_pillar, chart_dir)
    out += _hindsight(r, by_pillar, chart_dir)
    out += _provenance(r)
    out += _data_section(r)
    out += ["", f"Nothing dated after {r.as_of.date()} was used. Rules: {md(r.rules.origin)}.", ""]
    return escape_controls("\n".join(out))


MAX_LISTED = 20  # inputs listed per kind of note in the data section; the rest counted


def _listed(lines: list[str]) -> list[str]:
    more = len(lines) - MAX_LISTED
    return lines[:MAX_LISTED] + ([f"- and {more} more (see verdict.json)"] if more > 0 else [])


def _data_section(r: CheckView) -> list[str]:
    """What loading did: inputs skipped, rows rejected (per file), series merged from several files."""
    rep = r.load_report
    out: list[str] = []
    if rep.skipped:
        out += [
            "",
            "Skipped inputs:",
            "",
            *_listed([f"- {md(e.origin)}: {md(e.reason)}" for e in rep.skipped]),
        ]
    rejected = [e for e in rep.loaded if e.rejected_rows]
    if rejected:
        total = sum(e.rejected_rows for e in rejected)
        out += ["", f"Rows rejected while loading: {total} in {len(rejected)} input(s):", ""]
        out += _listed([f"- {md(e.origin)}: {e.rejected_rows} ({md(e.reason)})" for e in rejected])
    merges = getattr(rep, "merges", [])
    if merges:
        out += ["", f"Series merged from several inputs: {len(merges)}:", ""]
        out += _listed([f"- {md(e.format)} {md(e.series[0])}: {md(e.reason)}" for e in merges])
    return out
