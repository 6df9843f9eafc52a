"""Panels of past narratives: the universe files, the market-wide context, and the partitioned engine.

A *history* is a universe (a versioned TOML file in this folder: ``etf.toml`` for the files history,
``kenfrench.toml`` for the bundled one) read from a :class:`~hypecheck.schema.Catalog`. Building it:

1. the market-wide context (:data:`~hypecheck.lab.features.CONTEXT`) is computed once on the
   union calendar of the universe's closes, read through :class:`hypecheck.known.KnownView` (the one
   date cut of the check's panel): each macro or search series indexed by the date it became *known*
   (vintages by their dates; else period-start stamps at their period's end plus the documented or
   assumed release lag; Trends windows re-merged as known on each date), and missing on a date when
   its last value was published longer ago than :data:`hypecheck.known.MAX_AGE_DAYS` allows;
2. the pairs are split into partitions; each partition computes, per pair, every feature for every
   date (:func:`~hypecheck.lab.features.pair_features`), the births of narratives
   (:func:`~hypecheck.lab.features.detect`), the leader's view of the features at each birth and the
   outcomes over 1, 3, 6 and 12 months;
3. partitions run in this process (``engine="local"``) or on a Dask cluster (``engine="dask"``, one
   task per partition, the context scattered once). Both give the same rows in the same order: the
   result is sorted by (date, leader, laggard).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, MissingDependencyError, ProviderError
from ..known import MAX_AGE_DAYS, KnownView, known_dates
from ..schema import Catalog
from . import features as F

HORIZON_MONTHS = (1, 3, 6, 12)
EPISODE_K = 2.0  # a move of at least 2 deviations of the pair's own trailing noise
GAP_MONTHS = 3  # one birth per run, and at least a quarter between births in a pair
PARTITION = 16  # pairs per partition


@dataclass(frozen=True)
class Universe:
    name: str
    version: str
    description: str
    freq: F.Freq
    pairs: tuple[tuple[str, str, str], ...]  # (a, b, group)
    twins: dict[str, str] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    market: dict[str, Any] = field(default_factory=dict)
    macro: dict[str, str] = field(default_factory=dict)
    origin: str = ""
    classes: dict[str, Any] = field(default_factory=dict)  # the class of narrative of each pair


def load_universe(name_or_path: str | Path) -> Universe:
    """``"etf"``, ``"ken-french"`` (the shipped files) or a path to a universe TOML."""
    shipped = {"etf": "etf.toml", "ken-french": "kenfrench.toml", "kenfrench": "kenfrench.toml"}
    if str(name_or_path) in shipped:
        text = resources.files("hypecheck.lab").joinpath(shipped[str(name_or_path)]).read_text("utf-8")
        origin = f"hypecheck/lab/{shipped[str(name_or_path)]}"
    else:
        p = Path(name_or_path)
        if not p.is_file():
            raise InputError(
                f"universe file {str(p)!r} not found",
                hint="pass etf, ken-french, or a TOML file laid out like src/hypecheck/lab/etf.toml",
            )
        text, origin = p.read_text("utf-8"), str(p)
    from .._toml import parse_bounded

    raw = parse_bounded(  # bounded like themes and rules: a 500-deep file is an InputError, not a crash
        text,
        f"universe file {origin}",
        InputError,
        hint="fix the TOML syntax (laid out like src/hypecheck/lab/etf.toml)",
    )
    pairs: list[tuple[str, str, str]] = []
    for group, rows in raw.get("pairs", {}).items():
        for row in rows:
            if not (isinstance(row, list) and len(row) == 2 and all(isinstance(x, str) for x in row)):
                raise InputError(
                    f"universe file {origin}: pairs.{group} has {row!r}", hint='write pairs as ["A", "B"]'
                )
            pairs.append((row[0], row[1], group))
    inds = raw.get("industries", [])
    bench = raw.get("market", {}).get("benchmark")
    if inds and bench:
        pairs += [(f"ff:ind:{i}", bench, "industry_vs_market") for i in inds]
        pairs += [(f"ff:ind:{i}", f"ff:ind:{j}", "industries") for i, j in itertools.combinations(inds, 2)]
    seen: set[frozenset[str]] = set()
    uniq = []
    for a, b, g in pairs:
        key = frozenset((a, b))
        if key not in seen and a != b:
            seen.add(key)
            uniq.append((a, b, g))
    freq = F.MONTHLY if raw.get("name") == "ken-french" else F.DAILY
    return Universe(
        name=str(raw.get("name", Path(origin).stem)),
        version=str(raw.get("version", "0")),
        description=str(raw.get("description", "")),
        freq=F.FREQS.get(str(raw.get("frequency", freq.name)), freq),
        pairs=tuple(uniq),
        twins=dict(raw.get("twins", {})),
        terms=dict(raw.get("terms", {})),
        market=dict(raw.get("market", {})),
        macro=dict(raw.get("macro", {})),
        origin=origin,
        classes=dict(raw.get("classes", {})),
    )


def _term_id(catalog: Catalog, term: str) -> str | None:
    want = term.strip().lower().replace("_", " ")
    for i in catalog.ids("search"):
        if i.strip().lower().replace("_", " ") == want:
            return i
    return None


def known_series(catalog: Catalog, kind: str, id: str) -> pd.Series | None:
    """A macro or search series re-indexed by the date each value became known
    (:meth:`hypecheck.known.KnownView.realtime`)."""
    return KnownView(catalog).realtime(kind, id)  # type: ignore[arg-type]


def _price(catalog: Catalog, id: str) -> pd.Series | None:
    return KnownView(catalog).closes(id)


STALE_DAYS = MAX_AGE_DAYS["M"]  # the age limit of a context series whose frequency is not recorded


@dataclass
class Context:
    """Market-wide series on their own (known-date) calendars; :meth:`on` aligns them to a pair
    (the last value known on or before each date, missing when published longer ago than ``max_age``
    allows: :data:`hypecheck.known.MAX_AGE_DAYS` by the series' frequency, else :data:`STALE_DAYS`)."""

    series: dict[str, pd.Series]
    max_age: dict[str, int] = field(default_factory=dict)

    def on(self, index: pd.DatetimeIndex) -> pd.DataFrame:
        return pd.DataFrame(
            {
                k: F.asof(s, index, max_age_days=self.max_age.get(k, STALE_DAYS))
                for k, s in self.series.items()
            },
            index=index,
        )


def build_context(catalog: Catalog, u: Universe) -> Context:
    """The universe's market-wide context as known on each date (see the module)."""
    view = KnownView(catalog)
    freq = u.freq
    out: dict[str, pd.Series] = {}
    age: dict[str, int] = {}
    daily = MAX_AGE_DAYS["D" if freq.ppm > 1 else "M"]  # series computed from the universe's closes
    m = u.market
    secs = {t: s for t in m.get("sectors", []) if (s := view.closes(t)) is not None}
    if secs:
        out["participation"] = F.participation(pd.DataFrame(secs).sort_index(), freq).dropna()
    bench = view.closes(m.get("benchmark", "")) if m.get("benchmark") else None
    if bench is not None:
        lag = 12 * freq.ppm
        out["market_12m"] = (bench / bench.shift(lag) - 1).dropna()
    ew = view.closes(m.get("equal_weight", "")) if m.get("equal_weight") else None
    if ew is not None and bench is not None:
        df = F.align(ew, bench)
        out["ew_market"] = F._rel_return(df, 3 * freq.ppm).dropna()
    age.update({k: daily for k in out})
    mac = u.macro
    for feat, key, transform in (
        ("rate_change", "rate_2y", "change"),
        ("rate_change", "rate_short", "change"),
        ("curve", "curve", "level"),
        ("credit_change", "credit", "change"),
        ("vix", "vix", "level"),
    ):
        sid = mac.get(key)
        if not sid or feat in out:
            continue
        s = view.realtime("macro", sid)
        if s is None:
            continue
        out[feat] = F.change_over(s, 3) if transform == "change" else s
        age[feat] = view.max_age(catalog.get("macro", sid).meta.frequency)
    term = u.terms.get("market")
    if term and (tid := _term_id(catalog, term)) is not None and (am := _asvi(catalog, tid)) is not None:
        out["attention_market"] = am
        age["attention_market"] = view.max_age(_search_series(catalog, tid).meta.frequency)  # type: ignore[union-attr]
    return Context(out, age)


def _search_series(catalog: Catalog, tid: str) -> Any:
    """The monthly (else weekly) search series of ``tid``: the one ASVI is read from (see :func:`_asvi`)."""
    options = {x.meta.frequency: x for x in catalog.all("search", tid)}
    return options.get("M") or options.get("W")


def _asvi(catalog: Catalog, tid: str) -> pd.Series | None:
    """ASVI of a search term by known date, from its monthly (else weekly) series on Google's 0-100
    scale; None when only other series exist (a daily stitched series is on another scale, and an
    8-period median of days is not the 8-week baseline ASVI is defined on). A term merged from several
    Trends windows is re-merged from its inputs as known on each date
    (:meth:`hypecheck.known.KnownView.windows`): a later window never changes an earlier ASVI."""
    sd = _search_series(catalog, tid)
    if sd is None:
        return None
    view = KnownView(catalog)
    if len(catalog.inputs("search", tid, sd.meta.frequency)) <= 1:
        v = sd.values.dropna()
        return F.known_asvi(v, known_dates(sd.meta, pd.DatetimeIndex(v.index))).sort_index(kind="mergesort")
    got: dict[pd.Timestamp, float] = {}
    for d, cut in view.windows(sd):
        v = cut.values.dropna()
        a = F.known_asvi(v, known_dates(cut.meta, pd.DatetimeIndex(v.index)))
        if d in a.index:
            got[d] = float(a.loc[d])
    return pd.Series(got, dtype="float64").sort_index(kind="mergesort")


@dataclass
class PairInput:
    a: str
    b: str
    group: str
    pa: pd.Series
    pb: pd.Series
    twin_a: pd.Series | None
    twin_b: pd.Series | None
    term_a: pd.Series | None
    term_b: pd.Series | None


def pair_inputs(catalog: Catalog, u: Universe) -> tuple[list[PairInput], list[str]]:
    """The inputs of every pair whose two sides have closes; the reasons for the others."""
    out, skipped = [], []
    asvi_cache: dict[str, pd.Series | None] = {}

    def term(t: str) -> pd.Series | None:
        name = u.terms.get(t)
        if not name:
            return None
        if name not in asvi_cache:
            tid = _term_id(catalog, name)
            asvi_cache[name] = _asvi(catalog, tid) if tid is not None else None
        return asvi_cache[name]

    for a, b, g in u.pairs:
        pa, pb = _price(catalog, a), _price(catalog, b)
        if pa is None or pb is None:
            skipped.append(f"{a}-{b}: no closes for {a if pa is None else b}")
            continue
        twin_a = _price(catalog, u.twins[a]) if a in u.twins else None
        twin_b = _price(catalog, u.twins[b]) if b in u.twins else None
        out.append(PairInput(a, b, g, pa, pb, twin_a, twin_b, term(a), term(b)))
    return out, skipped


def features_for(p: PairInput, freq: F.Freq, ctx: Context) -> pd.DataFrame:
    feat = F.pair_features(
        p.pa, p.pb, freq, twin_a=p.twin_a, twin_b=p.twin_b, term_a=p.term_a, term_b=p.term_b
    )
    c = ctx.on(pd.DatetimeIndex(feat.index))
    for col in c.columns:
        feat[col] = c[col].to_numpy()
    return feat


def episodes_of(p: PairInput, freq: F.Freq, ctx: Context) -> pd.DataFrame:
    """Births in one pair with their leader-view features and outcomes (one row each)."""
    feat = features_for(p, freq, ctx)
    if len(feat) < freq.noise + freq.move + 2:
        return pd.DataFrame()
    ev = F.detect(feat, k=EPISODE_K, gap_months=GAP_MONTHS)
    if ev.empty:
        return pd.DataFrame()
    rows, dirs = ev["row"].to_numpy(), ev["direction"].to_numpy()
    x = F.orient(feat, rows, dirs).reset_index(drop=True)
    x.insert(0, "date", ev["date"].to_numpy())
    x.insert(1, "leader", np.where(dirs > 0, p.a, p.b))
    x.insert(2, "laggard", np.where(dirs > 0, p.b, p.a))
    x.insert(3, "pair", f"{p.a}-{p.b}")
    x.insert(4, "group", p.group)
    x.insert(5, "direction", 1)
    monthly = freq.ppm == 1
    x["move"] = F.move(feat, rows, dirs, freq)
    x["sigma"] = pair_sigma(feat, freq)[rows]
    for h in HORIZON_MONTHS:
        x[f"outcome_{h}m"] = F.outcomes(feat, rows, dirs, h, monthly)
    for h in HORIZON_MONTHS:  # log relative returns: the random-walk null's scale (lab/null.py)
        x[f"rel_{h}m"] = F.log_outcomes(feat, rows, dirs, h, monthly)
    for h in HORIZON_MONTHS:  # when each outcome is known (its end date): the walk-forward's clock
        x[f"known_{h}m"] = F.horizon_end(pd.DatetimeIndex(ev["date"]), h, monthly)
    x["data_end"] = feat.index[-1]
    return x


def pair_sigma(feat: pd.DataFrame, freq: F.Freq) -> np.ndarray:
    """The pair's conditional (EWMA) deviation of its log relative returns after each row (NaN on the
    first row): :func:`hypecheck.lab.null.conditional_sigma` on ``diff(ln a - ln b)``."""
    from .null import LAMBDA, conditional_sigma

    rs = np.log(feat["a"].to_numpy()) - np.log(feat["b"].to_numpy())
    out = np.full(len(rs), np.nan)
    if len(rs) > 1:
        out[1:] = conditional_sigma(np.diff(rs), LAMBDA[freq.name])
    return out


def run_partition(pairs: Sequence[PairInput], freq: F.Freq, ctx: Context) -> pd.DataFrame:
    parts = [episodes_of(p, freq, ctx) for p in pairs]
    parts = [q for q in parts if not q.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


@dataclass(eq=False)
class History:
    """One history's panel of narratives (``episodes``: one row per birth) and how it was built."""

    name: str
    universe: Universe
    episodes: pd.DataFrame
    data_end: pd.Timestamp
    skipped: list[str]
    source: str
    context: Context | None = None


_DATE_CODE = ("known.py", "release.py")  # the date rules the context is read with (hypecheck/)


def _code_digest() -> str:
    import hashlib

    # the feature table and the engine's source (no manual version to bump)
    h = hashlib.sha256(F.code_digest().encode())
    for name in _DATE_CODE:
        h.update(resources.files("hypecheck").joinpath(name).read_bytes())
    return h.hexdigest()[:16]


def fingerprint(catalog: Catalog, u: Universe) -> str:
    """A digest of everything a history is built from: the feature table and the source of the modules
    that build it (:func:`hypecheck.lab.features.code_digest`), the universe file and every input series
    (ids, dates, values). Equal digests mean equal panels."""
    import hashlib

    h = hashlib.sha256(
        f"{_code_digest()}|{u.name}|{u.version}|{u.origin}|{u.pairs}|{u.twins}|{u.terms}|".encode()
    )
    h.update(f"{u.market}|{u.macro}|{u.freq}".encode())
    prices = {x for a, b, _ in u.pairs for x in (a, b)} | set(u.twins.values())
    prices |= set(u.market.get("sectors", [])) | {
        u.market.get("benchmark", ""),
        u.market.get("equal_weight", ""),
    }
    wanted = [("price", x) for x in sorted(prices) if x] + [("macro", x) for x in sorted(u.macro.values())]
    wanted += [("search", t) for t in sorted({_term_id(catalog, n) or "" for n in u.terms.values()}) if t]
    for kind, id in wanted:
        for sd in catalog.all(kind, id):  # type: ignore[arg-type]
            v = sd.values
            h.update(f"{kind}|{id}|{sd.meta.frequency}|{len(v)}|".encode())
            h.update(pd.DatetimeIndex(v.index).asi8.tobytes())
            h.update(v.to_numpy(dtype="float64").tobytes())
    return h.hexdigest()[:32]


def cache_dir() -> Path | None:
    """``$HYPECHECK_CACHE`` (``off`` disables), else ``$XDG_CACHE_HOME/hypecheck/lab`` or
    ``~/.cache/hypecheck/lab``."""
    import os

    env = os.environ.get("HYPECHECK_CACHE")
    if env is not None:
        return None if env.strip().lower() in {"", "off", "0", "no"} else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hypecheck" / "lab"


def _read_cached(path: Path) -> pd.DataFrame | None:
    """The cached panel, or None (a damaged or foreign file is a miss: rebuild and overwrite it).
    Read with pyarrow when it is installed (pandas has already imported it: 0.01 s, where importing
    duckdb costs every calibrated check 0.05 s), else with duckdb; :func:`_normalise` makes the two
    frames equal (tested)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return _read_cached_duckdb(path)
    try:
        df = pq.read_table(str(path)).to_pandas()
    except Exception:
        return None
    return _normalise(df)


def _read_cached_duckdb(path: Path) -> pd.DataFrame | None:
    import duckdb

    try:
        df = duckdb.read_parquet(str(path)).df()
    except Exception:
        return None
    return _normalise(df)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column whether the panel was just built or read back from the cache."""
    df = df.copy()
    for c in df.columns:
        if c == "date" or c.startswith("known_") or c == "data_end":
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
        elif c in ("leader", "laggard", "pair", "group", "cluster"):
            df[c] = df[c].astype(str).astype(object)
        elif c == "direction":
            df[c] = df[c].astype("int64")
        else:
            df[c] = df[c].astype("float64")
    return df


def _write_cached(path: Path, df: pd.DataFrame) -> None:
    """Write atomically (a temporary file renamed into place); an unwritable cache is skipped."""
    import duckdb

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{id(df)}")
        duckdb.from_df(df).write_parquet(str(tmp))
        tmp.replace(path)
    except Exception:
        return


def build_history(
    catalog: Catalog,
    universe: Universe,
    *,
    name: str,
    source: str,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> History:
    """Build the panel of past narratives of ``universe`` from ``catalog`` (see the module).

    The result is cached on disk (:func:`cache_dir`) under the :func:`fingerprint` of its inputs, so a
    later process on the same data reads it back instead of rebuilding (a changed series, universe
    file or lab version is a different key)."""
    pairs, skipped = pair_inputs(catalog, universe)
    cdir = cache_dir()
    key = fingerprint(catalog, universe) if cdir is not None and pairs else ""
    if key and cdir is not None and (cdir / f"{key}.parquet").is_file():
        cached = _read_cached(cdir / f"{key}.parquet")
        if cached is not None:
            end = max(max(p.pa.index[-1], p.pb.index[-1]) for p in pairs)
            return History(name, universe, cached, pd.Timestamp(end), skipped, source, None)
    ctx = build_context(catalog, universe)
    if not pairs:
        raise InputError(
            f"none of the {len(universe.pairs)} pairs of the {universe.name} universe have closes in the data",
            hint="pass --data with a folder of ETF closes (Date,Close CSVs named by ticker)",
        )
    chunks = [pairs[i : i + PARTITION] for i in range(0, len(pairs), PARTITION)]
    if engine == "dask":
        frames = _run_dask(chunks, universe.freq, ctx, scheduler)
    elif engine == "local":
        frames = []
        for i, ch in enumerate(chunks):
            frames.append(run_partition(ch, universe.freq, ctx))
            if progress:
                progress(i + 1, len(chunks))
    else:
        raise InputError(f"unknown engine {engine!r}", hint="use local or dask")
    frames = [f for f in frames if not f.empty]
    eps = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not eps.empty:
        eps = eps.sort_values(["date", "leader", "laggard"], kind="mergesort").reset_index(drop=True)
        eps["cluster"] = cluster_of(eps, pairs, universe.freq)
        eps = _normalise(eps)
        if key and cdir is not None:
            _write_cached(cdir / f"{key}.parquet", eps)
    end = max(max(p.pa.index[-1], p.pb.index[-1]) for p in pairs)
    return History(name, universe, eps, pd.Timestamp(end), skipped, source, ctx)


def cluster_of(eps: pd.DataFrame, pairs: Sequence[PairInput], freq: F.Freq) -> np.ndarray:
    """Each birth's cluster of near-duplicates (:mod:`hypecheck.lab.clusters`)."""
    from . import clusters as C

    returns = {f"{p.a}-{p.b}": C.relative_returns(p.pa, p.pb) for p in pairs}
    sides = {f"{p.a}-{p.b}": (p.a, p.b) for p in pairs}
    return C.assign(eps, returns, sides, freq.name)


def dask_client(scheduler: str | None) -> tuple[Any, bool]:
    """A Dask client: of the scheduler at ``scheduler``, else of a new local 2-process cluster, and
    whether the caller owns it (then it closes it after use). The lab and the scan use it."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the extra is in dev
        raise MissingDependencyError(
            "the dask engine needs dask and distributed", hint="pip install 'hypecheck[dask]'"
        ) from None
    try:
        if scheduler:
            return Client(scheduler, timeout="10s"), False
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), True
    except (OSError, TimeoutError) as exc:
        raise ProviderError(
            f"cannot reach the Dask scheduler at {scheduler}: {exc}",
            hint="start one with `dask scheduler` (and workers), or drop --scheduler to run locally",
        ) from None


def _run_dask(chunks: list[list[PairInput]], freq: F.Freq, ctx: Context, scheduler: str | None) -> list[Any]:
    client, owned = dask_client(scheduler)
    try:
        c = client.scatter(ctx, broadcast=True)
        futs = [client.submit(run_partition, ch, freq, c, pure=False) for ch in chunks]
        return list(client.gather(futs))
    finally:
        if owned:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
