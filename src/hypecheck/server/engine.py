"""The dashboard's engine: what data it reads, the themes it serves, and the long work behind its
pages (checks, scans, themes written from a scan's row, re-runs, the lab), cached and bounded.

Every piece of long work is a job of :class:`~hypecheck.server.jobs.Jobs`: at most ``max_runs``
compute at once, up to ``max_queued`` more wait, beyond that :class:`~hypecheck.server.jobs.Busy`
(429). Methods named ``*_now`` compute in the calling thread and are called from inside a job; the
others (:meth:`Engine.check`, :meth:`Engine.scan`) submit a job and wait for it. Identical re-runs
share one run; finished runs expire.

What a job made for a check result (a chart's PNG, a chart's Vega-Lite spec, a theme's page) is kept
in a bounded LRU (:meth:`Engine.keep_artefact`) and served again without a job
(:meth:`Engine.cached`) only while the check cache still holds that very result object: a re-run or
a rewritten theme drops the result (:meth:`Engine._forget`), and with it what was made from it.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import HypecheckError, InputError, cut_words
from .draw import Drawer
from .jobs import DEFAULT_MAX_QUEUED, Jobs, wait
from .words import api_words, short

T = TypeVar("T")
KEEP_RUNS = 50  # finished runs kept at most ...
RUN_TTL = 15 * 60.0  # ... and for at most this many seconds
MAX_THEME_FILE = 1024 * 1024  # a --themes file larger than this is listed as invalid, not parsed
KEEP_SCANS = 8  # scan results kept (per as-of date asked)
KEEP_GENERATED = 64  # themes written from scan rows kept (the oldest is dropped first)
KEEP_ARTEFACTS = 256  # chart PNGs, chart specs and theme pages kept at most ...
ARTEFACT_BYTES = 64 * 1024 * 1024  # ... and at most this many bytes of them (the oldest dropped first)


@dataclass
class _Artefact:
    """What a job made from a check result: its bytes, the check cache's key of that result, a
    reference to the result (weak when the result allows it) and, for a page, the theme list it shows."""

    body: bytes
    result_key: Hashable
    result: Callable[[], Any]
    nav: Hashable = None


def _ref(obj: Any) -> Callable[[], Any]:
    """A weak reference to ``obj`` (a result kept only by the cache), else a strong one."""
    try:
        return weakref.ref(obj)
    except TypeError:
        return lambda: obj


class Engine:
    """Runs checks for the app and caches results per (theme, as-of, calibrate).

    At most ``max_runs`` jobs (checks, scans, charts, re-runs, the lab) compute at once (default: the
    number of CPUs), whether a page asked or a re-run; up to ``max_queued`` more wait for a slot, and
    beyond that :class:`~hypecheck.server.jobs.Busy` is raised (429). An identical re-run (same theme,
    as-of, calibrate) while one is queued or running gets that run. Finished runs are kept for
    ``run_ttl`` seconds, at most ``keep_runs`` of them."""

    def __init__(
        self,
        data: Path | None = None,
        store: Path | None = None,
        cache_size: int = 32,
        themes_dir: Path | None = None,
        max_runs: int | None = None,
        max_queued: int = DEFAULT_MAX_QUEUED,
        keep_runs: int = KEEP_RUNS,
        run_ttl: float = RUN_TTL,
        keep_artefacts: int = KEEP_ARTEFACTS,
        artefact_bytes: int = ARTEFACT_BYTES,
    ) -> None:
        self.data = None if data is None else Path(data)
        self.store = None if store is None else Path(store)
        self.themes_dir = None if themes_dir is None else Path(themes_dir)
        self.theme_errors: list[str] = []
        self.jobs = Jobs(max_runs, max_queued)
        self.drawer = Drawer(self.jobs.max_runs)  # charts drawn to PNG in processes, one per slot
        self.lock = threading.Lock()
        self.cache: OrderedDict[Hashable, Any] = OrderedDict()  # (theme, as-of, calibrate) -> result
        self.cache_size = cache_size
        self.inflight: dict[Hashable, threading.Lock] = {}  # a key being computed -> its lock
        self.runs: dict[str, dict[str, Any]] = {}
        self.keep_runs = keep_runs
        self.run_ttl = run_ttl
        self.active: dict[tuple[str, str | None, bool], str] = {}  # request -> queued/running run
        self.finished: OrderedDict[str, float] = OrderedDict()  # run id -> when it finished
        self.scans: OrderedDict[Hashable, Any] = OrderedDict()  # as-of asked ("" = latest) -> ScanResult
        self.labs: dict[str, dict[str, Any]] = {}  # horizon -> the lab job (queued, running, done, failed)
        self.lab_runner: Callable[[Path | None, str, Callable[[str], None]], dict[str, Any]] = run_lab_dict
        self.scan_runner: Callable[[Any, str | None], Any] = scan_universe  # (catalog, as-of) -> ScanResult
        self.generated: OrderedDict[str, tuple[Any, str]] = OrderedDict()  # id -> (Theme, its TOML)
        # (kind, theme, name, as-of date, calibrate) -> what a job made from the check result then cached
        self.artefacts: OrderedDict[tuple[str, str, str, str, bool], _Artefact] = OrderedDict()
        self.artefacts_size = 0  # bytes kept in ``artefacts``
        self.keep_artefacts = keep_artefacts
        self.artefact_bytes = artefact_bytes
        self.parsed: dict[str, tuple[tuple[int, ...], Any]] = {}  # theme file -> (its stamp, Theme or error)

    @property
    def max_runs(self) -> int:
        return self.jobs.max_runs

    @property
    def max_queued(self) -> int:
        return self.jobs.max_queued

    # -- what the checks read
    def source_label(self, public: bool = False) -> str:
        """What the checks read; ``public``: only the data's folder or file name, never its path."""

        def show(p: Path) -> str:
            return (p.resolve().name or str(p)) if public else str(p)

        if self.store is not None:
            return f"store: {show(self.store)}"
        return "bundled sample data" if self.data is None else f"files: {show(self.data)}"

    def data_note(self, public: bool = False) -> str:
        """Which data the checks read when none was given, and how to point the server at yours
        ("" when ``--data`` or ``--store`` was given). Shown by ``serve`` and on every page."""
        if self.store is not None or self.data is not None:
            return ""
        where = self.themes_dir if not public or self.themes_dir is None else self.themes_dir.resolve().name
        whose = (
            f"your themes from {where} are checked on it too, and most of their series are "
            "not in it (they will show as missing)"
            if self.themes_dir is not None
            else "a theme about current markets will find little of its data there"
        )
        return (
            "No --data given: these checks read the bundled sample data (Ken French portfolios, a few "
            f"macro series, to 2017; offline); {whose}. To check on your own data, restart with "
            "`hypecheck serve --data PATH` (a folder of price, FRED and Google Trends CSVs), or "
            "`--store PATH` for data fetched with `hypecheck fetch`."
        )

    def catalog(self, as_of: Any = None) -> Any:
        """The catalog the checks read; its ``source`` names the theme mapping that applies. From a
        store with ``as_of``: what the store knew on that date (later revisions left out)."""
        from ..data.catalog import load_catalog

        if self.store is not None:
            from ..store import Store

            st = Store(self.store)
            cat = st.catalog(known_at=as_of) if as_of is not None else st.catalog()
            cat.source = "store"
            return cat
        return load_catalog(self.data)

    # -- themes
    def themes(self) -> list[Any]:
        """The built-in themes, then the user's (``--themes DIR``: every *.toml there), then those
        written from scan rows. A file that does not load, whatever the reason, or whose id a built-in
        theme or an earlier file already has, is not served and is listed in ``theme_errors`` (shown on
        the index page)."""
        from ..theme import builtin_theme_names

        out = [self.load_theme(n) for n in builtin_theme_names()]
        errors: list[str] = []
        if self.themes_dir is not None:
            out += _user_themes(self.themes_dir, {t.id for t in out}, errors, self.load_theme)
        self.theme_errors = errors
        with self.lock:
            made = [t for t, _ in self.generated.values()]
        ids = {t.id for t in out}
        out += [t for t in made if t.id not in ids]  # a built-in or user theme with the id wins
        return out

    def load_theme(self, ref: str | Path) -> Any:
        """:func:`hypecheck.theme.load_theme` of a built-in name or a file, parsed again only when the
        file changed: its stamp (:func:`hypecheck.data.folder.file_stamp`, the folder index's) differs
        from the one it was parsed at, or was taken within 2 s of its last change (an edit in the same clock tick could
        keep every field). A file that failed raises the same error until it changes. Every request
        lists the themes; with this a page no longer parses every theme file each time."""
        from importlib import resources

        from ..data.folder import STAMP_MARGIN_NS, file_stamp
        from ..theme import load_theme

        path = ref if isinstance(ref, Path) else resources.files("hypecheck") / "themes" / f"{ref}.toml"
        try:
            st = Path(str(path)).stat()
        except OSError:
            return load_theme(ref)  # not a file here (a zipped install, a missing file): as before
        stamp = tuple(file_stamp(st))
        key = str(path)
        with self.lock:
            hit = self.parsed.get(key)
        if hit is not None and hit[0] == stamp:
            if isinstance(hit[1], BaseException):
                raise hit[1].with_traceback(None)  # not a traceback that grows with every request
            return hit[1]
        fresh = st.st_ctime_ns < time.time_ns() - STAMP_MARGIN_NS
        try:
            theme = load_theme(ref)
        except Exception as exc:
            if fresh:
                with self.lock:
                    self.parsed[key] = (stamp, exc)
            raise
        if fresh:
            with self.lock:
                self.parsed[key] = (stamp, theme)
        return theme

    def theme(self, theme_id: str) -> Any:
        for t in self.themes():
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    # -- jobs
    def submit(self, work: Callable[[], T], key: Hashable | None = None) -> Any:
        """``work`` as a bounded job (:meth:`Jobs.submit`): its future."""
        return self.jobs.submit(work, key=key)

    async def run(self, work: Callable[[], T], key: Hashable | None = None) -> T:
        """``work`` as a bounded job, awaited by a request without holding a thread."""
        return await wait(self.jobs.submit(work, key=key))

    def close(self) -> None:
        """Stop what outlives a request (the drawing processes); the server stops."""
        self.drawer.close()

    def retry_after(self) -> int:
        return self.jobs.retry_after()

    def load(self) -> dict[str, int]:
        return self.jobs.load()

    def _memo(
        self, store: OrderedDict[Hashable, Any], size: int, key: Hashable, compute: Callable[[], T]
    ) -> T:
        """``store[key]``, else ``compute()`` kept there (the oldest dropped beyond ``size``); one
        computation per key at a time: a second caller waits for the first and takes its value."""
        with self.lock:
            if key in store:
                store.move_to_end(key)
                return store[key]  # type: ignore[no-any-return]
            one = self.inflight.setdefault(key, threading.Lock())
        try:
            with one:
                with self.lock:
                    if key in store:  # computed meanwhile by the caller we waited for
                        store.move_to_end(key)
                        return store[key]  # type: ignore[no-any-return]
                value = compute()
                with self.lock:
                    store[key] = value
                    while len(store) > size:
                        store.popitem(last=False)
                return value
        finally:
            with self.lock:
                if self.inflight.get(key) is one:
                    del self.inflight[key]

    # -- checks
    def check(self, theme_id: str, as_of: str | None, calibrate: bool = True) -> Any:
        """The result for (theme, as-of, calibrate), computed as a bounded job (:meth:`check_now`)
        and waited for; :class:`Busy` when every place is taken."""
        return self.submit(lambda: self.check_now(theme_id, as_of, calibrate)).result()

    def check_now(
        self, theme_id: str, as_of: str | None, calibrate: bool = True, progress: Any = None
    ) -> Any:
        """The result for (theme, as-of, calibrate): from the cache, else computed here (inside a job;
        one computation per key at a time). KeyError for an unknown theme."""
        return self.check_entry(theme_id, as_of, calibrate, progress)[1]

    def check_entry(
        self, theme_id: str, as_of: str | None, calibrate: bool = True, progress: Any = None
    ) -> tuple[tuple[str, str, bool], Any]:
        """(the cache's key, the result) for (theme, as-of, calibrate): :meth:`check_now` with the key
        its result is cached under (what :meth:`keep_artefact` is given)."""
        from ..api import check

        th, _themes, catalog, ts, key = self._resolve(theme_id, as_of, calibrate)
        source = catalog.source
        if self.store is not None:  # the check reads the store as known on its as-of date
            catalog = self.catalog(ts.date())
        return key, self._memo(
            self.cache,
            self.cache_size,
            key,
            lambda: check(
                th, as_of=ts, catalog=catalog, source=source, calibrate=calibrate, progress=progress
            ),
        )

    def _resolve(
        self, theme_id: str, as_of: str | None, calibrate: bool
    ) -> tuple[Any, list[Any], Any, Any, tuple[str, str, bool]]:
        """(theme, every theme served, catalog, as-of timestamp, the check cache's key) for a check
        of ``theme_id`` as of ``as_of`` (None: the theme's default). Light: the catalog of a data
        folder or the bundled data is loaded once per process. KeyError for an unknown theme."""
        from ..api import resolve_as_of

        themes = self.themes()
        th = next((t for t in themes if t.id == theme_id), None)
        if th is None:
            raise KeyError(theme_id)
        catalog = self.catalog()
        ts = resolve_as_of(th, catalog, catalog.source, as_of or None)
        return th, themes, catalog, ts, (theme_id, ts.strftime("%Y-%m-%d"), calibrate)

    def _forget(self, theme_id: str) -> None:
        """Drop the cached results of ``theme_id`` (a re-run, a theme rewritten), and what was made
        from them (charts, specs, pages)."""
        with self.lock:
            for k in [k for k in self.cache if k[0] == theme_id]:  # type: ignore[index]
                del self.cache[k]
            for a in [a for a in self.artefacts if a[1] == theme_id]:
                self._drop_artefact_locked(a)

    # -- what jobs made from a check result (chart PNGs, chart specs, theme pages), served again
    @staticmethod
    def nav(themes: list[Any]) -> tuple[tuple[str, str], ...]:
        """What a theme page shows of the themes served (its theme switcher)."""
        return tuple((t.id, t.title) for t in themes)

    def keep_artefact(
        self,
        kind: str,
        name: str,
        result_key: tuple[str, str, bool],
        result: Any,
        body: bytes,
        nav: Hashable = None,
    ) -> None:
        """Keep ``body``, made by a job from ``result`` (cached under ``result_key``, as
        :meth:`check_entry` gives them), as the ``kind`` artefact ``name`` (a page: ``nav``, the themes
        it shows, :meth:`nav`). The oldest are dropped beyond ``keep_artefacts`` entries or
        ``artefact_bytes`` bytes; a body larger than that budget is not kept."""
        theme_id, day, calibrate = result_key
        key = (kind, theme_id, name, day, calibrate)
        with self.lock:
            if key in self.artefacts:
                self._drop_artefact_locked(key)
            if len(body) > self.artefact_bytes or self.keep_artefacts <= 0:
                return
            self.artefacts[key] = _Artefact(bytes(body), result_key, _ref(result), nav)
            self.artefacts_size += len(body)
            while len(self.artefacts) > self.keep_artefacts or self.artefacts_size > self.artefact_bytes:
                self._drop_artefact_locked(next(iter(self.artefacts)))

    def _drop_artefact_locked(self, key: tuple[str, str, str, str, bool]) -> None:
        gone = self.artefacts.pop(key, None)
        if gone is not None:
            self.artefacts_size -= len(gone.body)

    def artefact(
        self, kind: str, theme_id: str, name: str, as_of: str | None, calibrate: bool = True
    ) -> bytes | None:
        """The ``kind`` artefact ``name`` of the check of ``theme_id`` as of ``as_of``, when one was
        made from the result the check cache holds now for that check (and, for a page, with the
        themes served now); else None (what was kept from another result is dropped). The as-of is
        resolved as :meth:`check_now` resolves it; any error there is None too (the job says it)."""
        if not self._kept_any(kind, theme_id, name):
            return None  # nothing to resolve for
        try:
            _th, themes, _catalog, _ts, rkey = self._resolve(theme_id, as_of, calibrate)
        except Exception:
            return None
        key = (kind, theme_id, name, rkey[1], calibrate)
        with self.lock:
            kept = self.artefacts.get(key)
            if kept is None:
                return None
            result = kept.result()
            if result is None or kept.result_key != rkey or self.cache.get(rkey) is not result:
                self._drop_artefact_locked(key)  # made from a result no longer cached
                return None
            if kept.nav is not None and kept.nav != self.nav(themes):
                return None  # a page showing another list of themes: made again
            self.artefacts.move_to_end(key)
            self.cache.move_to_end(rkey)  # the result in use stays cached
            return kept.body

    async def cached(
        self, kind: str, theme_id: str, name: str, as_of: str | None, calibrate: bool = True
    ) -> bytes | None:
        """:meth:`artefact` for a request, without a job and off the event loop (in the request
        thread pool, only when something of that kind and name was kept for the theme)."""
        if not self._kept_any(kind, theme_id, name):
            return None
        from anyio import to_thread

        return await to_thread.run_sync(self.artefact, kind, theme_id, name, as_of, calibrate)

    def _kept_any(self, kind: str, theme_id: str, name: str) -> bool:
        """Whether any ``kind`` artefact ``name`` of ``theme_id`` is kept (whatever its as-of)."""
        with self.lock:
            return any(k[0] == kind and k[1] == theme_id and k[2] == name for k in self.artefacts)

    async def made_or_run(
        self, kind: str, theme_id: str, name: str, as_of: str | None, make: Callable[[], bytes]
    ) -> bytes:
        """The ``kind`` artefact ``name`` as kept (:meth:`cached`, no job), else ``make()`` run as a
        bounded job (shared with an identical one queued or running; ``make`` keeps what it made)."""
        body = await self.cached(kind, theme_id, name, as_of)
        if body is None:
            body = await self.run(make, key=(kind, theme_id, name, as_of))
        return body

    # -- the scan page: live narratives, and a theme written for one of them
    def scan(self, as_of: str | None) -> Any:
        """The scan of the catalog's universe as of ``as_of`` (None: the last date of its closes),
        from the cache, else computed as a bounded job (:meth:`scan_now`) and waited for."""
        with self.lock:
            cached = self.scans.get(("scan", as_of or ""))
        if cached is not None:
            return cached
        return self.submit(lambda: self.scan_now(as_of), key=("scan", as_of or "")).result()

    def scan_now(self, as_of: str | None) -> Any:
        """The scan as of ``as_of``: from the cache, else computed here (inside a job)."""
        from ..scan.core import scan

        return self._memo(
            self.scans,
            KEEP_SCANS,
            ("scan", as_of or ""),
            lambda: scan(self.catalog(as_of or None), as_of or None),
        )

    def scan_api(self, as_of: str | None) -> Any:
        """:meth:`scan_now` for a request: an as-of date the data have no closes on (before their
        start or after their end) is 404, in the API's words."""
        from fastapi import HTTPException

        try:
            return self.scan_now(as_of)
        except InputError as exc:
            text = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            raise HTTPException(404, api_words(text)) from None

    def scan_theme_now(self, leader: str, laggard: str, as_of: str | None) -> tuple[Any, str]:
        """(theme, as-of date) for the live narrative ``leader`` over ``laggard`` of the scan as of
        ``as_of``: the theme ``hypecheck scan --theme`` writes, served like the other themes from then
        on (inside a job). KeyError when the scan has no such narrative."""
        from .._toml import parse_bounded
        from ..errors import ThemeError
        from ..scan.themegen import theme_toml
        from ..theme import parse_theme

        res = self.scan_now(as_of)
        if res.find(leader, laggard) is None:
            raise KeyError(f"{leader}-{laggard}")
        text = theme_toml(res, leader, laggard)
        theme = parse_theme(
            parse_bounded(
                text, "the theme written from the scan", ThemeError, hint="a bug: please report it"
            ),
            where=f"scan {leader}-{laggard}",
        )
        with self.lock:
            old = self.generated.pop(theme.id, None)
            self.generated[theme.id] = (theme, text)
            while len(self.generated) > KEEP_GENERATED:
                self.generated.popitem(last=False)
        if old is not None and old[1] != text:  # rewritten differently: drop its cached checks
            self._forget(theme.id)
        return theme, res.as_of.strftime("%Y-%m-%d")

    # -- the lab: a bounded background job, one per horizon
    def lab_data(self) -> Path | None:
        """The folder the lab reads besides the bundled Ken French history (None: only that one; a
        store is not read by the lab)."""
        return self.data if self.store is None else None

    def lab_status(self, horizon: str) -> dict[str, Any]:
        """The lab job for ``horizon`` as the API shows it (status ``idle`` when none was started)."""
        with self.lock:
            return _lab_view(self.labs.get(horizon), horizon)

    def start_lab(self, horizon: str, *, again: bool = False) -> dict[str, Any]:
        """Start the lab for ``horizon`` in the background, or return the queued, running or finished
        job (``again``: a finished or failed one is run again). A job like a re-run: it takes a queue
        place, then a slot, so it never computes inside a request; :class:`Busy` when every place is
        taken."""
        with self.lock:
            job = self.labs.get(horizon)
            if job is not None and (
                job["status"] in ("queued", "running") or (job["status"] == "done" and not again)
            ):
                return _lab_view(job, horizon)
            job = {
                "horizon": horizon,
                "status": "queued",
                "stage": "waiting for a free slot",
                "progress": 0.0,
            }
            job |= {"error": None, "started_at": None, "finished_at": None, "result": None}
            data = self.lab_data()
            self.jobs.submit(
                lambda: _run_lab_job(job, self.lab_runner, data, horizon), on_start=_started(job)
            )
            self.labs[horizon] = job
        return self.lab_status(horizon)

    # -- background re-runs
    def _prune_locked(self, now: float) -> None:
        while self.finished:
            rid, when = next(iter(self.finished.items()))
            if len(self.finished) <= self.keep_runs and now - when <= self.run_ttl:
                break
            del self.finished[rid]
            self.runs.pop(rid, None)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.lock:
            self._prune_locked(time.monotonic())
            run = self.runs.get(run_id)
            return None if run is None else dict(run)

    def start_run(self, theme_id: str, as_of: str | None, calibrate: bool) -> dict[str, Any]:
        """A background re-run (recomputes, replacing the cached results for the theme), or the
        queued or running one for the same request. Raises :class:`Busy` when the queue is full."""
        request = (theme_id, as_of, calibrate)
        with self.lock:
            self._prune_locked(time.monotonic())
            same = self.active.get(request)
            if same is not None and same in self.runs:
                return dict(self.runs[same])
            run_id = uuid.uuid4().hex[:12]
            run: dict[str, Any] = {"run_id": run_id, "theme": theme_id, "as_of": as_of, "status": "queued"}
            run |= {"progress": 0.0, "stage": "queued", "error": None, "result_url": None}

            def started() -> None:
                run["status"], run["started_at"] = "running", time.time()
                run["progress"], run["stage"] = 0.1, "loading data"

            self.jobs.submit(lambda: self._rerun(run, request), on_start=started)
            self.runs[run_id] = run
            self.active[request] = run_id
            return dict(run)

    def _rerun(self, run: dict[str, Any], request: tuple[str, str | None, bool]) -> None:
        """The work of a re-run (inside a job): the check recomputed, its progress and outcome in
        ``run``."""
        theme_id, as_of, calibrate = request

        def progress(p: float, stage: str) -> None:
            run["progress"], run["stage"] = p, stage

        try:
            self._forget(theme_id)  # a re-run recomputes: drop the cached results
            res = self.check_now(theme_id, as_of, calibrate, progress)
            run["computed_at"] = time.time()
            progress(0.9, "rendering")
            run["as_of"] = res.as_of.strftime("%Y-%m-%d")
            run["result_url"] = f"/themes/{theme_id}?as_of={run['as_of']}"
            run["verdict"] = {"label": res.verdict.label, "score": res.verdict.score}
            progress(1.0, "done")
            run["status"] = "done"
        except HypecheckError as exc:
            run["status"], run["error"], run["stage"] = "failed", str(exc), "failed"
        except Exception as exc:  # pragma: no cover - a bug: report it in the run, keep serving
            run["status"], run["error"], run["stage"] = "failed", f"internal error: {exc}", "failed"
        finally:
            run.setdefault("computed_at", time.time())
            with self.lock:
                if self.active.get(request) == run["run_id"]:
                    del self.active[request]
                now = time.monotonic()
                self.finished[run["run_id"]] = now
                self._prune_locked(now)


