"""Forward-mode derivatives of trial solutions ("jets"), a fast path for :func:`nnlab.de.diff`.

Differentiating a network twice with respect to its input by reverse mode
(``grad(grad(u, x, create_graph=True), x, create_graph=True)``) builds a graph several times the
size of the forward pass, and the cost's gradient must then walk all of it. For a plain stack of
Dense layers the same derivatives follow from the chain rule carried forward, layer by layer:

    z = h W + b,   z' = h' W,   z'' = h'' W
    a = f(z),      a' = f'(z) z',   a'' = f'(z) z'' + f''(z) z'^2

(one ' per coordinate, up to second order), and through the trial solution by the product rule
(u v)' = u' v + u v', (u v)'' = u'' v + 2 u' v' + u v''. Every quantity is an nnlab Tensor that
depends on the weights (and on the coordinates, so any derivative not carried here still comes
out right from reverse mode). The solver stores the derivatives it carried in a cache that
:func:`diff` reads first.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Sequence

import numpy as np

from nnlab import ops
from nnlab.nn import Dense, Sequential
from nnlab.nn.activations import identity
from nnlab.tensor import Tensor, grad

__all__ = ["Jet", "network_supported", "network_jet", "cached_derivative", "store"]

MAX_ORDER = 2


# f'(z) and f''(z) written with the activation's output a = f(z)
def _tanh_derivatives(a):
    s1 = 1.0 - a * a
    return s1, -2.0 * a * s1


def _sigmoid_derivatives(a):
    s1 = a * (1.0 - a)
    return s1, s1 * (1.0 - 2.0 * a)


_ACTIVATION_DERIVATIVES: dict[Callable, Callable | None] = {
    ops.tanh: _tanh_derivatives, ops.sigmoid: _sigmoid_derivatives, identity: None,
}


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _mul(a, b):
    if a is None or b is None:
        return None
    if isinstance(a, float) and a == 1.0:  # the coordinate's own derivative: skip a graph node
        return b
    if isinstance(b, float) and b == 1.0:
        return a
    return a * b


class Jet:
    """A value and its first and second derivatives along each coordinate (None means zero)."""

    __slots__ = ("v", "d")

    def __init__(self, v, d: list):
        self.v, self.d = v, d  # d[k] = [d/dx_k, d^2/dx_k^2]

    @staticmethod
    def coordinate(x: Tensor, k: int, n: int) -> "Jet":
        return Jet(x, [[1.0, None] if j == k else [None, None] for j in range(n)])

    def _lift(self, other) -> "Jet":
        if isinstance(other, Jet):
            return other
        if isinstance(other, (int, float, np.ndarray, np.generic)) or (isinstance(other, Tensor) and not other.requires_grad):
            return Jet(other, [[None, None] for _ in self.d])
        raise TypeError(f"a Jet combines only with Jets and constants, not {type(other).__name__}")

    def __add__(self, other):
        o = self._lift(other)
        return Jet(self.v + o.v, [[_add(a, b) for a, b in zip(p, q)] for p, q in zip(self.d, o.d)])

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.v, [[None if a is None else -a for a in p] for p in self.d])

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) + (-self)

    def __mul__(self, other):
        o = self._lift(other)
        d = []
        for (a1, a2), (b1, b2) in zip(self.d, o.d):
            first = _add(_mul(a1, o.v), _mul(self.v, b1))
            second = _add(_add(_mul(a2, o.v), _mul(self.v, b2)), _mul(_mul(a1, b1), 2.0))
            d.append([first, second])
        return Jet(self.v * o.v, d)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, (Jet, Tensor)):
            raise TypeError("a Jet divides only by constants")
        return self * (1.0 / other)

    def __pow__(self, exponent):
        if not isinstance(exponent, int) or exponent < 1:
            raise TypeError("a Jet takes only positive integer powers")
        out = self
        for _ in range(exponent - 1):
            out = out * self
        return out

    def apply(self, fn: Callable) -> "Jet":
        """fn(x) for a coordinate jet x, derivatives by reverse mode on fn's own (weight-free) graph."""
        active = [k for k, (a1, a2) in enumerate(self.d) if a1 is not None or a2 is not None]
        if len(active) != 1 or self.d[active[0]] != [1.0, None] or not isinstance(self.v, Tensor):
            raise TypeError("boundary functions take a coordinate itself, not an expression of coordinates")
        k, x = active[0], self.v
        value = fn(x)
        d = [[None, None] for _ in self.d]
        if isinstance(value, Tensor) and value.requires_grad:
            first = _grad(value, x)
            second = _grad(first, x) if first is not None else None
            d[k] = [first, second]
        return Jet(value, d)


