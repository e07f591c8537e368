"""Primitive operations, each with its forward pass and its derivative side by side.

Every primitive accepts Tensors or plain arrays. On plain arrays it is the array function
itself (this is what the first-order backward pass runs). On Tensors it returns a graph node
whose VJPs ("vector-Jacobian products", one per input) are written with these same
primitives, so they can be differentiated again. In the VJPs, ``g`` is dL/d(out), ``out`` the
result and the remaining arguments the inputs.
"""
from __future__ import annotations

import builtins
import functools
import math
from typing import Any, Sequence

import numpy as np
from scipy.special import expit as _expit

from nnlab._backend import dtype_in, is_numpy, namespace, to_numpy
from nnlab._backend import like as like_array
from nnlab.tensor import Tensor

node = Tensor._from_op


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
        if isinstance(reference, (np.ndarray, np.generic)):  # the fast path: no namespace look-up
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
    for x in xs:  # a plain loop: any() over a generator costs more than the arithmetic it guards
        if isinstance(x, Tensor):
            return True
    return False


def _reduce_numpy(ufunc, x: np.ndarray, axis, keepdims: bool):
    """``ufunc.reduce`` over ``axis``, straight to the ufunc (skipping NumPy's Python wrapper).

    NumPy reduces a short last axis row by row: 6.7 us for the max over 100 x 10 logits. A
    transposed copy reduced along axis 0 runs vectorised across the rows instead (1.8 us).
    """
    if x.ndim == 2 and axis in (1, -1) and x.shape[1] <= 64:
        result = ufunc.reduce(np.ascontiguousarray(x.T), axis=0)
        return result[:, None] if keepdims else result
    return ufunc.reduce(x, axis=axis, keepdims=keepdims)


def _sum(x, axis=None, keepdims: bool = False):
    """``xp.sum``, on the fast path for NumPy arrays."""
    if isinstance(x, np.ndarray):
        return _reduce_numpy(np.add, x, axis, keepdims)
    return namespace(x).sum(x, axis=axis, keepdims=keepdims)


def _max(x, axis=None, keepdims: bool = False):
    """``xp.max``, on the fast path for NumPy arrays."""
    if isinstance(x, np.ndarray):
        return _reduce_numpy(np.maximum, x, axis, keepdims)
    return namespace(x).max(x, axis=axis, keepdims=keepdims)


def _shape(x) -> tuple:
    return tuple(x.shape)


# --------------------------------------------------------------------------------------------
# Broadcasting: one helper undoes it for every binary operation.
# --------------------------------------------------------------------------------------------
def _sum_to_raw(x, shape):
    lead = x.ndim - len(shape)
    if lead:  # axes broadcasting put in front
        x = _sum(x, axis=0 if lead == 1 else tuple(range(lead)))
        if tuple(x.shape) == shape:  # the usual case: a bias (out,) added to rows (n, out)
            return x
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return _sum(x, axis=axes, keepdims=True) if axes else x


def sum_to(x, shape: tuple):
    """Sum ``x`` over the axes broadcasting added, giving ``shape``; VJP: broadcast back."""
    if x.shape == shape:
        return x
    shape = tuple(shape)
    if tuple(x.shape) == shape:
        return x
    if not isinstance(x, Tensor):
        return _sum_to_raw(x, shape)
    return node(_sum_to_raw(x.data, shape), (x,), (lambda g, out, x: broadcast_to(g, _shape(x)),))


def broadcast_to(x, shape: tuple):
    """Repeat ``x`` along broadcast axes; VJP: sum back to the original shape."""
    shape = tuple(shape)
    if _shape(x) == shape:
        return x
    if isinstance(x, np.ndarray):  # a fresh array: np.broadcast_to's view costs more than the copy here
        out = np.empty(shape, dtype=x.dtype)
        out[...] = x
        return out
    if not isinstance(x, Tensor):
        return namespace(x).broadcast_to(x, shape)
    return node(namespace(x.data).broadcast_to(x.data, shape), (x,), (lambda g, out, x: sum_to(g, _shape(x)),))


# --------------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------------
def add(a, b):
    """a + b;  d/da = d/db = 1."""
    if not _any_tensor(a, b):
        return a + b
    a, b = _lift(a, b), _lift(b, a)
    return node(a.data + b.data, (a, b), (
        lambda g, out, a, b: sum_to(g, _shape(a)),
        lambda g, out, a, b: sum_to(g, _shape(b)),
    ))


