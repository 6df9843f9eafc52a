"""The import graph of ``src/hypecheck``, the cost of importing it, and the pillar registry.

The rule on cycles: walk every module under ``src/hypecheck`` with ``ast``. An edge A -> B is any
``import`` of a hypecheck module B by A, **at module level or inside a function** (a function-level
import runs as surely as a module-level one, only later), plus every package ``__init__`` such an
import runs on the way (``from .report import charts`` runs ``report/__init__``), except packages A
itself lives in. Imports under ``if TYPE_CHECKING:`` are edges too: they never run, but a type named
from above is a dependency all the same (a cycle through one only waits for a run-time import to
close it). The graph must be a DAG: a cycle fails the test, named module by module. So must the graph
of folders (each top-level module or package of ``hypecheck``, its submodules merged into it):
``api -> lab -> watch -> api`` is a cycle even when no two modules form one. The one kind of reference that is not an edge
is a registry's ``"module:function"`` string (the pillar registry, like the data connectors' entry
points, names implementations that are imported when first used); so that nothing above a pillar
hides behind it, pillar modules must not import the modules that run a check or show its result
(:data:`ABOVE_PILLARS`).

:data:`PENDING` lists the edges still closing a cycle, each with why it is there and what removes it;
the test fails when one of them is gone (delete the entry) and on any cycle not closed by them.
"""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hypecheck
from hypecheck.evidence import Evidence, PillarResult
from hypecheck.pillar_registry import PILLARS, Pillar, Registry
from hypecheck.rules import Rules, load_rules

SRC = Path(__file__).resolve().parents[1] / "src"

# importer -> imported: the function-level imports of ``load_catalog`` (hypecheck.api) from below the
# check. They go when the catalog cache moves from api.py into the data layer (hypecheck.data).
PENDING: dict[tuple[str, str], str] = {}

# modules that run a check or show its result: a pillar module importing one would be a cycle the
# registry's string references hide
ABOVE_PILLARS = (
    "hypecheck.api",
    "hypecheck.result",
    "hypecheck.verdict",
    "hypecheck.report",
    "hypecheck.cli",
    "hypecheck.server",
    "hypecheck.watch",
)


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for p in sorted((SRC / "hypecheck").rglob("*.py")):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (p, is_pkg)
    return out


