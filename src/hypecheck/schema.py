"""The standard schema every source produces, and the catalog that holds what was loaded.

A source turns whatever it reads into :class:`SeriesData` objects: one observation series with a
``DatetimeIndex`` (naive, normalised to midnight, sorted, unique) and float values, plus its
:class:`SeriesMeta` (what it is, where it came from). Five *kinds* exist so far:

``price``   closing levels of a tradable series (adjusted close where the source says so);
``macro``   macro/financial series in their own units (percent, index level, ...);
``search``  search interest, 0-100 per request (Google Trends), integers; ``flags`` may hold
            ``below_one`` (a ``<1`` cell, stored as 0.5) and ``partial`` (an incomplete period).
``news``    news volume for a query (GDELT's DOC API: matching articles per day, as a share of all
            articles monitored that day); the attention pillar reads it where search data is missing.
``earnings`` a company's EPS per report date, two series per ticker: ``<TICKER>:eps_estimate`` and
            ``<TICKER>:eps_actual`` (an earnings calendar file, or the earnings connector); a theme's
            ``[events] earnings`` turns them into dated ``earnings`` events with the surprise.

A :class:`Catalog` keys series by ``(kind, id)``; ids are as the sources name them (tickers ``IWM``,
FRED ids ``DGS2``, search terms ``value stocks`` as in the export's header). A name written in a
theme is looked up with :meth:`Catalog.resolve`, which forgives what a person would not notice:
case for every kind, and for search terms underscores, repeated or trailing spaces and the file name
the term was exported to (``gold_price`` finds the term ``gold price`` read from ``gold_price.csv``);
:meth:`Catalog.suggest` offers the closest names the data hold. A :class:`LoadReport` lists every
file or dataset that was loaded, merged or skipped, with the reason.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

import numpy as np
import pandas as pd

from .errors import FormatError, UnknownSeriesError

Kind = Literal["price", "macro", "search", "news", "earnings"]
KINDS: tuple[Kind, ...] = ("price", "macro", "search", "news", "earnings")
Frequency = Literal["D", "W", "M", "Q", "A", "irregular"]


@dataclass(frozen=True)
class SeriesMeta:
    """What a series is and where it came from (its provenance)."""

    id: str
    kind: Kind
    source: str  # source name: "files", "bundled", ...
    origin: str  # file path or dataset name, as a human would cite it
    description: str = ""
    frequency: Frequency = "irregular"
    units: str = ""
    sample_data: bool = False  # True for bundled sample data
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "origin": self.origin,
            "description": self.description,
            "frequency": self.frequency,
            "units": self.units,
            "sample_data": self.sample_data,
            "notes": list(self.notes),
        }


@dataclass
class SeriesData:
    """One standardised series: float values on a sorted, unique, naive DatetimeIndex.

    ``vintages`` (optional) holds what each observation was in each release, as ALFRED publishes it:
    index = the observation dates (``values.index``), columns = vintage dates (naive ``Timestamp``,
    ascending, unique: the day that release became public), cell = the observation's value in that
    vintage, NaN where the vintage does not hold it. ``values`` is each observation's value in the
    latest vintage that holds it. A series with vintages says when each value became known, so the
    panel cuts it by vintage (:func:`hypecheck.known.cut_known`) instead of by publication lag."""

    meta: SeriesMeta
    values: pd.Series
    flags: pd.DataFrame | None = None  # boolean columns aligned to ``values`` (e.g. below_one, partial)
    pulls: pd.DataFrame | None = None  # search only: repeated pulls (one column each) behind ``values``
    vintages: pd.DataFrame | None = None  # observation dates x vintage dates (see the class docstring)

    def __post_init__(self) -> None:
        v = self.values
        if not isinstance(v.index, pd.DatetimeIndex):
            raise TypeError(f"{self.meta.id}: values must have a DatetimeIndex")
        if not v.index.is_monotonic_increasing or not v.index.is_unique:
            raise ValueError(f"{self.meta.id}: index must be sorted and unique")
        # a new Series either way (rename copies; astype only when not float64 already: it costs)
        self.values = (v if v.dtype == np.float64 else v.astype("float64")).rename(self.meta.id)
        if self.vintages is not None:
            self.vintages = _check_vintages(self.meta.id, self.vintages, pd.DatetimeIndex(v.index))

    @property
    def start(self) -> pd.Timestamp | None:
        return self.values.index[0] if len(self.values) else None

    @property
    def end(self) -> pd.Timestamp | None:
        return self.values.index[-1] if len(self.values) else None

    def cut(self, as_of: pd.Timestamp) -> SeriesData:
        """The series with nothing dated after ``as_of`` (observation dates; the vintages are cut by
        what was known on a date in :func:`hypecheck.known.cut_known`)."""
        keep = self.values.index <= as_of
        flags = self.flags.loc[keep] if self.flags is not None else None
        pulls = self.pulls.loc[keep] if self.pulls is not None else None
        vintages = self.vintages.loc[keep] if self.vintages is not None else None
        return SeriesData(self.meta, self.values.loc[keep], flags, pulls, vintages)

    @classmethod
    def from_vintages(cls, meta: SeriesMeta, vintages: pd.DataFrame) -> SeriesData:
        """A series from its vintages frame alone (see the class docstring): ``values`` is each
        observation's value in the latest vintage that holds it; observations no vintage holds are
        dropped."""
        frame = vintages.astype("float64")
        latest = frame.ffill(axis=1).iloc[:, -1] if frame.shape[1] else pd.Series(np.nan, index=frame.index)
        keep = latest.notna().to_numpy()
        return cls(meta, latest.loc[keep], vintages=frame.loc[keep])


def _check_vintages(id: str, frame: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    """``frame`` as float64 after checking it against the contract of :attr:`SeriesData.vintages`."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{id}: vintages must be a DataFrame (observation dates x vintage dates)")
    if not isinstance(frame.index, pd.DatetimeIndex) or not frame.index.equals(index):
        raise ValueError(f"{id}: the vintages' index must be the observation dates of its values")
    cols = frame.columns
    if not isinstance(cols, pd.DatetimeIndex) or cols.tz is not None:
        raise TypeError(f"{id}: vintage columns must be naive dates (pd.Timestamp)")
    if not cols.is_monotonic_increasing or not cols.is_unique:
        raise ValueError(f"{id}: vintage columns must be sorted ascending and unique")
    return frame.astype("float64")


