"""The DuckDB store: round trips (property-based), idempotent upserts, vintages, a writer killed
mid-fetch, readers beside a writer, a damaged file, and the fetch loop with fake providers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hypecheck.errors import BadResponseError, OfflineError, ProviderError, ProviderTimeoutError
from hypecheck.schema import SeriesData, SeriesMeta
from hypecheck.store import Store, StoreError


def series(id: str, values, start: str = "2020-01-01", kind: str = "price", freq: str = "D") -> SeriesData:
    idx = (
        pd.bdate_range(start, periods=len(values))
        if freq == "D"
        else pd.date_range(start, periods=len(values), freq="MS")
    )
    return SeriesData(
        SeriesMeta(id=id, kind=kind, source="test", origin="hand-made", frequency=freq),
        pd.Series(values, index=idx, dtype="float64"),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    vals=st.lists(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False), min_size=1, max_size=60),
    offset=st.integers(0, 3000),
)
def test_round_trip_property(tmp_path: Path, vals: list[float], offset: int) -> None:
    store = Store(tmp_path / f"rt-{offset}-{len(vals)}.duckdb")
    start = (pd.Timestamp("1990-01-01") + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")
    d = series("X", vals, start)
    store.write(d)
    got = store.read("price", "X")
    np.testing.assert_array_equal(got.to_numpy(), d.values.to_numpy())
    assert list(got.index) == list(d.values.index)
    again = store.write(d)
    assert again.rows_stored == 0  # idempotent
    assert store.counts()["observations"] == len(vals)


def test_revisions_and_vintages(tmp_path: Path) -> None:
    store = Store(tmp_path / "v.duckdb")
    store.write(series("GDP", [100.0, 101.0, 102.0], kind="macro", freq="M"), vintage=dt.date(2024, 5, 1))
    store.write(series("GDP", [100.0, 101.5, 102.0], kind="macro", freq="M"), vintage=dt.date(2024, 6, 1))
    assert store.read("macro", "GDP").tolist() == [100.0, 101.5, 102.0]
    assert store.read("macro", "GDP", known_at="2024-05-15").tolist() == [100.0, 101.0, 102.0]
    assert store.read("macro", "GDP", known_at="2024-04-30").empty
    assert store.counts()["observations"] == 4  # only the revision added a row


def test_same_id_different_frequencies_stay_apart(tmp_path: Path) -> None:
    store = Store(tmp_path / "f.duckdb")
    store.write(series("small cap", [50.0] * 10, kind="search", freq="D"))
    store.write(series("small cap", [40.0] * 4, kind="search", freq="M"))
    cat = store.catalog()
    assert {s.meta.frequency for s in cat.all("search", "small cap")} == {"D", "M"}
    assert len(store.read("search", "small cap", frequency="M")) == 4


WRITER = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from hypecheck.schema import SeriesData, SeriesMeta
    from hypecheck.store import Store
    store = Store(sys.argv[1])
    n, rows, pause = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    idx = pd.bdate_range("2000-01-03", periods=rows)
    for i in range(n):
        sid = f"S{i:03d}"
        if store.info("price", sid):
            continue  # a rerun completes what is missing
        d = SeriesData(SeriesMeta(id=sid, kind="price", source="test", origin="writer", frequency="D"),
                       pd.Series(range(1, rows + 1), index=idx, dtype="float64"))
        store.write(d)
        print(f"committed {sid}", flush=True)
        time.sleep(pause)
    print("done", flush=True)
    """
)


def _writer(path: Path, n: int, rows: int, pause: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(n), str(rows), str(pause)],
        stdout=subprocess.PIPE,
        text=True,
    )


