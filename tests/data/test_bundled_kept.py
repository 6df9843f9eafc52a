"""The bundled datasets' series kept on disk (data/bundled/_kept.py) are the loaders' series exactly,
and a change of a package file they came from makes the loader run again. Reads the real files shipped
in the installed packages (linearmodels, arch, statsmodels; skfolio when installed)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hypecheck.data.bundled import DATASETS, _kept
from hypecheck.errors import MissingDependencyError


def _same(a: list, b: list) -> None:
    assert [s.meta for s in a] == [s.meta for s in b]
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_series_equal(x.values, y.values, check_names=False, check_freq=False)
        assert x.values.index.dtype == y.values.index.dtype


@pytest.mark.parametrize("ds", DATASETS, ids=[d.name for d in DATASETS])
def test_kept_copy_equals_the_loader(ds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path))
    try:
        want = ds.loader()
    except MissingDependencyError:
        pytest.skip(f"{ds.package} not installed")
    first = _kept.kept_series(ds)  # parsed and written
    _same(first, want)
    record = json.loads((tmp_path / "bundled" / f"{ds.name}.json").read_text())
    assert record["files"] and all(Path(p).is_file() for p, _ in record["files"])
    again = _kept.kept_series(ds)  # from the copy
    _same(again, want)


def test_a_changed_package_file_runs_the_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record names each file the loader opened with its size and mtime; when one differs the copy
    is not used (here the record is edited to a stale mtime, the package file is not touched)."""
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path))
    ds = next(d for d in DATASETS if d.name == "linearmodels")
    calls: list[int] = []
    real = ds.loader
    counted = type(ds)(
        ds.name, ds.package, ds.describe, lambda: calls.append(1) or real(), ds.optional, ds.prefixes
    )
    _kept.kept_series(counted)
    _kept.kept_series(counted)
    assert calls == [1]  # the second from the copy
    rec_path = tmp_path / "bundled" / "linearmodels.json"
    rec = json.loads(rec_path.read_text())
    rec["files"][0][1][1] -= 1  # as if the file had been written since
    rec_path.write_text(json.dumps(rec))
    _kept.kept_series(counted)
    assert calls == [1, 1]
    assert len(list((tmp_path / "bundled").glob("linearmodels-*.bin"))) == 1  # the old copy removed


def test_cache_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # where the copy would go without "off"
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    ds = DATASETS[0]
    _same(_kept.kept_series(ds), ds.loader())
    assert not any(tmp_path.rglob("*"))
    monkeypatch.delenv("HYPECHECK_CACHE")
    _kept.kept_series(ds)
    assert (tmp_path / "hypecheck" / "bundled" / f"{ds.name}.json").is_file()
