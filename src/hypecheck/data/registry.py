"""One registry for everything that brings data in: live connectors routed by the kinds they declare,
and offline sources (``files``, ``bundled``) by name.

Connectors
----------
A connector class declares ``name`` and ``kinds`` (``("price",)``, ``("macro",)``, ...). Registering it
(:func:`register_provider`) makes it available by name (:func:`get_provider`) and *routes* its kinds to
it: :func:`connector_for` answers "which connector brings series of kind K", and ``hypecheck fetch`` asks
exactly that. Rules, in order:

1. an explicit registration (your code, a test: ``register_provider(name, factory)``) routes its kinds
   to itself, replacing any earlier route;
2. the built-in connectors (``yahoo`` price, ``fred`` macro, ``trends`` search, ``gdelt`` news,
   ``ishares`` holdings, ``edgar`` facts) and plugins found through the ``hypecheck.providers``
   entry-point group register as *defaults*: they take a kind only while no connector has it, so
   installing a package never silently changes where your prices come from (built-ins load first);
3. :func:`route` sends a kind to a registered connector by name.

Built-ins are imported when the registry is first asked, so registering has no import-order trap.

Sources
-------
:func:`register_source` / :func:`get_source`: offline sources (a ``Source`` has ``name`` and
``load(catalog=None, **options) -> Catalog``); the built-ins ``files`` and ``bundled`` load on demand.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InputError

if TYPE_CHECKING:
    from ..schema import Catalog
    from .provider import Provider

__all__ = [
    "BUILTIN_CONNECTORS",
    "BUILTIN_SOURCES",
    "Source",
    "available_providers",
    "connector_for",
    "get_provider",
    "get_source",
    "kinds_routed",
    "provider_for_kind",
    "register_provider",
    "register_source",
    "route",
]

ENTRY_POINT_GROUP = "hypecheck.providers"
BUILTIN_CONNECTORS = ("yahoo", "fred", "trends", "gdelt", "ishares", "edgar", "earnings")

_FACTORIES: dict[str, Callable[..., Provider]] = {}
_ROUTES: dict[str, str] = {}  # kind -> connector name
_loaded = False


def _declared_kinds(factory: Callable[..., Any]) -> tuple[str, ...]:
    kinds = getattr(factory, "kinds", ())
    return tuple(str(k) for k in kinds) if isinstance(kinds, (tuple, list)) else ()


def register_provider(
    name: str,
    factory: Callable[..., Provider],
    *,
    kinds: Iterable[str] | None = None,
    default: bool = False,
) -> None:
    """Make ``factory`` available as ``name`` and route its kinds to it.

    ``kinds``: the kinds it serves (default: the factory's ``kinds`` attribute). ``default=True`` (the
    built-ins and entry-point plugins) routes a kind only while no connector has it, and never replaces
    a connector already registered under ``name``."""
    if default and name in _FACTORIES:
        return  # a default never replaces a connector already registered under its name
    _FACTORIES[name] = factory
    for kind in tuple(kinds) if kinds is not None else _declared_kinds(factory):
        if not default or kind not in _ROUTES:
            _ROUTES[kind] = name


def route(kind: str, name: str) -> None:
    """Send ``kind`` to the registered connector ``name``."""
    _load()
    if name not in _FACTORIES:
        raise InputError(
            f"unknown provider {name!r}", hint=f"known providers: {', '.join(sorted(_FACTORIES))}"
        )
    _ROUTES[kind] = name


def _load() -> None:
    """Import the built-in connectors, then the entry-point plugins (once)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in BUILTIN_CONNECTORS:
        try:
            importlib.import_module(f"{__package__}.connectors.{mod}")
        except ImportError:  # pragma: no cover - a connector whose optional dependency is missing
            continue
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _FACTORIES:
            try:
                register_provider(ep.name, ep.load(), default=True)
            except Exception:  # pragma: no cover - a broken third-party plugin must not break us
                continue


def available_providers() -> list[str]:
    """Names of every registered connector (built-ins, plugins, your own)."""
    _load()
    return sorted(_FACTORIES)


def kinds_routed() -> dict[str, str]:
    """``{kind: connector name}``: where each kind is fetched from."""
    _load()
    return dict(sorted(_ROUTES.items()))


def get_provider(name: str, **kwargs: Any) -> Provider:
    """A connector instance by name (``yahoo``, ``fred``, ``trends``, ``gdelt``, ``edgar``, ``ishares``,
    or a plugin's). Unknown names raise InputError listing the known ones."""
    if name not in _FACTORIES:
        _load()
    if name not in _FACTORIES:
        raise InputError(
            f"unknown provider {name!r}",
            hint=f"known providers: {', '.join(available_providers()) or 'none'}",
        )
    return _FACTORIES[name](**kwargs)


def connector_for(kind: str) -> str:
    """The name of the connector that brings series of ``kind``; InputError when none does."""
    _load()
    try:
        return _ROUTES[kind]
    except KeyError:
        known = ", ".join(f"{k} ({v})" for k, v in sorted(_ROUTES.items()))
        raise InputError(
            f"no live connector brings series of kind {kind!r}",
            hint=f"kinds with a connector: {known}; or register one with register_provider",
        ) from None


def provider_for_kind(kind: str, **kwargs: Any) -> Provider:
    """``get_provider(connector_for(kind), **kwargs)``."""
    return get_provider(connector_for(kind), **kwargs)


# ================================================================================= offline sources


class Source(Protocol):
    """A source loads series into a :class:`Catalog`; its ``report`` lists what was loaded/skipped."""

    name: str

    def load(self, catalog: Catalog | None = None, **options: Any) -> Catalog: ...


SOURCES: dict[str, Callable[..., Source]] = {}
BUILTIN_SOURCES = {"bundled": "hypecheck.data.bundled", "files": "hypecheck.data.folder"}


def register_source(name: str) -> Callable[[Callable[..., Source]], Callable[..., Source]]:
    """Decorator: register an offline source factory under ``name``."""

    def deco(factory: Callable[..., Source]) -> Callable[..., Source]:
        SOURCES[name] = factory
        return factory

    return deco


def get_source(name: str, **kwargs: Any) -> Source:
    """An offline source by name (built-ins are imported when first asked for)."""
    if name not in SOURCES and name in BUILTIN_SOURCES:
        importlib.import_module(BUILTIN_SOURCES[name])
    try:
        factory = SOURCES[name]
    except KeyError:
        raise InputError(
            f"unknown data source {name!r}",
            hint=f"known sources: {', '.join(sorted(set(SOURCES) | set(BUILTIN_SOURCES)))}",
        ) from None
    return factory(**kwargs)
