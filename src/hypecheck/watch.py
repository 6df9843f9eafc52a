"""``hypecheck watch``: evaluate a theme's triggers, compare with the last run, say what changed.

State lives in the store (``state`` table, key ``watch:<theme>:<data>``): the as-of date, the verdict
label and score, and every trigger's state. A run prints the changes since the previous run, re-scores
the verdict, optionally POSTs a JSON payload to a webhook, and exits with a code a script can use:

* 0: nothing changed (or the first run);
* 6: at least one trigger changed state;
* 7: the verdict label changed (whatever the triggers did).

Suitable for cron: ``hypecheck watch small-cap-rotation --live`` once a day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EXIT_OK, EXIT_TRIGGER, EXIT_VERDICT, ProviderError

EXIT_UNCHANGED = EXIT_OK  # the codes live in errors.py; these names kept for watch's readers


@dataclass
class WatchResult:
    theme: str
    as_of: str
    label: str
    score: float | None
    triggers: list[dict[str, Any]]
    changes: list[str] = field(default_factory=list)
    first_run: bool = False
    exit_code: int = EXIT_UNCHANGED
    webhook: str = ""
    finding: str = ""  # what the check found first: the fade test of the theme's pair

    def line(self) -> str:
        """The first line a watch prints: the label and what was found, then the evidence lean."""
        lean = (
            f" (evidence lean {self.score:+.2f}: which way the ledger's items lean, not the label)"
            if self.score is not None
            else ""
        )
        return f"{self.theme} as of {self.as_of}: {self.label.upper()}" + (
            f" - {self.finding}{lean}" if self.finding else lean
        )

    def payload(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "as_of": self.as_of,
            "verdict": {"label": self.label, "finding": self.finding, "evidence_lean": self.score},
            "changes": self.changes,
            "triggers": self.triggers,
        }


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    """POST ``payload`` as JSON; returns the HTTP status. Raises ProviderError on failure."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return int(r.status)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderError(
            f"webhook {url} failed: {exc}", hint="check the URL; the watch state was saved"
        ) from exc


def run_watch(
    theme: Any,
    *,
    store: Any,
    as_of: str | None = None,
    data: str | Path | None = None,
    catalog: Any = None,
    source: str = "files",
    webhook: str | None = None,
    post: Callable[[str, dict[str, Any]], int] = post_json,
) -> WatchResult:
    from .api import check

    if catalog is not None:
        res = check(theme, as_of=as_of, catalog=catalog, source=source)
    else:
        res = check(theme, as_of=as_of, data=data)
    where = (
        "store" if catalog is not None and source == "store" else ("bundled" if data is None else str(data))
    )
    key = f"watch:{theme.id}:{where}"
    prev = store.get_state(key)
    trig = [t.to_dict() for t in res.triggers]
    out = WatchResult(
        theme=theme.id,
        as_of=res.as_of.strftime("%Y-%m-%d"),
        label=res.verdict.label,
        score=res.verdict.score,
        triggers=trig,
        first_run=prev is None,
        finding=(res.verdict.fade or {}).get("sentence", ""),
    )
    if prev is not None:
        before = {t["id"]: t["state"] for t in prev.get("triggers", [])}
        for t in trig:
            old = before.get(t["id"])
            if old is not None and old != t["state"]:
                out.changes.append(f"trigger {t['id']}: {old} -> {t['state']} ({t['detail']})")
        if prev.get("label") != out.label:
            out.changes.append(
                f"verdict: {prev.get('label')} -> {out.label} (evidence lean {prev.get('score')} -> {out.score})"
            )
            out.exit_code = EXIT_VERDICT
        elif out.changes:
            out.exit_code = EXIT_TRIGGER
    store.set_state(
        key,
        {
            "as_of": out.as_of,
            "label": out.label,
            "score": out.score,
            "triggers": trig,
            "run_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    if webhook and (out.changes or out.first_run):
        status = post(webhook, out.payload())
        out.webhook = f"posted to {webhook} (HTTP {status})"
    return out