def sub(a, b):
    """a - b;  d/da = 1, d/db = -1."""
    if not _any_tensor(a, b):
        return a - b
    a, b = _lift(a, b), _lift(b, a)
    return node(a.data - b.data, (a, b), (
        lambda g, out, a, b: sum_to(g, _shape(a)),
        lambda g, out, a, b: sum_to(-g, _shape(b)),
    ))


def mul(a, b):
    """a * b;  d/da = b, d/db = a."""
    if not _any_tensor(a, b):
        return a * b
    a, b = _lift(a, b), _lift(b, a)
    return node(a.data * b.data, (a, b), (
        lambda g, out, a, b: sum_to(g * b, _shape(a)),
        lambda g, out, a, b: sum_to(g * a, _shape(b)),
    ))


def div(a, b):
    """a / b;  d/da = 1/b, d/db = -a/b^2 = -out/b."""
    if not _any_tensor(a, b):
        return a / b
    a, b = _lift(a, b), _lift(b, a)
    return node(a.data / b.data, (a, b), (
        lambda g, out, a, b: sum_to(g / b, _shape(a)),
        lambda g, out, a, b: sum_to(-g * out / b, _shape(b)),
    ))


def neg(x):
    """-x;  d/dx = -1."""
    if not isinstance(x, Tensor):
        return -x
    return node(-x.data, (x,), (lambda g, out, x: -g,))


def power(a, b):
    """a ** b;  d/da = b a^(b-1), d/db = a^b log a."""
    if not _any_tensor(a, b):
        return a ** b
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        a = _lift(a)
        exponent = b
        if exponent == 0:  # x^0 = 1 everywhere, also at x = 0 where x^-1 is infinite
            return node(a.data ** exponent, (a,), (lambda g, out, a: g * 0.0,))
        return node(a.data ** exponent, (a,), (lambda g, out, a: g * exponent * a ** (exponent - 1),))
    a, b = _lift(a, b), _lift(b, a)
    return node(a.data ** b.data, (a, b), (
        lambda g, out, a, b: sum_to(g * b * a ** (b - 1), _shape(a)),
        lambda g, out, a, b: sum_to(g * out * log(a), _shape(b)),
    ))


def matmul(a, b):
    """a @ b (2-D, or batched over leading axes);  d/da = g b^T, d/db = a^T g."""
    if not _any_tensor(a, b):
        return a @ b
    a, b = _lift(a, b), _lift(b, a)
    if a.ndim < 1 or b.ndim < 1:
        raise ValueError(f"matmul needs arrays of at least 1 dimension, got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul shape mismatch: {a.shape} @ {b.shape}; the last axis of the left operand "
            f"({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} axis of the "
            f"right one ({b.shape[-2 if b.ndim > 1 else 0]})"
        )
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}; the batch axes {a.shape[:-2]} and "
                f"{b.shape[:-2]} do not broadcast against each other"
            ) from None
    if a.ndim == 1 and b.ndim == 1:
        return sum(a * b)
    if a.ndim == 1:
        return reshape(matmul(reshape(a, (1, a.shape[0])), b), _shape(b)[:-2] + _shape(b)[-1:])
    if b.ndim == 1:
        return reshape(matmul(a, reshape(b, (b.shape[0], 1))), _shape(a)[:-1])
    return node(a.data @ b.data, (a, b), (
        lambda g, out, a, b: sum_to(g @ matrix_transpose(b), _shape(a)),
        lambda g, out, a, b: sum_to(matrix_transpose(a) @ g, _shape(b)),
    ))


def linear(x, weight, bias=None):
    """Affine map x W + b for x of shape (n, in), W (in, out), b (out,), as one node.

    d/dx = g W^T,  d/dW = x^T g,  d/db = sum_n g  (the lecture's backpropagation equations).
    """
    if type(x) is Tensor and type(weight) is Tensor and type(bias) is Tensor:  # a Dense layer: nothing to lift
        x_data, w_data = x.data, weight.data
        if x_data.ndim == 2 and w_data.ndim == 2 and x_data.shape[1] == w_data.shape[0]:
            return node(_affine(x_data, w_data, bias.data), (x, weight, bias), _LINEAR_VJPS)
    x_data, w_data = _raw(x), _raw(weight)
    if x_data.ndim != 2 or w_data.ndim != 2:
        out = matmul(x, weight)
        return out if bias is None else add(out, bias)
    if x_data.shape[1] != w_data.shape[0]:
        raise ValueError(
            f"linear shape mismatch: input {_shape(x)} @ weight {_shape(weight)}; the input has "
            f"{x_data.shape[1]} features but the weight expects {w_data.shape[0]}"
        )
    if not (isinstance(x, Tensor) or isinstance(weight, Tensor) or isinstance(bias, Tensor)):
        return x @ weight if bias is None else _affine(x, weight, bias)
    x, weight = _lift(x, weight), _lift(weight, x)
    if bias is None:
        return node(x.data @ weight.data, (x, weight), _LINEAR_VJPS[:2])
    bias = _lift(bias, weight)
    return node(_affine(x.data, weight.data, bias.data), (x, weight, bias), _LINEAR_VJPS)


