"""Parsing and loading under attack (issue 15, points 3, 4, 5 and 9).

* The period-start rule is decided per observation: one re-dated row (FEDFUNDS 2010-06-15) neither
  turns it off for the series nor lets that row's own month be used before it ends, and a series with
  only a few period-start stamps is read the safe way, said in its provenance notes.
* Two files holding one series are merged by a rule that never looks past a date: the values on or
  before an as-of date are the same whatever the files hold after it; the merge is in the LoadReport.
* Plausible input does not crash: two events on one date; a theme or rules file nested 500 deep is a
  clear ThemeError / InputError (bounded depth and size).
* Smaller gaps: symbolic links to folders are followed (loops reported, not walked), a 10 MB bad cell
  is cut short in every message, note, report and store row, control characters in names are escaped
  in report.md, a device or pipe as data is named as such, and rows rejected while loading are counted
  in the terminal and the Markdown report as well as in the JSON and HTML.

Everything but the FEDFUNDS case runs on small inputs built in ``tmp_path``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result

from conftest import run_cli as run
from conftest import write_file as write
from hypecheck.data.folder import FilesSource
from hypecheck.errors import InputError, ThemeError
from hypecheck.known import cut_known
from hypecheck.rules import load_rules
from hypecheck.schema import Catalog
from hypecheck.store import Store
from hypecheck.theme import load_theme

TODAY = "2026-12-31"
THEME = 'id = "safety"\ntitle = "Safety"\nquestion = "Does AAA lead BBB?"\n'
PAIR = '[[price.pairs]]\nleader = "AAA"\nlaggard = "BBB"\n'
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def closes(drift: float, n: int = 300, start: str = "2023-01-02") -> list[tuple[str, float]]:
    days = pd.bdate_range(start, periods=n)
    return [
        (d.strftime("%Y-%m-%d"), round(100 * (1 + drift) ** k * (1 + 0.01 * math.sin(k)), 4))
        for k, d in enumerate(days)
    ]


def closes_csv(drift: float, n: int = 300) -> str:
    return "Date,Close\n" + "".join(f"{d},{v}\n" for d, v in closes(drift, n))


def assert_ok(res: Result, code: int = 0) -> None:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write(folder / "AAA.csv", closes_csv(0.0010))
    write(folder / "BBB.csv", closes_csv(-0.0005))
    return folder


# ============================================================== 3. the period-start rule


def monthly_csv(stamps: list[str], sid: str = "RATE") -> str:
    return f"date,{sid}\n" + "".join(f"{d},{1 + k / 100:.2f}\n" for k, d in enumerate(stamps))


def test_a_redated_row_waits_for_its_month_and_the_rest_keep_the_rule(tmp_path: Path) -> None:
    """FRED-style monthly averages stamped on the 1st, one row re-dated to the 15th: every month's
    average waits for the month's end, the re-dated one too (it is June's average, not known on the
    15th), and the note says the stamps are mixed."""
    stamps = [d.strftime("%Y-%m-%d") for d in pd.date_range("2009-01-01", "2011-12-01", freq="MS")]
    stamps[stamps.index("2010-06-01")] = "2010-06-15"
    s = (
        FilesSource(write(tmp_path / "RATE.csv", monthly_csv(stamps)), today=TODAY)
        .load()
        .get("macro", "RATE")
    )
    assert s.meta.frequency == "M"
    # lag=0 (a theme's [release] override): this test is about the period rule; an unlisted series
    # otherwise waits its assumed lag too (tests/test_date_rules.py)
    cut, note = cut_known(s, lag=0, as_of=pd.Timestamp("2010-06-20"))
    assert cut.values.index[-1] == pd.Timestamp("2010-05-01")  # not June's average on 20 June
    assert note is not None and "mixed date stamps: 17 of 18 observations" in note
    cut, _ = cut_known(s, lag=0, as_of=pd.Timestamp("2010-06-30"))
    assert cut.values.index[-1] == pd.Timestamp("2010-06-15")  # June ended: now it is known
    cut, _ = cut_known(s, lag=0, as_of=pd.Timestamp("2011-12-10"))
    assert cut.values.index[-1] == pd.Timestamp("2011-11-01")  # the rule still holds for the series


def test_fewer_than_half_period_starts_is_a_reported_choice_not_a_silent_fallback(tmp_path: Path) -> None:
    """Mostly month-end stamps and a few on the 1st: the 1st-stamped values are still held back to
    their month's end (never read as end-of-period), and the provenance note says so."""
    ends = [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-01-31", "2021-12-31", freq="ME")]
    stamps = [("2021-06-01" if d == "2021-06-30" else d) for d in ends]
    s = FilesSource(write(tmp_path / "LEVEL.csv", monthly_csv(stamps, "LEVEL")), today=TODAY).load()
    series = s.get("macro", "LEVEL")
    cut, note = cut_known(series, lag=0, as_of=pd.Timestamp("2021-06-10"))
    assert cut.values.index[-1] == pd.Timestamp("2021-05-31")
    assert note is not None and "fewer than half" in note and "1 of 18" in note
    cut, note = cut_known(
        series, lag=0, as_of=pd.Timestamp("2021-05-31")
    )  # month-end stamps: usable on the day
    assert cut.values.index[-1] == pd.Timestamp("2021-05-31")


def test_fedfunds_redated_row_as_of_2025_12_10_uses_novembers_average(
    shared_data: Path, tmp_path: Path
) -> None:
    """The issue's case on the real file: FEDFUNDS with 2010-06-01 re-dated 2010-06-15; a check as of
    2025-12-10 uses November's average (3.88), not December's (3.72, published in January), and the
    re-dated row is not used before June 2010 ends."""
    text = (shared_data / "macro" / "fred_to_2026" / "FEDFUNDS.csv").read_text("utf-8")
    assert "2010-06-01," in text and "2025-12-01,3.72" in text
    path = write(tmp_path / "FEDFUNDS.csv", text.replace("2010-06-01,", "2010-06-15,"))
    fed = FilesSource(path, today=TODAY).load().get("macro", "FEDFUNDS")
    cut, note = cut_known(fed, pd.Timestamp("2025-12-10"))
    assert cut.values.index[-1] == pd.Timestamp("2025-11-01") and cut.values.iloc[-1] == 3.88
    assert note is not None and "mixed date stamps" in note
    cut, _ = cut_known(fed, pd.Timestamp("2010-06-20"))
    assert cut.values.index[-1] == pd.Timestamp("2010-05-01")


# ============================================================== 4. look-ahead through merging


def daily_csv(sid: str, start: str, end: str, level: float) -> str:
    days = pd.bdate_range(start, end)
    return f"date,{sid}\n" + "".join(f"{d:%Y-%m-%d},{level + 0.001 * k:.3f}\n" for k, d in enumerate(days))


def cut_file(text: str, as_of: str) -> str:
    lines = text.splitlines(keepends=True)
    return lines[0] + "".join(ln for ln in lines[1:] if ln.split(",")[0] <= as_of)


def test_merge_values_before_a_date_do_not_depend_on_data_after_it(tmp_path: Path) -> None:
    """Two files of one series that disagree on shared dates, the second ending later: the merged
    values up to any as-of date equal those merged from the files cut at that date (with 'the one
    that ends later wins', cutting B before A's end flipped which file won the overlap)."""
    a = daily_csv("DGS2", "2024-01-01", "2024-04-30", 4.0)
    b = daily_csv("DGS2", "2024-03-01", "2024-08-30", 5.0)
    full = tmp_path / "full"
    write(full / "a" / "DGS2.csv", a)
    write(full / "b" / "DGS2.csv", b)
    merged = FilesSource(full, today=TODAY).load().get("macro", "DGS2")
    for k, as_of in enumerate(("2024-03-15", "2024-04-10", "2024-04-30", "2024-06-28")):
        part = tmp_path / f"cut{k}"
        write(part / "a" / "DGS2.csv", cut_file(a, as_of))
        write(part / "b" / "DGS2.csv", cut_file(b, as_of))
        then = FilesSource(part, today=TODAY).load().get("macro", "DGS2")
        ts = pd.Timestamp(as_of)
        pd.testing.assert_series_equal(merged.cut(ts).values, then.cut(ts).values)
    # the longer history wins on the shared dates, whatever ends later
    assert merged.values[pd.Timestamp("2024-03-15")] < 5


def test_merge_is_reported_in_the_load_report(tmp_path: Path) -> None:
    write(tmp_path / "d" / "a" / "DGS2.csv", daily_csv("DGS2", "2024-01-01", "2024-04-30", 4.0))
    write(tmp_path / "d" / "b" / "DGS2.csv", daily_csv("DGS2", "2024-03-01", "2024-08-30", 5.0))
    catalog = FilesSource(tmp_path / "d", today=TODAY).load()
    (entry,) = catalog.report.merges
    assert entry.status == "merged" and entry.series[0] == "DGS2"
    assert entry.origin == "a/DGS2.csv + b/DGS2.csv"  # in the order they win
    assert "start earliest wins" in entry.reason and "differ by more than" in entry.reason
    assert "never the one that ends latest" in catalog.get("macro", "DGS2").meta.notes[-1]
    merged = catalog.report.to_dict()["merged"]
    assert merged[0]["series"] == "DGS2" and merged[0]["origins"] == ["a/DGS2.csv", "b/DGS2.csv"]
    # a third file joins the same record, ranked by where its data start
    write(tmp_path / "e" / "DGS2.csv", daily_csv("DGS2", "2023-06-01", "2024-01-31", 3.0))
    FilesSource(tmp_path / "e", today=TODAY).load(catalog)
    (entry,) = catalog.report.merges
    assert entry.origin == "DGS2.csv + a/DGS2.csv + b/DGS2.csv"
    assert catalog.get("macro", "DGS2").values[pd.Timestamp("2024-01-02")] < 4  # the earliest start wins


def test_search_windows_that_cannot_be_combined_keep_the_earlier_one(tmp_path: Path) -> None:
    """Two Trends windows of one term too far apart to put on one scale: which one is kept must not
    depend on which reaches later (the later one kept made an as-of inside the first window lose
    its data because of a file that starts after it)."""
    first = [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-01-01", "2020-12-01", freq="MS")]
    later = [d.strftime("%Y-%m-%d") for d in pd.date_range("2022-01-01", "2022-12-01", freq="MS")]
    write(
        tmp_path / "trends" / "a" / "gold.csv",
        "date,gold\n" + "".join(f"{d},{20 + k}\n" for k, d in enumerate(first)),
    )
    write(
        tmp_path / "trends" / "b" / "gold.csv",
        "date,gold\n" + "".join(f"{d},{50 + k}\n" for k, d in enumerate(later)),
    )
    both = FilesSource(tmp_path / "trends", today=TODAY).load()
    alone = FilesSource(tmp_path / "trends" / "a", today=TODAY).load()
    as_of = pd.Timestamp("2020-10-15")
    got = both.get("search", "gold").cut(as_of).values
    pd.testing.assert_series_equal(got, alone.get("search", "gold").cut(as_of).values)
    assert "whose data start earlier" in both.get("search", "gold").meta.notes[-1]
    assert both.report.merges and both.report.merges[0].series[0] == "gold"


# ============================================================== 5. crashes on plausible input


def test_two_events_on_the_same_date_are_allowed(tmp_path: Path, data: Path) -> None:
    events = "".join(
        f'[[events]]\ndate = "2023-06-01"\nlabel = "{label}"\nkind = "{kind}"\n'
        for label, kind in (("FOMC holds", "fomc"), ("Jobs report", "data"))
    )
    theme = write(tmp_path / "t.toml", THEME + PAIR + events)
    res = run("check", theme, "--data", data, "--as-of", "2023-12-29", "--no-calibration", "--json")
    assert_ok(res)
    rows = json.loads(res.output)["tables"]["catalysts.event_study"]
    assert sorted(r["event"] for r in rows) == ["FOMC holds", "Jobs report"]
    assert rows[0]["moved"] == rows[1]["moved"]  # one window, one move: both events read it


def deep(n: int) -> str:
    return "x = " + "[" * n + "]" * n + "\n"


def test_deeply_nested_theme_or_rules_is_a_clear_error_and_strings_do_not_count(
    tmp_path: Path, data: Path
) -> None:
    for text in (deep(500), "x = " + "{a = " * 500 + "1" + "}" * 500 + "\n", "a" + ".a" * 600 + " = 1\n"):
        assert len(text.encode()) < 4_000
        bad = write(tmp_path / "deep.toml", text)
        with pytest.raises(ThemeError, match="deep"):
            load_theme(bad)
        with pytest.raises(InputError, match="deep"):
            load_rules(bad)
    res = run("check", bad, "--data", data, "--no-calibration")
    assert_ok(res, 2)
    assert "error: theme" in res.output and "hint:" in res.output
    res = run(
        "check", write(tmp_path / "t.toml", THEME + PAIR), "--data", data, "--rules", bad, "--no-calibration"
    )
    assert_ok(res, 2)
    assert "error: rules file" in res.output
    # brackets inside strings and comments are text, not nesting
    fine = THEME.replace('title = "Safety"', 'title = "Safety ' + "[" * 100 + "]" * 100 + '"')
    th = load_theme(write(tmp_path / "fine.toml", fine + "# " + "[" * 100 + "\n" + PAIR))
    assert th.title.startswith("Safety [[[")


def test_theme_and_rules_size_is_bounded(tmp_path: Path) -> None:
    big = write(tmp_path / "big.toml", THEME + "# " + "x" * 1_100_000 + "\n")
    with pytest.raises(ThemeError, match="larger than 1 MB"):
        load_theme(big)
    big_rules = write(tmp_path / "rules.toml", "# " + "x" * 1_100_000 + "\n")  # valid TOML, no rules
    with pytest.raises(InputError, match="larger than 1 MB"):
        load_rules(big_rules)


# ============================================================== 9. the smaller gaps


def test_symlinked_folders_are_followed_and_loops_reported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data / "own" / "BBB.csv", closes_csv(-0.0005, 20))
    write(tmp_path / "elsewhere" / "prices" / "AAA.csv", closes_csv(0.001, 20))
    try:
        (data / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
        (data / "own" / "loop").symlink_to(data, target_is_directory=True)
        (data / "twice").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    except OSError:  # pragma: no cover - no symlinks on this filesystem
        pytest.skip("symbolic links are not supported here")
    catalog = FilesSource(data, today=TODAY).load()
    assert catalog.has("price", "AAA") and catalog.has("price", "BBB")
    assert catalog.get("price", "AAA").meta.origin == "linked/prices/AAA.csv"
    entries = {e.origin: e for e in catalog.report.entries}
    assert entries["own/loop/"].status == "skipped" and "not searched again" in entries["own/loop/"].reason
    assert entries["twice/"].status == "skipped" and "already searched" in entries["twice/"].reason
    assert not catalog.report.merges  # each real file read once


def test_a_ten_megabyte_cell_is_cut_short_everywhere(tmp_path: Path, data: Path) -> None:
    huge = "X" * 10_000_000
    rows = closes_csv(0.001).splitlines()
    rows.insert(50, f"2023-03-13,{huge}")  # a bad value cell
    rows.insert(80, f"{huge},12.5")  # a bad date cell
    write(data / "AAA.csv", "\n".join(rows) + "\n")
    write(data / "tidy.csv", f"date,series,value,kind\n2023-01-03,{huge},1,macro\n2023-01-03,OK,1,macro\n")
    write(data / "junk.csv", f"Date,Close\n{huge}\n")
    catalog = FilesSource(data, today=TODAY).load()
    for e in catalog.report.entries:
        assert len(e.reason) < 2_500, (e.origin, len(e.reason))
    for s in catalog:
        assert len(s.meta.id) <= 200 and all(len(n) < 2_500 for n in s.meta.notes), s.meta.id[:40]
    tidy = next(e for e in catalog.report.entries if e.origin == "tidy.csv")
    assert tidy.rejected_rows == 1 and "series name longer than 200" in tidy.reason
    aaa = catalog.get("price", "AAA").meta.notes
    assert any("(10,000,000 characters)" in n for n in aaa)
    theme = write(tmp_path / "t.toml", THEME + PAIR)
    out = tmp_path / "out"
    res = run("check", theme, "--data", data, "--no-calibration", "--json", "--out", out)
    assert_ok(res)
    assert len(res.output) < 1_000_000
    for name in ("verdict.json", "report.html", "report.md"):
        size = (out / name).stat().st_size
        assert size < 3_000_000 and huge[:100_000] not in (out / name).read_text("utf-8"), name
    store = tmp_path / "store.duckdb"
    res = run("import", data, "--store", store)
    assert res.exit_code == 0, res.output
    for s in Store(store).catalog():
        assert len(s.meta.id) <= 200 and all(len(n) < 2_500 for n in s.meta.notes), s.meta.id[:40]


def test_control_characters_in_names_are_escaped_in_report_md(tmp_path: Path, data: Path) -> None:
    evil = "evil\x1b[2J\x1b]0;owned\x07\u202e"
    write(data / evil / "CCC.csv", closes_csv(0.0002))
    shutil.move(str(data / "AAA.csv"), str(data / evil / "AAA.csv"))
    write(data / f"bad{evil}.csv", "this is not a csv\n")
    theme = write(tmp_path / "t.toml", THEME + PAIR)
    out = tmp_path / "out"
    res = run("check", theme, "--data", data, "--no-calibration", "--out", out)
    assert_ok(res)
    md = (out / "report.md").read_text("utf-8")
    assert not CONTROL.search(md), repr(CONTROL.findall(md))
    assert "evil\\x1b" in md and "\\u202e" in md  # shown, not obeyed
    html = (out / "report.html").read_text("utf-8")
    assert not CONTROL.search(html)
    assert not CONTROL.search(res.output)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_a_device_as_data_is_named_as_such(tmp_path: Path) -> None:
    theme = write(tmp_path / "t.toml", THEME + PAIR)
    res = run("check", theme, "--data", "/dev/zero", "--no-calibration")
    assert_ok(res, 2)
    assert "not a regular file" in res.output and "no such file" not in res.output
    with pytest.raises(InputError, match="not a regular file"):
        FilesSource("/dev/zero").load()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_in_a_data_folder_is_skipped_unread(data: Path) -> None:
    os.mkfifo(data / "feed.csv")
    catalog = FilesSource(data, today=TODAY).load()
    entry = next(e for e in catalog.report.entries if e.origin == "feed.csv")
    assert entry.status == "skipped" and "not a regular file" in entry.reason


def test_rows_rejected_for_mixed_date_formats_reach_terminal_and_markdown(tmp_path: Path, data: Path) -> None:
    lines = closes_csv(0.001).splitlines()
    mixed = [lines[0]]
    for k, ln in enumerate(lines[1:]):
        d, v = ln.split(",")
        if k % 5 == 4:  # 20% of the rows in US month/day/year
            y, m, dd = d.split("-")
            d = f"{int(m)}/{int(dd)}/{y}"
        mixed.append(f"{d},{v}")
    write(data / "AAA.csv", "\n".join(mixed) + "\n")
    theme = write(tmp_path / "t.toml", THEME + PAIR)
    out = tmp_path / "out"
    res = run("check", theme, "--data", data, "--no-calibration", "--out", out)
    assert_ok(res)
    assert "60 rows rejected in 1 files" in res.output  # the load line
    assert "AAA: 60 rows rejected (date not in the file's format" in res.output  # under the verdict
    md = (out / "report.md").read_text("utf-8")
    assert "Rows rejected while loading: 60 in 1 input(s)" in md
    assert "60 rows rejected \\(date not in the file" in md  # in the provenance notes too
    j = json.loads(run("check", theme, "--data", data, "--no-calibration", "--json").output)
    assert j["data"]["rejected_rows"] == 60 and j["data"]["rejected"][0]["origin"] == "AAA.csv"


def test_catalog_without_merges_reports_none() -> None:
    """The JSON data section always has the new keys (empty when nothing was merged or rejected)."""
    d = Catalog().report.to_dict()
    assert d["merged"] == [] and d["rejected"] == [] and d["rejected_rows"] == 0
