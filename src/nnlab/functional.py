"""Losses and other composite functions of the engine, fused where stability or speed asks.

Each loss takes predictions (or logits) of shape (n, ...) and returns a scalar for
``reduction='mean'`` (the average, as scikit-learn, Keras and PyTorch do), ``'sum'`` (the
lecture's summed cost) or per-sample values for ``'none'``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import ops
from nnlab._backend import asarray, like, namespace
from nnlab.ops import _cast, _lift, _raw, node
from nnlab.tensor import Tensor

__all__ = [
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy",
    "cross_entropy",
    "nll_loss",
    "one_hot",
    "dropout",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(per_sample, reduction: str):
    if reduction == "mean":
        return ops.mean(per_sample)
    if reduction == "sum":
        return ops.sum(per_sample)
    return per_sample


def _check_same_shape(name: str, prediction, target) -> None:
    if tuple(_raw(prediction).shape) != tuple(_raw(target).shape):
        raise ValueError(
            f"{name}: prediction has shape {tuple(_raw(prediction).shape)} but target has shape "
            f"{tuple(_raw(target).shape)}; reshape the target (e.g. y.reshape(-1, 1)) to match"
        )


def _check_binary_targets(name: str, target) -> None:
    """Binary cross-entropy needs targets in [0, 1]: -1/1 or 0/2 labels would train to a negative 'loss'."""
    t = _raw(target)
    if not hasattr(t, "shape"):
        t = asarray(t)
    if t.shape and t.shape[0]:
        xp = namespace(t)
        low, high = float(xp.min(t)), float(xp.max(t))
        if low < 0 or high > 1:
            fix = " (for -1/1 labels pass (y + 1) / 2)" if low == -1 and high == 1 else ""
            raise ValueError(f"{name}: targets must lie in [0, 1] (0/1 labels or probabilities), got values from "
                             f"{low:g} to {high:g}; map them to 0/1{fix}")


def _target_like(target, prediction) -> Tensor:
    """The target as a Tensor of the prediction's dtype: float64 labels keep a float32 loss float32."""
    dtype = _raw(prediction).dtype
    if isinstance(target, Tensor):
        return target if target.dtype == dtype else ops.astype(target, dtype)
    array = target if hasattr(target, "dtype") and hasattr(target, "shape") else asarray(target)
    array = like(array, _raw(prediction))  # NumPy targets join the prediction's array library
    return _lift(array if array.dtype == dtype else _cast(array, dtype))


def _mse_raw(y, t, scale):
    diff = y - t
    return namespace(diff).sum(diff * diff) * (scale / 2.0)


MSE = ops.Primitive("mse_loss", _mse_raw, [
    lambda g, out, y, t, scale: g * scale * (y - t),
    lambda g, out, y, t, scale: g * scale * (t - y),
])


def mse_loss(prediction, target, reduction: str = "mean"):
    """Mean squared error, mean over all elements of (y - t)^2;  d/dy = 2 (y - t) / N."""
    _check_reduction(reduction)
    _check_same_shape("mse_loss", prediction, target)
    if not isinstance(prediction, Tensor):
        return _reduce((prediction - _raw(target)) ** 2, reduction)
    y, t = prediction, _target_like(target, prediction)
    if reduction == "none":
        return (y - t) ** 2
    return MSE(y, t, scale=2.0 / (y.size if reduction == "mean" else 1))


def _bce_with_logits_raw(z, t, scale):
    xp = namespace(z)
    return xp.sum(xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z))) - t * z) * scale


BCE_WITH_LOGITS = ops.Primitive("binary_cross_entropy_with_logits", _bce_with_logits_raw, [
    lambda g, out, z, t, scale: g * scale * (ops.sigmoid(z) - t),
    lambda g, out, z, t, scale: -g * scale * z,
])


def binary_cross_entropy_with_logits(logits, target, reduction: str = "mean"):
    """-[t log sigma(z) + (1 - t) log(1 - sigma(z))] = softplus(z) - t z, stable for any z.

    d/dz = sigma(z) - t (divided by N for the mean).
    """
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    _check_binary_targets("binary_cross_entropy_with_logits", target)
    z, t = _lift(logits), _target_like(target, logits)
    if reduction == "none" or not z.requires_grad:
        result = _reduce(ops.softplus(z) - t * z, reduction)
        return result if isinstance(logits, Tensor) else result.data
    return BCE_WITH_LOGITS(z, t, scale=1.0 / (z.size if reduction == "mean" else 1))


