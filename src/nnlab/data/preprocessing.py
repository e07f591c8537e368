"""Splitting the rows, one-hot labels, feature scaling.

nnlab keeps as its own code only what the lecture writes as teaching code: the lecture's
``train_test_split_numpy`` (here :func:`train_test_split`, which is also nnlab's one splitter of
rows: the training loop's ``validation_split`` uses it; the scikit-learn estimators' early-stopping
split is scikit-learn's own, so that their validation rows and training path are scikit-learn's) and
its ``to_categorical_numpy`` (here :func:`one_hot`, for NumPy labels; it delegates to
:func:`nnlab.functional.one_hot`). The scalers are scikit-learn's
``StandardScaler`` (z = (x - mean) / std) and ``MinMaxScaler``, fitted on the training set only;
nnlab adds only a refusal of NaN and infinity, which scikit-learn passes through as missing values.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab._random import as_generator

__all__ = ["train_test_split", "one_hot", "StandardScaler", "MinMaxScaler"]
_SKLEARN = ("StandardScaler", "MinMaxScaler")


def __getattr__(name: str):
    """The scalers, imported on first use (importing scikit-learn takes seconds)."""
    if name in _SKLEARN:
        from nnlab.data import _scalers

        return getattr(_scalers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _n_test(test_size: float | int, n: int) -> int:
    if isinstance(test_size, (bool, np.bool_)):
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = math.ceil(float(test_size) * n)  # scikit-learn's rounding
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or an integer count, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size={test_size!r} leaves {n_test} test and {n - n_test} training rows out of {n}; "
                         f"both sets need at least one row")
    return n_test


def _stratify_labels(stratify: Any, parts: list, n: int) -> np.ndarray:
    """The class labels to stratify by: the second array for ``stratify=True``, else ``stratify`` itself."""
    if isinstance(stratify, (bool, np.bool_)):
        y = parts[1] if len(parts) > 1 else None
        if y is None:
            raise ValueError("stratify=True takes the class labels from the second array, but no y was given; "
                             "call train_test_split(X, y, stratify=True) or pass the labels: stratify=labels")
        if y.ndim != 1:
            raise ValueError(f"stratify=True needs 1-D class labels y, got y of shape {y.shape}; for one-hot rows "
                             "pass stratify=y.argmax(axis=1)")
        return y
    labels = np.asarray(stratify)
    if labels.ndim != 1 or labels.shape[0] != n:
        hint = "; for one-hot rows pass stratify=y.argmax(axis=1)" if labels.ndim == 2 and len(labels) == n else ""
        raise ValueError(f"stratify must be True, False or the class labels, one label per row (shape ({n},)), "
                         f"got an array of shape {labels.shape}{hint}")
    return labels


def _stratified_test_indices(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Test rows drawn per class, class sizes proportional (largest remainder rounding)."""
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    exact = counts * n_test / y.shape[0]
    take = np.floor(exact).astype(np.int64)
    short = n_test - int(take.sum())
    if short:
        take[np.argsort(-(exact - take), kind="stable")[:short]] += 1
    order = np.argsort(inverse, kind="stable")  # rows grouped by class
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    picks = [rng.permutation(order[s:s + c])[:k] for s, c, k in zip(starts, counts, take)]
    return rng.permutation(np.concatenate(picks))


def train_test_split(*arrays: Any, test_size: float | int = 0.2, seed: np.random.Generator | int | None = None,
                     stratify: bool | Any = False, keep_order: bool = False) -> list:
    """Shuffle the rows and split them into a training and a test set (80/20 by default, as in the lecture).

    The lecture's ``train_test_split_numpy``: shuffle, then cut. Any number of arrays with the same
    number of rows are split by the same rows (X, y and sample weights together); ``None`` stays
    ``None``, so optional weights need no special case.

    Parameters
    ----------
    *arrays : array_like of shape (n, ...) or None
    test_size : float in (0, 1) or int
        Fraction of the rows (rounded up, as scikit-learn) or number of rows in the test set.
    seed : int, Generator or None
        Source of the shuffle; the same seed gives the same split.
    stratify : bool or array_like of shape (n,)
        Keep the class proportions in both sets: True uses the second array (y, 1-D labels), or give
        the labels themselves (an array, e.g. ``y.argmax(axis=1)`` for one-hot rows). False or None:
        no stratification.
    keep_order : bool
        Keep each set's rows in their original order instead of the shuffled one (the training
        loop's validation split).

    Returns
    -------
    list
        ``[a_train, a_test]`` for each array in turn: X_train, X_test, y_train, y_test for (X, y).
    """
    if not arrays or arrays[0] is None:
        raise ValueError("train_test_split needs at least one array of rows, e.g. train_test_split(X, y)")
    parts = [None if a is None else np.asarray(a) for a in arrays]
    if parts[0].ndim == 0:
        raise ValueError("X must have at least one dimension (rows), got a scalar")
    n = parts[0].shape[0]
    for k, a in enumerate(parts[1:], start=1):
        if a is not None and (a.ndim == 0 or a.shape[0] != n):
            name = "y" if k == 1 else f"array {k}"
            raise ValueError(f"X and {name} must have the same number of rows, got {n} and "
                             f"{a.shape[0] if a.ndim else 'a scalar'}")
    n_test = _n_test(test_size, n)
    rng = as_generator(seed)
    if stratify is not None and not (isinstance(stratify, (bool, np.bool_)) and not stratify):
        labels = _stratify_labels(stratify, parts, n)
        test = _stratified_test_indices(labels, n_test, rng)
        mask = np.ones(n, dtype=bool)
        mask[test] = False
        train = rng.permutation(np.flatnonzero(mask))
    else:
        perm = rng.permutation(n)
        test, train = perm[:n_test], perm[n_test:]
    if keep_order:
        train, test = np.sort(train), np.sort(test)
    out = []
    for a in parts:
        out += [None, None] if a is None else [a[train], a[test]]
    return out


def one_hot(labels: Any, n_classes: int | None = None, dtype: Any = np.float32) -> np.ndarray:
    """Integer labels (n,) as one-hot rows (n, n_classes): one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]].

    The lecture's ``to_categorical_numpy`` for NumPy labels: whole-number floats are accepted as
    labels and ``n_classes`` defaults to max(labels) + 1; the rows come from
    :func:`nnlab.functional.one_hot` (which also serves Tensors and other array libraries).
    """
    from nnlab.functional import one_hot as one_hot_rows

    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects a 1-D array of integer labels, got shape {labels.shape}")
    if labels.dtype.kind == "f" and labels.size and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iub":
        raise ValueError(f"one_hot expects integer labels, got dtype {labels.dtype}; map classes to 0..C-1 first "
                         f"(np.unique(y, return_inverse=True)[1])")
    labels = labels.astype(np.int64, copy=False)
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    return one_hot_rows(labels, n_classes, dtype=dtype)
