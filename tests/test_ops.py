"""Every primitive's first and second derivatives against central finite differences.

Each case builds ``(f, inputs)`` from a random generator and a shape drawn by hypothesis;
``nnlab.gradcheck`` compares the engine's gradient (order 1) and Hessian-vector product
(order 2) with finite differences in float64. Points are sampled away from the kinks of
relu/abs/max/clip/where so that the finite differences are valid. The same table of cases
runs on ``array-api-strict`` arrays in ``tests/test_array_api.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlab
from nnlab import Tensor, ops

TOLERANCE = 1e-6
SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None)


# --------------------------------------------------------------------------------------------
# Samplers: float64 arrays away from the points where an op is not differentiable.
# --------------------------------------------------------------------------------------------
def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away(rng, shape, points=(0.0,), gap=0.1):
    """Values in [-2, 2] at least ``gap`` from every point in ``points``."""
    x = rng.uniform(-2.0, 2.0, shape)
    for p in points:
        near = np.abs(x - p) < gap
        x = np.where(near, p + np.where(x >= p, gap, -gap) + (x - p), x)
    return x


def grid(rng, shape, offset=0.0):
    """Multiples of 0.2 (plus ``offset``): two grids with offsets 0 and 0.1 never tie."""
    return 0.2 * rng.integers(-6, 7, shape) + offset


def distinct(rng, shape):
    """All entries different, at least 0.1 apart (max/min have a unique winner)."""
    n = int(np.prod(shape)) if shape else 1
    return (rng.permutation(n) * 0.1 - 0.05 * n + rng.uniform(-0.02, 0.02, n)).reshape(shape)


@dataclass(frozen=True)
class Case:
    """A named op check: ``build(rng, shapes) -> (f, inputs)``; ``kind`` picks the shapes drawn."""

    name: str
    build: Callable
    kind: str = "unary"  # unary: one shape; binary: two broadcastable shapes; free: build picks
    order: int = 2

    def __repr__(self) -> str:
        return self.name


def unary(name, f, sampler=normal, order=2):
    return Case(name, lambda rng, shapes: (f, [sampler(rng, shapes[0])]), "unary", order)


def binary(name, f, sample_a=normal, sample_b=normal):
    return Case(name, lambda rng, shapes: (f, [sample_a(rng, shapes[0]), sample_b(rng, shapes[1])]), "binary")


def _random_axis(rng, ndim):
    choice = rng.integers(0, 3)
    if choice == 0 or ndim == 0:
        return None
    if choice == 1:
        return int(rng.integers(-ndim, ndim))
    k = int(rng.integers(1, ndim + 1))
    return tuple(int(a) for a in rng.choice(ndim, size=k, replace=False))


def reduction(name, op, sampler=normal, tuple_axes=True, kind="unary"):
    def build(rng, shapes):
        shape = shapes[0]
        axis = _random_axis(rng, len(shape))
        if not tuple_axes and isinstance(axis, tuple):
            axis = axis[0]
        keepdims = bool(rng.integers(0, 2))
        return (lambda x: op(x, axis=axis, keepdims=keepdims)), [sampler(rng, shape)]

    return Case(name, build, kind)


def along_axis(name, op):
    def build(rng, shapes):
        shape = shapes[0]
        axis = int(rng.integers(-len(shape), len(shape)))
        return (lambda x: op(x, axis=axis)), [3.0 * rng.standard_normal(shape)]

    return Case(name, build, "nonscalar")


def _matmul_case(rng, _):
    kind = int(rng.integers(0, 5))
    n, k, m, b = (int(v) for v in rng.integers(1, 4, 4))
    shapes = {
        0: ((n, k), (k, m)),  # 2-D
        1: ((b, n, k), (b, k, m)),  # batched
        2: ((b, n, k), (k, m)),  # batch broadcast on the right
        3: ((k,), (b, k, m)),  # vector @ batch of matrices
        4: ((2, 1, n, k), (b, k, m)),  # broadcast batch axes on both sides
    }[kind]
    return ops.matmul, [normal(rng, s) for s in shapes]


def _vector_matmul_case(rng, _):
    n, k = (int(v) for v in rng.integers(1, 4, 2))
    shapes = [((k,), (k,)), ((n, k), (k,)), ((k,), (k, n))][int(rng.integers(0, 3))]
    return (lambda a, b: a @ b), [normal(rng, s) for s in shapes]


def _linear_case(rng, _):
    n, i, o = (int(v) for v in rng.integers(1, 4, 3))
    if rng.integers(0, 2):
        return ops.linear, [normal(rng, (n, i)), normal(rng, (i, o)), normal(rng, (o,))]
    return (lambda x, w: ops.linear(x, w)), [normal(rng, (n, i)), normal(rng, (i, o))]


def _where_case(rng, shapes):
    cond = rng.random(shapes[2]) < 0.5
    return (lambda a, b: ops.where(cond, a, b)), [normal(rng, shapes[0]), normal(rng, shapes[1])]


def _getitem_case(rng, _):
    x = normal(rng, (4, 3, 2))
    indices = [
        1,
        -1,
        slice(1, 3),
        (slice(None), 0),
        (slice(None, None, -2), slice(1, None), 1),
        (Ellipsis, 1),
        (None, 2, slice(None)),
        np.array([0, 2, 2, 3, 0]),  # repeated rows: the gradient accumulates
        (np.array([0, 1, 1]), slice(None), np.array([1, 0, 1])),
        x[..., 0] > 0,  # boolean mask
    ]
    index = indices[int(rng.integers(0, len(indices)))]
    return (lambda t: t[index]), [x]


def _concat_case(rng, _):
    axis = int(rng.integers(-2, 2))
    shapes = [(2, 3), (2, 3), (2, 3)]
    sizes = rng.integers(1, 4, 3)
    shapes = [tuple(int(s) if i == axis % 2 else d for i, d in enumerate(base)) for s, base in zip(sizes, shapes)]
    return (lambda a, b, c: ops.concatenate([a, b, c], axis=axis)), [normal(rng, s) for s in shapes]


def _stack_case(rng, _):
    axis = int(rng.integers(-3, 3))
    return (lambda a, b: ops.stack([a, b], axis=axis)), [normal(rng, (2, 3)), normal(rng, (2, 3))]


def _transpose_case(rng, shapes):
    axes = tuple(int(a) for a in rng.permutation(len(shapes[0])))
    return (lambda x: ops.transpose(x, axes)), [normal(rng, shapes[0])]


def _sum_to_case(rng, shapes):
    big, small = shapes
    return (lambda x: ops.sum_to(x, small)), [normal(rng, big)]


def _broadcast_case(rng, shapes):
    big, small = shapes
    return (lambda x: ops.broadcast_to(x, big)), [normal(rng, small)]


def _composite_case(rng, shapes):
    def f(x, y):
        return ops.sum(ops.tanh(x * y) + ops.exp(-x * x) / (1.0 + y * y), axis=-1) * ops.sigmoid(ops.mean(x))

    return f, [normal(rng, shapes[0]), normal(rng, shapes[0])]


CASES = [
    # arithmetic with broadcasting
    binary("add", lambda a, b: a + b),
    binary("sub", lambda a, b: a - b),
    binary("mul", lambda a, b: a * b),
    binary("div", lambda a, b: a / b, normal, lambda r, s: away(r, s, gap=0.5)),
    binary("power", lambda a, b: a ** b, positive, normal),
    binary("maximum", ops.maximum, grid, lambda r, s: grid(r, s, 0.1)),
    binary("minimum", ops.minimum, grid, lambda r, s: grid(r, s, 0.1)),
    Case("where", _where_case, "ternary"),
    # scalars and constants promote
    unary("neg", lambda x: -x),
    unary("radd const array", lambda x: np.float64(2.0) * x + 1.5),
    unary("rsub", lambda x: 2.0 - x),
    unary("rdiv", lambda x: 3.0 / x, lambda r, s: away(r, s, gap=0.5)),
    unary("rpow", lambda x: 2.0 ** x),
    unary("square", lambda x: x ** 2),
    unary("cube", lambda x: x ** 3),
    unary("pow half", lambda x: x ** 0.5, positive),
    unary("pow negative", lambda x: x ** -1.5, positive),
    unary("pow zero", lambda x: x ** 0),
    # elementwise functions
    unary("exp", ops.exp),
    unary("log", ops.log, positive),
    unary("sqrt", ops.sqrt, positive),
    unary("abs", ops.abs, away),
    unary("sin", ops.sin),
    unary("cos", ops.cos),
    unary("tanh", ops.tanh),
    unary("sigmoid", lambda x: ops.sigmoid(3.0 * x)),
    unary("relu", ops.relu, away),
    unary("leaky_relu", lambda x: ops.leaky_relu(x, 0.1), away),
    unary("elu", lambda x: ops.elu(x, 0.7), away),
    unary("softplus", lambda x: ops.softplus(3.0 * x)),
    unary("heaviside", ops.heaviside, away),
    unary("clip", lambda x: ops.clip(x, -0.5, 0.5), lambda r, s: away(r, s, (-0.5, 0.5))),
    unary("clip lower", lambda x: ops.clip(x, lower=0.3), lambda r, s: away(r, s, (0.3,))),
    unary("tensor methods", lambda x: (x.exp() + x.sin() * x.cos() + x.tanh() + x.sigmoid()).sum()),
    # reductions
    reduction("sum", ops.sum),
    reduction("mean", ops.mean),
    reduction("max", ops.max, distinct),
    reduction("min", ops.min, distinct),
    reduction("logsumexp", lambda x, axis, keepdims: ops.logsumexp(x, axis=axis if axis is not None else -1, keepdims=keepdims), kind="nonscalar"),
    along_axis("softmax", ops.softmax),
    along_axis("log_softmax", ops.log_softmax),
    # shapes and indexing
    unary("reshape", lambda x: ops.reshape(x, (-1,))),
    unary("T", lambda x: x.T),
    Case("transpose", _transpose_case, "unary"),
    Case("matrix_transpose", lambda rng, shapes: (lambda x: x.mT, [normal(rng, (2,) + shapes[0][-1:] + (3,))]), "nonscalar"),
    Case("sum_to", _sum_to_case, "to_shape"),
    Case("broadcast_to", _broadcast_case, "to_shape"),
    Case("getitem", _getitem_case, "free"),
    Case("concatenate", _concat_case, "free"),
    Case("stack", _stack_case, "free"),
    # linear algebra
    Case("matmul", _matmul_case, "free"),
    Case("matmul vectors", _vector_matmul_case, "free"),
    Case("linear", _linear_case, "free"),
    # a composite of many ops
    Case("composite", _composite_case, "nonscalar"),
]

SHAPE = hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)
NONSCALAR_SHAPE = hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)


@st.composite
def shapes_for(draw, kind):
    if kind == "unary":
        return (draw(SHAPE),)
    if kind == "nonscalar":
        return (draw(NONSCALAR_SHAPE),)
    if kind == "binary":
        return draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    if kind == "ternary":
        return draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    if kind == "to_shape":
        big = draw(SHAPE)  # small: big without some leading axes and with some axes set to 1
        lead = draw(st.integers(0, len(big)))
        ones = draw(st.lists(st.booleans(), min_size=len(big) - lead, max_size=len(big) - lead))
        return (big, tuple(1 if one else s for one, s in zip(ones, big[lead:])))
    return ((),)


def check_case(case: Case, seed: int, shapes, as_array=lambda a: a) -> nnlab.GradcheckReport:
    rng = np.random.default_rng(seed)
    f, inputs = case.build(rng, shapes)
    report = nnlab.gradcheck(f, [as_array(v) for v in inputs], order=case.order, tolerance=TOLERANCE)
    assert report.ok, f"{case.name} at shapes {[np.shape(v) for v in inputs]}: {report}"
    return report


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_gradients_match_finite_differences(case, seed, data):
    check_case(case, seed, data.draw(shapes_for(case.kind), label="shapes"))


# --------------------------------------------------------------------------------------------
# Jacobians, element by element
# --------------------------------------------------------------------------------------------
def jacobian(f, x: np.ndarray) -> np.ndarray:
    """d f_i / d x_j row by row with nnlab.grad and one-hot grad_outputs: shape out.shape + x.shape."""
    t = Tensor(x, requires_grad=True)
    out = f(t)
    rows = []
    for i in np.ndindex(out.shape):
        seed = np.zeros(out.shape)
        seed[i] = 1.0
        (g,) = nnlab.grad(out, t, grad_outputs=seed, allow_unused=True) if out.shape else nnlab.grad(out, t)
        rows.append(np.zeros_like(x) if g is None else g.numpy())
    return np.array(rows).reshape(out.shape + x.shape)


def numeric_jacobian(f, x: np.ndarray, eps=1e-6) -> np.ndarray:
    out_shape = f(Tensor(x)).shape
    jac = np.zeros(out_shape + x.shape)
    for j in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[j] += eps
        minus[j] -= eps
        jac[(Ellipsis,) + j] = (f(Tensor(plus)).numpy() - f(Tensor(minus)).numpy()) / (2 * eps)
    return jac


def test_softmax_jacobian_is_diag_minus_outer(rng):
    x = rng.standard_normal(5)
    s = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    jac = jacobian(ops.softmax, x)
    np.testing.assert_allclose(jac, np.diag(s) - np.outer(s, s), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(jac, numeric_jacobian(ops.softmax, x), rtol=1e-7, atol=1e-9)


def test_matmul_jacobian_elementwise(rng):
    a = rng.standard_normal((3, 4))
    x = rng.standard_normal((2, 3))
    jac = jacobian(lambda t: t @ a, x)  # d(XA)_ij / dX_kl = delta_ik A_lj
    expected = np.zeros((2, 4, 2, 3))
    for i in range(2):
        for j in range(4):
            for l in range(3):
                expected[i, j, i, l] = a[l, j]
    np.testing.assert_allclose(jac, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(jac, numeric_jacobian(lambda t: t @ a, x), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "log_softmax", "getitem", "logsumexp"])
def test_jacobians_against_finite_differences(rng, name):
    f = {
        "sigmoid": ops.sigmoid,
        "tanh": ops.tanh,
        "log_softmax": lambda t: ops.log_softmax(t, axis=0),
        "getitem": lambda t: t[np.array([2, 0, 2])],
        "logsumexp": lambda t: ops.logsumexp(t, axis=0, keepdims=True),
    }[name]
    x = rng.standard_normal(4)
    np.testing.assert_allclose(jacobian(f, x), numeric_jacobian(f, x), rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------------------------
# Forward values and dtypes
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "op, reference",
    [
        (ops.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
        (ops.softplus, lambda x: np.log1p(np.exp(x))),
        (lambda x: ops.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
        (lambda x: ops.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
        (ops.heaviside, lambda x: (x > 0).astype(float)),
        (lambda x: ops.logsumexp(x, axis=0), lambda x: np.log(np.sum(np.exp(x)))),
        (lambda x: ops.softmax(x), lambda x: np.exp(x) / np.exp(x).sum()),
        (lambda x: ops.log_softmax(x), lambda x: x - np.log(np.exp(x).sum())),
    ],
)
def test_forward_values(rng, op, reference):
    x = away(rng, (7,))
    np.testing.assert_allclose(op(Tensor(x)).numpy(), reference(x), rtol=1e-12)
    np.testing.assert_allclose(op(x), reference(x), rtol=1e-12)  # plain arrays in, arrays out


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x * 2.0 + 1,
        lambda x: 3 / (x * x + 1),
        lambda x: x ** 2,
        lambda x: ops.mean(x, axis=0),
        lambda x: ops.sigmoid(x),
        lambda x: ops.softplus(x),
        lambda x: ops.elu(x),
        lambda x: ops.leaky_relu(x),
        lambda x: ops.logsumexp(x),
        lambda x: ops.softmax(x),
        lambda x: ops.heaviside(x),
        lambda x: ops.clip(x, -0.5, 0.5),
        lambda x: ops.maximum(x, 0.0),
        lambda x: ops.where(x.data > 0, x, 0.0),
        lambda x: ops.linear(x, np.ones((3, 2), np.float32), np.ones(2, np.float32)),
    ],
)
def test_float32_stays_float32_forward_and_backward(rng, f):
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    out = f(x)
    assert out.dtype == np.float32
    ops.sum(out).backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_max_shares_gradient_between_ties():
    x = Tensor(np.array([1.0, 3.0, 3.0, 2.0]), requires_grad=True)
    ops.max(x).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5, 0.0])


def test_getitem_repeated_integer_index_accumulates():
    x = Tensor(np.arange(4.0), requires_grad=True)
    ops.sum(x[np.array([1, 1, 3, 1])]).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 0.0, 1.0])


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        ops.matmul(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        ops.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) @ \(5, 4, 6\).*batch axes"):
        ops.matmul(Tensor(np.ones((2, 3, 4))), Tensor(np.ones((5, 4, 6))))


def test_linear_bias_of_shape_one_by_out_gets_gradient_of_its_shape(rng):
    b = Tensor(rng.standard_normal((1, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    ops.sum(ops.linear(rng.standard_normal((5, 2)), w, b)).backward()
    np.testing.assert_allclose(b.grad, np.full((1, 3), 5.0))
