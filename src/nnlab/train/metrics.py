"""Metrics by name: accuracy, mean squared error, R^2, and the confusion matrix.

Every metric takes ``(y_true, y_pred)`` as arrays (Tensors are accepted) and returns a float.
``y_pred`` is what the model outputs: class scores (logits or probabilities, shape (n, C)),
a single probability column (n, 1) / (n,), labels, or regression values.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nnlab.tensor import Tensor

__all__ = ["METRICS", "get_metric", "accuracy", "mse", "mae", "rmse", "r2", "confusion_matrix", "predicted_labels"]


def _array(a) -> np.ndarray:
    return a.numpy() if isinstance(a, Tensor) else np.asarray(a)


def _true_labels(y_true: np.ndarray) -> np.ndarray:
    """Integer labels from labels (n,), a column (n, 1) or one-hot rows (n, C)."""
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        return np.argmax(y_true, axis=1)
    y = y_true.reshape(-1)
    if np.issubdtype(y.dtype, np.floating):
        if np.all(np.isin(y, (0.0, 1.0))) or np.all(y == np.round(y)):
            return y.astype(np.int64)
        return (y >= 0.5).astype(np.int64)  # soft binary targets
    return y


def predicted_labels(y_pred, threshold: float = 0.5) -> np.ndarray:
    """Class labels from model output: argmax of (n, C) scores, ``p >= threshold`` for one
    probability column, or the values themselves when they are already integer labels."""
    y_pred = _array(y_pred)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        return np.argmax(y_pred, axis=1)
    y = y_pred.reshape(-1)
    if np.issubdtype(y.dtype, np.floating):
        return (y >= threshold).astype(np.int64)
    return y


def _check_lengths(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"{name}: y_true has {len(y_true)} rows (shape {y_true.shape}) but y_pred has "
                         f"{len(y_pred)} (shape {y_pred.shape}); pass predictions for the same samples")


def accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Fraction of correct labels, (1/n) sum_i I(yhat_i = y_i) (the lecture's accuracy score).

    ``y_pred`` may be scores (n, C) (argmax is taken; logits and probabilities give the same
    labels), one probability column (thresholded at ``threshold``) or labels. For a single
    column of *logits* pass ``threshold=0``.
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    _check_lengths("accuracy", y_true, y_pred)
    if len(y_true) == 0:
        raise ValueError("accuracy of zero samples is undefined")
    return float(np.mean(_true_labels(y_true) == predicted_labels(y_pred, threshold)))


def _regression_pair(name: str, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _array(y_true).astype(np.float64), _array(y_pred).astype(np.float64)
    _check_lengths(name, y_true, y_pred)
    if y_true.size != y_pred.size:
        raise ValueError(f"{name}: y_true of shape {y_true.shape} and y_pred of shape {y_pred.shape} differ in size")
    return y_true.reshape(y_pred.shape), y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error (1/n) sum_i (y_i - yhat_i)^2 over all outputs."""
    t, p = _regression_pair("mse", y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root of the mean squared error."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error (1/n) sum_i |y_i - yhat_i|."""
    t, p = _regression_pair("mae", y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination R^2 = 1 - sum (y - yhat)^2 / sum (y - ybar)^2.

    Several outputs are averaged uniformly (as scikit-learn's ``r2_score``); a constant target
    gives 1.0 for a perfect fit and 0.0 otherwise.
    """
    t, p = _regression_pair("r2", y_true, y_pred)
    if t.ndim == 1:
        t, p = t[:, None], p[:, None]
    ss_res = np.sum((t - p) ** 2, axis=0)
    ss_tot = np.sum((t - t.mean(axis=0)) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                          np.where(ss_res == 0, 1.0, 0.0))
    return float(np.mean(scores))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None, normalize: str | None = None) -> np.ndarray:
    """Counts C[i, j] of samples of true class i predicted as class j.

    ``y_pred`` may be scores or labels (see :func:`accuracy`). ``normalize='true'`` divides each
    row by its total (recall per class), ``'pred'`` each column, ``'all'`` the whole matrix.
    """
    t = _true_labels(_array(y_true)).astype(np.int64)
    p = predicted_labels(y_pred).astype(np.int64)
    _check_lengths("confusion_matrix", t, p)
    if len(t) and (t.min() < 0 or p.min() < 0):
        raise ValueError("confusion_matrix needs non-negative integer labels")
    k = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if n_classes is None else int(n_classes)
    if len(t) and max(t.max(), p.max()) >= k:
        raise ValueError(f"labels go up to {max(t.max(), p.max())} but n_classes={k}")
    cm = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    if normalize is None:
        return cm
    with np.errstate(divide="ignore", invalid="ignore"):
        if normalize == "true":
            out = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            out = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            out = cm / cm.sum()
        else:
            raise ValueError(f"normalize must be None, 'true', 'pred' or 'all', got {normalize!r}")
    return np.nan_to_num(out)


METRICS: dict[str, Callable[..., float]] = {
    "accuracy": accuracy,
    "acc": accuracy,
    "mse": mse,
    "mean_squared_error": mse,
    "rmse": rmse,
    "mae": mae,
    "r2": r2,
}


def get_metric(name: str | Callable) -> Callable[..., float]:
    """The metric called ``name`` (a callable ``f(y_true, y_pred) -> float`` is returned as is)."""
    if callable(name):
        return name
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; choose one of {sorted(METRICS)}") from None


def metric_name(metric: str | Callable) -> str:
    """The key under which a metric is recorded in the history."""
    return metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")
