r"""Batch normalisation (Ioffe & Szegedy 2015) and layer normalisation (Ba, Kiros & Hinton 2016).

Both standardise their input and then scale and shift it with learned parameters gamma and beta:

    x_hat = (x - mu) / sqrt(var + eps),    y = gamma * x_hat + beta.

* **Batch norm** takes mu and var (biased) over the batch, per feature (``BatchNorm1D``: axis 0, and
  the length axis of (N, C, L) input) or per channel (``BatchNorm2D``: axes 0, 2, 3 of NCHW images).
  In training it also keeps running estimates,
  ``running <- (1 - momentum) running + momentum * batch statistic`` (the variance unbiased,
  n / (n - 1)), and in evaluation mode (``model.eval()``) it normalises with those instead.
* **Layer norm** takes mu and var over the last dimensions of each sample; it behaves the same in
  training and evaluation.

Everything is written with nnlab's differentiable operations, so derivatives of any order follow.
The parameters are called ``gamma`` and ``beta`` (the paper's names) so that the weight penalties,
which act on parameters called ``weight``, leave them alone; the running statistics are buffers
(:meth:`nnlab.nn.Module.named_buffers`), saved with the model but not trained. PyTorch calls the
parameters ``weight`` and ``bias``; :meth:`torch_state_dict` and :meth:`load_torch_state_dict` map names.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnlab import ops
from nnlab.data.validation import check_integer
from nnlab.nn.module import Module, Parameter
from nnlab.nn.recurrent import _to_array
from nnlab.ops import _raw
from nnlab.tensor import Tensor

__all__ = ["BatchNorm1D", "BatchNorm2D", "LayerNorm", "normalize", "batch_norm", "layer_norm"]


def normalize(x: Any, axes: tuple[int, ...], eps: float) -> tuple:
    """(x_hat, mu, var): x standardised over ``axes`` with the biased variance (Ioffe & Szegedy, Alg. 1)."""
    mu = ops.mean(x, axis=axes, keepdims=True)
    centred = x - mu
    var = ops.mean(centred * centred, axis=axes, keepdims=True)
    return centred / ops.sqrt(var + eps), mu, var


def batch_norm(x: Any, gamma: Any, beta: Any, axes: tuple[int, ...], eps: float = 1e-5,
               running_mean: Any = None, running_var: Any = None) -> Any:
    """y = gamma (x - mu) / sqrt(var + eps) + beta, per feature on axis 1.

    With ``running_mean``/``running_var`` (evaluation mode) mu and var are those constants; otherwise
    the batch's statistics over ``axes``. gamma and beta have shape (C,).
    """
    shape = [1] * len(_raw(x).shape)
    shape[1] = -1
    g, b = ops.reshape(gamma, tuple(shape)), ops.reshape(beta, tuple(shape))
    if running_mean is None:
        return normalize(x, axes, eps)[0] * g + b
    scale = g / ops.sqrt(ops.reshape(running_var, tuple(shape)) + eps)
    return (x - ops.reshape(running_mean, tuple(shape))) * scale + b


def layer_norm(x: Any, gamma: Any, beta: Any, n_dims: int, eps: float = 1e-5) -> Any:
    """y = gamma (x - mu) / sqrt(var + eps) + beta with mu, var over the last ``n_dims`` axes of each sample."""
    ndim = len(_raw(x).shape)
    x_hat = normalize(x, tuple(range(ndim - n_dims, ndim)), eps)[0]
    return x_hat if gamma is None else x_hat * gamma + beta


def _check_number(value: Any, name: str, low: float, high: float | None = None) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r} of type {type(value).__name__}")
    v = float(value)
    if not (v > low if high is None else low <= v <= high) or not np.isfinite(v):
        bound = f"> {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return v


class _BatchNorm(Module):
    """Shared code of BatchNorm1D and BatchNorm2D: parameters, running statistics, the two modes."""

    buffer_names = ("running_mean", "running_var")
    _ndims: tuple[int, ...] = (2,)
    _layout = "(N, C)"

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 dtype: Any = np.float32):
        name = type(self).__name__
        self.num_features = check_integer(num_features, f"{name} num_features")
        self.eps = _check_number(eps, f"{name} eps", 0.0)
        self.momentum = _check_number(momentum, f"{name} momentum", 0.0, 1.0)
        self.affine = bool(affine)
        self.dtype = np.dtype(dtype)
        c = self.num_features
        self.gamma = Parameter(np.ones(c, dtype=self.dtype)) if affine else Tensor(np.ones(c, dtype=self.dtype))
        self.beta = Parameter(np.zeros(c, dtype=self.dtype)) if affine else Tensor(np.zeros(c, dtype=self.dtype))
        self.running_mean = Tensor(np.zeros(c, dtype=self.dtype))
        self.running_var = Tensor(np.ones(c, dtype=self.dtype))

    def _check(self, x) -> tuple:
        shape = tuple(_raw(x).shape)
        if len(shape) not in self._ndims or shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) expects input of shape {self._layout} with "
                             f"C = {self.num_features} on axis 1, got shape {shape}")
        return tuple(a for a in range(len(shape)) if a != 1)

    def forward(self, x):
        axes = self._check(x)
        if not self.training:
            return batch_norm(x, self.gamma, self.beta, axes, self.eps, self.running_mean, self.running_var)
        n = int(np.prod([_raw(x).shape[a] for a in axes]))
        if n < 2:
            raise ValueError(f"{type(self).__name__} in training mode needs more than one value per feature to "
                             f"estimate a variance, got input of shape {tuple(_raw(x).shape)}; use a larger batch "
                             "or call model.eval()")
        x_hat, mu, var = normalize(x, axes, self.eps)
        m = self.momentum
        mu_data, var_data = (np.asarray(_raw(t)).reshape(-1) for t in (mu, var))
        self.running_mean.data = ((1.0 - m) * self.running_mean.data + m * mu_data).astype(self.dtype)
        self.running_var.data = ((1.0 - m) * self.running_var.data + m * var_data * (n / (n - 1))).astype(self.dtype)
        shape = (1, -1) + (1,) * (len(axes) - 1)
        return x_hat * ops.reshape(self.gamma, shape) + ops.reshape(self.beta, shape)

    def config(self) -> dict:
        """Constructor arguments as a JSON-able dict (parameters and running statistics are saved separately)."""
        return {"num_features": self.num_features, "eps": self.eps, "momentum": self.momentum,
                "affine": self.affine, "dtype": self.dtype.name}

    def torch_state_dict(self) -> dict[str, np.ndarray]:
        """The state in PyTorch's names (``weight``, ``bias``, ``running_mean``, ``running_var``)."""
        state = {"running_mean": self.running_mean.numpy().copy(), "running_var": self.running_var.numpy().copy()}
        if self.affine:
            state.update(weight=self.gamma.numpy().copy(), bias=self.beta.numpy().copy())
        return state

    def load_torch_state_dict(self, state: dict) -> None:
        """Copy PyTorch's ``weight``, ``bias``, ``running_mean`` and ``running_var`` (tensors or arrays)."""
        names = {"running_mean": "running_mean", "running_var": "running_var"}
        if self.affine:
            names.update(weight="gamma", bias="beta")
        missing = [n for n in names if n not in state]
        if missing:
            raise KeyError(f"torch state dict lacks {missing}; pass the state_dict() of nn.{type(self).__name__[:-2]}"
                           f"{type(self).__name__[-2:].lower()} with affine={self.affine}")
        self.load_state_dict({ours: _to_array(state[theirs]) for theirs, ours in names.items()})

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1D(_BatchNorm):
    """Batch normalisation of features: input (N, C) or (N, C, L), statistics per feature over N (and L).

    Parameters
    ----------
    num_features : int
        C, the number of features.
    eps : float
        Added to the variance before the square root.
    momentum : float
        Weight of the newest batch in the running statistics (PyTorch's convention; Keras's
        ``momentum`` is 1 minus this).
    affine : bool
        Learn gamma and beta (otherwise they stay 1 and 0).
    dtype : dtype
        float32 (default) or float64.
    """

    _ndims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of NCHW images: statistics per channel over the batch and both image axes.

    Parameters are those of :class:`BatchNorm1D`, with C the number of channels; input (N, C, H, W).
    """

    _ndims = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Layer normalisation: each sample standardised over its last dimensions, then scaled and shifted.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape normalised over (a feature count, or e.g. (C, H, W)).
    eps : float
        Added to the variance before the square root.
    elementwise_affine : bool
        Learn gamma and beta of shape ``normalized_shape``.
    dtype : dtype
        float32 (default) or float64.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 dtype: Any = np.float32):
        dims = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape = tuple(check_integer(d, "LayerNorm normalized_shape") for d in dims)
        if not self.normalized_shape:
            raise ValueError("LayerNorm normalized_shape must name at least one dimension, got ()")
        self.eps = _check_number(eps, "LayerNorm eps", 0.0)
        self.elementwise_affine = bool(elementwise_affine)
        self.dtype = np.dtype(dtype)
        self.gamma = Parameter(np.ones(self.normalized_shape, dtype=self.dtype)) if elementwise_affine else None
        self.beta = Parameter(np.zeros(self.normalized_shape, dtype=self.dtype)) if elementwise_affine else None

    def forward(self, x):
        shape = tuple(_raw(x).shape)
        k = len(self.normalized_shape)
        if shape[len(shape) - k:] != self.normalized_shape or len(shape) <= k:
            raise ValueError(f"LayerNorm{self.normalized_shape} expects input of shape (N, ..., "
                             f"{', '.join(map(str, self.normalized_shape))}), got shape {shape}")
        return layer_norm(x, self.gamma, self.beta, k, self.eps)

    def config(self) -> dict:
        """Constructor arguments as a JSON-able dict."""
        return {"normalized_shape": list(self.normalized_shape), "eps": self.eps,
                "elementwise_affine": self.elementwise_affine, "dtype": self.dtype.name}

    def torch_state_dict(self) -> dict[str, np.ndarray]:
        """The parameters in PyTorch's names (``weight``, ``bias``)."""
        if not self.elementwise_affine:
            return {}
        return {"weight": self.gamma.numpy().copy(), "bias": self.beta.numpy().copy()}

    def load_torch_state_dict(self, state: dict) -> None:
        """Copy PyTorch's ``weight`` and ``bias`` (tensors or arrays)."""
        if self.elementwise_affine:
            self.load_state_dict({"gamma": _to_array(state["weight"]), "beta": _to_array(state["bias"])})

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