def _user_themes(
    folder: Path, builtin: set[str], errors: list[str], load_theme: Callable[[Path], Any]
) -> list[Any]:
    """The themes of every *.toml in ``folder`` that loads (with ``load_theme``) and whose id is not
    taken (by a built-in theme or an earlier file); what is wrong with the others appended to
    ``errors``."""
    out: list[Any] = []
    owner: dict[str, str] = {}
    for f in sorted(Path(folder).glob("*.toml")):
        try:
            if f.is_file() and f.stat().st_size > MAX_THEME_FILE:
                raise ValueError(f"is larger than {MAX_THEME_FILE // 1024} KiB")
            t = load_theme(f)
        except HypecheckError as exc:
            errors.append(f"{f.name}: {short(exc.message, 300)}")
            continue
        except RecursionError:
            errors.append(f"{f.name}: nested too deeply to read")
            continue
        except Exception as exc:  # any other failure: this file is invalid, the rest serve
            errors.append(f"{f.name}: could not be read ({short(str(exc) or type(exc).__name__)})")
            continue
        if t.id in builtin:
            errors.append(
                f"{f.name}: its id {t.id!r} is a built-in theme's, which is served instead; "
                "give it another id to serve it"
            )
        elif t.id in owner:
            errors.append(
                f"{f.name}: its id {t.id!r} is already used by {owner[t.id]}, which is served "
                "instead; give it another id to serve it"
            )
        else:
            owner[t.id] = f.name
            out.append(t)
    return out


