"""``hypecheck lab``: build the panels, score them walk-forward, measure skill, and explain it.

:func:`evaluate` turns one :class:`~hypecheck.lab.history.History` into a :class:`HistoryResult`
(every skill row, the holdout, the reliability table, each episode's out-of-sample probability and
label); :func:`run_lab` does it for the bundled Ken French history and, with a data folder, the files
(ETF) history. :class:`LabResult` explains itself (``summary()``, ``to_dict()`` in the JSON contract
of the README, ``_repr_html_``).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._blas import one_blas_thread
from ..schema import Catalog
from . import model as M
from . import retention as R
from . import target as T
from .bootstrap import block_weights
from .history import HORIZON_MONTHS, History, build_history, load_universe

LEVEL = 0.95
SCHEMA_VERSION = 3  # of ``hypecheck lab --json`` (README: the lab's JSON contract)


def parse_horizon(h: str | int) -> int:
    """``"6M"`` / ``"6m"`` / ``6`` -> 6 (months); one of 1, 3, 6, 12."""
    from ..errors import InputError

    s = str(h).strip().upper().removesuffix("M")
    if s not in {"1", "3", "6", "12"}:
        raise InputError(f"horizon {h!r} is not one of 1M, 3M, 6M, 12M", hint="pass --horizon 6M")
    return int(s)


@dataclass
class HistoryResult:
    name: str
    description: str
    universe: str
    horizon: int
    episodes: pd.DataFrame  # with p, p_lo, p_hi, p_base, p_momentum, label, holdout
    base_rate: float
    skill: list[M.Skill]
    holdout: M.Skill
    holdout_momentum: M.Skill
    reliability: list[dict[str, Any]]
    reliability_holdout: list[dict[str, Any]]
    by_label: list[dict[str, Any]]
    schedule: M.Schedule
    final: M.Fit  # the verdict model fitted on every known outcome (what a check today would use)
    momentum_final: M.Fit
    retention: R.RetentionResult | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> M.Skill:
        return next(s for s in self.skill if s.kind == "verdict")

    def skill_sentence(self) -> str:
        v, h = self.verdict, self.holdout
        wf = (
            f"walk-forward {v.n:,} episodes: Brier skill {v.bss_base:+.3f} vs the base rate "
            f"(95% CI {v.ci_bss_base[0]:+.3f} to {v.ci_bss_base[1]:+.3f}), {v.bss_momentum:+.3f} vs "
            f"trailing momentum ({v.ci_bss_momentum[0]:+.3f} to {v.ci_bss_momentum[1]:+.3f})"
        )
        ho = (
            f"holdout {self.schedule.holdout_start:%Y-%m}..{self.schedule.data_end:%Y-%m}, {h.n:,} episodes: "
            f"{h.bss_base:+.3f} vs the base rate ({h.ci_bss_base[0]:+.3f} to {h.ci_bss_base[1]:+.3f}), "
            f"{h.bss_momentum:+.3f} vs momentum"
        )
        verdict = (
            "the model has shown skill beyond the base rate and momentum"
            if v.shows_skill
            else "the model has NOT shown skill beyond "
            + ("the base rate" if not v.ci_bss_base[0] > 0 else "trailing momentum")
        )
        return f"{verdict} ({wf}; {ho})"

    def to_dict(self) -> dict[str, Any]:
        ret = self.retention.to_dict() if self.retention is not None else {}
        holdout = self.holdout.to_dict() | {"by_year": ret.get("holdout_by_year", {}).get("by_year", [])}
        return {
            "name": self.name,
            "description": self.description,
            "universe": self.universe,
            "n": len(self.episodes),
            "n_effective": ret.get("n_effective"),
            "detectable": ret.get("detectable"),
            "retention": ret.get("retention", []),
            "kept_half_skill": ret.get("kept_half_skill"),
            "range": ret.get("range"),
            "holdout_vs_null": ret.get("holdout_by_year"),
            "fade_flagged": ret.get("fade_flagged"),
            "signature": ret.get("signature"),
            "episodes": len(self.episodes),
            "base_rate": _c(self.base_rate),
            "horizon": f"{self.horizon}M",
            "holdout_start": f"{self.schedule.holdout_start:%Y-%m-%d}",
            "data_end": f"{self.schedule.data_end:%Y-%m-%d}",
            "skill": [s.to_dict() for s in self.skill],
            "holdout": holdout,
            "holdout_momentum": self.holdout_momentum.to_dict(),
            "reliability": self.reliability,
            "reliability_holdout": self.reliability_holdout,
            "by_label": self.by_label,
            "weights": {f: _c(w) for f, w in zip(self.final.features, self.final.weights, strict=True)},
            "coverage": {
                f: _c(float(self.episodes[f].notna().mean())) if f in self.episodes else 0.0
                for f in M.ALL_FEATURES
            },
            "shows_skill": self.verdict.shows_skill,
            "skill_sentence": self.skill_sentence(),
            "skipped_pairs": self.skipped,
        }


def _b(x: float) -> bool | None:
    return None if math.isnan(float(x)) else bool(x > 0.5)


def _c(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, float | np.floating):
        return None if math.isnan(float(x)) else round(float(x), 6)
    return x


def prepare(h: History, months: int) -> pd.DataFrame:
    eps = h.episodes.copy()
    eps["pair_base_rate"] = T.pair_base_rate(eps, months)
    return eps


def _model_columns(months: int) -> tuple[str, ...]:
    return (*M.ALL_FEATURES, M.MOMENTUM, f"outcome_{months}m", f"known_{months}m", "date")


def verdict_scores(eps: pd.DataFrame, months: int, sch: M.Schedule, boot_fit: int) -> M.Scored:
    """The verdict model's walk-forward (:func:`hypecheck.lab.model.walk_forward` on every feature)
    with ``boot_fit`` bootstrap refits a year behind each probability's interval. The refits are most
    of the lab's time and depend only on the panel and this code, so the intervals are kept on disk
    beside the panel (:mod:`hypecheck.lab.memo`); a later run fits the probabilities again (cheap) and
    reads the intervals back."""
    from . import memo

    if not boot_fit or eps.empty:
        return M.walk_forward(eps, M.ALL_FEATURES, months, sch, boot=boot_fit)
    key = memo.digest("verdict", eps, _model_columns(months), months, boot_fit, _sch(sch))
    got = memo.load("verdict", key)
    if got is not None and len(got["lo"]) == len(got["hi"]) == len(eps):
        sc = M.walk_forward(eps, M.ALL_FEATURES, months, sch)
        sc.lo, sc.hi = got["lo"].astype("float64"), got["hi"].astype("float64")
        return sc
    sc = M.walk_forward(eps, M.ALL_FEATURES, months, sch, boot=boot_fit)
    memo.save("verdict", key, lo=sc.lo, hi=sc.hi)
    return sc


def _sch(sch: M.Schedule) -> str:
    return f"{[str(r) for r in sch.refits]}|{sch.holdout_start}|{sch.data_end}"


def scores(eps: pd.DataFrame, features: tuple[str, ...], months: int, sch: M.Schedule) -> M.Scored:
    """:func:`hypecheck.lab.model.walk_forward` of ``features`` without intervals, its probabilities
    kept on disk beside the panel (:mod:`hypecheck.lab.memo`; the fits themselves are not kept)."""
    from . import memo

    if eps.empty:
        return M.walk_forward(eps, features, months, sch)
    key = memo.digest("scores", eps, _model_columns(months), features, months, _sch(sch))
    got = memo.load("scores", key)
    if got is not None and all(len(got[k]) == len(eps) for k in ("p", "base", "holdout")):
        nan = np.full(len(eps), np.nan)
        return M.Scored(
            got["p"].astype("float64"),
            nan,
            nan.copy(),
            got["base"].astype("float64"),
            got["holdout"].astype(bool),
        )
    sc = M.walk_forward(eps, features, months, sch)
    memo.save("scores", key, p=sc.p, base=sc.base, holdout=sc.holdout)
    return sc


@one_blas_thread
def evaluate(h: History, months: int = 6, boot: int = M.BOOT, boot_fit: int = M.BOOT_FIT) -> HistoryResult:
    eps = prepare(h, months)
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
    sch = M.schedule(eps, months, h.data_end)
    ver = verdict_scores(eps, months, sch, boot_fit)
    mom = scores(eps, (M.MOMENTUM,), months, sch)
    wf = ~ver.holdout
    rows: list[M.Skill] = []
    clusters = eps["cluster"].astype(str).to_numpy() if "cluster" in eps else None
    W = block_weights(clusters, years, boot) if clusters is not None else None

    def add(name: str, kind: str, sc: M.Scored) -> None:
        p = np.where(wf, sc.p, np.nan)
        rows.append(M.skill(name, kind, p, np.where(wf, sc.base, np.nan), mom.p, y, years, boot, clusters, W))

    add("verdict", "verdict", ver)
    present = [f for f in M.ALL_FEATURES if f in eps and eps[f].notna().mean() >= M.MIN_COVERAGE]
    for pillar, feats in M.PILLAR_FEATURES.items():
        fs = [f for f in feats if f in present]
        if fs:
            add(pillar, "pillar", scores(eps, tuple(fs), months, sch))
    final = M.fit(eps.loc[~np.isnan(y)], T.persisted(y[~np.isnan(y)]), M.ALL_FEATURES)
    scored = ver.fits[-1][1] if ver.fits else final  # the weights shown: the model that was scored
    wmap = dict(zip(scored.features, scored.weights, strict=True))
    for f in present:
        add(f, "feature", scores(eps, (f,), months, sch))
        rows[-1].weight = float(wmap.get(f, math.nan))
    hm = ver.holdout
    holdout = M.skill(
        "verdict", "verdict", np.where(hm, ver.p, np.nan), ver.base, mom.p, y, years, boot, clusters, W
    )
    holdout_mom = M.skill(
        "momentum", "baseline", np.where(hm, mom.p, np.nan), ver.base, mom.p, y, years, boot, clusters, W
    )
    labels = [M.label(p, lo, hi, b) for p, lo, hi, b in zip(ver.p, ver.lo, ver.hi, ver.base, strict=True)]
    eps["p"], eps["p_lo"], eps["p_hi"] = ver.p, ver.lo, ver.hi
    eps["p_base"], eps["p_momentum"], eps["holdout"] = ver.base, mom.p, ver.holdout
    eps["label"] = labels
    by_label = []
    for lab in ("real catalyst", "mixed", "viral sentiment"):
        for part, mask in (("walk-forward", wf), ("holdout", hm)):
            sel = mask & (eps["label"] == lab).to_numpy() & ~np.isnan(y)
            by_label.append(
                {
                    "label": lab,
                    "part": part,
                    "n": int(sel.sum()),
                    "persisted": _c(float(T.persisted(y[sel]).mean())) if sel.any() else None,
                }
            )
    mom_final = M.fit(eps.loc[~np.isnan(y)], T.persisted(y[~np.isnan(y)]), (M.MOMENTUM,))
    known = ~np.isnan(y)
    ret = R.measure(h, eps, months, sch, boot=boot, class_map=h.universe.classes, weights=W)
    for m, nl in ret.nulls.items():
        eps[f"kept_half_{m}m"] = nl.kept
    nl = ret.nulls[months]
    eps[f"p_kept_rw_{months}m"], eps["range_lo"], eps["range_hi"] = nl.p, nl.lo, nl.hi
    eps["p_kept"] = ret.scored.p
    return HistoryResult(
        name=h.name,
        description=h.universe.description,
        universe=f"{h.universe.origin} (version {h.universe.version})",
        horizon=months,
        episodes=eps,
        base_rate=float(T.persisted(y[known]).mean()) if known.any() else math.nan,
        skill=rows,
        holdout=holdout,
        holdout_momentum=holdout_mom,
        reliability=M.reliability(np.where(wf, ver.p, np.nan), y),
        reliability_holdout=M.reliability(np.where(hm, ver.p, np.nan), y, bins=5),
        by_label=by_label,
        schedule=sch,
        final=final,
        momentum_final=mom_final,
        retention=ret,
        skipped=h.skipped,
    )


@dataclass
class LabResult:
    horizon: int
    histories: list[HistoryResult]

    def to_dict(self) -> dict[str, Any]:
        eps = []
        m = self.horizon
        for h in self.histories:
            e = h.episodes
            cols = {
                c: e[c].to_numpy(dtype="float64") if c in e else np.full(len(e), np.nan)
                for c in ("sharpness", "p", "p_lo", "p_hi", "move", "sigma", "range_lo", "range_hi", "p_kept")
            }
            cols["p_rw"] = (
                e[f"p_kept_rw_{h.horizon}m"].to_numpy(dtype="float64")
                if f"p_kept_rw_{h.horizon}m" in e
                else np.full(len(e), np.nan)
            )
            kept = {
                k: e[f"kept_half_{k}"].to_numpy(dtype="float64")
                if f"kept_half_{k}" in e
                else np.full(len(e), np.nan)
                for k in ("1m", "3m", "6m", "12m")
            }
            clusters = e["cluster"].astype(str).tolist() if "cluster" in e else [None] * len(e)
            outs = {k: e[f"outcome_{k}"].to_numpy(dtype="float64") for k in ("1m", "3m", "6m", "12m")}
            dates = pd.DatetimeIndex(e["date"]).strftime("%Y-%m-%d").tolist()
            leaders, laggards = e["leader"].astype(str).tolist(), e["laggard"].astype(str).tolist()
            labels, hold = e["label"].astype(str).tolist(), e["holdout"].astype(bool).tolist()
            dirs = e["direction"].astype(int).tolist()
            for i in range(len(e)):
                p = float(cols["p"][i])
                eps.append(
                    {
                        "history": h.name,
                        "leader": leaders[i],
                        "laggard": laggards[i],
                        "date": dates[i],
                        "direction": dirs[i],
                        "sharpness": _c(float(cols["sharpness"][i])),
                        **{f"outcome_{k}": _c(float(v[i])) for k, v in outs.items()},
                        "p": _c(p),
                        "p_interval": [_c(float(cols["p_lo"][i])), _c(float(cols["p_hi"][i]))],
                        "label": labels[i] if not math.isnan(p) else None,
                        "holdout": hold[i],
                        "cluster": clusters[i],
                        "move": _c(float(cols["move"][i])),
                        "sigma": _c(float(cols["sigma"][i])),
                        **{f"kept_half_{k}": _b(v[i]) for k, v in kept.items()},
                        f"p_kept_rw_{m}m": _c(float(cols["p_rw"][i])),
                        f"p_kept_{m}m": _c(float(cols["p_kept"][i])),
                        f"range_{m}m": [_c(float(cols["range_lo"][i])), _c(float(cols["range_hi"][i]))],
                    }
                )
        return {
            "schema_version": SCHEMA_VERSION,
            "horizon": f"{m}M",
            "histories": [h.to_dict() for h in self.histories],
            "episodes": eps,
        }

    def summary(self) -> str:
        """The terminal's text (what ``hypecheck lab`` prints): ``to_summary().text()``."""
        return str(self.to_summary().text())

    def __str__(self) -> str:
        return self.summary()

    def to_summary(self) -> Any:
        """The lab as one :class:`~hypecheck.summary.Summary` (text, HTML, ``_repr_html_``)."""
        from ..summary import of_lab

        return of_lab(self)

    def _repr_html_(self) -> str:
        return str(self.to_summary().html())


