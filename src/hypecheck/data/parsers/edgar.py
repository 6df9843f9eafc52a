"""SEC EDGAR XBRL company facts: pure parsing (no I/O). Trailing net income as known on a date.

The client that fetches the documents is :mod:`hypecheck.data.connectors.edgar` (through the shared
transport); everything here works on the companyfacts JSON already in memory, so it is tested on
fixtures alone.

``parse_cik(cik) -> int``, ``validate_company_facts(doc)``.
``quarterly_values(facts, tag, taxonomy, unit, as_of) -> DataFrame``  one row per fiscal quarter.
``trailing_net_income(facts, as_of, tags) -> TrailingResult``  sum of the last 4 consecutive quarters.
``unprofitable_share(facts_by_ticker, as_of) -> ShareResult``  share with trailing net income < 0.

Rules
-----
*Periods* are read from each fact's ``start``/``end`` dates only. ``fy``/``fp``/``frame`` describe the
*filing* (a 10-K's comparatives for earlier years carry the 10-K's ``fy``), so they are not used.
Durations (``end - start`` in days): 80-100 a quarter, 260-285 nine months year-to-date, 350-380 a
fiscal year (52/53-week years included). Other durations (6-month YTD, ...) are ignored; facts
without ``start`` (instants) are skipped.

*Which filing wins*: only facts ``filed`` on or before ``as_of`` count (no look-ahead; ``as_of=None``
means everything in the document). Of the facts for one period, the latest ``filed`` wins (ties:
the higher accession number), so a restatement replaces the original value from its filing date on,
and the original is what was known before.

*Q4*: a fiscal year whose last quarter is not reported as a 3-month fact gets it derived as
``FY - Q1 - Q2 - Q3``, the three quarters chained from the year's start (each starting within 5
days after the previous ends); failing that, ``FY - nine-month YTD``. The derived row has
``derived=True``, the method in ``method``, and ``filed`` = the latest filing date among its parts.

*Missing* (a status with a reason, never an exception, never a silent zero): none of the tags, no
values in the unit, fewer than 4 quarters filed by ``as_of``, the latest 4 quarters not consecutive
(a gap: the reason names the uncovered dates), or optionally older than ``max_age_days``.

The constituent list is the caller's: SEC's ticker map holds only *current* tickers, so a list of
today's members applied to a past ``as_of`` carries survivorship bias.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd

from ...errors import FormatError, InputError

__all__ = [
    "ADJACENT_DAYS",
    "ANNUAL_DAYS",
    "COLUMNS",
    "NET_INCOME_TAGS",
    "NINE_MONTH_DAYS",
    "QUARTER_DAYS",
    "ShareResult",
    "TrailingResult",
    "missing_result",
    "parse_cik",
    "quarterly_values",
    "share_from_results",
    "trailing_net_income",
    "unprofitable_share",
    "validate_company_facts",
]

NET_INCOME_TAGS: tuple[str, ...] = (
    "NetIncomeLoss",
    "ProfitLoss",
    "NetIncomeLossAvailableToCommonStockholdersBasic",
)

QUARTER_DAYS = (80, 100)
NINE_MONTH_DAYS = (260, 285)
ANNUAL_DAYS = (350, 380)
ADJACENT_DAYS = 5  # a period "follows" another when it starts 0..5 days after the other ends

COLUMNS = ("start", "value", "derived", "method", "filed", "form", "accn")


def parse_cik(cik: int | str) -> int:
    """A CIK as an int, from ``320193``, ``"320193"``, ``"0000320193"`` or ``"CIK0000320193"``."""
    text = str(cik).strip().upper().removeprefix("CIK")
    if isinstance(cik, bool) or not text.isdigit() or int(text) <= 0 or len(text.lstrip("0")) > 10:
        raise InputError(f"not a CIK: {cik!r}", hint="a CIK is a number of up to 10 digits, e.g. 320193")
    return int(text)


# ================================================================================= parsing


def validate_company_facts(facts: Any) -> Mapping[str, Any]:
    """``facts`` itself if it has the documented shape ``{"facts": {taxonomy: {tag: {...}}}}``, else
    :class:`FormatError` saying what is wrong."""
    if not isinstance(facts, Mapping):
        raise FormatError(
            f"not a SEC companyfacts document: a JSON {type(facts).__name__}, not an object",
            hint="pass the JSON of https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json",
        )
    inner = facts.get("facts")
    if not isinstance(inner, Mapping) or not all(isinstance(v, Mapping) for v in inner.values()):
        raise FormatError(
            "not a SEC companyfacts document: 'facts' must be an object of taxonomies "
            "({'us-gaap': {tag: {'units': ...}}})",
            hint="pass the JSON of https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json",
        )
    return facts


def _as_of(as_of: str | date | None) -> date | None:
    if as_of is None:
        return None
    try:
        stamp = pd.Timestamp(as_of)
    except (ValueError, TypeError):
        raise InputError(f"not a date: {as_of!r}", hint="give as_of as YYYY-MM-DD") from None
    if pd.isna(stamp):
        raise InputError(f"not a date: {as_of!r}", hint="give as_of as YYYY-MM-DD")
    return date(stamp.year, stamp.month, stamp.day)


@dataclass(frozen=True)
class _Fact:
    start: date
    end: date
    value: float
    filed: date
    form: str
    accn: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def vintage(self) -> tuple[date, str]:
        return (self.filed, self.accn)


def _concept_rows(
    facts: Mapping[str, Any], taxonomy: str, tag: str, unit: str
) -> tuple[list[Any] | None, str]:
    """The raw fact list of ``taxonomy:tag`` in ``unit``, or ``(None, reason)`` when there is none."""
    tax = validate_company_facts(facts)["facts"].get(taxonomy)
    if tax is None or tag not in tax:
        return None, f"no {taxonomy}:{tag} facts"
    concept = tax[tag]
    units = concept.get("units") if isinstance(concept, Mapping) else None
    if not isinstance(units, Mapping):
        raise FormatError(f"companyfacts {taxonomy}:{tag}: no 'units' object", hint="check the file")
    if unit not in units:
        return None, f"{taxonomy}:{tag} has no {unit} values (units: {', '.join(map(str, units)) or 'none'})"
    rows = units[unit]
    if not isinstance(rows, list):
        raise FormatError(f"companyfacts {taxonomy}:{tag} {unit}: not a list of facts", hint="check the file")
    return rows, ""


def _parse_facts(rows: list[Any], where: str) -> list[_Fact]:
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise FormatError(f"companyfacts {where} fact #{i}: not an object", hint="check the file")
        if "start" not in row:  # an instant (balance-sheet style) fact: not a period flow
            continue
        val = row.get("val")
        try:
            if isinstance(val, bool) or not isinstance(val, int | float):
                raise TypeError
            fact = _Fact(
                start=date.fromisoformat(row["start"]),
                end=date.fromisoformat(row["end"]),
                value=float(val),
                filed=date.fromisoformat(row["filed"]),
                form=str(row.get("form", "")),
                accn=str(row.get("accn", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise FormatError(
                f"companyfacts {where} fact #{i}: needs ISO dates 'start', 'end', 'filed' and a numeric 'val'",
                hint="check the file against https://www.sec.gov/edgar/sec-api-documentation",
            ) from None
        out.append(fact)
    return out


def _latest(facts: Iterable[_Fact], key: Callable[[_Fact], Any]) -> dict[Any, _Fact]:
    """For each ``key``, the fact with the latest vintage (filed date, then accession number)."""
    best: dict[Any, _Fact] = {}
    for f in facts:
        k = key(f)
        if k not in best or f.vintage > best[k].vintage:
            best[k] = f
    return best


def _follows(prev_end: date, start: date) -> bool:
    return 0 <= (start - prev_end).days <= ADJACENT_DAYS


def _within(days: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= days <= bounds[1]


def _derive_q4(fy: _Fact, quarters: Iterable[_Fact], nine_months: Iterable[_Fact]) -> dict[str, Any] | None:
    """Q4 = FY - Q1 - Q2 - Q3 (quarters chained from the year's start), else FY - 9-month YTD."""
    qs = list(quarters)

    def chain_from(ok: Callable[[_Fact], bool]) -> _Fact | None:
        found = [q for q in qs if ok(q)]
        return max(found, key=lambda q: q.vintage) if found else None

    q1 = chain_from(lambda q: abs((q.start - fy.start).days) <= ADJACENT_DAYS)
    q2 = q1 and chain_from(lambda q: _follows(q1.end, q.start))
    q3 = q2 and chain_from(lambda q: _follows(q2.end, q.start))
    parts: list[_Fact]
    if q1 and q2 and q3:
        parts, method = [q1, q2, q3], "FY-Q1-Q2-Q3"
    else:
        ytd = [y for y in nine_months if abs((y.start - fy.start).days) <= ADJACENT_DAYS and y.end < fy.end]
        if not ytd:
            return None
        parts, method = [max(ytd, key=lambda y: y.vintage)], "FY-9M"
    start = parts[-1].end + timedelta(days=1)
    if not _within((fy.end - start).days, QUARTER_DAYS):
        return None
    return {
        "end": fy.end,
        "start": start,
        "value": fy.value - sum(p.value for p in parts),
        "derived": True,
        "method": method,
        "filed": max(p.filed for p in [fy, *parts]),
        "form": fy.form,
        "accn": fy.accn,
    }


def quarterly_values(
    facts: Mapping[str, Any],
    tag: str = "NetIncomeLoss",
    taxonomy: str = "us-gaap",
    unit: str = "USD",
    as_of: str | date | None = None,
) -> pd.DataFrame:
    """One row per fiscal quarter of ``taxonomy:tag``, as known on ``as_of`` (see the module rules).

    Index: quarter end dates (``DatetimeIndex`` named ``end``, sorted). Columns: ``start``,
    ``value`` (float), ``derived`` (bool: a Q4 computed from the annual figure), ``method``
    (``reported``, ``FY-Q1-Q2-Q3`` or ``FY-9M``), ``filed`` (date of the vintage used: the latest filing
    on or before ``as_of`` carrying the period, an unchanged comparative included; for a derived Q4 the
    latest among its parts), ``form`` and ``accn`` (of that filing; the 10-K's for a derived Q4). ``attrs`` hold ``tag``,
    ``taxonomy``, ``unit``, ``as_of`` and ``reason`` (why the frame is empty; ``""`` when it is not).
    Raises :class:`FormatError` only for a document not in the companyfacts shape.
    """
    when = _as_of(as_of)
    rows, reason = _concept_rows(facts, taxonomy, tag, unit)
    records: list[dict[str, Any]] = []
    if rows is not None:
        known = [f for f in _parse_facts(rows, f"{taxonomy}:{tag} {unit}") if when is None or f.filed <= when]
        if not known:
            reason = f"no {taxonomy}:{tag} facts filed on or before {when}"
        periods = _latest(known, key=lambda f: (f.start, f.end)).values()
        quarters = _latest((f for f in periods if _within(f.days, QUARTER_DAYS)), key=lambda f: f.end)
        nine_months = [f for f in periods if _within(f.days, NINE_MONTH_DAYS)]
        annuals = _latest((f for f in periods if _within(f.days, ANNUAL_DAYS)), key=lambda f: f.end)
        records = [{**q.__dict__, "derived": False, "method": "reported"} for q in quarters.values()]
        for end, fy in annuals.items():
            if end not in quarters and (q4 := _derive_q4(fy, quarters.values(), nine_months)) is not None:
                records.append(q4)
        if known and not records:
            reason = f"{taxonomy}:{tag} has no quarterly values (nor annual ones with Q1-Q3 to derive Q4)"
    records.sort(key=lambda r: r["end"])
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime([r["start"] for r in records]),
            "value": pd.Series([r["value"] for r in records], dtype="float64"),
            "derived": pd.Series([r["derived"] for r in records], dtype="bool"),
            "method": pd.Series([r["method"] for r in records], dtype="object"),
            "filed": pd.to_datetime([r["filed"] for r in records]),
            "form": pd.Series([r["form"] for r in records], dtype="object"),
            "accn": pd.Series([r["accn"] for r in records], dtype="object"),
        }
    )
    frame.index = pd.DatetimeIndex(pd.to_datetime([r["end"] for r in records]), name="end")
    frame.attrs = {"tag": tag, "taxonomy": taxonomy, "unit": unit, "as_of": when, "reason": reason}
    return frame