FETCHER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from pathlib import Path
    import pandas as pd
    import hypecheck
    from hypecheck.fetch import fetch_theme
    from hypecheck.data.connectors.base import Query, Raw
    from hypecheck.schema import SeriesData, SeriesMeta
    from hypecheck.store import Store

    store_path, theme_path, rows, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

    class Slow:
        # a provider that takes a while per series, like a real network fetch
        name, kinds = "slow", ("price",)
        def query(self, id, start=None, end=None, **o):
            return Query("slow", "price", id, "https://example.invalid/" + id)
        def fetch(self, q):
            time.sleep(pause)
            return Raw(q, 200, b"", dt.datetime(2026, 1, 1))
        def standardize(self, raw):
            idx = pd.bdate_range("2000-01-03", periods=rows)
            v = pd.Series(range(1, rows + 1), index=idx, dtype="float64")
            return [SeriesData(SeriesMeta(id=raw.query.id, kind="price", source="slow", origin="slow", frequency="D"), v)]

    theme = hypecheck.load_theme(Path(theme_path))
    items = fetch_theme(theme, Store(store_path), providers={"yahoo": Slow()},
                        progress=lambda it: print(it.status, it.id, flush=True))
    print("done", sum(i.status == "fetched" for i in items), sum(i.status == "skipped" for i in items), flush=True)
    """
)


def test_killed_fetch_leaves_the_store_intact_and_a_rerun_completes(tmp_path: Path) -> None:
    """`fetch` is killed (SIGKILL) mid-run: every series it reported is complete, none is half
    written, and a rerun fetches the rest (skipping what is already fresh)."""
    tickers = [f"T{i:02d}" for i in range(30)]
    theme = tmp_path / "many.toml"
    theme.write_text(
        'id = "many"\ntitle = "t"\nquestion = "q"\n[price]\nbenchmarks = ["T00"]\n'
        '[[price.pairs]]\nleader = "T01"\nlaggard = "T00"\n[price.sectors]\n'
        + "".join(f'{t} = "{t}"\n' for t in tickers)
    )
    path = tmp_path / "kill.duckdb"
    args = [sys.executable, "-c", FETCHER, str(path), str(theme)]
    p = subprocess.Popen([*args, "3000", "0.05"], stdout=subprocess.PIPE, text=True)
    done = []
    assert p.stdout is not None
    for line in p.stdout:
        if line.startswith("fetched"):
            done.append(line.split()[1])
        if len(done) >= 6:
            os.kill(p.pid, signal.SIGKILL)  # mid-fetch: the next series may be half-written
            break
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL
    store = Store(path)
    ids = [i for _, i, _ in store.series_ids("price")]
    assert set(done) <= set(ids) and len(ids) < len(tickers)
    for sid in ids:  # every series present is complete: no half-written transaction survives
        assert len(store.read("price", sid)) == 3000
    rerun = subprocess.run([*args, "3000", "0.0"], capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    last = rerun.stdout.strip().splitlines()[-1].split()
    assert last[0] == "done" and int(last[2]) >= len(ids)  # what was stored is fresh and skipped
    assert len(store.series_ids("price")) == len(tickers)
    assert store.counts()["observations"] == len(tickers) * 3000


def test_readers_work_while_a_writer_runs(tmp_path: Path) -> None:
    path = tmp_path / "rw.duckdb"
    Store(path).write(series("SEED", [1.0, 2.0]))
    p = _writer(path, 30, 2000, 0.02)
    reads = 0
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline:
        assert Store(path, lock_timeout=20).read("price", "SEED").tolist() == [1.0, 2.0]
        reads += 1
    p.wait(timeout=60)
    assert p.returncode == 0 and reads >= 3


def test_damaged_store_is_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as ei:
        Store(path).read("price", "X")
    assert "cannot open the store" in str(ei.value) and "hint" in str(ei.value)
    assert path.read_bytes() == before


def test_missing_store_says_fetch_first(tmp_path: Path) -> None:
    from hypecheck.errors import InputError

    with pytest.raises(InputError, match="hypecheck fetch"):
        Store(tmp_path / "none.duckdb").read("price", "X")


class FakeProvider:
    """Answers from a dict; ids in ``down`` raise a network error, ids in ``bad`` a 500."""

    def __init__(self, kind: str, data: dict, down=(), bad=()) -> None:
        self.name, self.kinds, self.data, self.down, self.bad = "fake", (kind,), data, set(down), set(bad)
        self.calls: list[str] = []

    def query(self, id, start=None, end=None, **opts):
        from hypecheck.data.connectors.base import Query

        return Query("fake", self.kinds[0], id, f"https://example.invalid/{id}")

    def fetch(self, q):
        from hypecheck.data.connectors.base import Raw

        self.calls.append(q.id)
        if q.id in self.down:
            raise OfflineError(f"fake {q.id}: network error (ConnectError) after 4 attempts", hint="rerun")
        if q.id in self.bad:
            raise ProviderError(f"fake {q.id}: server error (HTTP 500) after 4 attempts", hint="rerun")
        return Raw(q, 200, b"", dt.datetime(2026, 1, 1))

    def standardize(self, raw):
        v = self.data[raw.query.id]
        return [
            SeriesData(
                SeriesMeta(id=raw.query.id, kind=self.kinds[0], source="fake", origin="fake", frequency="D"),
                v,
            )
        ]


def _theme(tmp_path: Path):
    import hypecheck

    f = tmp_path / "t.toml"
    f.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[price]\nbenchmarks = ["BBB"]\n[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'
        '[[macro]]\nid = "FEDFUNDS"\nneeds = "flat_or_down"\n'
    )
    return hypecheck.load_theme(f)


def test_fetch_counts_validation_skips_fresh_and_records_failures(tmp_path: Path) -> None:
    from hypecheck.fetch import fetch_theme

    idx = pd.bdate_range("2024-01-01", periods=6)
    good = pd.Series([10.0, 11.0, -1.0, 12.0, np.nan, 13.0], index=idx)  # one negative, one missing
    prices = FakeProvider("price", {"AAA": good, "BBB": pd.Series([5.0] * 6, index=idx)})
    macro = FakeProvider("macro", {}, bad={"FEDFUNDS"})
    store = Store(tmp_path / "f.duckdb")
    items = fetch_theme(_theme(tmp_path), store, providers={"yahoo": prices, "fred": macro})
    by = {i.id: i for i in items}
    assert by["AAA"].status == "fetched" and by["AAA"].rows_in == 6
    assert by["AAA"].rows_stored == 4 and by["AAA"].rows_rejected == 2  # in = stored + rejected
    assert "non-positive price" in by["AAA"].validation
    assert by["FEDFUNDS"].status == "failed" and "HTTP 500" in by["FEDFUNDS"].reason
    assert store.read("price", "AAA").tolist() == [10.0, 11.0, 12.0, 13.0]
    log = store.fetch_log()
    assert set(log["status"]) == {"stored", "failed"}
    # a second run within max_age skips what is fresh and does not call the provider again
    prices.calls.clear()
    items = fetch_theme(_theme(tmp_path), store, providers={"yahoo": prices, "fred": macro})
    assert {i.id: i.status for i in items}["AAA"] == "skipped" and prices.calls == []


def test_fetch_after_import_is_not_fresh(tmp_path: Path) -> None:
    """`hypecheck import` stores files (their values get the import time), but no live provider
    fetched them: a fetch right after must ask the provider (the files end 4 months earlier), and
    only the provider's own fetch makes the series fresh."""
    from click.testing import CliRunner

    from hypecheck.cli import main
    from hypecheck.fetch import fetch_theme

    old = pd.bdate_range("2024-01-01", "2024-06-28")
    data = tmp_path / "files"
    data.mkdir()
    for t in ("AAA", "BBB"):
        pd.DataFrame({"Date": old.strftime("%Y-%m-%d"), "Close": np.linspace(10, 20, len(old))}).to_csv(
            data / f"{t}.csv", index=False
        )
    store = Store(tmp_path / "i.duckdb")
    res = CliRunner().invoke(main, ["import", str(data), "--store", str(store.path)])
    assert res.exit_code == 0, res.output
    assert store.info("price", "AAA")["last"] == dt.date(2024, 6, 28)
    new = pd.bdate_range("2024-06-24", "2024-10-31")
    prices = FakeProvider(
        "price", {t: pd.Series(np.linspace(20, 25, len(new)), index=new) for t in ("AAA", "BBB")}
    )
    macro = FakeProvider("macro", {"FEDFUNDS": pd.Series([5.0] * 3, index=new[:3])})
    items = fetch_theme(_theme(tmp_path), store, providers={"yahoo": prices, "fred": macro})
    by = {i.id: i for i in items}
    assert by["AAA"].status == "fetched" and by["BBB"].status == "fetched", [(i.id, i.reason) for i in items]
    assert sorted(prices.calls) == ["AAA", "BBB"]
    assert store.info("price", "AAA")["last"] == dt.date(2024, 10, 31)
    prices.calls.clear()  # now they are fresh: fetched by their provider a moment ago
    items = fetch_theme(_theme(tmp_path), store, providers={"yahoo": prices, "fred": macro})
    assert {i.id: i.status for i in items}["AAA"] == "skipped" and prices.calls == []


