"""News attention (GDELT news volume) stands in for search interest where search data is missing.

The invariant: the attention pillar measures a news series with the same spike, noise and persistence
rules as a search series, so the same numbers read as news give the same value, leaning and detail;
only the wording ("news volume") and the source note differ. And ``fetch`` brings news volume only for
a term whose search interest it could not bring in and does not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hypecheck.errors import RateLimitedError
from hypecheck.schema import SeriesData, SeriesMeta


def _as_news(s: SeriesData) -> SeriesData:
    meta = dataclasses.replace(s.meta, kind="news", source="gdelt", origin="GDELT DOC API (test)")
    return SeriesData(meta, s.values, s.flags, s.pulls)


@pytest.mark.shared
def test_news_is_measured_like_search(shared_data: Path) -> None:
    from hypecheck.data.catalog import load_catalog
    from hypecheck.panel import build_panel
    from hypecheck.pillars import attention
    from hypecheck.rules import load_rules
    from hypecheck.theme import load_theme

    theme = load_theme("small-cap-rotation")
    cat = load_catalog(shared_data)
    panel = build_panel(theme, cat, "2026-01-16", "files")
    rules = load_rules()
    term = next(t for t in theme.terms if t in panel.search)
    as_search = attention.measure(panel, rules)
    ev_search = next(e for e in as_search.evidence if e.id == f"attention:{term}")

    news_panel = dataclasses.replace(panel, search=dict(panel.search), news={})
    news_panel.news[term] = [_as_news(s) for s in news_panel.search.pop(term)]
    as_news = attention.measure(news_panel, rules)
    ev_news = next(e for e in as_news.evidence if e.id == f"attention:{term}")

    assert (ev_news.value, ev_news.leaning, ev_news.detail, ev_news.threshold) == (
        ev_search.value,
        ev_search.leaning,
        ev_search.detail,
        ev_search.threshold,
    )
    assert "news volume in" in ev_news.finding and "search interest in" in ev_search.finding
    assert ev_news.finding.replace("news volume in", "search interest in") == ev_search.finding
    assert "GDELT" in ev_news.source and "GDELT" not in ev_search.source
    row = next(r for r in as_news.tables["terms"] if r["term"] == term)
    assert row["attention"] == "news"
    assert any("news attention" in n and term in n for n in as_news.notes)


def test_panel_takes_news_only_where_search_is_missing() -> None:
    from hypecheck.panel import build_panel
    from hypecheck.schema import Catalog
    from hypecheck.theme import parse_theme

    idx = pd.date_range("2025-06-01", "2026-01-15", freq="D")
    vals = pd.Series(range(len(idx)), index=idx, dtype="float64")
    cat = Catalog(source="files")
    for term, kind in (("alpha", "news"), ("beta", "news"), ("beta", "search")):
        meta = SeriesMeta(id=term, kind=kind, source="t", origin="t", frequency="D")
        cat.add(SeriesData(meta, vals))
    theme = parse_theme(
        {
            "id": "t",
            "title": "t",
            "question": "q",
            "attention": {"terms": ["alpha", "beta", "gamma"]},
            "price": {"benchmarks": ["BBB"], "pairs": [{"leader": "AAA", "laggard": "BBB"}]},
        }
    )
    panel = build_panel(theme, cat, "2026-01-16", "files")
    assert set(panel.search) == {"beta"} and set(panel.news) == {"alpha"}
    assert panel.news["alpha"][0].values.index[-1] == pd.Timestamp("2026-01-15")
    assert "gamma" not in panel.news and ("search", "gamma") in panel.missing


class _Stub:
    def __init__(self, kind: str, fail: bool = False) -> None:
        self.kind, self.fail, self.asked = kind, fail, []  # type: ignore[var-annotated]

    def query(self, id: str, start: Any = None, end: Any = None, **opts: Any) -> Any:
        from hypecheck.data.connectors.base import Query

        assert "fallback_for" not in opts  # the plan's marker never reaches a connector
        self.asked.append(id)
        return Query(self.kind, self.kind, id, "https://example.invalid/")

    def fetch(self, q: Any) -> Any:
        from hypecheck.data.connectors.base import Raw

        if self.fail:
            raise RateLimitedError("Google Trends answered 429 (rate limited) after 3 attempts")
        return Raw(q, 200, b"", dt.datetime(2026, 1, 1))

    def standardize(self, raw: Any) -> list[SeriesData]:
        idx = pd.date_range("2026-01-01", periods=5, freq="D")
        meta = SeriesMeta(id=raw.query.id, kind=self.kind, source="stub", origin="stub", frequency="D")  # type: ignore[arg-type]
        return [SeriesData(meta, pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=idx))]


def _theme(tmp_path: Path) -> Any:
    import hypecheck

    f = tmp_path / "t.toml"
    f.write_text('id = "t"\ntitle = "t"\nquestion = "q"\n[attention]\nterms = ["small caps", "value"]\n')
    return hypecheck.load_theme(f)


def test_fetch_brings_news_where_trends_failed(tmp_path: Path) -> None:
    from hypecheck.fetch import fetch_theme, not_fetched
    from hypecheck.store import Store

    store = Store(tmp_path / "s.duckdb")
    news = _Stub("news")
    items = fetch_theme(
        _theme(tmp_path), store, providers={"trends": _Stub("search", fail=True), "gdelt": news}
    )
    got = {(i.kind, i.id): i.status for i in items}
    assert got == {
        ("search", "small caps"): "failed",
        ("search", "value"): "failed",
        ("news", "small caps"): "fetched",
        ("news", "value"): "fetched",
    }
    assert sorted(news.asked) == ["small caps", "value"]
    assert store.read("news", "small caps").tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert {(i.kind, i.id) for i in not_fetched(items)} == {("search", "small caps"), ("search", "value")}
    # the store now hands the news series to a check as kind "news"
    assert store.catalog().has("news", "small caps")


def test_fetch_skips_news_where_search_is_fetched_or_stored(tmp_path: Path) -> None:
    from hypecheck.fetch import fetch_theme
    from hypecheck.store import Store

    store = Store(tmp_path / "s.duckdb")
    news = _Stub("news")
    items = fetch_theme(_theme(tmp_path), store, providers={"trends": _Stub("search"), "gdelt": news})
    assert {(i.kind, i.id): i.status for i in items if i.kind == "news"} == {
        ("news", "small caps"): "skipped",
        ("news", "value"): "skipped",
    }
    assert all("fetched in this run" in i.reason for i in items if i.kind == "news")
    assert news.asked == []
    # next run: Trends fails, but the store holds search data for both terms: still no news fetch
    later = fetch_theme(
        _theme(tmp_path),
        store,
        providers={"trends": _Stub("search", fail=True), "gdelt": news},
        max_age=dt.timedelta(0),
    )
    assert all(i.status == "skipped" and "in the store" in i.reason for i in later if i.kind == "news")
    assert news.asked == []
