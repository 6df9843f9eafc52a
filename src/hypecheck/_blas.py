"""One BLAS thread for the lab's many small matrix problems.

The lab and the panel model solve thousands of small least-squares and Newton systems (a few thousand
rows by at most 21 columns). OpenBLAS spreads each product over every core; on a busy 2-core machine
its threads then wait for each other, and one ridge-logistic fit took 388 ms instead of 0.7 ms
(measured 2026-12-06, load average 2.8). :func:`one_blas_thread` runs a function with BLAS limited to
one thread (``threadpoolctl``), restoring the caller's setting afterwards. Nested calls (a wrapped
function calling another) limit once: threadpoolctl inspects every loaded library each time it is
entered (about 6 ms a call).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_inside = threading.local()


def one_blas_thread(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_inside, "on", False):  # already limited by an outer call in this thread
            return fn(*args, **kwargs)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            _inside.on = True
            try:
                return fn(*args, **kwargs)
            finally:
                _inside.on = False

    return wrapper  # type: ignore[return-value]
