"""Two Trends windows of one term are stitched onto one scale by the median ratio over their overlap
and rescaled to a maximum of 100. A check as of a date inside the overlap must use only the periods
known then: later periods of the second window (a higher peak, a different overlap ratio) must not
change any value the check sees. The catalog keeps the inputs and the panel re-merges them cut at
the as-of date. (A Trends export is itself scaled to its own window's peak, so a file pulled after
the as-of date carries that date's scale; only its periods after the date vary here.)"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hypecheck.panel import build_panel
from hypecheck.schema import Catalog, SeriesData, SeriesMeta
from hypecheck.theme import parse_theme

THEME = parse_theme(
    {
        "id": "t",
        "title": "t",
        "question": "q",
        "attention": {"terms": ["gold price"]},
    }
)
AS_OF = pd.Timestamp("2022-07-02")  # a Saturday: the week starting 2022-06-26 has ended


def _windows(later_scale: float) -> Catalog:
    rng = np.random.default_rng(4)
    weeks = pd.date_range("2020-01-05", "2025-06-29", freq="W-SUN")  # Trends weeks start on Sunday
    level = 40 + 10 * np.sin(np.arange(len(weeks)) / 9) + rng.normal(0, 2, len(weeks))
    w1 = weeks[(weeks >= "2020-01-05") & (weeks <= "2022-12-25")]
    w2 = weeks[weeks >= "2022-01-02"]
    s1 = pd.Series(np.round(level[: len(w1)] * 100 / level[: len(w1)].max()), index=w1)
    v2 = level[len(weeks) - len(w2) :]
    s2 = pd.Series(np.round(v2 * 100 / v2.max()), index=w2)
    after = s2.index > AS_OF  # what the second window shows after the as-of date: a higher peak and a
    s2[after] = np.minimum(100.0, np.round(s2[after] * later_scale))  # different overlap with the first
    cat = Catalog(source="files")
    for k, s in enumerate((s1, s2)):
        meta = SeriesMeta(id="gold price", kind="search", source="files", origin=f"w{k}.csv", frequency="W")
        cat.add(SeriesData(meta, s))
    return cat


def test_a_stitched_term_as_of_a_date_in_the_overlap_ignores_later_periods() -> None:
    base = build_panel(THEME, _windows(1.0), AS_OF, "files").search["gold price"][0]
    moved = build_panel(THEME, _windows(3.0), AS_OF, "files").search["gold price"][0]
    assert base.values.index[-1] == pd.Timestamp("2022-06-26")
    assert len(base.values) > 100
    assert base.values.equals(moved.values)
    assert base.meta.notes == moved.meta.notes
    # the full-sample merge the catalog holds does change: that is what the panel must not show
    full_a = _windows(1.0).get("search", "gold price").values.loc[:AS_OF]
    full_b = _windows(3.0).get("search", "gold price").values.loc[:AS_OF]
    assert not full_a.equals(full_b)


def test_the_panel_merge_equals_a_merge_of_the_cut_files() -> None:
    """Independent computation: stitch the two windows cut at the as-of date by hand (median ratio
    over the positive overlap, later window's values from its start, rescaled to a maximum of 100)."""
    cat = _windows(3.0)
    got = build_panel(THEME, cat, AS_OF, "files").search["gold price"][0].values
    w1, w2 = (p.values.loc[p.values.index <= AS_OF] for p in cat.inputs("search", "gold price", "W"))
    both = w1.index.intersection(w2.index)
    both = both[(w1[both] > 0).to_numpy() & (w2[both] > 0).to_numpy()]
    ratio = float(np.median((w1[both] / w2[both]).to_numpy()))
    chain = pd.concat([w1.loc[w1.index < w2.index[0]], w2 * ratio])
    want = 100.0 * chain / chain.max()
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-9)
    assert got.index.equals(want.index)