@dataclass
class LoadEntry:
    """One input (file, dataset) and what became of it."""

    origin: str
    status: Literal["loaded", "skipped", "merged"]
    reason: str = ""
    format: str = ""
    series: tuple[str, ...] = ()
    rows: int = 0
    rejected_rows: int = 0
    frequency: str = ""  # merges: the frequency of the merged series (one series per kind, id, frequency)


@dataclass
class LoadReport:
    """``entries``: one per input (file, dataset), loaded or skipped. ``merges``: one per series that
    several inputs hold (status ``merged``; ``origin`` lists the inputs in the order they win on shared
    dates, ``reason`` says which supplied which dates and how many shared dates disagree)."""

    entries: list[LoadEntry] = field(default_factory=list)
    merges: list[LoadEntry] = field(default_factory=list)

    def add(self, entry: LoadEntry) -> None:
        self.entries.append(entry)

    def record_merge(self, entry: LoadEntry) -> None:
        """Record (or update, when a third input joins) the merge of one series."""
        for i, old in enumerate(self.merges):
            if (old.format, old.series, old.frequency) == (entry.format, entry.series, entry.frequency):
                self.merges[i] = entry
                return
        self.merges.append(entry)

    @property
    def loaded(self) -> list[LoadEntry]:
        return [e for e in self.entries if e.status == "loaded"]

    @property
    def skipped(self) -> list[LoadEntry]:
        return [e for e in self.entries if e.status == "skipped"]

    @property
    def rejected_rows(self) -> int:
        """Rows (cells, for multi-column files) rejected over every input loaded."""
        return sum(e.rejected_rows for e in self.loaded)

    def summary(self) -> str:
        lines = [f"{len(self.loaded)} inputs loaded, {len(self.skipped)} skipped"]
        for e in self.skipped:
            lines.append(f"  skipped {e.origin}: {e.reason}")
        for e in self.loaded:
            if e.rejected_rows:
                lines.append(f"  {e.origin}: {e.reason}")
        for e in self.merges:
            lines.append(f"  {e.format} {e.series[0]} merged from {e.origin}: {e.reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "loaded": len(self.loaded),
            "skipped": [{"origin": e.origin, "reason": e.reason} for e in self.skipped],
            "rejected_rows": self.rejected_rows,
            "rejected": [
                {"origin": e.origin, "rows": e.rejected_rows, "reason": e.reason}
                for e in self.loaded
                if e.rejected_rows
            ],
            "merged": [
                {
                    "kind": e.format,
                    "series": e.series[0],
                    "frequency": e.frequency,
                    "origins": e.origin.split(" + "),
                    "reason": e.reason,
                }
                for e in self.merges
            ],
        }


