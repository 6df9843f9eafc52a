"""Bad inputs, end to end through the command line.

Every case hand-builds a small bad input in ``tmp_path`` and runs it through ``hypecheck`` with click's
CliRunner. A bad input must give the documented exit code (2 bad input, 3 no data, 4 missing
dependency, 5 provider/store failure; 0 only where the input is handled by design and the output says
what was skipped or repaired), an ``error:`` line naming the offending input with a ``hint:`` saying
what to do, and never a traceback or an ``internal error`` (exit 1: a bug). Where a store is involved,
its counts and a known series are unchanged afterwards.

Six cases first found bugs outside the input layer (an unguarded --as-of in breadth, --out and --store
under a file, an ambiguous --as-of read month-first, an unnamed missing ticker list, a rules-file
error without a hint); they are fixed and the cases now guard them.
"""

from __future__ import annotations

import json
import math
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import assert_clean
from conftest import run_cli as run
from conftest import write_file as write
from hypecheck.store import Store

N_DAYS = 300
START = "2023-01-02"


# ================================================================================= helpers


def _dates(n: int = N_DAYS, start: str = START) -> list[str]:
    import pandas as pd

    return [d.strftime("%Y-%m-%d") for d in pd.bdate_range(start, periods=n)]


def closes_csv(drift: float, n: int = N_DAYS, start: str = START) -> str:
    """A made-up ``Date,Close`` file: a gentle drift with a wiggle, ``n`` business days."""
    rows = [
        f"{d},{100 * (1 + drift) ** k * (1 + 0.01 * math.sin(k)):.4f}" for k, d in enumerate(_dates(n, start))
    ]
    return "Date,Close\n" + "\n".join(rows) + "\n"


GOOD_AAA = closes_csv(0.0010)
GOOD_BBB = closes_csv(-0.0005)

THEME = 'id = "bad-inputs"\ntitle = "Bad inputs"\nquestion = "Does AAA lead BBB?"\n'
PAIR = '[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A good folder: AAA.csv and BBB.csv, 300 business days from 2023-01-02."""
    folder = tmp_path / "data"
    write(folder / "AAA.csv", GOOD_AAA)
    write(folder / "BBB.csv", GOOD_BBB)
    return folder


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    return write(tmp_path / "theme.toml", THEME + PAIR)


@pytest.fixture(scope="module")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("store")
    write(base / "data" / "AAA.csv", GOOD_AAA)
    write(base / "data" / "BBB.csv", GOOD_BBB)
    res = run("import", base / "data", "--store", base / "s.duckdb")
    assert res.exit_code == 0, res.output
    return base / "s.duckdb"


class StoreSnapshot:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.before = self.state()

    def state(self) -> tuple[dict[str, int], list[tuple[str, float]]]:
        st = Store(self.path)
        aaa = st.read("price", "AAA")
        return st.counts(), [
            (str(d.date()), float(v)) for d, v in zip(aaa.index, aaa.to_numpy(), strict=True)
        ]

    def assert_unchanged(self) -> None:
        assert self.state() == self.before


@pytest.fixture
def store(store_template: Path, tmp_path: Path) -> StoreSnapshot:
    """A store holding AAA and BBB (imported once per module, copied per test)."""
    path = tmp_path / "s.duckdb"
    shutil.copy(store_template, path)
    snap = StoreSnapshot(path)
    assert snap.before[0] == {"series": 2, "observations": 2 * N_DAYS}
    return snap


# ================================================================= bad data files, named explicitly