_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def history_for(
    catalog: Catalog,
    source: str,
    *,
    engine: str = "local",
    scheduler: str | None = None,
) -> History:
    """The panel of narratives for a catalog: Ken French for the bundled data, ETFs for files. Cached
    per catalog."""
    universe = "ken-french" if source == "bundled" else "etf"
    name = "ken-french" if source == "bundled" else "files"
    cache = _CACHE.setdefault(catalog, {})
    key = ("history", universe, engine)
    if key not in cache:
        cache[key] = build_history(
            catalog, load_universe(universe), name=name, source=source, engine=engine, scheduler=scheduler
        )
    return cache[key]  # type: ignore[no-any-return]


@dataclass
class LightResult:
    """The lab as it could have been run on ``as_of``: the episodes born by then, outcomes known by
    then, the walk-forward (``p``, ``p_base``, ``p_momentum``) and a holdout of the five years before
    ``as_of`` scored by the model frozen at their start. Nothing after ``as_of`` is used."""

    name: str
    horizon: int
    as_of: pd.Timestamp
    episodes: pd.DataFrame
    record: M.Skill  # walk-forward, before the holdout
    holdout: M.Skill
    schedule: M.Schedule


@one_blas_thread
def evaluate_at(h: History, months: int, as_of: pd.Timestamp) -> LightResult:
    """Point-in-time verdict record (see :class:`LightResult`). Cached per history, horizon, date."""
    key = ("at", months, pd.Timestamp(as_of))
    cache = _LIGHT.setdefault(h, {})
    if key in cache:
        return cache[key]
    as_of = pd.Timestamp(as_of)
    eps = h.episodes.loc[pd.DatetimeIndex(h.episodes["date"]) <= as_of].copy().reset_index(drop=True)
    for m in HORIZON_MONTHS:
        late = np.asarray(T.known_dates(eps, m) > as_of)
        for col in (f"outcome_{m}m", f"rel_{m}m"):
            if col in eps:
                eps.loc[late, col] = np.nan
    eps["pair_base_rate"] = T.pair_base_rate(eps, months)
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
    sch = M.schedule(eps, months, as_of) if len(eps) else None
    if sch is None:
        nan = np.full(len(eps), np.nan)
        eps["p"], eps["p_base"], eps["p_momentum"], eps["holdout"] = nan, nan, nan, False
        empty = M.skill("verdict", "verdict", nan, nan, nan, nan, years)
        cache[key] = LightResult(h.name, months, as_of, eps, empty, empty, M.Schedule([], as_of, as_of))
        return cache[key]
    ver = scores(eps, M.ALL_FEATURES, months, sch)
    mom = scores(eps, (M.MOMENTUM,), months, sch)
    eps["p"], eps["p_base"], eps["p_momentum"], eps["holdout"] = ver.p, ver.base, mom.p, ver.holdout
    wf = ~ver.holdout
    record = M.skill("verdict", "verdict", np.where(wf, ver.p, np.nan), ver.base, mom.p, y, years)
    holdout = M.skill("verdict", "verdict", np.where(ver.holdout, ver.p, np.nan), ver.base, mom.p, y, years)
    cache[key] = LightResult(h.name, months, as_of, eps, record, holdout, sch)
    return cache[key]


