"""The store under attack, and what a fetch says when it cannot do its job (issue 15, points 6-8).

* a truncated, checksum-corrupted, newer-schema or foreign (SQLite) store, and a garbage ``.wal``
  beside a store: exit 5 with what to do, never an internal error, and every file left as it was
  (bytes and mtimes), no ``~/.duckdb`` created (HOME points into tmp_path for every test);
* ``hypecheck fetch`` without network (a transport that raises ``ConnectError``): exit 5 naming what
  was not fetched; ``check --live`` on a read-only store checks from it without writing;
* the FRED key, echoed back by a replayed answer, in no exception, CLI output, fetch log or log record.

No network: every provider gets an ``httpx.MockTransport``.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pandas as pd
import pytest

from conftest import assert_clean as assert_exit
from conftest import run_cli as run
from hypecheck.data.connectors import base
from hypecheck.data.connectors.fred import FredProvider
from hypecheck.data.connectors.yahoo import YahooProvider
from hypecheck.errors import HypecheckError, InputError, ProviderError
from hypecheck.schema import SeriesData, SeriesMeta
from hypecheck.store import Store

KEY = "0123456789abcdef0123456789fedcba"  # a fake FRED key (32 lower-case alphanumerics)
PAIR_THEME = (
    'id = "safety"\ntitle = "Safety"\nquestion = "Does AAA lead BBB?"\n'
    '[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'
)
MACRO_THEME = PAIR_THEME + '[[macro]]\nid = "FEDFUNDS"\nneeds = "flat_or_down"\n'


# ================================================================================= helpers


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HOME in tmp_path, no FRED key or config from the user; afterwards: DuckDB made no ~/.duckdb."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("HYPECHECK_CONFIG", str(tmp_path / "no-config.toml"))
    yield h
    assert not (h / ".duckdb").exists(), "DuckDB created ~/.duckdb (extension autoloading is on)"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in ``folder``: its bytes and mtime (a deletion, creation or write shows)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def closes(drift: float, n: int = 300) -> pd.Series:
    idx = pd.bdate_range("2023-01-02", periods=n)
    return pd.Series([100 * (1 + drift) ** k for k in range(n)], index=idx, dtype="float64")


@pytest.fixture(scope="module")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A healthy store holding AAA and BBB (300 business days)."""
    path = tmp_path_factory.mktemp("template") / "s.duckdb"
    store = Store(path)
    for id, drift in (("AAA", 0.001), ("BBB", -0.0005)):
        meta = SeriesMeta(id=id, kind="price", source="test", origin="hand-made", frequency="D")
        store.write(SeriesData(meta, closes(drift)))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "store"
    f.mkdir()
    return f


@pytest.fixture
def store_path(store_template: Path, folder: Path) -> Path:
    path = folder / "s.duckdb"
    shutil.copyfile(store_template, path)
    return path


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    path = tmp_path / "theme.toml"
    path.write_text(PAIR_THEME)
    return path


@pytest.fixture
def macro_theme(tmp_path: Path) -> Path:
    path = tmp_path / "macro.toml"
    path.write_text(MACRO_THEME)
    return path


