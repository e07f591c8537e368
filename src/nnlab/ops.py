"""The table of primitives: each operation's forward pass and its derivative side by side.

A :class:`Primitive` is declared once: its forward pass on arrays and one VJP rule per input
("vector-Jacobian product": dL/d(input) from g = dL/d(out)), written with these same
differentiable operations, so ``grad(..., create_graph=True)`` gives derivatives of any order.
In a rule, ``g`` is dL/d(out), ``out`` the result and the remaining arguments the inputs, then
the operation's parameters by keyword. Where a first-order NumPy version of a rule is faster, it
is registered beside the rule as a *kernel*; the backward walk uses it when no graph is being
built, and ``tests/test_primitives.py`` compares every kernel with its rule.

Every operation accepts Tensors or plain arrays. On plain arrays it is the array function itself
(this is what a first-order rule runs on). Operations that are primitives as they stand (``add``,
``exp``, ``sigmoid``) are the table's entries themselves; those that check or convert their
arguments first (``linear``, ``sum``) are functions calling their entry (``LINEAR``, ``SUM``).
:data:`PRIMITIVES` lists the table; the lecture's four backpropagation equations are the rules of ``linear`` (BP2, BP3, BP4) and ``cross_entropy`` (BP1).
"""
from __future__ import annotations

import builtins
import functools
import math
import operator
from typing import Any, Callable, Sequence

import numpy as np
from scipy.special import expit as _expit

from nnlab._backend import dtype_in, is_numpy, namespace, to_numpy
from nnlab._backend import like as like_array
from nnlab.tensor import _NO_CTX, Tensor

node = Tensor._from_op
_data_of = operator.attrgetter("data")

#: every primitive, by name (filled as the modules that declare them are imported)
PRIMITIVES: dict[str, "Primitive"] = {}


class Primitive:
    """One differentiable operation: ``forward(*arrays, **params)`` and one VJP rule per input.

    Parameters
    ----------
    name : str
        Its key in :data:`PRIMITIVES`.
    forward : callable
        ``forward(*arrays, **params) -> array``.
    vjps : sequence of callables
        ``rule(g, out, *inputs, **params) -> dL/d(input_i)`` for each input, written with nnlab's
        differentiable operations (they receive Tensors when the backward pass builds a graph).
    kernels : sequence of callables or None, optional
        Faster first-order versions of the rules on plain NumPy arrays (None entries: the rule).
    doc : str, optional
        One line naming the equation, for a primitive that is itself a public operation.
    saves : bool
        ``forward`` returns ``(out, saved)``: a dict of intermediate arrays passed on to the rules
        and kernels by keyword, next to the parameters.
    """

    def __init__(self, name: str, forward: Callable, vjps: Sequence[Callable],
                 kernels: Sequence[Callable | None] | None = None, doc: str | None = None, saves: bool = False):
        if name in PRIMITIVES:
            raise ValueError(f"a primitive called {name!r} is already in the table")
        self.name, self.forward, self.vjps, self.saves = name, forward, tuple(vjps), saves
        self.__name__, self.__doc__ = name, doc  # an operation used directly (ops.exp) reads like a function
        self.fast = tuple(kernels or ())  # the kernels as declared (the tests compare them with the rules)
        if len(self.fast) > len(self.vjps):
            raise ValueError(f"{name}: {len(self.fast)} kernels for {len(self.vjps)} rules")
        # what the first-order walk calls: the kernel where there is one, else the rule
        self.kernels = tuple(self.fast[i] if i < len(self.fast) and self.fast[i] else rule
                             for i, rule in enumerate(self.vjps)) if kernels else None
        PRIMITIVES[name] = self

    def __call__(self, *inputs, **params):
        """The forward pass on arrays, or a graph node when an input is a Tensor.

        One and two inputs (nearly every call) are unpacked by name rather than looped over;
        the meaning is the same for any number of inputs.
        """
        n = len(inputs)
        if n == 1:
            x = inputs[0]
            if not isinstance(x, Tensor):
                out = self.forward(x, **params)
                return out[0] if self.saves else out
            data = self.forward(x.data, **params)
        elif n == 2:
            x, y = inputs
            if isinstance(x, Tensor):
                if not isinstance(y, Tensor):  # constants join the graph as leaves of x's dtype and library
                    y = _lift(y, x)
                    inputs = (x, y)
            elif isinstance(y, Tensor):
                x = _lift(x, y)
                inputs = (x, y)
            else:
                out = self.forward(x, y, **params)
                return out[0] if self.saves else out
            data = self.forward(x.data, y.data, **params)
        else:
            for like in inputs:
                if isinstance(like, Tensor):
                    break
            else:
                out = self.forward(*inputs, **params)
                return out[0] if self.saves else out
            for x in inputs:
                if not isinstance(x, Tensor):
                    inputs = tuple([x if isinstance(x, Tensor) else _lift(x, like) for x in inputs])
                    break
            data = self.forward(*map(_data_of, inputs), **params)
        if self.saves:  # forward also returned what its rules and kernels reuse (e.g. the softmax)
            data, saved = data
            params.update(saved)
        return node(data, inputs, self.vjps, self.kernels, params)

    def node(self, data, parents: tuple, params: dict | None = None) -> Tensor:
        """The graph node of this operation: ``data`` computed from ``parents``."""
        return node(data, parents, self.vjps, self.kernels, params or _NO_CTX)

    def __repr__(self) -> str:
        return f"Primitive({self.name!r}, {len(self.vjps)} rule(s), {len(self.fast)} kernel(s))"

    def __reduce__(self):  # copies and pickles of a model refer to the one entry of the table
        return _primitive_named, (self.name,)


