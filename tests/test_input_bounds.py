"""The red team's remaining input breaks (issue 23, B6, B7, B9, B10, B11): each a clear error with exit
code 2 (never an internal error), or an honest message. Everything runs on small files built in
``tmp_path``; nothing needs ../shared or the network."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import Result

from conftest import run_cli as run
from hypecheck.errors import InputError


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, "utf-8", newline="")
    return path


def assert_clear(res: Result, code: int = 2) -> None:
    """Exit ``code`` with an ``error:`` line and no traceback or internal error."""
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert "error:" in res.output, res.output


def closes_csv(drift: float, n: int = 300, start: str = "2023-01-02") -> str:
    days = pd.bdate_range(start, periods=n)
    rows = (
        f"{d:%Y-%m-%d},{100 * (1 + drift) ** k * (1 + 0.01 * math.sin(k)):.4f}\n" for k, d in enumerate(days)
    )
    return "Date,Close\n" + "".join(rows)


def nested_array(n: int) -> str:
    return "[" * n + "]" * n


def nested_table(n: int) -> str:
    return "{a = " * n + "1" + "}" * n


# ============================================================== B6: TOML nesting in every TOML a user hands us


@pytest.mark.parametrize(
    "text",
    [
        'name = "u"\nx = ' + nested_array(500) + "\n",  # a universe file
        'name = "u"\n[pairs]\nsizes = ' + nested_array(500) + "\n",  # inside its pairs table
        '[members]\nprices = "m.csv"\nx = ' + nested_table(500) + "\n",  # a [members] table
        'name = "u"\n' + "a" + ".a" * 600 + " = 1\n",  # dotted keys nest too
    ],
    ids=["universe-array", "universe-pairs", "members-table", "dotted-keys"],
)
def test_a_deeply_nested_universe_file_is_a_clear_input_error(tmp_path: Path, text: str) -> None:
    for name in ("deep.toml", "deep.txt"):  # any file read as a universe TOML, whatever its suffix
        bad = write(tmp_path / name, text)
        res = run("scan", "--universe", bad)
        assert_clear(res)
        assert "deep" in res.output and name in res.output


def test_a_deeply_nested_member_universe_is_refused_by_the_library_too(tmp_path: Path) -> None:
    from hypecheck.scan.members import is_member_file, load_member_universe
    from hypecheck.schema import Catalog

    bad = write(tmp_path / "deep.toml", '[members]\nprices = "m.csv"\nx = ' + nested_array(500) + "\n")
    is_member_file(bad)  # answers (either way) without a RecursionError
    with pytest.raises(InputError, match="deep"):
        load_member_universe(bad, Catalog("files"))


def test_a_deeply_nested_config_file_is_a_clear_input_error(tmp_path: Path) -> None:
    from hypecheck.data.connectors.fred import find_api_key

    for text in (
        '[fred]\napi_key = "k"\nx = ' + nested_table(500) + "\n",
        '[fred]\napi_key = "k"\nx = ' + nested_array(500) + "\n",
    ):
        cfg = write(tmp_path / "config.toml", text)
        with pytest.raises(InputError, match="deep") as info:
            find_api_key({"HYPECHECK_CONFIG": str(cfg)})
        assert "config" in info.value.message
    fine = write(tmp_path / "ok.toml", '[fred]\napi_key = " abc "\n')
    assert find_api_key({"HYPECHECK_CONFIG": str(fine)}) == "abc"


# ============================================================== B7: --out that cannot be a folder


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write(folder / "AAA.csv", closes_csv(0.0010))
    write(folder / "BBB.csv", closes_csv(-0.0005))
    return folder


def out_paths(tmp_path: Path) -> list[Path]:
    """An existing file, and a path below an existing file (no folder can be made there)."""
    existing = write(tmp_path / "existing.txt", "keep me\n")
    return [existing, existing / "sub"]


@pytest.mark.parametrize("command", [["lab"], ["scan"], ["scan", "--theme", "ff:S1V1-ff:Mkt"]])
def test_out_that_cannot_be_a_folder_is_a_clear_input_error(tmp_path: Path, command: list[str]) -> None:
    """On the bundled data (the lab and the scan need a universe's closes)."""
    store = ["--store", tmp_path / "store.duckdb"] if command[0] == "scan" else []
    for out in out_paths(tmp_path):
        res = run(*command, "--out", out, *store)
        assert_clear(res)
        assert "--out" in res.output and str(out) in res.output
    assert (tmp_path / "existing.txt").read_text() == "keep me\n"  # never overwritten


def test_check_out_that_cannot_be_a_folder_is_exit_2(tmp_path: Path, data: Path) -> None:
    """The reference behaviour the lab and the scan now share."""
    theme = write(
        tmp_path / "t.toml",
        'id = "t"\ntitle = "T"\nquestion = "Q?"\n[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n',
    )
    for out in out_paths(tmp_path):
        assert_clear(run("check", theme, "--data", data, "--out", out, "--no-calibration"))


# ============================================================== B9: a theme for tickers nowhere in the data


def test_scan_theme_for_tickers_nowhere_in_the_data_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    out = tmp_path / "themes"
    for pair in ("FOO-BAR", "ff:S1V1-BAR", "FOO-ff:Mkt"):
        res = run("scan", "--theme", pair, "--out", out, "--store", store)
        assert_clear(res)
        assert "nowhere in the data" in res.output
        assert not list(out.glob("*.toml")), "no theme written"
        res = run("scan", "--theme", pair, "--store", store)  # to stdout: nothing printed but the error
        assert_clear(res)
        assert "[[price.pairs]]" not in res.output
    res = run("scan", "--theme", "ff:s1v1-FF:MKT", "--store", store)  # any case: the universe's spelling
    assert res.exit_code == 0, res.output
    assert 'leader = "ff:S1V1"' in res.output


def test_lab_help_names_the_files_it_writes() -> None:
    res = run("lab", "--help")
    assert res.exit_code == 0
    assert "lab.html" in res.output and "lab.json" in res.output
    assert "report.html" not in res.output and "verdict.json" not in res.output


# ============================================================== B10: long user input is cut in every error


def test_a_100000_character_ticker_or_date_is_cut_in_cli_errors(tmp_path: Path, data: Path) -> None:
    long = "A" * 100_000
    theme = write(
        tmp_path / "long.toml",
        f'id = "t"\ntitle = "T"\nquestion = "Q?"\n[[price.pairs]]\nleader = "{long}"\nlaggard = "BBB"\n',
    )
    for args in (
        ["check", theme, "--data", data, "--no-calibration"],
        ["check", "small-cap-rotation", "--as-of", "2" * 100_000, "--no-calibration"],
        ["scan", "--theme", f"{long}-SPY", "--store", tmp_path / "s.duckdb"],
    ):
        res = run(*args)
        assert_clear(res)
        assert len(res.output) < 2_000, res.output[:300]
        assert "100,0" in res.output  # the length is said: "(100,000 characters)"


def test_a_long_as_of_is_cut_in_every_api_answer() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from hypecheck.server import create_app

    client = TestClient(create_app(data=None), raise_server_exceptions=False)
    big = "2026-01-0" + "1" * 60_000  # as long as a URL may be
    for url in (
        "/themes/small-cap-rotation",
        "/scan",
        "/api/scan",
        "/api/themes/small-cap-rotation/triggers",
    ):
        r = client.get(url, params={"as_of": big})
        assert r.status_code in (400, 422), (url, r.status_code)
        assert len(r.content) < 1_000, (url, r.content[:300])


# ============================================================== B11: honest messages


def test_scan_since_errors_name_since_and_the_date_as_typed(tmp_path: Path) -> None:
    store = ["--store", tmp_path / "s.duckdb"]
    res = run("scan", "--since", "0001-01-01", *store)
    assert_clear(res)
    assert "--since 0001-01-01 is before" in res.output and "as-of date" not in res.output
    res = run("scan", "--since", "xx", *store)
    assert_clear(res)
    assert "--since 'xx' is not" in res.output and "as-of date" not in res.output
    res = run("scan", "--as-of", "0001-01-01", *store)
    assert_clear(res)
    assert "as-of date 0001-01-01 is outside" in res.output


@pytest.mark.parametrize(
    ("as_of", "said"),
    [("9999-12-31", "after the end"), ("2030-01-01", "after the end"), ("1990-01-01", "before")],
)
def test_breadth_as_of_outside_the_closes_is_exit_2(data: Path, as_of: str, said: str) -> None:
    res = run("breadth", data, "--as-of", as_of)
    assert_clear(res)
    assert f"as-of date {as_of} is {said}" in res.output
    assert "2024-02-23" in res.output if said.startswith("after") else "2023-01-02" in res.output
    ok = run("breadth", data, "--as-of", "2024-03-01")  # a few days after the last close: fine
    assert ok.exit_code == 0, ok.output


def test_breadth_reads_dates_as_the_files_pipeline_does(tmp_path: Path) -> None:
    """A wide or long closes file: day-first dates are refused (not read month-first), integer
    YYYYMMDD dates are dates (not nanoseconds after 1970), mixed formats are one clear sentence."""
    days = pd.bdate_range("2024-01-02", periods=30)
    wide = pd.DataFrame({"A": range(1, 31), "B": range(2, 32)}, index=days, dtype=float)

    def save(name: str, index: list[str] | list[int]) -> Path:
        df = wide.copy()
        df.index = pd.Index(index, name="date")
        df.to_csv(tmp_path / name)
        return tmp_path / name

    dmy = save("dmy.csv", list(days.strftime("%d/%m/%Y")))
    res = run("breadth", dmy)
    assert_clear(res)
    assert "ambiguous" in res.output
    ints = save("int.csv", [int(x) for x in days.strftime("%Y%m%d")])
    res = run("breadth", ints)
    assert res.exit_code == 0, res.output
    assert "as of 2024-02-12" in res.output
    long = tmp_path / "long.csv"
    pd.DataFrame(
        {"date": np.repeat(days.strftime("%Y%m%d").astype(int), 2), "ticker": ["A", "B"] * 30, "close": 10.0}
    ).to_csv(long, index=False)
    res = run("breadth", long)
    assert res.exit_code == 0 and "as of 2024-02-12" in res.output, res.output
    mixed = save("mixed.csv", [*days[:29].strftime("%Y-%m-%d"), "01/04/2024"])
    res = run("breadth", mixed)
    assert res.exit_code in (0, 2), res.output
    assert "You might want to try" not in res.output and "Traceback" not in res.output
    if res.exit_code == 0:  # the odd row dropped, and said so
        assert "1 row" in res.output and "rejected" in res.output


def test_breadth_on_a_first_column_of_words_is_one_clear_error_and_no_pandas_warning(tmp_path: Path) -> None:
    import warnings

    path = write(tmp_path / "names.csv", "name,AAA,BBB\nfoo,10,20\nbar,11,21\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pandas' "Could not infer format" would end the command here
        res = run("breadth", path)
    assert_clear(res)
    assert "'foo' in the date column is not a date" in res.output and "Warning" not in res.output