def client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every live provider behind a transport that raises ConnectError (no network); returns the URLs
    asked for."""
    asked: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    def nap(_: float) -> None:
        return None

    # the built-in connectors registered first: a factory patched in before them would stop "trends"
    # from registering (and routing "search"), and vanish with the patch, for every later test
    base.available_providers()
    monkeypatch.setitem(base._FACTORIES, "yahoo", lambda **kw: YahooProvider(client=client(down), sleep=nap))
    monkeypatch.setitem(base._FACTORIES, "fred", lambda **kw: FredProvider(client=client(down), sleep=nap))
    monkeypatch.setitem(base._FACTORIES, "trends", lambda **kw: YahooProvider(client=client(down), sleep=nap))
    return asked


# a store fails the same way for the command that only reads it and for those that write into it
COMMANDS = [
    pytest.param(
        lambda theme, data, s: ("check", theme, "--live", "--store", s, "--no-calibration"), id="check"
    ),
    pytest.param(lambda theme, data, s: ("fetch", theme, "--store", s), id="fetch"),
    pytest.param(lambda theme, data, s: ("import", data, "--store", s), id="import"),
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "CCC.csv").write_text(
        "Date,Close\n" + "".join(f"{t:%Y-%m-%d},{v:.4f}\n" for t, v in closes(0.0002, 30).items())
    )
    return d


# ========================================================================== damaged stores (6)


@pytest.mark.parametrize("command", COMMANDS)
def test_truncated_store_is_exit_5_and_left_alone(
    command: Any, store_path: Path, folder: Path, theme: Path, data: Path, offline: list[str]
) -> None:
    raw = store_path.read_bytes()
    store_path.write_bytes(raw[: len(raw) // 2])
    before = snapshot(folder)
    out = assert_exit(
        run(*command(theme, data, store_path)), 5, str(store_path), "truncated", "move it aside"
    )
    assert "is busy" not in out
    assert snapshot(folder) == before and offline == []  # nothing written, nothing asked of the network


@pytest.mark.parametrize("command", COMMANDS)
def test_checksum_corrupted_store_is_exit_5_and_left_alone(
    command: Any, store_path: Path, folder: Path, theme: Path, data: Path, offline: list[str]
) -> None:
    raw = bytearray(store_path.read_bytes())
    block, header = 262144, 3 * 4096
    for start in range(header + 8, len(raw), block):  # a few bytes inside every block: checksums fail
        raw[start : start + 64] = bytes(b ^ 0xFF for b in raw[start : start + 64])
    store_path.write_bytes(bytes(raw))
    before = snapshot(folder)
    assert_exit(run(*command(theme, data, store_path)), 5, str(store_path), "damaged", "move it aside")
    assert snapshot(folder) == before and offline == []


@pytest.mark.parametrize("command", COMMANDS)
def test_store_from_a_newer_schema_version_is_refused(
    command: Any, store_path: Path, folder: Path, theme: Path, data: Path, offline: list[str]
) -> None:
    con = duckdb.connect(str(store_path))
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', '999')")
    con.close()
    before = snapshot(folder)
    out = assert_exit(run(*command(theme, data, store_path)), 5, str(store_path), "newer hypecheck", "999")
    assert "upgrade hypecheck" in out and "move it aside" not in out  # a healthy store: never move it
    assert snapshot(folder) == before and offline == []


def test_a_new_store_records_its_schema_version(tmp_path: Path) -> None:
    from hypecheck.store import SCHEMA_VERSION

    path = tmp_path / "new.duckdb"
    Store(path).set_state("k", 1)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchall() == [
        (str(SCHEMA_VERSION),)
    ]
    con.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_sqlite_file_as_store_downloads_nothing(
    command: Any, folder: Path, theme: Path, data: Path, home: Path, offline: list[str]
) -> None:
    lite = folder / "s.duckdb"
    con = sqlite3.connect(lite)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.commit()
    con.close()
    before = snapshot(folder)
    out = assert_exit(run(*command(theme, data, lite)), 5, str(lite), "SQLite database", "--store")
    assert "extension" not in out.lower() and "download" not in out.lower()
    assert snapshot(folder) == before and not (home / ".duckdb").exists() and offline == []


def test_duckdb_is_never_allowed_to_autoload_extensions(folder: Path, home: Path) -> None:
    """Even if a foreign file got past the checks, DuckDB (as the store opens it) loads nothing."""
    from hypecheck.store import DUCKDB_CONFIG

    lite = folder / "x.db"
    sqlite3.connect(lite).close()
    sqlite3.connect(lite).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(duckdb.Error):
        duckdb.connect(str(lite), read_only=True, config=dict(DUCKDB_CONFIG))
    assert not (home / ".duckdb").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_garbage_wal_is_not_deleted(
    command: Any, store_path: Path, folder: Path, theme: Path, data: Path, offline: list[str]
) -> None:
    wal = store_path.with_name(store_path.name + ".wal")
    wal.write_bytes(b"not a write-ahead log\x00\x01" * 40)
    before = snapshot(folder)
    out = assert_exit(run(*command(theme, data, store_path)), 5, str(wal), "move it aside")
    assert "not a DuckDB write-ahead log" in out
    assert snapshot(folder) == before and offline == []


def test_a_real_wal_is_replayed_and_a_garbage_one_refused(tmp_path: Path) -> None:
    """The check accepts DuckDB's own log (what a kill -9 leaves: its values are read) and refuses
    anything else in its place, leaving it there."""
    import os
    import subprocess
    import sys
    import textwrap

    from hypecheck.store import StoreError

    path = tmp_path / "k.duckdb"
    script = textwrap.dedent(
        f"""
        import os, duckdb
        from hypecheck.store import Store
        Store({str(path)!r}).set_state("before", 1)
        con = duckdb.connect({str(path)!r}, config={{"checkpoint_threshold": "1GB"}})
        con.execute("INSERT INTO state VALUES ('after-crash', '2', now())")
        os._exit(0)  # no checkpoint: the row lives only in the .wal
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ})
    wal = path.with_name("k.duckdb.wal")
    assert wal.exists()
    assert Store(path).get_state("after-crash") == 2  # replayed (read-only: the log stays)
    wal.write_bytes(b"\x00garbage" * 10)
    before = snapshot(tmp_path)
    for store_call in (lambda s: s.get_state("before"), lambda s: s.set_state("x", 1)):
        with pytest.raises(StoreError, match="not a DuckDB write-ahead log") as err:
            store_call(Store(path))
        assert str(wal) in (err.value.hint or "")
    assert snapshot(tmp_path) == before


