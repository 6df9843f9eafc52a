"""History: how often did leadership like today's persist? (first cut; episodes and the
walk-forward calibration are issue 6)

Every hit rate here (same-date base rate, past episodes, the theme's [[base_rates]]) leans on the
same two rules, ``[history] support_share`` and ``against_share``: catalyst at or above the first,
viral at or below the second (a base rate's ``min_rate`` in the theme replaces ``support_share`` for
that configuration, and ``against_share`` scales with it).

Base rate on the same calendar date: for each past year Y in the data, the leader - laggard spread
over the same year-to-date span as today's (Y's last close before 1 January to the last close on or
before the same month/day). When it had today's sign, the year is an episode; it *persisted* when the
spread over the following 12 months kept that sign. Only episodes whose 12 months ended on or before
the as-of date count (no look-ahead).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analytics.baserate import base_rate, period_returns
from ..analytics.episodes import HORIZONS, first_weeks, outcomes, rs_high, summarise
from ..analytics.returns import window_return
from ..evidence import Evidence, Leaning, MissingEvidence, PillarResult, finding_sentence
from ..panel import Panel
from ..rules import Rules
from ._common import cited_facts, pct, src


def shares(rules: Rules) -> tuple[float, float]:
    """(support, against): a hit rate at or above the first leans catalyst, at or below the second viral."""
    return float(rules.get("history", "support_share")), float(rules.get("history", "against_share"))


def lean_rate(rate: float, support: float, against: float) -> Leaning:
    return "catalyst" if rate >= support else ("viral" if rate <= against else "neutral")


def _rate_text(rate: float, support: float, against: float) -> str:
    if rate >= support:
        return f"at or above the {pct(support, 0, False)} that counts as support"
    if rate <= against:
        return f"at or below the {pct(against, 0, False)} that counts against"
    return f"between {pct(against, 0, False)} and {pct(support, 0, False)}"


def same_date_episodes(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp, horizon_months: int = 12
) -> pd.DataFrame:
    """One row per past year: YTD spread at the same month/day, then the spread over the next months."""
    rows = []
    first_year = max(a.dropna().index[0].year, b.dropna().index[0].year) + 1
    for y in range(first_year, as_of.year + 1):
        try:
            d = pd.Timestamp(year=y, month=as_of.month, day=as_of.day)
        except ValueError:  # 29 February
            d = pd.Timestamp(year=y, month=as_of.month, day=28)
        end = d + pd.DateOffset(months=horizon_months)
        if d >= as_of or end > as_of:
            continue
        sa, sb = window_return(a, d, "YTD").value, window_return(b, d, "YTD").value
        fa = _ret(a, d, end)
        fb = _ret(b, d, end)
        rows.append(
            {
                "year": y,
                "date": d.strftime("%Y-%m-%d"),
                "ytd_spread": sa - sb,
                "next_spread": fa - fb,
                "horizon_end": end.strftime("%Y-%m-%d"),
            }
        )
    return pd.DataFrame(rows, columns=["year", "date", "ytd_spread", "next_spread", "horizon_end"]).dropna()


def _ret(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
    s = s.dropna()
    x0 = s.loc[s.index <= start]
    x1 = s.loc[s.index <= end]
    if x0.empty or x1.empty:
        return float("nan")
    return float(x1.iloc[-1] / x0.iloc[-1] - 1)


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("history")
    res.evidence.extend(cited_facts(panel, rules, "history", res.notes))
    if panel.theme.history is not None:
        _episodes(panel, rules, res)
        _base_rates(panel, rules, res)
        return res
    for pair in panel.theme.pairs[:1]:
        _same_date_base_rate(panel, rules, res, pair)
    _base_rates(panel, rules, res)
    return res


def _same_date_base_rate(panel: Panel, rules: Rules, res: PillarResult, pair: Any) -> None:
    """The base rate of the first pair on the same calendar date (see the module)."""
    as_of = panel.as_of
    keep, fade = shares(rules)
    a, b = panel.price(pair.leader), panel.price(pair.laggard)
    if a is None or b is None:
        why = f"{pair.label}: no prices for both series"
        res.missing.append(
            MissingEvidence("history", "base-rate", why, "add price history for the first pair")
        )
        return
    now = window_return(a, as_of, "YTD").value - window_return(b, as_of, "YTD").value
    ep = same_date_episodes(a, b, as_of)
    if now != now or ep.empty:
        why = f"{pair.label}: no complete past years"
        res.missing.append(MissingEvidence("history", "base-rate", why, "use a longer price history"))
        return
    sign = 1 if now > 0 else -1
    matches = ep.loc[(ep["ytd_spread"] * sign) > 0]
    records: list[dict[str, Any]] = ep.to_dict("records")  # type: ignore[assignment]
    res.tables["episodes"] = [
        {
            **r,
            "episode": bool(r["ytd_spread"] * sign > 0),
            "persisted": bool(r["ytd_spread"] * sign > 0 and r["next_spread"] * sign > 0),
        }
        for r in records
    ]
    if len(matches) < 3:
        res.missing.append(
            MissingEvidence(
                "history",
                "base-rate",
                f"only {len(matches)} past years with the same sign of the spread",
                "use a longer price history",
            )
        )
        return
    # the narrative's side: the share of those years in which the theme's leader was ahead over the
    # next 12 months (its lead kept when it leads today, its turn come when it trails today)
    ahead = int((matches["next_spread"] > 0).sum())
    hit = ahead / len(matches)
    years = ", ".join(str(int(y)) for y in matches["year"])
    lean = lean_rate(hit, keep, fade)
    day = as_of.strftime("%d %b")
    if sign > 0:
        claim = f"when {pair.leader} led {pair.laggard} year-to-date on {day}, it kept leading over the next 12 months in most years"
        found = f"in past years when {pair.leader} led {pair.laggard} year to date on {day}, it kept leading"
    else:
        claim = (
            f"when {pair.leader} trailed {pair.laggard} year-to-date on {day}, it led over the next 12 months "
            "in most years (the narrative's turn came)"
        )
        found = f"in past years when {pair.leader} trailed {pair.laggard} year to date on {day}, it led"
    res.evidence.append(
        Evidence(
            pillar="history",
            id=f"base-rate:{pair.leader}-{pair.laggard}",
            claim=claim,
            value=hit,
            threshold=keep,
            unit="hit rate",
            leaning=lean,
            finding=finding_sentence(
                f"{found} over the next 12 months in {ahead} of {len(matches)} years ({pct(hit, 0, False)}), "
                f"{_rate_text(hit, keep, fade)}",
                lean,
            ),
            flip=_flip("hit rate", hit, keep, fade),
            source=src(panel, pair.leader, pair.laggard),
            detail=f"episode years: {years}; today's YTD spread {pct(now)}",
        )
    )


def _flip(what: str, rate: float, keep: float, fade: float) -> str:
    """What would flip a hit rate's leaning (``rate`` against the support and against shares)."""
    if rate >= keep:
        return f"{what} below {pct(keep, 0, False)}"
    if rate <= fade:
        return f"{what} above {pct(fade, 0, False)}"
    return f"{what} above {pct(keep, 0, False)} or below {pct(fade, 0, False)}"


