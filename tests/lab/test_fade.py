"""The fade test (lab/fade.py) and the signature (signature.py): its false-alarm rate on simulated
random walks, its labels on hand-built pairs, and, on the shared data, the seven checks of issue 21
and a theme's own evidence moving the signature."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_null import garch_paths

from hypecheck.lab import fade as FD
from hypecheck.lab import features as F
from hypecheck.lab import null as N

WARM, AGE = 400, 24


def _birth_then(r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sig = np.array([N.conditional_sigma(x[:WARM], N.LAMBDA["daily"])[-1] for x in r])
    mv = r[:, WARM - 15 : WARM].sum(axis=1)
    d = np.sign(mv)
    return mv * d, sig, r[:, WARM : WARM + AGE].sum(axis=1) * d


def test_fade_test_flags_5_percent_of_random_walks() -> None:
    """At the 5% level, 5% +- 1% of 10,000 simulated random walks (GARCH, t innovations) are flagged,
    the tails fitted on 10,000 earlier walks' one-month outcomes (as the check fits them on past
    narratives)."""
    mv0, s0, r0 = _birth_then(garch_paths(10_000, WARM + 21, seed=11))
    tr = r0  # 24-day outcomes of the training walks
    tails = N.fit_tails(tr / (s0 * math.sqrt(AGE)))
    mv, sig, r = _birth_then(garch_paths(10_000, WARM + AGE, seed=12))
    _, p, _ = FD.fade_statistic(mv, r, sig, AGE, tails)
    share = float((p < FD.LEVEL).mean())
    assert abs(share - 0.05) <= 0.01, share
    del mv0


def _pair(after: np.ndarray, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    """A quiet pair for 300 days, a one-day jump of the first side (the birth), then ``after`` (daily
    log relative returns)."""
    rng = np.random.default_rng(seed)
    quiet = rng.normal(0, 0.004, 300)
    move = np.r_[np.zeros(14), 0.09]
    rel = np.concatenate([quiet, move, after])
    idx = pd.bdate_range("2020-01-01", periods=len(rel) + 1)
    b = pd.Series(100.0 * np.exp(np.cumsum(np.r_[0, rng.normal(0, 0.005, len(rel))])), index=idx)
    a = b * np.exp(np.cumsum(np.r_[0, rel]))
    return a, b


@pytest.mark.parametrize(
    ("after", "label"),
    [
        (np.full(20, -0.012), "fading faster than noise"),  # given back 2.7 times over in 4 weeks
        (np.zeros(20), "holding"),
        (np.zeros(2), "too young to tell"),
    ],
)
def test_fade_labels_on_hand_built_pairs(after: np.ndarray, label: str) -> None:
    a, b = _pair(after)
    f = FD.fade_test(a, b, "A", "B", F.DAILY, N.Tails(), a.index[-1])
    assert f.label == label
    assert f.birth is not None and f.sharpness >= 2
    if label != "too young to tell":
        rs = np.log(a / b).to_numpy()
        row = a.index.get_loc(f.birth)
        assert f.age == len(rs) - 1 - row
        assert f.move == pytest.approx(rs[row] - rs[row - 15], abs=1e-12)
        z = (rs[-1] - rs[row]) / (f.sigma * math.sqrt(f.age))
        assert f.z == pytest.approx(z, abs=1e-12) and f.p_value == pytest.approx(N.Tails().cdf(z), abs=1e-12)
        assert f.label in f.sentence()


def test_no_birth_is_said() -> None:
    rng = np.random.default_rng(1)
    idx = pd.bdate_range("2020-01-01", periods=400)
    a = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.001, 400))), index=idx)
    f = FD.fade_test(a, a * 1.0001, "A", "B", F.DAILY, N.Tails(), idx[-1])
    assert f.label == "no narrative born" and "no narrative born" in f.sentence()


# ------------------------------------------------------------------------------------ shared data
SEVEN = [
    ("GLD", "SPY", "2025-10-31"),
    ("GLD", "SPY", "2026-03-13"),
    ("SMH", "RSP", "2024-07-10"),
    ("SMH", "RSP", "2025-04-15"),
    ("XLP", "XLK", "2022-03-31"),
    ("XLP", "XLK", "2025-04-10"),
]


@pytest.mark.shared
@pytest.mark.slow
def test_seven_checks_start_with_the_finding(shared_data: Path, tmp_path: Path) -> None:
    """Gold vs SPY, chips vs equal weight, defensives vs tech at two dates each, and the flagship:
    the headlines start with the finding (never "NO SKILL SHOWN") and the labels differ."""
    import hypecheck
    from hypecheck.api import load_catalog
    from hypecheck.scan.themegen import theme_toml

    cat = load_catalog(shared_data)
    labels = []
    for leader, laggard, d in SEVEN:
        p = tmp_path / f"{leader}-{laggard}-{d}.toml"
        p.write_text(theme_toml(cat, leader, laggard, as_of=d), "utf-8")
        r = hypecheck.check(p, catalog=cat, source="files", as_of=d)
        h = r.verdict.headline
        assert h.startswith(f"{leader}'s lead over {laggard}"), h[:120]
        assert not h.upper().startswith("NO SKILL SHOWN")
        labels.append(r.verdict.label)
    flag = hypecheck.check("small-cap-rotation", catalog=cat, source="files", as_of="2026-01-16")
    assert flag.verdict.headline.startswith("IWM's lead over SPY")
    labels.append(flag.verdict.label)
    assert len(set(labels)) >= 2, labels
    assert set(labels) <= set(FD.LABELS)


@pytest.mark.shared
@pytest.mark.slow
def test_editing_the_theme_evidence_changes_the_signature(shared_data: Path, tmp_path: Path) -> None:
    import hypecheck
    from hypecheck.api import load_catalog

    cat = load_catalog(shared_data)
    from importlib import resources

    src = (resources.files("hypecheck") / "themes" / "small-cap-rotation.toml").read_text("utf-8")
    base = hypecheck.check("small-cap-rotation", catalog=cat, source="files", as_of="2026-01-16")
    sig = base.to_dict()["verdict"]["signature"]
    narrow = tmp_path / "narrow.toml"
    narrow.write_text(src.replace('leadership = "broad"', 'leadership = "narrow"'), "utf-8")
    n = hypecheck.check(narrow, catalog=cat, source="files", as_of="2026-01-16").to_dict()["verdict"]
    assert sig["breadth"]["as_claimed"] is True and n["signature"]["breadth"]["as_claimed"] is False
    assert n["signature"]["breadth"]["finding"] != sig["breadth"]["finding"]
    flipped = tmp_path / "macro.toml"
    flipped.write_text(
        src.replace('needs = "flat_or_down"', 'needs = "TMP"')
        .replace('needs = "flat_or_up"', 'needs = "flat_or_down"')
        .replace('needs = "TMP"', 'needs = "flat_or_up"'),
        "utf-8",
    )
    m = hypecheck.check(flipped, catalog=cat, source="files", as_of="2026-01-16").to_dict()["verdict"]
    assert m["signature"]["catalysts"] != sig["catalysts"]
    assert m["signature"]["catalysts"]["finding"] in m["headline"]