_LIGHT: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], LightResult]] = weakref.WeakKeyDictionary()


@dataclass
class ModelAt:
    """The panel model as of a date: fitted on every narrative of ``history`` whose ``months`` outcome
    was known by ``as_of`` (standardisation, weights, base rate, :data:`~hypecheck.lab.model.BOOT_FIT`
    year-block bootstrap refits for the interval; trailing momentum alone beside it), with the
    walk-forward record known then (:func:`evaluate_at`). ``fit`` is None, with the ``reason``, when
    too few outcomes were known."""

    history: History
    months: int
    as_of: pd.Timestamp
    fit: M.Fit | None
    momentum: M.Fit | None
    record: dict[str, Any]
    shows_skill: bool
    n_fit: int
    reason: str = ""
    light: LightResult | None = None


_MODELS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], ModelAt]] = weakref.WeakKeyDictionary()


def _gt0(ci: Any) -> bool:
    return bool(ci) and ci[0] is not None and ci[0] > 0


def _boot_fit(train: pd.DataFrame, y: np.ndarray, years: np.ndarray, months: int) -> M.Fit:
    """The model with its :data:`~hypecheck.lab.model.BOOT_FIT` bootstrap refits on ``train``, kept on
    disk beside the panel (:mod:`hypecheck.lab.memo`): the refits are most of a calibrated check's
    model time, and the next check on the same panel and date reads them back."""
    from . import memo

    key = memo.digest("fit", train, _model_columns(months), months, M.BOOT_FIT)
    got = memo.load("fit", key)
    if got is not None:
        try:
            return M.Fit(
                tuple(str(x) for x in got["features"].tolist()),
                got["mean"].astype("float64"),
                got["sd"].astype("float64"),
                float(got["intercept"]),
                got["weights"].astype("float64"),
                int(got["n"]),
                float(got["base_rate"]),
                got["boot"].astype("float64"),
            )
        except KeyError:  # a foreign file: fit again
            pass
    fit = M.fit(train, y, M.ALL_FEATURES, years, boot=M.BOOT_FIT)
    memo.save(
        "fit",
        key,
        features=np.array(fit.features, dtype=str),
        mean=fit.mean,
        sd=fit.sd,
        intercept=np.array(fit.intercept),
        weights=fit.weights,
        n=np.array(fit.n),
        base_rate=np.array(fit.base_rate),
        boot=np.zeros((0, len(fit.features) + 1)) if fit.boot is None else fit.boot,
    )
    return fit


