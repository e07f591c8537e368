"""Per-layer statistics of a Sequential network on one batch: what flows forward and back.

For every layer l of ``model.layers`` (named ``'layers.<l>'``, as in ``named_parameters``)
the network is run layer by layer on the batch, keeping each output a^l, and the loss C is
differentiated once with respect to every output and every parameter. From that:

==================  ==========================================================================
``act_mean``        mean of the layer's output a^l over all samples and units
``act_std``         standard deviation of a^l (the "variance of the outputs of each layer")
``grad_mean``       mean of the back-propagated gradient dC/da^l
``grad_std``        standard deviation of dC/da^l
``grad_norm``       joint Euclidean norm sqrt(sum_p ||dC/dp||^2) of the layer's parameters
``grad_rms``        grad_norm / sqrt(number of parameter entries): the typical size of one entry
``grad_norm.<p>``   ||dC/dp|| of each parameter p of the layer (``grad_norm.weight``, ...)
``saturated``       fraction of (sample, unit) entries where a sigmoid or tanh is saturated
``dead``            fraction of ReLU units that output zero for every sample of the batch
==================  ==========================================================================

Statistics that do not apply are NaN (``grad_*`` of a layer without parameters, ``saturated``
of a ReLU layer, ``dead`` of a sigmoid layer, ...). The loss is averaged or summed over the
batch as the loss object says, so gradients are those one training step on this batch sees.

Saturation thresholds (Glorot and Bengio 2010 call a unit saturated near its asymptotes): an
entry is saturated when it lies within :data:`SATURATION_MARGIN` = 0.01 of an asymptote,

* sigmoid: a < 0.01 or a > 0.99, i.e. |z| > 4.6, where sigma'(z) = a (1 - a) < 0.0099
  (under 4 % of its maximum 1/4);
* tanh: |a| > 0.99, i.e. |z| > 2.65, where tanh'(z) = 1 - a^2 < 0.02 (2 % of its maximum 1).

A ReLU unit is dead on the batch when max over samples of a = 0: no sample passes gradient
through it, so its incoming weights stop changing (the lecture's "dying ReLUs"). Units are
the entries of one sample's output (features of a dense layer; channel x position of a
convolution).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from nnlab.nn.container import Sequential
from nnlab.nn.module import Module
from nnlab.tensor import Tensor, enable_grad, grad, no_grad

__all__ = ["SATURATION_MARGIN", "STATISTICS", "SATURATING", "DYING", "layer_statistics", "layer_outputs",
           "layer_names", "layer_activation", "measure"]

#: distance from an asymptote (0 and 1 for sigmoid, -1 and 1 for tanh) under which a unit counts as saturated
SATURATION_MARGIN = 0.01
#: activations whose saturation is measured, and those whose dead units are counted
SATURATING = ("sigmoid", "tanh")
DYING = ("relu",)
#: the statistics every layer gets (besides one ``grad_norm.<parameter>`` per parameter)
STATISTICS = ("act_mean", "act_std", "grad_mean", "grad_std", "grad_norm", "grad_rms", "saturated", "dead")


def _layers(model: Module) -> list[Module]:
    if not isinstance(model, Sequential):
        raise TypeError(f"diagnostics need a Sequential model (they run its layers one by one), got "
                        f"{type(model).__name__}; build the network as nnlab.nn.Sequential(*layers)")
    return list(model.layers)


def layer_names(model: Module) -> list[str]:
    """``['layers.0', 'layers.1', ...]``: the prefix of each layer's parameters in ``named_parameters``."""
    return [f"layers.{i}" for i in range(len(_layers(model)))]


def layer_activation(layer: Module) -> str | None:
    """The registry name of the nonlinearity that produces the layer's output, or None.

    A ``Dense`` layer reports its own activation ('identity' for logits), activation layers
    theirs ('sigmoid', 'relu', 'leaky_relu', 'elu', ...); other layers None.
    """
    from nnlab.nn.activations import ELU, Activation, LeakyReLU, Softmax, activation_name
    from nnlab.nn.layers import Dense

    if isinstance(layer, Dense):
        return activation_name(layer.activation)
    if isinstance(layer, Activation):
        return layer.name
    for cls, name in ((LeakyReLU, "leaky_relu"), (ELU, "elu"), (Softmax, "softmax")):
        if isinstance(layer, cls):
            return name
    return None