def scan_universe(catalog: Any, as_of: str | None) -> Any:
    """:func:`hypecheck.scan.core.scan` of ``catalog`` as of ``as_of``: what ``/scan`` shows."""
    from ..scan.core import scan

    return scan(catalog, as_of)


def run_lab_dict(data: Path | None, horizon: str, progress: Callable[[str], None]) -> dict[str, Any]:
    """:func:`hypecheck.lab.run.run_lab` on the bundled history (and ``data``'s), as its JSON
    contract (``LabResult.to_dict()``) without the per-episode rows (``hypecheck lab --json`` has
    them): what the ``/lab`` page shows."""
    from ..lab.run import run_lab

    out = dict(run_lab(data, horizon=horizon, progress=progress).to_dict())
    out.pop("episodes", None)
    return out


def _started(job: dict[str, Any]) -> Callable[[], None]:
    def started() -> None:
        job["status"], job["started_at"] = "running", time.time()
        job["stage"], job["progress"] = "starting", 0.05

    return started


def _run_lab_job(
    job: dict[str, Any],
    runner: Callable[[Path | None, str, Callable[[str], None]], dict[str, Any]],
    data: Path | None,
    horizon: str,
) -> None:
    """The work of a lab job (inside a job): ``runner``'s result, its stages and outcome in ``job``."""
    steps = 2 * (1 + (data is not None))  # run_lab reports two stages per history
    done = [0]

    def progress(stage: str) -> None:
        done[0] += 1
        job["stage"], job["progress"] = stage, round(0.1 + 0.8 * (done[0] - 1) / steps, 3)

    try:
        result = runner(data, horizon, progress)
        job["result"] = _json_safe(result)
        job["status"], job["stage"], job["progress"] = "done", "done", 1.0
    except HypecheckError as exc:
        job["status"], job["stage"], job["error"] = "failed", "failed", cut_words(str(exc), 400)
    except Exception as exc:  # a bug: say so in the job, keep serving
        job["status"], job["stage"] = "failed", "failed"
        job["error"] = cut_words(f"internal error: {type(exc).__name__}: {exc}", 400)
    finally:
        job["finished_at"] = time.time()


def _json_safe(x: Any) -> Any:
    """``x`` with every non-finite float as None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if hasattr(x, "item") and not isinstance(x, str | bytes):  # numpy scalars
        return _json_safe(x.item())
    return x


def _lab_view(job: dict[str, Any] | None, horizon: str) -> dict[str, Any]:
    if job is None:
        return {"horizon": horizon, "status": "idle", "stage": "not started", "progress": 0.0}
    return dict(job)
