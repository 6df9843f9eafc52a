"""Bounded TOML parsing for the files a user hands us (themes, rules, universe files, the config file).

``tomllib`` parses nested arrays and inline tables by recursion, so a 1 KB file nested 500 deep ends
in a RecursionError (an "internal error", and in ``serve --themes`` a 500 on every page). Before
``tomllib`` sees a text, its size and its bracket depth are checked; after, the depth of the parsed
document (dotted keys and table headers nest too). Either limit is a clear error of the caller's class.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import HypecheckError

MAX_TOML_BYTES = 1_000_000  # a theme or rules file is a short hand-written TOML file
MAX_TOML_DEPTH = 32  # tables and arrays inside each other; the built-in themes use at most 5


_START = re.compile(r"[#\"'\[\]{}]")  # what can start a comment, a string or a nesting level
_BASIC_REST = re.compile(r'(?:[^"\\\n]|\\.)*(?:"|\n|\Z)')  # after an opening ", to its close (or line end)
_LITERAL_REST = re.compile(r"[^'\n]*(?:'|\n|\Z)")  # after an opening ', to its close (or line end)
_MULTI_REST = re.compile(r'(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)', re.S)  # after an opening """


def bracket_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` outside strings and comments: a linear scan (each character
    looked at once, no recursion, no backtracking), stopping once past :data:`MAX_TOML_DEPTH`.
    Approximate only where the TOML is invalid anyway (an unterminated string ends at its line)."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        m = _START.search(text, i)
        if m is None:
            break
        c, j = m.group(), m.start()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_TOML_DEPTH:
                break
            i = j + 1
        elif c in "]}":
            depth = max(0, depth - 1)
            i = j + 1
        elif c == "#":
            k = text.find("\n", j)
            i = n if k < 0 else k + 1
        elif text.startswith(c * 3, j):
            if c == '"':
                end = _MULTI_REST.match(text, j + 3)
                i = end.end() if end else n
            else:
                k = text.find("'''", j + 3)
                i = n if k < 0 else k + 3
        elif c == '"':
            end = _BASIC_REST.match(text, j + 1)
            i = end.end() if end else n
        else:
            end = _LITERAL_REST.match(text, j + 1)
            i = end.end() if end else n
    return deepest


def document_depth(data: Any) -> int:
    """How deep tables and arrays nest in a parsed document (iterative)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, d + 1)
        if deepest > MAX_TOML_DEPTH:
            return deepest
        stack.extend((c, d + 1) for c in children)
    return deepest


def parse_bounded(text: str, where: str, error: type[HypecheckError], *, hint: str) -> dict[str, Any]:
    """``tomllib.loads(text)`` within :data:`MAX_TOML_BYTES` and :data:`MAX_TOML_DEPTH`; ``error``
    (ThemeError, InputError: any class taking ``(message, hint=...)``) names ``where`` otherwise."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TOML_BYTES:
        raise error(f"{where} is {size:,} bytes; at most {MAX_TOML_BYTES:,} are read", hint=hint)
    depth = bracket_depth(text)
    if depth > MAX_TOML_DEPTH:
        raise error(
            f"{where} nests arrays or tables {depth} deep; at most {MAX_TOML_DEPTH} levels are read",
            hint=hint,
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{where} is not valid TOML: {exc}", hint=hint) from None
    except RecursionError:  # a guard: the scan above should have caught it
        raise error(f"{where} nests too deeply to read", hint=hint) from None
    depth = document_depth(data)
    if depth > MAX_TOML_DEPTH:
        raise error(
            f"{where} nests tables {depth} deep or more; at most {MAX_TOML_DEPTH} levels are read",
            hint=hint,
        )
    return data


def read_bounded(path: str | Path, where: str, error: type[HypecheckError], *, hint: str) -> dict[str, Any]:
    """The TOML file at ``path`` through :func:`parse_bounded`; a file that cannot be read (missing,
    not UTF-8, larger than :data:`MAX_TOML_BYTES`) is an ``error`` naming ``where`` too."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_TOML_BYTES:
            raise error(f"{where} is {size:,} bytes; at most {MAX_TOML_BYTES:,} are read", hint=hint)
        text = p.read_text("utf-8")
    except OSError as exc:
        raise error(f"cannot read {where}: {exc.strerror or type(exc).__name__}", hint=hint) from None
    except UnicodeDecodeError:
        raise error(f"{where} is not UTF-8 text", hint=hint) from None
    return parse_bounded(text, where, error, hint=hint)
