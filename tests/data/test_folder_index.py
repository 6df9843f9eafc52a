"""The folder index: built once, kept on disk keyed by (path, size, mtime_ns, content digest), series
read when asked.

Every file here is written by the tests (hand-built, made-up numbers)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import hypecheck.data.folder as folder_mod
from hypecheck.data.folder import FilesSource
from hypecheck.schema import Catalog

TODAY = "2026-01-01"


def _dates(n: int, start: str = "2024-01-02") -> list[str]:
    import pandas as pd

    return [str(d.date()) for d in pd.bdate_range(start, periods=n)]


def _close(path: Path, values: list[float], start: str = "2024-01-02") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{d},{v}\n" for d, v in zip(_dates(len(values), start), values, strict=True))
    path.write_text("Date,Close\n" + rows)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path / "cache"))
    d = tmp_path / "data"
    _close(d / "prices" / "AAA.csv", [10.0, 11.0, 12.0, 13.0, 14.0])
    _close(d / "prices" / "BBB.csv", [20.0, 21.0, 22.0, 23.0, 24.0])
    # a second file of AAA starting later: only fills the dates after the first, one conflict
    _close(d / "more" / "AAA.csv", [12.5, 13.0, 14.0, 15.0], start="2024-01-04")
    (d / "macro").mkdir()
    (d / "macro" / "DGS2.csv").write_text(
        "observation_date,DGS2\n2024-01-01,4.1\n2024-02-01,.\n2024-03-01,4.3\n"
    )
    (d / "macro" / "bad.csv").write_text("Date;Close\n2024-01-02;1\n")
    (d / "notes.md").write_text("not data\n")
    written = 1_748_736_000  # 2025-06-01: every file written before the days the tests pin
    for f in d.rglob("*"):
        os.utime(f, (written, written))
    return d


class Spy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        real = folder_mod.read_one

        def spy(path, origin, *a, **k):  # type: ignore[no-untyped-def]
            self.calls.append(origin)
            return real(path, origin, *a, **k)

        monkeypatch.setattr(folder_mod, "read_one", spy)


def _load(d: Path) -> tuple[Catalog, FilesSource]:
    src = FilesSource(d, today=TODAY)
    return src.load(), src


def _everything(cat: Catalog) -> dict[tuple[str, str, str], list[float]]:
    return {(s.meta.kind, s.meta.id, s.meta.frequency): s.values.tolist() for s in cat}


def test_second_load_reads_only_what_is_asked(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold, src = _load(data)
    assert src.indexes[0].n_read == 6  # every file read once to build the index (notes.md included)
    spy = Spy(monkeypatch)
    warm, src = _load(data)
    assert src.indexes[0].n_read == 0 and spy.calls == []
    # names, membership, counts and the whole load report come from the index
    assert warm.ids("price") == ["AAA", "BBB"] and warm.has("macro", "DGS2")
    assert warm.resolve("price", "aaa") == "AAA" and warm.suggest("price", "AAB")[0] == "AAA"
    assert len(warm) == len(cold) == 3
    assert warm.report.to_dict() == cold.report.to_dict()
    assert spy.calls == []
    # a series is read when asked for (BBB was never asked for: its file is read now, once)
    assert warm.get("price", "BBB").values.tolist() == [20.0, 21.0, 22.0, 23.0, 24.0]
    assert spy.calls == ["prices/BBB.csv"]
    # AAA's two files were read to compute their merge when the index was built; what they gave was
    # kept beside the index, so asking for AAA opens neither CSV, and the merge is the same
    aaa = warm.get("price", "AAA")
    assert spy.calls == ["prices/BBB.csv"]
    assert aaa.values.tolist() == cold.get("price", "AAA").values.tolist()
    assert aaa.values.tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]  # earliest start wins; later fills
    assert aaa.meta == cold.get("price", "AAA").meta
    third, _ = _load(data)
    assert third.get("price", "BBB").meta == warm.get("price", "BBB").meta
    assert spy.calls == ["prices/BBB.csv"]  # the copy kept on the first read
    assert _everything(warm) == _everything(cold) == _everything(third)


def test_the_copies_kept_are_the_series_read(data: Path, tmp_path: Path) -> None:
    """Everything a series holds survives the copy: values, dates, meta, flags and vintages."""
    (data / "trends").mkdir()
    (data / "trends" / "t.csv").write_text(
        "Week,gold price\n2024-01-07,10\n2024-01-14,<1\n2024-01-21,30\n2024-01-28,40\n"
    )
    alfred = Path(__file__).resolve().parents[1] / "fixtures" / "alfred" / "handbuilt_claims_vintages.csv"
    (data / "macro" / "ICSA.csv").write_bytes(alfred.read_bytes())
    first, _ = _load(data)
    read = {(s.meta.kind, s.meta.id): s for s in first}  # reads every file, keeps a copy of each
    again, _ = _load(data)
    for s in again:
        r = read[(s.meta.kind, s.meta.id)]
        assert s.meta == r.meta and s.values.equals(r.values)
        for a, b in ((s.flags, r.flags), (s.vintages, r.vintages), (s.pulls, r.pulls)):
            assert (a is None and b is None) or (a is not None and b is not None and a.equals(b))
    assert again.get("search", "gold price").flags is not None
    assert again.get("macro", "ICSA").vintages is not None


def test_merges_and_skips_reach_the_report(data: Path) -> None:
    cold, _ = _load(data)
    warm, _ = _load(data)
    for cat in (cold, warm):
        rep = cat.report.to_dict()
        (merge,) = rep["merged"]
        assert merge["series"] == "AAA" and merge["origins"] == ["prices/AAA.csv", "more/AAA.csv"]
        assert "1 of them differ" in merge["reason"] and "2024-01-04" in merge["reason"]
        skipped = {e["origin"]: e["reason"] for e in rep["skipped"]}
        assert skipped["macro/bad.csv"].startswith("semicolon-separated file")
        assert skipped["notes.md"].startswith("not a data file (.md)")
        loaded = {e.origin: e for e in cat.report.loaded}
        assert loaded["macro/DGS2.csv"].reason == "1 missing value (blank, '.' or null) skipped"
        # more/ is walked before prices/, so the second file of AAA read is prices/AAA.csv
        assert loaded["more/AAA.csv"].reason == ""
        assert loaded["prices/AAA.csv"].reason == "merged with series already loaded: AAA"


def test_a_changed_file_is_the_only_one_read_again(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(data)
    _close(data / "prices" / "BBB.csv", [30.0, 31.0, 32.0, 33.0, 34.0, 35.0])
    _close(data / "prices" / "CCC.csv", [5.0, 6.0, 7.0])
    (data / "macro" / "DGS2.csv").unlink()
    spy = Spy(monkeypatch)
    cat, src = _load(data)
    assert sorted(spy.calls) == ["prices/BBB.csv", "prices/CCC.csv"] and src.indexes[0].n_read == 2
    assert cat.get("price", "BBB").values.tolist()[-1] == 35.0
    assert not cat.has("macro", "DGS2") and cat.has("price", "CCC")
    spy.calls.clear()
    _, src = _load(data)
    assert spy.calls == [] and src.indexes[0].n_read == 0


def test_touching_a_file_reads_it_again(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(data)
    p = data / "prices" / "BBB.csv"
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    spy = Spy(monkeypatch)
    _load(data)
    assert spy.calls == ["prices/BBB.csv"]


def test_an_edit_keeping_size_and_mtime_is_seen(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cp -p`, `rsync -t` or a coarse-timestamp filesystem: the same size and modification time,
    other bytes. The index keys each file by a digest of its content too, so the edit is read."""
    cat, _ = _load(data)
    assert cat.get("price", "BBB").values.tolist()[-1] == 24.0  # read: its copy is kept on disk
    p = data / "prices" / "BBB.csv"
    st = p.stat()
    text = p.read_text()
    p.write_text(text.replace(",24.0\n", ",94.0\n"))  # one digit: the same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (p.stat().st_size, p.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    spy = Spy(monkeypatch)
    cat, src = _load(data)
    assert spy.calls == ["prices/BBB.csv"] and src.indexes[0].n_read == 1
    assert cat.get("price", "BBB").values.tolist()[-1] == 94.0
    spy.calls.clear()
    again, src = _load(data)  # unchanged since: from the index and the copy kept, not read
    assert again.get("price", "BBB").values.tolist()[-1] == 94.0
    assert spy.calls == [] and src.indexes[0].n_read == 0


