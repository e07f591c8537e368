"""Running joblib work on a Dask cluster: the optional ``dask[distributed]`` behind one context manager.

joblib's ``dask`` backend sends each ``delayed`` call to a worker of the cluster that a
``dask.distributed.Client`` is connected to; the calls and their results are the same as with
local processes, so a grid gives the same cells on a cluster as on one machine.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

__all__ = ["DaskUnavailableError", "require_distributed", "dask_backend"]

INSTALL = "pip install -e '.[dask]'  (or: pip install 'dask[distributed]')"


class DaskUnavailableError(ImportError):
    """``dask.distributed`` is not installed; the message says how to install it."""


def require_distributed(what: str = "a Dask scheduler"):
    """Import and return ``dask.distributed``, or raise :class:`DaskUnavailableError` naming ``what``
    and the install command."""
    try:
        import dask.distributed as distributed
    except ImportError as exc:
        raise DaskUnavailableError(f"{what} needs dask.distributed, which is not installed ({exc}); install it with "
                                   f"{INSTALL}") from exc
    return distributed


@contextlib.contextmanager
def dask_backend(scheduler: str, n_workers: int = 2, connect_timeout: float = 10.0) -> Iterator[object]:
    """joblib's backend set to the Dask cluster at ``scheduler`` for the ``with`` block; yields the Client.

    ``scheduler`` is an address ('tcp://10.0.0.5:8786', as printed by ``dask scheduler``) or
    'local', which starts a ``LocalCluster`` of ``n_workers`` single-threaded worker processes on
    this machine and closes it afterwards. An address that does not answer within
    ``connect_timeout`` seconds raises OSError.
    """
    from joblib import parallel_config

    distributed = require_distributed("--scheduler" if scheduler == "local" else f"scheduler {scheduler!r}")
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            cluster = stack.enter_context(distributed.LocalCluster(n_workers=int(n_workers), threads_per_worker=1,
                                                                   dashboard_address=None))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout=f"{connect_timeout}s"))
            except OSError as exc:
                raise OSError(f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); start one with "
                              "'dask scheduler' and pass the address it prints, or use --scheduler local") from exc
        stack.enter_context(parallel_config(backend="dask"))
        yield client
