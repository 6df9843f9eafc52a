"""Directions a theme can state (issue 13, part 3): broad or narrow leadership in the breadth pillar,
one source of truth for the history pillar's hit-rate thresholds (the rules file, which the README's
pillar table must agree with), and a structural test solved for any part of the index."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.analytics.structure import required_part_return, required_return
from hypecheck.errors import ThemeError
from hypecheck.rules import load_rules
from hypecheck.theme import Theme, load_theme

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "src" / "hypecheck" / "themes" / "small-cap-rotation.toml"


def close(shared: Path, ticker: str) -> pd.Series:
    df = pd.read_csv(shared / "prices" / "etf_daily" / f"{ticker}.csv")
    return df.set_index(pd.to_datetime(df["Date"], format="%Y-%m-%d"))["Close"].astype(float)


def ytd(s: pd.Series, as_of: str) -> float:
    t = pd.Timestamp(as_of)
    base = s.loc[s.index <= pd.Timestamp(year=t.year - 1, month=12, day=31)].iloc[-1]
    return float(s.loc[s.index <= t].iloc[-1] / base - 1)


def calendar_years(s: pd.Series, last_year: int) -> pd.Series:
    """Year-end (last December close) to year-end returns, years with both Decembers only."""
    dec = s.loc[s.index.month == 12]
    ends = dec.groupby(dec.index.year).last()
    out = {y: ends[y] / ends[y - 1] - 1 for y in ends.index if y - 1 in ends.index and y <= last_year}
    return pd.Series(out, dtype="float64")


# ------------------------------------------------------------------ the README agrees with the rules


def readme_row(pillar: str) -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("What each pillar measures", 1)[1]
    header = next(ln for ln in table.splitlines() if ln.startswith("| pillar |"))
    assert header.split("|")[3].strip() == "leans *catalyst* when"
    row = next(ln for ln in table.splitlines() if ln.startswith(f"| {pillar} |"))
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    assert len(cells) == 4, row  # still a four-column markdown table
    return cells


def numbers(cells: list[str]) -> tuple[set[float], set[float], set[float]]:
    """(every '>= N%', every '<= N%', every 'N pp') in the row's two leaning columns, as fractions."""
    text = " ".join(cells[2:])
    ge = {float(x) / 100 for x in re.findall(r">= (\d+(?:\.\d+)?)%", text)}
    le = {float(x) / 100 for x in re.findall(r"<= (\d+(?:\.\d+)?)%", text)}
    pp = {float(x) / 100 for x in re.findall(r"(\d+(?:\.\d+)?) pp", text)}
    return ge, le, pp


@pytest.mark.parametrize(
    ("pillar", "support", "against", "spread"),
    [
        ("price", ("price", "persistence_share"), ("price", "fade_share"), ("price", "min_spread")),
        ("breadth", ("breadth", "broad_share"), ("breadth", "narrow_share"), ("breadth", "min_spread")),
        ("history", ("history", "support_share"), ("history", "against_share"), None),
    ],
)
def test_readme_pillar_table_states_the_rules(pillar, support, against, spread) -> None:
    rules = tomllib.loads((ROOT / "src" / "hypecheck" / "rules" / "default.toml").read_text("utf-8"))
    value = lambda key: float(rules[key[0]][key[1]]["value"])  # noqa: E731
    ge, le, pp = numbers(readme_row(pillar))
    assert ge == {value(support)}, (pillar, ge)
    assert le == {value(against)}, (pillar, le)
    assert pp == ({value(spread)} if spread else set()), (pillar, pp)


def test_history_thresholds_have_one_home() -> None:
    rules = load_rules()
    assert rules.get("history", "support_share") == 0.6 and rules.get("history", "against_share") == 0.4
    assert "base_rate_min" not in rules.data["history"]


# --------------------------------------------------------------------- base rates use the rules

GOLD = """
id = "gold-haven"
title = "Gold as a haven"
question = "Is gold's run a haven bid or a passing story?"
[price]
benchmarks = ["SPY"]
[[price.pairs]]
leader = "GLD"
laggard = "SPY"
[[base_rates]]
id = "gold-beats-spy"
claim = "Years in the last twenty in which gold beat the S&P 500"
when = ["GLD > SPY"]
period = "A"
last = 20
"""