def test_a_merge_input_changing_recomputes_the_merge(data: Path) -> None:
    _load(data)
    _close(data / "more" / "AAA.csv", [99.0, 13.0, 14.0, 15.0, 16.0], start="2024-01-04")
    cat, _ = _load(data)
    (merge,) = cat.report.to_dict()["merged"]
    assert "largest" in merge["reason"] and "2024-01-04" in merge["reason"]
    assert cat.get("price", "AAA").values.tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]


def test_cache_off_writes_nothing_and_gives_the_same(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on, _ = _load(data)
    monkeypatch.setenv("HYPECHECK_CACHE", "off")
    cache = data.parent / "cache"
    before = sorted(cache.rglob("*"))
    off, src = _load(data)
    assert src.indexes[0].n_read == 6
    assert sorted(cache.rglob("*")) == before
    assert off.report.to_dict() == on.report.to_dict() and _everything(off) == _everything(on)


def test_another_day_keeps_records_it_cannot_change(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(data)
    spy = Spy(monkeypatch)
    FilesSource(data, today="2026-02-01").load()
    assert spy.calls == []  # nothing after either day, every file written before both
    spy.calls.clear()
    cat = FilesSource(data, today="2024-01-05").load()  # rows after this day are now rejected
    assert "prices/AAA.csv" in spy.calls
    aaa = {e.origin: e for e in cat.report.loaded}["prices/AAA.csv"]
    assert aaa.rejected_rows == 1 and "dated after today (2024-01-05): 1" in aaa.reason  # 2024-01-08


def test_a_damaged_index_is_rebuilt(data: Path) -> None:
    _load(data)
    for f in (data.parent / "cache" / "folders").glob("*.json"):
        f.write_text("{not json")
    cat, src = _load(data)
    assert src.indexes[0].n_read == 6 and cat.get("price", "BBB").values.tolist()[0] == 20.0


def test_a_file_changed_after_indexing_is_read_as_it_is(data: Path) -> None:
    _load(data)
    cat, _ = _load(data)
    (data / "prices" / "BBB.csv").write_text("Date,Open\n2024-01-02,1\n")  # no longer a price file
    with pytest.raises(Exception, match=r"BBB\.csv"):
        cat.get("price", "BBB")


def test_shared_folder_index_gives_the_same_catalog(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path / "cache"))
    cold = FilesSource(shared_data).load()
    spy = Spy(monkeypatch)
    warm = FilesSource(shared_data).load()
    assert spy.calls == []
    assert warm.report.to_dict() == cold.report.to_dict()
    assert len(warm) == len(cold) and warm.ids("search") == cold.ids("search")
    a, b = warm.get("macro", "CPIAUCSL"), cold.get("macro", "CPIAUCSL")
    assert spy.calls == []  # merged when the index was built: its inputs' series were kept then
    iwm = warm.get("price", "IWM")
    assert spy.calls == [iwm.meta.origin]  # never asked for before: its one file is read now
    assert iwm.values.equals(cold.get("price", "IWM").values)
    assert np.array_equal(a.values.to_numpy(), b.values.to_numpy()) and a.meta == b.meta


class DigestSpy:
    """Counts the files hashed (folder.file_digest calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = folder_mod.file_digest

        def spy(path):  # type: ignore[no-untyped-def]
            self.paths.append(Path(path).name)
            return real(path)

        monkeypatch.setattr(folder_mod, "file_digest", spy)


@pytest.mark.skipif(os.name != "posix", reason="stamps are trusted on POSIX only")
def test_a_trusted_stamp_skips_hashing_and_an_edit_still_shows(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a file's stamp (status-change time, inode, size, mtime) is recorded well after its last
    change, later runs do not hash it; any write changes st_ctime, so a same-size, same-mtime edit is
    still hashed and read. The margin is set to 0 here (the files were written a moment ago)."""
    monkeypatch.setattr(folder_mod, "STAMP_MARGIN_NS", 0)
    _load(data)  # indexed: every file hashed and stamped
    digests = DigestSpy(monkeypatch)
    spy = Spy(monkeypatch)
    cat, src = _load(data)
    assert digests.paths == [] and spy.calls == [] and src.indexes[0].n_read == 0
    assert cat.get("price", "BBB").values.tolist()[-1] == 24.0  # read now, no hash
    assert digests.paths == []
    spy.calls.clear()
    cat, src = _load(data)
    assert cat.get("price", "BBB").values.tolist()[-1] == 24.0  # from the copy kept, no hash
    assert digests.paths == [] and spy.calls == []
    p = data / "prices" / "BBB.csv"
    st = p.stat()
    p.write_text(p.read_text().replace(",24.0\n", ",94.0\n"))  # the same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same mtime
    cat, src = _load(data)
    assert "BBB.csv" in digests.paths and spy.calls == ["prices/BBB.csv"]
    assert cat.get("price", "BBB").values.tolist()[-1] == 94.0


@pytest.mark.skipif(os.name != "posix", reason="stamps are trusted on POSIX only")
def test_a_fresh_stamp_is_not_trusted(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within the margin before its stat is hashed on every run (a write in the same
    tick of a coarse clock would keep st_ctime), until its stamp is old enough."""
    monkeypatch.setattr(folder_mod, "STAMP_MARGIN_NS", 10**18)  # nothing is ever old enough
    _load(data)
    digests = DigestSpy(monkeypatch)
    _load(data)
    assert sorted(set(digests.paths)) == ["AAA.csv", "BBB.csv", "DGS2.csv", "bad.csv", "notes.md"]