_TRUNCATED_LINE = "2024-03-01,12"
BAD_FILES: list[tuple[str, str, str | bytes, str]] = [
    ("unbalanced-quote", "AAA.csv", 'Date,Close\n2024-01-02,"100\n2024-01-03,101\n', "do not parse as CSV"),
    ("thousands-separator", "AAA.csv", "Date,Close\n2024-01-02,1,234.5\n2024-01-03,1,240.0\n", "3 cells"),
    ("empty-file", "AAA.csv", b"", "empty file (0 bytes)"),
    ("blank-lines-only", "AAA.csv", "\n \n\n", "only blank lines"),
    ("header-only", "AAA.csv", "Date,Close\n", "header only"),
    ("all-nan-values", "AAA.csv", "Date,Close\n2024-01-02,\n2024-01-03,NaN\n2024-01-04,.\n", "no values"),
    ("negative-prices", "AAA.csv", "Date,Close\n2024-01-02,-100\n2024-01-03,-101\n", "zero or negative"),
    ("zero-prices", "AAA.csv", "Date,Close\n2024-01-02,0\n2024-01-03,0.0\n", "zero or negative"),
    ("latin-1", "AAA.csv", "Date,Clôture\n2024-01-02,100\n".encode("latin-1"), "not UTF-8"),
    ("utf-16-bom", "AAA.csv", "Date,Close\n2024-01-02,100\n".encode("utf-16"), "UTF-16"),
    ("binary-junk", "AAA.csv", bytes(range(256)) * 8, "binary content"),
    ("gzip-as-csv", "AAA.csv", b"\x1f\x8b\x08\x00junk", "gzip"),
    ("html-page", "AAA.csv", "<!DOCTYPE html><html><body>Sign in</body></html>\n", "HTML page"),
    ("all-rows-future", "AAA.csv", "Date,Close\n2099-01-02,100\n2099-01-05,101\n", "dated after today"),
    ("ambiguous-day-month", "AAA.csv", "Date,Close\n01/02/2024,100\n02/03/2024,101\n", "ambiguous day/month"),
    ("dotted-dates", "AAA.csv", "Date,Close\n02.01.2024,100\n03.01.2024,101\n", "unsupported locale"),
    ("semicolons", "AAA.csv", "Date;Close\n2024-01-02;100,5\n", "semicolon-separated"),
    ("intraday", "AAA.csv", "Date,Close\n2024-01-02 09:30:00,100\n2024-01-02 10:30:00,101\n", "intraday"),
    ("no-date-column", "AAA.csv", "Ticker,Close\nAAA,100\nAAA,101\n", "not a date"),
    ("corrupt-parquet", "AAA.parquet", b"PAR1\x00\x01garbage bytes, no footerPAR1", "not a readable Parquet"),
    (
        "trends-header-translated",
        "multiTimeline.csv",
        "Kategorie: Alle Kategorien\n\nWoche,small cap: (Deutschland)\n2026-01-04,40\n",
        "unsupported locale",
    ),
    (
        "trends-header-missing",
        "multiTimeline.csv",
        "Category: All categories\n\n2026-01-04,40\n2026-01-11,41\n",
        "without its header line",
    ),
    (
        "trends-header-first-column-renamed",
        "multiTimeline.csv",
        "Category: All categories\n\nSemaine,small cap: (France)\n2026-01-04,40\n",
        "unsupported locale",
    ),
    (
        "trends-values-edited",
        "multiTimeline.csv",
        "Category: All categories\n\nWeek,small cap: (United States)\n2026-01-04,40\n2026-01-11,250\n",
        "0-100 integer scale",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "needle"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_named_with_data_is_an_input_error(
    tmp_path: Path, theme: Path, name: str, content: str | bytes, needle: str
) -> None:
    bad = write(tmp_path / "bad" / name, content)
    res = run("check", theme, "--data", bad, "--no-calibration")
    assert_clean(res, 2, str(bad), needle)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [BAD_FILES[i][1:] for i in (0, 1, 2, 7, 10, 14, 19)],
    ids=[BAD_FILES[i][0] for i in (0, 1, 2, 7, 10, 14, 19)],
)
def test_bad_file_import_leaves_the_store_unchanged(
    tmp_path: Path, store: StoreSnapshot, name: str, content: str | bytes, needle: str
) -> None:
    bad = write(tmp_path / "bad" / name, content)
    res = run("import", bad, "--store", store.path)
    assert_clean(res, 2, str(bad), needle)
    store.assert_unchanged()


def test_folder_of_only_bad_files_imports_nothing(tmp_path: Path, store: StoreSnapshot) -> None:
    folder = tmp_path / "bad"
    write(folder / "AAA.csv", "Date,Close\n2024-01-02,-5\n")
    write(folder / "BBB.csv", b"\x00\x01\x02")
    res = run("import", folder, "--store", store.path)
    assert_clean(res, 3, "AAA.csv", "BBB.csv", "zero or negative price", "binary content")
    store.assert_unchanged()


def test_one_gigabyte_file_fails_fast_without_being_read(
    tmp_path: Path, theme: Path, store: StoreSnapshot
) -> None:
    big = tmp_path / "big" / "AAA.csv"
    big.parent.mkdir()
    with big.open("wb") as f:  # a sparse file: a valid header and row, then 1 GB of holes
        f.write(b"Date,Close\n2024-01-02,100\n")
        f.truncate(1 << 30)
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        res = run("check", theme, "--data", big, "--no-calibration")
        res_import = run("import", big, "--store", store.path)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_clean(res, 2, str(big), "file too large", "1,073.7 MB")
    assert_clean(res_import, 2, str(big), "file too large")
    assert elapsed < 5, f"{elapsed:.1f}s"
    assert peak < 64 * 2**20, f"peak traced memory {peak / 2**20:.0f} MB"
    store.assert_unchanged()
    # in a folder the file is skipped with the same reason, and the rest loads
    write(big.parent / "BBB.csv", GOOD_BBB)
    res = run("check", theme, "--data", big.parent, "--no-calibration", "--json")
    assert_clean(res, 0)
    skipped = json.loads(res.stdout)["data"]["skipped"]
    assert skipped[0]["origin"] == "AAA.csv" and "file too large" in skipped[0]["reason"]


# ================================================ loaded by design, with the repair said where seen


def _with_last_line(text: str) -> str:
    return text + _TRUNCATED_LINE  # no final line break: the file was cut mid-row


def _with_duplicate(text: str) -> str:
    last = text.rstrip("\n").rsplit("\n", 1)[-1]
    return text + last.split(",")[0] + ",1.0\n"  # the last date again, another value


def _with_bad_prices(text: str) -> str:
    lines = text.splitlines()
    lines[10] = lines[10].split(",")[0] + ",-3.5"
    lines[11] = lines[11].split(",")[0] + ",0"
    return "\n".join(lines) + "\n"


def _with_ten_year_gap(text: str) -> str:
    old = closes_csv(0.0, n=20, start="2010-01-04").split("\n", 1)[1]
    return "Date,Close\n" + old + text.split("\n", 1)[1]


def _with_future_row(text: str) -> str:
    return text + "2099-12-31,150.0\n"


def _old_mac_line_ends(text: str) -> str:
    return text.replace("\n", "\r")


GRACEFUL: list[tuple[str, Callable[[str], str], list[str]]] = [
    ("truncated-last-line", _with_last_line, ["may have been cut short", repr(_TRUNCATED_LINE)]),
    ("duplicate-dates-conflicting", _with_duplicate, ["dates had different values (kept the last row)"]),
    ("some-negative-and-zero-prices", _with_bad_prices, ["2 rows rejected", "zero or negative price"]),
    (
        "ten-year-gap",
        _with_ten_year_gap,
        ["1 gap of more than 92 days in daily data", "2010-01-29 to 2023-01-02"],
    ),
    ("future-dated-row", _with_future_row, ["1 row rejected", "dated after today"]),
    ("old-mac-line-ends", _old_mac_line_ends, []),
]


@pytest.mark.parametrize(("repair", "needles"), [c[1:] for c in GRACEFUL], ids=[c[0] for c in GRACEFUL])
def test_repairable_file_loads_and_the_repair_is_reported(
    data: Path, theme: Path, repair: Callable[[str], str], needles: list[str]
) -> None:
    write(data / "AAA.csv", repair(GOOD_AAA))
    res = run("check", theme, "--data", data, "--no-calibration", "--json")
    assert_clean(res, 0)
    j = json.loads(res.stdout)
    assert j["pillars"]["price"]["status"] == "ok"
    (aaa,) = [p for p in j["provenance"] if p["id"] == "AAA"]
    notes = " | ".join(aaa["notes"])
    for needle in needles:
        assert needle in notes, notes
    if not needles:
        assert not aaa["notes"] and aaa["first"] == START


def test_bad_file_in_a_folder_is_skipped_with_its_reason(data: Path, theme: Path) -> None:
    write(data / "AAA.csv", GOOD_AAA.replace("2023-03-01,", '2023-03-01,"'))  # an unbalanced quote
    res = run("check", theme, "--data", data, "--no-calibration")
    assert_clean(res, 0, "skipped 1", "no price data for 'AAA'")
    res = run("check", theme, "--data", data, "--no-calibration", "--json")
    assert_clean(res, 0)
    (skip,) = json.loads(res.stdout)["data"]["skipped"]
    assert skip["origin"] == "AAA.csv"
    assert "do not parse as CSV" in skip["reason"] and "export the table again" in skip["reason"]


def test_folder_of_only_unsupported_files_is_no_data(tmp_path: Path, theme: Path) -> None:
    folder = tmp_path / "junk"
    write(folder / "notes.md", "# notes\n")
    write(folder / "prices.xlsx", b"PK\x03\x04not really a workbook")
    write(folder / "dump.json", "{}")
    res = run("check", theme, "--data", folder, "--no-calibration")
    assert_clean(res, 3, str(folder), "notes.md", "prices.xlsx", "dump.json", "export the sheet as CSV")


def test_unknown_ticker_in_theme_is_reported_missing_and_the_check_runs(tmp_path: Path, data: Path) -> None:
    th = write(tmp_path / "t.toml", THEME + PAIR + '[[price.pairs]]\nleader = "ZZZ"\nlaggard = "BBB"\n')
    res = run("check", th, "--data", data, "--no-calibration")
    assert_clean(res, 0, "VERDICT:", "no price data for 'ZZZ' in the files data")
    assert "Price confirmation   partial" in res.output


def test_as_of_before_all_data_says_where_the_data_start(data: Path, theme: Path) -> None:
    # one clear input error naming the first date (issue 13), no longer a check of nothing
    res = run("check", theme, "--data", data, "--no-calibration", "--as-of", "1990-01-01")
    assert_clean(res, 2, "as-of date 1990-01-01 is before any data", "start on 2023-01-02", "--as-of")
    res = run("history", theme, "--data", data, "--as-of", "1990-01-01")
    assert_clean(res, 2, "as-of date 1990-01-01 is before any data", "start on 2023-01-02")


def test_html_in_theme_text_is_escaped_in_the_report(tmp_path: Path, data: Path) -> None:
    script = "<script>alert(1)</script>"
    th = write(
        tmp_path / "t.toml",
        f'id = "xss"\ntitle = "{script}"\nquestion = "{script}?"\n'
        f'[attention]\nterms = ["{script}"]\n'
        f'[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\nlabel = "{script}"\n',
    )
    out = tmp_path / "out"
    res = run("check", th, "--data", data, "--no-calibration", "--out", out)
    assert_clean(res, 0, "wrote html")
    html = (out / "report.html").read_text("utf-8")
    assert script not in html and "&lt;script&gt;" in html
    assert script not in (out / "report.md").read_text("utf-8")
    assert json.loads((out / "verdict.json").read_text("utf-8"))["title"] == script  # data, not markup


# ======================================================================================== themes

BAD_THEMES: list[tuple[str, str | bytes, list[str]]] = [
    (
        "script-in-ticker",
        THEME + '[[price.pairs]]\nleader = "<script>alert(1)</script>"\nlaggard = "BBB"\n',
        ["price.pairs[0].leader", "is not a valid ticker"],
    ),
    (
        "leader-is-laggard",
        THEME + '[[price.pairs]]\nleader = "AAA"\nlaggard = "AAA"\n',
        ["price.pairs[0]", "leader and laggard are the same series 'AAA'"],
    ),
    (
        "mapping-cycle",
        THEME + PAIR + '[mapping.files]\nseries = { AAA = "BBB", BBB = "AAA" }\n',
        ["mapping.files.series.AAA", "a cycle"],
    ),
    (
        "mapping-chain",
        THEME + PAIR + '[mapping.files]\nseries = { AAA = "BBB", BBB = "CCC" }\n',
        ["mapping.files.series.AAA", "a chain"],
    ),
    (
        "mapping-pair-onto-one-series",
        THEME + PAIR + '[mapping.files]\nseries = { AAA = "SPY", BBB = "SPY" }\n',
        ["price.pairs[0]: 'AAA' and 'BBB' both map to 'SPY'"],
    ),
    ("unknown-top-level-key", 'colour = "red"\n' + THEME + PAIR, ["unknown key 'colour'"]),
    (
        "misspelt-key",
        THEME + '[[price.pairs]]\nleeder = "AAA"\nlaggard = "BBB"\n',
        ["unknown key 'leeder'", "did you mean 'leader'"],
    ),
    ("bad-as-of-date", 'as_of = "2024-13-45"\n' + THEME + PAIR, ["as_of: '2024-13-45' is not a date"]),
    (
        "bad-event-date",
        THEME + PAIR + '[[events]]\ndate = "yesterday"\nlabel = "Fed"\n',
        ["events[0].date: 'yesterday' is not a date"],
    ),
    ("not-toml", "this is [not toml\n= = =\n", ["is not valid TOML"]),
    ("not-utf8", (THEME + PAIR + 'description = "Société"\n').encode("latin-1"), ["is not UTF-8 text"]),
    ("empty-theme", "", ["missing required key 'id'", "missing required key 'title'"]),
    ("no-pair-no-term", THEME, ["needs at least one price pair"]),
    (
        "term-too-long",
        THEME + PAIR + f'[attention]\nterms = ["{"x" * 150}"]\n',
        ["attention.terms[0]", "at most 100"],
    ),
    ("wrong-type", THEME + PAIR + "[price]\nbenchmarks = 'SPY'\n", ["price.benchmarks: must be a list"]),
]


@pytest.mark.parametrize(("text", "needles"), [c[1:] for c in BAD_THEMES], ids=[c[0] for c in BAD_THEMES])
def test_bad_theme_is_an_input_error(
    tmp_path: Path, data: Path, text: str | bytes, needles: list[str]
) -> None:
    th = write(tmp_path / "bad-theme.toml", text)
    res = run("check", th, "--data", data, "--no-calibration")
    assert_clean(res, 2, str(th), *needles)
    assert "loading" not in res.output  # the theme fails before any data is read


# ============================================================================= arguments and paths


def test_missing_theme_file(tmp_path: Path, data: Path) -> None:
    res = run("check", tmp_path / "nope.toml", "--data", data, "--no-calibration")
    assert_clean(res, 2, str(tmp_path / "nope.toml"), "does not exist")


def test_missing_data_path(tmp_path: Path, theme: Path) -> None:
    res = run("check", theme, "--data", tmp_path / "nothere", "--no-calibration")
    assert_clean(res, 2, str(tmp_path / "nothere"), "does not exist")


@pytest.mark.parametrize("as_of", ["yesterday", "2024-02-30", "20xx-01-01"])
def test_as_of_not_a_date(data: Path, theme: Path, as_of: str) -> None:
    res = run("check", theme, "--data", data, "--no-calibration", "--as-of", as_of)
    assert_clean(res, 2, repr(as_of), "not a date", "YYYY-MM-DD")


def test_theme_whose_tickers_are_all_absent(tmp_path: Path, data: Path) -> None:
    th = write(tmp_path / "t.toml", THEME + '[[price.pairs]]\nleader = "ZZZ"\nlaggard = "YYY"\n')
    res = run("check", th, "--data", data, "--no-calibration")
    assert_clean(res, 2, "none of the theme's price series", "are in the files data", "--as-of")


def test_theme_whose_tickers_are_all_absent_names_them(tmp_path: Path, data: Path) -> None:
    th = write(tmp_path / "t.toml", THEME + '[[price.pairs]]\nleader = "ZZZ"\nlaggard = "YYY"\n')
    res = run("check", th, "--data", data, "--no-calibration")
    assert_clean(res, 2, "ZZZ", "YYY")


def test_ambiguous_as_of_is_rejected(data: Path, theme: Path) -> None:
    res = run("check", theme, "--data", data, "--no-calibration", "--as-of", "01/02/2024")
    assert_clean(res, 2, "01/02/2024", "YYYY-MM-DD")


def test_live_and_data_together(data: Path, theme: Path) -> None:
    res = run("check", theme, "--live", "--data", data, "--no-calibration")
    assert_clean(res, 2, "--live and --data cannot be combined")


def test_rules_file_not_toml(tmp_path: Path, data: Path, theme: Path) -> None:
    rules = write(tmp_path / "rules.toml", "weights = [unclosed\n")
    res = run("check", theme, "--data", data, "--no-calibration", "--rules", rules)
    assert_clean(res, 2, str(rules), "not valid TOML")


def test_check_out_under_a_file(tmp_path: Path, data: Path, theme: Path) -> None:
    blocker = write(tmp_path / "afile", "x")
    res = run("check", theme, "--data", data, "--no-calibration", "--out", blocker / "report")
    assert res.exit_code == 2, res.output
    assert_clean(res, 2, str(blocker))


# ========================================================================================= store


def test_damaged_store_with_check_live(tmp_path: Path, theme: Path, data: Path) -> None:
    damaged = write(tmp_path / "damaged.duckdb", b"\x13\x37 not a database " * 300)
    before = damaged.read_bytes()
    res = run("check", theme, "--live", "--store", damaged, "--no-calibration")
    assert_clean(res, 5, str(damaged), "cannot open the store", "move it aside")
    res = run("import", data, "--store", damaged)
    assert_clean(res, 5, str(damaged), "cannot open the store")
    assert damaged.read_bytes() == before


def test_import_into_a_store_whose_parent_is_a_file(tmp_path: Path, data: Path) -> None:
    blocker = write(tmp_path / "afile", "x")
    res = run("import", data, "--store", blocker / "s.duckdb")
    assert res.exit_code in (2, 5), res.output  # a bad --store path (2) or a store failure (5)
    assert_clean(res, res.exit_code, str(blocker))


# ======================================================================================= breadth


def test_breadth_long_csv_with_duplicate_date_member(tmp_path: Path) -> None:
    long = write(
        tmp_path / "long.csv",
        "date,member,close\n2024-01-02,AAA,10\n2024-01-02,BBB,20\n2024-01-02,AAA,11\n2024-01-03,AAA,12\n",
    )
    res = run("breadth", long)
    assert_clean(res, 2, str(long), "duplicate (date, member)", "AAA on 2024-01-02", "one row per member")


@pytest.mark.parametrize(
    ("content", "code", "needle"),
    [
        ("date,AAA,BBB\n2024-01-02,10,-1\n2024-01-03,11,2\n", 2, "non-positive close"),
        pytest.param(
            "name,AAA,BBB\nfoo,10,20\nbar,11,21\n",
            2,
            "is not dates",
            marks=pytest.mark.filterwarnings("ignore:Could not infer format:UserWarning"),
        ),
        ("date,member,close\n", 3, "the closes frame is empty"),
        ("date,AAA,BBB\n2024-01-02,,\n2024-01-03,,\n", 3, "every close is missing"),
        ("date,AAA\n2024-01-02,ten\n2024-01-03,eleven\n", 2, "closes must be numbers"),
    ],
    ids=["non-positive", "first-column-not-dates", "header-only", "all-missing", "text-closes"],
)
def test_breadth_bad_closes(tmp_path: Path, content: str, code: int, needle: str) -> None:
    res = run("breadth", write(tmp_path / "closes.csv", content))
    assert_clean(res, code, needle)


def test_breadth_missing_file(tmp_path: Path) -> None:
    res = run("breadth", tmp_path / "nothere.csv")
    assert_clean(res, 2, str(tmp_path / "nothere.csv"), "does not exist")


def test_breadth_as_of_not_a_date(data: Path) -> None:
    res = run("breadth", data, "--as-of", "yesterday")
    assert_clean(res, 2, "'yesterday'", "YYYY-MM-DD")


def test_breadth_on_an_unreachable_dask_scheduler(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    import dask.distributed

    real = dask.distributed.Client

    def quick(address: Any, *args: Any, **kwargs: Any) -> Any:  # the same call, a 1 s connect timeout
        kwargs["timeout"] = "1s"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(dask.distributed, "Client", quick)
    res = run("breadth", data, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert_clean(res, 5, "tcp://127.0.0.1:9", "could not reach the Dask scheduler", "dask scheduler")
