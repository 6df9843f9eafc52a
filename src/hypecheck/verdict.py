"""The verdict: a transparent function of the pillars, with its arithmetic shown.

score = sum_p W_p * s_p / sum_p W_p over pillars with evidence, where s_p is the pillar's weighted
mean leaning (+1 catalyst, -1 viral, 0 neutral) and W_p its weight in the rules file. Labels:
``real catalyst`` when score >= catalyst_above, ``viral sentiment`` when <= viral_below, ``mixed``
between, ``insufficient data`` when fewer than ``min_measured_pillars`` pillars have measured
(non-cited) evidence. ``flip`` names the single pieces of evidence whose reversal would change the
label, or how far the score is from the nearest cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .evidence import LEAN_SIGN, Evidence, PillarResult, _clean
from .pillar_registry import PILLARS
from .rules import Rules

LABELS = (
    "fading faster than noise",  # the fade test (hypecheck.lab.fade): the verdict's label since schema 3
    "holding",
    "too young to tell",
    "no narrative born",
    "real catalyst",  # the panel model's labels (calibration.label), kept for the model's record
    "viral sentiment",
    "mixed",
    "no skill shown",
    "insufficient data",
)
OPPOSITE = {"catalyst": "viral", "viral": "catalyst"}


@dataclass
class Verdict:
    label: str
    score: float | None
    flip: str
    arithmetic: list[dict[str, Any]] = field(default_factory=list)
    flip_items: list[str] = field(default_factory=list)
    measured_pillars: int = 0
    headline: str = ""  # the paragraph a report opens with: what was found, then the model's record
    fade: dict[str, Any] | None = None  # the fade test of the theme's first pair (hypecheck.lab.fade)
    history: dict[str, Any] | None = None  # what narratives of its class did, with intervals
    range: dict[str, Any] | None = None  # the random walk's range over the horizon, with its coverage
    signature: dict[str, Any] | None = None  # attention / catalysts / breadth, each {state, finding}
    detectable: dict[str, Any] | None = None  # the smallest edge the data could show

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "fade": self.fade,
            "history": self.history,
            "range": self.range,
            "signature": self.signature,
            "detectable": self.detectable,
            "score": _clean(self.score),
            "flip": self.flip,
            "flip_items": list(self.flip_items),
            "measured_pillars": self.measured_pillars,
            "headline": self.headline or f"{self.label.upper()}: {self.flip}",
            "arithmetic": self.arithmetic,
        }

    def _repr_html_(self) -> str:
        from html import escape

        score = "n/a" if self.score is None else f"{self.score:+.2f}"
        rows = "".join(
            f"<tr><td>{escape(str(a['pillar']))}</td><td>{escape(str(a['status']))}</td>"
            f"<td>{'' if a['score'] is None else format(a['score'], '+.2f')}</td><td>{a['weight']}</td></tr>"
            for a in self.arithmetic
        )
        return (
            f"<div><b style='text-transform:uppercase'>{escape(self.label)}</b> (score {score})"
            f"<table><tr><th>pillar</th><th>status</th><th>score</th><th>weight</th></tr>{rows}</table>"
            f"<div><i>What would flip it:</i> {escape(self.flip)}</div></div>"
        )


def score_pillars(
    pillars: dict[str, PillarResult], rules: Rules
) -> tuple[float | None, list[dict[str, Any]], int]:
    rows, num, den, measured = [], 0.0, 0.0, 0
    for pillar in PILLARS:
        name = pillar.name
        p = pillars.get(name)
        if p is None:
            continue
        w = float(rules.get("weights", pillar.weight_key))
        s = p.score
        if any(not e.cited for e in p.evidence):
            measured += 1
        rows.append(
            {
                "pillar": name,
                "status": p.status,
                "score": _clean(s),
                "weight": w,
                "contribution": None if s is None else w * s,
            }
        )
        if s is not None:
            num += w * s
            den += w
    return (num / den if den else None), rows, measured


def label_for(score: float | None, measured: int, rules: Rules) -> str:
    if score is None or measured < int(rules.get("verdict", "min_measured_pillars")):
        return "insufficient data"
    if score >= float(rules.get("verdict", "catalyst_above")):
        return "real catalyst"
    if score <= float(rules.get("verdict", "viral_below")):
        return "viral sentiment"
    return "mixed"


def decide(pillars: dict[str, PillarResult], rules: Rules) -> Verdict:
    score, rows, measured = score_pillars(pillars, rules)
    label = label_for(score, measured, rules)
    up, down = float(rules.get("verdict", "catalyst_above")), float(rules.get("verdict", "viral_below"))
    if label == "insufficient data":
        need = int(rules.get("verdict", "min_measured_pillars"))
        return Verdict(
            label,
            score,
            f"measured evidence in at least {need} pillars (now {measured}); "
            "see each pillar's missing items for what to supply",
            rows,
            [],
            measured,
        )
    # which single evidence items, reversed, would change the label?
    flips: list[str] = []
    for name, p in pillars.items():
        for i, e in enumerate(p.evidence):
            new = _reversed(e, label)
            if new is None:
                continue
            trial = dict(pillars)
            ev = list(p.evidence)
            ev[i] = new
            trial[name] = replace(p, evidence=ev)
            s2, _, m2 = score_pillars(trial, rules)
            if label_for(s2, m2, rules) != label:
                flips.append(f"{e.id}: {e.flip}")
    assert score is not None
    if label == "real catalyst":
        gap = f"score {score:+.2f} would have to fall below {up:+.2f}"
    elif label == "viral sentiment":
        gap = f"score {score:+.2f} would have to rise above {down:+.2f}"
    else:
        gap = (
            f"score {score:+.2f} would have to rise to {up:+.2f} (real catalyst) "
            f"or fall to {down:+.2f} (viral sentiment)"
        )
    flip = gap + (
        ". Any one of these would do it: " + "; ".join(flips[:5])
        if flips
        else ". No single piece of evidence flips it on its own."
    )
    return Verdict(label, score, flip, rows, flips, measured)


def _reversed(e: Evidence, label: str) -> Evidence | None:
    """The evidence item with its leaning pushed against the current label (None if it cannot)."""
    if label == "real catalyst" and LEAN_SIGN[e.leaning] >= 0:
        return replace(e, leaning="viral")
    if label == "viral sentiment" and LEAN_SIGN[e.leaning] <= 0:
        return replace(e, leaning="catalyst")
    if label == "mixed" and e.leaning in OPPOSITE:
        return replace(e, leaning=OPPOSITE[e.leaning])  # type: ignore[arg-type]
    if label == "mixed" and e.leaning == "neutral":
        return None
    return None
