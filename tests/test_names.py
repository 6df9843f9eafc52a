"""Names resolved like a person would expect (issue 13, part 4).

A theme written as a new user writes it (lowercase tickers, a search term spelt as its file name,
an earnings event that names its ticker) finds its data in ../shared/data; a misspelt name gets a
suggestion drawn from what the data hold; a trigger kind or parameter that cannot work is refused
when the theme loads, with the valid choices; the event trigger matches events by their tickers,
never by words of the label.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import hypecheck
from hypecheck.api import load_catalog
from hypecheck.cli import main
from hypecheck.errors import ThemeError
from hypecheck.panel import build_panel
from hypecheck.rules import load_rules
from hypecheck.theme import load_theme, parse_theme
from hypecheck.triggers import evaluate

NEW_USER_THEME = """
id = "gold-haven"
title = "Gold as a haven"
question = "Is the run into gold a flight to safety, or a fad?"

[attention]
terms = ["gold_price"]              # written as the file's name (gold_price.csv)

[price]
benchmarks = ["spy"]
sectors = { xlp = "Consumer Staples", xlu = "Utilities" }

[[price.pairs]]
leader = "gld"
laggard = "spy"
label = "Gold vs the S&P 500"

[[events]]
date = "2025-11-19"
label = "Nvidia earnings"
kind = "earnings"
tickers = ["NVDA"]

[[events]]
date = "2025-08-27"
label = "Nvidia earnings"
kind = "earnings"
tickers = ["nvda"]

[[triggers]]
id = "nvda-earnings"
kind = "event"
description = "Nvidia reported in the last week"
params = { tickers = ["NVDA"], event_kind = "earnings", days = 7 }