def _grad(u, x):
    if not (isinstance(u, Tensor) and u.requires_grad):
        return None
    (g,) = grad(u, x, grad_outputs=np.ones(u.shape, dtype=u.dtype), create_graph=True, allow_unused=True)
    return g


def network_supported(network: Any) -> bool:
    """Whether ``network`` is a Sequential of Dense layers with tanh, sigmoid or no activation."""
    return (isinstance(network, Sequential) and len(network.layers) > 0
            and all(type(layer) is Dense and layer.activation in _ACTIVATION_DERIVATIVES for layer in network.layers))


def network_jet(network: Sequential, h: Tensor, input_scale: np.ndarray) -> tuple:
    """Network output and its derivatives along each input column, carried forward through the layers.

    ``h`` (n, d) is the network input, an affine function of the coordinates with dh/dx_k =
    input_scale[k] along column k. Returns (N, [[dN/dx_k, d2N/dx_k^2] for k]) with N (n, m).
    """
    d = h.shape[1]
    derivs = [[None, None] for _ in range(d)]
    for i, layer in enumerate(network.layers):
        z = ops.linear(h, layer.weight, layer.bias)
        if i == 0:  # dh/dx_k is the constant e_k * scale, so z' is a row of W and z'' = 0
            dz = [[ops.getitem(layer.weight, k) * float(input_scale[k]), None] for k in range(d)]
        else:
            dz = [[None if a is None else ops.matmul(a, layer.weight), None if b is None else ops.matmul(b, layer.weight)]
                  for a, b in derivs]
        rule = _ACTIVATION_DERIVATIVES[layer.activation]
        if rule is None:
            h, derivs = z, dz
            continue
        h = layer.activation(z)
        s1, s2 = rule(h)
        derivs = [[_mul(s1, a), _add(_mul(s1, b), _mul(s2, _mul(a, a)))] for a, b in dz]
    return h, derivs


class _Cache(threading.local):
    entries: dict = {}


_cache = _Cache()


def store(u: Tensor, x: Tensor, derivatives: Sequence) -> None:
    """Remember [u, du/dx, d2u/dx2] (None: zero) so that diff(u, x, order) can read them."""
    chain = list(derivatives)
    for start in range(len(chain) - 1):
        if isinstance(chain[start], Tensor):
            _cache.entries[(id(chain[start]), id(x))] = (chain[start], x, chain[start:])


def clear() -> None:
    """Forget every stored derivative."""
    _cache.entries = {}


def cached_derivative(u: Tensor, x: Tensor, order: int):
    """The carried derivative d^order u / dx^order, or None when it was not carried."""
    entry = _cache.entries.get((id(u), id(x)))
    if entry is None or entry[0] is not u or entry[1] is not x or order >= len(entry[2]):
        return None
    value = entry[2][order]
    if value is None:
        return Tensor(np.zeros(u.shape, dtype=u.dtype))
    if not isinstance(value, Tensor):
        return Tensor(np.broadcast_to(np.asarray(value, dtype=u.dtype), u.shape).copy())
    if value.shape != u.shape:
        return ops.broadcast_to(value, u.shape)
    return value