# ================================================================================= trailing, share


@dataclass(frozen=True)
class TrailingResult:
    """Trailing (last 4 consecutive quarters) net income of one company, or why it is unknown.

    ``status`` is ``"ok"`` (``value`` set) or ``"missing"`` (``reason`` says why; ``value`` None).
    ``latest_filed`` is the latest ``filed`` date among the four quarters (see :func:`quarterly_values`).
    """

    status: Literal["ok", "missing"]
    value: float | None = None
    period_end: pd.Timestamp | None = None
    quarters: tuple[pd.Timestamp, ...] = ()
    quarter_values: tuple[float, ...] = ()
    tag: str | None = None
    derived_q4: bool = False
    latest_filed: pd.Timestamp | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def unprofitable(self) -> bool | None:
        """``value < 0`` (zero counts as profitable); None when missing."""
        return None if self.value is None else self.value < 0

    def to_dict(self) -> dict[str, object]:
        def iso(t: pd.Timestamp | None) -> str | None:
            return None if t is None else t.strftime("%Y-%m-%d")

        return {
            "status": self.status,
            "value": self.value,
            "period_end": iso(self.period_end),
            "quarters": [iso(q) for q in self.quarters],
            "quarter_values": list(self.quarter_values),
            "tag": self.tag,
            "derived_q4": self.derived_q4,
            "latest_filed": iso(self.latest_filed),
            "reason": self.reason,
        }