def episode_table(
    a: pd.Series, b: pd.Series, as_of: pd.Timestamp, spec: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every candidate year/date with its measure, the episodes with their outcomes) as of ``as_of``."""
    if spec.episode == "rs_high":
        cand = rs_high(a, b, as_of, lookback=spec.lookback)
    else:
        cand = first_weeks(a, b, as_of, weeks=spec.weeks, min_spread=spec.min_spread)
    eps = cand.loc[cand["episode"]].reset_index(drop=True)
    out = outcomes(a, b, list(eps["date"]), as_of)
    return cand, pd.concat([eps.reset_index(drop=True), out.drop(columns="date")], axis=1)


def describe_episode(spec: Any, leader: str, laggard: str, frequency: str = "D") -> str:
    if spec.episode == "rs_high":
        return f"{leader}/{laggard} at a {spec.lookback}-observation high"
    span = f"the first {spec.weeks} weeks" if frequency in ("D", "W") else "January (monthly data)"
    return (
        f"{leader} ahead of {laggard} by more than {pct(spec.min_spread, 1, False)} over {span} of the year"
    )


def _episodes(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """Past episodes of the theme's configuration and how often the leadership persisted."""
    theme, as_of, spec = panel.theme, panel.as_of, panel.theme.history
    assert spec is not None
    if not theme.pairs:
        return
    pair = theme.pairs[0]
    a, b = panel.price(pair.leader), panel.price(pair.laggard)
    if a is None or b is None:
        res.missing.append(
            MissingEvidence(
                "history", "episodes", f"{pair.label}: no prices for both series", "add price history"
            )
        )
        return
    cand, eps = episode_table(a, b, as_of, spec)
    what = describe_episode(spec, pair.leader, pair.laggard, panel.prices[pair.leader].meta.frequency)
    res.tables["episodes"] = [
        {
            "year": int(r["year"]),
            "date": pd.Timestamp(r["date"]).strftime("%Y-%m-%d"),
            "measure": None if r["spread"] != r["spread"] else float(r["spread"]),
            **{h: (None if r[h] != r[h] else float(r[h])) for h in (*HORIZONS, "rest_of_year")},
        }
        for r in eps.to_dict("records")
    ]
    stats_rows = summarise(eps)
    res.tables["episode_outcomes"] = [s.to_dict() for s in stats_rows]
    now = _this_episode(cand, spec, as_of)
    is_episode = bool(len(now) and now["episode"].iloc[-1])
    res.notes.append(
        f"episodes ({what}): {len(eps)} in {cand['year'].min() if len(cand) else '-'}-{cand['year'].max() if len(cand) else '-'}"
        + (
            f"; this year's measure {pct(float(now['spread'].iloc[-1]))}"
            if spec.episode == "first_weeks" and len(now)
            else ""
        )
    )
    if not is_episode:
        res.notes.append(f"today is not an episode ({what}): the episode record is context only")
        return
    past = eps.loc[pd.to_datetime(eps["date"]) < as_of - pd.Timedelta(days=7)]
    s12 = next(s for s in summarise(past) if s.horizon == "12M")
    if s12.n < 3:
        res.missing.append(
            MissingEvidence(
                "history",
                "episodes",
                f"only {s12.n} past episodes with a complete 12-month outcome ({what})",
                "use a longer price history (the bundled Ken French data go back decades)",
            )
        )
        return
    rest = next(s for s in stats_rows if s.horizon == "rest_of_year")
    res.evidence.append(_episode_evidence(panel, rules, pair, what, past, s12, rest))