def _affine(x, w, b):
    """x @ w + b for arrays, the product as in _product; a NumPy bias row of the same dtype is added
    in place (one array less)."""
    if type(x) is not np.ndarray or type(w) is not np.ndarray:
        return x @ w + b
    out = x.dot(w)
    if type(b) is np.ndarray and b.ndim == 1 and b.dtype == out.dtype:
        out += b
        return out
    return out + b


def _bias_vjp(g, out, x, w, b):
    """d/db = sum_n g = 1^T g: on NumPy, a matrix-vector product with a row of ones (one BLAS call,
    2-3x faster than summing the rows)."""
    if type(g) is np.ndarray and g.ndim == 2 and b.shape == g.shape[1:]:
        return _constant_vector(np.ones, g.shape[0], g.dtype).dot(g)
    return sum_to(g, b.shape)


@functools.lru_cache(maxsize=64)
def _constant_vector(make, n: int, dtype) -> np.ndarray:
    """``make(n, dtype=dtype)`` (``np.ones``, ``np.arange``), read-only and kept: a run uses few batch
    sizes, so each vector is made once instead of on every step."""
    vector = make(n, dtype=dtype)
    vector.flags.writeable = False
    return vector


def _product(a, b):
    """a @ b of 2-D operands. On NumPy arrays it is ``ndarray.dot``: the same BLAS call without the
    ufunc's dispatch, about 0.3 us less on the lecture's small matrices (a tenth of their time)."""
    return a.dot(b) if type(a) is np.ndarray and type(b) is np.ndarray else a @ b


# Shared by every linear node: they close over nothing (x and W are 2-D here). _product is written
# out in them and in _affine: one Python call more per product costs 1.5-2 % of the lecture's step.
_LINEAR_VJPS = (
    lambda g, out, x, w, b=None: g.dot(w.T) if type(g) is np.ndarray else g @ w.T,
    lambda g, out, x, w, b=None: x.T.dot(g) if type(g) is np.ndarray else x.T @ g,
    _bias_vjp,
)


# --------------------------------------------------------------------------------------------
# Elementwise functions
# --------------------------------------------------------------------------------------------
def exp(x):
    """e^x;  d/dx = e^x = out."""
    if not isinstance(x, Tensor):
        return namespace(x).exp(x)
    return node(namespace(x.data).exp(x.data), (x,), (lambda g, out, x: g * out,))


def log(x):
    """log x;  d/dx = 1/x."""
    if not isinstance(x, Tensor):
        return namespace(x).log(x)
    return node(namespace(x.data).log(x.data), (x,), (lambda g, out, x: g / x,))


def sqrt(x):
    """sqrt x;  d/dx = 1 / (2 sqrt x)."""
    if not isinstance(x, Tensor):
        return namespace(x).sqrt(x)
    return node(namespace(x.data).sqrt(x.data), (x,), (lambda g, out, x: g * 0.5 / out,))


def abs(x):  # noqa: A001 - mirrors numpy's name
    """|x|;  d/dx = sign(x)."""
    if not isinstance(x, Tensor):
        return namespace(x).abs(x)
    return node(namespace(x.data).abs(x.data), (x,), (lambda g, out, x: g * namespace(_raw(x)).sign(_raw(x)),))


def sin(x):
    """sin x;  d/dx = cos x."""
    if not isinstance(x, Tensor):
        return namespace(x).sin(x)
    return node(namespace(x.data).sin(x.data), (x,), (lambda g, out, x: g * cos(x),))


def cos(x):
    """cos x;  d/dx = -sin x."""
    if not isinstance(x, Tensor):
        return namespace(x).cos(x)
    return node(namespace(x.data).cos(x.data), (x,), (lambda g, out, x: -g * sin(x),))


