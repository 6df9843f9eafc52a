"""The lab's disk memo of slow fits (lab/memo.py): a hit gives exactly what the fit gives, any change
of an input is a miss, a damaged file is a miss."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

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


# --- eviction: a size budget, least recently used first, never failing a run ---------------------

CODE = "c0de" * 3  # a code tag (12 hex digits)


def _key(i: int, code: str = CODE) -> str:
    return f"{i:032x}-{code}"


def _names(cache: Path) -> set[str]:
    return {p.name for p in cache.glob("*.npz")}


@pytest.fixture
def fresh(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The memo folder, with this process's tally of it forgotten and no budget from the caller's
    environment."""
    monkeypatch.setattr(memo, "_usage", {})
    monkeypatch.delenv(memo.ENV_MAX_MB, raising=False)
    return cache


def _write(n: int, cache: Path) -> int:
    """Write memo files 0..n-1 of equal size, file i last used at 1000 + i; their size."""
    for i in range(n):
        memo.save("x", _key(i), a=np.arange(2000, dtype="float64") + i)
        os.utime(cache / f"x-{_key(i)}.npz", (1000 + i, 1000 + i))
    sizes = {(cache / f"x-{_key(i)}.npz").stat().st_size for i in range(n)}
    assert len(sizes) == 1
    return sizes.pop()


