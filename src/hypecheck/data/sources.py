"""Source protocol and registry."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import InputError
from ..schema import Catalog


class Source(Protocol):
    """A source loads series into a :class:`Catalog`; its ``report`` lists what was loaded/skipped."""

    name: str

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog: ...


REGISTRY: dict[str, Callable[..., Source]] = {}


def register_source(name: str) -> Callable[[Callable[..., Source]], Callable[..., Source]]:
    def deco(factory: Callable[..., Source]) -> Callable[..., Source]:
        REGISTRY[name] = factory
        return factory

    return deco


BUILTIN = {"bundled": "hypecheck.data.bundled", "files": "hypecheck.data.files"}


def get_source(name: str, **kwargs: Any) -> Source:
    # built-ins are imported when first asked for, so registering them has no import-order trap
    if name not in REGISTRY and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
    try:
        factory = REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown data source {name!r}",
            hint=f"known sources: {', '.join(sorted(set(REGISTRY) | set(BUILTIN)))}",
        ) from None
    return factory(**kwargs)
