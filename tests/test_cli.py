"""CLI: help on every command, exit codes, demo output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hypecheck.cli import main

COMMANDS = ["check", "demo", "themes"]
EVERY_COMMAND = [
    "breadth", "check", "demo", "fetch", "history", "import", "lab", "mcp", "record", "scan", "serve", "themes", "watch"
]  # fmt: skip


def test_every_command_lives_in_its_own_module() -> None:
    """The thin ``cli/`` package: ``hypecheck X`` is defined in ``hypecheck/cli/X.py`` (``import_`` for
    ``import``, a keyword), registered on the one group ``main`` by importing ``hypecheck.cli``."""
    assert sorted(main.commands) == EVERY_COMMAND
    for name, cmd in main.commands.items():
        assert cmd.callback is not None
        assert cmd.callback.__module__ == f"hypecheck.cli.{'import_' if name == 'import' else name}", name


def test_python_dash_m_runs_the_same_cli() -> None:
    """``python -m hypecheck.cli`` (what the MCP configuration and the server tests start) is the same
    command line as the console script: same version, same output."""
    from hypecheck import __version__

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "hypecheck.cli", *args], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert run("--version") == f"hypecheck, version {__version__}\n"
    assert run("themes") == CliRunner().invoke(main, ["themes"]).output


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_on_every_command(cmd: str) -> None:
    res = CliRunner().invoke(main, [cmd, "--help"])
    assert res.exit_code == 0 and "Usage:" in res.output and len(res.output) > 100


def test_top_level_help_lists_commands() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    for c in COMMANDS:
        assert c in res.output


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["check", "no-such-theme"], 2, "no built-in theme"),
        (["check", "small-cap-rotation", "--as-of", "not-a-date"], 2, "not a date"),
        (["check", "small-cap-rotation", "--data", "/nonexistent/folder"], 2, "does not exist"),
        (["themes", "--show", "nope"], 2, "no built-in theme"),
        (["check"], 2, "Missing argument"),
    ],
)
def test_exit_codes(args: list[str], code: int, needle: str) -> None:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == code, res.output
    assert needle in res.output
    assert "Traceback" not in res.output


def test_bad_theme_file_lists_problems(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text('id = "t"\ntitle = "T"\nquestion = "Q?"\n[price]\npairz = 1\n', "utf-8")
    res = CliRunner().invoke(main, ["check", str(p)])
    assert res.exit_code == 2 and "did you mean 'pairs'" in res.output


def test_check_json_on_bundled_is_valid_json() -> None:
    res = CliRunner().invoke(main, ["check", "small-cap-rotation", "--json"])
    assert res.exit_code == 0, res.output
    j = json.loads(res.stdout)
    assert j["as_of"] == "2016-12-31" and j["data"]["sample_data"] is True


USER_THEME = """
id = "energy-vs-tech"
title = "Energy is the new tech"
question = "Is energy's lead over tech real?"

[attention]
terms = ["oil prices"]

[price]
windows = ["YTD", "3M", "12M"]

[[price.pairs]]
leader = "XLE"
laggard = "XLK"

[[macro]]
id = "WTI"
needs = "up"
window = "6M"
tolerance = 1.0

[mapping.bundled]
as_of = "2016-06-30"
series = { XLE = "ff:ind:Enrgy", XLK = "ff:ind:BusEq", WTI = "arch:WTI" }
"""


def test_user_written_theme_runs_without_code_changes(tmp_path: Path) -> None:
    """A theme the user writes from scratch, on the bundled data through its own mapping."""
    p = tmp_path / "energy.toml"
    p.write_text(USER_THEME, "utf-8")
    res = CliRunner().invoke(main, ["check", str(p), "--json"])
    assert res.exit_code == 0, res.output
    j = json.loads(res.stdout)
    assert j["theme"] == "energy-vs-tech" and j["as_of"] == "2016-06-30"
    assert j["pillars"]["price"]["status"] == "ok"
    assert j["pillars"]["catalysts"]["status"] == "ok"
    assert j["pillars"]["attention"]["status"] == "missing"
    # the price evidence is the energy - tech spread, checked against the bundled levels directly
    from hypecheck.api import load_catalog

    cat = load_catalog(None)
    e, t = cat.get("price", "ff:ind:Enrgy").values, cat.get("price", "ff:ind:BusEq").values
    ytd = lambda s: s[pd.Timestamp("2016-06-30")] / s[pd.Timestamp("2015-12-31")] - 1  # noqa: E731
    ev = {x["id"]: x for x in j["evidence"]}
    assert ev["lead:XLE-XLK:YTD"]["value"] == pytest.approx(ytd(e) - ytd(t), abs=1e-12)


def test_a_reader_that_stops_early_gets_no_internal_error() -> None:
    """`hypecheck check X --json | head -c 16`: the reader closes the pipe and the JSON (82 KB, more
    than the stdout buffer) cannot be written; the command stops quietly as click does on EPIPE
    (exit 0 or 1, nothing on stderr), never "internal error: BrokenPipeError" (it did: the last
    guard took EPIPE for a bug)."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "hypecheck.cli", "check", "small-cap-rotation", "--json", "--no-calibration"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the check writes: its 82 KB write fails inside the command
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "internal error" not in err and "BrokenPipe" not in err, err
    assert code in (0, 1) and err == "", (code, err)