def tanh(x):
    """tanh x;  d/dx = 1 - tanh^2 x."""
    if not isinstance(x, Tensor):
        return namespace(x).tanh(x)
    return node(namespace(x.data).tanh(x.data), (x,), (lambda g, out, x: g * (1.0 - out * out),))


#: e^t is finite for t below these: log of the largest float, rounded down (709, 88, 11)
_EXP_SAFE = {np.dtype(t): float(math.floor(math.log(np.finfo(t).max))) for t in (np.float64, np.float32, np.float16)}


def _sigmoid_raw(x):
    if isinstance(x, np.ndarray):
        if x.size <= 1024:  # SciPy's expit: one overflow-free ufunc, least overhead on small arrays
            return _expit(x)
        # NumPy's vectorised exp is 2-3x faster than expit on large arrays. e^-x may overflow to inf,
        # and 1 / (1 + inf) is exactly 0, so the overflow warning is silenced, but only when some
        # x is that negative: entering np.errstate costs more than finding the smallest x (argmin,
        # one of NumPy's vectorised searches, is faster than np.minimum.reduce).
        limit = _EXP_SAFE.get(x.dtype)
        safe = limit is not None and x.item(x.argmin()) > -limit
        e = np.negative(x)
        if safe:
            np.exp(e, out=e)
        else:
            with np.errstate(over="ignore"):
                np.exp(e, out=e)
        e += 1.0
        return np.reciprocal(e, out=e)
    xp = namespace(x)
    e = xp.exp(-xp.abs(x))  # never overflows: sigmoid(-1000) is exactly 0 without a warning
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_vjp(g, out, x):
    """g sigma (1 - sigma), with sigma = out."""
    d = 1.0 - out
    d *= out  # in place on the fresh array d (on Tensors, *= builds a new node: they have no in-place ops)
    d *= g
    return d


def sigmoid(x):
    """Logistic sigma(x) = 1 / (1 + e^-x);  d/dx = sigma (1 - sigma)."""
    if not isinstance(x, Tensor):
        return _sigmoid_raw(x)
    return node(_sigmoid_raw(x.data), (x,), (_sigmoid_vjp,))


def relu(x):
    """max(x, 0);  d/dx = 1 for x > 0, else 0."""
    if not isinstance(x, Tensor):
        return namespace(x).maximum(x, 0)
    # A 0/1 mask product is several times faster than where() on large feature maps.
    return node(namespace(x.data).maximum(x.data, 0), (x,), (
        lambda g, out, x: g * _cast(_raw(x) > 0, _raw(x).dtype),
    ))


def leaky_relu(x, alpha: float = 0.01):
    """x for x > 0, alpha x otherwise;  d/dx = 1 or alpha."""
    xp = namespace(_raw(x))
    if not isinstance(x, Tensor):
        return xp.where(x > 0, x, alpha * x)
    return node(xp.where(x.data > 0, x.data, alpha * x.data), (x,), (
        lambda g, out, x: where(_raw(x) > 0, g, g * alpha),
    ))


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha (e^x - 1) otherwise;  d/dx = 1 or alpha e^x = out + alpha."""
    xp = namespace(_raw(x))
    if not isinstance(x, Tensor):
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))
    return node(xp.where(x.data > 0, x.data, alpha * xp.expm1(xp.minimum(x.data, 0))), (x,), (
        lambda g, out, x: where(_raw(x) > 0, g, g * (out + alpha)),
    ))


def softplus(x):
    """log(1 + e^x), computed stably;  d/dx = sigma(x)."""
    xp = namespace(_raw(x))

    def raw(v):
        return xp.maximum(v, 0) + xp.log1p(xp.exp(-xp.abs(v)))

    if not isinstance(x, Tensor):
        return raw(x)
    return node(raw(x.data), (x,), (lambda g, out, x: g * sigmoid(x),))


def heaviside(x, value_at_zero: float = 1.0):
    """The step function: 1 for x > 0, 0 for x < 0;  d/dx = 0 (it passes back no gradient)."""
    xp = namespace(_raw(x))

    def raw(v):
        return xp.where(v > 0, xp.ones_like(v), xp.where(v < 0, xp.zeros_like(v), value_at_zero))

    if not isinstance(x, Tensor):
        return raw(x)
    return node(raw(x.data), (x,), (lambda g, out, x: g * 0.0,))


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------
def where(condition, a, b):
    """condition ? a : b;  d/da = [condition], d/db = [not condition]."""
    cond = _raw(condition)
    if not _any_tensor(a, b):
        reference = b if is_numpy(a) else a
        return namespace(cond, a, b).where(like_array(cond, reference), a, b)
    a, b = _lift(a, b), _lift(b, a)
    cond = like_array(cond, a.data)
    xp = namespace(a.data)
    return node(xp.where(cond, a.data, b.data), (a, b), (
        lambda g, out, a, b: sum_to(where(cond, g, 0.0), _shape(a)),
        lambda g, out, a, b: sum_to(where(cond, 0.0, g), _shape(b)),
    ))


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


def clip(x, lower=None, upper=None):
    """x limited to [lower, upper];  d/dx = 1 inside the interval, 0 outside."""
    xp = namespace(_raw(x))
    if not isinstance(x, Tensor):
        return xp.clip(x, lower, upper)
    data = xp.clip(x.data, lower, upper)
    inside = data == x.data
    return node(data, (x,), (lambda g, out, x: where(inside, g, 0.0),))


# --------------------------------------------------------------------------------------------
# Reductions
# --------------------------------------------------------------------------------------------
def _axes(axis, ndim) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes) if ndim else ()


def _keepdims_shape(shape, axes) -> tuple:
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Sum over ``axis``;  d/dx = 1, so g is broadcast back over the summed axes."""
    if not isinstance(x, Tensor):
        return _sum(x, axis=axis, keepdims=keepdims)
    return node(_sum(x.data, axis=axis, keepdims=keepdims), (x,), (
        lambda g, out, x: broadcast_to(reshape(g, _keepdims_shape(x.shape, _axes(axis, x.ndim))), _shape(x)),
    ))


