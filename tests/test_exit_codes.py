"""Exit codes live in one place, :mod:`hypecheck.errors`: the named constants hold the README's numbers,
each error class carries its constant, ``watch`` and ``scan`` reuse them, and no module outside
``errors.py`` writes an exit code as a bare number."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hypecheck
from hypecheck import errors
from hypecheck.store import StoreError

SRC = Path(hypecheck.__file__).parent
README = SRC.parents[1] / "README.md"


def test_the_constants_hold_the_documented_numbers() -> None:
    want = {
        "EXIT_OK": 0,
        "EXIT_INTERNAL": 1,
        "EXIT_INPUT": 2,
        "EXIT_NO_DATA": 3,
        "EXIT_DEPENDENCY": 4,
        "EXIT_PROVIDER": 5,
        "EXIT_TRIGGER": 6,
        "EXIT_VERDICT": 7,
    }
    assert {k: getattr(errors, k) for k in want} == want
    assert sorted(errors.EXIT_CODES.values()) == list(range(8))  # one name per code, none twice
    text = " ".join(README.read_text().split())
    assert "Exit codes: 0 ok, 1 internal error, 2 bad input" in text
    assert "3 no data, 4 missing optional dependency, 5 live provider or store failure" in text
    assert "6 (a trigger changed) and 7 (the verdict label changed)" in text


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (errors.HypecheckError, errors.EXIT_INTERNAL),
        (errors.InputError, errors.EXIT_INPUT),
        (errors.ThemeError, errors.EXIT_INPUT),
        (errors.DateOutsideDataError, errors.EXIT_INPUT),
        (errors.NoDataError, errors.EXIT_NO_DATA),
        (errors.UnknownSeriesError, errors.EXIT_NO_DATA),
        (errors.MissingDependencyError, errors.EXIT_DEPENDENCY),
        (errors.ProviderError, errors.EXIT_PROVIDER),
        (errors.OfflineError, errors.EXIT_PROVIDER),
        (StoreError, errors.EXIT_PROVIDER),
    ],
)
def test_each_error_carries_its_named_code(cls: type[errors.HypecheckError], code: int) -> None:
    assert cls("x").exit_code == code


def test_watch_and_scan_use_the_same_codes() -> None:
    from hypecheck import watch
    from hypecheck.scan import store as scanstore

    assert (watch.EXIT_UNCHANGED, watch.EXIT_TRIGGER, watch.EXIT_VERDICT) == (
        errors.EXIT_OK,
        errors.EXIT_TRIGGER,
        errors.EXIT_VERDICT,
    )
    ch = scanstore.Changes(since="2025-01-01", as_of="2025-01-02")
    assert ch.exit_code == errors.EXIT_OK
    ch.born.append({"pair": "A-B"})
    assert ch.exit_code == errors.EXIT_TRIGGER
    ch.flipped.append({"pair": "A-B"})
    assert ch.exit_code == errors.EXIT_VERDICT


BARE = re.compile(
    r"sys\.exit\(\d|SystemExit\(\d|exit_code\s*=\s*\d|exit_code\s*(==|in)\s*\(?\d|\"exit_code\":\s*\d"
)


def test_no_bare_exit_code_outside_errors() -> None:
    found = [
        f"{p.relative_to(SRC)}:{n}: {line.strip()}"
        for p in sorted(SRC.rglob("*.py"))
        if p.name != "errors.py"
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if BARE.search(line)
    ]
    assert found == []
