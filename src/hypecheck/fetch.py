"""``hypecheck fetch``: bring a theme's series from the live providers into the store.

For every series the theme names (prices from Yahoo, macro series from FRED, search terms from
Google Trends), the fetch skips what is fresh (stored by that provider within ``max_age``: values
brought in by ``hypecheck import`` are never fresh), otherwise runs the
provider's three steps (query, fetch, standardize), validates the result at the boundary
(:mod:`hypecheck.validation`: count in = count stored + count rejected, with reasons) and writes it
in one transaction. A failure is recorded with its reason and the fetch goes on; once the network is
found to be down, the remaining series are skipped as "offline" instead of each waiting through its
own retries. Nothing already stored is ever removed.

The store is checked before anything is fetched (:meth:`Store.verify`): a damaged, foreign, newer or
read-only store stops the fetch at once with a :class:`~hypecheck.store.StoreError` instead of failing
once per series. :func:`not_fetched` lists what a run did not bring in (failed, or skipped because the
network was down): ``hypecheck fetch`` exits 5 when it is not empty. Reasons are scrubbed of secrets.
Each :class:`Item` keeps the *type* of the error that stopped it (``Item.error``, one of
:mod:`hypecheck.errors`): callers decide from the type (:func:`is_offline`), never from the text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .data.registry import connector_for, get_provider
from .data.transport import scrub
from .errors import HypecheckError, NoDataError, OfflineError
from .store import Store, StoreError
from .theme import Theme
from .validation import validate

NOT_FETCHABLE_PREFIXES = ("shiller:", "cape:", "ff:", "arch:", "sm:", "skf:")


@dataclass
class Item:
    """One series of a fetch. ``error``: the type of the error that failed it (``status == "failed"``)
    or, for a series skipped because the network was found down earlier in the run,
    :class:`~hypecheck.errors.OfflineError`; None otherwise. ``reason`` is the text for people."""

    kind: str
    id: str
    provider: str
    options: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"  # fetched / skipped / failed
    reason: str = ""
    rows_in: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    validation: str = ""
    error: type[HypecheckError] | None = None

    @property
    def offline(self) -> bool:
        """Not fetched because the network could not be reached (timeouts included)."""
        return self.error is not None and issubclass(self.error, OfflineError)


def plan(theme: Theme) -> list[Item]:
    """What a fetch of ``theme`` asks for, in order; each series goes to the connector the registry
    routes its kind to (:func:`hypecheck.data.registry.connector_for`)."""
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, id: str, **opts: Any) -> None:
        if (kind, id) in seen:
            return
        seen.add((kind, id))
        items.append(Item(kind, id, connector_for(kind), dict(opts)))

    for t in theme.tickers():
        add("price", t)
    for m in theme.macro:
        add("macro", m.id)
    for f in theme.fundamentals:
        add("macro", f.id)
    for term in theme.terms:
        add("search", term, geo=getattr(theme, "geo", "") or "US")
    news = _news_connector()
    for term in theme.terms if news is not None else ():
        # news volume stands in for search interest: fetched only for a term whose search data is
        # neither fetched in this run nor in the store (see fetch_theme)
        items.append(Item("news", term, str(news), {FALLBACK: "search"}))
    for t in getattr(theme, "earnings", ()):  # [events] earnings: the reports, EPS estimate and actual
        add("earnings", t)
    return items


FALLBACK = "fallback_for"


def _news_connector() -> str | None:
    try:
        return connector_for("news")
    except HypecheckError:
        return None


def _needed(it: Item, items: list[Item], store: Store) -> str | None:
    """Why a fallback item is not needed (None when it is): its primary series was fetched in this
    run or is in the store."""
    kind = it.options.get(FALLBACK)
    if kind is None:
        return None
    if any(i.kind == kind and i.id == it.id and i.status == "fetched" for i in items):
        return f"{kind} data for it fetched in this run; news volume is fetched only where it is missing"
    if store.info(kind, it.id):
        return f"{kind} data for it in the store; news volume is fetched only where it is missing"
    return None


def fetch_theme(
    theme: Theme,
    store: Store,
    *,
    since: dt.date | None = None,
    max_age: dt.timedelta = dt.timedelta(hours=12),
    providers: Mapping[str, Any] | None = None,
    progress: Callable[[Item], None] | None = None,
    pulls: int = 1,
    now: dt.datetime | None = None,
) -> list[Item]:
    """Fetch every stale series of ``theme`` into ``store``; returns one :class:`Item` per series."""
    run_id = uuid.uuid4().hex[:12]
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cache: dict[str, Any] = dict(providers or {})
    offline = False
    items = plan(theme)
    store.verify(write=True)  # a store we cannot write into stops the fetch before any request
    for it in items:
        skip = _needed(it, items, store)
        if skip:
            it.status, it.reason = "skipped", skip
            if progress is not None:
                progress(it)
            continue
        try:
            _one(it, store, since, max_age, cache, get_provider, run_id, pulls, now, offline)
        except StoreError:
            raise  # the store itself failed: no point going on series by series
        except HypecheckError as exc:
            it.status, it.reason, it.error = "failed", scrub(exc.message), type(exc)
            offline = offline or it.offline
            store.log_failure(it.kind, it.id, it.provider, it.reason, run_id)
        if progress is not None:
            progress(it)
    return items


def _skip(it: Item, store: Store, info: Any, max_age: dt.timedelta, now: dt.datetime, offline: bool) -> bool:
    """Mark ``it`` skipped when it needs no request (fresh, or the network found down)."""
    # fresh: fetched from this series' own provider within max_age (an import of files is no fetch:
    # its values carry the import time but may end months ago)
    fetched = store.last_fetched(it.kind, it.id, it.provider) if info else None
    if fetched is not None and now - fetched < max_age:
        age = now - fetched
        it.status, it.reason = "skipped", f"fresh (fetched {int(age.total_seconds() // 60)} min ago)"
        return True
    if offline:
        it.status, it.reason = "skipped", "offline (the network was unreachable earlier in this run)"
        it.error = OfflineError
        return True
    return False


def _one(
    it: Item,
    store: Store,
    since: dt.date | None,
    max_age: dt.timedelta,
    cache: dict[str, Any],
    get_provider: Callable[..., Any],
    run_id: str,
    pulls: int,
    now: dt.datetime,
    offline: bool,
) -> None:
    if it.id.startswith(NOT_FETCHABLE_PREFIXES):
        it.status, it.reason = "skipped", "no live provider for this series (it comes from a data file)"
        return
    info = store.info(it.kind, it.id)
    if _skip(it, store, info, max_age, now, offline):
        return
    if it.provider not in cache:
        cache[it.provider] = get_provider(it.provider)
    prov = cache[it.provider]
    start = since
    if start is None and info and info.get("last"):
        start = info["last"] - dt.timedelta(days=10)  # overlap to pick up revisions of recent values
    opts = {k: v for k, v in it.options.items() if k != FALLBACK}
    if it.kind == "search" and pulls > 1:
        opts["pulls"] = pulls
    q = prov.query(it.id, start, None, **opts)
    raw = prov.fetch(q)
    series = prov.standardize(raw)
    if not series:
        it.status, it.reason = "failed", f"{it.provider} returned no data for {it.id}"
        it.error = NoDataError
        store.log_failure(it.kind, it.id, it.provider, it.reason, run_id)
        return
    for s in series:
        _store_one(it, s, prov, start, store, run_id)
    it.status = "fetched"


def _store_one(it: Item, s: Any, prov: Any, start: dt.date | None, store: Store, run_id: str) -> None:
    """Validate one fetched series and write it with its vintages; the counts added to ``it``."""
    from .schema import SeriesData

    clean, rep = validate(s.values, kind="price" if it.kind == "price" else "macro", id=s.meta.id)
    data = SeriesData(s.meta, clean, None if s.flags is None else s.flags.reindex(clean.index), s.pulls)
    # per-value vintages: FRED's realtime_start (FredSeries.realtime), else the series' own vintages
    # or the fetch date (Store.write decides)
    realtime = getattr(s, "realtime", None)
    vintage = (
        pd.to_datetime(realtime["realtime_start"]).reindex(clean.index)
        if isinstance(realtime, pd.DataFrame) and "realtime_start" in realtime
        else None
    )
    if it.kind == "macro" and vintage is not None and hasattr(prov, "vintages_frame"):
        # every vintage FRED holds (ALFRED), so a check as of a past date sees what was published
        # then, revisions included; a value the frame lacks keeps its own realtime_start
        frame = prov.vintages_frame(it.id, start)
        if frame is not None:
            frame = frame.reindex(clean.index)
            for d in clean.index[frame.isna().all(axis=1).to_numpy()]:
                if pd.notna(vintage.loc[d]):
                    frame.loc[d, pd.Timestamp(vintage.loc[d])] = float(clean.loc[d])
            frame = frame.sort_index(axis=1)
            data = SeriesData(data.meta, clean, data.flags, data.pulls, frame)
            vintage = None
    res = store.write(
        data,
        vintage=vintage,
        rows_in=rep.rows_in,
        rows_rejected=len(rep.rejected),
        provider=it.provider,
        run_id=run_id,
    )
    it.rows_in += rep.rows_in
    it.rows_stored += res.rows_stored
    it.rows_rejected += len(rep.rejected)
    it.validation = rep.summary()


def is_offline(items: list[Item]) -> bool:
    """Did this fetch find the network down (as opposed to a provider refusing one series)? Decided
    from each item's error type (:class:`~hypecheck.errors.OfflineError` and its subclasses)."""
    return any(i.offline for i in items)


def not_fetched(items: list[Item]) -> list[Item]:
    """The series a run should have brought in and did not: failed, or skipped because the network
    was found down (series fresh in the store or not fetchable at all are not counted)."""
    return [i for i in items if i.status == "failed" or (i.status == "skipped" and i.offline)]


def summary(items: list[Item]) -> str:
    n = {k: sum(1 for i in items if i.status == k) for k in ("fetched", "skipped", "failed")}
    lines = [f"fetched {n['fetched']}, skipped {n['skipped']}, failed {n['failed']} of {len(items)} series"]
    for i in items:
        detail = (
            f"{i.rows_stored} new/changed of {i.rows_in} rows"
            + (f", {i.rows_rejected} rejected" if i.rows_rejected else "")
            if i.status == "fetched"
            else i.reason
        )
        lines.append(f"  {i.status:<8} {i.kind:<7} {i.id:<28} {detail}")
    return "\n".join(lines)
