"""Activation functions by name, and the layer that applies one."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnlab import ops
from nnlab.nn.module import Module

__all__ = ["ACTIVATIONS", "get_activation", "Activation", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU",
           "Softmax", "Identity", "Step", "Softplus"]


def identity(x):
    """f(x) = x."""
    return x


ACTIVATIONS: dict[str, Callable] = {
    "identity": identity,
    "linear": identity,
    "sigmoid": ops.sigmoid,
    "logistic": ops.sigmoid,
    "tanh": ops.tanh,
    "relu": ops.relu,
    "leaky_relu": ops.leaky_relu,
    "elu": ops.elu,
    "softplus": ops.softplus,
    "softmax": ops.softmax,
    "step": ops.heaviside,
}


def get_activation(name: str | Callable | None) -> Callable:
    """The activation called ``name`` ('sigmoid', 'relu', ...); None means identity."""
    if name is None:
        return identity
    if callable(name):
        return name
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None


def activation_name(fn: Callable) -> str:
    """The registry name of an activation function (the first one registered for it)."""
    for name, f in ACTIVATIONS.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", "custom")


def activation_config_name(fn: Callable) -> str:
    """The registry name under which ``fn`` is saved; ValueError if ``fn`` is not in ACTIVATIONS."""
    name = activation_name(fn)
    if ACTIVATIONS.get(name) is not fn:
        raise ValueError(f"activation {name!r} is not in nnlab.nn.activations.ACTIVATIONS, so a model using it "
                         f"cannot be saved; register it there (ACTIVATIONS['{name}'] = fn) first")
    return name


class Activation(Module):
    """Applies an activation function elementwise: a = f(z)."""

    def __init__(self, name: str | Callable = "relu"):
        self.fn = get_activation(name)
        self.name = activation_name(self.fn)

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name

    def config(self) -> dict:
        """Constructor arguments: the activation's registry name (none for Sigmoid, ReLU, ...)."""
        if type(self).__init__ is not Activation.__init__:
            return {}
        return {"name": activation_config_name(self.fn)}


class Sigmoid(Activation):
    """sigma(z) = 1 / (1 + e^{-z}) as a layer."""

    def __init__(self):
        super().__init__("sigmoid")


class Tanh(Activation):
    """tanh(z) as a layer."""

    def __init__(self):
        super().__init__("tanh")


class ReLU(Activation):
    """max(0, z) as a layer."""

    def __init__(self):
        super().__init__("relu")


class Softplus(Activation):
    """log(1 + e^z) as a layer."""

    def __init__(self):
        super().__init__("softplus")


class Identity(Activation):
    """f(z) = z as a layer."""

    def __init__(self):
        super().__init__("identity")


class Step(Activation):
    """The Heaviside step (the perceptron's activation) as a layer."""

    def __init__(self):
        super().__init__("step")


def _alpha(layer: str, alpha: Any) -> float:
    """``alpha`` as a float, checked to be a finite number."""
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)) \
            or not np.isfinite(alpha):
        raise ValueError(f"{layer} alpha must be a finite number, got {alpha!r}")
    return float(alpha)


class LeakyReLU(Module):
    """f(x) = x for x > 0, alpha x otherwise."""

    def __init__(self, alpha: float = 0.01):
        self.alpha = _alpha("LeakyReLU", alpha)

    def forward(self, x):
        return ops.leaky_relu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"

    def config(self) -> dict:
        return {"alpha": float(self.alpha)}


class ELU(Module):
    """f(x) = x for x > 0, alpha (e^x - 1) otherwise."""

    def __init__(self, alpha: float = 1.0):
        self.alpha = _alpha("ELU", alpha)

    def forward(self, x):
        return ops.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"

    def config(self) -> dict:
        return {"alpha": float(self.alpha)}


class Softmax(Module):
    """softmax along ``axis`` (the class axis, last by default)."""

    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        return ops.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"

    def config(self) -> dict:
        return {"axis": int(self.axis)}