def _this_episode(cand: pd.DataFrame, spec: Any, as_of: pd.Timestamp) -> pd.DataFrame:
    """The candidate rows that describe today: this year's (first weeks, and only shortly after they
    are measured) or the last week's (a relative-strength high)."""
    if spec.episode != "first_weeks":
        return cand.loc[cand["date"] >= as_of - pd.Timedelta(days=7)]
    now = cand.loc[cand["year"] == as_of.year]
    if len(now):
        # the configuration describes the start of a year: it is "today's" only shortly after it is measured
        now = now.loc[pd.to_datetime(now["date"]) >= as_of - pd.Timedelta(days=60)]
    return now


def _episode_evidence(
    panel: Panel, rules: Rules, pair: Any, what: str, past: pd.DataFrame, s12: Any, rest: Any
) -> Evidence:
    """The evidence of past episodes: how often the leader kept leading over the next 12 months."""
    keep, fade = shares(rules)
    lean = lean_rate(s12.rate, keep, fade)
    years = ", ".join(str(int(y)) for y in past["year"])
    return Evidence(
        pillar="history",
        id=f"episodes:{pair.leader}-{pair.laggard}",
        claim=(
            f"after past episodes ({what}), {pair.leader} kept leading over the next 12 months in most of them"
        ),
        value=s12.rate,
        threshold=keep,
        unit="hit rate",
        leaning=lean,
        finding=finding_sentence(
            f"after {s12.n} past episodes ({what}), {pair.leader} kept leading {pair.laggard} over the next "
            f"12 months in {s12.hits} ({pct(s12.rate, 0, False)}), {_rate_text(s12.rate, keep, fade)}",
            lean,
        ),
        flip=_flip("hit rate", s12.rate, keep, fade),
        source=src(panel, pair.leader, pair.laggard),
        detail=(
            f"95% interval {pct(s12.ci_low, 0, False)}-{pct(s12.ci_high, 0, False)}; median 12-month spread "
            f"{pct(s12.median)}; rest of year: ahead in {rest.hits} of {rest.n}, mean {pct(rest.mean)}; "
            f"episode years: {years}"
        ),
    )


def _long_history(panel: Panel, ids: list[str]) -> tuple[dict[str, pd.Series], str] | None:
    """The same series from the bundled long history (through the theme's bundled mapping), as known
    on the as-of date (:class:`~hypecheck.known.KnownView`, the panel's cut); None when the check
    already runs on the bundled data or there is no mapping."""
    mapping = panel.theme.mappings.get("bundled")
    if panel.source == "bundled" or mapping is None:
        return None
    from ..data.bundled import bundled_series
    from ..known import KnownView
    from ..schema import Catalog

    view = KnownView(Catalog("bundled"), panel.as_of)
    out = {}
    for i in ids:
        found = bundled_series("price", mapping.series.get(i, i))  # reads only the dataset holding it
        if found is None:
            return None
        out[i] = view.cut(found).data.values
    names = ", ".join(f"{i} = {mapping.series.get(i, i)}" for i in ids)
    return out, f"bundled long history ({names})"


