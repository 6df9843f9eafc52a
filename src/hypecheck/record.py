"""The forward record: every forecast a check or scan makes with a store, scored once its horizon passed.

A forecast is what a check said on the day it ran (``made_on``) about its as-of date: the pair, the
fade label, the random walk's probability that the narrative still holds more than half of its
move at the end of the horizon (``p_kept``), the panel model's probability that the leader keeps
beating the laggard over the horizon (``p_model``, with the base rate it was fitted against), and the
80% range of the spread over the horizon (``lo``, ``hi``, log). Rows are only ever added, never
rewritten: nobody can tune on them.

:func:`score` reads every forecast and the data now available: when the last common close on or
before ``as_of + horizon`` exists, the forecast is scored: the realised spread (the leader's log
relative return from the as-of close to that close), inside the range or not, kept half (the move
since the birth still above half of it) or not, keeps beating (realised spread > 0), and the Brier
scores. A forecast whose as-of date preceded the data's end when it was made (a *replayed* one: its
outcome could already be seen) is reported apart from *live* ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .lab.target import keeps_beating, kept_half  # the lab's outcome definitions
from .schema import Catalog
from .summary import Summary, of_record


def forecast_row(result: Any, origin: str = "check", source: str = "") -> dict[str, Any] | None:
    """The forecast of a :class:`~hypecheck.result.CheckResult` (None without a panel verdict)."""
    pv = result.calibration
    if pv is None or pv.fade is None:
        return None
    f, r = pv.fade, pv.range
    made = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    as_of = pd.Timestamp(result.as_of)
    key = f"{made.isoformat()}|{origin}|{result.theme.id}|{pv.ids}|{as_of:%Y-%m-%d}|{pv.horizon_months}"
    return {
        "id": hashlib.sha256(key.encode()).hexdigest()[:24],
        "made_on": made,
        "as_of": as_of.date(),
        "data_end": None if pv.data_end is None else pd.Timestamp(pv.data_end).date(),
        "origin": origin,
        "theme": result.theme.id,
        "source": source,
        "leader": pv.leader,
        "laggard": pv.laggard,
        "leader_id": pv.ids[0],
        "laggard_id": pv.ids[1],
        "horizon_months": int(pv.horizon_months),
        "label": f.label,
        "birth": None if f.birth is None else f.birth.date(),
        "move": _n(f.move),
        "since_birth": _n((f.retained - 1.0) * f.move) if f.birth is not None else None,
        "sigma": _n(r.sigma) if r is not None else None,
        "p_kept": _n(pv.p_kept()),
        "p_model": _n(pv.probability),
        "base_rate": _n(pv.base_rate),
        "kept_half_rate": _n(pv.known.kept_half) if pv.known is not None else None,
        "lo": _n(r.lo) if r is not None else None,
        "hi": _n(r.hi) if r is not None else None,
        "level": _n(r.level) if r is not None else None,
    }


def _n(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def record_check(result: Any, store: Any, origin: str = "check", source: str = "") -> int:
    """Add the forecast of ``result`` to ``store``; the number of rows added (0 or 1)."""
    row = forecast_row(result, origin, source)
    return store.add_forecasts([row]) if row is not None else 0


@dataclass
class RecordResult:
    forecasts: list[dict[str, Any]]
    summary_: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"forecasts": self.forecasts, "summary": self.summary_}

    def to_summary(self) -> Summary:
        """The record as one :class:`~hypecheck.summary.Summary`: the counts first, live and replayed
        forecasts apart, then each forecast."""
        return of_record(self)

    def summary(self) -> str:
        """The terminal's text (what ``hypecheck record`` prints): ``to_summary().text()``."""
        return self.to_summary().text()

    def _repr_html_(self) -> str:
        return self.to_summary().html()

    def __str__(self) -> str:
        return self.summary()


def _closes(catalog: Catalog, id: str) -> pd.Series | None:
    try:
        return catalog.get("price", id).values.dropna()
    except Exception:  # not in the data: the forecast stays pending
        return None


def realised_spread(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp, months: int
) -> tuple[float | None, pd.Timestamp | None]:
    """The leader's log relative return from the last common close on or before ``as_of`` to the last
    common close on or before ``as_of + months`` (calendar months); None while that date is after the
    last common close (pending)."""
    from .lab.features import align

    both = align(a, b)  # the lab's common-close rule: both sides' positive closes, inner join
    end = pd.Timestamp(as_of) + pd.DateOffset(months=months)
    if both.empty or end > both.index[-1] or both.index[0] > as_of:
        return None, None
    s = both.loc[: pd.Timestamp(as_of)].iloc[-1]
    e_idx = both.index[both.index <= end][-1]
    e = both.loc[e_idx]
    return float(math.log(e["a"] / s["a"]) - math.log(e["b"] / s["b"])), pd.Timestamp(e_idx)


