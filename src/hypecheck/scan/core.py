"""``hypecheck scan``: which narratives are alive as of a date, across a whole universe of pairs.

For a universe (default: the lab's ETF universe ``etf.toml`` for a data folder or the store, the Ken
French one for the bundled data; or a file laid out like it, or a *member* universe, see
:mod:`hypecheck.scan.members`) and a date ``D``:

1. the universe's panel of past narratives: the lab's (:func:`~hypecheck.lab.history.build_history`)
   for the standard universe, and for any other (a member universe of thousands of stocks) the same
   panel computed every pair at once (:mod:`hypecheck.scan.panel`, :mod:`hypecheck.scan.wide`): every
   pair's causal features for every date, births of narratives as :func:`~hypecheck.lab.features.detect`
   finds them; local or one Dask task per block of pairs, disk-cached. Births dated
   ``<= D`` depend only on closes dated ``<= D`` (every window ends at its row, and the 3-month gap
   between births looks back only), so the panel built once serves every ``D``;
2. a narrative is *live* at ``D`` when it is its pair's latest birth on or before ``D``, born in the
   last :data:`LOOKBACK_MONTHS` months, with some of its move still kept (the leader ahead of where
   the move began); the others born in that window have given their move back and are listed apart
   (``given_back``), never as leads. Each live narrative gets its fade test and the random walk's 80% range
   (:mod:`hypecheck.lab.fade`), the same a ``check`` of the pair gives;
3. each live narrative gets the same verdict a ``hypecheck check`` of that pair as of ``D`` gives
   (:func:`hypecheck.lab.verdict.panel_verdict`): its features at ``D`` in the leader's view
   (:func:`~hypecheck.lab.verdict.theme_features`), the panel model fitted once on every past
   narrative whose outcome was known by ``D`` (same features, prior, bootstrap seed, so the same
   probability and interval), the walk-forward record known at ``D`` and the label it allows
   ("no skill shown" unless that record beats the base rate and trailing momentum), and its *drivers*:
   the two ledger items that move the probability most;
4. rows are ranked by how unusual the move is, ``|sharpness|`` at ``D``.

Steps 2 and 3 measure every candidate pair at once (:mod:`hypecheck.scan.live`: the leader's features,
fade test and range of a ``check`` as of ``D``, the same values; tested against those functions).

The model's panel is the scanned universe's own when it has at least
:data:`~hypecheck.lab.model.MIN_TRAIN` narratives with known outcomes by ``D``, else the catalog's
standard panel (the one ``check`` uses); ``ScanResult.model_panel`` names it.

What changed: :mod:`hypecheck.scan.store` keeps each scan in the store and compares.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._blas import one_blas_thread
from ..errors import InputError, NoDataError
from ..known import parse_as_of
from ..lab import features as F
from ..lab import model as M
from ..lab.history import History, Universe, load_universe, pair_inputs
from ..lab.run import ModelAt, model_at  # the one as-of model fit (check, scan, record)
from ..schema import Catalog

LIVE_DAYS = 30  # trading days since birth for a narrative to count as newly born (scanstore's "born")
LOOKBACK_MONTHS = 12  # a narrative born longer ago is a trend, not a narrative (as the fade test)
SPARK_DAYS = 63  # trading days of relative strength kept for a sparkline (three months)
DRIVERS = 2


@dataclass
class Narrative:
    """One live narrative: ``leader`` moved ahead of ``laggard``; measurements as of the scan date."""

    leader: str
    laggard: str
    group: str
    born: pd.Timestamp
    age_days: int  # trading days of the pair from the birth to the scan date
    sharpness: float  # leader's 15-day move at the scan date, in deviations of the pair's noise
    born_sharpness: float  # the same at the birth
    move: float  # leader minus laggard return over the move window ending at the scan date
    move_days: int
    since_birth: float  # leader minus laggard return from the birth's close to the scan date's
    p: float
    p_interval: tuple[float, float]
    base_rate: float
    momentum_p: float
    label: str
    model_label: str
    drivers: list[dict[str, Any]]
    evidence: dict[str, float | None]
    rs: list[float]  # leader / laggard over the last SPARK_DAYS rows, rebased to 1 at the first
    rs_start: pd.Timestamp | None = None
    reason: str = ""  # why there is no probability (empty when there is one)
    period: str = "trading day"  # the unit of ``age_days`` and ``move_days`` (month for monthly data)
    attention: dict[str, Any] | None = None  # the leader's term: search interest, else news volume
    fade: Any = None  # hypecheck.lab.fade.Fade: the narrative against the random walk so far
    range: Any = None  # hypecheck.lab.fade.Range: the random walk's 80% range over the horizon

    @property
    def key(self) -> str:
        return f"{self.leader}-{self.laggard}"

    @property
    def fade_label(self) -> str:
        return self.fade.label if self.fade is not None else "insufficient data"

    def sentence(self, horizon: int) -> str:
        """The narrative in measurements: what was found first (the fade test, the range), then the
        move of the last weeks, the panel model's probability and its label."""
        unit = self.period
        verb = "led" if self.move >= 0 else "trailed"
        head = self.fade.sentence() if self.fade is not None else f"{self.leader}'s lead over {self.laggard}"
        rng = ""
        if self.range is not None:
            r = self.range
            rng = (
                f"; {r.level:.0%} range for the next {r.months} months: {100 * math.expm1(r.lo):+.0f}% to "
                f"{100 * math.expm1(r.hi):+.0f}%"
            )
        move = (
            f"; over the last {self.move_days} {unit}{'s' if self.move_days != 1 else ''} {self.leader} {verb} "
            f"{self.laggard} by {abs(self.move):.1%} ({self.sharpness:+.1f} sd), {abs(self.since_birth):.1%} "
            f"{'ahead' if self.since_birth >= 0 else 'behind'} since the birth, {self.age_days} "
            f"{unit}{'s' if self.age_days != 1 else ''} ago"
        )
        if math.isnan(self.p):
            return f"{head}{rng}{move}; no probability: {self.reason}"
        lo, hi = self.p_interval
        return (
            f"{head}{rng}{move}; panel model: {self.p:.0%} probability the lead persists {horizon} months "
            f"(95% interval {lo:.0%}-{hi:.0%}, base rate {self.base_rate:.0%}): {self.label}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "leader": self.leader,
            "laggard": self.laggard,
            "group": self.group,
            "born": f"{self.born:%Y-%m-%d}",
            "age_days": self.age_days,
            "sharpness": _c(self.sharpness),
            "born_sharpness": _c(self.born_sharpness),
            "move": _c(self.move),
            "move_days": self.move_days,
            "since_birth": _c(self.since_birth),
            "p": _c(self.p),
            "p_interval": [_c(self.p_interval[0]), _c(self.p_interval[1])],
            "base_rate": _c(self.base_rate),
            "momentum_p": _c(self.momentum_p),
            "label": self.label,
            "model_label": self.model_label,
            "drivers": self.drivers,
            "evidence": self.evidence,
            "rs": [round(x, 6) for x in self.rs],
            "rs_start": None if self.rs_start is None else f"{self.rs_start:%Y-%m-%d}",
            "reason": self.reason,
            "period": self.period,
            "attention": self.attention,
            "fade": self.fade.to_dict() if self.fade is not None else None,
            "fade_label": self.fade_label,
            "range": self.range.to_dict() if self.range is not None else None,
            "headline": self.sentence_head(),
        }

    def sentence_head(self) -> str:
        """The row's first words: the fade finding (what was found), never the model's label."""
        return self.fade.sentence() if self.fade is not None else f"{self.leader}'s lead over {self.laggard}"


