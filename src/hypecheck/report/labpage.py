"""The lab's page: one self-contained HTML file (inline CSS, charts as ``data:`` PNGs rendered from
Vega-Lite specs by vl-convert, no script, nothing fetched) beside the lab's JSON.

:func:`write_page` writes ``lab.html`` and ``lab.json`` for a :class:`~hypecheck.lab.run.LabResult`.
Everything shown is read from the result (never recomputed), and every piece of text is escaped.
Per history: whether the model has shown skill (the skill sentence, with a banner), the skill table,
skill by pillar with intervals, the reliability diagram, persistence by decile, holdout against
walk-forward, the labels' record and the final model's weights.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from . import labspecs
from .labspecs import pct as pct
from .spec import VegaChart, pillar_color

if TYPE_CHECKING:
    from ..lab.run import HistoryResult, LabResult

HOLDOUT_NOTE = (
    "The holdout (the last five years of each history) was never used to choose features or weights. "
    "The 2021-2026 ETF holdout was seen by an earlier lab before the random-walk null was written: "
    "it is a reference, not a test."
)
PILLAR_COLORS = {
    p: pillar_color(p) for p in ("price", "breadth", "catalysts", "attention", "history")
}  # the report's
GOOD, BAD, NEUTRAL = "#2e8b57", "#b03a48", "#7f7f7f"

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;max-width:1040px;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}
h2{font-size:1.3rem;border-bottom:2px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1rem;margin:1.4rem 0 .3rem}
.muted{color:#666;font-size:.9em}
.banner{border-radius:.5rem;padding:.7rem 1rem;margin:.8rem 0;border:2px solid}
.banner .head{font-size:1.35rem;font-weight:700;text-transform:uppercase;letter-spacing:.02em}
.banner .sentence{font-size:1.02rem;margin-top:.2rem}
.noskill{border-color:#b03a48;background:#fbeef0}.noskill .head{color:#a0303c}
.skill{border-color:#2e8b57;background:#eef7f1}.skill .head{color:#2e6b47}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4rem 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.22rem .4rem;text-align:left;vertical-align:top}
th{background:#f5f6f7}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.verdict td{font-weight:600}tr.holdout td{background:#f7f3ea}
.pos{color:#2e6b47}.neg{color:#a0303c}
.scroll{overflow-x:auto}
img.chart{max-width:100%;height:auto;display:block;margin:.4rem 0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem;align-items:start}
@media(max-width:760px){.cols{grid-template-columns:1fr}}
footer{margin-top:1rem;padding-top:.5rem;border-top:1px solid #ddd}
@media print{body{max-width:none}img.chart,.banner{break-inside:avoid}h2,h3{break-after:avoid}}
"""


# ------------------------------------------------------------------------------------ formatting
def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def e(x: Any) -> str:
    """Any value as escaped HTML text."""
    return html.escape(str(x), quote=True)


def f3(x: Any, sign: bool = True) -> str:
    """3 decimals (signed for skill scores), ``n/a`` for a missing value."""
    if _nan(x):
        return "n/a"
    return f"{float(x):+.3f}" if sign else f"{float(x):.3f}"


def count(x: Any) -> str:
    return "n/a" if _nan(x) else f"{int(x):,}"


def ci(c: tuple[float, float]) -> str:
    if _nan(c[0]) and _nan(c[1]):
        return "n/a"
    return f"[{f3(c[0])}, {f3(c[1])}]"


def _sign_class(c: tuple[float, float]) -> str:
    """``pos`` when the interval lies above zero, ``neg`` below, else nothing."""
    lo, hi = c
    if not _nan(lo) and lo > 0:
        return "pos"
    if not _nan(hi) and hi < 0:
        return "neg"
    return ""


