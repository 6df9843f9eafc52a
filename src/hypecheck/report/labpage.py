"""The lab's page: one self-contained HTML file (inline CSS, charts as ``data:`` PNGs drawn with
matplotlib's Agg canvas, no script, nothing fetched) beside the lab's JSON.

:func:`write_page` writes ``lab.html`` and ``lab.json`` for a :class:`~hypecheck.lab.run.LabResult`.
Everything shown is read from the result (never recomputed), and every piece of text is escaped.
Per history: whether the model has shown skill (the skill sentence, with a banner), the skill table,
skill by pillar with intervals, the reliability diagram, persistence by decile, holdout against
walk-forward, the labels' record and the final model's weights.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..lab import model as M
from .spec import pillar_color

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


def pct(x: Any, digits: int = 1) -> str:
    return "n/a" if _nan(x) else f"{100 * float(x):.{digits}f}%"


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
def _new_fig(width: float, height: float) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.grid(True, alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def chart_skill_by_pillar(h: HistoryResult) -> Figure | None:
    """BSS vs the base rate with its 95% interval: each pillar, the verdict and the holdout verdict."""
    rows = [(s.name, s) for s in h.skill if s.kind == "pillar"]
    rows += [("verdict (walk-forward)", h.verdict), ("verdict (holdout)", h.holdout)]
    rows = [(n, s) for n, s in rows if not _nan(s.bss_base)]
    if not rows:
        return None
    fig, ax = _new_fig(6.4, 0.9 + 0.42 * len(rows))
    ys = list(range(len(rows)))[::-1]
    for y, (name, s) in zip(ys, rows, strict=True):
        lo, hi = s.ci_bss_base
        cls = _sign_class(s.ci_bss_base)
        color = GOOD if cls == "pos" else BAD if cls == "neg" else NEUTRAL
        if name.startswith("verdict"):
            color = "black" if not cls else color
        if not (_nan(lo) or _nan(hi)):
            ax.hlines(y, lo, hi, color=color, lw=2.2, alpha=0.8)
            ax.plot([lo, hi], [y, y], ls="none", marker="|", ms=11, color=color)
        marker = "D" if name.startswith("verdict") else "o"
        face = "white" if "holdout" in name else color
        ax.plot([s.bss_base], [y], ls="none", marker=marker, ms=7, mfc=face, mec=color, mew=1.6, zorder=3)
    ax.axvline(0, color="black", lw=0.9)
    ax.set_yticks(ys, [n for n, _ in rows])
    ax.tick_params(axis="y", labelsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Brier skill vs the base rate (right of 0 = better than the base rate)", fontsize=8)
    ax.set_title("Skill by pillar with 95% intervals (year-block bootstrap)", fontsize=10, loc="left")
    return fig


def chart_reliability(h: HistoryResult) -> Figure | None:
    wf, ho = h.reliability, h.reliability_holdout
    if not wf and not ho:
        return None
    fig, ax = _new_fig(4.8, 4.6)
    pts = [r for r in (*wf, *ho) if not (_nan(r.get("mean_p")) or _nan(r.get("observed")))]
    vals = [float(r["mean_p"]) for r in pts] + [float(r["observed"]) for r in pts]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    pad = 0.05
    lo, hi = max(0.0, lo - pad), min(1.0, hi + pad)
    ax.plot([lo, hi], [lo, hi], color="black", lw=0.8, ls="--", label="perfect calibration")
    if not _nan(h.base_rate):
        ax.axhline(h.base_rate, color=NEUTRAL, lw=0.8, ls=":", label=f"base rate {pct(h.base_rate)}")
    nmax = max([int(r["n"]) for r in pts] or [1])
    for rows, color, name, marker in (
        (wf, PILLAR_COLORS["price"], "walk-forward deciles", "o"),
        (ho, PILLAR_COLORS["catalysts"], "holdout quintiles", "s"),
    ):
        if not rows:
            continue
        x = [float(r["mean_p"]) for r in rows]
        y = [float(r["observed"]) for r in rows]
        s = [20 + 180 * int(r["n"]) / nmax for r in rows]
        ax.plot(x, y, color=color, lw=0.8, alpha=0.6)
        ax.scatter(
            x, y, s=s, color=color, alpha=0.75, marker=marker, edgecolors="white", label=name, zorder=3
        )
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("mean predicted probability", fontsize=8)
    ax.set_ylabel("observed persistence rate", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.set_title("Reliability (point size = episodes)", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="upper left", markerscale=0.6)
    return fig


def chart_deciles(h: HistoryResult) -> Figure | None:
    rows = h.reliability
    if not rows:
        return None
    fig, ax = _new_fig(5.6, 3.6)
    x = [int(r["decile"]) for r in rows]
    obs = [float(r["observed"]) for r in rows]
    ax.bar(x, obs, color=PILLAR_COLORS["price"], alpha=0.8, label="observed persistence")
    ax.plot(
        x,
        [float(r["mean_p"]) for r in rows],
        ls="none",
        marker="_",
        ms=16,
        mew=2,
        color="black",
        label="mean predicted probability",
    )
    for xi, o in zip(x, obs, strict=True):
        ax.text(xi, o - 0.01, f"{100 * o:.0f}%", ha="center", va="top", fontsize=7, color="white")
    if not _nan(h.base_rate):
        ax.axhline(h.base_rate, color=BAD, lw=1.2, ls="--", label=f"base rate {pct(h.base_rate)}")
    top = max([*obs, h.base_rate if not _nan(h.base_rate) else 0.0, 0.5])
    ax.set_ylim(0, min(1.0, top + 0.12))
    ax.set_xticks(x)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
    ax.tick_params(labelsize=8)
    ax.set_xlabel("decile of the walk-forward probability (1 = lowest)", fontsize=8)
    ax.set_ylabel("persisted", fontsize=8)
    ax.set_title(f"Persistence rate by decile of the probability ({h.horizon}M)", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    return fig


def chart_holdout(h: HistoryResult) -> Figure | None:
    """BSS vs the base rate and vs momentum with intervals, walk-forward against holdout."""
    parts = (("walk-forward", h.verdict, PILLAR_COLORS["price"]), ("holdout", h.holdout, "#d9822b"))
    if all(_nan(s.bss_base) for _, s, _c in parts):
        return None
    fig, ax = _new_fig(5.2, 3.0)
    metrics = (
        ("vs base rate", "bss_base", "ci_bss_base"),
        ("vs momentum", "bss_momentum", "ci_bss_momentum"),
    )
    for j, (name, s, color) in enumerate(parts):
        for i, (_m, attr, ciattr) in enumerate(metrics):
            y = len(metrics) - 1 - i + (0.15 if j == 0 else -0.15)
            v = getattr(s, attr)
            lo, hi = getattr(s, ciattr)
            if not (_nan(lo) or _nan(hi)):
                ax.hlines(y, lo, hi, color=color, lw=2.2, alpha=0.8)
                ax.plot([lo, hi], [y, y], ls="none", marker="|", ms=10, color=color)
            if not _nan(v):
                ax.plot([v], [y], ls="none", marker="o", ms=7, color=color, label=name if i == 0 else None)
    ax.axvline(0, color="black", lw=0.9)
    ax.set_yticks([len(metrics) - 1 - i for i in range(len(metrics))], [m for m, _a, _c in metrics])
    ax.set_ylim(-0.6, len(metrics) - 0.4)
    ax.tick_params(labelsize=8)
    ax.set_xlabel("Brier skill score with 95% interval", fontsize=8)
    ax.set_title("Verdict: walk-forward vs holdout", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="best")
    return fig


def chart_weights(h: HistoryResult) -> Figure | None:
    feats, weights = list(h.final.features), [float(w) for w in h.final.weights]
    if not feats:
        return None
    order = sorted(
        range(len(feats)),
        key=lambda i: (list(PILLAR_COLORS).index(M.PILLAR_OF.get(feats[i], "history")), i),
    )
    fig, ax = _new_fig(6.0, 0.9 + 0.28 * len(feats))
    ys = list(range(len(order)))[::-1]
    colors = [PILLAR_COLORS.get(M.PILLAR_OF.get(feats[i], ""), NEUTRAL) for i in order]
    ax.barh(ys, [weights[i] for i in order], color=colors, height=0.7)
    ax.set_yticks(ys, [feats[i] for i in order])
    ax.tick_params(axis="y", labelsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_ylim(-0.6, len(order) - 0.4)
    from matplotlib.patches import Patch

    used = [p for p in PILLAR_COLORS if any(M.PILLAR_OF.get(f) == p for f in feats)]
    ax.legend(
        handles=[Patch(color=PILLAR_COLORS[p], label=p) for p in used],
        fontsize=7,
        frameon=False,
        loc="best",
    )
    ax.set_xlabel("weight on the log-odds per standard deviation of the feature", fontsize=8)
    ax.set_title(
        f"Final model's weights ({count(h.final.n)} known outcomes), by pillar", fontsize=10, loc="left"
    )
    return fig


def _img(fn: Callable[[HistoryResult], Figure | None], h: HistoryResult, alt: str) -> str:
    import matplotlib

    rc: dict[Any, Any] = {"text.parse_math": False} if "text.parse_math" in matplotlib.rcParams else {}
    with matplotlib.rc_context(rc):  # labels such as feature names are never mathtext
        fig = fn(h)
        if fig is None:
            return f'<p class="muted">{e(alt)}: no data.</p>'
        data = base64.b64encode(_png(fig)).decode("ascii")
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