@dataclass
class ScanResult:
    as_of: pd.Timestamp
    universe: str
    universe_version: str
    universe_origin: str
    source: str
    horizon: int
    model_panel: str
    n_fit: int
    base_rate: float
    record: dict[str, Any]
    shows_skill: bool
    pairs_scanned: int
    narratives: list[Narrative]
    skipped: list[str] = field(default_factory=list)
    live_days: int = LIVE_DAYS
    changes: Any = None  # a scanstore.Changes once compared with a stored scan
    stored: str = ""  # what happened to this scan in the store (saved, or why not)
    data_key: str = ""
    universe_spec: Any = None  # the Universe scanned (for theme_toml; not in the JSON)
    closes_from: pd.Timestamp | None = None  # the first date of the universe's closes (not in the JSON)
    period: str = "trading day"  # the unit of ages and of the live window (month for monthly data)
    given_back: list[str] = field(default_factory=list)  # births in the window whose leader now trails

    def find(self, leader: str, laggard: str) -> Narrative | None:
        return next((n for n in self.narratives if n.leader == leader and n.laggard == laggard), None)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "as_of": f"{self.as_of:%Y-%m-%d}",
            "universe": {
                "name": self.universe,
                "version": self.universe_version,
                "origin": self.universe_origin,
                "pairs_scanned": self.pairs_scanned,
                "skipped": self.skipped,
            },
            "source": self.source,
            "horizon": f"{self.horizon}M",
            "live_days": self.live_days,
            "period": self.period,
            "model": {
                "panel": self.model_panel,
                "n_fit": self.n_fit,
                "base_rate": _c(self.base_rate),
                "shows_skill": self.shows_skill,
                "record": self.record,
                "skill_sentence": self.skill_sentence(),
            },
            "narratives": [n.to_dict() for n in self.narratives],
            "given_back": self.given_back,
        }
        if self.changes is not None:
            d["changes"] = self.changes.to_dict()
        if self.stored:
            d["stored"] = self.stored
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False)

    def skill_sentence(self) -> str:
        r = self.record
        if not r.get("n"):
            return "the panel model has no out-of-sample record yet (too few past narratives with known outcomes)"
        head = (
            "the panel model has shown skill beyond the base rate and trailing momentum"
            if self.shows_skill
            else "NO SKILL SHOWN: the panel model has not beaten "
            + ("the base rate" if not _gt0(r.get("ci_bss_base")) else "trailing momentum")
            + ", so no narrative gets a label"
        )
        return (
            f"{head} (walk-forward record known at {self.as_of:%Y-%m-%d} on {r['n']:,} past narratives: "
            f"Brier skill {_num(r.get('bss_base'))} vs the base rate, 95% CI {_num(r['ci_bss_base'][0])} to "
            f"{_num(r['ci_bss_base'][1])}; {_num(r.get('bss_momentum'))} vs trailing momentum, "
            f"{_num(r['ci_bss_momentum'][0])} to {_num(r['ci_bss_momentum'][1])})"
        )

    def summary(self) -> str:
        """The terminal's text (what ``hypecheck scan`` prints): ``to_summary().text()``."""
        return str(self.to_summary().text())

    def __str__(self) -> str:
        return self.summary()

    def to_summary(self) -> Any:
        """The scan as one :class:`~hypecheck.summary.Summary` (text, HTML, ``_repr_html_``)."""
        from ..summary import of_scan

        return of_scan(self, LOOKBACK_MONTHS)

    def _repr_html_(self) -> str:
        return str(self.to_summary().html())