def test_over_budget_the_least_recently_used_files_go_first(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = _write(4, fresh)  # 0 oldest ... 3 newest
    (fresh / "panel.parquet").write_bytes(b"p" * 10 * size)  # not a memo file: never counted nor removed
    (fresh / "notes.npz").write_bytes(b"n" * 10 * size)
    assert memo.load("x", _key(0)) is not None  # used now: the most recently used of the four
    monkeypatch.setenv(memo.ENV_MAX_MB, str(3.5 * size / 1e6))  # room for three
    memo.save("x", _key(4), a=np.arange(2000, dtype="float64") + 4)
    assert _names(fresh) == {f"x-{_key(i)}.npz" for i in (0, 3, 4)} | {"notes.npz"}
    assert (fresh / "panel.parquet").is_file()
    got = memo.load("x", _key(4))
    assert got is not None and np.array_equal(got["a"], np.arange(2000.0) + 4)
    assert memo.load("x", _key(1)) is None  # evicted: a miss


def test_the_module_budget_applies_without_the_variable(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size = _write(5, fresh)
    monkeypatch.setattr(memo, "MAX_BYTES", 2 * size)
    monkeypatch.setattr(memo, "_usage", {})
    memo.save("x", _key(5), a=np.arange(2000, dtype="float64") + 5)
    assert _names(fresh) == {f"x-{_key(4)}.npz", f"x-{_key(5)}.npz"}


def test_a_process_keeps_the_budget_across_its_writes_listing_the_folder_once(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = _write(1, fresh)
    monkeypatch.setenv(memo.ENV_MAX_MB, str(3.5 * size / 1e6))
    listed: list[Path] = []
    real = memo.evict

    def counted(cdir: Path, budget: int) -> int:
        listed.append(cdir)
        return real(cdir, budget)

    monkeypatch.setattr(memo, "evict", counted)
    memo._usage.clear()
    for i in range(1, 3):  # within budget: the folder is swept at the first write only
        memo.save("x", _key(i), a=np.arange(2000, dtype="float64") + i)
        os.utime(fresh / f"x-{_key(i)}.npz", (1000 + i, 1000 + i))
    assert len(listed) == 1 and len(_names(fresh)) == 3
    for i in range(3, 6):  # over it: swept again, the oldest go
        memo.save("x", _key(i), a=np.arange(2000, dtype="float64") + i)
        os.utime(fresh / f"x-{_key(i)}.npz", (1000 + i, 1000 + i))
    assert _names(fresh) == {f"x-{_key(i)}.npz" for i in (3, 4, 5)}


def test_a_read_touches_its_file_and_warm_reads_never_list_the_folder(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo.save("x", _key(1), a=np.arange(3.0))
    path = fresh / f"x-{_key(1)}.npz"
    os.utime(path, (1000, 1000))
    listed: list[Any] = []
    real = os.scandir

    def counted(*a: Any) -> Any:
        listed.append(a)
        return real(*a)

    monkeypatch.setattr(os, "scandir", counted)
    for _ in range(3):
        got = memo.load("x", _key(1))
        assert got is not None and np.array_equal(got["a"], np.arange(3.0))
    assert path.stat().st_mtime > time.time() - 60  # touched: last used now
    assert memo.load("x", _key(2)) is None  # a miss does not create nor touch anything
    assert listed == []


def test_budget_zero_keeps_nothing_and_the_results_are_still_right(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(2, fresh)  # kept by an earlier run
    (fresh / "panel.parquet").write_bytes(b"p")
    monkeypatch.setenv(memo.ENV_MAX_MB, "0")
    eps, sch = _panel()
    want = M.walk_forward(eps, ("mom_12m",), 6, sch)
    for _ in range(2):
        got = R.scores(eps, ("mom_12m",), 6, sch)
        assert np.array_equal(got.p, want.p, equal_nan=True)
        assert np.array_equal(got.base, want.base, equal_nan=True)
        assert _names(fresh) == set()  # nothing written, and what was there is gone
    assert memo.load("x", _key(0)) is None
    assert (fresh / "panel.parquet").is_file()


def test_the_budget_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, want in [
        (None, memo.MAX_BYTES),
        ("", memo.MAX_BYTES),
        ("lots", memo.MAX_BYTES),
        ("inf", memo.MAX_BYTES),
        ("-inf", memo.MAX_BYTES),
        ("nan", memo.MAX_BYTES),
        ("0", 0),
        ("-5", 0),
        ("1.5", 1_500_000),
        (" 300 ", 300_000_000),
    ]:
        if raw is None:
            monkeypatch.delenv(memo.ENV_MAX_MB, raising=False)
        else:
            monkeypatch.setenv(memo.ENV_MAX_MB, raw)
        assert memo.max_bytes() == want, raw
    assert memo.MAX_BYTES == 200 * 10**6


def test_a_new_code_version_replaces_the_files_of_its_slot(fresh: Path) -> None:
    old, new = "a" * 12, "b" * 12
    memo.save("x", _key(1, old), a=np.arange(3.0))
    memo.save("x", _key(2, old), a=np.arange(3.0))  # another slot: kept (the budget handles it)
    memo.save("y", _key(1, old), a=np.arange(3.0))  # another kind: kept
    memo.save("x", _key(1, new), a=np.arange(4.0))
    assert _names(fresh) == {f"x-{_key(1, new)}.npz", f"x-{_key(2, old)}.npz", f"y-{_key(1, old)}.npz"}
    key = memo.digest("x", pd.DataFrame({"a": [1.0]}), ["a"])
    assert re.fullmatch(r"[0-9a-f]{32}-[0-9a-f]{12}", key)  # <inputs>-<code>


def test_leftover_temporary_files_are_removed_but_not_ones_being_written(fresh: Path) -> None:
    dead = fresh / f"x-{_key(7)}.tmp123.npz"
    live = fresh / f"x-{_key(8)}.tmp456.npz"
    dead.write_bytes(b"half")
    live.write_bytes(b"half")
    os.utime(dead, (1000, 1000))
    memo.save("x", _key(1), a=np.arange(3.0))
    assert not dead.exists() and live.exists()


def test_an_unwritable_cache_never_fails_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    monkeypatch.setenv("HYPECHECK_CACHE", str(blocker / "lab"))  # cannot be created
    monkeypatch.setattr(memo, "_usage", {})
    memo.save("x", _key(1), a=np.arange(3.0))
    assert memo.load("x", _key(1)) is None
    assert memo.evict(blocker / "lab", 0) == 0
    monkeypatch.setenv("HYPECHECK_CACHE", str(blocker))  # a file, not a folder
    memo.save("x", _key(1), a=np.arange(3.0))
    assert memo.load("x", _key(1)) is None


def test_files_that_cannot_be_removed_are_left_without_an_error(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = _write(3, fresh)

    def refuse(path: Any, *a: Any, **k: Any) -> None:
        raise PermissionError(13, "read-only", str(path))

    monkeypatch.setattr(os, "unlink", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    monkeypatch.setenv(memo.ENV_MAX_MB, str(size / 1e6))
    memo.save("x", _key(3), a=np.arange(3.0))  # over budget, nothing can go
    memo.save("x", _key(1, "d" * 12), a=np.arange(3.0))  # another version of a slot: cannot go either
    assert len(_names(fresh)) == 5
    got = memo.load("x", _key(3))
    assert got is not None and np.array_equal(got["a"], np.arange(3.0))


def test_files_vanishing_during_eviction_or_a_read(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process evicting the same folder: a file listed then gone (before its size is read,
    or before this process removes it) is no error, and a file removed while it is read is a miss."""
    size = _write(4, fresh)
    real_scandir, real_unlink = os.scandir, os.unlink

    class Listing:  # the folder as listed, then file 0 removed by "another process"
        def __init__(self, path: Any) -> None:
            self.entries = list(real_scandir(path))
            (fresh / f"x-{_key(0)}.npz").unlink(missing_ok=True)

        def __enter__(self) -> list[os.DirEntry[str]]:
            return self.entries

        def __exit__(self, *exc: object) -> None:
            pass

    def race(path: Any, *a: Any, **k: Any) -> None:  # the other process removes it first
        if Path(path).exists():
            real_unlink(path)
        real_unlink(path)

    monkeypatch.setattr(os, "scandir", Listing)
    monkeypatch.setattr(os, "unlink", race)
    assert memo.evict(fresh, int(1.5 * size)) == size
    monkeypatch.setattr(os, "scandir", real_scandir)
    assert _names(fresh) == {f"x-{_key(3)}.npz"}
    monkeypatch.setenv(memo.ENV_MAX_MB, str(1.5 * size / 1e6))
    memo.save("x", _key(4), a=np.arange(2000, dtype="float64") + 4)  # evicts 3 through the race
    assert _names(fresh) == {f"x-{_key(4)}.npz"}
    monkeypatch.setattr(os, "unlink", real_unlink)

    real_load = np.load

    def load_gone(path: Any, *a: Any, **k: Any) -> Any:
        real_unlink(path)
        return real_load(path, *a, **k)

    monkeypatch.setattr(np, "load", load_gone)
    assert memo.load("x", _key(4)) is None
