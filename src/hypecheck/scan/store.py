"""Stored scans and what changed between two of them.

Each scan is kept in the store (the DuckDB file ``hypecheck watch`` and ``fetch`` use) in its own
table ``scan_results`` (scope, as_of, run_at, result as JSON; one row per scope and date, a rerun
replaces it). The *scope* names the universe (name and version) and the data scanned (the folder, the
store, the bundled data), so scans of different data are never compared. The table is created by this
module through the store's write connection, after the store's own checks and schema (a foreign,
damaged or newer store is refused as for any write). A read-only store is scanned but not written:
the scan says so.

Changes from a *previous* scan (the stored scan of the same scope with the latest date before this
one; with ``--since DATE``, the stored scan on or before ``DATE``, else a scan computed as of ``DATE``
from the same data) to this one, narratives keyed by leader and laggard:

* **born**: listed now, not before (and its pair was not listed the other way round);
* **flipped**: listed now with leader and laggard swapped (the pair's lead reversed);
* **faded**: listed before, not now (in neither orientation);
* **strengthened** / **weakened**: listed in both, |sharpness| up / down by at least
  :data:`STRENGTH_STEP` deviations;
* **relabelled**: listed in both with a different label.

Exit codes, as ``hypecheck watch``: 0 nothing changed (or no earlier scan), 6 narratives were born,
faded, strengthened or weakened, 7 a narrative flipped or changed label.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import EXIT_OK as EXIT_UNCHANGED
from ..errors import EXIT_TRIGGER, EXIT_VERDICT

TABLE = "scan_results"
STRENGTH_STEP = 0.5  # deviations of the pair's noise
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    scope VARCHAR NOT NULL, as_of DATE NOT NULL, run_at TIMESTAMP NOT NULL, result VARCHAR NOT NULL,
    PRIMARY KEY (scope, as_of))"""


@dataclass
class Changes:
    since: str  # the as-of date of the scan compared with
    as_of: str
    born: list[dict[str, Any]] = field(default_factory=list)
    faded: list[dict[str, Any]] = field(default_factory=list)
    flipped: list[dict[str, Any]] = field(default_factory=list)
    strengthened: list[dict[str, Any]] = field(default_factory=list)
    weakened: list[dict[str, Any]] = field(default_factory=list)
    relabelled: list[dict[str, Any]] = field(default_factory=list)
    baseline: str = "stored"  # stored | computed

    @property
    def any(self) -> bool:
        return bool(
            self.born or self.faded or self.flipped or self.strengthened or self.weakened or self.relabelled
        )

    @property
    def exit_code(self) -> int:
        if self.flipped or self.relabelled:
            return EXIT_VERDICT
        return EXIT_TRIGGER if self.any else EXIT_UNCHANGED

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "as_of": self.as_of,
            "baseline": self.baseline,
            "born": self.born,
            "faded": self.faded,
            "flipped": self.flipped,
            "strengthened": self.strengthened,
            "weakened": self.weakened,
            "relabelled": self.relabelled,
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[str]:
        out = []
        for n in self.born:
            out.append(
                f"born: {n['leader']} ahead of {n['laggard']} since {n['born']} "
                f"({_sd(n['sharpness'])} sd over 15 days now)"
            )
        for n in self.flipped:
            out.append(
                f"flipped: {n['leader']} now ahead of {n['laggard']} ({_sd(n['sharpness'])} sd, born {n['born']}); "
                f"on {self.since} {n['laggard']} led"
            )
        for n in self.strengthened:
            out.append(
                f"strengthened: {n['leader']} over {n['laggard']} {_sd(n['before'])} -> {_sd(n['sharpness'])} sd"
            )
        for n in self.weakened:
            out.append(
                f"weakened: {n['leader']} over {n['laggard']} {_sd(n['before'])} -> {_sd(n['sharpness'])} sd"
            )
        for n in self.faded:
            out.append(
                f"faded: {n['leader']} over {n['laggard']} (born {n['born']}, {_sd(n['sharpness'])} sd on "
                f"{self.since}) no longer live"
            )
        for n in self.relabelled:
            out.append(f"relabelled: {n['leader']} over {n['laggard']} {n['before']} -> {n['label']}")
        return out


