"""What the dashboard's ``/lab`` page shows, read from the lab's JSON contract (v3, README "The lab":
``LabResult.to_dict()``): per history the power line, the retention table (kept half against the
random walk, per horizon and class, with intervals), skill against the random walk, the range's
coverage and the holdout by year. Nothing is recomputed here: every figure is formatted from the
contract, and a field the contract lacks is shown as "n/a"."""

from __future__ import annotations

import math
from typing import Any

NA = "n/a"


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def pct(x: Any, digits: int = 1) -> str:
    v = _num(x)
    return NA if v is None else f"{100 * v:.{digits}f}%"


def signed(x: Any, digits: int = 3) -> str:
    v = _num(x)
    return NA if v is None else f"{v:+.{digits}f}"


def plain(x: Any, digits: int = 3) -> str:
    v = _num(x)
    return NA if v is None else f"{v:.{digits}f}"


def pp(x: Any) -> str:
    """A difference of two shares in percentage points (+3.2)."""
    v = _num(x)
    return NA if v is None else f"{100 * v:+.1f}"


def interval(ci: Any, fmt: Any = signed) -> str:
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        return ""
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def count(n: Any, n_eff: Any) -> str:
    """``3,990 (3,610)``: narratives, and independent ones in brackets."""
    a, b = _num(n), _num(n_eff)
    if a is None:
        return NA
    return f"{int(a):,}" + ("" if b is None else f" ({int(b):,})")


def sign_class(ci: Any) -> str:
    """``pos`` / ``neg`` when an interval lies wholly above / below zero, else ``""``."""
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        return ""
    lo, hi = _num(ci[0]), _num(ci[1])
    if lo is not None and lo > 0:
        return "pos"
    if hi is not None and hi < 0:
        return "neg"
    return ""


def _power(h: dict[str, Any]) -> str:
    d = h.get("detectable") or {}
    auc, ic = _num(d.get("auc")), _num(d.get("ic"))
    if auc is None:
        return "The smallest edge these data could detect was not measured."
    return (
        f"Edges below AUC {auc:.3f}" + ("" if ic is None else f" (IC {ic:.3f})") + " cannot be seen in "
        "these data (95% confidence, 80% power): a smaller skill would look like none."
    )


def _retention(h: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "horizon": str(r.get("horizon", "")),
            "class": str(r.get("class", "")),
            "n": count(r.get("n"), r.get("n_effective")),
            "observed": pct(r.get("observed")),
            "ci_observed": interval(r.get("ci_observed"), lambda v: pct(v)),
            "random_walk": pct(r.get("random_walk")),
            "diff": pp(r.get("diff")),
            "ci": interval(r.get("ci"), pp),
            "sign": sign_class(r.get("ci")),
        }
        for r in h.get("retention") or []
    ]


def _skill(h: dict[str, Any]) -> dict[str, str] | None:
    k = h.get("kept_half_skill")
    if not k:
        return None
    w = k.get("weights") or {}
    feats = w.get("features") or {}
    weights = ", ".join(f"{f} {signed(v)}" for f, v in feats.items())
    priors = ", ".join(f"{p:g}" for p in w.get("priors_chosen") or [] if _num(p) is not None)
    return {
        "n": count(k.get("n"), k.get("n_effective")),
        "kept_half": pct(k.get("kept_half")),
        "p_rw_mean": pct(k.get("p_rw_mean")),
        "bss_null": signed(k.get("bss_null")),
        "ci_bss_null": interval(k.get("ci_bss_null")),
        "sign": sign_class(k.get("ci_bss_null")),
        "bss_rw_vs_base": signed(k.get("bss_rw_vs_base")),
        "ci_bss_rw_vs_base": interval(k.get("ci_bss_rw_vs_base")),
        "auc": plain(k.get("auc")),
        "ci_auc": interval(k.get("ci_auc"), plain),
        "auc_rw": plain(k.get("auc_rw")),
        "ic": signed(k.get("ic")),
        "ci_ic": interval(k.get("ci_ic")),
        "tercile": signed(k.get("tercile_spread"), 2),
        "ci_tercile": interval(k.get("ci_tercile_spread"), lambda v: signed(v, 2)),
        "weights": (
            f"Weights of the model that scored the holdout (fitted {w.get('fitted_on', NA)}, prior sd "
            f"{w.get('prior_sd', NA)}, log-odds per deviation on top of the random walk's): intercept "
            f"{signed(w.get('intercept'))}" + (f", {weights}" if weights else "") + "."
            if w
            else ""
        ),
        "priors": priors,
    }


def _range(h: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    r = h.get("range") or {}
    if not r:
        return "", []
    rows = []
    for name, part in (("walk-forward", r), ("holdout", r.get("holdout") or {})):
        if part:
            rows.append(
                {
                    "name": name,
                    "n": count(part.get("n"), part.get("n_effective")),
                    "coverage": pct(part.get("coverage_oos")),
                    "ci": interval(part.get("ci"), lambda v: pct(v)),
                    "unconditional": pct(part.get("coverage_unconditional")),
                    "score_skill": pct(part.get("score_skill")),
                    "ci_score_skill": interval(part.get("ci_score_skill"), pp),
                    "sign": sign_class(part.get("ci_score_skill")),
                }
            )
    level = _num(r.get("level"))
    title = f"{'' if level is None else f'{100 * level:.0f}% '}range of the {r.get('horizon', '')} spread"
    return title, rows


def _holdout(h: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    ho = h.get("holdout_vs_null") or {}
    if not ho:
        return "", []
    sentence = (
        f"Holdout {h.get('holdout_start', '')} to {h.get('data_end', '')}, "
        f"{count(ho.get('n'), ho.get('n_effective'))} narratives (independent in brackets), scored by "
        f"the model frozen at its start: Brier skill against the random walk {signed(ho.get('bss_null'))} "
        f"{interval(ho.get('ci'))}."
    )
    rows = [
        {
            "year": str(y.get("year", "")),
            "n": count(y.get("n"), y.get("n_effective")),
            "kept_half": pct(y.get("kept_half")),
            "random_walk": pct(y.get("p_rw_mean")),
            "bss": signed(y.get("bss")),
            "without": signed(y.get("bss_without_year")),
        }
        for y in ho.get("by_year") or []
    ]
    return sentence, rows


def _fade(h: dict[str, Any]) -> str:
    f = h.get("fade_flagged") or {}
    share = _num(f.get("share"))
    if share is None:
        return ""
    level = _num(f.get("level")) or 0.05
    return (
        f"The fade test {f.get('age', '')} after birth flags {pct(share)} of {count(f.get('n'), None)} "
        f"narratives at the {100 * level:.0f}% level (95% CI {interval(f.get('ci'), pct)[1:-1].replace(', ', ' to ')}; "
        f"under the random walk, {100 * level:.0f}%)."
    )


def histories(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One display dict per history of a lab result (an empty list before the lab is done)."""
    if not result:
        return []
    out = []
    for h in result.get("histories") or []:
        range_title, range_rows = _range(h)
        holdout_sentence, by_year = _holdout(h)
        out.append(
            {
                "name": str(h.get("name", "")),
                "description": str(h.get("description", "")),
                "counts": count(h.get("n"), h.get("n_effective")),
                "power": _power(h),
                "retention": _retention(h),
                "skill": _skill(h),
                "range_title": range_title,
                "range": range_rows,
                "holdout": holdout_sentence,
                "by_year": by_year,
                "fade": _fade(h),
                "skill_sentence": str(h.get("skill_sentence", "")),
                "skipped": len(h.get("skipped_pairs") or []),
            }
        )
    return out
