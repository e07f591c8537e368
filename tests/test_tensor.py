"""The Tensor, backward, grad and no_grad: graph bookkeeping, higher orders and error messages."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import nnlab
from nnlab import Tensor, grad, no_grad, ops


def leaf(values) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# --------------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------------
def test_dtypes_of_new_tensors():
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([1.0, 2.0]).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor([1, 2]).dtype.kind == "i"


@pytest.mark.parametrize("values", [[1, 2, 3], np.arange(3), np.array([True, False])])
def test_requires_grad_on_integer_or_bool_data_raises(values):
    with pytest.raises(TypeError, match="floating"):
        Tensor(values, requires_grad=True)
    with pytest.raises(TypeError, match="floating"):
        Tensor(values).requires_grad_()


def test_numpy_item_detach_and_repr():
    x = leaf([[1.0, 2.0]])
    assert isinstance(x.numpy(), np.ndarray) and x.shape == (1, 2) and x.ndim == 2 and x.size == 2
    assert Tensor(3.0).item() == 3.0 and float(Tensor(2.5)) == 2.5
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    assert "requires_grad=True" in repr(x) and "float64" in repr(x)


# --------------------------------------------------------------------------------------------
# Backward
# --------------------------------------------------------------------------------------------
def test_backward_on_non_scalar_without_gradient_says_so():
    y = leaf([1.0, 2.0]) * 3
    with pytest.raises(RuntimeError, match=r"scalar.*\(2,\)"):
        y.backward()


def test_backward_with_explicit_gradient_is_a_vector_jacobian_product(rng):
    x = leaf(rng.standard_normal(3))
    v = rng.standard_normal(3)
    (x * x).backward(v)
    np.testing.assert_allclose(x.grad, 2 * x.data * v)
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        (x * x).backward(np.ones(2))


def test_backward_without_any_input_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (Tensor([1.0]) * 2).sum().backward()


def test_gradients_accumulate_across_backward_calls(rng):
    x = leaf(rng.standard_normal(4))
    ops.sum(x * x).backward()
    ops.sum(3.0 * x).backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 3.0)
    x.zero_grad()
    assert x.grad is None


def test_a_tensor_used_twice_gets_both_contributions(rng):
    x = leaf(rng.standard_normal(3))
    ops.sum(x + x).backward()
    np.testing.assert_allclose(x.grad, 2.0)
    x.zero_grad()
    ops.sum(x * x).backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)


def test_diamond_graph_sums_both_paths(rng):
    x = leaf(rng.standard_normal(3))
    a, b = x * 2.0, ops.exp(x)  # two paths from x that meet again in c
    c = ops.sum(a * b + ops.sin(a))
    c.backward()
    e = np.exp(x.data)
    np.testing.assert_allclose(x.grad, 2 * e + 2 * x.data * e + 2 * np.cos(2 * x.data))


def _random_graph(rng, leaves, n_nodes):
    """A random expression DAG over ``leaves``: nodes reuse earlier nodes (shared subexpressions,
    a node feeding itself twice, older and newer inputs mixed); the scalar depends on the last node
    and, through a side branch, on the third-last."""
    nodes = list(leaves)
    for _ in range(n_nodes):
        a, b = nodes[rng.integers(len(nodes))], nodes[rng.integers(len(nodes))]
        kind = rng.integers(5)
        nodes.append(a + b if kind == 0 else a * b if kind == 1 else ops.sin(a) if kind == 2
                     else ops.tanh(a) * 0.5 if kind == 3 else a * a - b)
    return ops.sum(nodes[-1]) + ops.sum(nodes[-3]) * 0.5  # mostly one chain back, with a side branch


@pytest.mark.parametrize("seed", range(20))
def test_backward_on_random_graphs_matches_grad_and_finite_differences(seed):
    """backward() walks the graph on its own fast path; on random DAGs it must give what grad()
    (the general walk after a topological sort) gives, and what finite differences give."""
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-1, 1, size=3) for _ in range(3)]
    leaves = [leaf(v) for v in values]
    out = _random_graph(np.random.default_rng(seed + 100), leaves, n_nodes=12)
    expected = grad(out, leaves, allow_unused=True)
    out.backward()
    for x, e in zip(leaves, expected):
        np.testing.assert_allclose(x.grad if x.grad is not None else 0.0, 0.0 if e is None else e.data, rtol=1e-12,
                                   atol=1e-12)
    h = 1e-6  # central differences of the same random function, leaf by leaf and entry by entry
    for i, x in enumerate(leaves):
        numeric = np.empty(3)
        for j in range(3):
            shifted = [v.copy() for v in values]
            shifted[i][j] += h
            up = _random_graph(np.random.default_rng(seed + 100), [Tensor(v) for v in shifted], 12).item()
            shifted[i][j] -= 2 * h
            down = _random_graph(np.random.default_rng(seed + 100), [Tensor(v) for v in shifted], 12).item()
            numeric[j] = (up - down) / (2 * h)
        np.testing.assert_allclose(x.grad if x.grad is not None else 0.0, numeric, rtol=1e-5, atol=1e-6)


def test_backward_visits_every_node_once_on_stacked_diamonds():
    """Each node is visited once, after all of its consumers: 12 stacked diamonds cost 24 VJP calls
    (visiting a node before its gradient is complete would still sum correctly, but 2^12 times)."""
    calls = [0]

    def double(t):  # 2 t, with a VJP that counts its calls
        def vjp(g, out, x):
            calls[0] += 1
            return 2.0 * g
        return ops.node(2.0 * t.data, (t,), (vjp,))

    x = leaf([1.0, -0.5])
    y = x
    for _ in range(12):
        y = double(y) + double(y)  # two paths from y that meet again
    ops.sum(y).backward()
    assert calls[0] == 24
    np.testing.assert_allclose(x.grad, 4.0**12)


def test_leaf_gradients_are_writable_arrays_of_their_own(rng):
    x, y = leaf(rng.standard_normal(3)), leaf(rng.standard_normal(3))
    ops.sum(x + y).backward()  # add passes the same gradient array to both inputs
    assert x.grad is not y.grad
    x.grad *= 2.0  # optimisers may update gradients in place
    np.testing.assert_allclose(y.grad, 1.0)
    z = leaf(rng.standard_normal((2, 3)))
    ops.sum(z).backward()  # sum's VJP is a read-only broadcast view
    z.grad *= 0.5
    np.testing.assert_allclose(z.grad, 0.5)


def test_leaf_gradient_has_the_leaf_dtype(rng):
    w = Tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    ops.sum(w * rng.standard_normal(3)).backward()  # float64 constant promotes the product
    assert w.grad.dtype == np.float32
    s = Tensor(np.float32(2.0), requires_grad=True)
    ops.mean(s * 3.0).backward()  # NumPy reductions give scalars; .grad is still an array
    assert isinstance(s.grad, np.ndarray) and s.grad.dtype == np.float32 and s.grad.shape == ()


def test_chain_of_ten_thousand_operations_needs_no_recursion():
    x = leaf(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    assert sys.getrecursionlimit() < 10_000 * 2
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001 ** 10_000, rtol=1e-10)
    (g,) = grad(y, x)
    np.testing.assert_allclose(g.numpy(), 1.0001 ** 10_000, rtol=1e-10)


# --------------------------------------------------------------------------------------------
# no_grad
# --------------------------------------------------------------------------------------------
def test_no_grad_builds_no_graph_and_restores_the_mode():
    x = leaf([1.0, 2.0])
    assert nnlab.is_grad_enabled()
    with no_grad():
        y = x * 2 + 1
        assert not nnlab.is_grad_enabled()
        with no_grad():
            pass
        assert not nnlab.is_grad_enabled()
        with nnlab.enable_grad():
            assert (x * 2).requires_grad
    assert nnlab.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y._parents == ()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert nnlab.is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def double(t):
        return t * 2

    assert not double(leaf([1.0])).requires_grad
    assert not double(leaf([1.0])).requires_grad  # reusable
    assert (leaf([1.0]) * 2).requires_grad


# --------------------------------------------------------------------------------------------
# grad()
# --------------------------------------------------------------------------------------------
def test_grad_of_unused_input_raises_unless_allowed(rng):
    x, unused = leaf(rng.standard_normal(2)), leaf(rng.standard_normal(2))
    y = ops.sum(x * x)
    with pytest.raises(RuntimeError, match=r"inputs\[1\].*allow_unused"):
        grad(y, [x, unused])
    gx, gu = grad(y, [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.numpy(), 2 * x.data)


def test_grad_input_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        grad(ops.sum(leaf([1.0]) * 2), Tensor([1.0]))


def test_grad_does_not_touch_dot_grad_and_returns_constants_without_create_graph(rng):
    x = leaf(rng.standard_normal(3))
    (g,) = grad(ops.sum(ops.sin(x)), x)
    assert x.grad is None and not g.requires_grad
    np.testing.assert_allclose(g.numpy(), np.cos(x.data))


def test_grad_of_several_outputs_with_grad_outputs(rng):
    x = leaf(rng.standard_normal(3))
    u, v = rng.standard_normal(3), rng.standard_normal(3)
    (g,) = grad([x * x, ops.sin(x)], [x], grad_outputs=[u, v])
    np.testing.assert_allclose(g.numpy(), 2 * x.data * u + np.cos(x.data) * v)


def test_grad_with_respect_to_an_intermediate_tensor(rng):
    x = leaf(rng.standard_normal(3))
    h = ops.tanh(x)
    y = ops.sum(h * h)
    gh, gx = grad(y, [h, x])
    np.testing.assert_allclose(gh.numpy(), 2 * h.data)
    np.testing.assert_allclose(gx.numpy(), 2 * h.data * (1 - h.data ** 2))


def test_grad_outputs_tensor_stays_differentiable(rng):
    """The double-backward trick: d/dv of the VJP v^T J is J^T (here 2x, elementwise)."""
    x, v = leaf(rng.standard_normal(3)), leaf(rng.standard_normal(3))
    (g,) = grad(x * x, x, grad_outputs=v, create_graph=True)
    (dv,) = grad(ops.sum(g), v)
    np.testing.assert_allclose(dv.numpy(), 2 * x.data)


# --------------------------------------------------------------------------------------------
# Higher orders
# --------------------------------------------------------------------------------------------
def second_derivative(f, x: np.ndarray) -> np.ndarray:
    """Diagonal of the Hessian of sum(f(x)) for an elementwise f (= f''(x))."""
    t = leaf(x)
    (g,) = grad(ops.sum(f(t)), t, create_graph=True)
    (h,) = grad(ops.sum(g), t)
    return h.numpy()


@pytest.mark.parametrize(
    "f, f2",
    [
        (ops.sin, lambda x: -np.sin(x)),
        (ops.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
        (ops.sigmoid, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
        (ops.softplus, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s)),
        (ops.exp, np.exp),
        (ops.log, lambda x: -1 / x ** 2),
        (lambda t: t ** 3, lambda x: 6 * x),
    ],
    ids=["sin", "tanh", "sigmoid", "softplus", "exp", "log", "cube"],
)
def test_second_derivatives_match_analytic(rng, f, f2):
    x = rng.uniform(0.2, 3.0, 6) * rng.choice([-1.0, 1.0], 6)
    if f is ops.log:
        x = np.abs(x)
    np.testing.assert_allclose(second_derivative(f, x), f2(x), rtol=1e-10, atol=1e-12)


def hessian(f, inputs: list[np.ndarray]) -> np.ndarray:
    """Full Hessian of the scalar f over the concatenated flattened inputs, row by row."""
    ts = [leaf(v) for v in inputs]
    gs = grad(f(*ts), ts, create_graph=True)
    flat = ops.concatenate([ops.reshape(g, (-1,)) for g in gs])
    rows = []
    for i in range(flat.shape[0]):
        row = grad(flat[i], ts, allow_unused=True)
        rows.append(np.concatenate([np.zeros(t.size) if r is None else r.numpy().ravel() for r, t in zip(row, ts)]))
    return np.array(rows)


def test_hessian_of_a_product(rng):
    x, y, z = rng.standard_normal(3)
    h = hessian(lambda a, b, c: a * b * c + a * a * b, [np.array(x), np.array(y), np.array(z)])
    expected = np.array([[2 * y, z + 2 * x, y], [z + 2 * x, 0, x], [y, x, 0]])
    np.testing.assert_allclose(h, expected, rtol=1e-12, atol=1e-14)


def test_hessian_of_a_matmul_chain(rng):
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    x = rng.standard_normal(3)
    h = hessian(lambda t: ops.sum((b @ (a @ t)) ** 2), [x])  # ||B A x||^2
    np.testing.assert_allclose(h, 2 * a.T @ b.T @ b @ a, rtol=1e-12, atol=1e-12)


def test_mixed_second_derivative_of_a_bilinear_matmul_chain(rng):
    u, v = rng.standard_normal(2), rng.standard_normal(4)
    w1, w2 = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    h = hessian(lambda p, q: ops.sum(u @ p @ q * v), [w1, w2])  # u^T W1 W2 v
    cross = h[:6, 6:].reshape(2, 3, 3, 4)  # d2/dW1_ij dW2_kl = u_i delta_jk v_l
    expected = np.einsum("i,jk,l->ijkl", u, np.eye(3), v)
    np.testing.assert_allclose(cross, expected, rtol=1e-12, atol=1e-14)
    assert np.all(h[:6, :6] == 0) and np.all(h[6:, 6:] == 0)


def tanh_mlp(rng, hidden=5):
    w1, b1 = rng.standard_normal((1, hidden)), rng.standard_normal(hidden)
    w2 = rng.standard_normal((hidden, 1))
    return lambda x: ops.tanh(x @ w1 + b1) @ w2


def derivatives(net, x: np.ndarray, order: int) -> list[np.ndarray]:
    """[N'(x), N''(x), ...] up to ``order`` for a network of a column of scalar inputs."""
    t = leaf(x)
    y, result = net(t), []
    for k in range(order):
        (y,) = grad(ops.sum(y), t, create_graph=k < order - 1)
        result.append(y.numpy())
    return result


def test_third_derivative_of_a_tanh_mlp_matches_finite_differences_of_the_second(rng):
    net = tanh_mlp(rng)
    x = rng.uniform(-1, 1, (6, 1))
    eps = 1e-5
    third = derivatives(net, x, 3)[2]
    numeric = (derivatives(net, x + eps, 2)[1] - derivatives(net, x - eps, 2)[1]) / (2 * eps)
    np.testing.assert_allclose(third, numeric, rtol=1e-6, atol=1e-8)


def test_second_derivative_of_the_network_then_gradient_with_respect_to_weights(rng):
    """The PDE-solver pattern: loss(theta) = mean((N_xx + N)^2), then dloss/dtheta."""
    x = np.linspace(-1, 1, 7).reshape(-1, 1)
    shapes = [(1, 4), (4,), (4, 1)]
    theta = [rng.standard_normal(s) for s in shapes]

    def loss(*params, create_graph=True):
        w1, b1, w2 = params
        t = leaf(x)
        u = ops.tanh(t @ w1 + b1) @ w2
        (u_x,) = grad(ops.sum(u), t, create_graph=True)
        (u_xx,) = grad(ops.sum(u_x), t, create_graph=create_graph)
        return ops.mean((u_xx + u) ** 2)

    params = [leaf(p) for p in theta]
    analytic = [g.numpy() for g in grad(loss(*params), params)]
    report = nnlab.gradcheck(lambda *p: loss(*p), theta, order=1)
    assert report.ok, str(report)
    eps = 1e-6
    for k, p in enumerate(theta):  # and element by element
        for i in np.ndindex(p.shape):
            plus = [q.copy() for q in theta]
            minus = [q.copy() for q in theta]
            plus[k][i] += eps
            minus[k][i] -= eps
            numeric = (loss(*[Tensor(q) for q in plus]).item() - loss(*[Tensor(q) for q in minus]).item()) / (2 * eps)
            assert abs(analytic[k][i] - numeric) <= 1e-6 * max(1.0, abs(numeric))


# --------------------------------------------------------------------------------------------
# NumPy ufuncs on Tensors
# --------------------------------------------------------------------------------------------
def test_numpy_ufuncs_on_tensors_are_differentiable_to_second_order(rng):
    from nnlab import gradcheck

    def f(u, v):
        return np.sin(u) * np.exp(v) + np.tanh(u) / np.sqrt(v * v + 1.0) - np.power(np.abs(u), 3) + np.maximum(u, v)

    u = rng.uniform(0.2, 1.0, (3, 4)) * np.where(rng.random((3, 4)) < 0.5, -1, 1)
    v = u + np.where(rng.random((3, 4)) < 0.5, -0.5, 0.5)
    assert gradcheck(f, [u, v], order=2).ok


def test_numpy_ufunc_results_match_nnlab_operations(rng):
    x = Tensor(rng.uniform(0.5, 2.0, (2, 3)), requires_grad=True)
    for ufunc, op in [(np.sin, ops.sin), (np.cos, ops.cos), (np.log, ops.log), (np.negative, ops.neg)]:
        got = ufunc(x)
        assert isinstance(got, Tensor) and got.requires_grad
        np.testing.assert_array_equal(got.data, op(x).data)


def test_array_times_tensor_is_a_tensor(rng):
    a, x = rng.standard_normal((2, 3)), Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    for result in (a * x, a + x, a - x, a / (x * x + 1.0), np.float64(2.0) * x):
        assert isinstance(result, Tensor) and result.requires_grad
    (a * x).sum().backward()
    np.testing.assert_array_equal(x.grad, a)
    assert isinstance(a > x, Tensor) and (a > x).dtype == bool


@pytest.mark.parametrize("ufunc", [np.arctan2, np.floor, np.expm1])
def test_numpy_ufunc_without_an_nnlab_operation_is_refused_by_name(ufunc):
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=rf"numpy\.{ufunc.__name__} has no differentiable nnlab operation.*'sin'"):
        ufunc(x, x) if ufunc.nin == 2 else ufunc(x)


def test_numpy_ufunc_methods_are_refused():
    with pytest.raises(TypeError, match=r"numpy\.add\.reduce"):
        np.add.reduce(Tensor(np.ones(3)))
