"""``hypecheck mcp``: the commands as Model Context Protocol tools, served over stdio.

Five tools, each taking the arguments its command takes (as JSON, named like the JSON API: ``as_of``
for ``--as-of``) and returning exactly what the command's ``--json`` prints:

``check``   ``CheckResult.to_dict()`` (the JSON contract); the theme is a built-in name, a path to a
            ``.toml`` file, or the TOML text itself (``theme_toml``)
``scan``    ``ScanResult.to_dict()``; stored and compared with the last stored scan as the command
            does (``changes``); ``theme``: the theme TOML for one narrative instead (``{"theme_toml"}``)
``lab``     ``LabResult.to_dict()`` without the per-episode rows (thousands of them; ``hypecheck lab
            --json`` has them), as the dashboard's ``/api/lab`` serves it
``record``  ``record.score(...).to_dict()``: the forward record of a store
``themes``  the built-in themes (id, title, question), or one theme's TOML (``show``)

Bad input is a tool result with ``isError`` set, whose text is the command line's ``error: ... hint:
...`` and whose structured content is ``{"error": {"type", "message", "hint", "exit_code"}}``: the same
message, hint and exit code the CLI gives (2 bad input, 3 no data, 4 missing dependency, 5 provider
or store). A bug is an error result too (exit code 1), never a crash of the server. Calls run one at a
time in a worker thread (the library's caches are per process), so the server keeps answering pings.

The SDK (``pip install 'hypecheck[mcp]'``) is imported only by :func:`serve`; the tools themselves
(:data:`TOOLS`, :func:`call`) are plain functions, testable without it.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EXIT_INTERNAL, HypecheckError, InputError, MissingDependencyError

INSTALL = "pip install 'hypecheck[mcp]'"

_DATE = {
    "type": "string",
    "format": "date",
    "description": "Evaluate as of this date (YYYY-MM-DD); nothing after it is used (the CLI's --as-of).",
}
_DATA = {
    "type": "string",
    "description": "A folder or file of your data (price, FRED, Google Trends, earnings CSVs; tidy "
    "CSV/Parquet), as the CLI's --data. Omitted: the bundled offline sample data.",
}
_STORE = {
    "type": "string",
    "description": "The DuckDB store file (the CLI's --store; default: $HYPECHECK_STORE or "
    "~/.local/share/hypecheck/store.duckdb).",
}
_HORIZON = {"type": "string", "enum": ["1M", "3M", "6M", "12M"], "default": "6M"}


def _schema(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    return out | extra


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    run: Callable[[dict[str, Any]], Any]


# ---------------------------------------------------------------------------- the tools


def _path(args: dict[str, Any], key: str) -> Path | None:
    v = args.get(key)
    return None if v is None or v == "" else Path(str(v))


def _theme(args: dict[str, Any]) -> Any:
    """The theme of a call: ``theme`` (a built-in name or a path to a .toml file) or ``theme_toml``
    (the text, parsed by the same bounded parser and validator as a theme file)."""
    from ._toml import parse_bounded
    from .errors import ThemeError
    from .theme import load_theme, parse_theme

    name, text = args.get("theme"), args.get("theme_toml")
    if (name is None) == (text is None):
        raise InputError(
            "give exactly one of theme and theme_toml",
            hint="theme: a built-in name (the themes tool lists them) or a .toml path; theme_toml: the "
            "theme file's text",
        )
    if name is not None:
        return load_theme(str(name))
    where = "theme_toml"
    data = parse_bounded(str(text), f"theme {where}", ThemeError, hint="check quoting and brackets")
    return parse_theme(data, where=where)


def _check(args: dict[str, Any]) -> dict[str, Any]:
    from .api import check, load_catalog

    th = _theme(args)  # fail fast on a bad theme, before loading any data
    data = _path(args, "data")
    catalog = load_catalog(data)
    result = check(
        th,
        as_of=args.get("as_of"),
        catalog=catalog,
        source=catalog.source,
        rules=_path(args, "rules"),
        calibrate=bool(args.get("calibration", True)),
    )
    store = _path(args, "store")
    if store is not None:  # as `check --store`: the forecast joins the forward record
        from .record import record_check
        from .store import Store

        st = Store(store)
        st.verify(write=True)
        record_check(result, st, "check", str(data) if data is not None else "bundled")
    out: dict[str, Any] = json.loads(result.to_json())  # NaN and infinities as null, as --json
    return out


def _scan(args: dict[str, Any]) -> dict[str, Any]:
    from .data.catalog import load_catalog
    from .known import parse_as_of as _parse_date  # the one as-of parser
    from .scan import store as scanstore
    from .scan.cmd import _known_or_fail, compare_and_save
    from .scan.core import scan
    from .scan.themegen import parse_pair, theme_toml
    from .store import Store

    data = _path(args, "data")
    as_of, since, universe = args.get("as_of"), args.get("since"), args.get("universe")
    catalog = load_catalog(data)
    res = scan(catalog, as_of, universe)
    res.data_key = "bundled" if data is None else str(data.resolve())
    pair = args.get("theme")
    if pair is not None:  # as `scan --theme LEADER-LAGGARD`
        leader, laggard = parse_pair(str(pair), res.universe_spec)
        _known_or_fail(str(pair), (leader, laggard), res, catalog)
        return {"theme_toml": theme_toml(res, leader, laggard)}
    store = Store(_path(args, "store"))
    scope = scanstore.scope_of(res.universe, res.universe_version, res.data_key)
    current = res.to_dict()
    d = None
    if since is not None:  # as `scan --since`
        d = _parse_date(str(since), "since")
        if d >= res.as_of:
            raise InputError(
                f"since {str(since).strip()} is not before the scan date {res.as_of:%Y-%m-%d}",
                hint="pass an earlier since date (or a later as_of)",
            )
    compare_and_save(res, store, scope, current, catalog, universe, d)
    out: dict[str, Any] = json.loads(res.to_json())
    return out


def _lab(args: dict[str, Any]) -> dict[str, Any]:
    from .lab.run import run_lab

    res = run_lab(_path(args, "data"), horizon=str(args.get("horizon", "6M")))
    d = res.to_dict()
    n = len(d.pop("episodes", []))
    d["episodes_omitted"] = n  # the per-episode rows: `hypecheck lab --json` prints them
    out: dict[str, Any] = json.loads(json.dumps(d, default=_jsonable))
    return out


def _record(args: dict[str, Any]) -> dict[str, Any]:
    from .api import load_catalog
    from .record import score
    from .store import Store

    store = Store(_path(args, "store"))
    if not store.exists():
        raise InputError(
            f"no store at {store.path}: nothing has been recorded there",
            hint="call check with store set (or run `hypecheck check THEME --store PATH`) first",
        )
    store.verify()
    data = _path(args, "data")
    catalog = load_catalog(data) if data is not None else store.catalog()
    out: dict[str, Any] = json.loads(
        json.dumps(score(store.forecasts(), catalog).to_dict(), default=_jsonable)
    )
    return out


def _themes(args: dict[str, Any]) -> dict[str, Any]:
    from importlib import resources

    from .theme import builtin_theme_names, load_theme

    show = args.get("show")
    if show is not None:
        if str(show) not in builtin_theme_names():
            load_theme(str(show))  # a misspelt name: the ThemeError with its suggestion
            raise InputError(
                f"{str(show)[:100]!r} is not a built-in theme", hint="the themes tool lists them"
            )
        th = load_theme(str(show))
        text = (resources.files("hypecheck") / "themes" / f"{show}.toml").read_text("utf-8")
        return {"id": th.id, "title": th.title, "question": th.question, "toml": text}
    rows = []
    for name in builtin_theme_names():
        t = load_theme(name)
        rows.append({"id": name, "title": t.title, "question": t.question})
    return {"themes": rows}


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    if hasattr(x, "isoformat"):
        return x.isoformat()
    if hasattr(x, "item"):  # numpy scalars
        return x.item()
    return str(x)


_THEME_ARGS = {
    "theme": {
        "type": "string",
        "description": "A built-in theme name (see the themes tool), or the path of a theme .toml file.",
    },
    "theme_toml": {
        "type": "string",
        "description": "A whole theme as TOML text (what a theme file holds; `themes` with show gives a "
        "template). Give this or theme, not both.",
    },
}

TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        Tool(
            "check",
            "Check a market narrative (a theme) against the data and return the verdict with its "
            "evidence ledger: the JSON contract of `hypecheck check --json` (schema_version 3). "
            "verdict.label is the fade test: 'fading faster than noise' (the viral signature), "
            "'holding', 'too young to tell', 'no narrative born'; verdict.headline says it in words; "
            "triggers, evidence, missing and provenance follow.",
            _schema(
                {
                    **_THEME_ARGS,
                    "as_of": _DATE,
                    "data": _DATA,
                    "rules": {"type": "string", "description": "A rules TOML file (the CLI's --rules)."},
                    "calibration": {
                        "type": "boolean",
                        "default": True,
                        "description": "Fit the panel model on past narratives (false: evidence only, "
                        "label 'insufficient data'; faster).",
                    },
                    "store": {
                        **_STORE,
                        "description": "Record the check's forecast in this DuckDB store (the CLI's "
                        "--store); the record tool scores it once its horizon has passed.",
                    },
                },
                oneOf=[{"required": ["theme"]}, {"required": ["theme_toml"]}],
            ),
            _check,
        ),
        Tool(
            "scan",
            "List the narratives alive as of a date across a universe of pairs (the JSON of `hypecheck "
            "scan --json`: as_of, universe, model, narratives with fade label, p, interval, drivers, "
            "attention; changes since the last stored scan). With theme = 'LEADER-LAGGARD' it returns "
            "{theme_toml} instead: a complete theme for that narrative, ready for check's theme_toml.",
            _schema(
                {
                    "data": _DATA,
                    "as_of": _DATE,
                    "universe": {
                        "type": "string",
                        "description": "A universe TOML, a long date,ticker,close file or a folder of "
                        "member CSVs (the CLI's --universe); default: the ETF universe (bundled: Ken French).",
                    },
                    "since": {**_DATE, "description": "Report the changes since this date (YYYY-MM-DD)."},
                    "theme": {
                        "type": "string",
                        "description": "LEADER-LAGGARD: return the theme TOML for this narrative instead.",
                    },
                    "store": {**_STORE, "description": _STORE["description"] + " Scans are stored there."},
                }
            ),
            _scan,
        ),
        Tool(
            "lab",
            "The lab: how thousands of past narratives (Ken French 1949-2017, and the ETFs of a data "
            "folder) fared against a random walk, with the model's walk-forward skill and holdout: "
            "`hypecheck lab --json` (schema v3) without the per-episode rows (their count is in "
            "episodes_omitted). Takes 10-60 s.",
            _schema({"data": _DATA, "horizon": _HORIZON}),
            _lab,
        ),
        Tool(
            "record",
            "Score every forecast recorded in a store (by check with store set) whose horizon has passed: "
            "realised spread, inside the range or not, kept half, Brier scores; replayed forecasts apart "
            "from live ones (`hypecheck record --json`).",
            _schema(
                {
                    "store": _STORE,
                    "data": {**_DATA, "description": "Score on this data (default: the store's closes)."},
                }
            ),
            _record,
        ),
        Tool(
            "themes",
            "The built-in themes (id, title, question), or with show one theme's TOML text: a template "
            "for a theme of your own, to pass to check as theme_toml.",
            _schema({"show": {"type": "string", "description": "A built-in theme's id."}}),
            _themes,
        ),
    )
}


# ---------------------------------------------------------------------------- calling


@dataclass
class Outcome:
    """What a tool call gives back: the JSON, or the error (``is_error``) the CLI would print."""

    payload: dict[str, Any]
    text: str
    is_error: bool = False


def _error(exc: HypecheckError) -> Outcome:
    from .data.connectors.base import scrub
    from .errors import cut_words

    msg, hint = cut_words(scrub(exc.message), 240), cut_words(scrub(exc.hint), 240) if exc.hint else None
    err = {"type": type(exc).__name__, "message": msg, "hint": hint, "exit_code": exc.exit_code}
    return Outcome({"error": err}, f"error: {msg}" + (f"\n  hint: {hint}" if hint else ""), True)


def _validate(tool: Tool, args: dict[str, Any]) -> None:
    """The arguments against the tool's schema; an InputError naming what is wrong."""
    import jsonschema

    v = jsonschema.Draft202012Validator(tool.input_schema)
    errors = sorted(v.iter_errors(args), key=lambda e: list(e.path))
    if not errors:
        return
    e = errors[0]
    where = ".".join(str(p) for p in e.path) or "arguments"
    if e.validator == "oneOf" and tool.name == "check":
        raise InputError(
            "give exactly one of theme and theme_toml",
            hint="theme: a built-in name (the themes tool lists them) or a .toml path; theme_toml: the "
            "theme file's text",
        )
    props = ", ".join(tool.input_schema["properties"])
    raise InputError(f"{tool.name}: {where}: {e.message}", hint=f"the arguments of {tool.name} are: {props}")


