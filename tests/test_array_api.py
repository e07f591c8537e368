"""The engine on arrays other than NumPy's: the gradient-check suite with ``array-api-strict``.

``array-api-strict`` implements only the Python array API standard (no NumPy extras), so an op
that silently relies on NumPy (``np.add.at``, ``.astype``, Python-float ``where`` branches ...)
fails here. The same cases as ``tests/test_ops.py`` run with Tensor data held as strict arrays;
values are compared with the NumPy results and derivatives with finite differences
(``nnlab.gradcheck`` evaluates the function on strict arrays).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlab
from nnlab import Tensor, ops
from nnlab import functional as F

xp = pytest.importorskip("array_api_strict")

from test_ops import CASES, shapes_for, check_case  # noqa: E402 - after the skip

SETTINGS = settings(max_examples=5, deadline=None, derandomize=True, database=None)


def strict(array) -> object:
    return xp.asarray(np.asarray(array))


def to_numpy(array) -> np.ndarray:
    return np.asarray(nnlab._backend.to_numpy(array))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_gradients_on_strict_arrays_match_finite_differences(case, seed, data):
    check_case(case, seed, data.draw(shapes_for(case.kind), label="shapes"), as_array=strict)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_values_and_gradients_on_strict_arrays_match_numpy(case):
    rng = np.random.default_rng(7)
    shapes = {"unary": ((2, 3),), "nonscalar": ((2, 3),), "binary": ((2, 3), (3,)),
              "ternary": ((2, 3), (3,), (2, 1)), "to_shape": ((2, 3), (1, 3)), "free": ((),)}[case.kind]
    f, inputs = case.build(rng, shapes)
    results = []
    for convert in (np.asarray, strict):
        xs = [Tensor(convert(v), requires_grad=True) for v in inputs]
        out = f(*xs)
        grads = nnlab.grad(ops.sum(out * out), xs, allow_unused=True)
        results.append((to_numpy(out.data), [None if g is None else to_numpy(g.data) for g in grads]))
    (value_np, grads_np), (value_xp, grads_xp) = results
    np.testing.assert_allclose(value_xp, value_np, rtol=1e-13, atol=1e-14)
    for g_np, g_xp in zip(grads_np, grads_xp):
        if g_np is None:
            assert g_xp is None
        else:
            np.testing.assert_allclose(g_xp, g_np, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["mse", "bce_logits", "bce", "cross_entropy_labels", "cross_entropy_probabilities"])
def test_losses_on_strict_arrays(rng, loss, reduction):
    z = 2.0 * rng.standard_normal((4, 3))
    target = {
        "mse": rng.standard_normal((4, 3)),
        "bce_logits": rng.random((4, 3)),
        "bce": rng.random((4, 3)),
        "cross_entropy_labels": rng.integers(0, 3, 4),
        "cross_entropy_probabilities": rng.dirichlet(np.ones(3), 4),
    }[loss]
    fn = {
        "mse": F.mse_loss,
        "bce_logits": F.binary_cross_entropy_with_logits,
        "bce": lambda p, t, reduction: F.binary_cross_entropy(ops.sigmoid(p), t, reduction),
        "cross_entropy_labels": F.cross_entropy,
        "cross_entropy_probabilities": F.cross_entropy,
    }[loss]
    t = strict(target)
    report = nnlab.gradcheck(lambda p: fn(p, t, reduction=reduction), [strict(z)], order=2)
    assert report.ok, str(report)
    value_np = fn(Tensor(z), target, reduction=reduction).numpy()
    value_xp = fn(Tensor(strict(z)), t, reduction=reduction).numpy()
    np.testing.assert_allclose(value_xp, value_np, rtol=1e-13)


def test_float32_strict_arrays_stay_float32(rng):
    x = Tensor(xp.asarray(rng.standard_normal((4, 3)).astype(np.float32)), requires_grad=True)
    w = Tensor(xp.asarray(rng.standard_normal((3, 2)).astype(np.float32)), requires_grad=True)
    loss = F.cross_entropy(ops.linear(ops.sigmoid(x * 2.0 + 1.0), w), xp.asarray(np.array([0, 1, 1, 0])))
    assert loss.dtype == xp.float32
    loss.backward()
    assert x.grad.dtype == xp.float32 and w.grad.dtype == xp.float32
    assert type(x.grad) is type(x.data)


def test_stability_on_strict_arrays():
    z = Tensor(xp.asarray(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])), requires_grad=True)
    loss = F.cross_entropy(z, xp.asarray(np.array([1, 2])))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(to_numpy(z.grad)))
    s = ops.sigmoid(Tensor(xp.asarray(np.array([-1000.0, 1000.0]))))
    np.testing.assert_array_equal(to_numpy(s.data), [0.0, 1.0])


# --------------------------------------------------------------------------------------------
# Higher orders on strict arrays
# --------------------------------------------------------------------------------------------
def strict_leaf(values) -> Tensor:
    return Tensor(strict(np.asarray(values, dtype=np.float64)), requires_grad=True)


@pytest.mark.parametrize(
    "f, f2",
    [
        (ops.sin, lambda x: -np.sin(x)),
        (ops.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        (ops.sigmoid, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
        (ops.softplus, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s)),
    ],
    ids=["sin", "tanh", "sigmoid", "softplus"],
)
def test_second_derivatives_on_strict_arrays(rng, f, f2):
    x = rng.uniform(-3, 3, 6)
    t = strict_leaf(x)
    (g,) = nnlab.grad(ops.sum(f(t)), t, create_graph=True)
    (h,) = nnlab.grad(ops.sum(g), t)
    np.testing.assert_allclose(to_numpy(h.data), f2(x), rtol=1e-10, atol=1e-12)


def test_hessian_of_a_matmul_chain_on_strict_arrays(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    t = strict_leaf(rng.standard_normal(3))
    # strict arrays raise (instead of deferring) in `array @ Tensor`: call ops.matmul for them
    (g,) = nnlab.grad(ops.sum(ops.matmul(strict(b), ops.matmul(strict(a), t)) ** 2), t, create_graph=True)
    rows = [to_numpy(nnlab.grad(g[i], t)[0].data) for i in range(3)]
    np.testing.assert_allclose(np.array(rows), 2 * a.T @ b.T @ b @ a, rtol=1e-12, atol=1e-12)


def test_third_derivative_of_a_tanh_mlp_on_strict_arrays(rng):
    w1, b1, w2 = rng.standard_normal((1, 5)), rng.standard_normal(5), rng.standard_normal((5, 1))

    def derivatives(x, order):
        t = strict_leaf(x)
        y, result = ops.tanh(t @ w1 + b1) @ w2, []  # NumPy weights promote to strict constants
        for k in range(order):
            (y,) = nnlab.grad(ops.sum(y), t, create_graph=k < order - 1)
            result.append(to_numpy(y.data))
        return result

    x, eps = rng.uniform(-1, 1, (6, 1)), 1e-5
    numeric = (derivatives(x + eps, 2)[1] - derivatives(x - eps, 2)[1]) / (2 * eps)
    np.testing.assert_allclose(derivatives(x, 3)[2], numeric, rtol=1e-6, atol=1e-8)


def test_pde_pattern_on_strict_arrays(rng):
    """d/dtheta of mean((N_xx + N)^2) against finite differences, all data strict."""
    x = strict(np.linspace(-1, 1, 5).reshape(-1, 1))

    def loss(w1, b1, w2):
        t = Tensor(x, requires_grad=True)
        u = ops.tanh(t @ w1 + b1) @ w2
        (u_x,) = nnlab.grad(ops.sum(u), t, create_graph=True)
        (u_xx,) = nnlab.grad(ops.sum(u_x), t, create_graph=True)
        return ops.mean((u_xx + u) ** 2)

    theta = [strict(rng.standard_normal(s)) for s in [(1, 3), (3,), (3, 1)]]
    report = nnlab.gradcheck(loss, theta, order=1)
    assert report.ok, str(report)


def test_dtypes_conversions_dropout_and_comparisons_on_strict_arrays(rng):
    x = Tensor(strict(rng.standard_normal((3, 4))), requires_grad=True)
    assert ops.astype(x, np.float32).dtype == xp.float32  # NumPy dtypes name the strict ones
    assert Tensor(strict(np.ones(2)), dtype=np.float32).dtype == xp.float32
    assert F.one_hot(strict(np.array([2, 0])), 3).dtype == xp.float64
    y = F.dropout(x, 0.5, np.random.default_rng(0))
    kept = to_numpy(y.data) != 0
    np.testing.assert_allclose(to_numpy(y.data)[kept], 2 * to_numpy(x.data)[kept])
    assert to_numpy((x > np.zeros((3, 4))).data).dtype == bool
    ops.sum(y).backward(np.asarray(1.0))  # NumPy gradient seeds move to the data's library
    np.testing.assert_allclose(to_numpy(x.grad), 2.0 * kept)
