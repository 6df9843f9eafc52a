"""The bundled source against the raw files inside the packages, read independently (csv module)."""

from __future__ import annotations

import bz2
import csv
import gzip
import math

import pandas as pd
import pytest

from hypecheck.data.bundled import package_file


def test_every_dataset_loaded_and_marked_sample(bundled_catalog) -> None:
    rep = bundled_catalog.report
    loaded = {e.origin for e in rep.loaded}
    assert {"bundled:linearmodels", "bundled:arch", "bundled:statsmodels"} <= loaded
    for s in bundled_catalog:
        assert s.meta.sample_data and s.meta.source == "bundled" and s.meta.origin
        assert s.values.index.is_monotonic_increasing and s.values.index.is_unique
        assert not s.values.isna().any(), s.meta.id


def test_french_market_level_equals_compounded_raw_returns(bundled_catalog) -> None:
    with bz2.open(package_file("linearmodels", "datasets", "french", "french.csv.bz2"), "rt") as fh:
        rows = list(csv.DictReader(fh))
    growth = 1.0
    for r in rows:
        if r["dates"].startswith("2016-"):
            growth *= 1 + float(r["MktRF"]) + float(r["RF"])
    lv = bundled_catalog.get("price", "ff:Mkt").values
    got = lv[pd.Timestamp("2016-12-31")] / lv[pd.Timestamp("2015-12-31")]
    assert got == pytest.approx(growth, rel=1e-12)
    # small value (S1V5) month of March 2017, the last month in the file
    last = rows[-1]
    s = bundled_catalog.get("price", "ff:S1V5").values
    assert s.iloc[-1] / s.iloc[-2] - 1 == pytest.approx(float(last["S1V5"]), rel=1e-12)
    assert s.index[-1] == pd.Timestamp("2017-03-31")


def test_arch_sp500_and_spread(bundled_catalog) -> None:
    with gzip.open(package_file("arch", "data", "sp500", "sp500.csv.gz"), "rt") as fh:
        rows = list(csv.DictReader(fh))
    sp = bundled_catalog.get("price", "arch:SP500").values
    assert len(sp) == len(rows)
    assert sp[pd.Timestamp("2018-12-31")] == float(rows[-1]["Adj Close"])
    with gzip.open(package_file("arch", "data", "default", "default.csv.gz"), "rt") as fh:
        d = list(csv.DictReader(fh))
    spread = bundled_catalog.get("macro", "arch:BAA-AAA").values
    assert spread[pd.Timestamp("1919-01-01")] == pytest.approx(float(d[0]["BAA"]) - float(d[0]["AAA"]))


def test_vix_missing_cells_dropped_and_counted(bundled_catalog) -> None:
    with gzip.open(package_file("arch", "data", "vix", "vix.csv.gz"), "rt") as fh:
        rows = list(csv.DictReader(fh))
    valid = [r for r in rows if r["vix"].strip() not in ("", ".")]
    vix = bundled_catalog.get("macro", "arch:VIX").values
    assert len(vix) == len(valid) < len(rows)
    assert not any(math.isnan(v) for v in vix)


def test_missing_package_error_names_install_command() -> None:
    from hypecheck.errors import MissingDependencyError

    with pytest.raises(MissingDependencyError) as exc:
        package_file("definitely_not_installed_pkg", "x.csv")
    assert "pip install" in (exc.value.hint or "")


def test_every_bundled_id_starts_with_its_datasets_prefix() -> None:
    """bundled_series() reads one dataset chosen by the id's prefix: the rule must hold for every id,
    and the series it returns must be the one the full bundled catalog holds."""
    from hypecheck.data.bundled import _CACHE, DATASETS, bundled_series
    from hypecheck.data.registry import get_source

    cat = get_source("bundled").load()
    n = 0
    for ds in DATASETS:
        for s in _CACHE.get(ds.name, []):
            assert any(s.meta.id.startswith(p) for p in ds.prefixes), (ds.name, s.meta.id)
            n += 1
    assert n == len(cat)
    one = bundled_series("price", "ff:S1V3")
    assert one is not None and one.values.equals(cat.get("price", "ff:S1V3").values)
    assert bundled_series("price", "ff:nope") is None and bundled_series("price", "XYZ") is None