def test_fetch_offline_skips_the_rest_and_keeps_the_store(tmp_path: Path) -> None:
    from hypecheck.fetch import fetch_theme

    idx = pd.bdate_range("2024-01-01", periods=3)
    store = Store(tmp_path / "o.duckdb")
    store.write(series("BBB", [1.0, 2.0, 3.0]))
    before = store.counts()
    prices = FakeProvider("price", {}, down={"AAA", "BBB"})
    macro = FakeProvider("macro", {"FEDFUNDS": pd.Series([1.0] * 3, index=idx)})
    items = fetch_theme(
        _theme(tmp_path), store, providers={"yahoo": prices, "fred": macro}, max_age=dt.timedelta(0)
    )
    by = {i.id: i for i in items}
    assert by["AAA"].status == "failed" and "network error" in by["AAA"].reason
    assert by["BBB"].status == "skipped" and "offline" in by["BBB"].reason
    assert prices.calls == ["AAA"]  # no second wait through retries
    assert store.counts() == before and store.read("price", "BBB").tolist() == [1.0, 2.0, 3.0]
    assert by["AAA"].error is OfflineError and by["BBB"].error is OfflineError
    assert by["FEDFUNDS"].status == "skipped" and by["FEDFUNDS"].offline


class _Raises(FakeProvider):
    """Raises ``exc`` for every id, whatever its text."""

    def __init__(self, kind: str, exc: Exception) -> None:
        super().__init__(kind, {})
        self.exc = exc

    def fetch(self, q):
        self.calls.append(q.id)
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "offline"),
    [
        # the type decides, not the words: an OfflineError saying nothing of networks is offline ...
        (OfflineError("fake: the provider could not be reached"), True),
        (ProviderTimeoutError("fake: no answer"), True),
        # ... and a provider's refusal that happens to say "offline" or "network error" is not
        (ProviderError("offline mode is not supported by this endpoint"), False),
        (BadResponseError("fake: network error page served with HTTP 200", status=200), False),
    ],
)
def test_fetch_decides_offline_from_the_error_type(tmp_path: Path, exc: Exception, offline: bool) -> None:
    from hypecheck.fetch import fetch_theme, is_offline, not_fetched

    store = Store(tmp_path / "t.duckdb")
    prices = _Raises("price", exc)
    macro = FakeProvider(
        "macro", {"FEDFUNDS": pd.Series([1.0] * 3, index=pd.bdate_range("2024-01-01", periods=3))}
    )
    items = fetch_theme(_theme(tmp_path), store, providers={"yahoo": prices, "fred": macro})
    by = {i.id: i for i in items}
    assert by["AAA"].status == "failed" and by["AAA"].error is type(exc)
    assert is_offline(items) is offline
    # offline: the rest is skipped without a request and counted as not fetched; else each is tried
    assert prices.calls == (["AAA"] if offline else ["AAA", "BBB"])
    assert by["FEDFUNDS"].status == ("skipped" if offline else "fetched")
    assert {i.id for i in not_fetched(items)} == ({"AAA", "BBB", "FEDFUNDS"} if offline else {"AAA", "BBB"})


