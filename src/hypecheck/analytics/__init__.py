"""Pure analytic functions over pandas Series/DataFrames and numpy arrays.

Shapes and NaN rules are in each docstring. Nothing here reads files, knows about themes, or looks
past the ``as_of`` it is given.
"""

from .attention import asvi
from .returns import (
    all_time_high,
    relative_strength,
    returns_table,
    window_anchor,
    window_return,
)
from .structure import required_return

__all__ = [
    "all_time_high",
    "asvi",
    "relative_strength",
    "required_return",
    "returns_table",
    "window_anchor",
    "window_return",
]