@one_blas_thread
def model_at(history: History, months: int, as_of: pd.Timestamp) -> ModelAt:
    """The one as-of model fit (see :class:`ModelAt`) the check, the scan and the record use: the same
    rows, features, prior and bootstrap seed whoever asks, so the same probability. Cached per
    history, horizon and date."""
    as_of = pd.Timestamp(as_of)
    key = (months, as_of)
    cache = _MODELS.setdefault(history, {})
    if key in cache:
        return cache[key]
    res = evaluate_at(history, months, as_of)
    eps = res.episodes
    record = res.record.to_dict()
    shows = _gt0(record.get("ci_bss_base")) and _gt0(record.get("ci_bss_momentum"))
    if eps.empty:
        out = ModelAt(history, months, as_of, None, None, record, False, 0, "no past narratives by then", res)
        cache[key] = out
        return out
    known = T.known_by(eps, months, as_of)
    if known.sum() < M.MIN_TRAIN:
        reason = (
            f"only {int(known.sum())} past narratives in the {history.name} panel had known {months}-month "
            f"outcomes by {as_of:%Y-%m-%d} (the model needs {M.MIN_TRAIN})"
        )
        out = ModelAt(history, months, as_of, None, None, record, False, int(known.sum()), reason, res)
        cache[key] = out
        return out
    y = eps[f"outcome_{months}m"].to_numpy(dtype="float64")
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()
    yt = T.persisted(y[known])
    fit = _boot_fit(eps.loc[known], yt, years[known], months)
    mom = M.fit(eps.loc[known], yt, (M.MOMENTUM,))
    out = ModelAt(history, months, as_of, fit, mom, record, shows, int(known.sum()), "", res)
    cache[key] = out
    return out


def result_for(catalog: Catalog, source: str, months: int) -> HistoryResult:
    cache = _CACHE.setdefault(catalog, {})
    key = ("result", source, months)
    if key not in cache:
        cache[key] = evaluate(history_for(catalog, source), months)
    return cache[key]  # type: ignore[no-any-return]


@one_blas_thread
def run_lab(
    data: Any = None,
    *,
    horizon: str | int = "6M",
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LabResult:
    """The lab on the bundled Ken French history, plus the files history when ``data`` is given."""
    from ..data.catalog import load_catalog

    months = parse_horizon(horizon)
    out = []
    sources: list[tuple[Any, str]] = [(None, "bundled")]
    if data is not None:
        sources.append((data, "files"))
    for d, src in sources:
        if progress:
            progress(f"building the {'Ken French' if src == 'bundled' else 'files'} panel")
        cat = load_catalog(d)
        s = cat.source
        h = history_for(cat, s, engine=engine, scheduler=scheduler)
        if progress:
            progress(f"scoring {len(h.episodes):,} episodes walk-forward")
        out.append(evaluate(h, months))
    return LabResult(months, out)
