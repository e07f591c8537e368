r"""L1 and L2 penalties on the weights of a model (never the biases), and how lambda compares.

A penalty is a callable ``penalty(model) -> Tensor`` added to the loss before ``backward()``::

    loss = loss_fn(model(x), y) + L2(lam)(model)

It covers the parameters named ``weight`` or ending in ``.weight`` (Dense kernels,
convolution filters), not biases. The penalty of all weights is one graph node whose VJPs
(lam W, lam sign W) sit beside the values and are written with nnlab operations, so higher
derivatives work. :func:`nnlab.train.fit` uses no graph at all: it backpropagates the data loss
and then adds dP/dW to each ``W.grad`` (:meth:`Penalty.add_gradients`), the same sum.

Convention (the lecture's lambda)
---------------------------------
``L2(lam)`` adds (lam / 2) sum_ij w_ij^2, whose gradient is lam W: exactly the lecture's
code, ``dW += lmbd * W`` on top of the gradient summed over the batch (``reduction='sum'``),
and its TensorFlow version, ``lmbd * tf.nn.l2_loss(W)`` = lmbd sum w^2 / 2 on top of the mean
cross-entropy (``reduction='mean'``). The lecture's formula reads lambda ||w||_2^2, whose
gradient would be 2 lambda W; we follow its code, so a lambda from its grids means the same
here. ``L1(lam)`` adds lam sum_ij |w_ij| (gradient lam sign(W)).

Other libraries (n = batch size; their loss is the mean over the batch)
-----------------------------------------------------------------------
- scikit-learn MLP ``alpha`` adds alpha / (2 n) ||W||^2 (n = minibatch size): with a mean loss
  lam = alpha / n, with a summed loss lam = alpha. MLPRegressor's squared error is half the
  mean squared error, so against :class:`~nnlab.nn.losses.MSELoss` lam = 2 alpha / n.
- Keras ``regularizers.l2(l2)`` adds l2 sum w^2 per layer: lam = 2 l2 (mean), 2 n l2 (sum).
- Keras ``regularizers.l1(l1)`` adds l1 sum |w| per layer: lam = l1 (mean), n l1 (sum).
- PyTorch ``weight_decay=wd`` adds wd W to the gradient (biases too): lam = wd (mean), n wd (sum).

So the lecture's (summed) lambda *is* scikit-learn's alpha. The functions
:func:`l2_from_sklearn_alpha`, :func:`sklearn_alpha_from_l2`, :func:`l2_from_keras`,
:func:`keras_from_l2`, :func:`l1_from_keras` and :func:`keras_from_l1` do these conversions.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from nnlab import ops
from nnlab._backend import namespace
from nnlab.tensor import Tensor

__all__ = ["Penalty", "L1", "L2", "L1L2", "weight_parameters", "l2_from_sklearn_alpha", "sklearn_alpha_from_l2",
           "l2_from_keras", "keras_from_l2", "l1_from_keras", "keras_from_l1"]


def weight_parameters(model: Any) -> list[tuple[str, Tensor]]:
    """The (name, tensor) pairs of a Module (or of named pairs) whose name is ``weight`` or ends in ``.weight``."""
    named: Iterable = model.named_parameters() if hasattr(model, "named_parameters") else model
    weights = []
    for item in named:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor)):
            raise TypeError(f"a penalty needs a Module or (name, Tensor) pairs, got an item {type(item).__name__}; "
                            "pass the model itself")
        name, tensor = item
        if name == "weight" or name.endswith(".weight"):
            weights.append((name, tensor))
    return weights


def _lambda(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a finite number >= 0, got {value!r}") from None
    if not v >= 0.0 or v == float("inf"):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def _sum_of_squares(w):
    """sum_ij w_ij^2 of an array (one BLAS dot product for NumPy, no temporary)."""
    if isinstance(w, np.ndarray):
        return np.vdot(w, w)
    return namespace(w).sum(w * w)


def _sum_of_abs(w):
    """sum_ij |w_ij| of an array."""
    xp = namespace(w)
    return xp.sum(xp.abs(w))


def _sign(w):
    """sign(w) as a constant array (its derivative is 0 wherever it exists)."""
    w = w.data if isinstance(w, Tensor) else w
    return namespace(w).sign(w)


class Penalty:
    """Base class: a penalty P(W) = sum over weight tensors W of :meth:`value` (W).

    A subclass gives the value on arrays and the derivative dP/dW written with nnlab
    operations (so it works on arrays and on Tensors, and higher derivatives follow).
    ``penalty(model)`` is then *one* graph node whose VJP for each weight is g dP/dW, and
    :meth:`add_gradients` adds dP/dW straight into ``W.grad`` after a backward pass of the
    data loss alone (what :func:`nnlab.train.fit` does): since P depends on the weights only,
    d(C + P)/dW = dC/dW + dP/dW, exactly the sum backward would form, without a graph.
    """

    def value(self, w: Any) -> Any:  # pragma: no cover - abstract
        """P for one weight array (a 0-d array or scalar of its dtype)."""
        raise NotImplementedError

    def derivative(self, w: Any) -> Any:  # pragma: no cover - abstract
        """dP/dW for one weight (array or Tensor), written with nnlab operations."""
        raise NotImplementedError

    def active(self) -> bool:
        return True

    def term(self, w: Tensor) -> Tensor:
        """P(W) for one weight tensor, as a graph node."""
        return self._node([w])

    def total(self, weights: Iterable[Tensor]) -> Any:
        """sum_W P(W) as a 0-d array of the weights' dtype, computed on the arrays (no graph)."""
        total = None
        for w in weights:
            v = self.value(w.data)
            total = v if total is None else total + v
        if isinstance(total, (np.generic, float)):
            total = np.asarray(total, dtype=w.data.dtype)
        return total

    def add_gradients(self, weights: Iterable[Tensor]) -> None:
        """``W.grad <- W.grad + dP/dW`` for every weight (``dP/dW`` alone where ``W.grad`` is None).

        Call it after ``backward()`` of the loss without the penalty; the result equals the
        gradient of loss + penalty. ``W.grad`` is replaced, never written into.
        """
        for w in weights:
            d = self.derivative(w.data)
            w.grad = d if w.grad is None else w.grad + d

    def _node(self, weights: list[Tensor]) -> Tensor:
        data = self.total(weights)
        derivative = self.derivative
        vjps = tuple((lambda g, out, *ws, i=i: derivative(ws[i]) * g) for i in range(len(weights)))
        return ops.node(data, tuple(weights), vjps)

    def __call__(self, model: Any) -> Tensor:
        weights = [w for _, w in weight_parameters(model)]
        if not weights or not self.active():
            return Tensor(0.0, dtype=weights[0].dtype if weights else None)
        return self._node(weights)

    def __add__(self, other: "Penalty") -> "Penalty":
        return _Sum(self, other)