def mean(x, axis=None, keepdims: bool = False):
    """Mean over ``axis`` (sum divided by the number of elements reduced)."""
    shape = _shape(x)
    count = math.prod(shape[a] for a in _axes(axis, len(shape)))
    return sum(x, axis=axis, keepdims=keepdims) / builtins.max(count, 1)


def max(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Maximum over ``axis``;  the gradient is shared equally among the maximal entries."""
    if not isinstance(x, Tensor):
        return namespace(x).max(x, axis=axis, keepdims=keepdims)
    xp = namespace(x.data)
    axes = _axes(axis, x.ndim)
    kshape = _keepdims_shape(x.shape, axes)
    top = xp.max(x.data, axis=axis, keepdims=True)
    mask = _cast(x.data == top, x.dtype)
    share = mask / xp.sum(mask, axis=axis, keepdims=True)
    return node(xp.reshape(top, tuple(top.shape) if keepdims else tuple(s for i, s in enumerate(x.shape) if i not in axes)), (x,), (
        lambda g, out, x: broadcast_to(reshape(g, kshape), _shape(x)) * share,
    ))


def min(x, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy's name
    """Minimum over ``axis`` (as -max(-x))."""
    if not isinstance(x, Tensor):
        return namespace(x).min(x, axis=axis, keepdims=keepdims)
    return neg(max(neg(x), axis=axis, keepdims=keepdims))


def logsumexp(x, axis=-1, keepdims: bool = False):
    """log sum exp x, shifted by the maximum so it never overflows;  d/dx = softmax(x)."""
    xp = namespace(_raw(x))

    def raw(v):
        top = xp.max(v, axis=axis, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0.0)
        r = xp.log(xp.sum(xp.exp(v - top), axis=axis, keepdims=True)) + top
        return r if keepdims else xp.squeeze(r, axis=axis)

    if not isinstance(x, Tensor):
        return raw(x)
    kshape = _keepdims_shape(x.shape, _axes(axis, x.ndim))
    return node(raw(x.data), (x,), (lambda g, out, x: reshape(g, kshape) * softmax(x, axis=axis),))


# --------------------------------------------------------------------------------------------
# Shapes and indexing
# --------------------------------------------------------------------------------------------
def reshape(x, shape):
    """Same values, new shape;  VJP: reshape back."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if isinstance(x, np.ndarray):
        return x.reshape(shape)
    if not isinstance(x, Tensor):
        return namespace(x).reshape(x, shape)
    return node(namespace(x.data).reshape(x.data, shape), (x,), (lambda g, out, x: reshape(g, _shape(x)),))


def transpose(x, axes: Sequence[int] | None = None):
    """Permute axes (reverse them by default);  VJP: the inverse permutation."""
    axes = tuple(reversed(range(_raw(x).ndim))) if axes is None else tuple(a % _raw(x).ndim for a in axes)
    if not isinstance(x, Tensor):
        return namespace(x).permute_dims(x, axes)
    inverse = tuple(int(i) for i in np.argsort(axes))
    return node(namespace(x.data).permute_dims(x.data, axes), (x,), (lambda g, out, x: transpose(g, inverse),))


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


def _index_add(g, index, shape: tuple):
    """Zeros of ``shape`` with g added at ``index`` (repeated indices accumulate); VJP: g[index]."""
    if isinstance(g, Tensor):
        return node(_index_add(g.data, index, shape), (g,), (lambda gg, out, g: getitem(gg, index),))
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


def getitem(x, index):
    """x[index] (slices, integers, integer and boolean arrays);  VJP: scatter-add g back."""
    index = tuple(_raw(i) for i in index) if isinstance(index, tuple) else _raw(index)
    if not isinstance(x, Tensor):
        return _gather(x, index)
    return node(_gather(x.data, index), (x,), (lambda g, out, x: _index_add(g, index, _shape(x)),))


def concatenate(tensors: Sequence, axis: int = 0):
    """Join along an existing axis;  VJP: the matching slice of g for each input."""
    arrays = [_raw(t) for t in tensors]
    xp = namespace(*arrays)
    if not _any_tensor(*tensors):
        return xp.concat(arrays, axis=axis)
    like = next(t for t in tensors if isinstance(t, Tensor))
    tensors = [_lift(t, like) for t in tensors]
    arrays = [t.data for t in tensors]
    ax = axis % arrays[0].ndim
    bounds = np.cumsum([0] + [a.shape[ax] for a in arrays])

    def piece(i):
        index = (slice(None),) * ax + (slice(int(bounds[i]), int(bounds[i + 1])), Ellipsis)
        return lambda g, out, *xs: getitem(g, index)

    return node(xp.concat(arrays, axis=axis), tuple(tensors), tuple(piece(i) for i in range(len(tensors))))


def stack(tensors: Sequence, axis: int = 0):
    """Join along a new axis;  VJP: the i-th slice of g along that axis for input i."""
    arrays = [_raw(t) for t in tensors]
    xp = namespace(*arrays)
    if not _any_tensor(*tensors):
        return xp.stack(arrays, axis=axis)
    like = next(t for t in tensors if isinstance(t, Tensor))
    tensors = [_lift(t, like) for t in tensors]
    arrays = [t.data for t in tensors]
    ax = axis % (arrays[0].ndim + 1)

    def piece(i):
        index = (slice(None),) * ax + (i, Ellipsis)
        return lambda g, out, *xs: getitem(g, index)

    return node(xp.stack(arrays, axis=axis), tuple(tensors), tuple(piece(i) for i in range(len(tensors))))


# --------------------------------------------------------------------------------------------
# Softmax family
# --------------------------------------------------------------------------------------------
def softmax(x, axis: int = -1):
    """softmax_i = e^(x_i - max) / sum_j e^(x_j - max);  VJP: s (g - sum(g s))."""
    xp = namespace(_raw(x))

    def raw(v):
        e = xp.exp(v - _max(v, axis=axis, keepdims=True))
        return e / _sum(e, axis=axis, keepdims=True)

    if not isinstance(x, Tensor):
        return raw(x)
    return node(raw(x.data), (x,), (lambda g, out, x: out * (g - sum(g * out, axis=axis, keepdims=True)),))


def log_softmax(x, axis: int = -1):
    """log softmax = x - logsumexp(x), stable for huge logits;  VJP: g - softmax * sum(g)."""
    xp = namespace(_raw(x))

    def raw(v):
        shifted = v - _max(v, axis=axis, keepdims=True)
        return shifted - xp.log(_sum(xp.exp(shifted), axis=axis, keepdims=True))

    if not isinstance(x, Tensor):
        return raw(x)
    return node(raw(x.data), (x,), (lambda g, out, x: g - exp(out) * sum(g, axis=axis, keepdims=True),))


# --------------------------------------------------------------------------------------------
# Tensor methods and operators
# --------------------------------------------------------------------------------------------
def astype(x, dtype):
    """The values converted to ``dtype``;  VJP: g converted back."""
    if not isinstance(x, Tensor):
        return _cast(x, dtype)
    return node(_cast(x.data, dtype), (x,), (lambda g, out, x: astype(g, _raw(x).dtype),))


def _compare(op):
    return lambda self, other: Tensor(op(self.data, like_array(_raw(other), self.data)))


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