def _table(header: Sequence[tuple[str, bool]], rows: Iterable[tuple[Sequence[tuple[str, str]], str]]) -> str:
    """``header``: (title, numeric); ``rows``: (cells as (already escaped text, class), row class)."""
    th = "".join(f'<th class="n">{e(t)}</th>' if num else f"<th>{e(t)}</th>" for t, num in header)
    body = []
    for cells, cls in rows:
        tds = []
        for (text, ccls), (_, num) in zip(cells, header, strict=True):
            classes = " ".join(c for c in ("n" if num else "", ccls) if c)
            tds.append(f'<td class="{classes}">{text}</td>' if classes else f"<td>{text}</td>")
        rc = f' class="{cls}"' if cls else ""
        body.append(f"<tr{rc}>{''.join(tds)}</tr>")
    return f'<div class="scroll"><table><tr>{th}</tr>{"".join(body)}</table></div>'


# ----------------------------------------------------------------------------------------- charts
# Vega-Lite specs (report/labspecs.py), rendered to PNG by vl-convert like every other chart.
def chart_skill_by_pillar(h: HistoryResult) -> dict[str, Any] | None:
    return labspecs.skill_by_pillar_spec(h)


def chart_reliability(h: HistoryResult) -> dict[str, Any] | None:
    return labspecs.reliability_spec(h)


def chart_deciles(h: HistoryResult) -> dict[str, Any] | None:
    return labspecs.deciles_spec(h)


def chart_holdout(h: HistoryResult) -> dict[str, Any] | None:
    return labspecs.holdout_spec(h)


def chart_weights(h: HistoryResult) -> dict[str, Any] | None:
    return labspecs.weights_spec(h, count)


def _img(fn: Callable[[HistoryResult], dict[str, Any] | None], h: HistoryResult, alt: str) -> str:
    spec = fn(h)
    if spec is None:
        return f'<p class="muted">{e(alt)}: no data.</p>'
    data = base64.b64encode(VegaChart(spec).to_bytes("png")).decode("ascii")
    return f'<img class="chart" alt="{e(alt)}" src="data:image/png;base64,{data}">'


# ------------------------------------------------------------------------------------------- html
def _banner(h: HistoryResult, with_sentence: bool = True) -> str:
    v = h.verdict
    cls, head = ("skill", "Skill shown") if v.shows_skill else ("noskill", "No skill shown")
    body = f'<div class="sentence">{e(h.skill_sentence())}</div>' if with_sentence else ""
    return f'<div class="banner {cls}"><div class="head">{e(h.name)}: {e(head)}</div>{body}</div>'


def _skill_table(h: HistoryResult) -> str:
    header = [
        ("name", False),
        ("kind", False),
        ("n", True),
        ("hit rate", True),
        ("AUC", True),
        ("Brier", True),
        ("BSS vs base", True),
        ("95% CI", True),
        ("BSS vs momentum", True),
        ("95% CI", True),
        ("weight", True),
    ]
    rows = []
    entries = [(s.name, s, "verdict" if s.kind == "verdict" else "") for s in h.skill]
    entries += [
        ("verdict (holdout)", h.holdout, "verdict holdout"),
        ("momentum (holdout)", h.holdout_momentum, "holdout"),
    ]
    for name, s, rc in entries:
        w = s.weight if s.kind == "feature" else None
        cells = [
            (e(name), ""),
            (e(s.kind), ""),
            (e(count(s.n)), ""),
            (e(pct(s.hit_rate)), ""),
            (e(f3(s.auc, sign=False)), ""),
            (e(f3(s.brier, sign=False)), ""),
            (e(f3(s.bss_base)), _sign_class(s.ci_bss_base)),
            (e(ci(s.ci_bss_base)), _sign_class(s.ci_bss_base)),
            (e(f3(s.bss_momentum)), _sign_class(s.ci_bss_momentum)),
            (e(ci(s.ci_bss_momentum)), _sign_class(s.ci_bss_momentum)),
            (e(f3(w) if w is not None else ""), ""),
        ]
        rows.append((cells, rc))
    return _table(header, rows)