def binary_cross_entropy(probability, target, reduction: str = "mean", eps: float = 1e-12):
    """-[t log p + (1 - t) log(1 - p)] for probabilities p, clipped to [eps, 1 - eps] to stay finite."""
    _check_reduction(reduction)
    _check_same_shape("binary_cross_entropy", probability, target)
    _check_binary_targets("binary_cross_entropy", target)
    p = ops.clip(probability, eps, 1.0 - eps)
    target = _target_like(target, probability) if isinstance(probability, Tensor) else target
    return _reduce(-(target * ops.log(p) + (1.0 - target) * ops.log(1.0 - p)), reduction)


def _check_labels(labels, n_classes: int) -> None:
    """Integer labels must name a class: 0 <= label < n_classes."""
    if labels.shape[0]:
        xp = namespace(labels)
        low, high = (labels.min(), labels.max()) if xp is np else (int(xp.min(labels)), int(xp.max(labels)))
        if low < 0 or high >= n_classes:
            raise ValueError(f"labels must lie in [0, {n_classes - 1}], got values from {low} to {high}")


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64):
    """Rows of the identity: one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]]."""
    labels = _raw(labels)
    xp = namespace(labels)
    if labels.ndim != 1:
        raise ValueError(f"one_hot expects a 1-D array of integer labels, got shape {tuple(labels.shape)}")
    _check_labels(labels, n_classes)
    if xp is np:  # fast path: write the ones instead of comparing against every class
        rows = np.zeros((labels.shape[0], n_classes), dtype=dtype)
        rows[np.arange(labels.shape[0]), labels] = 1
        return rows
    return _cast(xp.reshape(labels, (-1, 1)) == xp.reshape(xp.arange(n_classes), (1, -1)), dtype)


def _class_labels(target, z) -> Any:
    """Integer labels (n,) for the logits array z (n, C), dtype and length checked (not yet their
    range); None when ``target`` holds rows (n, C)."""
    t = _raw(target)
    if t.ndim == 1 and z.ndim == 2:
        if not (t.dtype.kind in "iu" if isinstance(t, np.ndarray) else namespace(t).isdtype(t.dtype, "integral")):
            raise TypeError(f"integer class labels expected for targets of shape (n,), got dtype {t.dtype}")
        if t.shape[0] != z.shape[0]:
            raise ValueError(f"cross_entropy: {z.shape[0]} rows of logits but {t.shape[0]} labels")
        return t
    if tuple(t.shape) != tuple(z.shape):
        raise ValueError(
            f"cross_entropy: target of shape {tuple(t.shape)} does not fit logits of shape {tuple(z.shape)}; "
            "pass integer labels of shape (n,) or one-hot/probability rows of shape (n, classes)"
        )
    return None


def _as_target_matrix(target, logits) -> Any:
    """Integer labels (n,) become one-hot rows; probability rows (n, C) are used as they are."""
    z = _raw(logits)
    labels = _class_labels(target, z)
    if labels is None:
        return target
    return one_hot(labels, z.shape[1], dtype=z.dtype)


def _cross_entropy_raw(z, t, scale):
    """-scale sum_i sum_c t_ic log softmax(z_i)_c."""
    return -namespace(z).sum(t * ops.log_softmax(z, axis=1)) * scale


def _shifted_logits(z: np.ndarray) -> np.ndarray:
    """z^T - max_c z: NumPy logits with the classes along axis 0, so the reductions over the
    classes run vectorised across the rows (NumPy reduces a short last axis row by row)."""
    shifted = z.T.copy()
    shifted -= np.maximum.reduce(shifted, axis=0)
    return shifted


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    """softmax over the classes of NumPy logits (n, C), as a fresh (n, C) array."""
    e = np.exp(_shifted_logits(z))
    e /= np.add.reduce(e, axis=0)
    return e.T


def _cross_entropy_kernel(g, out, z, t, scale):
    """BP1 on NumPy: (softmax(z) sum_c t_c - t) g scale in place (one-hot rows sum to 1)."""
    d = _softmax_rows(z)
    d *= np.add.reduce(t, axis=1)[:, None]
    d -= t
    d *= float(g) * scale
    return d


def output_error(g, out, z, t, scale):
    """BP1: the output error delta^L = dC/dz^L = softmax(z^L) - t for softmax + cross-entropy."""
    return g * scale * (ops.softmax(z, axis=1) * ops.sum(t, axis=1, keepdims=True) - t)


