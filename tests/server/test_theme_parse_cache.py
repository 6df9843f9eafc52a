"""The dashboard lists every theme on each request; a theme file is parsed again only when it
changed (its stamp: mtime, size, inode, status-change time), and a broken file keeps its error until
it changes. Hand-written theme files in a temporary folder."""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path

import pytest

import hypecheck.theme as theme_mod
from hypecheck.server.engine import Engine


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = theme_mod.parse_theme

    def spy(data, where="theme"):  # type: ignore[no-untyped-def]
        seen.append(str(where))
        return real(data, where=where)

    monkeypatch.setattr(theme_mod, "parse_theme", spy)
    return seen


def _user_theme(folder: Path, id: str, title: str) -> Path:
    text = (resources.files("hypecheck") / "themes" / "small-cap-rotation.toml").read_text("utf-8")
    text = text.replace('id = "small-cap-rotation"', f'id = "{id}"', 1)
    p = folder / f"{id}.toml"
    p.write_text(text.replace("title = ", f'title = "{title}"\n# was: ', 1), "utf-8")
    return p


def test_unchanged_theme_files_are_not_parsed_again(
    tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(themes_dir=tmp_path)
    mine = _user_theme(tmp_path, "mine", "Mine")
    (tmp_path / "broken.toml").write_text("id = [\n", "utf-8")
    # every file written "long ago" as far as the trust rule sees it: the clock moved 1 hour ahead
    real_ns = time.time_ns
    monkeypatch.setattr("hypecheck.server.engine.time.time_ns", lambda: real_ns() + 3_600 * 10**9)
    first = engine.themes()
    assert "mine" in {t.id for t in first} and any("broken.toml" in e for e in engine.theme_errors)
    n = len(parses)
    assert n >= 5  # the built-in themes and mine
    again = engine.themes()
    assert len(parses) == n  # nothing parsed again
    assert [t.id for t in again] == [t.id for t in first]
    assert any("broken.toml" in e for e in engine.theme_errors)  # the error is still listed
    # an edit is seen: new bytes (and a new status-change time), the title changes
    _user_theme(tmp_path, "mine", "Mine, edited")
    st = mine.stat()
    os.utime(mine, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited = {t.id: t for t in engine.themes()}
    assert edited["mine"].title == "Mine, edited" and parses[n:] == [str(mine)]


def test_a_file_changed_just_now_is_parsed_each_time(tmp_path: Path, parses: list[str]) -> None:
    """Within 2 s of a file's last change its stamp is not trusted (an edit in the same clock tick
    could keep every field): it is parsed on every request until then."""
    engine = Engine(themes_dir=tmp_path)
    mine = _user_theme(tmp_path, "mine", "Mine")
    engine.themes()
    engine.themes()
    assert parses.count(str(mine)) == 2