def _primitive_named(name: str) -> Primitive:
    return PRIMITIVES[name]


def _raw(x: Any):
    """The array behind a Tensor (constants are used as they are)."""
    return x.data if isinstance(x, Tensor) else x


def _lift(x: Any, like: Any = None) -> Tensor:
    """A constant Tensor for ``x`` (Tensors pass through) in the array library of ``like``.

    Python scalars take the dtype of a floating ``like``, so float32 stays float32; NumPy
    constants move into ``like``'s library when that is another one (CuPy, array-api-strict).
    """
    if isinstance(x, Tensor):
        return x
    reference = _raw(like)
    if type(x) is np.ndarray:
        return node(x if like is None or is_numpy(reference) else like_array(x, reference), (), ())
    if isinstance(x, (int, float)) and hasattr(reference, "dtype"):
        if isinstance(reference, (np.ndarray, np.generic)):
            if reference.dtype.kind == "f":
                return node(np.asarray(x, dtype=reference.dtype), (), ())
        else:
            xp = namespace(reference)
            if xp.isdtype(reference.dtype, "real floating"):
                return node(xp.asarray(x, dtype=reference.dtype), (), ())
    return Tensor(like_array(x, reference) if like is not None else x)


def _cast(a, dtype):
    """``a`` converted to ``dtype`` in its own array library."""
    if isinstance(a, np.ndarray):
        return a.astype(dtype)
    xp = namespace(a)
    return xp.astype(a, dtype_in(xp, dtype))


def _any_tensor(*xs) -> bool:
    for x in xs:
        if isinstance(x, Tensor):
            return True
    return False


def _shape(x) -> tuple:
    return tuple(x.shape)


def _unary(name: str) -> Callable:
    """The array function ``name`` (``exp``, ``tanh``, ...) of the argument's own array library."""
    ufunc = getattr(np, name)
    return lambda x: ufunc(x) if isinstance(x, np.ndarray) else getattr(namespace(x), name)(x)


def _reduce(ufunc, name: str) -> Callable:
    """The reduction ``name`` (``sum``, ``max``) over ``axis``; on NumPy arrays the ufunc's own
    ``reduce``, without the dispatch of NumPy's Python-level wrapper."""
    def reduce(x, axis, keepdims):
        if isinstance(x, np.ndarray):
            return ufunc.reduce(x, axis=axis, keepdims=keepdims)
        return getattr(namespace(x), name)(x, axis=axis, keepdims=keepdims)
    return reduce


@functools.lru_cache(maxsize=64)
def _constant_vector(make, n: int, dtype) -> np.ndarray:
    """``make(n, dtype=dtype)`` (``np.ones``, ``np.arange``), read-only and kept: a run uses few batch
    sizes, so each vector is made once instead of on every step."""
    vector = make(n, dtype=dtype)
    vector.flags.writeable = False
    return vector


def _product(a, b):
    """a @ b of 2-D operands; ``ndarray.dot`` on NumPy arrays (the same BLAS call with less dispatch)."""
    return a.dot(b) if type(a) is np.ndarray and type(b) is np.ndarray else a @ b


