"""Evidence items, explicit gaps, and per-pillar results.

Every number the verdict uses is an :class:`Evidence`: the claim it tests (the hypothesis), the
finding (one sentence: what was measured and which way it points, ending in one of
:data:`FINDING_SUFFIX`), the measured value, the threshold, which way it leans (``catalyst`` /
``viral`` / ``neutral``), the reading that would flip it, and where the data came from. When a pillar cannot be measured it yields
:class:`MissingEvidence` with the reason and how to supply the data; a missing pillar is never
scored as zero.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from .pillar_registry import PILLARS

Leaning = Literal["catalyst", "viral", "neutral"]
Status = Literal["ok", "partial", "missing"]

FINDING_SUFFIX: dict[str, str] = {
    "catalyst": "(supports the narrative)",
    "viral": "(against the narrative)",
    "neutral": "(neutral)",
}


def finding_sentence(text: str, leaning: str) -> str:
    """``text`` as one sentence ending in the suffix for ``leaning``: ``"IWM led SPY by 6.53 pp this
    year (supports the narrative)"``. The suffix is the only place the direction word is written, so
    it always matches the item's leaning."""
    return f"{text.strip().rstrip('.;:,')} {FINDING_SUFFIX[leaning]}"


def _clean(v: Any) -> Any:
    """JSON-safe value: NaN/inf become None, numpy scalars become Python numbers."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, tuple, dict, str)):
        with contextlib.suppress(ValueError, AttributeError):
            v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@dataclass(frozen=True)
class Evidence:
    """One measured piece of evidence.

    ``claim`` is the hypothesis tested ("equal weight ahead of cap weight over YTD"); ``finding`` is
    what was found, in one sentence with units and the direction relative to the narrative ("RSP
    trailed SPY by 2.77 pp this year (against the narrative)"): readers see the finding, the claim
    is secondary. ``value`` and ``threshold`` are numbers in ``unit`` (``fraction``, ``percent
    points``, ...); ``leaning`` is what the value says given the threshold; ``weight`` scales its
    vote within its pillar; ``flip`` says in words the reading that would reverse the leaning.
    """

    pillar: str
    id: str
    claim: str
    value: float | None
    threshold: float | None
    leaning: Leaning
    flip: str
    source: str
    unit: str = ""
    weight: float = 1.0
    detail: str = ""
    cited: bool = False  # analyst-entered fact (not measured by hypecheck)
    finding: str = ""  # what was found, one sentence ending in FINDING_SUFFIX[leaning]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pillar": self.pillar,
            "id": self.id,
            "claim": self.claim,
            "finding": self.finding,
            "value": _clean(self.value),
            "threshold": _clean(self.threshold),
            "unit": self.unit,
            "leaning": self.leaning,
            "weight": self.weight,
            "flip": self.flip,
            "source": self.source,
            "detail": self.detail,
            "cited": self.cited,
        }


@dataclass(frozen=True)
class MissingEvidence:
    """A measurement that could not be made: why, and how to supply what is missing."""

    pillar: str
    id: str
    reason: str
    how_to_fix: str

    def to_dict(self) -> dict[str, Any]:
        return {"pillar": self.pillar, "id": self.id, "reason": self.reason, "how_to_fix": self.how_to_fix}


LEAN_SIGN = {"catalyst": 1.0, "viral": -1.0, "neutral": 0.0}


@dataclass
class PillarResult:
    """Everything one pillar found: evidence, gaps, its tables and chart data."""

    name: str
    evidence: list[Evidence] = field(default_factory=list)
    missing: list[MissingEvidence] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)  # chart-ready data, built from results
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        scored = [e for e in self.evidence if not e.cited]
        if not self.evidence:
            return "missing"
        if self.missing or not scored:
            return "partial"
        return "ok"

    @property
    def score(self) -> float | None:
        """Weighted mean of leanings (+1 catalyst, -1 viral, 0 neutral) in [-1, 1]; None if no evidence."""
        if not self.evidence:
            return None
        w = sum(e.weight for e in self.evidence)
        if w <= 0:
            return None
        return sum(LEAN_SIGN[e.leaning] * e.weight for e in self.evidence) / w

    @property
    def reason(self) -> str:
        n = len(self.evidence)
        if not n:
            shown = [m.reason for m in self.missing[:3]]
            more = len(self.missing) - len(shown)
            return (
                "; ".join(shown) + (f"; and {more} more (see the report)" if more else "")
                or "no evidence measured"
            )
        parts = [f"{n} evidence item{'s' if n != 1 else ''}"]
        lean = {k: sum(1 for e in self.evidence if e.leaning == k) for k in ("catalyst", "viral", "neutral")}
        parts.append(", ".join(f"{v} {k}" for k, v in lean.items() if v))
        if self.missing:
            shown = [m.reason for m in self.missing[:3]]
            more = len(self.missing) - len(shown)
            parts.append(
                "missing: " + "; ".join(shown) + (f"; and {more} more (see the report)" if more else "")
            )
        return "; ".join(parts)

    def _repr_html_(self) -> str:
        from html import escape

        score = "n/a" if self.score is None else f"{self.score:+.2f}"
        rows = "".join(
            f"<tr><td>{escape(e.finding or e.claim)}</td><td>{escape(str(e.value))}</td><td>{escape(e.leaning)}</td>"
            f"<td>{escape(e.flip)}</td><td>{escape(e.claim)}</td></tr>"
            for e in self.evidence
        )
        miss = "".join(f"<li>{escape(m.reason)}</li>" for m in self.missing)
        return (
            f"<div><b>{escape(PILLARS.title(self.name))}</b>: {escape(self.status)}, score {score}"
            f"<table><tr><th>finding</th><th>value</th><th>leaning</th><th>would flip if</th><th>claim tested</th></tr>{rows}</table>"
            + (f"<ul>{miss}</ul>" if miss else "")
            + "</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "score": _clean(self.score),
            "reason": self.reason,
            "missing": [m.to_dict() for m in self.missing],
            "notes": list(self.notes),
        }
