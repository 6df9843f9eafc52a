"""Breadth on a Dask cluster: partition by member, per-date partial counts, one reduce.

The panel is cut into column partitions of whole ``BLOCK``-member blocks. Each Dask task runs the
same compiled per-block kernel as the single-machine engine and returns its blocks' partial counts
(blocks x statistics x dates: small next to the prices). One final task sums every block's partials in
block order and the client finishes the frame exactly as the single-machine engine does, so the two
results are identical to the last bit (tested on a local cluster).

``scheduler=None`` starts a local cluster of worker processes for the call and closes it afterwards;
an address (``tcp://host:8786``) uses a running cluster, whose workers need hypecheck installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import MissingDependencyError, ProviderError
from .breadth_numba import block_partials
from .breadth_partials import BLOCK, finalize, reduce_partials


def _partition_partials(
    values: np.ndarray, caps: np.ndarray | None, windows: tuple[int, int], hilo: int
) -> np.ndarray:
    return block_partials(values, caps, windows, hilo, BLOCK)


def _reduce(parts: list[np.ndarray], n_dates: int) -> np.ndarray:
    return reduce_partials([p for part in parts for p in part], n_dates)


def breadth_dask(
    frame: pd.DataFrame,
    caps: np.ndarray | None,
    *,
    windows: tuple[int, int],
    hilo: int,
    scheduler: str | None = None,
    blocks_per_partition: int = 4,
    n_workers: int | None = None,
) -> pd.DataFrame:
    """Breadth of a validated wide frame on Dask. See :func:`hypecheck.analytics.breadth.breadth`."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "the Dask engine needs dask and distributed",
            hint="pip install 'hypecheck[dask]'",
        ) from exc
    values = frame.to_numpy(dtype=np.float64)
    n_dates, n_members = values.shape
    width = BLOCK * max(1, blocks_per_partition)
    cluster: Any = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="10s")
        else:
            import os

            workers = n_workers or max(1, min(4, os.cpu_count() or 1))
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
    except OSError as exc:
        raise ProviderError(
            f"could not reach the Dask scheduler at {scheduler}: {exc}",
            hint="start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
            "or leave --scheduler out to use a local cluster",
        ) from exc
    try:
        with client:
            tasks = []
            for lo in range(0, n_members, width):
                hi = min(n_members, lo + width)
                v = client.scatter(np.asfortranarray(values[:, lo:hi]))
                c = None if caps is None else client.scatter(np.asfortranarray(caps[:, lo:hi]))
                tasks.append(dask.delayed(_partition_partials)(v, c, windows, hilo))
            total = dask.delayed(_reduce)(tasks, n_dates)
            tot = client.compute(total).result()
    finally:
        if cluster is not None:
            cluster.close()
    return finalize(tot, pd.DatetimeIndex(frame.index), caps is not None, windows)