CROSS_ENTROPY = ops.Primitive("cross_entropy", _cross_entropy_raw, [
    output_error,
    lambda g, out, z, t, scale: -g * scale * ops.log_softmax(z, axis=1),
], kernels=[_cross_entropy_kernel])


def _cross_entropy_labels_raw(z, labels, picks, scale):
    """scale sum_i [log sum_c e^(z_ic - m_i) - (z_i,label_i - m_i)], with m_i = max_c z_ic.

    ``picks`` are the flat positions of (label_i, i) in the transposed logits. Also returns the
    exponentials e^(z - m) (transposed) and their sums, from which the kernel forms the softmax.
    """
    shifted = _shifted_logits(z)
    exponentials = np.exp(shifted)
    total = np.add.reduce(exponentials, axis=0)
    value = np.add.reduce(np.log(total) - shifted.take(picks)) * scale
    return value, {"exponentials": exponentials, "total": total}


def _cross_entropy_labels_kernel(g, out, z, labels, picks, scale, exponentials, total):
    """BP1 on NumPy: softmax(z) = e / sum e from the forward pass, 1 subtracted at each row's label."""
    d = exponentials / total
    d.reshape(-1)[picks] -= 1.0
    factor = float(g) * scale
    if factor != 1.0:
        d *= factor
    return d.T


CROSS_ENTROPY_LABELS = ops.Primitive("cross_entropy_labels", _cross_entropy_labels_raw, [
    lambda g, out, z, labels, picks, scale, **saved: (
        g * scale * (ops.softmax(z, axis=1) - one_hot(labels, z.shape[1], dtype=z.dtype))),
], kernels=[_cross_entropy_labels_kernel], saves=True)


def _label_positions(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Flat positions of (label_i, i) in an array (n_classes, n); ValueError naming the range otherwise."""
    try:
        return np.ravel_multi_index((labels, ops._constant_vector(np.arange, len(labels), np.intp)),
                                    (n_classes, len(labels)))
    except ValueError:
        _check_labels(labels, n_classes)
        raise


def cross_entropy(logits, target, reduction: str = "mean"):
    """Categorical cross-entropy from logits: -sum_c t_c log softmax(z)_c, fused and stable.

    ``target`` holds integer labels (n,) or one-hot / probability rows (n, C).
    d/dz = softmax(z) - t (divided by n for the mean): the lecture's output error delta^L (BP1).
    """
    _check_reduction(reduction)
    z = _raw(logits)
    if z.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (n, classes), got {tuple(z.shape)}")
    labels = _class_labels(target, z)
    scale = 1.0 / (z.shape[0] if reduction == "mean" else 1)
    if reduction != "none" and isinstance(labels, np.ndarray) and isinstance(z, np.ndarray):
        picks = _label_positions(labels, z.shape[1])
        return CROSS_ENTROPY_LABELS(logits, labels=labels, picks=picks, scale=scale)
    z = _lift(logits)
    t = _target_like(target if labels is None else one_hot(labels, z.shape[1], dtype=z.dtype), z)
    if reduction == "none":
        result = -ops.sum(t * ops.log_softmax(z, axis=1), axis=1)
        return result if isinstance(logits, Tensor) else result.data
    result = CROSS_ENTROPY(z, t, scale=scale)
    return result if isinstance(logits, Tensor) else result.data


def nll_loss(log_probabilities, target, reduction: str = "mean"):
    """Negative log-likelihood -sum_c t_c log p_c from log-probabilities (e.g. log_softmax)."""
    _check_reduction(reduction)
    t = _as_target_matrix(target, log_probabilities)
    t = _target_like(t, log_probabilities) if isinstance(log_probabilities, Tensor) else t
    return _reduce(-ops.sum(t * log_probabilities, axis=1), reduction)


def dropout(x, rate: float, rng: np.random.Generator, training: bool = True):
    """Inverted dropout: zero each unit with probability ``rate``, scale the rest by 1/(1 - rate)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must lie in [0, 1), got {rate}")
    if not training or rate == 0.0:
        return x
    data = _raw(x)
    keep = rng.random(tuple(data.shape)) >= rate
    mask = _cast(like(keep, data), data.dtype) / (1.0 - rate)  # drawn by NumPy's generator, moved to the data
    return x * mask
