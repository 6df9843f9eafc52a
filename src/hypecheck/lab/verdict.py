"""The verdict of a single-theme check, from the panel model of the lab.

For a theme checked as of ``D`` on a history (the ETF panel for a data folder, Ken French for the
bundled data):

1. the theme's first pair (leader over laggard, the theme's own orientation) gets its features at
   ``D`` from the same functions that built the panel (:func:`theme_features`);
2. the model is fitted on every panel episode whose outcome was known by ``D`` (standardisation,
   weights, base rate), with :data:`~hypecheck.lab.model.BOOT_FIT` year-block bootstrap refits for
   the probability's interval;
3. the *record* is the lab as it could have been run on ``D`` (:func:`~hypecheck.lab.run.evaluate_at`:
   births up to ``D``, outcomes known by ``D``): the walk-forward skill before the five years preceding
   ``D``, and those five years as a holdout scored by the model frozen at their start. Nothing after
   ``D`` enters the verdict, the record or the report's first lines;
4. the label: ``no skill shown`` when that record's Brier skill score against the base rate or
   against trailing momentum has a 95% interval reaching 0 (the evidence then adds nothing a user
   could not get from the base rate or from "the leader is ahead"); otherwise ``real catalyst`` /
   ``viral sentiment`` when the probability's interval lies wholly above / below the base rate, and
   ``mixed`` between.

The ledger: each feature's value in the leader's view, its learned weight (log-odds per standard
deviation), its contribution to the log-odds and to the probability (the probability minus the
probability with that feature at its training mean).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._blas import one_blas_thread
from ..known import cut_closes
from ..schema import Catalog
from . import features as F
from . import model as M
from . import target as T
from .history import Context, History, _asvi, _term_id, build_context
from .run import ModelAt, history_for, model_at

NO_SKILL = "no skill shown"
FEATURE_TEXT = {f.name: (f.text, f.unit) for f in F.FEATURES}  # the ledger's words, from the feature table


@dataclass
class PanelVerdict:
    history: str
    horizon_months: int
    leader: str
    laggard: str
    probability: float
    interval: tuple[float, float]
    base_rate: float
    n_fit: int
    label: str
    model_label: str  # the label the probability alone would give (before the skill gate)
    shows_skill: bool
    record: dict[str, Any]  # walk-forward out-of-sample record known at the as-of date
    holdout: dict[str, Any]  # the five years before the as-of date, scored by the frozen model
    holdout_sentence: str
    momentum_probability: float
    sharpness: float
    ledger: list[dict[str, Any]] = field(default_factory=list)
    level: float = 0.95
    fade: Any = None  # hypecheck.lab.fade.Fade: this narrative against the random walk so far
    known: Any = None  # hypecheck.lab.fade.Known: what narratives like it did
    range: Any = None  # hypecheck.lab.fade.Range: the random walk's 80% range over the horizon
    signature: dict[str, Any] = field(default_factory=dict)  # hypecheck.signature.signature
    ids: tuple[str, str] = ("", "")  # the leader's and laggard's series ids in the data
    data_end: pd.Timestamp | None = None  # the pair's last common close in the whole data (not cut)

    def p_kept(self) -> float:
        """The random walk's probability that the narrative has kept more than half of its move at
        the end of the horizon, given where it stands on the as-of date (NaN without a birth)."""
        f, r, k = self.fade, self.range, self.known
        if f is None or f.birth is None or r is None or k is None:
            return math.nan
        from .null import steps

        ppm = 1 if f.period == "month" else 21
        r_a = (f.retained - 1.0) * f.move
        sd = r.sigma * math.sqrt(steps(self.horizon_months, ppm))
        return float(k.tails.cdf((0.5 * f.move + r_a) / sd)) if sd > 0 else math.nan

    def finding(self) -> str:
        """What is known, first: the fade test, what narratives like it did, the range."""
        parts = []
        if self.fade is not None:
            parts.append(self.fade.sentence() + ".")
        k = self.known
        if k is not None and k.n:
            cls = "" if k.klass == "all" else f" ({k.klass} narratives of the {k.history} history)"
            lo, hi = k.kept_half_ci
            blo, bhi = k.keeps_beating_ci
            det = (
                f" (the data could only show an edge of AUC {k.detectable_auc:.2f} or more)"
                if k.detectable_auc == k.detectable_auc
                else ""
            )
            parts.append(
                f"Leads like it{cls} kept more than half of their move over {k.months} months {k.kept_half:.0%} "
                f"of the time ({k.n_effective:,} independent narratives, 95% CI {lo:.0%}-{hi:.0%}; a random "
                f"walk: {k.rw_reference:.0%}) and kept beating their laggard {k.keeps_beating:.0%} "
                f"(CI {blo:.0%}-{bhi:.0%}); nothing measured has told which ones{det}."
            )
        r = self.range
        if r is not None:
            cov = (
                f" (such ranges held {r.coverage_oos:.0%} of the time out of sample, {r.coverage_n:,} narratives)"
                if r.coverage_oos == r.coverage_oos
                else ""
            )
            parts.append(
                f"{r.level:.0%} range for the next {r.months} months: {self.leader} "
                f"{100 * math.expm1(r.lo):+.0f}% to {100 * math.expm1(r.hi):+.0f}% against {self.laggard}{cov}."
            )
        return " ".join(parts)

    def fade_flip(self) -> str:
        """The reading that would change the fade label."""
        f = self.fade
        if f is None or f.birth is None:
            return (
                f"a move of {self.leader} 2 deviations ahead of {self.laggard} over 15 trading days would give "
                "the narrative a birth to test"
            )
        if f.label == "too young to tell":
            return f"the test reads once the narrative is {f.to_dict()['min_age']} {f.period}s old"
        t = self.known.tails_1m if self.known is not None else None
        if t is None:
            return ""
        crit = f.sigma * math.sqrt(max(f.age, 1)) * t.ppf(0.05)
        keep = (f.move + crit) / f.move
        if f.label == "holding":
            return (
                f"{self.leader} giving back to {keep:.0%} of its move (a {100 * math.expm1(crit):+.1f}% relative "
                "return since the birth) would read fading faster than noise"
            )
        return (
            f"{self.leader} recovering to above {keep:.0%} of its move (a {100 * math.expm1(crit):+.1f}% relative "
            "return since the birth) would read holding"
        )

    @property
    def n(self) -> int:
        return self.n_fit

    def headline(self) -> list[str]:
        """The first lines of every report: skill first, then the probability and the label."""
        r = self.record
        lo, hi = self.interval
        p_line = (
            f"panel model ({self.history}, fitted on {self.n_fit:,} past narratives known by then): "
            f"{self.probability:.0%} probability that {self.leader} keeps beating {self.laggard} over the "
            f"next {self.horizon_months} months ({self.level:.0%} interval {lo:.0%}-{hi:.0%}), against a base rate of "
            f"{self.base_rate:.0%}; trailing momentum alone gives {self.momentum_probability:.0%}"
        )
        if r.get("n", 0) == 0:
            skill = "no out-of-sample record yet: too few past narratives with known outcomes"
        else:
            skill = (
                f"out-of-sample record on {r['n']:,} past narratives: Brier skill {_pct(r['bss_base'])} vs the "
                f"base rate (95% CI {_pct(r['ci_bss_base'][0])} to {_pct(r['ci_bss_base'][1])}), "
                f"{_pct(r['bss_momentum'])} vs trailing momentum "
                f"({_pct(r['ci_bss_momentum'][0])} to {_pct(r['ci_bss_momentum'][1])})"
            )
        if self.shows_skill:
            first = f"The model has shown skill: {skill}."
        else:
            first = (
                "NO SKILL SHOWN: the evidence has not told persistence from reversal better than "
                + ("the base rate" if not _gt0(r.get("ci_bss_base")) else "trailing momentum")
                + f" ({skill}), so no label is given."
            )
        lines = [self.finding()] if self.finding() else []
        if self.signature:
            from ..signature import sentence

            lines.append(sentence(self.signature))
        return [*lines, first, p_line[0].upper() + p_line[1:] + ".", self.holdout_sentence]

    def __repr__(self) -> str:  # one line; summary() has the rest
        lo, hi = self.interval
        return (
            f"<PanelVerdict {self.label!r}: {self.probability:.0%} ({lo:.0%}-{hi:.0%}) that {self.leader} "
            f"keeps beating {self.laggard} over {self.horizon_months} months, base rate {self.base_rate:.0%}, "
            f"n={self.n_fit:,}, {self.history}>"
        )

    def paragraph(self) -> str:
        """The verdict in one paragraph: label, probability with interval and n, pair, horizon, base
        rate, and one plain sentence on skill; the label and the probability explained together."""
        lo, hi = self.interval
        r = self.record
        n_rec = int(r.get("n") or 0)
        prob = (
            f"{self.probability:.0%} probability that {self.leader} keeps beating {self.laggard} over the next "
            f"{self.horizon_months} months ({self.level:.0%} interval {lo:.0%}-{hi:.0%}; panel model fitted on "
            f"{self.n_fit:,} past narratives of the {self.history} history), against a base rate of "
            f"{self.base_rate:.0%}"
        )
        if self.label == NO_SKILL:
            why = (
                f"No label: on {n_rec:,} past narratives like this one, this model's probabilities have not "
                f"beaten {'the base rate' if not _gt0(r.get('ci_bss_base')) else 'trailing momentum'} "
                f"(Brier skill {_pct(r.get('bss_base'))} vs the base rate, {_pct(r.get('bss_momentum'))} vs "
                "momentum, out of sample)."
            )
            tail = (
                f" Had it shown skill, the interval would read {self.model_label}"
                f" ({'above' if self.model_label == 'real catalyst' else 'below' if self.model_label == 'viral sentiment' else 'around'}"
                " the base rate)."
            )
            return f"{self.label.upper()}: {prob}. {why}{tail}"
        rel = {
            "real catalyst": "the whole interval lies above the base rate",
            "viral sentiment": "the whole interval lies below the base rate",
            "mixed": "the interval includes the base rate",
        }.get(self.label, "")
        return (
            f"{self.label.upper()}: {prob}; {rel}. On {n_rec:,} past narratives like this one, this model's "
            f"probabilities have beaten both the base rate (Brier skill {_pct(r.get('bss_base'))}) and "
            f"trailing momentum ({_pct(r.get('bss_momentum'))}), out of sample."
        )

    def top(self, k: int = 3) -> list[dict[str, Any]]:
        return sorted(self.ledger, key=lambda e: -abs(e["contribution_p"]))[:k]

    def to_dict(self) -> dict[str, Any]:
        return {
            "history": self.history,
            "horizon_months": self.horizon_months,
            "pair": {"leader": self.leader, "laggard": self.laggard},
            "probability": _c(self.probability),
            "interval": [_c(self.interval[0]), _c(self.interval[1])],
            "base_rate": _c(self.base_rate),
            "momentum_probability": _c(self.momentum_probability),
            "n": self.n_fit,
            "label": self.label,
            "model_label": self.model_label,
            "shows_skill": self.shows_skill,
            "record": self.record,
            "holdout": self.holdout,
            "headline": self.headline(),
            "sharpness": _c(self.sharpness),
            "level": self.level,
            "ledger": self.ledger,
            "fade": None if self.fade is None else self.fade.to_dict(),
            "history_class": None if self.known is None else self.known.to_dict(),
            "range": None if self.range is None else self.range.to_dict(),
            "signature": self.signature,
        }

    def summary(self) -> str:
        lines = list(self.headline())
        lines.append("  ledger (weight: log-odds per deviation; contribution to the probability):")
        for e in sorted(self.ledger, key=lambda e: -abs(e["contribution_p"])):
            v = "n/a" if e["value"] is None else f"{e['value']:+.4g}"
            lines.append(
                f"    {e['feature']:<17} {e['pillar']:<10} value {v:>9}  weight {e['weight']:+.3f}  "
                f"contribution {100 * e['contribution_p']:+.1f} pp"
            )
        return "\n".join(lines)


def _pct(x: Any) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.3f}"


def _gt0(ci: Any) -> bool:
    return bool(ci) and ci[0] is not None and ci[0] > 0


def _c(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)


def theme_features(
    a: pd.Series,
    b: pd.Series,
    a_id: str,
    b_id: str,
    history: History,
    catalog: Catalog,
    as_of: pd.Timestamp,
    months: int,
    ctx: Context | None = None,
) -> pd.DataFrame:
    """The leader's-view features of ``a`` over ``b`` on the last date on or before ``as_of``: the
    same :func:`~hypecheck.lab.features.pair_features` and context as the panel's episodes."""
    u = history.universe
    twin = {
        s: catalog.get("price", u.twins[s]).values
        for s in (a_id, b_id)
        if s in u.twins and catalog.has("price", u.twins[s])
    }
    terms = {}
    for s in (a_id, b_id):
        name = u.terms.get(s)
        if name and (tid := _term_id(catalog, name)) is not None and (x := _asvi(catalog, tid)) is not None:
            terms[s] = x
    cut = [None if x is None else cut_closes(x, as_of) for x in (a, b, twin.get(a_id), twin.get(b_id))]
    assert cut[0] is not None and cut[1] is not None
    feat = F.pair_features(
        cut[0],
        cut[1],
        u.freq,
        twin_a=cut[2],
        twin_b=cut[3],
        term_a=terms.get(a_id),
        term_b=terms.get(b_id),
    )
    if feat.empty:
        return feat
    ctx = ctx or build_context(catalog, u)
    c = ctx.on(pd.DatetimeIndex(feat.index[-1:]))
    for col in c.columns:
        feat.loc[feat.index[-1], col] = c[col].iloc[0]
    row = F.orient(feat, np.array([len(feat) - 1]), np.array([1]))
    eps = history.episodes
    same = eps[(eps["leader"] == a_id) & (eps["laggard"] == b_id)]
    return row.assign(pair_base_rate=_pair_rate(same, as_of, months))


