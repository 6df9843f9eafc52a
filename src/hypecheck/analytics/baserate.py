"""Base rates of configurations named in a narrative, over period returns of series in the data.

"Years in the last ten in which the index gained at least 10% while tech lagged the rest" is a
*configuration query*: a list of conditions on the returns of a few series over complete periods
(years by default), evaluated on every period where all the series have a return. The answer is n
(periods looked at), the periods that match, and the hit rate; with ``then`` conditions it is also
the rate at which something followed *given* the configuration.

Conditions are small expressions, parsed (never ``eval``-ed)::

    SPY >= 0.10          # the series' period return is at least 10%
    XLK < SPY            # XLK returned less than SPY
    IWM - SPY > 0.025    # IWM beat SPY by more than 2.5 pp

Operands are series ids (anything without spaces: ``ff:ind:BusEq`` works), numbers (``0.1``,
``-5%``), or ``A - B`` (a spread; spaces around the minus are required, since ids may contain ``-``).
Tech lagging *the index* is the same as tech lagging *the rest of the index*: with
``index = w*tech + (1-w)*rest`` and ``0 < w < 1``, ``tech < index`` exactly when ``tech < rest``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError

_OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}
_COND = re.compile(r"^\s*(?P<left>.+?)\s*(?P<op>>=|<=|>|<)\s*(?P<right>.+?)\s*$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_ID = re.compile(r"^[A-Za-z0-9_^.:\-]+$")


@dataclass(frozen=True)
class Operand:
    """A number, a series, or a spread of two series."""

    number: float | None = None
    series: str | None = None
    minus: str | None = None

    def ids(self) -> list[str]:
        return [s for s in (self.series, self.minus) if s]

    def value(self, row: Mapping[str, float]) -> float:
        if self.number is not None:
            return self.number
        assert self.series is not None
        v = float(row[self.series])
        return v - float(row[self.minus]) if self.minus else v

    def __str__(self) -> str:
        if self.number is not None:
            return f"{self.number:g}"
        return f"{self.series} - {self.minus}" if self.minus else str(self.series)


@dataclass(frozen=True)
class Condition:
    left: Operand
    op: str
    right: Operand
    text: str

    def ids(self) -> list[str]:
        return self.left.ids() + self.right.ids()

    def holds(self, row: Mapping[str, float]) -> bool:
        return bool(_OPS[self.op](self.left.value(row), self.right.value(row)))


def _operand(text: str, cond: str) -> Operand:
    t = text.strip()
    if _NUM.match(t):
        return Operand(number=float(t[:-1]) / 100 if t.endswith("%") else float(t))
    if " - " in t:
        a, b = (x.strip() for x in t.split(" - ", 1))
        if _ID.match(a) and _ID.match(b):
            return Operand(series=a, minus=b)
    elif _ID.match(t):
        return Operand(series=t)
    raise InputError(
        f"base-rate condition {cond!r}: cannot read {t!r}",
        hint="operands are series ids, numbers (0.1 or 10%) or 'A - B' with spaces around the minus",
    )


def parse_condition(text: str) -> Condition:
    """Parse ``'SPY >= 0.10'``, ``'XLK < SPY'``, ``'IWM - SPY > 2.5%'``. Raises InputError."""
    m = _COND.match(text or "")
    if not m:
        raise InputError(
            f"base-rate condition {text!r} has no comparison",
            hint="write e.g. 'SPY >= 0.10' or 'XLK < SPY' (operators: >=, <=, >, <)",
        )
    left, right = _operand(m["left"], text), _operand(m["right"], text)
    if left.number is not None and right.number is not None:
        raise InputError(
            f"base-rate condition {text!r} compares two numbers", hint="name at least one series"
        )
    return Condition(left, m["op"], right, text.strip())


def period_returns(closes: Mapping[str, pd.Series], as_of: pd.Timestamp, period: str = "A") -> pd.DataFrame:
    """Simple returns of each *complete* period (``A`` year, ``Q`` quarter, ``M`` month) ending on or
    before ``as_of``: last close of the period over the last close of the previous period. A period
    counts for a series only when the series has a close in both periods' final month (years: a
    December close; quarters: the quarter's last month; months: any close), so a series starting
    mid-year has no return for its first year. Columns are the series, the index the period labels."""
    freq = {"A": "Y", "Y": "Y", "Q": "Q", "M": "M"}.get(period.upper())
    if freq is None:
        raise InputError(f"base-rate period {period!r} is not one of A, Q, M", hint="use A (years), Q or M")
    as_of = pd.Timestamp(as_of)
    cols = {sid: _complete_period_returns(s, as_of, freq) for sid, s in closes.items()}
    out = pd.DataFrame(cols)
    out.index = [str(p) for p in out.index] if period.upper() != "A" else [int(p.year) for p in out.index]
    return out.sort_index()


def _complete_period_returns(s: pd.Series, as_of: pd.Timestamp, freq: str) -> pd.Series:
    """One series' returns over its complete periods of ``freq`` (see :func:`period_returns`): each
    period's last close over the previous period's, kept when that close falls in the period's final
    month and the period has ended; arrays throughout (one groupby and a list per period before)."""
    s = s.dropna()
    s = s.loc[s.index <= as_of]
    if s.empty:  # indexed by periods too: beside others, no integer index to read as years
        return pd.Series([], index=pd.PeriodIndex([], freq=freq), dtype="float64")
    idx = pd.DatetimeIndex(s.index)
    per = idx.to_period(freq)
    codes = per.asi8
    # each period's last row in the series' order (groupby(...).last()), periods ascending
    _, first_from_end = np.unique(codes[::-1], return_index=True)
    at_end = len(codes) - 1 - first_from_end
    last_per, last_date = per[at_end], idx[at_end]
    values = s.to_numpy(dtype="float64")[at_end]
    ends = last_per.to_timestamp(how="end")
    covered = last_date.to_period("M").asi8 == ends.to_period("M").asi8
    complete = np.asarray(ends.normalize() <= as_of)
    keep = covered & complete
    kept, v = last_per[keep], values[keep]
    if len(kept) == 0:
        return pd.Series([], index=kept, dtype="float64")
    prev = np.searchsorted(kept.asi8, kept.asi8 - 1)  # where the previous period would be
    ok = (prev < len(kept)) & (kept.asi8[np.minimum(prev, len(kept) - 1)] == kept.asi8 - 1)
    return pd.Series(v[ok] / v[prev[ok]] - 1.0, index=kept[ok], dtype="float64")


@dataclass
class BaseRate:
    """The answer to a configuration query."""

    conditions: list[str]
    period: str
    n: int  # periods looked at (every referenced series has a return)
    periods: list[object]  # those periods
    matches: list[object]  # periods where every condition holds
    then: list[str] = field(default_factory=list)
    then_hits: list[object] = field(default_factory=list)  # matches where every ``then`` condition holds
    first: object | None = None
    last: object | None = None

    @property
    def count(self) -> int:
        return len(self.matches)

    @property
    def hit_rate(self) -> float:
        return self.count / self.n if self.n else math.nan

    @property
    def then_rate(self) -> float:
        return len(self.then_hits) / self.count if self.then and self.count else math.nan

    def to_dict(self) -> dict[str, object]:
        return {
            "conditions": self.conditions,
            "period": self.period,
            "n": self.n,
            "first": self.first,
            "last": self.last,
            "count": self.count,
            "hit_rate": None if math.isnan(self.hit_rate) else self.hit_rate,
            "matches": self.matches,
            "then": self.then,
            "then_hits": self.then_hits,
            "then_rate": None if math.isnan(self.then_rate) else self.then_rate,
        }


def base_rate(
    returns: pd.DataFrame,
    when: Sequence[str | Condition],
    then: Sequence[str | Condition] = (),
    last: int | None = None,
    period: str = "A",
) -> BaseRate:
    """Count the periods of ``returns`` (periods x series) where every ``when`` condition holds.

    Only periods where every referenced series has a return are looked at; ``last`` keeps the most
    recent N of those. Raises InputError for an unknown series or a condition that does not parse.

    Not the lab's pair base rate (:func:`hypecheck.lab.target.pair_rate`), on purpose: that one is
    the smoothed share of one pair's past *narratives* that kept beating, known by a date (a model
    feature); this one counts calendar *periods* matching conditions a theme writes (a check's
    evidence). They answer different questions and share no arithmetic worth sharing."""
    conds = [c if isinstance(c, Condition) else parse_condition(c) for c in when]
    thens = [c if isinstance(c, Condition) else parse_condition(c) for c in then]
    if not conds:
        raise InputError("a base-rate query needs at least one condition", hint="e.g. when = ['SPY >= 0.10']")
    ids = list(dict.fromkeys(i for c in conds + thens for i in c.ids()))
    unknown = [i for i in ids if i not in returns.columns]
    if unknown:
        raise InputError(
            f"base-rate query names series with no period returns: {', '.join(unknown)}",
            hint="check the ids against the data (a series needs at least two complete periods)",
        )
    sub = returns[ids].dropna()
    if last is not None:
        if last < 1:
            raise InputError(f"base-rate 'last' must be at least 1, got {last}", hint="e.g. last = 10")
        sub = sub.iloc[-last:]
    rows: dict[object, dict[str, float]] = {
        p: {str(k): float(v) for k, v in r.items()} for p, r in sub.to_dict("index").items()
    }
    matches = [p for p, row in rows.items() if all(c.holds(row) for c in conds)]
    hits = [p for p in matches if all(c.holds(rows[p]) for c in thens)] if thens else []
    periods = list(sub.index)
    return BaseRate(
        conditions=[c.text for c in conds],
        period=period,
        n=len(periods),
        periods=periods,
        matches=matches,
        then=[c.text for c in thens],
        then_hits=hits,
        first=periods[0] if periods else None,
        last=periods[-1] if periods else None,
    )
