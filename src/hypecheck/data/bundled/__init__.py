"""The ``bundled`` source: real market data shipped inside well-kept PyPI packages, loaded offline.

This is **sample data**: real, public, but old (it ends between 2009 and 2022) and only as long as
the packages that ship it. It lets hypecheck run end to end on a machine with no network. Every
series says which package and file it comes from; that provenance travels into reports.

Datasets (ids in brackets):

* ``linearmodels`` - Ken French data library, monthly 1949-01 .. 2017-03 (returns turned into
  total-return level indices starting at 100): the market ``ff:Mkt`` (Mkt-RF + RF), factors
  ``ff:SMB`` ``ff:HML`` ``ff:Mom`` (long-short, compounded), 12 value-weighted industries
  ``ff:ind:<NoDur|Durbl|Manuf|Enrgy|Chems|BusEq|Telcm|Utils|Shops|Hlth|Money|Other>``, the
  3x3 corners of the 5x5 size x book-to-market sort ``ff:S{1,3,5}V{1,3,5}`` (S1 smallest, V5
  highest book-to-market = value) and size x momentum ``ff:S{1,3,5}M{1,3,5}``; the risk-free rate
  as a macro series ``ff:RF`` (annualised percent).
* ``arch`` - S&P 500 index ``arch:SP500`` and NASDAQ Composite ``arch:NASDAQ`` daily adjusted close
  1999-01-04 .. 2018-12-31 (Yahoo), CBOE VIX ``arch:VIX`` daily 2014-01 .. 2019-01, Moody's seasoned
  AAA and BAA yields ``arch:AAA`` ``arch:BAA`` and their spread ``arch:BAA-AAA`` monthly 1919 .. 2018
  (FRED), core CPI ``arch:CPILFESL`` 1957 .. 2018, WTI crude ``arch:WTI`` daily 1986 .. 2019, and
  the Fama-French 3 factors monthly 1926-07 .. 2018-11 as ``ff3:Mkt`` ``ff3:SMB`` ``ff3:HML`` (level
  indices) and ``ff3:RF``.
* ``statsmodels`` - US macro quarterly 1959Q1 .. 2009Q3: ``sm:tbilrate`` ``sm:unemp`` ``sm:infl``
  ``sm:realgdp`` ``sm:cpi``.
* ``skfolio`` (optional extra ``hypecheck[samples]``) - daily 1990-01-02 .. 2022-12-28: S&P 500
  index ``skf:SP500``, 20 large US stocks ``skf:<TICKER>`` (AAPL, MSFT, JPM, ...), and factor ETFs
  2014-01 .. 2022-12 ``skf:MTUM`` ``skf:QUAL`` ``skf:SIZE`` ``skf:USMV`` ``skf:VLUE``.

One module per dataset (``ken_french``, ``arch_samples``, ``statsmodels_macro``, ``skfolio_prices``),
each documenting its series and exposing ``DATASET``; a new dataset is one more module and one entry
in :data:`DATASETS`. Files are located with ``importlib.util.find_spec`` (no import of the heavy
packages) and read with pandas, with explicit date formats.
"""

from __future__ import annotations

from typing import Any

from ...errors import MissingDependencyError
from ...schema import Catalog, LoadEntry, SeriesData
from ..registry import register_source
from . import arch_samples, ken_french, skfolio_prices, statsmodels_macro
from ._common import Dataset, package_file
from ._kept import kept_series
from .ken_french import INDUSTRIES, SIZE_SORTS

__all__ = [
    "DATASETS",
    "INDUSTRIES",
    "SIZE_SORTS",
    "BundledSource",
    "Dataset",
    "bundled_series",
    "package_file",
]

DATASETS: tuple[Dataset, ...] = (
    ken_french.DATASET,
    arch_samples.DATASET,
    statsmodels_macro.DATASET,
    skfolio_prices.DATASET,
)

_CACHE: dict[str, list[SeriesData]] = {}


def _series_of(ds: Dataset) -> list[SeriesData]:
    """Every series of ``ds``, read once per process, from the copy kept on disk when its package files
    are unchanged (MissingDependencyError when its package is absent)."""
    if ds.name not in _CACHE:
        _CACHE[ds.name] = kept_series(ds)
    return _CACHE[ds.name]


@register_source("bundled")
class BundledSource:
    """Loads every bundled dataset whose package is installed; optional ones are skipped with a reason."""

    name = "bundled"

    def __init__(self, datasets: tuple[str, ...] | None = None) -> None:
        self.datasets = datasets

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog:
        catalog = catalog if catalog is not None else Catalog()
        for ds in DATASETS:
            if self.datasets is not None and ds.name not in self.datasets:
                continue
            try:
                series = _series_of(ds)
            except MissingDependencyError as exc:
                if not ds.optional:
                    raise
                catalog.report.add(
                    LoadEntry(
                        origin=f"bundled:{ds.name}", status="skipped", reason=f"{exc.message} ({exc.hint})"
                    )
                )
                continue
            catalog.extend(series)
            catalog.report.add(
                LoadEntry(
                    origin=f"bundled:{ds.name}",
                    status="loaded",
                    format=ds.describe,
                    series=tuple(s.meta.id for s in series),
                    rows=sum(len(s.values) for s in series),
                )
            )
        return catalog


def bundled_series(kind: str, id: str) -> SeriesData | None:
    """One bundled series, reading only the dataset that holds it (chosen by the id's prefix, e.g.
    ``ff:`` -> Ken French); None when no installed dataset holds it. Used for the long history a
    check on other data compares with, so that such a check does not read every bundled dataset."""
    for ds in DATASETS:
        if not any(id.startswith(p) for p in ds.prefixes):
            continue
        try:
            series = _series_of(ds)
        except MissingDependencyError:
            if not ds.optional:
                raise
            continue
        for s in series:
            if s.meta.kind == kind and s.meta.id == id:
                return s
    return None
