"""The signature of a narrative's move, as measured statements from the theme's own evidence.

Three descriptions, each ``{state, finding}`` (and, where the lab's panel has the same measurement,
how past narratives with and without it fared against the random walk):

* **attention**: ``attention-led`` when one of the theme's search or news series had its latest spike
  in the :data:`LEAD_MONTHS` months before the narrative's birth (the date the move began), ``attention
  followed`` when the spike came after the birth, ``no attention spike`` when the series shows none
  in that window, ``no attention data`` without a series;
* **catalysts**: ``aligned`` when more of the theme's macro series and dated events point the
  narrative's way than against it, ``against`` when fewer, ``mixed`` when as many, ``no catalyst
  data`` without any (each theme says which way it needs each series);
* **breadth**: ``broad`` or ``narrow`` from the equal- minus cap-weight spread, and whether that is
  what the theme claims (its ``[breadth] leadership``).

Editing the theme's evidence (its terms, macro directions, leadership) changes these and the lines
that quote them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

LEAD_MONTHS = 3


def _attention(pillars: dict[str, Any], birth: pd.Timestamp | None, as_of: pd.Timestamp) -> dict[str, Any]:
    p = pillars.get("attention")
    rows = p.tables.get("terms", []) if p is not None else []
    if not rows:
        return {"state": "no attention data", "finding": "the theme has no search or news series in the data"}
    anchor = birth if birth is not None else as_of
    what = "the narrative's birth" if birth is not None else "the as-of date"
    lo = anchor - pd.DateOffset(months=LEAD_MONTHS)
    best = None
    for r in rows:
        d = r.get("current_spike") or r.get("persist_spike_date")
        if not d:
            continue
        ts = pd.Timestamp(d)
        if ts > as_of:
            continue
        if best is None or abs((ts - anchor).days) < abs((best[1] - anchor).days):
            best = (r, ts)
    if best is None:
        terms = ", ".join(f"'{r.get('term')}'" for r in rows)
        return {"state": "no attention spike", "finding": f"no spike in {terms} up to {as_of:%Y-%m-%d}"}
    r, ts = best
    kind = r.get("attention", "search")
    days = (anchor - ts).days
    if lo <= ts <= anchor:
        state, rel = "attention-led", f"{days} days before {what} ({anchor:%Y-%m-%d})"
    elif ts > anchor:
        state, rel = "attention followed", f"{-days} days after {what} ({anchor:%Y-%m-%d})"
    else:
        state, rel = (
            "no attention spike",
            f"{days} days before {what} ({anchor:%Y-%m-%d}), outside {LEAD_MONTHS} months",
        )
    return {
        "state": state,
        "finding": f"{kind} interest in '{r.get('term')}' last spiked on {ts:%Y-%m-%d}, {rel}",
    }


def _catalysts(pillars: dict[str, Any]) -> dict[str, Any]:
    p = pillars.get("catalysts")
    items = [
        e for e in (p.evidence if p is not None else []) if e.id.startswith(("macro:", "event", "policy"))
    ]
    if not items:
        return {
            "state": "no catalyst data",
            "finding": "the theme's macro series and events are not in the data",
        }
    pro = [e.id.split(":", 1)[-1] for e in items if e.leaning == "catalyst"]
    con = [e.id.split(":", 1)[-1] for e in items if e.leaning == "viral"]
    state = "aligned" if len(pro) > len(con) else "against" if len(con) > len(pro) else "mixed"
    finding = f"{len(pro)} of {len(items)} of the theme's catalyst measures point the narrative's way"
    finding += f" ({', '.join(pro)})" if pro else ""
    finding += f", {len(con)} against ({', '.join(con)})" if con else ""
    return {"state": state, "finding": finding}


def _breadth(pillars: dict[str, Any], leadership: str) -> dict[str, Any]:
    p = pillars.get("breadth")
    ew = [
        e for e in (p.evidence if p is not None else []) if e.id.startswith("ewcw:") and e.value is not None
    ]
    if not ew:
        return {
            "state": "no breadth data",
            "finding": "no equal- and cap-weight pair of the theme in the data",
        }
    e = ew[0]
    found = "broad" if float(e.value) > 0 else "narrow"
    claim = "narrow" if leadership == "narrow" else "broad"
    agrees = found == claim
    return {
        "state": found,
        "as_claimed": agrees,
        "finding": f"{e.finding or e.claim}; the theme claims {claim} leadership"
        + (" (as measured)" if agrees else " (the data say otherwise)"),
    }


def signature(
    pillars: dict[str, Any], theme: Any, birth: pd.Timestamp | None, as_of: pd.Timestamp
) -> dict[str, dict[str, Any]]:
    """``{attention, catalysts, breadth}``, each ``{state, finding}`` (see the module)."""
    leadership = str(getattr(theme, "leadership", "broad") or "broad").strip().lower()
    return {
        "attention": _attention(pillars, birth, as_of),
        "catalysts": _catalysts(pillars),
        "breadth": _breadth(pillars, leadership),
    }


def sentence(sig: dict[str, dict[str, Any]]) -> str:
    """One line: each description's state and finding."""
    parts = []
    for k in ("attention", "catalysts", "breadth"):
        s = sig.get(k)
        if s:
            parts.append(f"{k}: {s['state']} ({s['finding']})")
    return "Signature - " + "; ".join(parts) + "."


__all__ = ["LEAD_MONTHS", "sentence", "signature"]
