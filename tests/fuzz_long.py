"""The long fuzz run: tests/test_fuzz.py with many more examples per property (``make fuzz``).

    .venv/bin/python tests/fuzz_long.py [EXAMPLES] [extra pytest args ...]

EXAMPLES defaults to 5000 (or ``$HYPECHECK_FUZZ_EXAMPLES``). Not collected by pytest (no ``test_``
prefix). Exits with pytest's status; a failure prints the shrunk input (hypothesis ``note``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def main(argv: list[str]) -> int:
    examples = argv[0] if argv and argv[0].isdigit() else os.environ.get("HYPECHECK_FUZZ_EXAMPLES", "5000")
    extra = argv[1:] if argv and argv[0].isdigit() else argv
    os.environ["HYPECHECK_FUZZ_EXAMPLES"] = str(int(examples))
    here = Path(__file__).resolve().parent
    print(f"fuzzing with {examples} examples per property", flush=True)
    return int(
        pytest.main(
            [
                str(here / "data" / "test_fuzz.py"),
                "-p",
                "no:cacheprovider",
                "--hypothesis-show-statistics",
                "--durations=0",
                *extra,
            ]
        )
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
