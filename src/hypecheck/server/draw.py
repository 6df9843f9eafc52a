"""Charts drawn to PNG in worker processes.

vl-convert holds the GIL for the whole of a drawing (about 1 s a chart on this machine, measured:
a thread ticking every millisecond stalled as long as each drawing took). In a thread of the server
that would stop the event loop, and ``/api/health`` with it, for as long. So the job that answers a
chart request (a thread holding one of the check slots) hands the chart to a process of this pool
and waits for its bytes without holding the GIL; the pool has as many processes as there are slots.
Processes are started (``spawn``: never a fork of a threaded server) on the first drawing and kept.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any


def _to_bytes(chart: Any, fmt: str) -> bytes:
    """In a worker process: ``chart`` drawn by :func:`hypecheck.report.charts.to_bytes`."""
    from ..report import charts

    return bytes(charts.to_bytes(chart, fmt))


class Drawer:
    """A pool of ``processes`` worker processes drawing charts (started on first use)."""

    def __init__(self, processes: int) -> None:
        self.processes = max(1, processes)
        self.lock = threading.Lock()
        self.pool: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self.lock:
            if self.pool is None:
                self.pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            return self.pool

    def draw(self, chart: Any, fmt: str = "png") -> bytes:
        """``chart`` as ``fmt`` bytes, drawn in a worker process (a pool whose process died is
        replaced, and the drawing tried once more)."""
        pool = self._pool()
        try:
            return pool.submit(_to_bytes, chart, fmt).result()
        except BrokenProcessPool:
            with self.lock:
                if self.pool is pool:
                    self.pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return self._pool().submit(_to_bytes, chart, fmt).result()

    def close(self) -> None:
        """Stop the worker processes (the server stops)."""
        with self.lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