def _pair_rate(same: pd.DataFrame, as_of: pd.Timestamp, months: int) -> float:
    """The pair's own base rate as of ``as_of`` (:func:`hypecheck.lab.target.pair_rate`)."""
    if same.empty:
        return 0.5
    y = same[f"outcome_{months}m"].to_numpy(dtype="float64")
    return T.pair_rate(np.asarray(T.known_dates(same, months)), y, as_of)


def ledger_rows(fit: Any, row: pd.DataFrame, p: float) -> list[dict[str, Any]]:
    """Each feature of ``fit`` for the one-row ``row``: its value, learned weight, contribution in
    log-odds and in probability (``p`` minus the probability without it), as the ledger shows them."""
    contrib = fit.contributions(row)[0]
    z0 = fit.intercept + float(contrib.sum())
    out = []
    for j, f in enumerate(fit.features):
        v = row[f].iloc[0]
        p_without = float(1 / (1 + math.exp(-(z0 - contrib[j]))))
        row_f = F.FEATURE_OF.get(f)
        text, unit = (row_f.text, row_f.unit) if row_f is not None else (f, "")
        out.append(
            {
                "feature": f,
                "pillar": row_f.pillar if row_f is not None else "",
                "what": text,
                "unit": unit,
                "value": _c(float(v)) if v == v else None,
                "weight": _c(float(fit.weights[j])),
                "contribution_logodds": _c(float(contrib[j])),
                "contribution_p": float(p - p_without),
            }
        )
    return out


