"""A Dask distributed client: an existing cluster by address, or a local one on loopback.

Used by ``eip-analysis run --executor dask [--scheduler ADDRESS]`` and by
:func:`eip_analysis.risk.monte_carlo_many` (draws in chunks on the cluster's workers).
Without an address a :class:`distributed.LocalCluster` of worker *processes* (one thread
each, no dashboard) is started on 127.0.0.1 and closed on exit.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator

from .errors import InputError

#: Seconds to wait for a scheduler given by address before giving up.
CONNECT_TIMEOUT_S = 20


def default_workers() -> int:
    """Worker processes of a local cluster: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int | None = None) -> Iterator:
    """A :class:`distributed.Client`, closed (and a local cluster stopped) on exit.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``). ``None``: start a
        ``LocalCluster`` of ``n_workers`` processes on loopback.
    n_workers : int, optional
        Local cluster only (default: :func:`default_workers`).

    Raises
    ------
    InputError
        If no scheduler answers at ``scheduler`` within :data:`CONNECT_TIMEOUT_S`.
    """
    import dask
    from distributed import Client, LocalCluster

    # Workers are our processes: no work stealing of half-done reports, no spill to disk.
    settings = {"distributed.worker.daemon": False,
                "distributed.scheduler.work-stealing": False,
                "distributed.worker.memory.spill": False,
                "distributed.logging.distributed": "error"}
    with dask.config.set(settings):
        if scheduler is None:
            with warnings.catch_warnings():  # its HTTP server takes another port than 8787
                warnings.filterwarnings("ignore", "Port .* is already in use", UserWarning)
                cluster = LocalCluster(n_workers=n_workers or default_workers(),
                                       threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=40)
            with cluster, Client(cluster) as client:
                yield client
            return
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"the address of a running Dask scheduler ({exc})",
                             field="--scheduler", got=scheduler) from None
        with client:
            yield client