# ============================================================================== offline (7)


def test_fetch_without_network_is_exit_5_naming_what_was_not_fetched(
    store_path: Path, macro_theme: Path, theme: Path, offline: list[str]
) -> None:
    before = Store(store_path).counts()
    res = run("fetch", macro_theme, "--store", store_path, "--max-age", "0")
    out = assert_exit(res, 5, "no network", "3 of 3 series were not fetched")
    for name in ("price:AAA", "price:BBB", "macro:FEDFUNDS"):
        assert name in out
    assert "offline" in out  # the summary says which were skipped for being offline
    # one series tried (1 + 3 retries), the rest skipped at once (yfinance's cookie/crumb requests aside)
    assert len([u for u in offline if "/v8/finance/chart/" in u]) == 4
    asked = len(offline)
    assert Store(store_path).counts() == before
    # what is fresh is not a failure: the same store, a theme whose series were all fetched just now
    # (by their provider: values written by an import or a test are not a fetch)
    store = Store(store_path)
    for id, drift in (("AAA", 0.001), ("BBB", -0.0005)):
        meta = SeriesMeta(id=id, kind="price", source="yahoo", origin="yahoo", frequency="D")
        store.write(SeriesData(meta, closes(drift)), provider="yahoo", run_id="earlier")
    assert_exit(run("fetch", theme, "--store", store_path), 0, "skipped 2")
    assert len(offline) == asked


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def test_check_live_on_a_read_only_store_checks_without_writing(
    store_path: Path, folder: Path, theme: Path, offline: list[str]
) -> None:
    _read_only(store_path)
    before = snapshot(folder)
    res = run("check", theme, "--live", "--store", store_path, "--no-calibration", "--as-of", "2024-02-01")
    out = assert_exit(res, 0, "VERDICT:", "read-only")
    assert "move it aside" not in out and "damaged" not in out
    assert snapshot(folder) == before and offline == []  # no fetch log, no .wal, no request


def test_fetch_into_a_read_only_store_says_so(
    store_path: Path, folder: Path, theme: Path, data: Path, offline: list[str]
) -> None:
    _read_only(store_path)
    before = snapshot(folder)
    for args in (
        ("fetch", theme, "--store", store_path, "--max-age", "0"),
        ("import", data, "--store", store_path),
    ):
        out = assert_exit(run(*args), 5, str(store_path), "read-only", "chmod u+w", "check THEME --live")
        assert "move it aside" not in out and "damaged" not in out
    assert snapshot(folder) == before and offline == []


