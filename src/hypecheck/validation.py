"""Validation at the boundary: what every series passes before it is stored.

``validate(values, kind=..., id=...)`` returns the clean series and a :class:`Validation` report
in which nothing is dropped silently: ``rows_in == rows_kept + len(rejected)``, each rejected row with
its reason. Rules:

* dates must parse (numbers are not dates; time-zoned stamps keep their local date; times of day are
  dropped, so two stamps on one day are duplicates); the clean series is sorted with unique dates
  (``monotonic unique``);
* duplicate dates: identical repeats are kept once (the extra rows are rejected as duplicates);
  conflicting values for one date are all rejected (we cannot know which is right);
* values must be finite numbers; prices must be positive (yields and spreads may be zero or negative:
  pass ``kind="macro"``);
* possible unadjusted splits (a one-day price move matching a split ratio such as 2:1, 3:1, 3:2 or a
  1:10 reverse split, within 2%) and gaps (more than ``max_gap_days`` between daily observations, or
  missing months in monthly data) are *reported*, not changed.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SPLIT_RATIOS = (2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 1.5, 8.0, 7.0, 15.0)
SPLIT_TOLERANCE = 0.02


@dataclass
class Validation:
    id: str
    kind: str
    rows_in: int = 0
    rows_kept: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (row label, reason)
    splits: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_kept + len(self.rejected)

    def reasons(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, r in self.rejected:
            out[r] = out.get(r, 0) + 1
        return out

    def summary(self) -> str:
        parts = [f"{self.id}: {self.rows_in} rows in, {self.rows_kept} kept"]
        if self.rejected:
            parts.append(
                f"{len(self.rejected)} rejected ("
                + ", ".join(f"{n} {r}" for r, n in self.reasons().items())
                + ")"
            )
        if self.splits:
            parts.append(
                "possible unadjusted split on "
                + ", ".join(f"{s['date']} ({s['ratio']})" for s in self.splits[:3])
                + (" ..." if len(self.splits) > 3 else "")
            )
        if self.gaps:
            parts.append(f"{len(self.gaps)} gap(s), longest {max(g['days'] for g in self.gaps)} days")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rejected": self.reasons(),
            "splits": self.splits,
            "gaps": self.gaps,
        }


def _split_label(ratio: float) -> str | None:
    """'2:1' for a price that halved (forward split), '1:10' for a 10x jump (reverse split)."""
    for k in SPLIT_RATIOS:
        if abs(ratio * k - 1) <= SPLIT_TOLERANCE:
            return f"{k:g}:1" if k != 1.5 else "3:2"
        if abs(ratio / k - 1) <= SPLIT_TOLERANCE:
            return f"1:{k:g}" if k != 1.5 else "2:3"
    return None


def _date(x: Any) -> pd.Timestamp | None:
    """One row label as a naive midnight Timestamp; None when it is not a date. Numbers are not dates
    (an integer index would otherwise read as nanoseconds after 1970); time-zoned stamps keep their
    local date."""
    if x is None or isinstance(x, (bool, int, float, complex, np.number)):
        return None
    if isinstance(x, str):
        x = x.strip()
        if not x:
            return None
    try:
        ts = pd.Timestamp(x)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT or pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _dates(index: pd.Index) -> np.ndarray:
    """Row labels as datetime64[ns] dates (NaT where a label is not a date)."""
    if isinstance(index, pd.DatetimeIndex):
        idx = index.tz_localize(None) if index.tz is not None else index
        return np.asarray(idx.normalize().as_unit("ns").to_numpy())
    out = np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, x in enumerate(index):
        ts = _date(x)
        if ts is not None:
            with contextlib.suppress(ValueError, OverflowError):  # outside years 1677-2262 of datetime64[ns]
                out[i] = ts.as_unit("ns").to_datetime64()
    return out


def validate(
    values: pd.Series | Any, *, kind: str = "price", id: str = "", max_gap_days: int = 10
) -> tuple[pd.Series, Validation]:
    """Clean one series (see the module docstring); never raises for bad rows, reports them."""
    rep = Validation(id=id or str(getattr(values, "name", "") or "series"), kind=kind)
    s = pd.Series(values)
    rep.rows_in = len(s)
    if s.empty:
        return s.astype("float64"), rep
    dates = _dates(s.index)
    nums = pd.to_numeric(pd.Series(s.to_numpy(), dtype="object"), errors="coerce")
    frame = pd.DataFrame({"date": dates, "value": nums.to_numpy(dtype="float64"), "raw": s.index})
    bad_date = frame["date"].isna()
    for lbl in frame.loc[bad_date, "raw"]:
        rep.rejected.append((str(lbl), "unparsable date"))
    frame = frame.loc[~bad_date]
    bad_val = ~np.isfinite(frame["value"].to_numpy())
    for d in frame.loc[bad_val, "date"]:
        rep.rejected.append((str(pd.Timestamp(d).date()), "missing or non-numeric value"))
    frame = frame.loc[~bad_val]
    if kind == "price":
        nonpos = frame["value"].to_numpy() <= 0
        for d in frame.loc[nonpos, "date"]:
            rep.rejected.append((str(pd.Timestamp(d).date()), "non-positive price"))
        frame = frame.loc[~nonpos]
    frame = frame.sort_values("date", kind="stable")
    dup = frame["date"].duplicated(keep=False)
    if dup.any():
        groups = frame.loc[dup].groupby("date")["value"]
        conflicting = groups.nunique() > 1
        for d, n in groups.size().items():
            label = str(pd.Timestamp(d).date())
            if conflicting[d]:
                rep.rejected.extend((label, "duplicate date with conflicting values") for _ in range(n))
            else:
                rep.rejected.extend((label, "duplicate date (identical repeat)") for _ in range(n - 1))
        bad_dates = set(conflicting[conflicting].index)
        frame = frame.loc[~frame["date"].isin(bad_dates)]
        frame = frame.drop_duplicates("date", keep="first")
    clean = pd.Series(
        frame["value"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(frame["date"]).normalize(),
        name=rep.id,
    )
    rep.rows_kept = len(clean)
    if len(clean) > 1:
        idx = pd.DatetimeIndex(clean.index)
        days = np.diff(idx.values) / np.timedelta64(1, "D")
        med = float(np.median(days))
        if med <= 4:  # daily data
            for i in (int(k) for k in np.flatnonzero(days > max_gap_days)):
                rep.gaps.append(
                    {"after": str(idx[i].date()), "before": str(idx[i + 1].date()), "days": int(days[i])}
                )
        elif 25 <= med <= 35:  # monthly
            months = idx.to_period("M")
            step = np.diff(months.asi8)
            for i in (int(k) for k in np.flatnonzero(step > 1)):
                rep.gaps.append(
                    {"after": str(idx[i].date()), "before": str(idx[i + 1].date()), "days": int(days[i])}
                )
        if kind == "price" and med <= 4:
            ratio = clean.to_numpy()[1:] / clean.to_numpy()[:-1]
            big = np.flatnonzero((ratio < 0.7) | (ratio > 1.4))
            for i in (int(k) for k in big):
                lab = _split_label(float(ratio[i]))
                if lab:
                    rep.splits.append(
                        {"date": str(idx[i + 1].date()), "ratio": lab, "move": float(ratio[i] - 1)}
                    )
    return clean, rep