# --------------------------------------------------------------------------------------------
# Broadcasting: one helper undoes it for every binary operation.
# --------------------------------------------------------------------------------------------
def _sum_to_raw(x, shape):
    lead = x.ndim - len(shape)
    if lead:  # axes broadcasting put in front
        x = namespace(x).sum(x, axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return namespace(x).sum(x, axis=axes, keepdims=True) if axes else x


def _broadcast_to_raw(x, shape):
    if isinstance(x, np.ndarray):  # a fresh, writable array rather than a read-only view
        out = np.empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    return namespace(x).broadcast_to(x, shape)


SUM_TO = Primitive("sum_to", _sum_to_raw, [lambda g, out, x, shape: broadcast_to(g, _shape(x))])
BROADCAST_TO = Primitive("broadcast_to", _broadcast_to_raw, [lambda g, out, x, shape: sum_to(g, _shape(x))])


def sum_to(x, shape: tuple):
    """Sum ``x`` over the axes broadcasting added, giving ``shape``; VJP: broadcast back."""
    shape = tuple(shape)
    return x if _shape(x) == shape else SUM_TO(x, shape=shape)


def broadcast_to(x, shape: tuple):
    """Repeat ``x`` along broadcast axes; VJP: sum back to the original shape."""
    shape = tuple(shape)
    return x if _shape(x) == shape else BROADCAST_TO(x, shape=shape)


# --------------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------------
add = Primitive("add", lambda a, b: a + b, [
    lambda g, out, a, b: sum_to(g, _shape(a)),
    lambda g, out, a, b: sum_to(g, _shape(b)),
], doc="a + b;  d/da = d/db = 1.")
sub = Primitive("sub", lambda a, b: a - b, [
    lambda g, out, a, b: sum_to(g, _shape(a)),
    lambda g, out, a, b: sum_to(-g, _shape(b)),
], doc="a - b;  d/da = 1, d/db = -1.")
mul = Primitive("mul", lambda a, b: a * b, [
    lambda g, out, a, b: sum_to(g * b, _shape(a)),
    lambda g, out, a, b: sum_to(g * a, _shape(b)),
], doc="a * b;  d/da = b, d/db = a.")
div = Primitive("div", lambda a, b: a / b, [
    lambda g, out, a, b: sum_to(g / b, _shape(a)),
    lambda g, out, a, b: sum_to(-g * out / b, _shape(b)),
], doc="a / b;  d/da = 1/b, d/db = -a/b^2 = -out/b.")
neg = Primitive("neg", lambda x: -x, [lambda g, out, x: -g], doc="-x;  d/dx = -1.")
POWER = Primitive("power", lambda a, b: a ** b, [
    lambda g, out, a, b: sum_to(g * b * a ** (b - 1), _shape(a)),
    lambda g, out, a, b: sum_to(g * out * log(a), _shape(b)),
])
# x^0 = 1 everywhere, also at x = 0 where x^-1 is infinite: its derivative is 0, not 0 * inf
POWER_CONSTANT = Primitive("power_constant", lambda x, exponent: x ** exponent, [
    lambda g, out, x, exponent: g * exponent * x ** (exponent - 1) if exponent != 0 else g * 0.0,
])


def power(a, b):
    """a ** b;  d/da = b a^(b-1), d/db = a^b log a (a constant exponent has no derivative)."""
    if isinstance(b, (int, float)) and not isinstance(b, bool) and isinstance(a, Tensor):
        return POWER_CONSTANT(a, exponent=b)
    return POWER(a, b)


def _check_matmul(a, b) -> None:
    a_shape, b_shape = _shape(a), _shape(b)
    if len(a_shape) < 1 or len(b_shape) < 1:
        raise ValueError(f"matmul needs arrays of at least 1 dimension, got shapes {a_shape} and {b_shape}")
    inner = b_shape[-2 if len(b_shape) > 1 else 0]
    if a_shape[-1] != inner:
        raise ValueError(
            f"matmul shape mismatch: {a_shape} @ {b_shape}; the last axis of the left operand "
            f"({a_shape[-1]}) must equal the {'second-to-last' if len(b_shape) > 1 else 'only'} axis of the "
            f"right one ({inner})"
        )
    if len(a_shape) > 2 or len(b_shape) > 2:
        try:
            np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
        except ValueError:
            raise ValueError(
                f"matmul shape mismatch: {a_shape} @ {b_shape}; the batch axes {a_shape[:-2]} and "
                f"{b_shape[:-2]} do not broadcast against each other"
            ) from None


MATMUL = Primitive("matmul", lambda a, b: a @ b, [
    lambda g, out, a, b: sum_to(g @ matrix_transpose(b), _shape(a)),
    lambda g, out, a, b: sum_to(matrix_transpose(a) @ g, _shape(b)),
])


def matmul(a, b):
    """a @ b (2-D, or batched over leading axes; 1-D operands as in NumPy);  d/da = g b^T, d/db = a^T g."""
    if not _any_tensor(a, b):
        return a @ b
    a, b = _lift(a, b), _lift(b, a)
    _check_matmul(a, b)
    if a.ndim == 1 and b.ndim == 1:
        return sum(a * b)
    if a.ndim == 1:
        return reshape(matmul(reshape(a, (1, a.shape[0])), b), _shape(b)[:-2] + _shape(b)[-1:])
    if b.ndim == 1:
        return reshape(matmul(a, reshape(b, (b.shape[0], 1))), _shape(a)[:-1])
    return MATMUL(a, b)


# The lecture's backpropagation equations for a layer z = x W + b with delta = dC/dz = g:
def linear_input_vjp(g, out, x, w, b=None):
    """BP2: dC/da^{l-1} = delta^l (W^l)^T, the error carried back through the weights."""
    return g @ matrix_transpose(w)


def linear_weight_vjp(g, out, x, w, b=None):
    """BP4: dC/dW^l = (a^{l-1})^T delta^l."""
    return matrix_transpose(x) @ g


def linear_bias_vjp(g, out, x, w, b=None):
    """BP3: dC/db^l = delta^l, summed over the samples of the batch."""
    return sum_to(g, _shape(b))


def _bias_kernel(g, out, x, w, b=None):
    """BP3 on NumPy: the column sums 1^T g as one matrix-vector product with a row of ones."""
    if type(g) is np.ndarray and g.ndim == 2 and b.shape == g.shape[1:]:
        return _constant_vector(np.ones, g.shape[0], g.dtype).dot(g)
    return linear_bias_vjp(g, out, x, w, b)


def _affine(x, w, b=None):
    """x @ w + b on arrays (the NumPy sum computed in place: one array less)."""
    out = x.dot(w) if type(x) is np.ndarray and type(w) is np.ndarray else x @ w
    if b is None:
        return out
    if type(out) is np.ndarray and type(b) is np.ndarray and b.ndim == 1 and b.dtype == out.dtype:
        out += b
        return out
    return out + b


LINEAR = Primitive("linear", _affine, [linear_input_vjp, linear_weight_vjp, linear_bias_vjp], kernels=[
    lambda g, out, x, w, b=None: g.dot(w.T),
    lambda g, out, x, w, b=None: x.T.dot(g),
    _bias_kernel,
])


def linear(x, weight, bias=None):
    """Affine map x W + b for x of shape (n, in), W (in, out), b (out,), as one node.

    Its rules are the lecture's BP2 (d/dx = g W^T), BP4 (d/dW = x^T g) and BP3 (d/db = sum_n g).
    """
    x_data, w_data = _raw(x), _raw(weight)
    if x_data.ndim != 2 or w_data.ndim != 2:
        out = matmul(x, weight)
        return out if bias is None else add(out, bias)
    if x_data.shape[1] != w_data.shape[0]:
        raise ValueError(
            f"linear shape mismatch: input {_shape(x)} @ weight {_shape(weight)}; the input has "
            f"{x_data.shape[1]} features but the weight expects {w_data.shape[0]}"
        )
    return LINEAR(x, weight) if bias is None else LINEAR(x, weight, bias)


# --------------------------------------------------------------------------------------------
# Elementwise functions
# --------------------------------------------------------------------------------------------
exp = Primitive("exp", _unary("exp"), [lambda g, out, x: g * out], doc="e^x;  d/dx = e^x = out.")
log = Primitive("log", _unary("log"), [lambda g, out, x: g / x], doc="log x;  d/dx = 1/x.")
sqrt = Primitive("sqrt", _unary("sqrt"), [lambda g, out, x: g * 0.5 / out],
                 doc="sqrt x;  d/dx = 1 / (2 sqrt x).")
abs = Primitive("abs", _unary("abs"), [lambda g, out, x: g * namespace(_raw(x)).sign(_raw(x))],
                doc="|x|;  d/dx = sign(x).")
sin = Primitive("sin", _unary("sin"), [lambda g, out, x: g * cos(x)], doc="sin x;  d/dx = cos x.")
cos = Primitive("cos", _unary("cos"), [lambda g, out, x: -g * sin(x)], doc="cos x;  d/dx = -sin x.")
tanh = Primitive("tanh", _unary("tanh"), [lambda g, out, x: g * (1.0 - out * out)],
                 doc="tanh x;  d/dx = 1 - tanh^2 x.")


#: e^t is finite for t below these: log of the largest float, rounded down (709, 88, 11)
_EXP_SAFE = {np.dtype(t): float(math.floor(math.log(np.finfo(t).max))) for t in (np.float64, np.float32, np.float16)}


def _sigmoid_raw(x):
    """1 / (1 + e^-x) without overflow warnings, in the argument's array library."""
    if isinstance(x, np.ndarray):
        if x.size <= 1024:  # SciPy's expit: one overflow-free ufunc, the least overhead on small arrays
            return _expit(x)
        # On large arrays NumPy's vectorised exp wins. e^-x may overflow to inf, and 1 / (1 + inf) is
        # exactly 0, so the overflow warning is silenced, but only when some x is that negative.
        limit = _EXP_SAFE.get(x.dtype)
        e = np.negative(x)
        if limit is not None and x.item(x.argmin()) > -limit:
            np.exp(e, out=e)
        else:
            with np.errstate(over="ignore"):
                np.exp(e, out=e)
        e += 1.0
        return np.reciprocal(e, out=e)
    xp = namespace(x)
    e = xp.exp(-xp.abs(x))  # never overflows: sigmoid(-1000) is exactly 0 without a warning
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_kernel(g, out, x):
    """g sigma (1 - sigma) computed in place on one fresh array."""
    d = 1.0 - out
    d *= out
    d *= g
    return d


sigmoid = Primitive("sigmoid", _sigmoid_raw, [lambda g, out, x: g * out * (1.0 - out)], kernels=[_sigmoid_kernel],
                    doc="Logistic sigma(x) = 1 / (1 + e^-x);  d/dx = sigma (1 - sigma).")
# the derivative of relu is a 0/1 mask (cheaper to multiply by than a where() on large feature maps)
relu = Primitive("relu", lambda x: namespace(x).maximum(x, 0),
                 [lambda g, out, x: g * _cast(_raw(x) > 0, _raw(x).dtype)], doc="max(x, 0);  d/dx = 1 for x > 0, else 0.")
LEAKY_RELU = Primitive("leaky_relu", lambda x, alpha: namespace(x).where(x > 0, x, alpha * x),
                       [lambda g, out, x, alpha: where(_raw(x) > 0, g, g * alpha)])


def _elu_raw(x, alpha):
    xp = namespace(x)
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


def _softplus_raw(x):
    xp = namespace(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


ELU = Primitive("elu", _elu_raw, [lambda g, out, x, alpha: where(_raw(x) > 0, g, g * (out + alpha))])
softplus = Primitive("softplus", _softplus_raw, [lambda g, out, x: g * sigmoid(x)],
                     doc="log(1 + e^x), computed stably;  d/dx = sigma(x).")


def _heaviside_raw(x, value_at_zero):
    xp = namespace(x)
    return xp.where(x > 0, xp.ones_like(x), xp.where(x < 0, xp.zeros_like(x), value_at_zero))


HEAVISIDE = Primitive("heaviside", _heaviside_raw, [lambda g, out, x, value_at_zero: g * 0.0])


def leaky_relu(x, alpha: float = 0.01):
    """x for x > 0, alpha x otherwise;  d/dx = 1 or alpha."""
    return LEAKY_RELU(x, alpha=alpha)


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha (e^x - 1) otherwise;  d/dx = 1 or alpha e^x = out + alpha."""
    return ELU(x, alpha=alpha)


def heaviside(x, value_at_zero: float = 1.0):
    """The step function: 1 for x > 0, 0 for x < 0;  d/dx = 0 (it passes back no gradient)."""
    return HEAVISIDE(x, value_at_zero=value_at_zero)


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------
WHERE = Primitive("where", lambda a, b, condition: namespace(a).where(condition, a, b), [
    lambda g, out, a, b, condition: sum_to(where(condition, g, 0.0), _shape(a)),
    lambda g, out, a, b, condition: sum_to(where(condition, 0.0, g), _shape(b)),
])


def where(condition, a, b):
    """condition ? a : b;  d/da = [condition], d/db = [not condition]."""
    cond = _raw(condition)
    if not _any_tensor(a, b):
        reference = b if is_numpy(a) else a
        return namespace(cond, a, b).where(like_array(cond, reference), a, b)
    a, b = _lift(a, b), _lift(b, a)
    return WHERE(a, b, condition=like_array(cond, a.data))


def maximum(a, b):
    """Elementwise max;  the gradient goes to the larger input (to a on ties)."""
    if not _any_tensor(a, b):
        return namespace(a, b).maximum(a, b)
    a, b = _lift(a, b), _lift(b, a)
    return where(a.data >= b.data, a, b)


def minimum(a, b):
    """Elementwise min;  the gradient goes to the smaller input (to a on ties)."""
    if not _any_tensor(a, b):
        return namespace(a, b).minimum(a, b)
    a, b = _lift(a, b), _lift(b, a)
    return where(a.data <= b.data, a, b)


CLIP = Primitive("clip", lambda x, lower, upper: namespace(x).clip(x, lower, upper),
                 [lambda g, out, x, lower, upper: where(_raw(out) == _raw(x), g, 0.0)])


def clip(x, lower=None, upper=None):
    """x limited to [lower, upper];  d/dx = 1 inside the interval, 0 outside."""
    return CLIP(x, lower=lower, upper=upper)


# --------------------------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------------------------
def _axes(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes) if ndim else ()


def _keepdims_shape(shape, axis) -> tuple:
    """``shape`` with the reduced axes kept as 1: how a reduction's g is broadcast back."""
    axes = _axes(axis, len(shape))
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _spread(g, x, axis):
    """g of a reduction over ``axis`` broadcast back to x's shape."""
    return broadcast_to(reshape(g, _keepdims_shape(_shape(x), axis)), _shape(x))


def _sum_kernel(g, out, x, axis, keepdims):
    """d/dx = 1 on NumPy: g copied along the summed axes into one fresh array of x's shape."""
    spread = np.empty(x.shape, dtype=g.dtype)
    spread[...] = g if keepdims or axis is None else np.expand_dims(g, axis)
    return spread


SUM = Primitive("sum", _reduce(np.add, "sum"),
                [lambda g, out, x, axis, keepdims: _spread(g, x, axis)], kernels=[_sum_kernel])


def _max_share(x, out, axis):
    """1/k at each of the k maximal entries along ``axis``, 0 elsewhere (a constant)."""
    x = _raw(x)
    xp = namespace(x)
    mask = _cast(x == xp.reshape(_raw(out), _keepdims_shape(_shape(x), axis)), x.dtype)
    return mask / xp.sum(mask, axis=axis, keepdims=True)


MAX = Primitive("max", _reduce(np.maximum, "max"),
                [lambda g, out, x, axis, keepdims: _spread(g, x, axis) * _max_share(x, out, axis)])


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Sum over ``axis``;  d/dx = 1, so g is broadcast back over the summed axes."""
    return SUM(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False):
    """Mean over ``axis`` (sum divided by the number of elements reduced)."""
    shape = _shape(x)
    count = math.prod(shape[a] for a in _axes(axis, len(shape)))
    return sum(x, axis=axis, keepdims=keepdims) / builtins.max(count, 1)


def max(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Maximum over ``axis``;  the gradient is shared equally among the maximal entries."""
    return MAX(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Minimum over ``axis`` (as -max(-x))."""
    if not isinstance(x, Tensor):
        return namespace(x).min(x, axis=axis, keepdims=keepdims)
    return neg(max(neg(x), axis=axis, keepdims=keepdims))


def _logsumexp_raw(v, axis, keepdims):
    xp = namespace(v)
    top = xp.max(v, axis=axis, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0.0)
    r = xp.log(xp.sum(xp.exp(v - top), axis=axis, keepdims=True)) + top
    return r if keepdims else xp.squeeze(r, axis=axis)


LOGSUMEXP = Primitive("logsumexp", _logsumexp_raw, [
    lambda g, out, x, axis, keepdims: reshape(g, _keepdims_shape(_shape(x), axis)) * softmax(x, axis=axis),
])


def logsumexp(x, axis=-1, keepdims: bool = False):
    """log sum exp x, shifted by the maximum so it never overflows;  d/dx = softmax(x)."""
    return LOGSUMEXP(x, axis=axis, keepdims=keepdims)


# --------------------------------------------------------------------------------------------
# Shapes and indexing
# --------------------------------------------------------------------------------------------
RESHAPE = Primitive("reshape", lambda x, shape: namespace(x).reshape(x, shape),
                    [lambda g, out, x, shape: reshape(g, _shape(x))])
TRANSPOSE = Primitive("transpose", lambda x, axes: namespace(x).permute_dims(x, axes),
                      [lambda g, out, x, axes: transpose(g, tuple(int(i) for i in np.argsort(axes)))])


def reshape(x, shape):
    """Same values, new shape;  VJP: reshape back."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if isinstance(x, np.ndarray):
        return x.reshape(shape)
    return RESHAPE(x, shape=shape)


def transpose(x, axes: Sequence[int] | None = None):
    """Permute axes (reverse them by default);  VJP: the inverse permutation."""
    ndim = _raw(x).ndim
    axes = tuple(reversed(range(ndim))) if axes is None else tuple(a % ndim for a in axes)
    return TRANSPOSE(x, axes=axes)


def matrix_transpose(x):
    """Swap the last two axes."""
    if isinstance(x, np.ndarray):
        return x.swapaxes(-1, -2)
    if not isinstance(x, Tensor):
        return x.mT
    n = _raw(x).ndim
    return transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _is_basic_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) for i in items)


def _complete(index) -> tuple:
    """A basic index with a trailing Ellipsis: the array API does not imply the trailing axes."""
    items = index if isinstance(index, tuple) else (index,)
    return items if any(i is Ellipsis for i in items) else items + (Ellipsis,)


def _flat_positions(index, shape: tuple) -> np.ndarray:
    """Positions p in the flattened array with x.reshape(-1)[p] == x[index], for any NumPy index.

    Indices are constants, so NumPy computes them even when the data lives elsewhere; this is
    how array libraries whose standard indexing is limited gather and scatter.
    """
    items = index if isinstance(index, tuple) else (index,)
    items = tuple(i if i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) else to_numpy(i) for i in items)
    return np.arange(math.prod(shape)).reshape(shape)[items]


