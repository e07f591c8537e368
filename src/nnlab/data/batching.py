"""Minibatches for stochastic gradient descent."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from nnlab._random import as_generator

__all__ = ["iterate_minibatches", "n_batches"]


def n_batches(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """Number of minibatches per epoch: ceil(n / batch_size), or floor with ``drop_last``."""
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)


def iterate_minibatches(X: Any, y: Any, batch_size: int, rng: np.random.Generator | int | None = None,
                        shuffle: bool = True, drop_last: bool = False) -> Iterator[tuple[np.ndarray, Any]]:
    """Yield ``(X_batch, y_batch)`` covering every row once per call (one epoch).

    With ``shuffle`` the rows are visited in the order of ``rng.permutation(n)`` and each batch is
    gathered by fancy indexing (a copy of that batch only); without it the batches are slices
    (views, no copy). The last batch is smaller when ``batch_size`` does not divide n, unless
    ``drop_last``. ``y`` may be None, then ``y_batch`` is None.

    Parameters
    ----------
    X : ndarray of shape (n, ...)
    y : ndarray of shape (n, ...) or None
    batch_size : int
        Rows per batch (>= 1; larger than n gives one full batch).
    rng : Generator, int or None
        Source of the shuffle. Pass the same Generator every epoch for a new order each epoch
        that is still reproducible from its seed.
    """
    X = np.asarray(X)
    n = X.shape[0] if X.ndim else 0
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension (rows), got a scalar")
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"X and y must have the same number of rows, got {n} and "
                             f"{y.shape[0] if y.ndim else 'a scalar'}")
    if isinstance(batch_size, (bool, np.bool_)) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    stop = n_batches(n, batch_size, drop_last) * batch_size
    if shuffle:
        order = as_generator(rng).permutation(n)
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], (None if y is None else y[idx])
    else:
        for start in range(0, stop, batch_size):
            sl = slice(start, start + batch_size)
            yield X[sl], (None if y is None else y[sl])