def test_gold_beating_spy_half_the_years_is_neutral_not_support(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "gold.toml"
    path.write_text(GOLD, "utf-8")
    gld, spy = (
        calendar_years(close(shared_data, "GLD"), 2025),
        calendar_years(close(shared_data, "SPY"), 2025),
    )
    both = pd.concat({"g": gld, "s": spy}, axis=1).dropna().iloc[-20:]
    hits = int((both["g"] > both["s"]).sum())
    assert (hits, len(both)) == (10, 20)  # gold beat the S&P 500 in 10 of the 20 years 2006-2025

    r = hypecheck.check(path, data=shared_data, as_of="2026-01-16", calibrate=False)
    e = next(x for x in r.evidence if x.id == "base-rate:gold-beats-spy")
    assert e.value == pytest.approx(0.5) and e.threshold == pytest.approx(0.6)
    assert e.leaning == "neutral"  # was "catalyst" under the old >= 25% rule
    assert "held in 10 of 20 years (2006-2025): 50%" in e.finding and e.finding.endswith("(neutral)")

    # the rules file decides: lower the support share and the same count supports the narrative
    text = (ROOT / "src" / "hypecheck" / "rules" / "default.toml").read_text("utf-8")
    text = re.sub(r"support_share = \{ value = 0\.6", "support_share = { value = 0.5", text)
    (tmp_path / "rules.toml").write_text(text, "utf-8")
    r2 = hypecheck.check(
        path, data=shared_data, as_of="2026-01-16", calibrate=False, rules=tmp_path / "rules.toml"
    )
    e2 = next(x for x in r2.evidence if x.id == "base-rate:gold-beats-spy")
    assert e2.leaning == "catalyst" and e2.finding.endswith("(supports the narrative)")


def test_flagship_history_items_use_the_history_shares(shared_data: Path) -> None:
    r = hypecheck.check("small-cap-rotation", data=shared_data, as_of="2026-01-16", calibrate=False)
    hist = {e.id: e for e in r.pillars["history"].evidence if not e.cited}
    ep = hist["episodes:IWM-SPY"]
    assert ep.value == pytest.approx(0.25) and ep.threshold == 0.6 and ep.leaning == "viral"
    br = hist["base-rate:index-up-10-tech-lagging"]
    assert br.value == pytest.approx(0.1) and br.threshold == 0.6 and br.leaning == "viral"


# --------------------------------------------------------------------------- narrow leadership


def theme_with(text: str, tmp_path: Path, name: str, **attrs: str) -> Theme:
    """Load ``text`` as a theme; attributes the theme parser does not know yet are set on the object."""
    path = tmp_path / f"{name}.toml"
    path.write_text(text, "utf-8")
    try:
        th = load_theme(path)
    except ThemeError:
        path.write_text(re.sub(r'(?m)^leadership = "\w+"\n', "", text), "utf-8")
        th = load_theme(path)
    for k, v in attrs.items():
        if getattr(th, k, None) != v:
            try:
                th = dataclasses.replace(th, **{k: v})
            except TypeError:
                object.__setattr__(th, k, v)
    return th


def flagship_text(leadership: str) -> str:
    text = FLAGSHIP.read_text("utf-8")
    if re.search(r'(?m)^leadership = "\w+"', text):
        return re.sub(r'(?m)^leadership = "\w+"', f'leadership = "{leadership}"', text)
    return text.replace(
        "[[breadth.pairs]]", f'[breadth]\nleadership = "{leadership}"\n\n[[breadth.pairs]]', 1
    )


@pytest.fixture(scope="module")
def narrow_and_broad(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("themes")
    out = {}
    for lead in ("narrow", "broad"):
        th = theme_with(flagship_text(lead), tmp, lead, leadership=lead)
        assert getattr(th, "leadership", "broad") == lead
        out[lead] = {
            d: hypecheck.check(th, data=shared_data, as_of=d, calibrate=False)
            for d in ("2025-10-31", "2026-01-16")
        }
    return out


def test_narrow_theme_scores_cap_weight_ahead_as_support(narrow_and_broad, shared_data: Path) -> None:
    sp = ytd(close(shared_data, "RSP"), "2025-10-31") - ytd(close(shared_data, "SPY"), "2025-10-31")
    assert sp < -0.0025  # RSP trailed SPY by 8.72 pp year to date
    narrow = {e.id: e for e in narrow_and_broad["narrow"]["2025-10-31"].evidence}
    broad = {e.id: e for e in narrow_and_broad["broad"]["2025-10-31"].evidence}
    e = narrow["ewcw:RSP-SPY:YTD"]
    assert e.value == pytest.approx(sp, abs=1e-12)
    assert e.leaning == "catalyst" and broad["ewcw:RSP-SPY:YTD"].leaning == "viral"
    assert e.finding == (
        f"RSP trailed SPY by {abs(sp) * 100:.2f} pp this year: narrow leadership, as the narrative claims "
        "(supports the narrative)"
    )
    assert "cap weight (SPY) ahead of equal weight (RSP)" in e.claim
    # the record the narrow theme looks at is the cap-weighted index's
    assert "ath:SPY" in narrow and "ath:RSP" not in narrow and "ath:RSP" in broad
    # the price pillar does not depend on it
    assert {k: v.leaning for k, v in narrow.items() if v.pillar == "price"} == {
        k: v.leaning for k, v in broad.items() if v.pillar == "price"
    }


def test_narrow_theme_reads_broad_participation_as_against(narrow_and_broad) -> None:
    narrow = {e.id: e for e in narrow_and_broad["narrow"]["2026-01-16"].evidence}
    broad = {e.id: e for e in narrow_and_broad["broad"]["2026-01-16"].evidence}
    # RSP ahead of SPY and 11 of 11 sectors above their 50-day average: support for broad, against narrow
    assert broad["ewcw:RSP-SPY:YTD"].leaning == "catalyst" and narrow["ewcw:RSP-SPY:YTD"].leaning == "viral"
    assert narrow["ewcw:RSP-SPY:YTD"].finding.startswith("RSP led SPY by 2.48 pp this year")
    p50n, p50b = narrow["participation:50d"], broad["participation:50d"]
    assert p50n.value == p50b.value == 1.0
    assert (p50b.leaning, p50n.leaning) == ("catalyst", "viral")
    assert p50n.finding.startswith("11 of 11 sectors closed above their 50-day average")
    # sector twins: 6 of 10 with equal weight ahead = 4 of 10 with cap weight ahead
    tb, tn = broad["sector-twins:YTD"], narrow["sector-twins:YTD"]
    assert tb.value == pytest.approx(0.6) and tn.value == pytest.approx(0.4)
    assert (tb.leaning, tn.leaning) == ("catalyst", "viral")
    assert "cap weight led equal weight in 4 of 10 sectors" in tn.finding
    trend_b, trend_n = broad["ewcw-trend:RSP-SPY"], narrow["ewcw-trend:RSP-SPY"]
    assert trend_b.value + trend_n.value <= 1.0 + 1e-12
    assert any(
        "narrow leadership" in n for n in narrow_and_broad["narrow"]["2026-01-16"].pillars["breadth"].notes
    )


# ------------------------------------------------------------------------- structure, any part


def test_required_part_return_hand_worked() -> None:
    w = {"semis": 0.10, "tech": 0.30}
    # (0.10 - 0.30 * 0.05 - 0.60 * 0.02) / 0.10 = 0.73
    assert required_part_return(0.10, w, {"tech": 0.05, "rest": 0.02}, "semis") == pytest.approx(0.73)
    assert required_part_return(0.10, w, {"semis": 0.0, "tech": 0.0}) == pytest.approx(
        required_return(0.10, w, {"semis": 0.0, "tech": 0.0})
    )
    # solving for any part reproduces the target
    r = {"semis": 0.4, "tech": -0.05, "rest": 0.08}
    target = sum(r[k] * wk for k, wk in {**w, "rest": 0.6}.items())
    for part in r:
        assert required_part_return(
            target, w, {k: v for k, v in r.items() if k != part}, part
        ) == pytest.approx(r[part])
    with pytest.raises(ValueError, match="cannot solve for"):
        required_part_return(0.1, w, {}, "energy")
    with pytest.raises(ValueError, match="no return given"):
        required_part_return(0.1, w, {"tech": 0.0}, "semis")


def test_structure_solved_for_a_group(shared_data: Path) -> None:
    th = load_theme("small-cap-rotation")
    assert th.structure is not None
    name = th.structure.groups[0].name  # "Technology + Communication Services", 44% of the index
    st = th.structure
    try:
        st = dataclasses.replace(st, solve_for=name)  # type: ignore[call-arg]
    except TypeError:
        object.__setattr__(st, "solve_for", name)
    th = dataclasses.replace(th, structure=st)
    r = hypecheck.check(th, data=shared_data, as_of="2026-01-16", calibrate=False)
    e = next(x for x in r.evidence if x.pillar == "structure")
    assert e.id == f"required-return:{name}"
    need = 0.10 / 0.44  # the rest of the index flat: the group must return 22.7%
    years = pd.concat({t: calendar_years(close(shared_data, t), 2025) for t in ("XLK", "XLC")}, axis=1).mean(
        axis=1, skipna=True
    )
    expected = 100 * ((years < need).sum() + 0.5 * (years == need).sum()) / len(years)
    assert e.value == pytest.approx(expected)
    hi, lo = 80, 50
    assert e.leaning == ("viral" if expected >= hi else "catalyst" if expected < lo else "neutral")
    met = int((years >= need).sum())
    assert f"{name} must return {need * 100:+.1f}%" in e.finding
    assert f"in {met} of {len(years)} calendar years" in e.finding
    scen = r.to_dict()["tables"]["structure.scenarios"]
    assert [round(x["others_return"], 2) for x in scen[:3]] == [-0.10, 0.0, 0.10]
    for x in scen[:3]:
        assert x["required_return"] == pytest.approx((0.10 - 0.56 * x["others_return"]) / 0.44)
    assert np.isfinite(scen[-1]["required_return"])  # the others at their YTD pace