def _as_input(model: Module, X: Any) -> np.ndarray:
    X = X.numpy() if isinstance(X, Tensor) else np.asarray(X)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"X must be a non-empty batch of shape (n_samples, ...), got shape {X.shape}")
    params = model.parameters()
    dtype = params[0].dtype if params else np.float32
    if not np.issubdtype(X.dtype, np.number):
        raise TypeError(f"X must be numeric, got dtype {X.dtype}")
    X = np.ascontiguousarray(X, dtype=dtype)
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or inf; diagnostics need a finite probe batch (drop or impute those rows)")
    return X


def _forward(layers: list[Module], X: np.ndarray) -> list[Tensor]:
    outputs, h = [], Tensor(X)
    for layer in layers:
        h = layer(h)
        outputs.append(h)
    return outputs


def layer_outputs(model: Module, X: Any) -> dict[str, np.ndarray]:
    """The output a^l of every layer on ``X`` (inference mode, no graph), by layer name."""
    layers = _layers(model)
    X = _as_input(model, X)
    was_training = model.training
    model.eval()
    try:
        with no_grad(), np.errstate(all="ignore"):
            outputs = _forward(layers, X)
    finally:
        model.train(was_training)
    return {name: out.numpy() for name, out in zip(layer_names(model), outputs)}


def _sum_of_squares(a: np.ndarray) -> float:
    """sum a^2 over all entries. A BLAS dot for up to 8192 entries (one thread there, and the
    fastest call); above that OpenBLAS would start threads, which costs more than it saves on a
    busy machine, so the square is summed by NumPy instead."""
    flat = a.ravel()
    if flat.size <= 8192:
        return float(np.dot(flat, flat))
    return float(np.square(flat).sum())


def _mean_std(a: np.ndarray) -> tuple[float, float]:
    """Mean and (population) standard deviation of all entries; NaN if any entry is not finite.

    Computed as np.mean / np.std do (mean, then the mean squared deviation), in the array's own
    dtype with NumPy's pairwise summation, but with fewer calls, since it runs on every layer at
    every measurement.
    """
    n = a.size
    if n == 0:
        return math.nan, math.nan
    mean = float(a.sum()) / n
    if not math.isfinite(mean):
        return math.nan, math.nan
    var = _sum_of_squares(a - a.dtype.type(mean)) / n
    if not math.isfinite(var):
        return math.nan, math.nan
    return mean, math.sqrt(var)


def _saturated(a: np.ndarray, activation: str | None) -> float:
    """Fraction of entries within SATURATION_MARGIN of an asymptote (NaN for other activations)."""
    m = SATURATION_MARGIN
    if activation == "sigmoid":
        return np.count_nonzero((a < m) | (a > 1.0 - m)) / a.size
    if activation == "tanh":
        return np.count_nonzero(np.abs(a) > 1.0 - m) / a.size
    return math.nan


def _dead(a: np.ndarray, activation: str | None) -> float:
    """Fraction of units whose output is 0 for every sample (NaN unless the activation is ReLU)."""
    if activation not in DYING:
        return math.nan
    largest = a.reshape(len(a), -1).max(axis=0)
    return np.count_nonzero(largest <= 0.0) / largest.size


