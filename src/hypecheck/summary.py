"""One summary for every result: a check, the forward record, a scan, the lab.

A :class:`Summary` holds what a result says, in the order a reader needs it: a title, the headline
(the finding first), sections of sentences and tables, and notes. It renders as the terminal's text
(:meth:`Summary.text`: what the commands print) and as an HTML fragment (:meth:`Summary.html`, also
``_repr_html_`` for Jupyter), the way ``statsmodels``' and ``arch``'s results render theirs. Every
string a user wrote (a theme's title, a ticker) is escaped in the HTML.

The text layout (widths, indents, blank lines) is part of the summary, not of the renderer, because
the commands' output is pinned byte for byte: a :class:`Table` carries its cells once and a
``str.format`` template per line for the terminal; the HTML reads the same cells.

The builders (:func:`of_check`, :func:`of_record`, :func:`of_scan`, :func:`of_lab`) read a result's
fields and import nothing above this module, so every result may import them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

_P = 'style="margin:0.15em 0;white-space:pre-wrap"'  # sentences keep their terminal indentation


@dataclass(frozen=True)
class Table:
    """Rows of formatted cells; ``row_format`` (and ``header_format``, ``None``: no header line in the
    text) lay them out for the terminal with ``str.format``. ``details[i]``: sentences under row ``i``
    (the findings under a pillar), each laid out by ``detail_format``."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_format: str
    header_format: str | None = None
    details: tuple[tuple[str, ...], ...] = ()
    detail_format: str = "{}"

    def text_lines(self) -> list[str]:
        out = [] if self.header_format is None else [self.header_format.format(*self.columns)]
        for i, row in enumerate(self.rows):
            out.append(self.row_format.format(*row))
            out += [self.detail_format.format(d) for d in (self.details[i] if i < len(self.details) else ())]
        return out

    def html(self) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = []
        for i, row in enumerate(self.rows):
            body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
            det = self.details[i] if i < len(self.details) else ()
            if det:
                items = "".join(f"<li>{escape(d)}</li>" for d in det)
                body.append(f'<tr><td colspan="{len(self.columns)}"><ul>{items}</ul></td></tr>')
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclass(frozen=True)
class Section:
    """A heading (its own line), sentences, then a table. In the text each sentence is written
    ``indent + bullet + sentence`` and its ``details`` (``details[i]``: the lines under sentence
    ``i``) under it, aligned with the sentence's text; ``gap``: a blank line before the section."""

    heading: str = ""
    sentences: tuple[str, ...] = ()
    table: Table | None = None
    indent: str = ""
    bullet: str = ""
    gap: bool = True
    details: tuple[tuple[str, ...], ...] = ()

    def _details(self, i: int) -> tuple[str, ...]:
        return self.details[i] if i < len(self.details) else ()

    def text_lines(self) -> list[str]:
        out = [""] if self.gap else []
        if self.heading:
            out.append(self.heading)
        under = self.indent + " " * len(self.bullet)
        for i, s in enumerate(self.sentences):
            out += [self.indent + self.bullet + s, *(under + d for d in self._details(i))]
        if self.table is not None:
            out += self.table.text_lines()
        return out

    def html(self) -> str:
        out = [f"<h4>{escape(self.heading)}</h4>"] if self.heading else []
        items = [
            escape(s) + "".join(f"<br>{escape(d)}" for d in self._details(i))
            for i, s in enumerate(self.sentences)
        ]
        if self.bullet and items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        else:
            out += [f"<p {_P}>{i}</p>" for i in items]
        if self.table is not None:
            out.append(self.table.html())
        return "".join(out)