def normalise_name(kind: str, name: str) -> str:
    """The form two names of one series share: case folded and spaces trimmed; for search terms
    also underscores read as spaces and runs of spaces as one (``"Gold_Price "`` -> ``"gold price"``)."""
    if kind == "search":
        return " ".join(name.replace("_", " ").split()).casefold()
    return name.strip().casefold()


class Catalog:
    """Series keyed by ``(kind, id)``. Search series may exist at several frequencies.

    Adding a series whose key already exists merges the two (see :meth:`add`). ``get``, ``all`` and
    ``has`` take the id exactly as stored; :meth:`resolve` finds the stored id for a name as a person
    writes it. ``source`` names where the catalog came from (``"bundled"``, ``"files"``, ``"store"``):
    the ``[mapping.<source>]`` table of a theme that applies to it.
    """

    def __init__(self, source: str = "") -> None:
        self._series: dict[tuple[str, str], list[SeriesData]] = {}
        self.report = LoadReport()
        self.source = source
        self._names: dict[str, dict[str, set[str]]] = {}  # kind -> normalised name -> stored ids
        self._parts: dict[tuple[str, str, str], list[SeriesData]] = {}  # the inputs of a merged series
        self._pending: dict[tuple[str, str], list[Pending]] = {}  # known from an index, not read yet

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{len(self.ids(k))} {k}" for k in KINDS if k not in ("news", "earnings") or self.ids(k)
        )
        return f"<Catalog {self.source or 'unnamed'}: {len(self)} series ({counts})>"

    def add(self, data: SeriesData, *, defer: list[tuple[str, str, str]] | None = None) -> None:
        """Add a series. Same key and same frequency as one already added: merged (see
        :func:`merge_inputs`; search interest: :func:`_merge_search`), and the merge recorded in the
        series' notes and in ``report.merges``.

        The merge never looks at where the inputs *end*: on a date two inputs share, the one whose
        data start earlier wins (ties: the one added first), so nothing dated after a day decides any
        value on or before it. ``defer`` (used while reading the inputs of one key): a non-search
        merge is only noted there, and made once when every input is in (:meth:`_merge`: the result
        depends on the inputs alone, so the merges of the first inputs would be thrown away)."""
        key = (data.meta.kind, data.meta.id)
        if key in self._pending:  # the inputs registered before it are added first (their order decides ties)
            self._materialize(key)
        self._names.pop(data.meta.kind, None)
        bucket = self._series.setdefault(key, [])
        for i, old in enumerate(bucket):
            if old.meta.frequency == data.meta.frequency:
                if data.meta.kind == "search":
                    # the inputs are kept: a check re-merges them cut at its as-of date (the stitch's
                    # ratio and scale must not use periods after it), see inputs()
                    self._parts.setdefault((*key, data.meta.frequency), [old]).append(data)
                    bucket[i] = _merge_search(old, data)
                    self._record(bucket[i], data.meta.frequency)
                    return
                self._parts.setdefault((*key, data.meta.frequency), [old]).append(data)
                if defer is not None:
                    if (*key, data.meta.frequency) not in defer:
                        defer.append((*key, data.meta.frequency))
                else:
                    self._merge((*key, data.meta.frequency))
                return
        bucket.append(data)

    def _merge(self, kfq: tuple[str, str, str]) -> None:
        """Merge the inputs of ``(kind, id, frequency)`` into its series and record the merge."""
        bucket = self._series[(kfq[0], kfq[1])]
        i = next(j for j, s in enumerate(bucket) if s.meta.frequency == kfq[2])
        bucket[i] = merge_inputs(self._parts[kfq])
        self._record(bucket[i], kfq[2])

    def _record(self, merged: SeriesData, frequency: str) -> None:
        self.report.record_merge(
            LoadEntry(
                origin=merged.meta.origin,
                status="merged",
                reason=merged.meta.notes[-1],
                format=merged.meta.kind,
                series=(merged.meta.id,),
                frequency=frequency,
                rows=len(merged.values),
            )
        )

    def inputs(self, kind: Kind, id: str, frequency: str) -> list[SeriesData]:
        """The inputs a merged series was made of, in the order added (empty when it was not merged)."""
        if (kind, id) in self._pending:
            self._materialize((kind, id))
        return list(self._parts.get((kind, id, frequency), []))

    def add_pending(self, pending: Pending) -> None:
        """Register a series known from an index (see :class:`Pending`) without reading it: ``has``,
        ``ids``, ``resolve``, ``suggest`` and ``len`` count it; ``get``/``all``/iteration read it (and
        merge it with the other inputs of its key, in the order registered)."""
        self._names.pop(pending.kind, None)
        self._pending.setdefault((pending.kind, pending.id), []).append(pending)

    def _materialize(self, key: tuple[str, str]) -> None:
        todo = self._pending.pop(key, None)
        merges: list[tuple[str, str, str]] = []  # in the order each became a merge
        for p in todo or ():
            found = [s for s in p.read() if (s.meta.kind, s.meta.id) == key]
            if not found:
                raise FormatError(
                    f"{p.origin}: no longer holds the {key[0]} series {key[1]!r} it held when the data "
                    "folder was indexed (changed while hypecheck was running?)",
                    hint="run the command again",
                )
            self.add(found[0], defer=merges)
        for kfq in merges:
            self._merge(kfq)

    def frequencies(self, kind: Kind, id: str) -> list[str]:
        """The frequencies ``(kind, id)`` is held at, read or not (no file is read)."""
        out: list[str] = [s.meta.frequency for s in self._series.get((kind, id), [])]
        for p in self._pending.get((kind, id), []):
            if p.frequency not in out:
                out.append(p.frequency)
        return out

    def get(self, kind: Kind, id: str, frequency: Frequency | None = None) -> SeriesData:
        self._materialize((kind, id))
        options = self._series.get((kind, id), [])
        if frequency is not None:
            options = [s for s in options if s.meta.frequency == frequency]
        if not options:
            close = self.suggest(kind, id) if frequency is None else []
            raise UnknownSeriesError(
                f"no {kind} series {id!r} in the loaded data"
                + (f" (did you mean {close[0]!r}?)" if close else ""),
                hint=f"add a file for {id!r} to the data folder (see `hypecheck check --help`), "
                "or map it in the theme's [mapping] table",
            )
        return _finest(options)

    def all(self, kind: Kind, id: str) -> list[SeriesData]:
        self._materialize((kind, id))
        return list(self._series.get((kind, id), []))

    def has(self, kind: Kind, id: str) -> bool:
        return (kind, id) in self._series or (kind, id) in self._pending

    def ids(self, kind: Kind) -> list[str]:
        return sorted(
            {i for (k, i) in self._series if k == kind} | {i for (k, i) in self._pending if k == kind}
        )

    def _index(self, kind: Kind) -> dict[str, set[str]]:
        """Normalised name -> stored ids: each id, and for search terms the name of every file the
        term was read from (``trends/.../gold_price.csv`` -> ``gold price``)."""
        if kind not in self._names:
            index: dict[str, set[str]] = {}
            origins: dict[str, list[str]] = {}
            for (k, i), bucket in self._series.items():
                if k == kind:
                    origins.setdefault(i, []).extend(s.meta.origin for s in bucket)
            for (k, i), pending in self._pending.items():
                if k == kind:
                    origins.setdefault(i, []).extend(p.origin for p in pending)
            for i, held in origins.items():
                index.setdefault(normalise_name(kind, i), set()).add(i)
                if kind == "search":
                    for held_origin in held:
                        for origin in held_origin.split(" + "):
                            stem = PurePosixPath(origin.replace("\\", "/")).stem
                            if stem:
                                index.setdefault(normalise_name(kind, stem), set()).add(i)
            self._names[kind] = index
        return self._names[kind]

    def matches(self, kind: Kind, name: str) -> list[str]:
        """The stored ids ``name`` refers to: itself when stored as written; else every id whose
        normalised form (see :func:`normalise_name`) or, for a search term, whose file name equals
        the name's. Several ids mean the name is ambiguous (``DOW JONES`` with ``Dow Jones`` and
        ``dow jones`` both stored)."""
        if (kind, name) in self._series or (kind, name) in self._pending:
            return [name]
        return sorted(self._index(kind).get(normalise_name(kind, name), ()))

    def resolve(self, kind: Kind, name: str) -> str | None:
        """The stored id for ``name`` as a person writes it (see :meth:`matches`); None when no
        stored id or more than one fits."""
        found = self.matches(kind, name)
        return found[0] if len(found) == 1 else None

    def suggest(self, kind: Kind, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` stored ids of ``kind`` closest to ``name`` (``difflib`` over the normalised
        names), best first: the did-you-mean of a name that is not in the data."""
        index = self._index(kind)
        close = difflib.get_close_matches(normalise_name(kind, name), list(index), n=n, cutoff=0.6)
        out: list[str] = []
        for key in close:
            for i in sorted(index[key]):
                if i not in out:
                    out.append(i)
        return out[:n]

    def what_is_close(self, kind: Kind, name: str) -> str:
        """For a name that finds no series: what the data hold that is close, and what to do (the
        second half of a missing-data reason, after what was looked for)."""
        several = self.matches(kind, name)
        if len(several) > 1:
            listed = ", ".join(repr(x) for x in several)
            return (
                f"it matches {len(several)} {kind} series there ({listed}); write the one you mean "
                "exactly as shown"
            )
        close = self.suggest(kind, name)
        if close:
            return (
                f"closest there: {' or '.join(repr(x) for x in close)}; did you mean {close[0]!r}? "
                f"Write the name as the data spell it, or add data for {name!r}"
            )
        add = (
            "export Google Trends 'interest over time' for it into the data folder"
            if kind == "search"
            else "add a file for it to the data folder, or map it in the theme's [mapping] table"
        )
        return f"nothing close to it there; {add}"

    def __iter__(self) -> Iterator[SeriesData]:
        for key in list(self._pending):
            self._materialize(key)
        for bucket in self._series.values():
            yield from bucket

    def __len__(self) -> int:
        # inputs of one key and frequency merge into one series, so pending ones count per frequency
        return sum(len(b) for b in self._series.values()) + sum(
            len({p.frequency for p in ps}) for ps in self._pending.values()
        )

    def extend(self, items: Iterable[SeriesData]) -> None:
        for s in items:
            self.add(s)


@dataclass(frozen=True)
class Pending:
    """A series a catalog knows of without having read it (from a data folder's index): its key,
    frequency and origin, and ``read``, which returns every series of its input (the input is read
    once, when the first of its series is asked for)."""

    kind: str
    id: str
    frequency: str
    origin: str
    read: Callable[[], list[SeriesData]]


_FREQ_ORDER = {"D": 0, "W": 1, "M": 2, "Q": 3, "A": 4, "irregular": 5}


def _finest(options: list[SeriesData]) -> SeriesData:
    return sorted(options, key=lambda s: _FREQ_ORDER.get(s.meta.frequency, 9))[0]


MERGE_RTOL = 1e-6  # shared dates whose values differ by more than this (relative) are counted as conflicts


def merge_inputs(parts: list[SeriesData]) -> SeriesData:
    """One series from several inputs that hold it (same kind, id and frequency), in the order added.

    The rule is fixed and never looks past a date to decide it: the inputs are ranked by where their
    data *start*, earliest first (the longer history before any overlap), ties by the order added
    (files in sorted path order); on each date the best-ranked input that has a value supplies it, the
    others only fill dates it lacks. Both starts of two inputs that share a date lie on or before that
    date, so data after a day (a file running on to 2026, a revision published later) never change a
    value on or before it. Shared dates whose values differ by more than :data:`MERGE_RTOL` are
    conflicts: counted, the largest named, never silently averaged. The last note says all of it."""
    ranked = sorted(parts, key=lambda x: x.start if x.start is not None else pd.Timestamp.max)
    if any(p.vintages is not None for p in ranked):
        merged = _merge_vintaged(ranked)
        if merged is not None:
            return merged
    values = ranked[0].values
    supplied: list[tuple[SeriesData, pd.DatetimeIndex]] = [(ranked[0], pd.DatetimeIndex(values.index))]
    n_shared = n_conflicts = 0
    worst: tuple[float, pd.Timestamp, str] | None = None
    for part in ranked[1:]:
        step = _combine_sorted(values, part.values) or _combine(values, part.values)
        values, new, shared, conflicts, worst_here = step
        n_shared += shared
        n_conflicts += conflicts
        if worst_here is not None and (worst is None or worst_here[0] > worst[0]):
            worst = (worst_here[0], worst_here[1], part.meta.origin)
        supplied.append((part, new))
    frames = [p.flags.reindex(d) for p, d in supplied if p.flags is not None and len(d)]
    flags = pd.concat(frames).reindex(values.index).fillna(False).astype(bool) if frames else None

    def span(dates: pd.DatetimeIndex) -> str:
        if not len(dates):
            return "no dates (every one is also in an input ranked before it)"
        return f"{len(dates)} dates, {dates[0].date()} to {dates[-1].date()}"

    who = "; ".join(f"{p.meta.origin}: {span(d)}" for p, d in supplied)
    conflict = ""
    if n_conflicts and worst is not None:
        conflict = (
            f"; {n_conflicts} of them differ by more than {MERGE_RTOL:g} relative (largest {100 * worst[0]:.3g}% "
            f"on {worst[1].date()}, where {worst[2]} was not used): conflicting inputs, check which one is right"
        )
    note = (
        f"merged from {len(ranked)} inputs; on shared dates the one whose data start earliest wins (ties: "
        f"the first loaded), never the one that ends latest. Supplied: {who}. {n_shared} shared dates"
        + (conflict or ", all agreeing")
    )
    return SeriesData(_merged_meta(ranked, note), values, flags)


_Step = tuple[pd.Series, pd.DatetimeIndex, int, int, tuple[float, pd.Timestamp] | None]


def _combine(values: pd.Series, pv: pd.Series) -> _Step:
    """One step of :func:`merge_inputs` (``pv`` ranked after ``values``): the combined series, the dates
    ``pv`` supplied, the shared dates, the conflicts among them and the largest conflict (relative
    difference, date). The pandas definition; :func:`_combine_sorted` is the same on sorted input."""
    shared = values.index.intersection(pv.index)
    n_conflicts, worst = 0, None
    if len(shared):
        a, b = values.loc[shared], pv.loc[shared]
        diff = (a - b).abs()
        bad = diff > MERGE_RTOL * a.abs().clip(lower=1)
        n_conflicts = int(bad.sum())
        if bad.any():
            rel = (diff / a.abs().clip(lower=1e-12))[bad]
            k = int(np.argmax(rel.to_numpy()))
            worst = (float(rel.iloc[k]), pd.Timestamp(rel.index[k]))
    new = pd.DatetimeIndex(pv.index.difference(values.index))
    return values.combine_first(pv), new, len(shared), n_conflicts, worst


def _combine_sorted(values: pd.Series, pv: pd.Series) -> _Step | None:
    """:func:`_combine` in NumPy for the usual input (float64 series on sorted, unique date indexes of
    one resolution, no frequency set, the same names), bit for bit; None for anything else."""
    ia, ib = values.index, pv.index
    if not (
        isinstance(ia, pd.DatetimeIndex)
        and isinstance(ib, pd.DatetimeIndex)
        and ia.dtype == ib.dtype
        and values.dtype == pv.dtype == np.float64
        and ia.freq is None
        and ib.freq is None
        and ia.name == ib.name
        and ia.is_monotonic_increasing
        and ib.is_monotonic_increasing
        and ia.is_unique
        and ib.is_unique
    ):
        return None
    unit = ia.dtype
    if not isinstance(unit, np.dtype):  # tz-aware dates
        return None
    ai, bi = ia.asi8, ib.asi8
    av, bv = values.to_numpy(), pv.to_numpy()
    shared, pa, pb = np.intersect1d(ai, bi, assume_unique=True, return_indices=True)
    n_conflicts, worst = 0, None
    if len(shared):
        a = av[pa]
        diff = np.abs(a - bv[pb])
        bad = diff > MERGE_RTOL * np.maximum(np.abs(a), 1)
        n_conflicts = int(bad.sum())
        if n_conflicts:
            rel = (diff / np.maximum(np.abs(a), 1e-12))[bad]
            k = int(np.argmax(rel))
            worst = (float(rel[k]), pd.Timestamp(ia[pa[bad][k]]))
    index = ia.union(ib)  # pandas' own union: the same dates and the frequency it infers
    union = index.asi8
    out = np.full(len(union), np.nan)
    out[np.searchsorted(union, bi)] = bv  # pv's values where values has none (combine_first) ...
    ok = ~np.isnan(av)
    out[np.searchsorted(union, ai)[ok]] = av[ok]  # ... values' own wherever it has one
    new = pd.DatetimeIndex(np.setdiff1d(bi, ai, assume_unique=True).view(unit), name=ia.name)
    return pd.Series(out, index=index, name=values.name), new, len(shared), n_conflicts, worst


def _merged_meta(ranked: list[SeriesData], note: str) -> SeriesMeta:
    """The metadata of a series merged from ``ranked`` inputs: the first's identity, every input's
    origin and notes (earlier merge notes dropped), and ``note`` saying how they were merged."""
    first = ranked[0].meta
    notes: list[str] = []
    for p in ranked:
        notes.extend(n for n in p.meta.notes if n not in notes and not n.startswith("merged from "))
    return SeriesMeta(
        id=first.id,
        kind=first.kind,
        source=first.source,
        origin=" + ".join(p.meta.origin for p in ranked),
        description=first.description or next((p.meta.description for p in ranked if p.meta.description), ""),
        frequency=first.frequency,
        units=first.units or next((p.meta.units for p in ranked if p.meta.units), ""),
        sample_data=any(p.meta.sample_data for p in ranked),
        notes=(*notes, note),
    )


MAX_SYNTHETIC_VINTAGE_DATES = 5000  # plain dates given a publication vintage when merged with vintages


def _publication_dates(index: pd.DatetimeIndex, meta: SeriesMeta) -> pd.DatetimeIndex:
    """When plain (vintage-less) observations became public: the one rule of
    :func:`hypecheck.release.known_dates` (period end plus the documented or assumed release lag)."""
    from .release import publication_dates

    return publication_dates(index, meta)


def _merge_vintaged(ranked: list[SeriesData]) -> SeriesData | None:
    """:func:`merge_inputs` when some inputs carry vintages (an ALFRED file beside plain FRED CSVs):
    the vintages are kept. Observations a vintaged input holds come from the vintages only (a plain
    CSV holds the *latest revision*, which was not known on earlier dates); the other dates of the
    plain inputs get one vintage each, their publication date (period end plus the release lag), so
    the panel's vintage cut treats them as published then. None (merge as plain series) when the plain
    inputs add more than :data:`MAX_SYNTHETIC_VINTAGE_DATES` dates."""
    vparts = [p for p in ranked if p.vintages is not None]
    plain = [p for p in ranked if p.vintages is None]
    frame = vparts[0].vintages
    assert frame is not None
    for p in vparts[1:]:
        assert p.vintages is not None
        frame = frame.combine_first(p.vintages)
    plain_values = pd.Series(dtype="float64")
    for p in plain:
        plain_values = p.values if plain_values.empty else plain_values.combine_first(p.values)
    plain_values = plain_values.dropna()
    new = pd.DatetimeIndex(plain_values.index.difference(frame.index))
    if len(new) > MAX_SYNTHETIC_VINTAGE_DATES:
        return None
    shared = plain_values.index.intersection(frame.index)
    if len(new):
        pub = _publication_dates(new, ranked[0].meta)
        extra = pd.DataFrame(np.nan, index=new, columns=pd.DatetimeIndex(sorted(set(pub))))
        for d, c in zip(new, pub, strict=True):
            extra.loc[d, c] = float(plain_values.loc[d])
        frame = frame.combine_first(extra)
    frame = frame.sort_index().sort_index(axis=1)
    latest = frame.ffill(axis=1).iloc[:, -1]
    keep = latest.notna().to_numpy()
    note = (
        f"merged from {len(ranked)} inputs keeping the vintages of {len(vparts)} "
        f"({', '.join(p.meta.origin for p in vparts)}): {len(shared)} dates they hold come from the vintages "
        f"only (the plain files' values there are later revisions); {len(new)} other dates from "
        f"{', '.join(p.meta.origin for p in plain)}, each dated by its publication (period end plus the "
        "release lag)"
    )
    return SeriesData(_merged_meta(ranked, note), latest.loc[keep], vintages=frame.loc[keep])


def _merge_search(a: SeriesData, b: SeriesData, min_overlap: int = 4) -> SeriesData:
    """Two Trends series of one term and frequency are on two different 0-100 scales, so they are
    never spliced as they are. Same periods: repeated pulls, averaged, each kept in ``pulls`` (their
    dispersion is the noise band). Overlapping windows: stitched onto one scale by the median ratio
    over the overlap (:func:`~hypecheck.analytics.attention.stitch`). Too little overlap: not
    combined; the series that reaches later is kept, and the note says so."""
    from .analytics.attention import stitch

    ia, ib = a.values.index, b.values.index
    origin = f"{a.meta.origin} + {b.meta.origin}"

    def meta(note: str, origin: str = origin) -> SeriesMeta:
        return SeriesMeta(
            id=a.meta.id,
            kind=a.meta.kind,
            source=a.meta.source,
            origin=origin,
            description=a.meta.description,
            frequency=a.meta.frequency,
            units=a.meta.units,
            sample_data=a.meta.sample_data or b.meta.sample_data,
            notes=(*a.meta.notes, *b.meta.notes, note),
        )

    def flags_or() -> pd.DataFrame | None:
        if a.flags is None and b.flags is None:
            return None
        fa = a.flags if a.flags is not None else pd.DataFrame(index=ia)
        fb = b.flags if b.flags is not None else pd.DataFrame(index=ib)
        both = fa.reindex(ia.union(ib)).fillna(False).astype(bool) | fb.reindex(ia.union(ib)).fillna(
            False
        ).astype(bool)
        return both

    if ia.equals(ib) and np.allclose(a.values.to_numpy(), b.values.to_numpy(), rtol=0, atol=1e-12):
        return SeriesData(
            meta(f"identical to {b.meta.origin} (a duplicate file, not a second pull)", a.meta.origin),
            a.values,
            a.flags,
            a.pulls,
        )
    if ia.equals(ib):
        pa = a.pulls if a.pulls is not None else a.values.to_frame("pull_1")
        pb = b.pulls if b.pulls is not None else b.values.to_frame(f"pull_{pa.shape[1] + 1}")
        pulls = pd.concat(
            [pa, pb.set_axis([f"pull_{pa.shape[1] + j + 1}" for j in range(pb.shape[1])], axis=1)], axis=1
        )
        values = pulls.mean(axis=1)
        return SeriesData(
            meta(f"averaged {pulls.shape[1]} pulls of the same periods (their spread is the noise band)"),
            values,
            flags_or(),
            pulls,
        )
    common = ia.intersection(ib)
    positive = common[(a.values[common] > 0).to_numpy() & (b.values[common] > 0).to_numpy()]
    if len(positive) >= min_overlap:
        values = stitch([a.values, b.values], min_overlap)
        flags = flags_or()
        return SeriesData(
            meta(f"stitched two windows onto one scale over {len(positive)} overlapping periods"),
            values.rename(a.meta.id),
            flags.reindex(values.index) if flags is not None else None,
        )
    # the one whose data start earlier (ties: the one added first), never the one that reaches later:
    # which window is kept must not depend on data after the dates it serves
    keep, drop = (b, a) if (b.start or pd.Timestamp.max) < (a.start or pd.Timestamp.max) else (a, b)
    note = (
        f"not combined with {drop.meta.origin}: {len(positive)} overlapping periods cannot put the two "
        f"0-100 scales on one (kept {keep.meta.origin}, whose data start earlier); export overlapping "
        "windows to stitch them"
    )
    return SeriesData(
        SeriesMeta(**{**keep.meta.__dict__, "notes": (*keep.meta.notes, note)}),
        keep.values,
        keep.flags,
        keep.pulls,
    )


def infer_frequency(index: pd.DatetimeIndex) -> Frequency:
    """Classify spacing by the median gap between observations (robust to holidays and gaps)."""
    if len(index) < 3:
        return "irregular"
    ns = pd.DatetimeIndex(index).dropna().to_numpy(dtype="datetime64[ns]").view("i8")  # numpy: fast
    if len(ns) < 2:
        return "irregular"
    med = float(np.median(np.diff(ns) // 86_400_000_000_000))  # whole days, floored (Timedelta.days)
    if med <= 4:
        return "D"
    if 6 <= med <= 8:
        return "W"
    if 27 <= med <= 32:
        return "M"
    if 88 <= med <= 93:
        return "Q"
    if 360 <= med <= 370:
        return "A"
    return "irregular"