def _gather(data, index):
    """data[index] in any array library (NumPy indexing semantics)."""
    if isinstance(data, np.ndarray):
        return data[index]
    if _is_basic_index(index):
        return data[_complete(index)]
    xp = namespace(data)
    positions = _flat_positions(index, tuple(data.shape))
    flat = xp.take(xp.reshape(data, (-1,)), like_array(positions.reshape(-1), data), axis=0)
    return xp.reshape(flat, positions.shape)


def _index_add_raw(g, index, shape: tuple):
    """Zeros of ``shape`` with g added at ``index`` (repeated indices accumulate)."""
    xp = namespace(g)
    if xp is np:
        result = np.zeros(shape, dtype=g.dtype)
        if _is_basic_index(index):
            result[index] = g
        else:
            np.add.at(result, index, g)
        return result
    result = xp.zeros(shape, dtype=g.dtype)
    if _is_basic_index(index):
        result[_complete(index)] = g
        return result
    # The array API has no add.at: scatter through a one-hot matrix of the flat positions.
    positions = like_array(_flat_positions(index, shape).reshape(-1, 1), g)
    onehot = _cast(positions == xp.reshape(xp.arange(math.prod(shape), dtype=positions.dtype), (1, -1)), g.dtype)
    return xp.reshape(xp.reshape(g, (1, -1)) @ onehot, shape)