def score(forecasts: pd.DataFrame, catalog: Catalog) -> RecordResult:
    """Score every forecast whose horizon has passed on ``catalog`` (see the module)."""
    rows: list[dict[str, Any]] = []
    for r in forecasts.to_dict("records") if len(forecasts) else []:
        as_of = pd.Timestamp(r["as_of"])
        a, b = _closes(catalog, r["leader_id"]), _closes(catalog, r["laggard_id"])
        real, end = (
            (None, None) if a is None or b is None else realised_spread(a, b, as_of, int(r["horizon_months"]))
        )
        lo, hi = _n(r.get("lo")), _n(r.get("hi"))
        inside = None if real is None or lo is None or hi is None else bool(lo <= real <= hi)
        kept = None
        if real is not None and _n(r.get("move")) is not None and _n(r.get("since_birth")) is not None:
            kept = kept_half(float(r["since_birth"]) + real, float(r["move"]))
        data_end = r.get("data_end")
        replayed = bool(data_end is not None and pd.Timestamp(data_end) > as_of)
        rows.append(
            {
                "id": r["id"],
                "made_on": pd.Timestamp(r["made_on"]).isoformat(),
                "as_of": f"{as_of:%Y-%m-%d}",
                "data_end_when_made": None if data_end is None else f"{pd.Timestamp(data_end):%Y-%m-%d}",
                "origin": r["origin"],
                "theme": r.get("theme"),
                "pair": f"{r['leader']}-{r['laggard']}",
                "leader": r["leader"],
                "laggard": r["laggard"],
                "horizon": f"{int(r['horizon_months'])}M",
                "label": r["label"],
                "p_kept": _n(r.get("p_kept")),
                "p_model": _n(r.get("p_model")),
                "base_rate": _n(r.get("base_rate")),
                "kept_half_rate": _n(r.get("kept_half_rate")),
                "lo": lo,
                "hi": hi,
                "level": _n(r.get("level")),
                "replayed": replayed,
                "end": None if end is None else f"{end:%Y-%m-%d}",
                "realised": real,
                "inside": inside,
                "kept_half": kept,
                "keeps_beating": None if real is None else keeps_beating(real),
            }
        )
    return RecordResult(rows, _summary(rows))


def _part(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if r["realised"] is not None]
    out: dict[str, Any] = {"n": len(rows), "scored": len(done), "pending": len(rows) - len(done)}
    if not done:
        return out | {"kept_half_n": 0}
    inside = [r["inside"] for r in done if r["inside"] is not None]
    kh = [r for r in done if r["kept_half"] is not None and r["p_kept"] is not None]
    y = np.array([float(r["kept_half"]) for r in kh])
    p = np.array([r["p_kept"] for r in kh])
    c = np.array([r["kept_half_rate"] if r["kept_half_rate"] is not None else np.nan for r in kh])
    bm = [r for r in done if r["p_model"] is not None and r["base_rate"] is not None]
    yb = np.array([float(r["keeps_beating"]) for r in bm])
    pm = np.array([r["p_model"] for r in bm])
    pb = np.array([r["base_rate"] for r in bm])
    levels = [r["level"] for r in done if r["level"] is not None]

    def brier(q: np.ndarray, yy: np.ndarray) -> float | None:
        ok = ~np.isnan(q)
        return float(np.mean((q[ok] - yy[ok]) ** 2)) if ok.any() else None

    return out | {
        "inside": int(sum(inside)),
        "coverage": float(np.mean(inside)) if inside else None,
        "level": float(levels[0]) if levels else None,
        "kept_half_n": len(kh),
        "kept_half": int(y.sum()),
        "p_kept_mean": float(p.mean()) if len(kh) else None,
        "brier_rw": brier(p, y) if len(kh) else None,
        "brier_class": brier(c, y) if len(kh) else None,
        "beat": int(yb.sum()),
        "brier_model": brier(pm, yb) if len(bm) else None,
        "brier_base": brier(pb, yb) if len(bm) else None,
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    live = [r for r in rows if not r["replayed"]]
    rep = [r for r in rows if r["replayed"]]
    done = sum(r["realised"] is not None for r in rows)
    return {
        "n": len(rows),
        "scored": done,
        "pending": len(rows) - done,
        "live": _part(live),
        "replayed": _part(rep),
    }


__all__ = ["RecordResult", "forecast_row", "realised_spread", "record_check", "score"]
