"""The folder index's kept copies of parsed series (raw arrays behind a JSON header, read as views of
one buffer) and its SHA-256 file digest: exact round trips, damaged or foreign copies are misses (the
file is read again), and a copy is keyed by the file's bytes and the reader code."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck.data.folder as folder_mod
from hypecheck.data.folder import FilesSource, _load_series, _save_series, file_digest
from hypecheck.schema import SeriesData, SeriesMeta


@pytest.mark.parametrize("size", [0, 1, 4095, (1 << 20) + 17, 3 * (1 << 20)])
def test_file_digest_is_sha256_of_the_bytes(tmp_path: Path, size: int) -> None:
    p = tmp_path / "f.bin"
    p.write_bytes(os.urandom(size))
    assert file_digest(p) == hashlib.sha256(p.read_bytes()).hexdigest()[:32]


def _series(unit: str) -> SeriesData:
    idx = pd.DatetimeIndex(["2024-01-05", "2024-01-12", "2024-01-19"]).as_unit(unit)
    meta = SeriesMeta(id="x y", kind="search", source="files", origin="t/x.csv", frequency="W", notes=("n1",))
    flags = pd.DataFrame({"below_one": [False, True, False]}, index=idx)
    vint = pd.DataFrame(
        [[1.0, np.nan], [2.0, 2.5], [np.nan, 3.0]],
        index=idx,
        columns=pd.DatetimeIndex(["2024-02-01", "2024-03-01"]),
    )
    return SeriesData(meta, pd.Series([1.5, np.nan, -2.0], index=idx), flags, None, vint)


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_round_trip_is_exact(tmp_path: Path, unit: str) -> None:
    s = _series(unit)
    plain = SeriesData(SeriesMeta(id="A", kind="price", source="files", origin="a.csv"), s.values * 2)
    _save_series(tmp_path / "c.bin", [s, plain])
    got = _load_series(tmp_path / "c.bin")
    assert got is not None and len(got) == 2
    g, p = got
    assert g.meta == s.meta and p.meta == plain.meta
    assert g.values.index.dtype == s.values.index.dtype
    pd.testing.assert_series_equal(g.values, s.values, check_exact=True, check_names=False)
    assert np.array_equal(g.values.to_numpy(), s.values.to_numpy(), equal_nan=True)
    assert g.flags is not None and g.flags.equals(s.flags)
    assert g.vintages is not None and g.vintages.equals(s.vintages)
    assert g.pulls is None and p.flags is None and p.vintages is None
    pd.testing.assert_series_equal(p.values, plain.values, check_exact=True, check_names=False)
    g.values.iloc[0] = 9.0  # writable, as read from a file
    assert g.values.iloc[0] == 9.0


def test_damaged_or_foreign_copies_are_misses(tmp_path: Path) -> None:
    path = tmp_path / "c.bin"
    _save_series(path, [_series("ns")])
    raw = path.read_bytes()
    for bad in (raw[: len(raw) // 2], b"PK" + raw[2:], b"", raw[:14]):
        path.write_bytes(bad)
        assert _load_series(path) is None
    # a header asking for Python objects (or bytes past the end) is refused, never viewed
    n = int.from_bytes(raw[10:18], "little")
    head = json.loads(raw[18 : 18 + n])
    for change in ({"dtype": "|O"}, {"offset": 10**9}):
        h = json.loads(json.dumps(head))
        entry = h["arrays"]["v0"]
        entry[0] = change.get("dtype", entry[0])
        entry[2] = change.get("offset", entry[2])
        body = json.dumps(h).encode()
        body += b" " * (-(18 + len(body)) % 16)
        path.write_bytes(raw[:10] + len(body).to_bytes(8, "little") + body + raw[18 + n :])
        assert _load_series(path) is None
    assert _load_series(tmp_path / "none.bin") is None


def test_object_tables_are_not_kept(tmp_path: Path) -> None:
    s = _series("ns")
    odd = SeriesData(s.meta, s.values, None, pd.DataFrame({"who": ["a", 1, None]}, index=s.values.index))
    _save_series(tmp_path / "c.bin", [odd])
    assert not (tmp_path / "c.bin").exists()


def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path / "cache"))
    d = tmp_path / "data" / "prices"
    d.mkdir(parents=True)
    (d / "AAA.csv").write_text("Date,Close\n2024-01-02,10\n2024-01-03,11\n2024-01-04,12\n")
    return d.parent


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = folder_mod.read_one

    def spy(path, origin, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(origin)
        return real(path, origin, *a, **k)

    monkeypatch.setattr(folder_mod, "read_one", spy)
    return calls


def test_the_copy_serves_the_next_run_and_a_new_reader_code_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _folder(tmp_path, monkeypatch)
    first = FilesSource(d, today="2026-01-01").load().get("price", "AAA")
    calls = _reads(monkeypatch)
    again = FilesSource(d, today="2026-01-01").load().get("price", "AAA")
    assert calls == []  # from the copy
    pd.testing.assert_series_equal(again.values, first.values, check_exact=True)
    copies = list((tmp_path / "cache").rglob("*.bin"))
    assert len(copies) == 1
    copies[0].write_bytes(b"damaged")
    assert FilesSource(d, today="2026-01-01").load().get("price", "AAA").values.equals(first.values)
    assert calls == ["prices/AAA.csv"]  # a damaged copy is read from the file again
    monkeypatch.setattr(folder_mod, "_code_stamp", lambda: "another-reader")
    assert FilesSource(d, today="2026-01-01").load().get("price", "AAA").values.equals(first.values)
    assert calls[1:] == ["prices/AAA.csv"]  # other reader code: the index and copies are not used