def missing_result(reason: str, tag: str | None = None) -> TrailingResult:
    """A ``status="missing"`` result saying why."""
    return TrailingResult(status="missing", tag=tag, reason=reason)


def _trailing_for_tag(
    facts: Mapping[str, Any], tag: str, taxonomy: str, unit: str, when: date | None, max_age_days: int | None
) -> tuple[TrailingResult, bool]:
    """The trailing result for one tag, and whether the tag is present at all."""
    q = quarterly_values(facts, tag, taxonomy, unit, when)
    if q.empty:
        present = tag in validate_company_facts(facts)["facts"].get(taxonomy, {})
        return missing_result(str(q.attrs["reason"]), tag), present
    last = q.iloc[-4:]
    ends = [pd.Timestamp(t).date() for t in last.index]
    listed = ", ".join(map(str, ends))
    if len(last) < 4:
        at = f" filed by {when}" if when else ""
        return missing_result(f"{tag}: only {len(last)} quarter(s){at} ({listed}); 4 needed", tag), True
    for prev_end, start in zip(ends, [pd.Timestamp(t).date() for t in last["start"]][1:], strict=False):
        if not _follows(prev_end, start):
            hole = f"{prev_end + timedelta(days=1)}..{start - timedelta(days=1)}"
            return missing_result(
                f"{tag}: the latest 4 quarters are not consecutive: nothing covers {hole} (quarters {listed})",
                tag,
            ), True
    period_end = pd.Timestamp(ends[-1])
    if max_age_days is not None:
        ref = when or date.today()
        age = (ref - period_end.date()).days
        if age > max_age_days:
            return missing_result(
                f"{tag}: the latest quarter ends {period_end.date()}, {age} days before {ref} "
                f"(stale: more than {max_age_days} days)",
                tag,
            ), True
    return TrailingResult(
        status="ok",
        value=float(last["value"].sum()),
        period_end=period_end,
        quarters=tuple(pd.Timestamp(t) for t in last.index),
        quarter_values=tuple(float(v) for v in last["value"]),
        tag=tag,
        derived_q4=bool(last["derived"].any()),
        latest_filed=pd.Timestamp(last["filed"].max()),
    ), True


