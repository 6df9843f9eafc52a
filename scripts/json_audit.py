"""Write the JSON every built-in theme produces (shared data and bundled data), the scan's and the
lab's, into a folder; run it before and after a refactor and `diff -r` the two folders.

    python scripts/json_audit.py OUT_DIR [SHARED_DATA] [--checks-only]

``--checks-only`` skips the scan and the lab (the slow part: the lab alone takes minutes).

Issue 22 asks for byte-identical JSON across the moves; fields that change on purpose are listed in
the closing note. Timings (``elapsed`` keys) are dropped so two runs compare.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

THEMES = ["small-cap-rotation", "equal-weight-breadth", "recession-scare", "value-vs-growth"]
VOLATILE = {"stored", "elapsed", "elapsed_s", "seconds", "generated_at", "runtime_s"}


def _strip(obj: object) -> object:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _run(args: list[str], out: Path) -> None:
    exe = Path(sys.executable).with_name("hypecheck")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HYPECHECK_STORE": str(Path(tmp) / "store.duckdb")}
        proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env)
    text = proc.stdout
    with contextlib.suppress(json.JSONDecodeError):
        text = json.dumps(_strip(json.loads(text)), indent=1, sort_keys=True)
    out.write_text(f"exit {proc.returncode}\n{text}\n{proc.stderr[-2000:]}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    checks_only = "--checks-only" in sys.argv
    dest = Path(args[0])
    dest.mkdir(parents=True, exist_ok=True)
    shared = Path(args[1]) if len(args) > 1 else Path("../shared/data")
    for theme in THEMES:
        _run(["check", theme, "--json", "--no-calibration"], dest / f"bundled-{theme}.json")
        if shared.is_dir():
            _run(["check", theme, "--json", "--data", str(shared)], dest / f"shared-{theme}.json")
            _run(
                ["check", theme, "--json", "--no-calibration", "--data", str(shared)],
                dest / f"shared-nocal-{theme}.json",
            )
    if shared.is_dir() and not checks_only:
        _run(["scan", "--data", str(shared), "--as-of", "2026-01-16", "--json"], dest / "scan.json")
        _run(["lab", "--data", str(shared), "--json"], dest / "lab.json")


if __name__ == "__main__":
    main()