# ================================================================================ FRED key (8)


def _echo_observation(request: httpx.Request) -> httpx.Response:
    """A malformed answer whose value is the request URL (key included)."""
    obs = {
        "date": "2024-01-01",
        "value": str(request.url),
        "realtime_start": "2024-02-01",
        "realtime_end": "9999-12-31",
    }
    return httpx.Response(200, json={"observations": [obs]})


def _echo_400(request: httpx.Request) -> httpx.Response:
    """A 400 whose message quotes the URL (key included) but says nothing about the key."""
    return httpx.Response(
        400,
        json={"error_code": 400, "error_message": f"Bad Request.  Cannot parse the request {request.url}"},
    )


def _good(request: httpx.Request) -> httpx.Response:
    obs = [
        {
            "date": f"2024-0{m}-01",
            "value": "5.33",
            "realtime_start": "2024-06-01",
            "realtime_end": "9999-12-31",
        }
        for m in (1, 2, 3)
    ]
    return httpx.Response(200, json={"observations": obs})


@pytest.mark.parametrize("answer", [_echo_observation, _echo_400], ids=["value-echoes-url", "400-echoes-url"])
def test_fred_key_never_in_an_exception(answer: Callable[[httpx.Request], httpx.Response]) -> None:
    p = FredProvider(client=client(answer), api_key=KEY, sleep=lambda _: None)
    with pytest.raises(HypecheckError) as err:
        p.get("FEDFUNDS")
    e = err.value
    texts = [str(e), repr(e), e.message, e.hint or "", *map(str, e.args), repr(p)]
    assert all(KEY not in t for t in texts), texts
    assert "api_key=***" in e.message  # still says what was asked (with the key masked)
    assert isinstance(e, ProviderError) and not isinstance(e, InputError)
    assert "rejected the API key" not in str(e)  # only FRED's own words about the key mean that


def test_fred_key_never_in_httpx_log_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    [s] = FredProvider(client=client(_good), api_key=KEY).get("FEDFUNDS")
    assert s.values.tolist() == [5.33] * 3
    for r in caplog.records:
        assert KEY not in r.getMessage() and KEY not in str(r.msg) and KEY not in repr(r.args)
    assert KEY not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("httpx")]
    assert any("HTTP Request: GET" in m and "api_key=***" in m for m in lines), lines  # logged, masked


def test_fred_key_never_in_cli_output_or_fetch_log(
    tmp_path: Path, macro_theme: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")

    def yahoo_down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"chart": {"result": None, "error": {"code": "Not Found"}}})

    base.available_providers()  # the built-ins registered before any is patched (see ``offline``)
    monkeypatch.setitem(base._FACTORIES, "yahoo", lambda **kw: YahooProvider(client=client(yahoo_down)))
    monkeypatch.setitem(
        base._FACTORIES,
        "fred",
        lambda **kw: FredProvider(client=client(_echo_observation), sleep=lambda _: None),
    )
    path = tmp_path / "k.duckdb"
    res = run("fetch", macro_theme, "--store", path, env={"FRED_API_KEY": KEY})
    assert_exit(res, 5, "FEDFUNDS", "malformed response")
    assert KEY not in res.output and KEY not in caplog.text
    log = Store(path).fetch_log()
    assert "FEDFUNDS" in set(log["id"]) and not log["reason"].str.contains(KEY).any()


def test_scrub_masks_keys_in_urls_json_and_registered_values() -> None:
    base.register_secret("s3cr3t-value-42")
    text = (
        'GET https://x.example/a?series_id=A&api_key=zz9&file_type=json {"token": "tt"} and s3cr3t-value-42'
    )
    clean = base.scrub(text)
    assert "zz9" not in clean and '"tt"' not in clean and "s3cr3t-value-42" not in clean
    assert "series_id=A" in clean and "file_type=json" in clean
