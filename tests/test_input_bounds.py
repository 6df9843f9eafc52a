"""The red team's remaining input breaks (issue 23, B6, B7, B9, B10, B11): each a clear error with exit
code 2 (never an internal error), or an honest message. Everything runs on small files built in
``tmp_path``; nothing needs ../shared or the network."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from hypecheck.cli import main
from hypecheck.errors import InputError

NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, "utf-8", newline="")
    return path


def run(*args: Any, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env={**NO_NETWORK, **(env or {})})


def assert_clear(res: Result, code: int = 2) -> None:
    """Exit ``code`` with an ``error:`` line and no traceback or internal error."""
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert "error:" in res.output, res.output


def closes_csv(drift: float, n: int = 300, start: str = "2023-01-02") -> str:
    days = pd.bdate_range(start, periods=n)
    rows = (
        f"{d:%Y-%m-%d},{100 * (1 + drift) ** k * (1 + 0.01 * math.sin(k)):.4f}\n" for k, d in enumerate(days)
    )
    return "Date,Close\n" + "".join(rows)


def nested_array(n: int) -> str:
    return "[" * n + "]" * n


def nested_table(n: int) -> str:
    return "{a = " * n + "1" + "}" * n


# ============================================================== B6: TOML nesting in every TOML a user hands us


@pytest.mark.parametrize(
    "text",
    [
        'name = "u"\nx = ' + nested_array(500) + "\n",  # a universe file
        'name = "u"\n[pairs]\nsizes = ' + nested_array(500) + "\n",  # inside its pairs table
        '[members]\nprices = "m.csv"\nx = ' + nested_table(500) + "\n",  # a [members] table
        'name = "u"\n' + "a" + ".a" * 600 + " = 1\n",  # dotted keys nest too
    ],
    ids=["universe-array", "universe-pairs", "members-table", "dotted-keys"],
)
def test_a_deeply_nested_universe_file_is_a_clear_input_error(tmp_path: Path, text: str) -> None:
    for name in ("deep.toml", "deep.txt"):  # any file read as a universe TOML, whatever its suffix
        bad = write(tmp_path / name, text)
        res = run("scan", "--universe", bad)
        assert_clear(res)
        assert "deep" in res.output and name in res.output


def test_a_deeply_nested_member_universe_is_refused_by_the_library_too(tmp_path: Path) -> None:
    from hypecheck.lab.members import is_member_file, load_member_universe
    from hypecheck.schema import Catalog

    bad = write(tmp_path / "deep.toml", '[members]\nprices = "m.csv"\nx = ' + nested_array(500) + "\n")
    is_member_file(bad)  # answers (either way) without a RecursionError
    with pytest.raises(InputError, match="deep"):
        load_member_universe(bad, Catalog("files"))


def test_a_deeply_nested_config_file_is_a_clear_input_error(tmp_path: Path) -> None:
    from hypecheck.data.connectors.fred import find_api_key

    for text in (
        '[fred]\napi_key = "k"\nx = ' + nested_table(500) + "\n",
        '[fred]\napi_key = "k"\nx = ' + nested_array(500) + "\n",
    ):
        cfg = write(tmp_path / "config.toml", text)
        with pytest.raises(InputError, match="deep") as info:
            find_api_key({"HYPECHECK_CONFIG": str(cfg)})
        assert "config" in info.value.message
    fine = write(tmp_path / "ok.toml", '[fred]\napi_key = " abc "\n')
    assert find_api_key({"HYPECHECK_CONFIG": str(fine)}) == "abc"
