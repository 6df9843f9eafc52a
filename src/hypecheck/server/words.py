"""Words the dashboard says: user input cut short before it is echoed, the library's command-line
words reworded for an API client, numbers for a table, and the one parser of a query's as-of date."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any


def short(text: str, n: int = 80) -> str:
    """``text`` cut to ``n`` characters for a message (user input is never echoed whole)."""
    return text if len(text) <= n else text[:n] + f"... ({len(text)} characters)"


# CLI options named in the library's messages, and what a request to the API passes instead
_CLI_WORDS = (
    (re.compile(r"--as-of (\d{4}-\d{2}-\d{2}|YYYY-MM-DD)"), r"as_of=\1"),
    (re.compile(r"\bpass --as-of a date\b"), "ask for an as_of date"),
    (re.compile(r"\bpass --as-of\b"), "ask for an as_of date"),
    (re.compile(r"--as-of\b"), "the as_of parameter"),
    (re.compile(r"\bpass --horizon (\w+)"), r"pass horizon=\1"),
    (re.compile(r"--horizon\b"), "the horizon parameter"),
    (re.compile(r"\bwith --data PATH\b"), "(restart hypecheck serve with --data PATH)"),
)


def api_words(text: str) -> str:
    """A library message reworded for an API client: the command line's ``--as-of`` becomes the
    ``as_of`` query parameter (``use --as-of 2017-12-29`` -> ``use as_of=2017-12-29``), ``--horizon``
    the ``horizon`` parameter; a server option (``--data``) is named as one."""
    for pattern, repl in _CLI_WORDS:
        text = pattern.sub(repl, text)
    return text


def iso_date(value: str | None) -> str | None:
    """A YYYY-MM-DD date as given (None stays None); 400 otherwise."""
    from fastapi import HTTPException

    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise HTTPException(400, f"as_of {short(value)!r} is not a YYYY-MM-DD date") from None


def num(x: Any, fmt: str = "{:.2f}") -> str:
    """A number for the scan table ("n/a" for None or NaN)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return fmt.format(x)
