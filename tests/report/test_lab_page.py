"""The lab's page: written beside its JSON, self-contained, charts embedded, skill sentence shown,
user text escaped."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pytest

from hypecheck.lab.run import LabResult, run_lab
from hypecheck.report.labpage import write_page


@pytest.fixture(scope="module")
def lab() -> LabResult:
    return run_lab(None)


def test_page_written_self_contained(lab: LabResult, tmp_path: Path) -> None:
    path = write_page(lab, tmp_path / "out")
    assert path == tmp_path / "out" / "lab.html"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    for h in lab.histories:
        assert html.escape(h.skill_sentence()) in text
        if not h.verdict.shows_skill:
            assert "No skill shown" in text
    assert "The holdout (the last five years of each history) was never used" in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert "<script" not in text.lower()
    charts = len(re.findall(r"<img\b", text)) + len(re.findall(r"<svg\b", text))
    assert charts >= 4
    assert all(src.startswith("data:image/") for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', text))
    data = json.loads((tmp_path / "out" / "lab.json").read_text(encoding="utf-8"))
    assert "histories" in data
    assert [h["name"] for h in data["histories"]] == [h.name for h in lab.histories]


def test_page_escapes_text(lab: LabResult, tmp_path: Path) -> None:
    nasty = '<script>alert(1)</script> & "x"'
    h = dataclasses.replace(lab.histories[0], name=nasty, description=nasty, universe=nasty)
    text = write_page(LabResult(lab.horizon, [h]), tmp_path).read_text(encoding="utf-8")
    assert nasty not in text
    assert "<script" not in text.lower()
    assert html.escape(nasty) in text
