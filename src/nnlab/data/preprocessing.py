"""Splitting, one-hot encoding and feature scaling (fit on the training set only)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.data.validation import check_array
from nnlab._random import as_generator

__all__ = ["train_test_split", "one_hot", "StandardScaler", "MinMaxScaler"]


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


def train_test_split(X: Any, y: Any = None, test_size: float | int = 0.2,
                     seed: np.random.Generator | int | None = None, stratify: bool = False):
    """Shuffle the rows and split them into a training and a test set (80/20 by default, as in the lecture).

    Parameters
    ----------
    X : array_like of shape (n, ...)
    y : array_like of shape (n, ...), optional
    test_size : float in (0, 1) or int
        Fraction of the rows (rounded up, as scikit-learn) or number of rows in the test set.
    seed : int, Generator or None
        Source of the shuffle; the same seed gives the same split.
    stratify : bool
        Keep the class proportions of ``y`` (1-D labels) in both sets.

    Returns
    -------
    X_train, X_test, y_train, y_test (or X_train, X_test when ``y`` is None)
    """
    X = np.asarray(X)
    if X.ndim == 0:
        raise ValueError("X must have at least one dimension (rows), got a scalar")
    n = X.shape[0]
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"X and y must have the same number of rows, got {n} and "
                             f"{y.shape[0] if y.ndim else 'a scalar'}")
    n_test = _n_test(test_size, n)
    rng = as_generator(seed)
    if stratify:
        if y is None or y.ndim != 1:
            raise ValueError("stratify=True needs 1-D class labels y (use y.argmax(axis=1) for one-hot rows)")
        test = _stratified_test_indices(y, n_test, rng)
        mask = np.ones(n, dtype=bool)
        mask[test] = False
        train = rng.permutation(np.flatnonzero(mask))
    else:
        perm = rng.permutation(n)
        test, train = perm[:n_test], perm[n_test:]
    if y is None:
        return X[train], X[test]
    return X[train], X[test], y[train], y[test]


def one_hot(labels: Any, n_classes: int | None = None, dtype: Any = np.float32) -> np.ndarray:
    """Integer labels (n,) as one-hot rows (n, n_classes): one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]].

    ``n_classes`` defaults to max(labels) + 1. (``nnlab.functional.one_hot`` does the same for Tensors.)
    """
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
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes - 1}] for n_classes={n_classes}, got values from "
                         f"{labels.min()} to {labels.max()}")
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


class _Scaler:
    """Shared checks of the scalers: 2-D finite input, fitted before use, same number of features."""

    def _check_fit_input(self, X: Any) -> np.ndarray:
        X = check_array(X, "X", ndim=2)
        if X.shape[0] == 0:
            raise ValueError(f"{type(self).__name__}.fit needs at least one row, got shape {X.shape}")
        return X

    def _check_input(self, X: Any, method: str) -> np.ndarray:
        if not hasattr(self, "n_features_in_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit(X_train) before {method}()")
        X = check_array(X, "X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} was fitted with "
                             f"{self.n_features_in_}")
        return X

    @staticmethod
    def _out_dtype(X: np.ndarray):
        return X.dtype if X.dtype.kind == "f" else np.float64

    def fit_transform(self, X: Any) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``; use it on the training set only."""
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    """Standardise features: z = (x - mean) / std, the statistics taken from the training set.

    Constant columns (zero variance) keep scale 1, so they become 0 instead of NaN (as scikit-learn).

    Attributes
    ----------
    mean_, var_, scale_ : ndarray of shape (n_features,), float64
        Statistics of the training set (used only where ``with_mean`` / ``with_std``).
    n_features_in_ : int
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any) -> "StandardScaler":
        X = self._check_fit_input(X)
        n = X.shape[0]
        mean = X.mean(axis=0, dtype=np.float64)
        var = X.var(axis=0, dtype=np.float64)
        # scikit-learn's test for a constant column: its variance is below the rounding error of the mean
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        scale = np.sqrt(var)
        scale[constant] = 1.0
        self.mean_, self.var_, self.scale_ = mean, var, scale
        self.n_features_in_ = X.shape[1]
        return self

    def _shift_scale(self, dtype) -> tuple[np.ndarray, np.ndarray]:
        shift = self.mean_ if self.with_mean else np.zeros_like(self.mean_)
        scale = self.scale_ if self.with_std else np.ones_like(self.scale_)
        return shift.astype(dtype), scale.astype(dtype)

    def transform(self, X: Any) -> np.ndarray:
        X = self._check_input(X, "transform")
        shift, scale = self._shift_scale(self._out_dtype(X))
        return (X - shift) / scale

    def inverse_transform(self, Z: Any) -> np.ndarray:
        Z = self._check_input(Z, "inverse_transform")
        shift, scale = self._shift_scale(self._out_dtype(Z))
        return Z * scale + shift


class MinMaxScaler(_Scaler):
    """Scale features linearly to ``feature_range``: x' = lo + (x - min) (hi - lo) / (max - min).

    The minima and maxima come from the training set, so test values may fall outside the range.
    Constant columns map to ``lo`` (no division by zero).

    Attributes
    ----------
    data_min_, data_max_, data_range_, scale_, min_ : ndarray of shape (n_features,), float64
    n_features_in_ : int
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        try:
            lo, hi = (float(v) for v in feature_range)
        except (TypeError, ValueError):
            raise ValueError(f"feature_range must be a pair of numbers (low, high), got {feature_range!r}") from None
        if not (lo < hi and math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"feature_range must be (low, high) with finite low < high, got {feature_range!r}")
        self.feature_range = (float(lo), float(hi))

    def fit(self, X: Any) -> "MinMaxScaler":
        X = self._check_fit_input(X)
        lo, hi = self.feature_range
        data_min = X.min(axis=0).astype(np.float64)
        data_max = X.max(axis=0).astype(np.float64)
        data_range = data_max - data_min
        safe_range = np.where(data_range < 10 * np.finfo(np.float64).eps, 1.0, data_range)
        self.data_min_, self.data_max_, self.data_range_ = data_min, data_max, data_range
        self.scale_ = (hi - lo) / safe_range
        self.min_ = lo - data_min * self.scale_
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        X = self._check_input(X, "transform")
        dt = self._out_dtype(X)
        return X * self.scale_.astype(dt) + self.min_.astype(dt)

    def inverse_transform(self, Z: Any) -> np.ndarray:
        Z = self._check_input(Z, "inverse_transform")
        dt = self._out_dtype(Z)
        return (Z - self.min_.astype(dt)) / self.scale_.astype(dt)
