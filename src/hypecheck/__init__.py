"""hypecheck: is this hot market narrative a viral sentiment shift, or backed by a real catalyst?

    >>> import hypecheck
    >>> result = hypecheck.check("small-cap-rotation")          # bundled sample data, offline
    >>> print(result.verdict.label)

See the README for the theme format, the data sources and the JSON contract.

``import hypecheck`` is cheap: the public names below are imported when first used (PEP 562), so a
script that only loads a theme does not pay for pandas' analytics, SciPy, Numba or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import HypecheckError, InputError, NoDataError, ThemeError

if TYPE_CHECKING:  # the names below, for type checkers and editors
    from .analytics.attention import asvi
    from .analytics.breadth import breadth
    from .analytics.rrg import rrg
    from .analytics.structure import required_return
    from .api import check
    from .data.catalog import load_catalog
    from .theme import builtin_theme_names, load_theme

# public name -> the module that defines it (imported on first access)
_LAZY = {
    "asvi": ".analytics.attention",
    "breadth": ".analytics.breadth",
    "rrg": ".analytics.rrg",
    "required_return": ".analytics.structure",
    "check": ".api",
    "load_catalog": ".data.catalog",
    "builtin_theme_names": ".theme",
    "load_theme": ".theme",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'hypecheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "HypecheckError",
    "InputError",
    "NoDataError",
    "ThemeError",
    "__version__",
    "asvi",
    "breadth",
    "builtin_theme_names",
    "check",
    "load_catalog",
    "load_theme",
    "required_return",
    "rrg",
]