def _is_type_checking(node: ast.stmt) -> bool:
    t = node.test if isinstance(node, ast.If) else None
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _edges(
    name: str, path: Path, is_pkg: bool, mods: dict[str, tuple[Path, bool]], typing: bool = True
) -> dict[str, int]:
    """The modules ``name`` imports (every package on the way included): module -> first line.
    ``typing=False`` leaves out the imports under ``if TYPE_CHECKING:`` (the run-time graph)."""
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    targets: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # the module and every package the import runs
            t = ".".join(parts[:i])
            if t in mods and t != name and not name.startswith(t + "."):
                targets.setdefault(t, line)

    def visit(node: ast.AST) -> None:
        if not typing and isinstance(node, ast.If) and _is_type_checking(node):
            for n in node.orelse:
                visit(n)
            return
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "hypecheck":
                    add(a.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if prefix.split(".")[0] == "hypecheck":
                for a in node.names:
                    sub = f"{prefix}.{a.name}"
                    add(sub if sub in mods else prefix, node.lineno)
        for child in ast.iter_child_nodes(node):  # function bodies, try/except, with, if: all of it
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return targets


def import_graph(typing: bool = True) -> dict[str, dict[str, int]]:
    """importer -> {imported module: line of the first such import}; ``typing=False``: only the
    imports that run (none under ``if TYPE_CHECKING:``)."""
    mods = _modules()
    return {name: _edges(name, path, is_pkg, mods, typing) for name, (path, is_pkg) in mods.items()}


def _folder(module: str) -> str:
    """The top-level module or package of ``hypecheck`` that ``module`` lives in."""
    return ".".join(module.split(".")[:2])


def folder_graph(graph: dict[str, dict[str, int]]) -> dict[str, dict[str, tuple[str, str, int]]]:
    """folder -> {imported folder: (importer, imported, line) of one import that makes the edge}.
    The root package (``hypecheck/__init__``, its lazy public names) is left out: every module is
    below it."""
    out: dict[str, dict[str, tuple[str, str, int]]] = {}
    for a, targets in graph.items():
        fa = _folder(a)
        if fa == "hypecheck":
            continue
        out.setdefault(fa, {})
        for b, line in targets.items():
            fb = _folder(b)
            if fb not in (fa, "hypecheck"):
                out[fa].setdefault(fb, (a, b, line))
    return out


def cycles(graph: dict[str, dict[str, int]], ignore: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def edges(v: str) -> list[str]:
        return [w for w in graph[v] if (v, w) not in ignore]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(_path(comp, edges))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _path(comp: list[str], edges: Callable[[str], list[str]]) -> list[str]:
    """The shortest closed path from the component's first module (by name) back to itself."""
    members, start = set(comp), sorted(comp)[0]
    prev: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges(v)):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [*reversed(path), start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return sorted(comp)  # pragma: no cover - a component always closes


def test_the_walk_finds_edges_at_every_level() -> None:
    """The walker sees module-level, function-level, package and TYPE_CHECKING edges."""
    g, run = import_graph(), import_graph(typing=False)
    assert "hypecheck.pillar_registry" in g["hypecheck.verdict"]  # module level
    assert "hypecheck.lab.verdict" in g["hypecheck.api"]  # inside _panel_verdict()
    assert "hypecheck.report" in g["hypecheck.result"]  # `from .report import charts` runs report/__init__
    # only under TYPE_CHECKING: an edge of the graph, not of the run-time graph
    assert (
        "hypecheck.theme" in g["hypecheck.report.view"]
        and "hypecheck.theme" not in run["hypecheck.report.view"]
    )
    assert "hypecheck.rules" in g["hypecheck.pillar_registry"]
    assert "hypecheck.result" not in g["hypecheck.report.html"]  # the reports read the result's shape
    assert "hypecheck" not in g["hypecheck.result"]  # the version comes from hypecheck._version
    folders = folder_graph(g)
    assert "hypecheck.pillars" not in folders["hypecheck.pillars"]  # inside a folder: no folder edge
    assert folders["hypecheck.pillars"]["hypecheck.evidence"][0].startswith("hypecheck.pillars.")
    planted = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert cycles(planted, set()) == [["a", "b", "c", "a"]]
    assert cycles(planted, {("c", "a")}) == []


def test_no_import_cycles() -> None:
    g = import_graph()
    found = cycles(g, set(PENDING))
    assert not found, "import cycles under src/hypecheck:\n" + "\n".join(
        " -> ".join(c) + f"  (line {g[c[-2]][c[-1]]} of {c[-2]})" for c in found
    )
    gone = [f"{a} -> {b}" for a, b in PENDING if b not in g.get(a, {})]
    assert not gone, f"no longer imported, delete from PENDING: {gone}"


def test_no_import_cycles_between_folders() -> None:
    """No cycle between the top-level modules and packages of ``hypecheck`` either (TYPE_CHECKING
    imports counted): each cycle is named folder by folder, with one import making each step."""
    f = folder_graph(import_graph())
    found = cycles({a: dict.fromkeys(bs, 1) for a, bs in f.items()}, set())
    assert not found, "import cycles between folders of src/hypecheck:\n" + "\n".join(
        " -> ".join(c)
        + "\n  "
        + "; ".join(f"{f[a][b][0]} -> {f[a][b][1]} (line {f[a][b][2]})" for a, b in itertools.pairwise(c))
        for c in found
    )


def test_the_cycles_of_the_issue_are_seen_when_planted() -> None:
    """The walk would have found the cycles it was extended for: a TYPE_CHECKING import closing one
    (as ``report -> result`` did) and a cycle of folders (as ``api -> lab -> watch -> api`` did)."""
    g = {k: dict(v) for k, v in import_graph().items()}
    g["hypecheck.report.html"]["hypecheck.result"] = 20  # under TYPE_CHECKING, as it was
    assert any("hypecheck.result" in c and "hypecheck.report.html" in c for c in cycles(g, set()))
    g = {k: dict(v) for k, v in import_graph().items()}
    g["hypecheck.lab.verdict"]["hypecheck.watch"] = 33  # a lab module reading watch, as the scan store did
    f = folder_graph(g)
    found = cycles({a: dict.fromkeys(bs, 1) for a, bs in f.items()}, set())
    assert [sorted(c[:-1]) for c in found] == [["hypecheck.api", "hypecheck.lab", "hypecheck.watch"]]


def test_pillar_modules_do_not_import_the_check() -> None:
    g = import_graph()
    bad = [
        f"{m} -> {t} (line {line})"
        for m, ts in g.items()
        if m.startswith("hypecheck.pillars.")
        for t, line in ts.items()
        if t.startswith(ABOVE_PILLARS) and (m, t) not in PENDING
    ]
    assert not bad, bad


def _imported(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    return {m.split(".")[0] for m in out}


HEAVY = {"scipy", "numba", "llvmlite", "matplotlib", "jinja2", "dask", "sklearn", "fastapi"}


def test_import_hypecheck_imports_nothing_heavy() -> None:
    """``import hypecheck`` loads neither pandas nor any heavy library; the public names still work."""
    loaded = _imported("import hypecheck")
    assert not loaded & (HEAVY | {"pandas", "numpy"}), loaded & (HEAVY | {"pandas", "numpy"})
    assert callable(hypecheck.check) and callable(hypecheck.breadth) and callable(hypecheck.load_theme)
    assert set(hypecheck.__all__) <= set(dir(hypecheck))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        hypecheck.nope  # noqa: B018


def test_a_check_without_calibration_imports_no_heavy_library() -> None:
    """A bundled check without the panel model, to JSON, needs pandas only: no SciPy (the 95% normal
    quantile is a constant), no Numba (a handful of sector series use the pandas breadth engine), no
    matplotlib or Jinja2 (no report is drawn)."""
    loaded = _imported(
        "import hypecheck\nr = hypecheck.check('small-cap-rotation', calibrate=False)\nassert r.to_json()"
    )
    assert not loaded & HEAVY, loaded & HEAVY


def test_the_95_percent_normal_quantile_is_scipys() -> None:
    from scipy import stats

    from hypecheck.analytics.episodes import Z_975, normal_quantile, wilson

    assert float(stats.norm.ppf(0.975)) == Z_975
    assert normal_quantile(0.995) == float(stats.norm.ppf(0.995))
    # Wilson 95% interval for 7 of 10, from the textbook formula with scipy's z
    z = float(stats.norm.ppf(0.975))
    p, n = 0.7, 10
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson(7, 10) == pytest.approx((mid - half, mid + half), abs=1e-15)


def test_small_panels_are_validated_and_measured_like_the_compiled_engine() -> None:
    """The NumPy scan of a small panel finds the same first bad close as the compiled scan, and the
    ``auto`` engine's breadth equals the compiled engine's."""
    from hypecheck.analytics.breadth import _scan, breadth
    from hypecheck.analytics.breadth_numba import scan_closes

    rng = np.random.default_rng(7)
    x = np.exp(np.cumsum(rng.normal(0, 0.01, (400, 6)), axis=0))
    x[rng.random(x.shape) < 0.1] = np.nan
    assert _scan(x) == scan_closes(np.asfortranarray(x))
    for i, j, v in ((250, 4, -1.0), (30, 2, 0.0), (399, 0, np.inf)):
        y = x.copy()
        y[i, j] = v
        y[i + 1 :, j] = np.nan if i < 399 else y[i + 1 :, j]
        assert _scan(y) == scan_closes(np.asfortranarray(y)) and _scan(y)[1:] == (i, j)
    closes = pd.DataFrame(x, index=pd.bdate_range("2020-01-01", periods=400), columns=list("abcdef"))
    pd.testing.assert_frame_equal(
        breadth(closes, engine="auto"), breadth(closes), check_exact=False, atol=1e-12
    )


# --- the pillar registry ----------------------------------------------------------------------


def test_every_registered_pillar_has_a_weight_in_the_default_rules() -> None:
    rules = load_rules()
    assert [p.name for p in PILLARS] == list(PILLARS.names())
    for p in PILLARS:
        assert float(rules.get("weights", p.weight_key)) >= 0, p.name


def _planted(panel, rules) -> PillarResult:  # type: ignore[no-untyped-def]
    """A pillar with two measured items leaning catalyst (weight 3) and viral (weight 1): score +0.5."""
    res = PillarResult("planted")
    for i, (lean, w) in enumerate((("catalyst", 3.0), ("viral", 1.0))):
        res.evidence.append(
            Evidence("planted", f"planted.{i}", "a planted claim", 1.0, 0.0, lean, "never", "test", weight=w)
        )
    return res


def _cross(pillars, panel) -> None:  # type: ignore[no-untyped-def]
    pillars["planted"].notes.append(f"cross step saw {len(pillars)} pillars")


@pytest.fixture
def planted():  # type: ignore[no-untyped-def]
    PILLARS.register(Pillar("planted", "Planted pillar", _planted, weight="planted_w", after=_cross))
    try:
        yield
    finally:
        PILLARS.unregister("planted")


def test_a_registered_pillar_is_measured_scored_and_reported(planted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = load_rules()
    data = {k: dict(v) for k, v in base.data.items()}
    data["weights"] = {**data["weights"], "planted_w": {"value": 2.0, "rationale": "test"}}
    rules = Rules(data, "test rules")
    r = hypecheck.check("small-cap-rotation", rules=rules, calibrate=False)
    assert "planted" in r.pillars and r.pillars["planted"].notes == [f"cross step saw {len(PILLARS)} pillars"]
    row = next(a for a in r.verdict.arithmetic if a["pillar"] == "planted")
    assert (
        row["weight"] == 2.0
        and row["score"] == pytest.approx(0.5)
        and row["contribution"] == pytest.approx(1.0)
    )
    # the tally is the weighted mean over the rows: recomputed from them, the planted row included
    rows = [a for a in r.verdict.arithmetic if a["score"] is not None]
    assert r.verdict.score == pytest.approx(
        sum(a["weight"] * a["score"] for a in rows) / sum(a["weight"] for a in rows)
    )
    d = r.to_dict()
    assert list(d["pillars"])[-1] == "planted" and d["pillars"]["planted"]["score"] == pytest.approx(0.5)
    assert [e["id"] for e in d["evidence"] if e["pillar"] == "planted"] == ["planted.0", "planted.1"]
    assert "Planted pillar" in r.summary()
    from hypecheck.report.html import render_html
    from hypecheck.report.markdown import render_markdown

    assert "## Planted pillar (partial" not in render_markdown(r)  # fully measured: status ok
    assert "## Planted pillar (ok, score +0.50)" in render_markdown(r)
    assert "Planted pillar" in render_html(r, png={})


def test_a_check_measures_exactly_the_registry() -> None:
    """After the planted pillar was unregistered (by the fixture), a check measures, scores and
    reports the registered pillars only, in the registry's order."""
    r = hypecheck.check("small-cap-rotation", calibrate=False)
    assert list(r.pillars) == list(PILLARS.names()) == [a["pillar"] for a in r.verdict.arithmetic]
    assert list(r.to_dict()["pillars"]) == list(PILLARS.names()) and "Planted" not in r.summary()


def test_a_pillar_without_a_weight_is_a_clear_error(planted) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(hypecheck.InputError, match=r"no weights\.planted_w"):
        hypecheck.check("small-cap-rotation", calibrate=False)


def test_registry_refuses_duplicates_and_keeps_order() -> None:
    reg = Registry(Pillar("a", "A", _planted), Pillar("c", "C", _planted))
    reg.register(Pillar("b", "B", _planted), before="c")
    assert reg.names() == ("a", "b", "c") and reg.titles() == {"a": "A", "b": "B", "c": "C"}
    with pytest.raises(hypecheck.InputError, match="already registered"):
        reg.register(Pillar("a", "A again", _planted))
    with pytest.raises(hypecheck.InputError, match="no such pillar"):
        reg.register(Pillar("d", "D", _planted), before="zz")
    assert reg.unregister("b").title == "B" and reg.names() == ("a", "c")
    assert reg.title("unknown") == "unknown"


def test_load_quietly_imports_with_the_collector_paused_and_restores_it() -> None:
    """The CLI's ``load_quietly``: the modules are imported, what exists is frozen out of the
    collector's reach, and collection is on again afterwards (off again when it was off before); a
    second call for modules already imported freezes nothing (a test session's garbage stays
    collectable)."""
    code = (
        "import gc, sys\n"
        "from hypecheck.cli.base import load_quietly\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: seen.append(phase))\n"
        "load_quietly('pandas', 'hypecheck.api')\n"
        "assert 'pandas' in sys.modules and 'hypecheck.api' in sys.modules\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 100_000 and seen == [], seen\n"
        "frozen = gc.get_freeze_count()\n"
        "load_quietly('pandas', 'hypecheck.api'); assert gc.get_freeze_count() == frozen\n"
        "gc.disable(); load_quietly('wave'); assert 'wave' in sys.modules and not gc.isenabled()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
