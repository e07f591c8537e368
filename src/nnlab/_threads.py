"""BLAS thread pinning shared by the commands and experiments that train small networks."""
from __future__ import annotations

import contextlib
from typing import ContextManager


def blas_threads(n: int = 1) -> ContextManager:
    """A context limiting BLAS to ``n`` threads (no limit for ``n <= 0`` or without threadpoolctl).

    The networks here multiply small matrices, for which extra BLAS threads only add synchronisation
    (and spin-waiting on a busy machine): one thread is usually the fastest.
    """
    if n <= 0:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn depends on it
        return contextlib.nullcontext()
    return threadpool_limits(n)