@dataclass(frozen=True)
class Summary:
    """What a result says: ``title``, ``headline`` (the finding, first), ``context`` (the lines between
    them: the date, the data), ``sections``, ``notes`` (caveats, last). ``inline``: the text writes
    ``title: headline`` on one line (the commands' one-line opening) instead of one line each."""

    title: str
    headline: str
    context: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    notes: tuple[str, ...] = ()
    inline: bool = False

    def text(self) -> str:
        """The terminal's text, as the commands print it."""
        if self.inline:
            lines = [f"{self.title}: {self.headline}", *self.context]
        else:
            lines = [self.title, *self.context, self.headline]
        for s in self.sections:
            lines += s.text_lines()
        lines += ["  " + n for n in self.notes]
        return "\n".join(lines)

    def html(self) -> str:
        """One self-contained HTML fragment; every string escaped."""
        parts = [f"<h3>{escape(self.title)}</h3>"]
        if self.context:
            parts.append("<p>" + "<br>".join(escape(c) for c in self.context) + "</p>")
        parts.append(f"<p><strong>{escape(self.headline)}</strong></p>")
        parts += [s.html() for s in self.sections]
        parts += [f"<p><small>{escape(n)}</small></p>" for n in self.notes]
        return (
            '<div class="hypecheck-summary" style="font-family:system-ui,sans-serif">'
            + "".join(parts)
            + "</div>"
        )

    def _repr_html_(self) -> str:
        return self.html()

    def __str__(self) -> str:
        return self.text()


# --- the check ---------------------------------------------------------------------------------------


def of_check(r: Any) -> Summary:
    """The summary of a :class:`~hypecheck.result.CheckResult`: the verdict first, the model's
    headline, each pillar with its findings, what would flip it, the model's ledger, hindsight."""
    from .pillar_registry import PILLARS

    v, c = r.verdict, r.calibration
    score = "n/a" if v.score is None else f"{v.score:+.2f}"
    lean = (
        f"evidence lean {score} on -1 viral .. +1 catalyst (which way the ledger's items lean; "
        "descriptive, not the label)"
    )
    names = r.measured()
    pillars = Table(
        columns=("pillar", "status", "score", "reason"),
        rows=tuple(
            (
                PILLARS.title(n),
                r.pillars[n].status,
                "  n/a" if r.pillars[n].score is None else f"{r.pillars[n].score:+.2f}",
                r.pillars[n].reason,
            )
            for n in names
        ),
        row_format="  {0:<20} {1:<8} {2}  {3}",
        details=tuple(tuple(e.finding or e.claim for e in r.pillars[n].evidence) for n in names),
        detail_format="      - {}",
    )
    sections = [
        Section(sentences=(*(c.headline() if c is not None else [v.flip]), lean), gap=False),
        Section(table=pillars),
        Section(sentences=("What would flip it: " + v.flip,)),
    ]
    if c is not None:  # the model's ledger, as the panel verdict writes it
        sections.append(Section(sentences=tuple(c.summary().split("\n", 3)[-1].split("\n"))))
    h = r.hindsight
    if h:
        sections.append(
            Section(
                heading=f"Hindsight (after {h['as_of']}, not used by the verdict; data to {h['data_end']}):",
                table=Table(
                    columns=("pair", "horizon", "to", "spread (pp)"),
                    rows=tuple(
                        (
                            str(x["pair"]),
                            str(x["horizon"]),
                            str(x["end"]) + ("" if x["complete"] else " (so far)"),
                            f"{100 * x['spread']:+.2f}",
                        )
                        for x in h["rows"]
                    ),
                    row_format="  {0:<40} {1:>4} to {2}: spread {3} pp",
                ),
            )
        )
    return Summary(
        title=f"{r.theme.title}  [{r.theme.id}]",
        context=(
            f"as of {r.as_of.date()}  data: {r.source}"
            + ("  (bundled SAMPLE data)" if r.sample_data else ""),
        ),
        headline=f"VERDICT: {v.label.upper()}",
        sections=tuple(sections),
    )


# --- the forward record ------------------------------------------------------------------------------