def _holdout_table(h: HistoryResult) -> str:
    v, ho = h.verdict, h.holdout
    header = [("", False), ("walk-forward", True), ("holdout", True)]
    rows = [
        ("episodes", count(v.n), count(ho.n), "", ""),
        ("Brier", f3(v.brier, False), f3(ho.brier, False), "", ""),
        (
            "BSS vs base",
            f"{f3(v.bss_base)} {ci(v.ci_bss_base)}",
            f"{f3(ho.bss_base)} {ci(ho.ci_bss_base)}",
            _sign_class(v.ci_bss_base),
            _sign_class(ho.ci_bss_base),
        ),
        (
            "BSS vs momentum",
            f"{f3(v.bss_momentum)} {ci(v.ci_bss_momentum)}",
            f"{f3(ho.bss_momentum)} {ci(ho.ci_bss_momentum)}",
            _sign_class(v.ci_bss_momentum),
            _sign_class(ho.ci_bss_momentum),
        ),
        ("AUC", f3(v.auc, False), f3(ho.auc, False), "", ""),
        ("hit rate", pct(v.hit_rate), pct(ho.hit_rate), "", ""),
    ]
    return _table(header, [([(e(a), ""), (e(b), cb), (e(c), cc)], "") for a, b, c, cb, cc in rows])


def _label_table(h: HistoryResult) -> str:
    header = [("label", False), ("part", False), ("n", True), ("persisted", True)]
    rows = [
        (
            [
                (e(r.get("label", "")), ""),
                (e(r.get("part", "")), ""),
                (e(count(r.get("n"))), ""),
                (e(pct(r.get("persisted"))), ""),
            ],
            "holdout" if r.get("part") == "holdout" else "",
        )
        for r in h.by_label
    ]
    return _table(header, rows)


def _known(h: HistoryResult) -> str:
    """What is known, first: power, retention against the random walk, the fade test, skill against
    the null, the range and the holdout by year (from the result's v3 figures)."""
    if h.retention is None:
        return ""
    r = h.retention.to_dict()
    d = r["detectable"]
    head = [
        ("horizon", False),
        ("class", False),
        ("n (independent)", True),
        ("kept half", True),
        ("random walk", True),
        ("difference, pp", True),
        ("95% CI", True),
    ]
    rows = []
    for x in r["retention"]:
        if x["class"] != "all" and x["horizon"] != f"{h.horizon}M":
            continue
        c = (x["ci"][0], x["ci"][1])
        rows.append(
            (
                [
                    (e(x["horizon"]), ""),
                    (e(x["class"]), ""),
                    (e(f"{count(x['n'])} ({count(x['n_effective'])})"), ""),
                    (e(pct(x["observed"])), ""),
                    (e(pct(x["random_walk"])), ""),
                    (e(f"{100 * x['diff']:+.1f}"), _sign_class(c)),
                    (e(f"[{100 * c[0]:+.1f}, {100 * c[1]:+.1f}]"), _sign_class(c)),
                ],
                "verdict" if x["class"] == "all" else "",
            )
        )
    ho = r["holdout_by_year"]
    hrows = [
        (
            [
                (e(str(y["year"])), ""),
                (e(f"{count(y['n'])} ({count(y['n_effective'])})"), ""),
                (e(pct(y["kept_half"])), ""),
                (e(pct(y["p_rw_mean"])), ""),
                (e(f3(y["bss"])), ""),
                (e(f3(y["bss_without_year"])), ""),
            ],
            "",
        )
        for y in ho.get("by_year", [])
    ]
    lines = "".join(f"<li>{e(x)}</li>" for x in h.retention.lines()[2:])
    return f"""
<h3>What is known: retention against a random walk with conditional volatility</h3>
<p><b>{e(f"{count(r['n'])} narratives, {count(r['n_effective'])} independent. Edges below AUC {d['auc']:.3f} (IC {d['ic']:.3f}) cannot be seen in these data (95% confidence, 80% power).")}</b></p>
{_table(head, rows)}
<ul>{lines}</ul>
<h3>Holdout by year: the kept-half model against the random walk</h3>
{_table([("year", False), ("n (independent)", True), ("kept half", True), ("random walk", True), ("Brier skill vs random walk", True), ("without that year", True)], hrows)}
<p class="muted">Intervals resample clusters of near-duplicate births within calendar-year blocks (1,000 draws).
Green: interval above zero; red: below.</p>
<h3>The earlier target: does the leader keep beating its laggard?</h3>"""


