"""Forward-mode derivatives of trial solutions: a trial solution that carries its derivatives.

Differentiating a network twice with respect to its input by reverse mode
(``grad(grad(u, x, create_graph=True), x, create_graph=True)``) builds a graph several times the
size of the forward pass, and the cost's gradient must then walk all of it. For a plain stack of
Dense layers the same derivatives follow from the chain rule carried forward, layer by layer:

    z = h W + b,   z' = h' W,   z'' = h'' W
    a = f(z),      a' = f'(z) z',   a'' = f'(z) z'' + f''(z) z'^2

(one ' per coordinate, up to second order), and through the trial solution by the product rule
(u v)' = u' v + u v', (u v)'' = u'' v + 2 u' v' + u v''. :class:`Taylor` does this arithmetic;
the result is a :class:`Jet`: the trial solution's value, an ordinary graph node, which carries
its derivatives with it (``u.d(x, order)``). :func:`nnlab.de.diff` reads them from the Jet it is
given; nothing is stored anywhere else, so they live exactly as long as the Jet.

Every carried quantity is a Tensor that depends on the weights (and on the coordinates, so any
derivative not carried, mixed or of third order, still comes out right by reverse mode from the
Jet or from a carried derivative).

A computation that Taylor arithmetic cannot follow (an nnlab function applied to a coordinate
inside a custom condition, division by a Tensor) raises :class:`ForwardModeUnsupported`; the
solver catches it by name, notes why in the run's log and uses reverse mode for that run.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nnlab import ops
from nnlab.nn import Dense, Sequential
from nnlab.nn.activations import identity
from nnlab.tensor import Tensor, grad

__all__ = ["Jet", "Taylor", "ForwardModeUnsupported", "check_network", "network_taylor", "reverse_derivative"]

MAX_ORDER = 2


class ForwardModeUnsupported(Exception):
    """Derivatives cannot be carried forward through this computation; reverse mode gives them instead."""


def reverse_derivative(u: Tensor, x: Tensor, order: int) -> Tensor:
    """d^order u / dx^order by reverse mode, ``order`` vector-Jacobian products with ones.

    Row i of ``u`` must depend only on row i of ``x`` (a network applied point by point).
    """
    for _ in range(order):
        if not (isinstance(u, Tensor) and u.requires_grad):
            return Tensor(np.zeros(x.shape, dtype=x.dtype))
        (u,) = grad(u, x, grad_outputs=np.ones(u.shape, dtype=u.dtype), create_graph=True, allow_unused=True)
        if u is None:
            return Tensor(np.zeros(x.shape, dtype=x.dtype))
    return u


class Jet(Tensor):
    """A trial solution's values (n, 1) that carry their derivatives along each coordinate.

    A Jet is an ordinary graph node (arithmetic on it gives plain Tensors); it also holds
    d u/dx_k and d^2 u/dx_k^2 for each coordinate Tensor x_k it was evaluated at.
    """

    __slots__ = ("_coordinates", "_derivatives")

    def d(self, x: Tensor, order: int = 1) -> Tensor:
        """d^order u / dx^order: carried (orders 1 and 2 along a coordinate), else by reverse mode."""
        if order < 0:
            raise ValueError(f"order must be >= 0, got {order}")
        if order == 0:
            return self
        for k, c in enumerate(self._coordinates):
            if c is x and order <= MAX_ORDER:
                return _as_tensor(self._derivatives[k][order - 1], self)
        return reverse_derivative(self, x, order)


def _as_tensor(value, like: Tensor) -> Tensor:
    """A carried derivative as a Tensor of ``like``'s shape (None: zero; 1.0: the coordinate's own)."""
    if value is None:
        return Tensor(np.zeros(like.shape, dtype=like.dtype))
    if not isinstance(value, Tensor):
        return Tensor(np.broadcast_to(np.asarray(value, dtype=like.dtype), like.shape).copy())
    if value.shape != like.shape:
        return ops.broadcast_to(value, like.shape)
    return value


def _make_jet(value: Tensor, coordinates: Sequence[Tensor], derivatives: list) -> Jet:
    """The graph node of ``value`` re-issued as a Jet that carries ``derivatives`` (d[k] = [first, second])."""
    fresh = value + 0.0  # a node of its own: ``value`` itself may feed the derivatives (a tanh output layer)
    jet = object.__new__(Jet)
    for cls in type(fresh).__mro__:  # the same fields: same data, parents and vector-Jacobian products
        for name in cls.__dict__.get("__slots__", ()):
            if name != "__weakref__" and hasattr(fresh, name):
                setattr(jet, name, getattr(fresh, name))
    jet._coordinates, jet._derivatives = tuple(coordinates), derivatives
    return jet


# --------------------------------------------------------------------------------------------
# Taylor arithmetic: value and first two derivatives along each coordinate (None means zero)
# --------------------------------------------------------------------------------------------
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


class Taylor:
    """A value and its first and second derivatives along each coordinate, combined by the product rule.

    Only what a trial solution needs: sums, products, constant division, integer powers, and
    boundary functions of a single coordinate (:meth:`apply`). Anything else raises
    :class:`ForwardModeUnsupported`, including passing a Taylor to an nnlab or NumPy function.
    """

    __slots__ = ("v", "d")

    def __init__(self, v, d: list):
        self.v, self.d = v, d  # d[k] = [d/dx_k, d^2/dx_k^2]

    @staticmethod
    def coordinate(x: Tensor, k: int, n: int) -> "Taylor":
        return Taylor(x, [[1.0, None] if j == k else [None, None] for j in range(n)])

    def _lift(self, other) -> "Taylor":
        if isinstance(other, Taylor):
            return other
        if isinstance(other, (int, float, np.ndarray, np.generic)) or (isinstance(other, Tensor) and not other.requires_grad):
            return Taylor(other, [[None, None] for _ in self.d])
        raise ForwardModeUnsupported(f"a trial solution combined a {type(other).__name__} with a coordinate")

    def __add__(self, other):
        o = self._lift(other)
        return Taylor(self.v + o.v, [[_add(a, b) for a, b in zip(p, q)] for p, q in zip(self.d, o.d)])

    __radd__ = __add__

    def __neg__(self):
        return Taylor(-self.v, [[None if a is None else -a for a in p] for p in self.d])

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
        return Taylor(self.v * o.v, d)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, (Taylor, Tensor)):
            raise ForwardModeUnsupported("a trial solution divides by a function of the coordinates")
        return self * (1.0 / other)

    def __pow__(self, exponent):
        if not isinstance(exponent, int) or exponent < 1:
            raise ForwardModeUnsupported(f"a trial solution raises a coordinate to the power {exponent!r}")
        out = self
        for _ in range(exponent - 1):
            out = out * self
        return out

    def _unsupported(self, *args, **kwargs):
        raise ForwardModeUnsupported("a trial solution applies an nnlab or NumPy function to a coordinate "
                                     "directly (boundary data given as functions are supported)")

    # nnlab's operations look for an array namespace, NumPy's for an array: both end here
    __array_namespace__ = __array__ = _unsupported

    def apply(self, fn: Callable) -> "Taylor":
        """fn(x) for a coordinate x, derivatives by reverse mode on fn's own (weight-free) graph."""
        active = [k for k, (a1, a2) in enumerate(self.d) if a1 is not None or a2 is not None]
        if len(active) != 1 or self.d[active[0]] != [1.0, None] or not isinstance(self.v, Tensor):
            raise ForwardModeUnsupported("boundary data were applied to an expression of the coordinates, "
                                         "not to a coordinate itself")
        k, x = active[0], self.v
        value = fn(x)
        d = [[None, None] for _ in self.d]
        if isinstance(value, Tensor) and value.requires_grad:
            first = reverse_derivative(value, x, 1)
            d[k] = [first, reverse_derivative(first, x, 1)]
        return Taylor(value, d)

    def to_jet(self, coordinates: Sequence[Tensor]) -> Jet:
        """The value as a :class:`Jet` carrying these derivatives with respect to ``coordinates``."""
        return _make_jet(self.v, coordinates, [list(p) for p in self.d])


# --------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------
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


def check_network(network: Any) -> None:
    """Raise :class:`ForwardModeUnsupported` unless ``network`` is a Sequential of Dense layers
    with tanh, sigmoid or no activation (the networks derivatives are carried through)."""
    if not (isinstance(network, Sequential) and len(network.layers) > 0):
        raise ForwardModeUnsupported(f"the network is a {type(network).__name__}, not a Sequential of Dense layers")
    for i, layer in enumerate(network.layers):
        if type(layer) is not Dense:
            raise ForwardModeUnsupported(f"layer {i} of the network is a {type(layer).__name__}, not a Dense layer")
        if layer.activation not in _ACTIVATION_DERIVATIVES:
            name = getattr(layer.activation, "__name__", repr(layer.activation))
            raise ForwardModeUnsupported(f"layer {i} of the network has activation {name}; derivatives are carried "
                                         "through tanh, sigmoid and linear layers only")


def network_taylor(network: Sequential, h: Tensor, input_scale: np.ndarray) -> tuple:
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