def trailing_net_income(
    facts: Mapping[str, Any],
    as_of: str | date | None = None,
    tags: Sequence[str] = NET_INCOME_TAGS,
    *,
    taxonomy: str = "us-gaap",
    unit: str = "USD",
    max_age_days: int | None = None,
) -> TrailingResult:
    """Sum of the last 4 consecutive fiscal quarters known on ``as_of`` (see the module rules).

    Every tag in ``tags`` is tried; of those that give a result, the one with the latest quarter
    wins (companies switch tags over time), ties going to the earlier tag in ``tags``. Otherwise
    ``status="missing"`` with the reason of each tag present, or "none of the tags" when none is.
    ``max_age_days``: also missing when the latest quarter ends more than this many days before
    ``as_of`` (today when ``as_of`` is None). Raises :class:`FormatError` only for a malformed document.
    """
    when = _as_of(as_of)
    validate_company_facts(facts)
    results = [_trailing_for_tag(facts, tag, taxonomy, unit, when, max_age_days) for tag in tags]
    ok = [r for r, _ in results if r.ok]
    if ok:
        return max(ok, key=lambda r: r.period_end or pd.Timestamp.min)  # first maximum: tag order
    present = [r for r, is_present in results if is_present]
    if not present:
        return missing_result(f"none of {', '.join(tags)} reported ({taxonomy}, {unit})")
    if len(present) == 1:
        return present[0]
    return missing_result("; ".join(r.reason for r in present))