_LOCK = threading.Lock()  # one call at a time: the library's caches are per process


def call(name: str, arguments: dict[str, Any] | None) -> Outcome:
    """Run tool ``name``; never raises for bad input or a bug (an error Outcome instead)."""
    import os

    from .data.connectors.base import scrub

    tool = TOOLS.get(name)
    try:
        if tool is None:
            raise InputError(f"no tool {name!r}", hint=f"the tools are: {', '.join(TOOLS)}")
        args = dict(arguments or {})
        _validate(tool, args)
        with _LOCK:
            payload = tool.run(args)
    except HypecheckError as exc:
        return _error(exc)
    except Exception as exc:  # a bug: said plainly, the server keeps serving
        if os.environ.get("HYPECHECK_DEBUG"):
            import traceback

            traceback.print_exc()
        msg = f"internal error: {type(exc).__name__}: {scrub(str(exc))[:500]}"
        hint = "this is a bug in hypecheck; rerun with HYPECHECK_DEBUG=1 for the traceback and report it"
        err = {"type": type(exc).__name__, "message": msg, "hint": hint, "exit_code": EXIT_INTERNAL}
        return Outcome({"error": err}, f"{msg}\n  hint: {hint}", True)
    return Outcome(payload, json.dumps(payload, ensure_ascii=False, allow_nan=False))


