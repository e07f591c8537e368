"""Dense, Dropout and Flatten layers."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnlab import functional as F
from nnlab import ops
from nnlab.data.validation import check_integer
from nnlab.nn.activations import activation_config_name, activation_name, get_activation, identity
from nnlab.nn.init import INITIALIZERS, initialize
from nnlab.nn.module import Module, Parameter, as_generator

__all__ = ["Dense", "Dropout", "Flatten"]


class Dense(Module):
    """Fully connected layer a = f(z), z = x W + b, with W of shape (in_features, out_features).

    The weight layout is the lecture's, (in, out), so that z = x W; ``torch.nn.Linear`` stores the
    transpose, (out, in), and computes x W^T. ``nnlab.export`` transposes in both directions.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and of the output.
    activation : str or callable, optional
        Applied after the affine map (None: identity). Each layer takes its own.
    weight_init : str
        Initialiser name ('glorot_uniform', 'he_normal', 'normal' as in the lecture, ...).
    bias_init : float
        Constant initial bias (the lecture uses 0.01).
    bias : bool
        Whether the layer has a bias.
    dtype : dtype
        float32 (default) or float64.
    rng : Generator, int or None
        Source of the random initial weights.
    """

    def __init__(self, in_features: int, out_features: int, activation: str | Callable | None = None,
                 weight_init: str = "glorot_uniform", bias_init: float = 0.0, bias: bool = True,
                 dtype: Any = np.float32, rng: np.random.Generator | int | None = None):
        self.in_features = check_integer(in_features, "Dense in_features")
        self.out_features = check_integer(out_features, "Dense out_features")
        self.activation = get_activation(activation)
        if not isinstance(bias_init, (int, float, np.integer, np.floating)) or not np.isfinite(bias_init):
            raise ValueError(f"Dense bias_init must be a finite number, got {bias_init!r}; the lecture uses 0.01")
        self.weight_init, self.bias_init = weight_init, float(bias_init)
        shape = (self.in_features, self.out_features)
        self.weight = Parameter(initialize(weight_init, shape, in_features, out_features, as_generator(rng), dtype))
        self.bias = Parameter(np.full(out_features, bias_init, dtype=dtype)) if bias else None

    def forward(self, x):
        z = ops.linear(x, self.weight, self.bias)
        return z if self.activation is identity else self.activation(z)

    def extra_repr(self) -> str:
        return f"{self.in_features} -> {self.out_features}, activation={activation_name(self.activation)}"

    def config(self) -> dict:
        """Constructor arguments as JSON-able values (rng not stored), for ``nnlab.io.save_model``."""
        init = self.weight_init if isinstance(self.weight_init, str) else next(
            (k for k, f in INITIALIZERS.items() if f is self.weight_init), "glorot_uniform")  # weights get loaded anyway
        return {"in_features": self.in_features, "out_features": self.out_features,
                "activation": activation_config_name(self.activation), "weight_init": init,
                "bias_init": self.bias_init, "bias": self.bias is not None, "dtype": self.weight.dtype.name}



class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability ``rate`` and scale by 1/(1-rate)."""

    def __init__(self, rate: float = 0.5, rng: np.random.Generator | int | None = None):
        if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, (int, float, np.integer, np.floating)):
            raise TypeError(f"dropout rate must be a number in [0, 1), got {rate!r} of type {type(rate).__name__}")
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must lie in [0, 1) (the fraction of units dropped; 1 would drop them "
                             f"all), got {rate}; use e.g. 0.2")
        self.rate = rate
        self.rng = as_generator(rng)

    def forward(self, x):
        return F.dropout(x, self.rate, self.rng, training=self.training)

    def extra_repr(self) -> str:
        return f"rate={self.rate}"

    def config(self) -> dict:
        """Constructor arguments (the rng is not stored: a loaded model draws fresh masks)."""
        return {"rate": float(self.rate)}


class Flatten(Module):
    """Reshape (n, d1, d2, ...) to (n, d1 * d2 * ...)."""

    def forward(self, x):
        return ops.reshape(x, (x.shape[0], -1))

    def config(self) -> dict:
        return {}