@one_blas_thread
def panel_verdict(
    a: pd.Series | None,
    b: pd.Series | None,
    a_id: str,
    b_id: str,
    catalog: Catalog,
    source: str,
    as_of: pd.Timestamp,
    months: int = 6,
    level: float = 0.95,
    names: tuple[str, str] | None = None,
) -> PanelVerdict | str:
    """The panel verdict for ``a`` over ``b`` as of ``as_of``, or the reason there is none."""
    from ..errors import HypecheckError

    if a is None or b is None:
        return f"no closes for {a_id if a is None else b_id}"
    try:
        hist = history_for(catalog, source)
    except HypecheckError as exc:
        return f"no panel of past narratives: {exc.message}"
    mod = model_at(hist, months, as_of)
    fit = mod.fit
    if fit is None or mod.momentum is None:
        return (
            f"only {mod.n_fit} past narratives in the {hist.name} panel had known "
            f"{months}-month outcomes by {as_of:%Y-%m-%d} (the model needs {M.MIN_TRAIN})"
        )
    row = theme_features(a, b, a_id, b_id, hist, catalog, as_of, months, _ctx(hist, catalog))
    if row.empty:
        return f"{a_id} and {b_id} share no dates up to {as_of:%Y-%m-%d}"
    p = float(fit.predict(row)[0])
    lo, hi = (float(x[0]) for x in fit.interval(row, level))
    model_label = M.label(p, lo, hi, fit.base_rate)
    leader, laggard = (names[0], names[1]) if names else (a_id, b_id)
    return PanelVerdict(
        ids=(a_id, b_id),
        **_what_is_known(mod, a, b, a_id, b_id, leader, laggard, as_of),
        horizon_months=months,
        leader=leader,
        laggard=laggard,
        probability=p,
        interval=(lo, hi),
        base_rate=fit.base_rate,
        n_fit=mod.n_fit,
        label=model_label if mod.shows_skill else NO_SKILL,
        model_label=model_label,
        shows_skill=mod.shows_skill,
        record=mod.record,
        momentum_probability=float(mod.momentum.predict(row)[0]),
        sharpness=float(row["sharpness"].iloc[0]),
        ledger=ledger_rows(fit, row, p),
        level=level,
    )