GETITEM = Primitive("getitem", _gather, [lambda g, out, x, index: INDEX_ADD(g, index=index, shape=_shape(x))])
INDEX_ADD = Primitive("index_add", _index_add_raw, [lambda g, out, x, index, shape: getitem(g, index)])


def getitem(x, index):
    """x[index] (slices, integers, integer and boolean arrays);  VJP: scatter-add g back."""
    index = tuple(_raw(i) for i in index) if isinstance(index, tuple) else _raw(index)
    return GETITEM(x, index=index)


def _piece_vjp(g, out, *xs, axis, which, new_axis):
    """The slice of g that input ``which`` of a concatenation (or stack) became."""
    if new_axis:
        return getitem(g, (slice(None),) * axis + (which, Ellipsis))
    start = builtins.sum(_shape(x)[axis] for x in xs[:which])
    return getitem(g, (slice(None),) * axis + (slice(start, start + _shape(xs[which])[axis]), Ellipsis))


def _join_raw(*arrays, axis, new_axis):
    xp = namespace(*arrays)
    return xp.stack(arrays, axis=axis) if new_axis else xp.concat(arrays, axis=axis)


JOIN = Primitive("join", _join_raw, [_piece_vjp])


def _join(tensors: Sequence, axis: int, new_axis: bool):
    """concatenate/stack: one node whose rule for input i is the i-th piece of g."""
    if not _any_tensor(*tensors):
        return _join_raw(*tensors, axis=axis, new_axis=new_axis)
    like = next(t for t in tensors if isinstance(t, Tensor))
    parents = tuple(_lift(t, like) for t in tensors)
    ax = axis % (parents[0].ndim + new_axis)
    rules = tuple(functools.partial(_piece_vjp, which=i) for i in range(len(parents)))
    data = _join_raw(*[p.data for p in parents], axis=ax, new_axis=new_axis)
    return node(data, parents, rules, None, {"axis": ax, "new_axis": new_axis})