class _Plan:
    """What a measurement needs that does not change while a network trains: its layers, their
    names, activations and parameters, and the loss."""

    def __init__(self, model: Module, loss: str | Callable):
        from nnlab.train.loop import loss_task, resolve_loss

        self.model = model
        self.modules = list(model.modules())  # for switching to inference mode without walking the tree each time
        self.layers = _layers(model)
        self.names = layer_names(model)
        self.activations = [layer_activation(layer) for layer in self.layers]
        self.params = [list(layer.named_parameters()) for layer in self.layers]
        self.flat_params = [p for params in self.params for _, p in params]
        self.loss = resolve_loss(loss)
        self.kind = loss_task(self.loss)
        self.dtype = self.flat_params[0].dtype if self.flat_params else np.dtype(np.float32)

    def batch(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) checked and converted once: X to the parameters' dtype, y to what the loss takes."""
        X = X.numpy() if isinstance(X, Tensor) else np.asarray(X)
        y = y.numpy() if isinstance(y, Tensor) else np.asarray(y)
        if X.ndim < 2 or len(X) == 0:
            raise ValueError(f"X must be a non-empty batch of shape (n_samples, ...), got shape {X.shape}")
        if not np.issubdtype(X.dtype, np.number):
            raise TypeError(f"X must be numeric, got dtype {X.dtype}")
        if y.ndim == 0 or len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has shape {y.shape}; pass one target per row of X")
        X = np.ascontiguousarray(X, dtype=self.dtype)
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or inf; diagnostics need a finite batch (drop or impute those rows)")
        if self.kind == "multiclass" and y.ndim == 1:
            if np.issubdtype(y.dtype, np.floating) and not np.all(y == np.round(y)):
                raise ValueError("y must hold integer class labels for a cross-entropy loss")
            return X, y.astype(np.int64)
        y = np.ascontiguousarray(y, dtype=self.dtype)
        return X, (y.reshape(-1, 1) if y.ndim == 1 else y)

    def measure(self, X: np.ndarray, target: np.ndarray
                ) -> tuple[dict[str, dict[str, float]], float, list[tuple[str, np.ndarray]]]:
        modes = [m.training for m in self.modules]
        for m in self.modules:
            m.training = False  # inference mode: no dropout masks drawn, so training runs stay reproducible
        try:
            with enable_grad(), np.errstate(all="ignore"):
                outputs = _forward(self.layers, X)
                out = outputs[-1]
                if self.kind != "multiclass" and target.ndim == 2 and out.ndim == 1 and target.shape[1] == 1:
                    target = target.reshape(-1)
                cost = self.loss(out, target)
                if not getattr(cost, "requires_grad", False):
                    raise ValueError("the loss does not depend on any parameter; the model has nothing to diagnose")
                tracked = [o for o in outputs if o.requires_grad]
                grads = grad(cost, tracked + self.flat_params, allow_unused=True)
        finally:
            for m, mode in zip(self.modules, modes):
                m.training = mode
        output_grads = dict(zip(map(id, tracked), grads[:len(tracked)]))
        param_grads = iter(grads[len(tracked):])
        stats: dict[str, dict[str, float]] = {}
        gradients: list[tuple[str, np.ndarray]] = []
        with np.errstate(all="ignore"):
            for name, activation, out, params in zip(self.names, self.activations, outputs, self.params):
                a = out.data
                g_out = output_grads.get(id(out))
                s: dict[str, float] = {}
                s["act_mean"], s["act_std"] = _mean_std(a)
                s["grad_mean"], s["grad_std"] = (math.nan, math.nan) if g_out is None else _mean_std(g_out.data)
                squares, size = 0.0, 0
                for local, p in params:
                    g = next(param_grads)
                    g = np.zeros(p.shape, p.dtype) if g is None else g.data
                    norm = math.sqrt(_sum_of_squares(g))
                    s[f"grad_norm.{local}"] = norm
                    squares += norm * norm
                    size += g.size
                    gradients.append((f"{name}.{local}", g))
                s["grad_norm"] = math.sqrt(squares) if params else math.nan
                s["grad_rms"] = s["grad_norm"] / math.sqrt(size) if size else math.nan
                s["saturated"] = _saturated(a, activation)
                s["dead"] = _dead(a, activation)
                stats[name] = s
        return stats, float(cost.data), gradients


def measure(model: Module, X: Any, y: Any, loss: str | Callable = "cross_entropy"
            ) -> tuple[dict[str, dict[str, float]], float, list[tuple[str, np.ndarray]]]:
    """Statistics of every layer, the loss and the named parameter gradients on (X, y).

    The workhorse of :func:`layer_statistics` and :class:`~nnlab.diagnostics.TrainingMonitor`.
    Runs in inference mode (no dropout, no random numbers drawn) and leaves ``p.grad`` alone.

    Returns
    -------
    stats : dict
        ``{layer name: {statistic: value}}`` (see the module docstring).
    loss_value : float
        C on the batch.
    gradients : list of (str, ndarray)
        ``('layers.0.weight', dC/dW)``, ... for every parameter, for gradient checks.
    """
    plan = _Plan(model, loss)
    return plan.measure(*plan.batch(X, y))


def layer_statistics(model: Module, X: Any, y: Any, loss: str | Callable = "cross_entropy"
                     ) -> dict[str, dict[str, float]]:
    """Per-layer activation, gradient, saturation and dead-unit statistics of ``model`` on (X, y).

    Parameters
    ----------
    model : Sequential
        The network; its layers are run one by one to see each output.
    X : array of shape (n_samples, ...)
        The batch (a fixed probe batch when monitoring training).
    y : array of shape (n_samples,) or (n_samples, k)
        Its targets (integer labels for cross-entropy).
    loss : str or callable
        The training loss or its name (``'cross_entropy'``, ``'mse'``, ...).

    Returns
    -------
    dict
        ``{'layers.0': {'act_mean': ..., 'act_std': ..., 'grad_mean': ..., 'grad_std': ...,
        'grad_norm': ..., 'grad_rms': ..., 'grad_norm.weight': ..., 'grad_norm.bias': ...,
        'saturated': ..., 'dead': ...}, 'layers.1': {...}, ...}``; see the module docstring
        for the definitions and thresholds.
    """
    return measure(model, X, y, loss)[0]
