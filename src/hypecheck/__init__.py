"""hypecheck: is this hot market narrative a viral sentiment shift, or backed by a real catalyst?

    >>> import hypecheck
    >>> result = hypecheck.check("small-cap-rotation")          # bundled sample data, offline
    >>> print(result.verdict.label)

See the README for the theme format, the data sources and the JSON contract.
"""

__version__ = "0.1.0"

from .analytics import asvi, required_return
from .analytics.breadth import breadth
from .analytics.rrg import rrg
from .api import check, load_catalog
from .errors import HypecheckError, InputError, NoDataError, ThemeError
from .theme import builtin_theme_names, load_theme

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
