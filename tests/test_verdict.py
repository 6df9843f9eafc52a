"""The verdict's arithmetic on hand-built pillars."""

from __future__ import annotations

import pytest

from hypecheck.evidence import Evidence, MissingEvidence, PillarResult
from hypecheck.rules import load_rules
from hypecheck.verdict import decide

RULES = load_rules()


def ev(pillar: str, i: int, leaning: str, weight: float = 1.0, cited: bool = False) -> Evidence:
    return Evidence(
        pillar=pillar,
        id=f"{pillar}{i}",
        claim="c",
        value=1.0,
        threshold=0.0,
        leaning=leaning,  # type: ignore[arg-type]
        flip=f"flip {pillar}{i}",
        source="test",
        weight=weight,
        cited=cited,
    )


def test_weighted_mean_and_label() -> None:
    pillars = {
        "price": PillarResult("price", [ev("price", 1, "catalyst"), ev("price", 2, "catalyst")]),
        "breadth": PillarResult("breadth", [ev("breadth", 1, "viral")]),
        "catalysts": PillarResult(
            "catalysts", [ev("catalysts", 1, "catalyst"), ev("catalysts", 2, "neutral")]
        ),
    }
    v = decide(pillars, RULES)
    # price +1 (w 1.5), breadth -1 (w 1.0), catalysts +0.5 (w 1.0): (1.5 - 1 + 0.5) / 3.5
    assert v.score == pytest.approx(1.0 / 3.5)
    assert v.label == "real catalyst"
    assert v.measured_pillars == 3


def test_missing_pillar_is_not_zero() -> None:
    base = {
        "price": PillarResult("price", [ev("price", 1, "catalyst")]),
        "breadth": PillarResult("breadth", [ev("breadth", 1, "catalyst")]),
    }
    with_missing = dict(
        base, attention=PillarResult("attention", [], [MissingEvidence("attention", "x", "r", "f")])
    )
    assert decide(base, RULES).score == decide(with_missing, RULES).score == pytest.approx(1.0)
    assert with_missing["attention"].status == "missing"


def test_insufficient_data_when_only_one_measured_pillar() -> None:
    pillars = {
        "price": PillarResult("price", [ev("price", 1, "viral")]),
        "fundamentals": PillarResult("fundamentals", [ev("fundamentals", 1, "viral", 0.5, cited=True)]),
    }
    v = decide(pillars, RULES)
    assert v.label == "insufficient data" and "at least 2 pillars" in v.flip


def test_flip_names_the_deciding_item() -> None:
    pillars = {
        "price": PillarResult("price", [ev("price", 1, "viral"), ev("price", 2, "viral")]),
        "breadth": PillarResult("breadth", [ev("breadth", 1, "viral")]),
        "catalysts": PillarResult("catalysts", [ev("catalysts", 1, "catalyst")]),
    }
    v = decide(pillars, RULES)
    # (1.5*-1 - 1 + 1) / 3.5 = -0.4286 -> viral; reversing breadth1 gives (-1.5 + 1 + 1)/3.5 = +0.14 -> mixed
    assert v.label == "viral sentiment"
    assert any(item.startswith("breadth1:") for item in v.flip_items)
    assert not any(item.startswith("catalysts1") for item in v.flip_items)  # already pointing the other way
