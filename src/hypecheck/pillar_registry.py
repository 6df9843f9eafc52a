"""The pillar registry: every evidence pillar declared once, in order, in :data:`PILLARS`.

A pillar is one module in :mod:`hypecheck.pillars` exposing ``measure(panel, rules) -> PillarResult``
and one :class:`Pillar` line below: its name (the key of its results, evidence and JSON), the title
readers see, the key of its weight in the rules' ``[weights]`` table (its name unless given), its
measure and, optionally, a cross-pillar step ``after(pillars, panel)`` run once every pillar was
measured (it may add tables and evidence that need another pillar's results). The check measures, the
verdict scores, and the summary, the JSON and the reports list exactly the pillars of this registry,
in its order: a pillar cannot be measured without being scored and shown. Adding a pillar = its
module + its line (+ its weight in ``rules/default.toml``, which the tests check).

Built-in measures are named as ``"module:function"`` and imported when first measured, so naming the
pillars (themes validate cited facts against them; reports list them) does not import the analytics.
This module sits below everything that names a pillar (the theme, the evidence, the reports): it
imports none of them, not even for type checking (the measure's panel and result are typed ``Any``
here; :mod:`hypecheck.panel` and :mod:`hypecheck.evidence` read this registry).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from .rules import Rules

# measure(panel, rules) -> result and after(results, panel): the panel is a hypecheck.panel.Panel and
# a result a hypecheck.evidence.PillarResult, both ``Any`` here (those modules sit above the registry)
Measure = Callable[[Any, "Rules"], Any]
Step = Callable[[dict[str, Any], Any], None]


def _resolve(ref: Any) -> Any:
    """A callable, or ``"package.module:function"`` imported now."""
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Pillar:
    """One pillar's declaration. ``measure`` and ``after`` are functions or ``"module:function"``."""

    name: str
    title: str
    measure: Measure | str
    weight: str = ""  # key in the rules' [weights]; "" = the pillar's name
    after: Step | str | None = None  # cross-pillar step, run after every pillar was measured

    @property
    def weight_key(self) -> str:
        return self.weight or self.name

    def run(self, panel: Any, rules: Rules) -> Any:
        """Measure this pillar on ``panel`` (a :class:`~hypecheck.panel.Panel`); returns its
        :class:`~hypecheck.evidence.PillarResult`."""
        return _resolve(self.measure)(panel, rules)

    def cross(self, pillars: dict[str, Any], panel: Any) -> None:
        """Run the cross-pillar step, if any."""
        if self.after is not None:
            _resolve(self.after)(pillars, panel)


class Registry:
    """The pillars in order. Iterating yields :class:`Pillar` declarations."""

    def __init__(self, *pillars: Pillar) -> None:
        self._items: dict[str, Pillar] = {}
        for p in pillars:
            self.register(p)

    def __iter__(self) -> Iterator[Pillar]:
        return iter(tuple(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __getitem__(self, name: str) -> Pillar:
        return self._items[name]

    def names(self) -> tuple[str, ...]:
        return tuple(self._items)

    def titles(self) -> dict[str, str]:
        """Pillar name -> title, in order."""
        return {p.name: p.title for p in self._items.values()}

    def title(self, name: str) -> str:
        """The pillar's title (the name itself for a name that is not registered)."""
        p = self._items.get(name)
        return p.title if p is not None else name

    def register(self, pillar: Pillar, *, before: str | None = None) -> Pillar:
        """Add ``pillar`` at the end, or just before the pillar named ``before``."""
        if not pillar.name or not pillar.name.isidentifier():
            raise InputError(
                f"pillar name {pillar.name!r} is not an identifier",
                hint="name a pillar in lower case letters, digits and underscores",
            )
        if pillar.name in self._items:
            raise InputError(
                f"a pillar named {pillar.name!r} is already registered",
                hint="pick another name, or unregister the existing pillar first",
            )
        if before is not None and before not in self._items:
            raise InputError(
                f"cannot register {pillar.name!r} before {before!r}: no such pillar",
                hint="one of " + ", ".join(self._items),
            )
        items = list(self._items.values())
        at = len(items) if before is None else self.names().index(before)
        items.insert(at, pillar)
        self._items = {p.name: p for p in items}
        return pillar

    def unregister(self, name: str) -> Pillar:
        """Remove the pillar named ``name`` and return its declaration."""
        if name not in self._items:
            raise InputError(
                f"no pillar named {name!r} is registered", hint="one of " + ", ".join(self._items)
            )
        return self._items.pop(name)


PILLARS = Registry(
    Pillar("attention", "Attention", "hypecheck.pillars.attention:measure"),
    Pillar("price", "Price confirmation", "hypecheck.pillars.price:measure"),
    Pillar("breadth", "Breadth", "hypecheck.pillars.breadth:measure"),
    Pillar(
        "catalysts",
        "Catalysts",
        "hypecheck.pillars.catalysts:measure",
        after="hypecheck.pillars.catalysts:add_sequence",
    ),
    Pillar("fundamentals", "Fundamentals", "hypecheck.pillars.fundamentals:measure"),
    Pillar("structure", "Structure", "hypecheck.pillars.structure:measure"),
    Pillar(
        "history",
        "History",
        "hypecheck.pillars.history:measure",
        after="hypecheck.pillars.history:add_spike_episodes",
    ),
)

__all__ = ["PILLARS", "Pillar", "Registry"]