def _section(h: HistoryResult, idx: int) -> str:
    sch = h.schedule
    hs = f"{sch.holdout_start:%Y-%m-%d}"
    de = f"{sch.data_end:%Y-%m-%d}"
    skipped = f" {count(len(h.skipped))} pairs were skipped for lack of data." if h.skipped else ""
    return f"""
<section id="history-{idx}">
<h2>{e(h.name)}</h2>
{_banner(h, with_sentence=False)}
<p>{e(h.description)}. {e(count(len(h.episodes)))} episodes; {e(pct(h.base_rate))} persisted
{e(h.horizon)} months (the base rate). Walk-forward: yearly refits on outcomes known by each refit date;
holdout: {e(hs)} to {e(de)}, scored once by the model frozen at its start.</p>
{_known(h)}
<h3>Skill table</h3>
{_skill_table(h)}
<p class="muted">BSS = Brier skill score, 1 − Brier ÷ Brier of the reference (base rate or trailing 12-month
momentum); 95% intervals from a year-block bootstrap. Green: interval above zero; red: below. Weight: the
feature's weight in the final model (log-odds per standard deviation). Skill requires both verdict
intervals above zero.</p>

<div class="cols">
<div><h3>Skill by pillar with intervals</h3>{_img(chart_skill_by_pillar, h, "Skill by pillar with intervals")}</div>
<div><h3>Reliability diagram</h3>{_img(chart_reliability, h, "Reliability diagram")}</div>
</div>

<div class="cols">
<div><h3>Persistence rate by decile of the probability</h3>{_img(chart_deciles, h, "Persistence rate by decile of the probability")}</div>
<div><h3>Holdout vs walk-forward</h3>{_img(chart_holdout, h, "Holdout vs walk-forward")}{_holdout_table(h)}</div>
</div>

<div class="cols">
<div><h3>Labels: how often each label's narratives persisted</h3>{_label_table(h)}
<p class="muted">real catalyst: the probability's interval lies wholly above the base rate; viral sentiment:
wholly below; mixed: otherwise.</p></div>
<div><h3>Learned weights of the final model</h3>{_img(chart_weights, h, "Learned weights of the final model")}</div>
</div>

<footer class="muted">
<div>Universe: {e(h.universe)}. Holdout start: {e(hs)}; data end: {e(de)}.{e(skipped)}</div>
<div><b>{e(HOLDOUT_NOTE)}</b></div>
</footer>
</section>"""


def render(result: LabResult) -> str:
    """The page as a string."""
    title = f"hypecheck lab: {result.horizon}-month persistence of past narratives"
    summary = "\n".join(_banner(h) for h in result.histories) or '<p class="muted">No histories.</p>'
    nav = " · ".join(f'<a href="#history-{i}">{e(h.name)}</a>' for i, h in enumerate(result.histories))
    sections = "\n".join(_section(h, i) for i, h in enumerate(result.histories))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<div class="muted">hypecheck {e(__version__)} · lab · horizon {e(result.horizon)}M · {nav}</div>
<h1>{e(title)}</h1>
</header>
{summary}
<p class="muted">Does a narrative give back its move faster than a random walk with its own conditional
volatility would (the viral signature)? And does any evidence tell, at a narrative's birth, which ones
will? Every probability below was made out of sample (walk-forward, then a holdout). {e(HOLDOUT_NOTE)}</p>
{sections}
</body>
</html>
"""


def write_page(result: LabResult, out_dir: Path) -> Path:
    """Write ``out_dir/lab.html`` (self-contained) and ``out_dir/lab.json``; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "lab.json").write_text(json.dumps(result.to_dict()), encoding="utf-8")
    path = out_dir / "lab.html"
    path.write_text(render(result), encoding="utf-8")
    return path