# ---------------------------------------------------------------------------- the server


def serve() -> None:
    """Serve the tools over stdio until the client closes the connection."""
    try:
        import anyio
        import mcp_types as types
        from mcp.server.lowlevel import Server
        from mcp.server.stdio import stdio_server
    except ImportError:
        raise MissingDependencyError("hypecheck mcp needs the MCP Python SDK", hint=INSTALL) from None
    from . import __version__

    async def list_tools(ctx: Any, params: Any) -> Any:
        return types.ListToolsResult(
            tools=[
                types.Tool(name=t.name, description=t.description, input_schema=t.input_schema)
                for t in TOOLS.values()
            ]
        )

    async def call_tool(ctx: Any, params: Any) -> Any:
        out = await anyio.to_thread.run_sync(call, params.name, params.arguments)
        return types.CallToolResult(
            content=[types.TextContent(text=out.text)],
            structured_content=out.payload,
            is_error=out.is_error,
        )

    server: Any = Server(
        "hypecheck",
        version=__version__,
        instructions="hypecheck tells whether a hot market narrative is a viral sentiment shift or backed "
        "by a real catalyst. `themes` lists the built-in narratives; `check` gives a verdict with its "
        "evidence; `scan` lists the narratives alive on a date; `lab` and `record` say how far to trust it.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)


__all__ = ["INSTALL", "TOOLS", "Outcome", "Tool", "call", "serve"]