class L2(Penalty):
    """(lam / 2) sum_ij w_ij^2 over all weights;  d/dW = lam W (the lecture's ``dW += lmbd * W``)."""

    def __init__(self, lam: float):
        self.lam = _lambda("lam", lam)

    def active(self) -> bool:
        return self.lam > 0.0

    def value(self, w):
        return (0.5 * self.lam) * _sum_of_squares(w)

    def derivative(self, w):
        return w * self.lam

    def __repr__(self) -> str:
        return f"L2(lam={self.lam!r})"


class L1(Penalty):
    """lam sum_ij |w_ij| over all weights;  d/dW = lam sign(W) (0 at w = 0)."""

    def __init__(self, lam: float):
        self.lam = _lambda("lam", lam)

    def active(self) -> bool:
        return self.lam > 0.0

    def value(self, w):
        return self.lam * _sum_of_abs(w)

    def derivative(self, w):
        return _sign(w) * self.lam

    def __repr__(self) -> str:
        return f"L1(lam={self.lam!r})"


class _Sum(Penalty):
    """P_1 + P_2 + ...: values and derivatives add (still one graph node per call)."""

    def __init__(self, *parts: Penalty):
        self.parts = parts

    def active(self) -> bool:
        return any(p.active() for p in self.parts)

    def value(self, w):
        terms = [p.value(w) for p in self.parts if p.active()]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    def derivative(self, w):
        terms = [p.derivative(w) for p in self.parts if p.active()]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    def __repr__(self) -> str:
        return " + ".join(map(repr, self.parts))