def _c(x: Any) -> Any:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, 6)


def _gt0(ci: Any) -> bool:
    return bool(ci) and ci[0] is not None and ci[0] > 0


def _num(x: Any) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:+.3f}"


# ------------------------------------------------------------------------------------------ helpers
def default_universe(catalog: Catalog) -> str:
    return "ken-french" if getattr(catalog, "source", "") == "bundled" else "etf"


def horizon_months(rules: Any = None) -> int:
    from ..lab.run import parse_horizon
    from ..rules import load_rules

    rl = rules if rules is not None and not isinstance(rules, str | Path) else load_rules(rules)
    try:
        return parse_horizon(rl.get("verdict", "horizon"))
    except InputError:
        return 6


def _standard_history(catalog: Catalog, engine: str, scheduler: str | None) -> History:
    from ..lab.run import history_for

    src = "bundled" if getattr(catalog, "source", "") == "bundled" else "files"
    return history_for(catalog, src, engine=engine, scheduler=scheduler)


SHIPPED_UNIVERSES = ("etf", "ken-french", "kenfrench")  # the names load_universe reads from the package


def resolve_universe(catalog: Catalog, universe: str | Path | Universe | None) -> tuple[Universe, Catalog]:
    """The universe to scan and the catalog holding its closes (a member universe brings its own)."""
    from .members import LONG_SUFFIXES, is_member_file, load_member_universe, read_universe_toml

    if isinstance(universe, Universe):
        return universe, catalog
    if universe is None:
        return load_universe(default_universe(catalog)), catalog
    p = Path(universe)
    if str(universe) not in SHIPPED_UNIVERSES and p.suffix.lower() not in LONG_SUFFIXES and p.is_file():
        read_universe_toml(p)  # size and nesting bounded before any reader parses it as TOML
    if is_member_file(universe):
        return load_member_universe(universe, catalog)
    return load_universe(universe), catalog