def of_record(res: Any) -> Summary:
    """The summary of a :class:`~hypecheck.record.RecordResult`: how many forecasts were scored, how
    live and replayed ones fared, then each forecast."""
    s = res.summary_
    parts = []
    for part in ("live", "replayed"):
        p = s[part]
        if not p["scored"]:
            parts.append(f"{part}: {p['n']} forecasts, none scored yet")
            continue
        line = (
            f"{part}: {p['scored']} scored of {p['n']}: the range held {p['inside']} times "
            f"({p['coverage']:.0%} against the {p['level']:.0%} promised)"
            + (
                f"; kept half {p['kept_half']} of {p['kept_half_n']} (the random walk expected "
                f"{p['p_kept_mean']:.0%}; Brier {p['brier_rw']:.3f}, the class rate's {p['brier_class']:.3f})"
                if p["kept_half_n"]
                else ""
            )
            + (
                f"; kept beating {p['beat']} of {p['scored']} (panel model Brier {p['brier_model']:.3f}, "
                f"base rate's {p['brier_base']:.3f})"
            )
        )
        parts.append(line)
    forecasts = Table(
        columns=("made on", "leader", "laggard", "as of", "horizon", "label", "outcome"),
        rows=tuple(
            (
                r["made_on"][:10],
                str(r["leader"]),
                str(r["laggard"]),
                str(r["as_of"]),
                str(r["horizon"]),
                f"{r['label']}" + (" (replayed)" if r["replayed"] else ""),
                _record_state(r),
            )
            for r in res.forecasts
        ),
        row_format="  {0} {1} vs {2} as of {3}, {4}, {5}: {6}",
    )
    return Summary(
        title="hypecheck record",
        headline=f"{s['n']} forecasts, {s['scored']} scored, {s['pending']} pending "
        "(horizon not passed in the data)",
        sections=(
            Section(
                sentences=tuple(parts),
                details=((), ("  (replayed: made after the data already ran past their as-of date)",))
                if s["replayed"]["scored"]
                else (),
                table=forecasts,
                indent="  ",
                gap=False,
            ),
        ),
        inline=True,
    )


def _record_state(r: dict[str, Any]) -> str:
    if r["realised"] is None:
        return "pending"
    return (
        f"realised {100 * math.expm1(r['realised']):+.1f}%, "
        + ("inside" if r["inside"] else "outside")
        + f" the range [{100 * math.expm1(r['lo']):+.0f}%, {100 * math.expm1(r['hi']):+.0f}%]"
        + ("" if r["kept_half"] is None else f", kept half: {'yes' if r['kept_half'] else 'no'}")
    )


# --- the scan ----------------------------------------------------------------------------------------


def of_scan(res: Any, lookback_months: int) -> Summary:
    """The summary of a :class:`~hypecheck.scan.core.ScanResult` (``lookback_months``: its live
    window): how many narratives are alive, the model's record, the ranked table, each narrative in a
    sentence; skipped pairs as a note."""
    w = max([9, *(len(x) + 1 for n in res.narratives for x in (n.leader, n.laggard))])
    skill = res.skill_sentence()
    cols = f"  {{0:<{w}}}{{1:<{w}}}{{2:<11}}{{3:>4}}{{4:>6}}{{5:>8}}  {{6:<25}}{{7:>5}}{{8:>13}}{{9:>10}}  {{10:<16}}"
    rows = [_scan_row(n) for n in res.narratives]
    table = Table(
        columns=(
            "leader",
            "laggard",
            "born",
            "age",
            "sd",
            "move",
            "fade test",
            "p",
            "80% range",
            "p persist",
            "label",
        ),
        rows=tuple(rows),
        row_format=cols,
        header_format=cols,
    )
    sections = [
        Section(
            sentences=(
                f"{skill[0].upper()}{skill[1:]}.",
                f"probabilities: {res.horizon}-month persistence, panel model of the {res.model_panel} panel "
                f"fitted on {res.n_fit:,} past narratives with outcomes known by then (base rate "
                f"{res.base_rate:.0%})",
            ),
            indent="  ",
            gap=False,
        ),
        Section(table=table),
    ]
    if res.narratives:
        sections.append(
            Section(
                sentences=tuple(f"{n.sentence(res.horizon)}." for n in res.narratives),
                details=tuple(
                    (f"attention (not in the model): {n.attention['finding']}.",) if n.attention else ()
                    for n in res.narratives
                ),
                indent="  ",
                bullet="- ",
            )
        )
    sk = res.skipped
    notes = (
        (
            f"{len(sk)} pairs or member files skipped or repaired: "
            + "; ".join(sk[:5])
            + (f"; and {len(sk) - 5} more (see --json)" if len(sk) > 5 else ""),
        )
        if sk
        else ()
    )
    return Summary(
        title=f"hypecheck scan as of {res.as_of:%Y-%m-%d}",
        headline=f"{len(res.narratives)} live narratives among {res.pairs_scanned} pairs of the {res.universe} "
        f"universe (born in the last {lookback_months} months, some of the move still kept; "
        f"{len(res.given_back)} more born then have given their move back and are not listed as leads); "
        "ranked by |sharpness|",
        sections=tuple(sections),
        notes=notes,
        inline=True,
    )