class L1L2(_Sum):
    """l1 sum |w| + (l2 / 2) sum w^2 (elastic net on the weights);  d/dW = l1 sign(W) + l2 W."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1, self.l2 = _lambda("l1", l1), _lambda("l2", l2)
        super().__init__(L1(self.l1), L2(self.l2))

    def __repr__(self) -> str:
        return f"L1L2(l1={self.l1!r}, l2={self.l2!r})"


# -- conversions ---------------------------------------------------------------------------------
def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum' (how the data loss is reduced), got {reduction!r}")


def _check_n(n_samples: Any) -> float:
    if n_samples is None or not float(n_samples) > 0:
        raise ValueError(f"n_samples (the batch size) must be a positive number, got {n_samples!r}")
    return float(n_samples)


_SKLEARN_LOSSES = ("log_loss", "squared_error")


def l2_from_sklearn_alpha(alpha: float, n_samples: int, reduction: str = "mean", loss: str = "log_loss") -> float:
    """Our L2 lambda equivalent to scikit-learn MLP's ``alpha``.

    scikit-learn minimises L_mean + alpha / (2 n) ||W||^2 with n the minibatch size, so with a
    mean loss lam = alpha / n and with a summed loss lam = alpha. Its squared error is half
    the mean squared error, so for ``loss='squared_error'`` (MLPRegressor against
    :class:`~nnlab.nn.losses.MSELoss`) the result doubles.
    """
    _check_reduction(reduction)
    if loss not in _SKLEARN_LOSSES:
        raise ValueError(f"loss must be one of {_SKLEARN_LOSSES}, got {loss!r}")
    lam = float(alpha) if reduction == "sum" else float(alpha) / _check_n(n_samples)
    return 2.0 * lam if loss == "squared_error" else lam


def sklearn_alpha_from_l2(lam: float, n_samples: int, reduction: str = "mean", loss: str = "log_loss") -> float:
    """scikit-learn MLP's ``alpha`` equivalent to our L2 lambda (inverse of :func:`l2_from_sklearn_alpha`)."""
    return float(lam) / l2_from_sklearn_alpha(1.0, n_samples, reduction, loss)


def l2_from_keras(l2: float, n_samples: int | None = None, reduction: str = "mean") -> float:
    """Our L2 lambda equivalent to Keras's ``regularizers.l2(l2)`` (l2 sum w^2): 2 l2, or 2 n l2 if summed."""
    _check_reduction(reduction)
    return 2.0 * float(l2) * (_check_n(n_samples) if reduction == "sum" else 1.0)


def keras_from_l2(lam: float, n_samples: int | None = None, reduction: str = "mean") -> float:
    """Keras's ``l2`` equivalent to our L2 lambda (inverse of :func:`l2_from_keras`)."""
    return float(lam) / l2_from_keras(1.0, n_samples, reduction)


def l1_from_keras(l1: float, n_samples: int | None = None, reduction: str = "mean") -> float:
    """Our L1 lambda equivalent to Keras's ``regularizers.l1(l1)`` (l1 sum |w|): l1, or n l1 if summed."""
    _check_reduction(reduction)
    return float(l1) * (_check_n(n_samples) if reduction == "sum" else 1.0)


def keras_from_l1(lam: float, n_samples: int | None = None, reduction: str = "mean") -> float:
    """Keras's ``l1`` equivalent to our L1 lambda (inverse of :func:`l1_from_keras`)."""
    return float(lam) / l1_from_keras(1.0, n_samples, reduction)