# --------------------------------------------------------------------------------------------- scan
@one_blas_thread
def scan(
    catalog: Catalog,
    as_of: str | pd.Timestamp | None = None,
    universe: str | Path | Universe | None = None,
    *,
    scheduler: str | None = None,
    engine: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    horizon: int | None = None,
    live_days: int = LIVE_DAYS,
) -> ScanResult:
    """Scan ``universe`` (default: the catalog's standard panel universe) for live narratives as of
    ``as_of`` (default: the last date of the universe's closes). See the module.

    ``engine``: ``"local"`` (default) or ``"dask"`` (implied by ``scheduler``, a running Dask scheduler's
    address; without one a local cluster). ``progress(fraction, stage)`` is called between stages."""

    def say(f: float, stage: str) -> None:
        if progress is not None:
            progress(f, stage)

    engine = engine or ("dask" if scheduler else "local")
    months = horizon or horizon_months()
    say(0.0, "reading the universe")
    u, cat, pairs, skipped, no_closes = _read(catalog, universe)
    ts, first = _scan_date(pairs, as_of)
    standard = u.origin.endswith(f"lab/{default_universe(catalog).replace('-', '')}.toml")
    with _cluster(engine, scheduler, standard) as sched:
        say(0.1, f"building the panel of past narratives ({len(pairs)} pairs, {engine})")
        hist = _panel(catalog, cat, u, pairs, no_closes, engine, sched, standard)
        say(0.6, "fitting the panel model as of the scan date")
        mod = model_at(hist, months, ts)
        model_hist, model_cat = hist, cat
        if mod.fit is None and not standard:
            model_hist, model_cat = _standard_history(catalog, "local", None), catalog
            mod = model_at(model_hist, months, ts)
        say(0.7, "measuring the live narratives")
        scope = _Scope(u, cat, hist, model_hist, model_cat, mod, ts, months, engine, sched)
        out, given_back = _narratives(scope, pairs, say)
    say(1.0, "done")
    return ScanResult(
        as_of=ts,
        universe=u.name,
        universe_version=u.version,
        universe_origin=u.origin,
        source=getattr(catalog, "source", "") or "custom",
        horizon=months,
        model_panel=model_hist.name,
        n_fit=mod.n_fit,
        base_rate=mod.fit.base_rate if mod.fit is not None else math.nan,
        record=mod.record,
        shows_skill=mod.shows_skill,
        pairs_scanned=len(pairs),
        narratives=out,
        skipped=skipped,
        live_days=live_days if u.freq.ppm > 1 else math.ceil(live_days / F.DAILY.ppm),
        universe_spec=u,
        closes_from=pd.Timestamp(first),
        period="trading day" if u.freq.ppm > 1 else "month",
        given_back=given_back,
    )


def _read(
    catalog: Catalog, universe: str | Path | Universe | None
) -> tuple[Universe, Catalog, list[Any], list[str], list[str]]:
    """The universe, the catalog of its closes, its pairs' inputs, what was skipped or repaired, and
    of that the pairs without closes."""
    u, cat = resolve_universe(catalog, universe)
    pairs, skipped = pair_inputs(cat, u)
    own = list(skipped)  # the pairs without closes: the panel's ``skipped``
    one: dict[str, Any] = {}  # one copy of each ticker's closes (the benchmark is in every member pair)
    for p in pairs:
        p.pa, p.pb = one.setdefault(p.a, p.pa), one.setdefault(p.b, p.pb)
    if cat is not catalog:  # a member universe: what reading its files rejected, repaired or skipped
        skipped += [
            f"{e.origin}: {'skipped: ' if e.status == 'skipped' else ''}{e.reason}"
            for e in cat.report.entries
            if e.format == "members"
        ]
    if not pairs:
        raise NoDataError(
            f"none of the {len(u.pairs)} pairs of the {u.name} universe have closes in the data",
            hint="pass --data with the closes of the universe's tickers (Date,Close CSVs named by ticker)",
        )
    return u, cat, pairs, skipped, own


