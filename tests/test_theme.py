"""Theme loading and validation: every built-in loads; bad themes fail with every problem named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hypecheck.errors import ThemeError
from hypecheck.theme import builtin_theme_names, load_theme, parse_theme

FLAGSHIP = Path(__file__).resolve().parents[1] / "src" / "hypecheck" / "themes" / "small-cap-rotation.toml"


def flagship_dict() -> dict:
    return tomllib.loads(FLAGSHIP.read_text("utf-8"))


def test_builtins_load() -> None:
    names = builtin_theme_names()
    assert {"small-cap-rotation", "value-vs-growth", "equal-weight-breadth"} <= set(names)
    for n in names:
        t = load_theme(n)
        assert t.id == n and t.question and (t.pairs or t.terms)


def test_flagship_content() -> None:
    t = load_theme("small-cap-rotation")
    assert [(p.leader, p.laggard) for p in t.pairs][:1] == [("IWM", "SPY")]
    assert {"IWM", "IWN", "IWO", "SPY", "IVE", "IVW", "IWB", "RSP", "XLK"} <= set(t.tickers())
    assert {m.id for m in t.macro} >= {"FEDFUNDS", "DGS2", "DGS10", "T10Y2Y"}
    assert any(str(e.date) == "2025-07-04" for e in t.events)
    assert t.structure is not None and t.structure.target == 0.10
    assert {f.value for f in t.facts if f.value is not None} >= {0.53, 0.40}
    assert "bundled" in t.mappings and t.mappings["bundled"].series["IWM"] == "ff:S1V3"


def _problems(data: dict) -> str:
    with pytest.raises(ThemeError) as exc:
        parse_theme(data, where="test.toml")
    return str(exc.value)


def test_unknown_key_suggests() -> None:
    d = flagship_dict()
    d["price"]["pairz"] = []
    msg = _problems(d)
    assert "unknown key 'pairz'" in msg and "did you mean 'pairs'" in msg


def test_all_problems_reported_at_once() -> None:
    d = flagship_dict()
    d["price"]["pairs"][0]["leader"] = "АAPL"  # Cyrillic А: rejected by the ASCII allowlist
    d["structure"]["groups"][0]["weight"] = 1.5
    d["events"]["dated"][0]["date"] = "04/07/2025"
    d["macro"][0]["needs"] = "sideways"
    msg = _problems(d)
    assert "5 problems" in msg and "weights sum to" in msg  # the 1.5 weight also breaks the sum
    assert "price.pairs[0].leader" in msg and "not a valid ticker" in msg
    assert "structure.groups[0].weight" in msg
    assert "events.dated[0].date" in msg and "YYYY-MM-DD" in msg
    assert "macro[0].needs" in msg and "sideways" in msg


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.pop("question"), "missing required key 'question'"),
        (lambda d: d.update(id="Bad Id!"), "must be lowercase"),
        (lambda d: d["attention"].update(terms=["x" * 101]), "at most 100"),
        (lambda d: d["attention"].update(terms=["a", "a"]), "duplicate term"),
        (lambda d: d["price"].update(windows=["5Q"]), "is not a window"),
        (lambda d: d["price"]["pairs"][0].update(laggard="IWM"), "the same series"),
        (lambda d: d["structure"]["groups"].append({"name": "x", "weight": 0.9}), "leave a rest"),
        (lambda d: d["facts"][0].update(leaning="bullish"), "must be one of catalyst"),
        (
            lambda d: d["price"].update(pairs=[{"leader": "../../etc/passwd", "laggard": "SPY"}]),
            "not a valid ticker",
        ),
        (
            lambda d: d["price"].update(pairs=[{"leader": "x'; DROP TABLE prices; --", "laggard": "SPY"}]),
            "not a valid ticker",
        ),
    ],
)
def test_validation_errors(mutate, needle: str) -> None:
    d = flagship_dict()
    mutate(d)
    assert needle in _problems(d)


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = "unterminated', encoding="utf-8")
    with pytest.raises(ThemeError, match="not valid TOML"):
        load_theme(bad)
    latin = tmp_path / "latin.toml"
    latin.write_bytes('title = "Soci\xe9t\xe9"'.encode("latin-1"))
    with pytest.raises(ThemeError, match="not UTF-8"):
        load_theme(latin)
    with pytest.raises(ThemeError, match="does not exist"):
        load_theme(tmp_path / "nope.toml")
    with pytest.raises(ThemeError, match="did you mean 'value-vs-growth'"):
        load_theme("value-vs-growht")


def test_unicode_and_markup_terms_are_data() -> None:
    d = flagship_dict()
    d["attention"]["terms"] = ["Société Générale", "日本株", "🚀 stocks", "<script>alert(1)</script>"]
    d["triggers"][0]["params"]["terms"] = ["日本株"]  # a trigger reads only the theme's own terms
    t = parse_theme(d)
    assert t.terms[1] == "日本株" and t.terms[3] == "<script>alert(1)</script>"


# --- the declared schema and [release] ------------------------------------------------------------


def test_release_lags_are_read_per_series() -> None:
    d = flagship_dict()
    d["release"] = {"ICSA": 5, "CPIAUCSL": 14, "DGS10": 0}
    assert parse_theme(d, where="test.toml").release_lags == {"ICSA": 5, "CPIAUCSL": 14, "DGS10": 0}
    assert load_theme("small-cap-rotation").release_lags == {}  # no [release]: no override


def test_bad_release_lags_are_each_named_with_their_path() -> None:
    d = flagship_dict()
    d["release"] = {"ICSA": -1, "CPIAUCSL": 401, "GDP": 30.5, "PAYEMS": True, "bad id!": 3, "UNRATE": 400}
    msg = _problems(d)
    assert "5 problems" in msg  # UNRATE = 400 is the largest lag allowed
    for sid, got in (("ICSA", "-1"), ("CPIAUCSL", "401"), ("GDP", "30.5"), ("PAYEMS", "True")):
        assert f"release.{sid}: must be a whole number of days from 0 to 400" in msg and f"got {got}" in msg
    assert "release.bad id!: 'bad id!' is not a valid ticker/series id" in msg
    d["release"] = [5]
    assert "release: must be a table SERIES_ID = days" in _problems(d)


def test_every_key_the_themes_use_is_declared_with_a_meaning() -> None:
    """The schema declares each table's keys (type, default, bounds, meaning); the built-in themes use
    only declared keys, and every declared whole number has its bounds and unit."""
    from hypecheck.theme import SCHEMA

    for table, fields in SCHEMA.items():
        for key, f in fields.items():
            assert f.doc and f.type in {"text", "number", "whole", "date", "id", "list", "table", "choice"}, (
                table,
                key,
            )
            if f.type == "whole":
                assert f.lo is not None and f.unit, (table, key)
            if f.type == "choice":
                assert f.choices and (f.default is None or f.default in f.choices), (table, key)
    d = flagship_dict()
    assert set(d) <= set(SCHEMA[""])
    for table in ("attention", "price", "breadth", "structure"):
        assert set(d[table]) <= set(SCHEMA[table]), table


@pytest.mark.parametrize(
    ("table", "key", "value", "needle"),
    [
        ("history", "weeks", 27, "history.weeks: must be a whole number of weeks from 1 to 26"),
        ("history", "lookback", 19, "history.lookback: must be a whole number of observations, at least 20"),
    ],
)
def test_whole_number_bounds_come_from_the_schema(table: str, key: str, value: int, needle: str) -> None:
    from hypecheck.theme import SCHEMA

    d = flagship_dict()
    d[table] = {key: value}
    assert needle in _problems(d)
    spec = SCHEMA[table][key]
    d[table] = {key: spec.lo}
    assert getattr(parse_theme(d).history, key) == spec.lo  # the bound itself is allowed