def _scan_row(n: Any) -> tuple[str, ...]:
    """One live narrative's cells in the scan's table."""
    f = n.fade
    return (
        n.leader,
        n.laggard,
        f"{n.born:%Y-%m-%d}",
        str(n.age_days),
        f"{n.sharpness:+.1f}",
        f"{100 * n.move:+.1f}%",
        n.fade_label,
        "" if f is None or f.p_value != f.p_value else f"{f.p_value:.2f}",
        ""
        if n.range is None
        else f"{100 * math.expm1(n.range.lo):+.0f}/{100 * math.expm1(n.range.hi):+.0f}%",
        "" if math.isnan(n.p) else f"{n.p:.0%}",
        n.label,
    )


# --- the lab -----------------------------------------------------------------------------------------

_LAB_COLUMNS = ("", "kind", "n (indep.)", "hit", "AUC", "Brier", "BSS base", "95% CI", "BSS mom", "weight")
_LAB_HEADER = "  {0:<18} {1:<8} {2:>13} {3:>6} {4:>6} {5:>7} {6:>9} {7:>17} {8:>8} {9:>7}"
_LAB_ROW = "  {0:<18} {1:<8} {2:>13} {3:>6} {4:>6} {5:>7} {6:>9} {7} {8:>8} {9:>7}"


def of_lab(res: Any) -> Summary:
    """The summary of a :class:`~hypecheck.lab.run.LabResult`: per history, its episodes and base
    rate, the retention and skill findings, and the skill table (each feature, the verdict model, the
    holdout)."""
    sections = []
    for h in res.histories:
        rows = []
        for s in [*h.skill, h.holdout]:
            rows.append(
                (
                    "holdout verdict" if s is h.holdout else s.name,
                    s.kind,
                    f"{s.n} ({s.n_effective})" if s.n_effective is not None else str(s.n),
                    f"{s.hit_rate:.1%}",
                    f"{s.auc:.3f}",
                    f"{s.brier:.4f}",
                    f"{s.bss_base:+.4f}",
                    f"[{s.ci_bss_base[0]:+.3f},{s.ci_bss_base[1]:+.3f}]",
                    f"{s.bss_momentum:+.4f}",
                    "" if s.weight is None or math.isnan(s.weight) else f"{s.weight:+.3f}",
                )
            )
        sections.append(
            Section(
                heading=f"{h.name}: {len(h.episodes):,} episodes ({h.description}); "
                f"{h.base_rate:.1%} persisted {h.horizon} months",
                sentences=(
                    *(h.retention.lines() if h.retention is not None else []),
                    "keeps beating (outcome > 0), the earlier target: " + h.skill_sentence(),
                ),
                table=Table(
                    columns=_LAB_COLUMNS, rows=tuple(rows), row_format=_LAB_ROW, header_format=_LAB_HEADER
                ),
                indent="  ",
            )
        )
    return Summary(
        title="hypecheck lab",
        headline=f"{res.horizon}-month persistence of past narratives",
        sections=tuple(sections),
        inline=True,
    )