def _sd(x: Any) -> str:
    return "n/a" if x is None else f"{x:+.1f}"


def compare(before: dict[str, Any], after: dict[str, Any], *, baseline: str = "stored") -> Changes:
    """What changed from the scan ``before`` to the scan ``after`` (both ``ScanResult.to_dict()``)."""
    ch = Changes(since=str(before["as_of"]), as_of=str(after["as_of"]), baseline=baseline)
    b = {(n["leader"], n["laggard"]): n for n in before.get("narratives", [])}
    a = {(n["leader"], n["laggard"]): n for n in after.get("narratives", [])}

    def brief(n: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "leader": n["leader"],
            "laggard": n["laggard"],
            "born": n["born"],
            "sharpness": n.get("sharpness"),
            "p": n.get("p"),
            "label": n.get("label"),
            **extra,
        }

    for k, n in a.items():
        if k in b:
            old = b[k]
            s1, s0 = n.get("sharpness"), old.get("sharpness")
            if s1 is not None and s0 is not None:
                if abs(s1) - abs(s0) >= STRENGTH_STEP:
                    ch.strengthened.append(brief(n, before=s0))
                elif abs(s0) - abs(s1) >= STRENGTH_STEP:
                    ch.weakened.append(brief(n, before=s0))
            if n.get("label") != old.get("label"):
                ch.relabelled.append(brief(n, before=old.get("label")))
        elif (k[1], k[0]) in b:
            ch.flipped.append(brief(n))
        else:
            ch.born.append(brief(n))
    for k, n in b.items():
        if k not in a and (k[1], k[0]) not in a:
            ch.faded.append(brief(n))
    return ch


def scope_of(universe: str, version: str, data: str) -> str:
    return f"{universe}@{version}|{data}"


def _has_table(con: Any) -> bool:
    rows = con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ?",
        [TABLE],
    ).fetchall()
    return bool(rows)


def save(store: Any, scope: str, result: dict[str, Any]) -> str:
    """Keep ``result`` in the store (replacing a scan of the same scope and date); returns what was
    done, in words. A read-only store is left unchanged."""
    if store.read_only():
        store.verify()
        return f"the store {store.path} is read-only: this scan was not saved (later scans cannot compare with it)"
    with store._connect(write=True) as con:
        con.execute(_DDL)
        con.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?) ON CONFLICT (scope, as_of) DO UPDATE SET "
            "run_at = excluded.run_at, result = excluded.result",
            [
                scope,
                result["as_of"],
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                json.dumps(result, allow_nan=False),
            ],
        )
    return f"saved in {store.path}"


def load(
    store: Any, scope: str, *, before: str | None = None, on_or_before: str | None = None
) -> dict[str, Any] | None:
    """The stored scan of ``scope`` with the latest date strictly ``before`` (or ``on_or_before``) a date."""
    if not store.exists():
        return None
    with store._connect(write=False) as con:
        if not _has_table(con):
            return None
        q, arg = ("as_of < ?", before) if before is not None else ("as_of <= ?", on_or_before)
        rows = con.execute(
            f"SELECT result FROM {TABLE} WHERE scope = ? AND {q} ORDER BY as_of DESC LIMIT 1", [scope, arg]
        ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def history(store: Any, scope: str) -> list[tuple[str, int]]:
    """(as_of, number of narratives) of every stored scan of ``scope``, oldest first."""
    if not store.exists():
        return []
    with store._connect(write=False) as con:
        if not _has_table(con):
            return []
        rows = con.execute(
            f"SELECT CAST(as_of AS VARCHAR), result FROM {TABLE} WHERE scope = ? ORDER BY as_of", [scope]
        ).fetchall()
    return [(d, len(json.loads(r).get("narratives", []))) for d, r in rows]


__all__ = ["STRENGTH_STEP", "Changes", "compare", "history", "load", "save", "scope_of"]