def _scan_date(pairs: list[Any], as_of: str | pd.Timestamp | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The scan date (default the last close) and the first date of the universe's closes."""
    last = max(max(p.pa.index[-1], p.pb.index[-1]) for p in pairs)
    first = min(min(p.pa.index[0], p.pb.index[0]) for p in pairs)
    ts = pd.Timestamp(last) if as_of is None else parse_as_of(as_of)
    if ts < first or ts > pd.Timestamp(last):
        raise InputError(
            f"as-of date {as_of.strip() if isinstance(as_of, str) else _day(ts)} is outside the "
            f"universe's closes ({first:%Y-%m-%d} to {last:%Y-%m-%d})",
            hint=f"pass --as-of between {first:%Y-%m-%d} and {last:%Y-%m-%d}",
        )
    return ts, pd.Timestamp(first)


@contextmanager
def _cluster(engine: str, scheduler: str | None, standard: bool = False) -> Iterator[str | None]:
    """The Dask scheduler every stage of a ``dask`` scan uses: ``scheduler``, else one local cluster
    started for the scan (closed after it); None for a local scan, and for the standard universe
    without a scheduler (the lab's panel starts and closes its own cluster, and so do the blocks)."""
    if engine != "dask" or scheduler or standard:
        yield scheduler
        return
    from ..lab.history import dask_client

    client, _ = dask_client(None)
    try:
        yield str(client.scheduler.address)
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()


def _panel(
    catalog: Catalog,
    cat: Catalog,
    u: Universe,
    pairs: list[Any],
    skipped: list[str],
    engine: str,
    scheduler: str | None,
    standard: bool,
) -> History:
    """The universe's panel of past narratives: the lab's for the standard universe, every pair at
    once for any other (:mod:`hypecheck.scan.panel`)."""
    from . import panel

    if standard:
        return _standard_history(cat, engine, scheduler)
    src = getattr(cat, "source", "") or "files"
    return panel.build_history(
        cat, u, pairs, skipped, name=u.name, source=src, engine=engine, scheduler=scheduler
    )


@dataclass
class _Scope:
    """What measuring the live narratives reads: the universe and its panel, the model's panel."""

    u: Universe
    cat: Catalog
    hist: History
    model_hist: History
    model_cat: Catalog
    mod: ModelAt
    ts: pd.Timestamp
    months: int
    engine: str
    scheduler: str | None


def _narratives(
    s: _Scope, pairs: list[Any], say: Callable[[float, str], None]
) -> tuple[list[Narrative], list[str]]:
    """The live narratives at the scan date, ranked, and the keys of those that gave their move back."""
    from ..lab import fade as FD
    from ..lab.history import build_context
    from ..lab.run import evaluate_at
    from . import live as L

    eps_at = evaluate_at(s.model_hist, s.months, s.ts).episodes
    ppm = s.model_hist.universe.freq.ppm
    if len(eps_at) <= L.KNOWN_AT_MAX:
        known = FD.known_at(eps_at, s.months, ppm, s.ts, None, np.array([], dtype=object))
    else:  # the parts the scan reads, without the lab's (draws x narratives) weights in memory
        known = L.known_now(eps_at, s.months, ppm, s.ts)
    ctx = s.model_hist.context
    if ctx is None:
        ctx = s.model_hist.context = build_context(s.model_cat, s.model_hist.universe)
    cands = L.candidates(s.hist.episodes, pairs, s.ts, LOOKBACK_MONTHS)

    def step(i: int, n: int) -> None:
        say(0.7 + 0.3 * i / max(n, 1), "measuring the live narratives")

    measured = L.measure(
        pairs,
        cands,
        s.ts,
        s.u.freq,
        ctx,
        known.tails_1m,
        engine=s.engine,
        scheduler=s.scheduler,
        progress=step,
    )
    given_back = [f"{m.leader}-{m.laggard}" for m in measured if m.given_back]
    live = [m for m in measured if not m.given_back]
    rows = _rows(s, live, pairs, ctx)
    out = []
    for m, row in zip(live, rows, strict=True):
        n = _narrative(m, pairs[m.index].group, row, s)
        n.attention = leader_attention(s.cat, s.u, n.leader, s.ts)
        n.fade = m.fade
        n.range = L.range_of(m.sigma, s.u.freq, known)
        out.append(n)
    out.sort(key=lambda n: (-abs(n.sharpness) if not math.isnan(n.sharpness) else 0.0, n.leader, n.laggard))
    return out, given_back


class _Cell(np.ndarray):
    """A one-value float array that also answers ``.iloc[0]``, as a one-row frame's column does."""

    @property
    def iloc(self) -> np.ndarray:
        return self


class Row(M.Columns):
    """One narrative's features as the model and its ledger read a one-row frame (``row[f]``,
    ``row[f].iloc[0]``, ``row.columns``, ``row.empty``) without a frame's cost per access."""

    def __init__(self, values: dict[str, float]) -> None:
        super().__init__({k: np.array([v], dtype="float64").view(_Cell) for k, v in values.items()}, 1)

    @property
    def columns(self) -> list[str]:
        return list(self.cols)

    @property
    def empty(self) -> bool:
        return False


def _rows(s: _Scope, live: list[Any], pairs: list[Any], ctx: Any) -> list[Any]:
    """Each live narrative's row of the leader's features at the scan date, as
    :func:`hypecheck.lab.verdict.theme_features` gives it: measured every pair at once when the model's
    panel is the scanned one (a :class:`Row`), else (the standard panel's universe may know other twins
    and terms for these tickers) by ``theme_features`` itself."""
    from ..lab.verdict import theme_features

    out: list[Any] = []
    if s.model_hist is not s.hist:
        for m in live:
            p = pairs[m.index]
            la, lb = (p.pa, p.pb) if m.leader == p.a else (p.pb, p.pa)
            out.append(
                theme_features(la, lb, m.leader, m.laggard, s.model_hist, s.model_cat, s.ts, s.months, ctx)
            )
        return out
    eps = s.model_hist.episodes
    if eps.empty:
        return [Row(m.row | {"pair_base_rate": 0.5}) for m in live]
    from ..lab import target as T

    known = np.asarray(T.known_dates(eps, s.months))  # the pair's base rate (verdict._pair_rate) reads these
    y = eps[f"outcome_{s.months}m"].to_numpy(dtype="float64")
    groups = eps.groupby(["leader", "laggard"], sort=False).indices
    for m in live:
        idx = groups.get((m.leader, m.laggard))
        rate = 0.5 if idx is None else T.pair_rate(known[idx], y[idx], s.ts)
        out.append(Row(m.row | {"pair_base_rate": rate}))
    return out


ATTENTION_PERIODS = 8  # ASVI baseline: the median of the 8 periods before (Da, Engelberg & Gao 2011)


def leader_attention(catalog: Catalog, u: Universe, leader: str, ts: pd.Timestamp) -> dict[str, Any] | None:
    """What the leader's search term (the universe's ``[terms]``) shows at ``ts``: its abnormal search
    volume (ASVI, log of the last complete week over the median of the 8 before) from search interest,
    or, where the data hold no search interest for it, from news volume (GDELT, daily, averaged per
    week Sunday-Saturday) labelled as news attention. Descriptive: the panel model does not use it.
    Read as the check's panel reads it (:meth:`hypecheck.known.KnownView.read`: each Google Trends
    window cut at ``ts`` and merged again, so a window pulled later cannot rescale what was known);
    None without a term or data."""
    from ..analytics.attention import asvi
    from ..known import KnownView

    term = u.terms.get(leader)
    if not term:
        return None
    view = KnownView(catalog, ts)
    for kind, label in (("search", "search interest"), ("news", "news volume (GDELT)")):
        tid = catalog.resolve(kind, term)  # type: ignore[arg-type]
        if tid is None:
            continue
        options = {k.source.meta.frequency: k for k in view.read(kind, tid, term)}  # type: ignore[arg-type]
        known = options.get("W") or options.get("D") or options.get("M")
        if known is None:
            continue
        sd = known.source
        s = known.data.values.dropna()
        if sd.meta.frequency == "D":  # complete weeks only: a week ending after ts is still running
            s = s.resample("W-SAT").mean()
            s = s.loc[s.index <= ts]
        if len(s) <= ATTENTION_PERIODS:
            continue
        a = float(asvi(s, ATTENTION_PERIODS).iloc[-1])
        last = s.index[-1]
        if sd.meta.frequency == "M":  # Trends months are stamped at their start
            when, unit = f"in {last:%Y-%m}", "months"
        elif sd.meta.frequency == "W":  # Trends weeks are stamped at their start (Sunday)
            when, unit = f"in the week starting {last:%Y-%m-%d}", "weeks"
        else:  # news days averaged per week, labelled by the week's last day
            when, unit = f"in the week ending {last:%Y-%m-%d}", "weeks"
        return {
            "term": term,
            "attention": kind,
            "label": label,
            "period": when.removeprefix("in ").removeprefix("the "),
            "asvi": _c(a),
            "finding": (
                f"{label} for {term!r} {when} was {abs(math.exp(a) - 1):.0%} "
                f"{'above' if a >= 0 else 'below'} its median of the {ATTENTION_PERIODS} {unit} before "
                f"(ASVI {a:+.2f})"
                if math.isfinite(a)
                else f"{label} for {term!r} {when}: no ASVI (a zero period or baseline)"
            ),
        }
    return None


def _day(ts: pd.Timestamp) -> str:
    """YYYY-MM-DD with four digits in the year (``strftime`` writes year 1 as ``1-01-01``)."""
    return ts.date().isoformat()


def _narrative(m: Any, group: str, row: Any, s: _Scope) -> Narrative:
    """One live narrative from its measurements (:class:`hypecheck.scan.live.Measured`) and its
    features' row: the panel model's probability, interval, label and drivers."""
    from ..lab.verdict import NO_SKILL, ledger_rows

    freq, mod = s.u.freq, s.mod
    sharp = float(row["sharpness"].iloc[0]) if not row.empty else math.nan
    evidence = {}
    if not row.empty:
        for c in row.columns:
            v = row[c].iloc[0]
            evidence[c] = _c(v) if isinstance(v, int | float | np.floating) else None
    nan = math.nan
    base = Narrative(
        leader=m.leader,
        laggard=m.laggard,
        group=group,
        born=m.born,
        age_days=m.age,
        sharpness=sharp,
        born_sharpness=m.born_sharpness,
        move=m.move,
        move_days=freq.move,
        since_birth=m.since,
        p=nan,
        p_interval=(nan, nan),
        base_rate=nan,
        momentum_p=nan,
        label="insufficient data",
        model_label="insufficient data",
        drivers=[],
        evidence=evidence,
        rs=m.rs,
        rs_start=m.rs_start,
        period="trading day" if freq.ppm > 1 else "month",
    )
    if mod.fit is None or row.empty:
        base.reason = mod.reason or f"{m.leader} and {m.laggard} share no dates up to {s.ts:%Y-%m-%d}"
        return base
    fit = mod.fit
    pr = float(fit.predict(row)[0])
    lo, hi = (float(x[0]) for x in fit.interval(row, 0.95))
    ledger = ledger_rows(fit, row, pr)
    ledger.sort(key=lambda e: -abs(e["contribution_p"]))
    model_label = M.label(pr, lo, hi, fit.base_rate)
    base.p, base.p_interval, base.base_rate = pr, (lo, hi), fit.base_rate
    base.momentum_p = float(mod.momentum.predict(row)[0]) if mod.momentum is not None else nan
    base.model_label = model_label
    base.label = model_label if mod.shows_skill else NO_SKILL
    base.drivers = [
        {**e, "contribution_p": round(e["contribution_p"], 6), "sentence": _driver_sentence(e)}
        for e in ledger[:DRIVERS]
    ]
    return base


def _driver_sentence(e: dict[str, Any]) -> str:
    v = "n/a" if e["value"] is None else f"{e['value']:+.3g}"
    way = "raises" if e["contribution_p"] >= 0 else "lowers"
    return f"{e['what']} at {v} {way} the probability by {abs(100 * e['contribution_p']):.1f} pp"


__all__ = ["LIVE_DAYS", "Narrative", "ScanResult", "model_at", "scan"]