def _base_rates(panel: Panel, rules: Rules, res: PillarResult) -> None:
    """The theme's [[base_rates]]: each configuration counted over complete periods of the data, and
    again over the bundled long history when the check runs on other data."""
    for spec in panel.theme.base_rates:
        ids = spec.series()
        closes = {i: panel.price(i) for i in ids}
        gone = [i for i, s in closes.items() if s is None]
        if gone:
            res.missing.append(
                MissingEvidence(
                    "history",
                    f"base-rate:{spec.id}",
                    f"{spec.claim}: {panel.why_missing('price', gone[0])}",
                    f"add price history for {', '.join(gone)}",
                )
            )
            continue
        runs = _base_rate_runs(panel, spec, {i: s for i, s in closes.items() if s is not None})
        for where, br in runs:
            res.tables.setdefault("base_rates", []).append(
                {
                    "id": spec.id,
                    "history": where,
                    "periods": f"{br.first}-{br.last}" if br.n else "",
                    "n": br.n,
                    "count": br.count,
                    "hit_rate": None if br.n == 0 else br.hit_rate,
                    "matches": ", ".join(map(str, br.matches)),
                    "then_rate": None if br.then_rate != br.then_rate else br.then_rate,
                }
            )
        note = _agreement(spec, runs)
        if note:
            res.notes.append(note)
        if runs[0][1].n == 0:
            res.missing.append(
                MissingEvidence(
                    "history",
                    f"base-rate:{spec.id}",
                    f"{spec.claim}: no complete {spec.period} periods with every series",
                    "use longer price history",
                )
            )
            continue
        res.evidence.append(_base_rate_evidence(panel, rules, spec, ids, runs))


def _base_rate_runs(panel: Panel, spec: Any, closes: dict[str, pd.Series]) -> list[tuple[str, Any]]:
    """``(where, base rate)`` of one [[base_rates]] configuration: over this data (its last periods,
    then every period), then over the bundled long history when the check runs on other data."""
    rets = period_returns(closes, panel.as_of, spec.period)
    runs = [("this data", base_rate(rets, spec.when, spec.then, spec.last, spec.period))]
    if spec.last is not None:
        runs.append(("this data, every period", base_rate(rets, spec.when, spec.then, None, spec.period)))
    long = _long_history(panel, spec.series())
    if long is not None:
        lrets = period_returns(long[0], panel.as_of, spec.period)
        if spec.last is not None:
            runs.append((long[1], base_rate(lrets, spec.when, spec.then, spec.last, spec.period)))
        runs.append((long[1] + ", every period", base_rate(lrets, spec.when, spec.then, None, spec.period)))
    return runs


def _agreement(spec: Any, runs: list[tuple[str, Any]]) -> str | None:
    """Where this data and the long history agree over the periods both cover (None without both)."""
    full = [r for w, r in runs if w.endswith("every period") or (w == "this data" and spec.last is None)]
    if not (len(full) == 2 and full[0].n and full[1].n):
        return None
    both = sorted(set(full[0].periods) & set(full[1].periods), key=str)
    a, b = set(full[0].matches), set(full[1].matches)
    diff = [p for p in both if (p in a) != (p in b)]
    if not both:
        return None
    return f"{spec.id}: over the {len(both)} periods both histories cover ({both[0]}-{both[-1]}), " + (
        "they agree on every period"
        if not diff
        else "they differ in "
        + ", ".join(f"{p} ({'this data' if p in a else 'long history'} only)" for p in diff)
        + "; the long history's series are proxies (see the mapping), so sector definitions differ"
    )