def test_not_fetched_reads_the_type_not_the_reason() -> None:
    """A skipped item whose reason happens to start with "offline" but carries no error is not
    counted; one skipped for the network with any reason text is."""
    from hypecheck.fetch import Item, is_offline, not_fetched

    words = Item("price", "AAA", "yahoo", status="skipped", reason="offline copy is fresh")
    typed = Item("price", "BBB", "yahoo", status="skipped", reason="not asked", error=OfflineError)
    assert not_fetched([words, typed]) == [typed]
    assert not is_offline([words]) and is_offline([typed])


def test_check_live_offline_uses_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_data: Path
) -> None:
    from click.testing import CliRunner

    from hypecheck.cli import main
    from hypecheck.data.connectors import base

    class Offline(FakeProvider):
        def __init__(self, **kw) -> None:
            super().__init__("price", {}, down={"*"})

        def fetch(self, q):
            # no word of networks in the text: the CLI says "no network" from the error's type alone
            raise OfflineError(f"{q.id}: unreachable after 4 attempts", hint="rerun")

    base.available_providers()  # the built-ins registered before any is patched (a patch first would
    for name in ("yahoo", "fred", "trends"):  # keep them out, and vanish with the test)
        monkeypatch.setitem(base._FACTORIES, name, Offline)
    path = tmp_path / "s.duckdb"
    store = Store(path)
    from hypecheck.data.folder import FilesSource

    cat = FilesSource(shared_data / "prices" / "etf_daily").load()
    with store.writer():
        for s in cat:
            store.write(s)
    r = CliRunner().invoke(
        main,
        [
            "check",
            "small-cap-rotation",
            "--live",
            "--store",
            str(path),
            "--as-of",
            "2026-01-16",
            "--no-calibration",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "no network" in r.output and "VERDICT:" in r.output and "Traceback" not in r.output
    assert "oldest data used" in r.output
    empty = CliRunner().invoke(
        main,
        [
            "check",
            "small-cap-rotation",
            "--live",
            "--store",
            str(tmp_path / "none.duckdb"),
            "--no-calibration",
        ],
    )
    assert empty.exit_code == 3 and "no stored data" in empty.output and "no network" in empty.output


def _vintaged(frame: pd.DataFrame, id: str = "GDPX") -> SeriesData:
    return SeriesData.from_vintages(
        SeriesMeta(id=id, kind="macro", source="test", origin="hand-made", frequency="M"), frame
    )


def test_vintages_are_stored_as_rows_and_read_back_as_known(tmp_path: Path) -> None:
    """A series with vintages (ALFRED's layout, hand-made) keeps every vintage: read and catalog as of
    a date between two vintages give the earlier one's values, whatever order they were written in."""
    obs = pd.DatetimeIndex(["2024-01-01", "2024-02-01", "2024-03-01"])
    v1, v2, v3 = pd.Timestamp("2024-03-10"), pd.Timestamp("2024-04-10"), pd.Timestamp("2024-05-10")
    frame = pd.DataFrame(
        {v1: [1.0, 2.0, np.nan], v2: [1.0, 2.5, 3.0], v3: [1.0, 2.5, 3.5]}, index=obs, dtype="float64"
    )
    store = Store(tmp_path / "v.duckdb")
    # the latest vintage first, then the earlier ones: the order of writing must not matter
    assert store.write(_vintaged(frame[[v3]])).rows_stored == 3
    assert store.write(_vintaged(frame[[v1, v2]])).rows_stored == 4  # v1: 2 cells; v2: 2.5 and 3.0
    assert store.write(_vintaged(frame)).rows_stored == 0  # nothing new
    for known_at, want in (
        ("2024-03-09", []),
        ("2024-03-10", [1.0, 2.0]),
        ("2024-04-30", [1.0, 2.5, 3.0]),
        (None, [1.0, 2.5, 3.5]),
    ):
        assert store.read("macro", "GDPX", known_at=known_at).tolist() == want
        cat = store.catalog(known_at=known_at, ids=[("macro", "gdpx")])
        if not want:
            assert not cat.has("macro", "GDPX")
            continue
        got = cat.get("macro", "GDPX")
        assert got.values.tolist() == want
        assert got.vintages is not None and got.vintages.columns.max() <= pd.Timestamp(known_at or "2100")
    # the vintages frame read back equals the one written (a vintage holds what the one before held)
    back = store.catalog().get("macro", "GDPX").vintages
    pd.testing.assert_frame_equal(back, frame, check_freq=False, check_names=False)


def test_series_without_publication_dates_keep_their_first_value_for_past_dates(tmp_path: Path) -> None:
    """A series whose vintages are only fetch dates: a past as-of gets the first value seen (the
    panel holds it back by its publication lag), a revision found by a later fetch counts from then."""
    store = Store(tmp_path / "f.duckdb")
    first = dt.datetime(2025, 3, 1, 12)
    store.write(series("PX", [10.0, 11.0, 12.0], start="2025-01-06"), fetched_at=first)
    store.write(series("PX", [10.0, 11.5, 12.0], start="2025-01-06"), fetched_at=dt.datetime(2025, 4, 1, 12))
    assert store.read("price", "PX", known_at="2025-02-01").tolist() == [10.0, 11.0, 12.0]
    assert store.read("price", "PX", known_at="2025-03-15").tolist() == [10.0, 11.0, 12.0]
    assert store.read("price", "PX", known_at="2025-04-01").tolist() == [10.0, 11.5, 12.0]
    got = store.catalog(known_at="2025-02-01").get("price", "PX")
    assert got.values.tolist() == [10.0, 11.0, 12.0] and got.vintages is None


def test_catalog_reads_only_the_series_asked_for(tmp_path: Path) -> None:
    store = Store(tmp_path / "ids.duckdb")
    with store.writer():
        for sid in ("IWM", "SPY", "QQQ"):
            store.write(series(sid, [1.0, 2.0, 3.0]))
        store.write(series("UNRATE", [4.0, 4.1], kind="macro", freq="M"))
    cat = store.catalog(ids=[("price", "iwm"), ("macro", "UNRATE")])
    assert {(s.meta.kind, s.meta.id) for s in cat} == {("price", "IWM"), ("macro", "UNRATE")}
    assert cat.resolve("price", "iwm") == "IWM" and cat.source == "store"
    # a name that finds nothing still gets its did-you-mean from what is close in the store
    near = store.catalog(ids=[("price", "SPX")])
    assert near.suggest("price", "SPX") == ["SPY"] and not near.has("price", "IWM")
    assert len(store.catalog()) == 4