def concatenate(tensors: Sequence, axis: int = 0):
    """Join along an existing axis;  VJP: the matching slice of g for each input."""
    return _join(tensors, axis, new_axis=False)


def stack(tensors: Sequence, axis: int = 0):
    """Join along a new axis;  VJP: the i-th slice of g along that axis for input i."""
    return _join(tensors, axis, new_axis=True)


# --------------------------------------------------------------------------------------------
# Softmax family
# --------------------------------------------------------------------------------------------
def _softmax_raw(v, axis):
    xp = namespace(v)
    e = xp.exp(v - xp.max(v, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


def _log_softmax_raw(v, axis):
    xp = namespace(v)
    shifted = v - xp.max(v, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


SOFTMAX = Primitive("softmax", _softmax_raw,
                    [lambda g, out, x, axis: out * (g - sum(g * out, axis=axis, keepdims=True))])
LOG_SOFTMAX = Primitive("log_softmax", _log_softmax_raw,
                        [lambda g, out, x, axis: g - exp(out) * sum(g, axis=axis, keepdims=True)])


def softmax(x, axis: int = -1):
    """softmax_i = e^(x_i - max) / sum_j e^(x_j - max);  VJP: s (g - sum(g s))."""
    return SOFTMAX(x, axis=axis)


def log_softmax(x, axis: int = -1):
    """log softmax = x - logsumexp(x), stable for huge logits;  VJP: g - softmax * sum(g)."""
    return LOG_SOFTMAX(x, axis=axis)


# --------------------------------------------------------------------------------------------
# Tensor methods and operators
# --------------------------------------------------------------------------------------------
ASTYPE = Primitive("astype", _cast, [lambda g, out, x, dtype: astype(g, _raw(x).dtype)])


def astype(x, dtype):
    """The values converted to ``dtype``;  VJP: g converted back."""
    return ASTYPE(x, dtype=dtype)


def _compare(op):
    return lambda self, other: Tensor(op(self.data, like_array(_raw(other), self.data)))


#: NumPy ufuncs that Tensors accept (``np.sin(t)``), each mapped to its differentiable operation
UFUNCS: dict = {
    np.add: add, np.subtract: sub, np.multiply: mul, np.divide: div, np.true_divide: div, np.negative: neg,
    np.power: power, np.matmul: matmul, np.exp: exp, np.log: log, np.sqrt: sqrt, np.absolute: abs,
    np.sin: sin, np.cos: cos, np.tanh: tanh, np.maximum: maximum, np.minimum: minimum,
    np.positive: lambda x: x, np.square: lambda x: power(x, 2),
    **{f: lambda a, b, f=f: Tensor(f(_raw(a), _raw(b))) for f in (np.greater, np.greater_equal, np.less, np.less_equal)},
}


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """``np.sin(t)``, ``array * t``: NumPy ufuncs nnlab has an operation for, differentiable."""
    op = UFUNCS.get(ufunc) if method == "__call__" else None
    if op is None:
        what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        raise TypeError(f"{what} has no differentiable nnlab operation, so it cannot take a Tensor; "
                        f"nnlab.ops provides {sorted(f.__name__ for f in set(UFUNCS.values()) if f.__name__ != '<lambda>')} "
                        "(or apply it to t.numpy() for a value without a gradient)")
    if kwargs:
        raise TypeError(f"numpy.{ufunc.__name__} on Tensors takes no keyword arguments, got {sorted(kwargs)}")
    return op(*inputs)


Tensor.__array_ufunc__ = _array_ufunc
Tensor.__add__ = lambda self, other: add(self, other)
Tensor.__radd__ = lambda self, other: add(other, self)
Tensor.__sub__ = lambda self, other: sub(self, other)
Tensor.__rsub__ = lambda self, other: sub(other, self)
Tensor.__mul__ = lambda self, other: mul(self, other)
Tensor.__rmul__ = lambda self, other: mul(other, self)
Tensor.__truediv__ = lambda self, other: div(self, other)
Tensor.__rtruediv__ = lambda self, other: div(other, self)
Tensor.__pow__ = lambda self, other: power(self, other)
Tensor.__rpow__ = lambda self, other: power(other, self)
Tensor.__matmul__ = lambda self, other: matmul(self, other)
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
Tensor.__neg__ = lambda self: neg(self)
Tensor.__pos__ = lambda self: self
Tensor.__getitem__ = lambda self, index: getitem(self, index)
Tensor.__gt__ = _compare(lambda a, b: a > b)
Tensor.__ge__ = _compare(lambda a, b: a >= b)
Tensor.__lt__ = _compare(lambda a, b: a < b)
Tensor.__le__ = _compare(lambda a, b: a <= b)
Tensor.T = property(lambda self: transpose(self))
Tensor.mT = property(lambda self: matrix_transpose(self))
Tensor.sum = lambda self, axis=None, keepdims=False: sum(self, axis=axis, keepdims=keepdims)
Tensor.mean = lambda self, axis=None, keepdims=False: mean(self, axis=axis, keepdims=keepdims)
Tensor.max = lambda self, axis=None, keepdims=False: max(self, axis=axis, keepdims=keepdims)
Tensor.min = lambda self, axis=None, keepdims=False: min(self, axis=axis, keepdims=keepdims)
Tensor.reshape = lambda self, *shape: reshape(self, shape[0] if len(shape) == 1 else shape)
Tensor.transpose = lambda self, *axes: transpose(self, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
Tensor.astype = astype
Tensor.exp = lambda self: exp(self)
Tensor.log = lambda self: log(self)
Tensor.sqrt = lambda self: sqrt(self)
Tensor.abs = lambda self: abs(self)
Tensor.sin = lambda self: sin(self)
Tensor.cos = lambda self: cos(self)
Tensor.tanh = lambda self: tanh(self)
Tensor.sigmoid = lambda self: sigmoid(self)
Tensor.relu = lambda self: relu(self)
Tensor.__abs__ = lambda self: abs(self)
