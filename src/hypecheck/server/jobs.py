"""Bounded background work for the dashboard: every long piece of work (a check, a cold scan, a chart
drawn to PNG, a page that draws charts, a re-run, the lab) is a job run by one of ``max_runs`` worker
threads. Up to ``max_queued`` more jobs wait; beyond that :class:`Busy` is raised (429 with
Retry-After). An identical job (same key) queued or running is shared rather than queued again.

Requests await their job without holding a thread (:func:`wait`), so the event loop, which answers
``/api/health``, competes with at most ``max_runs`` computing threads, never with every request in
flight (B1: 80 chart requests drawn at once in the request thread pool held the health check 20 s).
"""

from __future__ import annotations

import asyncio
import math
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
DEFAULT_MAX_QUEUED = 16


class Busy(Exception):
    """Every check slot and queue place is taken: the request gets 429 with ``retry_after``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


@dataclass
class _Job:
    work: Callable[[], Any]
    future: Future[Any]
    key: Hashable | None
    on_start: Callable[[], None] | None


class Jobs:
    """``max_runs`` worker threads (default: the number of CPUs) and ``max_queued`` waiting places.

    ``pending`` counts the admitted jobs (waiting or computing), ``running`` those computing; a job's
    place is given back before its future is resolved, so whoever awaited it may submit again."""

    def __init__(self, max_runs: int | None = None, max_queued: int = DEFAULT_MAX_QUEUED) -> None:
        self.max_runs = max(1, max_runs if max_runs is not None else (os.cpu_count() or 1))
        self.max_queued = max(0, max_queued)
        self.lock = threading.Lock()
        self.pending = 0
        self.running = 0
        self.durations: deque[float] = deque(maxlen=20)
        self.shared: dict[Hashable, Future[Any]] = {}
        self.queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.workers: list[threading.Thread] = []

    def submit(
        self,
        work: Callable[[], T],
        *,
        key: Hashable | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> Future[T]:
        """Queue ``work`` (or return the queued or running job with the same ``key``); :class:`Busy`
        when every place is taken. ``on_start`` is called when a worker takes the job."""
        with self.lock:
            if key is not None and key in self.shared:
                return self.shared[key]
            self.admit_locked()
            future: Future[Any] = Future()
            if key is not None:
                self.shared[key] = future
            if len(self.workers) < self.max_runs:
                w = threading.Thread(target=self._work, name="hypecheck-job", daemon=True)
                self.workers.append(w)
                w.start()
        self.queue.put(_Job(work, future, key, on_start))
        return future

    def admit_locked(self) -> None:
        """Take a place (the caller holds ``lock``), or raise :class:`Busy`."""
        if self.pending >= self.max_runs + self.max_queued:
            raise Busy(self.retry_after_locked())
        self.pending += 1

    def _work(self) -> None:
        while True:
            job = self.queue.get()
            t0 = time.monotonic()
            with self.lock:
                self.running += 1
            value: Any = None
            error: BaseException | None = None
            try:
                if job.on_start is not None:
                    job.on_start()
                value = job.work()
            except BaseException as exc:  # handed to whoever awaits the job
                error = exc
            with self.lock:
                self.running -= 1
                self.pending -= 1
                self.durations.append(time.monotonic() - t0)
                if job.key is not None and self.shared.get(job.key) is job.future:
                    del self.shared[job.key]
            if error is None:
                job.future.set_result(value)
            else:
                job.future.set_exception(error)
            del job, value, error  # drop the references while waiting for the next job

    def retry_after_locked(self) -> int:
        """Seconds until a place is likely free: the recent mean job time per queue round."""
        mean = sum(self.durations) / len(self.durations) if self.durations else 5.0
        rounds = 1 + max(0, self.pending - self.max_runs) / self.max_runs
        return max(1, min(300, math.ceil(mean * rounds)))

    def retry_after(self) -> int:
        with self.lock:
            return self.retry_after_locked()

    def load(self) -> dict[str, int]:
        with self.lock:
            return {
                "running": self.running,
                "queued": self.pending - self.running,
                "max_runs": self.max_runs,
                "max_queued": self.max_queued,
            }


async def wait(future: Future[T]) -> T:
    """The job's value (or its exception) for a request, awaited on the event loop without holding a
    thread. A request that goes away leaves the job running for the others sharing it."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def copy(f: Future[T]) -> None:
        if done.cancelled():
            return
        exc = f.exception()
        if exc is None:
            done.set_result(f.result())
        else:
            done.set_exception(exc)

    def hand_over(f: Future[T]) -> None:
        with suppress(RuntimeError):  # the loop closed meanwhile (the server stopped)
            loop.call_soon_threadsafe(copy, f)

    future.add_done_callback(hand_over)
    return await done
