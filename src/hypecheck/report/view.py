"""What the reports read of a check's result: :class:`CheckView`, the shape of
:class:`hypecheck.result.CheckResult` as a Protocol. The result draws its charts and its notebook
HTML with this package, so the reports name the shape, not the class (no import of
:mod:`hypecheck.result`, not even for type checking); mypy checks that the result has this shape
wherever it is handed to a report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from ..panel import Provenance
    from ..schema import LoadReport
    from ..theme import Theme
    from ..verdict import Verdict


class CheckView(Protocol):
    """The attributes and methods of a check's result that the reports use."""

    theme: Theme
    as_of: pd.Timestamp
    source: str
    verdict: Verdict
    pillars: dict[str, Any]
    provenance: list[Provenance]
    load_report: LoadReport
    rules: Any
    data_note: str
    calibration: Any
    hindsight: dict[str, Any] | None

    @property
    def sample_data(self) -> bool: ...

    @property
    def evidence(self) -> list[Any]: ...

    def measured(self) -> list[str]: ...

    def to_json(self, indent: int | None = 2) -> str: ...
