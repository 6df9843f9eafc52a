"""Fundamentals: measured where a source exists (issue 5), otherwise the theme's cited facts."""

from __future__ import annotations

from ..evidence import MissingEvidence, PillarResult
from ..panel import Panel
from ..rules import Rules
from ._common import cited_facts


def measure(panel: Panel, rules: Rules) -> PillarResult:
    res = PillarResult("fundamentals")
    res.evidence.extend(cited_facts(panel, rules, "fundamentals", res.notes))
    res.missing.append(
        MissingEvidence(
            "fundamentals",
            "measured-fundamentals",
            "no measured earnings or valuation data for the theme's groups in this version (only cited facts)",
            "add [[facts]] with pillar = 'fundamentals' and a citation; measured earnings gaps are planned",
        )
    )
    return res