[[triggers]]
id = "gold-ahead"
kind = "spread_below"
description = "gold behind the index over 20 days"
params = { leader = "gld", laggard = "spy", window = "20D", level = 0.0 }
"""


def _close(shared: Path, ticker: str, on: str) -> float:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{ticker}.csv", parse_dates=["Date"])
    return float(df.loc[df["Date"] <= on, "Close"].iloc[-1])


def _theme(tmp_path: Path, text: str, name: str = "t.toml") -> Path:
    f = tmp_path / name
    f.write_text(text, "utf-8")
    return f


def _theme_dict(**extra: object) -> dict:
    d: dict = {
        "id": "t",
        "title": "t",
        "question": "q?",
        "price": {"pairs": [{"leader": "IWM", "laggard": "SPY"}]},
    }
    d.update(extra)
    return d


def _problems(d: dict) -> str:
    with pytest.raises(ThemeError) as exc:
        parse_theme(d, where="t.toml")
    return str(exc.value)


# ------------------------------------------------------------------------------ a new user's theme


def test_new_users_theme_finds_its_data(shared_data: Path, tmp_path: Path) -> None:
    th = load_theme(_theme(tmp_path, NEW_USER_THEME))
    assert [(p.leader, p.laggard) for p in th.pairs] == [("GLD", "SPY")]
    assert set(th.sectors) == {"XLP", "XLU"} and th.benchmarks == ("SPY",)
    assert th.events[0].tickers == ("NVDA",) and th.events[1].tickers == ("NVDA",)

    catalog = load_catalog(shared_data)
    panel = build_panel(th, catalog, pd.Timestamp("2025-11-21"), catalog.source)
    for t in ("GLD", "SPY", "XLP", "XLU"):
        assert panel.price(t) is not None, panel.why_missing("price", t)
        assert panel.price(t).iloc[-1] == pytest.approx(_close(shared_data, t, "2025-11-21"))
    assert panel.price("xlp") is not None  # a trigger or pillar asking in lowercase finds it too
    # the term written as its file name reads the term's series, as the CSV holds it
    (search,) = [s for s in panel.search["gold_price"] if s.meta.frequency == "M"]
    csv = pd.read_csv(
        shared_data / "trends" / "monthly_us_2004_2025" / "Investing_and_markets" / "gold_price.csv",
        parse_dates=["date"],
    ).set_index("date")["gold price"]
    assert search.meta.id == "gold price"
    assert search.values.loc["2025-10-01"] == csv.loc["2025-10-01"]
    prov = {(p.kind, p.id): p for p in panel.provenance}
    assert prov[("search", "gold_price")].resolved == "gold price"
    assert any("read as the data's 'gold price'" in n for n in prov[("search", "gold_price")].notes)
    assert not [k for k in panel.missing if k[0] in ("price", "search")], panel.missing

    states = {s.id: s for s in evaluate(panel, load_rules(None))}
    ev = states["nvda-earnings"]
    assert ev.state == "fired" and ev.value == 1.0
    assert ev.detail == "2025-11-19 Nvidia earnings (NVDA)"
    assert states["gold-ahead"].state in ("fired", "quiet")  # lowercase trigger tickers read prices
    g, s = _close(shared_data, "GLD", "2025-11-21"), _close(shared_data, "SPY", "2025-11-21")
    assert f"GLD {g / panel.price('GLD').iloc[-21] - 1:+.2%}" in states["gold-ahead"].detail
    assert f"SPY {s / panel.price('SPY').iloc[-21] - 1:+.2%}" in states["gold-ahead"].detail


def test_new_users_theme_checks_end_to_end_on_the_command_line(shared_data: Path, tmp_path: Path) -> None:
    f = _theme(tmp_path, NEW_USER_THEME)
    r = CliRunner().invoke(
        main,
        ["check", str(f), "--data", str(shared_data), "--as-of", "2025-11-21", "--no-calibration", "--json"],
    )
    assert r.exit_code == 0, r.output
    import json

    j = json.loads(r.stdout)
    prov = {(p["kind"], p["id"]): p for p in j["provenance"]}
    assert prov[("price", "GLD")]["last"] == "2025-11-21"
    assert prov[("price", "XLP")]["resolved"] == "XLP"
    assert prov[("search", "gold_price")]["resolved"] == "gold price"
    missing = " ".join(m["reason"] for m in j["missing"])
    assert "gold_price" not in missing and "'GLD'" not in missing and "'XLP'" not in missing
    trig = {t["id"]: t for t in j["triggers"]}
    assert trig["nvda-earnings"]["state"] == "fired"


@pytest.mark.parametrize(
    "written", ["gold_price", "Gold Price", "gold price", "gold price ", "GOLD_PRICE", " gold  price"]
)
def test_search_terms_match_by_export_name_file_name_underscores_or_case(
    shared_data: Path, written: str
) -> None:
    cat = load_catalog(shared_data)
    assert cat.resolve("search", written) == "gold price"
    assert "gold price" in cat.ids("search")


def test_tickers_match_regardless_of_case(shared_data: Path) -> None:
    cat = load_catalog(shared_data)
    assert cat.resolve("price", "xlp") == "XLP" and cat.resolve("price", "XLP") == "XLP"
    assert cat.resolve("macro", "dgs2") == "DGS2" and cat.resolve("macro", "Shiller:cape") == "shiller:CAPE"


def test_a_name_that_fits_two_series_is_not_guessed(shared_data: Path) -> None:
    cat = load_catalog(shared_data)
    assert {"Dow Jones", "dow jones"} <= set(cat.ids("search"))
    assert cat.resolve("search", "dow jones") == "dow jones"  # exact wins
    assert cat.resolve("search", "DOW_JONES") is None
    why = cat.what_is_close("search", "DOW_JONES")
    assert "'Dow Jones', 'dow jones'" in why and "write the one you mean" in why


# ------------------------------------------------------------------------------ did you mean


def test_misspelt_term_and_ticker_get_suggestions_from_the_data(shared_data: Path, tmp_path: Path) -> None:
    f = _theme(
        tmp_path,
        'id = "t"\ntitle = "t"\nquestion = "q?"\n[attention]\nterms = ["gold prise"]\n'
        '[[price.pairs]]\nleader = "GLDD"\nlaggard = "SPY"\n',
    )
    res = hypecheck.check(f, data=shared_data, as_of="2025-11-21", calibrate=False)
    missing = {m.id: m.reason for p in res.pillars.values() for m in p.missing}
    term = missing["term:gold prise"]
    assert "no search data for 'gold prise' in the files data" in term  # what was looked for
    assert "did you mean 'gold price'?" in term  # what exists that is close
    assert "Write the name as the data spell it" in term  # what to do
    why = " ".join(missing.values())
    assert "no price data for 'GLDD'" in why and "did you mean 'GLD'?" in why


def test_nothing_close_says_what_to_do(shared_data: Path) -> None:
    cat = load_catalog(shared_data)
    assert cat.suggest("search", "zzzzqqqq") == []
    assert "export Google Trends 'interest over time'" in cat.what_is_close("search", "zzzzqqqq")


# ------------------------------------------------------------------------------ triggers at load


def test_unknown_trigger_kind_is_refused_when_the_theme_loads() -> None:
    msg = _problems(
        _theme_dict(
            triggers=[{"id": "x", "kind": "spread_under", "params": {"leader": "IWM", "laggard": "SPY"}}]
        )
    )
    assert "triggers[0].kind: unknown trigger kind 'spread_under' (did you mean 'spread_below'?)" in msg
    for k in ("attention_at_baseline", "spread_below", "rs_momentum_below", "breadth_below", "event"):
        assert k in msg


def test_unknown_trigger_kind_on_the_command_line_exits_2(tmp_path: Path) -> None:
    f = _theme(
        tmp_path,
        'id = "t"\ntitle = "t"\nquestion = "q?"\n[[price.pairs]]\nleader = "IWM"\nlaggard = "SPY"\n'
        '[[triggers]]\nid = "x"\nkind = "spread_under"\nparams = { leader = "IWM", laggard = "SPY" }\n',
    )
    r = CliRunner().invoke(main, ["check", str(f), "--no-calibration"])
    assert r.exit_code == 2 and "did you mean 'spread_below'?" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    ("kind", "params", "needles"),
    [
        (
            "spread_below",
            {"leader": "IWM", "laggard": "SPY", "levle": 0.0},
            ["no parameter 'levle'", "did you mean 'level'?"],
        ),
        ("spread_below", {"leader": "IWM"}, ["needs 'laggard'"]),
        (
            "spread_below",
            {"leader": "IWM", "laggard": "SPY", "window": "20 days"},
            ["'20 days' is not a window"],
        ),
        ("spread_below", {"leader": "IWM", "laggard": "SPY", "level": "zero"}, ["must be a number"]),
        ("rs_momentum_below", {"tickers": ["IWM"], "mode": "most"}, ["'most' must be 'all'"]),
        (
            "breadth_below",
            {"metric": "pct_above_50"},
            ["unknown breadth metric", "did you mean 'pct_above_50d'?"],
        ),
        (
            "attention_at_baseline",
            {"terms": ["smal cap"]},
            ["not one of the theme's [attention] terms", "did you mean 'small cap'?"],
        ),
        ("attention_at_baseline", {"terms": ["small cap"], "periods": 0}, ["at least 1"]),
        ("event", {"tickers": "NVDA"}, ["must be a list of tickers"]),
    ],
)
def test_trigger_parameters_are_checked_when_the_theme_loads(
    kind: str, params: dict, needles: list[str]
) -> None:
    msg = _problems(
        _theme_dict(
            attention={"terms": ["small cap"]}, triggers=[{"id": "x", "kind": kind, "params": params}]
        )
    )
    for n in needles:
        assert n in msg, msg


def test_trigger_terms_and_tickers_are_spelt_as_the_theme_spells_them() -> None:
    th = parse_theme(
        _theme_dict(
            attention={"terms": ["small cap"]},
            triggers=[
                {"id": "a", "kind": "attention_at_baseline", "params": {"terms": ["Small_Cap"]}},
                {"id": "b", "kind": "rs_momentum_below", "params": {"tickers": ["iwm"], "benchmark": "spy"}},
                {"id": "c", "kind": "spread_below", "params": {"leader": "rsp", "laggard": "spy"}},
            ],
        )
    )
    a, b, c = th.triggers
    assert a.params["terms"] == ["small cap"]
    assert b.params == {"tickers": ["IWM"], "benchmark": "SPY"}
    assert c.params == {"leader": "RSP", "laggard": "SPY"}
    assert "RSP" in th.tickers()  # a trigger's own price series are loaded with the theme's


# ------------------------------------------------------------------------------ events


def _event_panel(bundled_catalog, events: list[dict]) -> object:
    th = parse_theme(
        {
            "id": "t",
            "title": "t",
            "question": "q?",
            "price": {"pairs": [{"leader": "ff:S1V3", "laggard": "ff:Mkt"}]},
            "events": events,
            "triggers": [
                {
                    "id": "e",
                    "kind": "event",
                    "params": {"tickers": ["NVDA"], "event_kind": "earnings", "days": 7},
                }
            ],
        }
    )
    return build_panel(th, bundled_catalog, pd.Timestamp("2016-11-20"), "bundled")


def test_event_trigger_matches_the_events_tickers(bundled_catalog) -> None:
    panel = _event_panel(
        bundled_catalog,
        [
            {
                "date": dt.date(2016, 11, 17),
                "label": "Nvidia earnings",
                "kind": "earnings",
                "tickers": ["NVDA"],
            }
        ],
    )
    (st,) = evaluate(panel, load_rules(None))  # type: ignore[arg-type]
    assert st.state == "fired" and st.detail == "2016-11-17 Nvidia earnings (NVDA)"


def test_event_trigger_never_reads_the_label(bundled_catalog) -> None:
    panel = _event_panel(
        bundled_catalog,
        [
            {"date": dt.date(2016, 11, 17), "label": "NVDA earnings", "kind": "earnings"},
            {
                "date": dt.date(2016, 11, 18),
                "label": "AMD earnings (not NVDA)",
                "kind": "earnings",
                "tickers": ["AMD"],
            },
        ],
    )
    (st,) = evaluate(panel, load_rules(None))  # type: ignore[arg-type]
    assert st.state == "quiet" and st.value == 0.0
    assert "no earnings event naming NVDA in the 7 days to 2016-11-20" in st.detail
    assert (
        "1 of the theme's 2 earnings events name no tickers" in st.detail
        and "add tickers = [...]" in st.detail
    )


def test_mapping_keys_match_the_themes_tickers_regardless_of_case(bundled_catalog) -> None:
    th = parse_theme(
        {
            "id": "t",
            "title": "t",
            "question": "q?",
            "price": {"pairs": [{"leader": "iwm", "laggard": "SPY"}]},
            "mapping": {"bundled": {"series": {"IWM": "ff:S1V3", "spy": "ff:Mkt"}}},
        }
    )
    assert th.mappings["bundled"].series == {"IWM": "ff:S1V3", "SPY": "ff:Mkt"}
    panel = build_panel(th, bundled_catalog, pd.Timestamp("2016-12-31"), "bundled")
    assert panel.price("IWM") is not None and panel.price("SPY") is not None


def test_duplicate_terms_by_spelling_are_refused() -> None:
    msg = _problems(_theme_dict(attention={"terms": ["gold price", "Gold_Price"]}))
    assert "duplicate term 'Gold_Price' (the same search term as 'gold price')" in msg


# ------------------------------------------------------------------------------ [breadth] leadership


def test_breadth_leadership_is_read_and_checked() -> None:
    assert parse_theme(_theme_dict()).leadership == "broad"
    assert parse_theme(_theme_dict(breadth={"leadership": "narrow"})).leadership == "narrow"
    msg = _problems(_theme_dict(breadth={"leadership": "narow"}))
    assert "breadth.leadership: 'narow' must be \"broad\"" in msg and "did you mean 'narrow'?" in msg


def test_flagship_documents_leadership_and_event_tickers() -> None:
    r = CliRunner().invoke(main, ["themes", "--show", "small-cap-rotation"])
    assert r.exit_code == 0
    assert 'leadership = "broad"' in r.output and '"narrow"' in r.output
    assert 'tickers = ["NVDA"]' in r.output
    for k in ("attention_at_baseline", "spread_below", "rs_momentum_below", "breadth_below", "event"):
        assert k in r.output
    assert tomllib.loads(r.output)["breadth"]["leadership"] == "broad"


def test_hindsight_finds_lowercase_price_files(shared_data: Path, tmp_path: Path) -> None:
    """Hindsight resolves names as the panel does: spy.csv serves the theme's SPY."""
    import shutil

    import hypecheck

    for t in ("IWM", "SPY"):
        shutil.copy(shared_data / "prices" / "etf_daily" / f"{t}.csv", tmp_path / f"{t.lower()}.csv")
    theme = tmp_path / "t.toml"
    theme.write_text(
        'id = "t"\ntitle = "t"\nquestion = "q"\n[price]\npairs = [{ leader = "IWM", laggard = "SPY", label = "x" }]\n'
    )
    r = hypecheck.check(str(theme), data=tmp_path, as_of="2025-06-30", calibrate=False)
    assert r.hindsight is not None and {x["horizon"] for x in r.hindsight["rows"]} == {
        "1M",
        "3M",
        "6M",
        "12M",
    }
