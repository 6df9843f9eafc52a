"""The lab's disk memo of slow fits (lab/memo.py): a hit gives exactly what the fit gives, any change
of an input is a miss, a damaged file is a miss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_lab import synthetic_episodes  # the walk-forward tests' synthetic panel

from hypecheck.lab import memo
from hypecheck.lab import model as M
from hypecheck.lab import run as R
from hypecheck.lab import target as T


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HYPECHECK_CACHE", str(tmp_path))
    return tmp_path


def _panel() -> tuple[pd.DataFrame, M.Schedule]:
    eps = synthetic_episodes(5, 600, 14)
    eps["pair_base_rate"] = T.pair_base_rate(eps, 6)
    return eps, M.schedule(eps, 6, eps.attrs["data_end"])


def test_verdict_intervals_read_back_are_the_fitted_ones(cache: Path) -> None:
    eps, sch = _panel()
    fresh = M.walk_forward(eps, M.ALL_FEATURES, 6, sch, boot=20)
    first = R.verdict_scores(eps, 6, sch, 20)  # a miss: fitted and stored
    assert len(list(cache.glob("verdict-*.npz"))) == 1
    second = R.verdict_scores(eps, 6, sch, 20)  # a hit
    for sc in (first, second):
        for k in ("p", "lo", "hi", "base"):
            assert np.array_equal(getattr(sc, k), getattr(fresh, k), equal_nan=True), k
        assert np.array_equal(sc.holdout, fresh.holdout)
    assert np.isfinite(second.lo).sum() > 100  # the intervals exist (not NaN read back)
    # another outcome is another key: fitted again, not served
    other = eps.copy()
    other.loc[other.index[10], "outcome_6m"] *= -1
    R.verdict_scores(other, 6, sch, 20)
    assert len(list(cache.glob("verdict-*.npz"))) == 2


def test_scores_hit_equals_the_walk_forward_and_a_damaged_file_is_a_miss(cache: Path) -> None:
    eps, sch = _panel()
    fresh = M.walk_forward(eps, ("mom_12m",), 6, sch)
    R.scores(eps, ("mom_12m",), 6, sch)
    (path,) = cache.glob("scores-*.npz")
    hit = R.scores(eps, ("mom_12m",), 6, sch)
    assert np.array_equal(hit.p, fresh.p, equal_nan=True) and np.array_equal(
        hit.base, fresh.base, equal_nan=True
    )
    path.write_bytes(b"not a zip")
    key = path.name.removeprefix("scores-").removesuffix(".npz")
    assert memo.load("scores", key) is None
    again = R.scores(eps, ("mom_12m",), 6, sch)
    assert np.array_equal(again.p, fresh.p, equal_nan=True)
    assert memo.load("scores", key) is not None  # rewritten


def test_digest_sees_values_order_and_parameters() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [3.0, 4.0, 5.0]})
    k = memo.digest("x", df, ["a", "b"], 6)
    assert k == memo.digest("x", df.copy(), ["a", "b"], 6)
    assert k != memo.digest("x", df.assign(a=[1.0, 2.0, 0.0]), ["a", "b"], 6)
    assert k != memo.digest("x", df, ["b", "a"], 6)
    assert k != memo.digest("x", df, ["a", "b"], 12)
    assert k != memo.digest("y", df, ["a", "b"], 6)


def test_check_parts_read_back_equal_the_computed_ones(bundled_catalog, cache: Path) -> None:
    """What a calibrated check keeps beside the panel (the bootstrap fit as of a date, what narratives
    like it did) reads back equal to what it computes."""
    import math

    from hypecheck.lab import fade as FD

    hist = R.history_for(bundled_catalog, "bundled")
    as_of = pd.Timestamp("2012-06-29")
    eps = R.evaluate_at(hist, 6, as_of).episodes
    classes = np.array(["x"] * len(eps), dtype=object)
    first = FD.known_at(eps, 6, 1, as_of, None, classes)  # computed and kept
    assert len(list(cache.glob("known-*.npz"))) == 1
    again = FD.known_at(eps, 6, 1, as_of, None, classes)  # read back
    assert again.to_dict() == first.to_dict()
    assert (again.tails, again.tails_1m) == (first.tails, first.tails_1m)
    for name in ("detectable_auc", "coverage_oos", "rw_reference"):
        a, b = getattr(again, name), getattr(first, name)
        assert a == b or (math.isnan(a) and math.isnan(b)), name
    assert again.coverage_ci == first.coverage_ci and again.n_effective == first.n_effective
    # another date is another key
    FD.known_at(R.evaluate_at(hist, 6, as_of + pd.DateOffset(months=1)).episodes, 6, 1, as_of, None, classes)
    assert len(list(cache.glob("known-*.npz"))) == 2
    # the bootstrap fit as of the date
    known = T.known_by(eps, 6, as_of)
    years = pd.DatetimeIndex(eps["date"]).year.to_numpy()[known]
    y = T.persisted(eps["outcome_6m"].to_numpy()[known])
    fresh = M.fit(eps.loc[known], y, M.ALL_FEATURES, years, boot=M.BOOT_FIT)
    for f in (R._boot_fit(eps.loc[known], y, years, 6), R._boot_fit(eps.loc[known], y, years, 6)):
        assert f.features == fresh.features and f.intercept == fresh.intercept and f.n == fresh.n
        for k in ("mean", "sd", "weights", "boot"):
            assert np.array_equal(getattr(f, k), getattr(fresh, k)), k
        assert f.base_rate == fresh.base_rate
    assert len(list(cache.glob("fit-*.npz"))) == 1
