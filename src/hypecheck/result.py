"""The result of checking a theme: explains itself (``to_summary()``, a
:class:`~hypecheck.summary.Summary` whose text ``summary()`` and ``__str__`` print and whose HTML is
``_repr_html_``; ``to_dict()``). Reports and charts are built from it; they never recompute anything."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ._version import __version__
from .evidence import _clean
from .panel import Provenance
from .pillar_registry import PILLARS
from .schema import LoadReport
from .summary import Summary, of_check
from .theme import Theme
from .verdict import Verdict

SCHEMA_VERSION = 3  # 3: the verdict says what is known (fade test label, history, range, signature)


@dataclass
class CheckResult:
    theme: Theme
    as_of: pd.Timestamp
    source: str
    verdict: Verdict
    pillars: dict[str, Any]
    provenance: list[Provenance]
    load_report: LoadReport
    rules: Any
    data_note: str = ""
    upcoming: list[dict[str, str]] = field(default_factory=list)
    calibration: Any = None  # hypecheck.lab.verdict.PanelVerdict: the panel model's probability and label
    hindsight: dict[str, Any] | None = None  # what happened after the as-of date; never feeds the verdict
    triggers: list[Any] = field(default_factory=list)  # hypecheck.triggers.TriggerState, as of the as-of date

    def __repr__(self) -> str:  # one line; summary() / str() have the rest
        c = self.calibration
        p = f", p={c.probability:.0%} ({c.interval[0]:.0%}-{c.interval[1]:.0%})" if c is not None else ""
        return (
            f"<CheckResult {self.theme.id} as of {self.as_of:%Y-%m-%d}: {self.verdict.label}{p}; "
            f"{len(self.evidence)} evidence items; data: {self.source}>"
        )

    @property
    def sample_data(self) -> bool:
        return any(p.sample_data for p in self.provenance)

    @property
    def evidence(self) -> list[Any]:
        return [e for name in self.measured() for e in self.pillars[name].evidence]

    def measured(self) -> list[str]:
        """The names of the registered pillars this result holds, in the registry's order."""
        return [name for name in PILLARS.names() if name in self.pillars]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (documented in the README; ``schema_version`` bumps on breaking change)."""
        tables: dict[str, Any] = {}
        for name, p in self.pillars.items():
            for tname, rows in p.tables.items():
                key = tname if (name, tname) == ("price", "returns") else f"{name}.{tname}"
                tables[key] = [{k: _clean(v) for k, v in r.items()} for r in rows]
        return {
            "schema_version": SCHEMA_VERSION,
            "generator": f"hypecheck {__version__}",
            "theme": self.theme.id,
            "title": self.theme.title,
            "question": self.theme.question,
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "data": {
                "source": self.source,
                "sample_data": self.sample_data,
                "note": self.data_note,
                **self.load_report.to_dict(),
            },
            "verdict": self.verdict.to_dict(),
            "pillars": {name: self.pillars[name].to_dict() for name in self.measured()},
            "evidence": [e.to_dict() for e in self.evidence],
            "missing": [m.to_dict() for name in self.measured() for m in self.pillars[name].missing],
            "tables": tables,
            "provenance": [p.to_dict() for p in self.provenance],
            "upcoming_events": self.upcoming,
            "rules": self.rules.origin,
            "calibration": None if self.calibration is None else self.calibration.to_dict(),
            "hindsight": self.hindsight,
            "triggers": [t.to_dict() for t in self.triggers],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_summary(self) -> Summary:
        """The result as one :class:`~hypecheck.summary.Summary` (text, HTML, ``_repr_html_``): the
        verdict first, each pillar with its findings, what would flip it, the model's ledger."""
        return of_check(self)

    def summary(self) -> str:
        """The terminal's text (what ``hypecheck check`` prints): ``to_summary().text()``."""
        return self.to_summary().text()

    def __str__(self) -> str:
        return self.summary()

    def charts(self) -> dict[str, Any]:
        """Every chart of this result as a Vega-Lite chart (name -> VegaChart: ``.spec``, SVG/PNG bytes,
        interactive in Jupyter), for notebooks and reuse."""
        from .report import charts

        return {name: fig for name, (_p, _t, fig) in charts.build(self).items()}

    def _repr_html_(self) -> str:
        return self.to_summary().html()