@dataclass(frozen=True)
class ShareResult:
    """Share of members with trailing net income < 0 among the members whose value is known."""

    share: float | None  # None when no member is known
    n: int
    n_known: int
    n_unprofitable: int
    unprofitable: tuple[str, ...]
    missing: Mapping[str, str]  # member -> reason
    results: Mapping[str, TrailingResult] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per member: status, value, period_end, tag, derived_q4, reason."""
        rows = {m: r.to_dict() for m, r in self.results.items()}
        cols = ["status", "value", "period_end", "tag", "derived_q4", "latest_filed", "reason"]
        return pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("member")


def share_from_results(results: Mapping[str, TrailingResult]) -> ShareResult:
    """:class:`ShareResult` from per-member trailing results (missing ones listed with their reason)."""
    known = {m: r for m, r in results.items() if r.ok}
    losers = tuple(m for m, r in known.items() if r.unprofitable)
    return ShareResult(
        share=len(losers) / len(known) if known else None,
        n=len(results),
        n_known=len(known),
        n_unprofitable=len(losers),
        unprofitable=losers,
        missing={m: r.reason for m, r in results.items() if not r.ok},
        results=dict(results),
    )


def unprofitable_share(
    facts_by_ticker: Mapping[str, Mapping[str, Any]],
    as_of: str | date | None = None,
    *,
    tags: Sequence[str] = NET_INCOME_TAGS,
    max_age_days: int | None = None,
) -> ShareResult:
    """Share of members with trailing net income < 0, as known on ``as_of``. A member whose document
    is malformed is listed as missing (with the reason), never aborting the others."""
    results: dict[str, TrailingResult] = {}
    for member, facts in facts_by_ticker.items():
        try:
            results[member] = trailing_net_income(facts, as_of, tags, max_age_days=max_age_days)
        except FormatError as exc:
            results[member] = missing_result(f"malformed company facts: {exc.message}")
    return share_from_results(results)
