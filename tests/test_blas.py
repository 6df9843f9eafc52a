"""one_blas_thread: BLAS runs on one thread inside, nested calls limit once, the caller's setting
comes back afterwards (also after an error)."""

from __future__ import annotations

import pytest

threadpoolctl = pytest.importorskip("threadpoolctl")

from hypecheck._blas import one_blas_thread  # noqa: E402


def _blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


def test_nested_calls_limit_once_and_restore(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    np.ones((2, 2)) @ np.ones((2, 2))  # BLAS loaded
    before = _blas_threads()
    if not before:
        pytest.skip("no BLAS library seen by threadpoolctl")
    entered = []
    real = threadpoolctl.threadpool_limits

    def counting(*a, **k):
        entered.append(1)
        return real(*a, **k)

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", counting)
    seen: list[list[int]] = []

    @one_blas_thread
    def inner() -> None:
        seen.append(_blas_threads())

    @one_blas_thread
    def outer() -> None:
        inner()
        seen.append(_blas_threads())

    outer()
    assert len(entered) == 1
    assert seen == [[1] * len(before), [1] * len(before)]
    assert _blas_threads() == before

    @one_blas_thread
    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert _blas_threads() == before
    inner()  # a fresh call after an error limits again
    assert len(entered) == 3 and seen[-1] == [1] * len(before)