def _what_is_known(
    mod: ModelAt,
    a: pd.Series,
    b: pd.Series,
    a_id: str,
    b_id: str,
    leader: str,
    laggard: str,
    as_of: pd.Timestamp,
) -> dict[str, Any]:
    """The verdict's parts beside the model: the holdout known at ``as_of``, what narratives like this
    one did (:func:`hypecheck.lab.fade.known_at`), the fade test and the random walk's range."""
    from . import fade as FD
    from .retention import pair_class

    res, hist, months = mod.light, mod.history, mod.months
    assert res is not None
    h: dict[str, Any] = res.holdout.to_dict()
    sch = res.schedule
    holdout_sentence = (
        f"Holdout: the {h['n']:,} narratives of {sch.holdout_start:%Y-%m} to {as_of:%Y-%m} with known outcomes, "
        f"scored by the model frozen on {sch.holdout_start:%Y-%m-%d}: Brier skill {_pct(h['bss_base'])} vs "
        f"the base rate (95% CI {_pct(h['ci_bss_base'][0])} to {_pct(h['ci_bss_base'][1])}), "
        f"{_pct(h['bss_momentum'])} vs trailing momentum."
        if h["n"]
        else "Holdout: no narratives with known outcomes in the five years before this date."
    )
    u = hist.universe
    eps = res.episodes
    klass = pair_class(u.classes, u.pairs, a_id, b_id)
    known_h = FD.known_at(eps, months, u.freq.ppm, as_of, klass, _classes(eps, u))
    known_h.history = res.name
    fade = FD.fade_test(a, b, leader, laggard, u.freq, known_h.tails_1m, as_of)
    rng = FD.range_now(a, b, u.freq, known_h, as_of)
    return {
        "fade": fade,
        "known": known_h,
        "range": rng,
        "history": res.name,
        "holdout": h,
        "holdout_sentence": holdout_sentence,
    }


def _classes(eps: pd.DataFrame, u: Any) -> np.ndarray:
    from .retention import classes_of

    return classes_of(eps, u.classes) if len(eps) else np.array([], dtype=object)


def _ctx(h: History, catalog: Catalog) -> Context:
    if h.context is None:
        h.context = build_context(catalog, h.universe)
    return h.context