def _base_rate_evidence(
    panel: Panel, rules: Rules, spec: Any, ids: list[str], runs: list[tuple[str, Any]]
) -> Evidence:
    """The evidence of one configuration's base rate on this data (the other runs in the detail)."""
    support, against = shares(rules)
    br = runs[0][1]
    # the theme's min_rate, when given, replaces the support share; the against share scales with it
    need = spec.min_rate if spec.min_rate is not None else support
    low = against if spec.min_rate is None else spec.min_rate * against / support
    lean = lean_rate(br.hit_rate, need, low)
    unit_word = "years" if spec.period == "A" else "periods"
    others = [
        f"{where}: {r.count} of {r.n} ({r.first}-{r.last})"
        + (f": {', '.join(map(str, r.matches))}" if r.matches else "")
        for where, r in runs[1:]
        if r.n
    ]
    return Evidence(
        pillar="history",
        id=f"base-rate:{spec.id}",
        claim=f"{spec.claim}: common enough (in at least {pct(need, 0, False)} of {unit_word})",
        value=br.hit_rate,
        threshold=need,
        unit="share of periods",
        leaning=lean,
        finding=finding_sentence(
            f"the configuration ({' and '.join(spec.when)}) held in {br.count} of {br.n} {unit_word} "
            f"({br.first}-{br.last}): {pct(br.hit_rate, 0, False)}, {_rate_text(br.hit_rate, need, low)}",
            lean,
        ),
        flip=(
            f"the configuration in fewer than {pct(need, 0, False)} of periods"
            if lean == "catalyst"
            else f"the configuration in more than {pct(low, 0, False)} of periods"
            if lean == "viral"
            else f"the configuration in at least {pct(need, 0, False)} or at most {pct(low, 0, False)} of periods"
        ),
        source=src(panel, *ids),
        detail=f"when {' and '.join(spec.when)}: "
        + (", ".join(map(str, br.matches)) or "no period")
        + ("; " + "; ".join(others) if others else ""),
    )


def _spike_known(panel: Panel, term: str, d: pd.Timestamp) -> pd.Timestamp:
    """When the search value of ``term`` dated ``d`` became known: the one rule of
    :func:`hypecheck.known.known_dates`, decided on the stamps of the panel's series (a monthly value
    at its month's end, a week stamped on its Sunday at its Saturday)."""
    from ..known import known_dates

    if term not in panel.search:
        return d.normalize()
    sd = panel.search[term][0]
    idx = pd.DatetimeIndex(sd.values.index)
    pos = int(idx.get_indexer(pd.DatetimeIndex([d]))[0]) if d in idx else -1
    known = known_dates(sd.meta, idx)[pos] if pos >= 0 else known_dates(sd.meta, pd.DatetimeIndex([d]))[0]
    return pd.Timestamp(known).normalize()


def add_spike_episodes(pillars: dict[str, PillarResult], panel: Panel) -> None:
    """Attention-spike episodes with and without breadth confirmation (a cross-pillar step, run after
    the pillars): every search spike the attention pillar found, dated when its period ended (a
    monthly value is known at the month's end), marked *confirmed* when the first equal- minus
    cap-weight pair's spread over the month before was positive, with the first price pair's spread
    1, 3, 6 and 12 months after. The split tells whether spikes that came with broad participation
    were followed by more persistent leadership than spikes that did not."""
    hist, att = pillars.get("history"), pillars.get("attention")
    theme, as_of = panel.theme, panel.as_of
    if hist is None or att is None or not theme.pairs or not theme.breadth_pairs:
        return
    spikes = att.tables.get("spikes", [])
    p, bp = theme.pairs[0], theme.breadth_pairs[0]
    a, b = panel.price(p.leader), panel.price(p.laggard)
    eq, cap = panel.price(bp.equal), panel.price(bp.cap)
    if not spikes or a is None or b is None or eq is None or cap is None:
        return
    rows = []
    for sp in spikes:
        known = _spike_known(panel, sp["term"], pd.Timestamp(sp["date"]))
        if known > as_of:
            continue
        before = known - pd.DateOffset(months=1)
        conf = outcomes(eq, cap, [before], known, horizons=("1M",))["1M"].iloc[0]
        out = outcomes(a, b, [known], as_of).iloc[0]
        rows.append(
            {
                "term": sp["term"],
                "spike": sp["date"],
                "known": known.strftime("%Y-%m-%d"),
                "breadth_1m_before": None if conf != conf else float(conf),
                "confirmed": None if conf != conf else bool(conf > 0),
                **{h: (None if out[h] != out[h] else float(out[h])) for h in HORIZONS},
            }
        )
    if not rows:
        return
    hist.tables["spike_episodes"] = rows
    parts = []
    for flag, word in ((True, "with"), (False, "without")):
        sel = [r["12M"] for r in rows if r["confirmed"] is flag and r["12M"] is not None]
        if sel:
            k = sum(1 for x in sel if x > 0)
            parts.append(
                f"{word} breadth confirmation: {p.leader} ahead 12 months later after {k} of {len(sel)}"
            )
    if parts:
        hist.notes.append(
            f"attention-spike episodes ({bp.equal} - {bp.cap} over the month before): " + "; ".join(parts)
        )
