"""The command line: a thin layer over the library. Errors become exit codes here, once.

Exit codes: 0 ok, 1 unexpected error, 2 bad input (theme, file, argument), 3 no data,
4 missing optional dependency, 5 live provider failure.

One module per command (``cli/check.py`` is ``hypecheck check``, ``cli/import_.py`` is
``hypecheck import``); :mod:`hypecheck.cli.base` holds the click group :func:`main`, the options
several commands share and the one place errors become exit codes. Importing a command module
registers its command on :func:`main`; each imports the library only when it runs, so
``import hypecheck.cli`` costs click and little else.
"""

from __future__ import annotations

# importing a command module registers its command on main
from . import (  # noqa: F401
    breadth,
    check,
    demo,
    fetch,
    history,
    import_,
    lab,
    mcp,
    record,
    scan,
    serve,
    themes,
    watch,
)
from .base import main

__all__ = ["main"]
