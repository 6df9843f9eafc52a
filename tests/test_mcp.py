"""``hypecheck mcp``: driven by the MCP SDK's own client over stdio, as an assistant drives it.

The server is started as a subprocess (``python -m hypecheck.cli mcp``); the client lists its tools and
calls them. Bad input must come back as a tool error carrying hypecheck's message and hint.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

import anyio
from mcp import Client, StdioServerParameters

TOOLS = {"check", "scan", "lab", "record", "themes"}


def _params(tmp: Path) -> StdioServerParameters:
    env = {"HYPECHECK_STORE": str(tmp / "store.duckdb"), "PYTHONPATH": os.pathsep.join(sys.path)}
    return StdioServerParameters(
        command=sys.executable, args=["-m", "hypecheck.cli", "mcp"], env=env, cwd=tmp
    )


def _session(tmp: Path, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list[Any]]:
    """(the listed tools, the result of each call), in one server process."""

    async def go() -> tuple[list[Any], list[Any]]:
        async with Client(_params(tmp), read_timeout_seconds=600) as client:
            tools = (await client.list_tools()).tools
            results = [await client.call_tool(name, args) for name, args in calls]
            return tools, results

    return anyio.run(go)


def test_lists_the_five_tools_and_checks_the_flagship_on_the_bundled_data(tmp_path: Path) -> None:
    bad_toml = 'id = "x"\ntitle = "unclosed\n'
    tools, (flag, bad, missing, themes, neither, bad_date) = _session(
        tmp_path,
        [
            ("check", {"theme": "small-cap-rotation"}),
            ("check", {"theme_toml": bad_toml}),
            ("check", {"theme": "small-cap-rotaton"}),
            ("themes", {}),
            ("check", {}),
            ("check", {"theme": "small-cap-rotation", "as_of": "2016-13-45", "calibration": False}),
        ],
    )
    assert {t.name for t in tools} == TOOLS
    by_name = {t.name: t for t in tools}
    check_props = by_name["check"].input_schema["properties"]
    assert {"theme", "theme_toml", "as_of", "data", "store", "calibration"} <= set(check_props)
    assert by_name["lab"].input_schema["properties"]["horizon"]["enum"] == ["1M", "3M", "6M", "12M"]

    # the flagship's verdict as the JSON contract, in both the structured content and the text
    assert not flag.is_error
    d = flag.structured_content
    assert d["schema_version"] == 3 and d["theme"] == "small-cap-rotation" and d["as_of"] == "2016-12-31"
    assert d["verdict"]["label"] in {"holding", "fading faster than noise", "too young to tell"}
    assert json.loads(flag.content[0].text) == d
    assert {t["id"] for t in d["triggers"]} >= {"megacap-earnings-miss"}

    # a theme that is not TOML: a tool error with hypecheck's message and hint, not a crash
    assert bad.is_error
    err = bad.structured_content["error"]
    assert err["type"] == "ThemeError" and err["exit_code"] == 2
    assert "theme theme_toml is not valid TOML" in err["message"]
    assert err["hint"] == "check quoting and brackets"
    assert "hint: check quoting and brackets" in bad.content[0].text

    assert (
        missing.is_error
        and "did you mean 'small-cap-rotation'" in missing.structured_content["error"]["message"]
    )
    assert "small-cap-rotation" in {t["id"] for t in themes.structured_content["themes"]}
    assert neither.is_error and "exactly one of theme and theme_toml" in neither.content[0].text
    assert bad_date.is_error and bad_date.structured_content["error"]["exit_code"] == 2


def test_a_theme_as_toml_text_and_the_record(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "src/hypecheck/themes/small-cap-rotation.toml").read_text("utf-8")
    store = str(tmp_path / "rec.duckdb")
    _, (tpl, chk, rec, no_store) = _session(
        tmp_path,
        [
            ("themes", {"show": "small-cap-rotation"}),
            ("check", {"theme_toml": text, "store": store}),
            ("record", {"store": store}),
            ("record", {"store": str(tmp_path / "none.duckdb")}),
        ],
    )
    assert tpl.structured_content["toml"] == text
    assert not chk.is_error and chk.structured_content["theme"] == "small-cap-rotation"
    assert not rec.is_error and rec.structured_content["summary"]["n"] == 1
    assert no_store.is_error and "no store at" in no_store.structured_content["error"]["message"]


@pytest.mark.shared
def test_the_flagship_is_holding_on_the_shared_data(tmp_path: Path, shared_data: Path) -> None:
    _, (res,) = _session(
        tmp_path,
        [("check", {"theme": "small-cap-rotation", "data": str(shared_data), "as_of": "2026-01-16"})],
    )
    assert not res.is_error, res.content[0].text
    assert res.structured_content["as_of"] == "2026-01-16"
    assert res.structured_content["verdict"]["label"] == "holding"


def test_missing_sdk_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from hypecheck.errors import MissingDependencyError
    from hypecheck.mcp_server import INSTALL, serve

    real = builtins.__import__

    def no_mcp(name: str, *a: Any, **k: Any) -> Any:
        if name == "mcp" or name.startswith(("mcp.", "mcp_types")):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_mcp)
    with pytest.raises(MissingDependencyError) as exc:
        serve()
    assert exc.value.hint == INSTALL == "pip install 'hypecheck[mcp]'"
