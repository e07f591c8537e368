"""The table of primitives, enumerated: every rule to second order, every kernel against its rule.

``EXAMPLES`` gives each primitive of :data:`nnlab.ops.PRIMITIVES` random valid inputs (of random
shapes, away from the points where it is not differentiable). A primitive added to the table
without an example fails ``test_every_primitive_has_an_example``, so none skips its checks.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnlab.conv_ops  # noqa: F401 - registers the convolution and pooling primitives
import nnlab.functional  # noqa: F401 - registers the losses' primitives
import nnlab.nn.recurrent  # noqa: F401 - registers the recurrent cells' primitives
from nnlab import Tensor, gradcheck, ops
from nnlab.functional import _label_positions


def sizes(rng, k, low=1, high=4):
    return [int(v) for v in rng.integers(low, high + 1, k)]


def normal(rng, *shape):
    return rng.standard_normal(shape)


def positive(rng, *shape):
    return rng.uniform(0.5, 2.0, shape)


def away(rng, *shape, points=(0.0,), gap=0.15):
    """Values in [-2, 2] at least ``gap`` from each of ``points``."""
    x = rng.uniform(-2.0, 2.0, shape)
    for p in points:
        x = np.where(np.abs(x - p) < gap, p + np.sign(x - p + 1e-300) * gap + (x - p), x)
    return x


def _sum_to(rng):
    n, m = sizes(rng, 2)
    return [normal(rng, 2, n, m)], {"shape": (n, 1)}


def _broadcast_to(rng):
    n, m = sizes(rng, 2)
    return [normal(rng, n, 1)], {"shape": (2, n, m)}


def _binary(sample_b=normal):
    def example(rng):
        n, m = sizes(rng, 2)
        return [normal(rng, n, m), sample_b(rng, m)], {}
    return example


def _unary(sample=normal, **params):
    def example(rng):
        return [sample(rng, *sizes(rng, 2))], dict(params)
    return example


def _linear(rng):
    n, i, o = sizes(rng, 3)
    return [normal(rng, n, i), normal(rng, i, o), normal(rng, o)], {}


def _matmul(rng):
    b, n, k, m = sizes(rng, 4)
    return [normal(rng, b, n, k), normal(rng, k, m)], {}


def _where(rng):
    n, m = sizes(rng, 2)
    return [normal(rng, n, m), normal(rng, n, m)], {"condition": rng.random((n, m)) < 0.5}


def _distinct(rng, n, m):
    return (rng.permutation(n * m) * 0.1 + rng.uniform(0, 0.02, n * m)).reshape(n, m)


def _getitem(rng):
    n, m = sizes(rng, 2, 2, 5)
    return [normal(rng, n, m)], {"index": (rng.integers(0, n, 3), slice(1, m))}


def _index_add(rng):
    n = sizes(rng, 1, 2, 5)[0]
    return [normal(rng, 3)], {"index": rng.integers(0, n, 3), "shape": (n,)}


def _cross_entropy(rng):
    n, c = sizes(rng, 2, 2, 5)
    t = rng.random((n, c))
    return [normal(rng, n, c), t / t.sum(axis=1, keepdims=True)], {"scale": 1.0 / n}


def _cross_entropy_labels(rng):
    n, c = sizes(rng, 2, 2, 5)
    labels = rng.integers(0, c, n)
    return [2.0 * normal(rng, n, c)], {"labels": labels, "picks": _label_positions(labels, c), "scale": 1.0 / n}


def _gru_combine(rng):
    n, h = sizes(rng, 2)
    return [normal(rng, n, 3 * h), normal(rng, n, 3 * h), normal(rng, n, h)], {}


def _recurrent_affine(rng):
    n, i, h = sizes(rng, 3)
    return [normal(rng, n, i), normal(rng, n, h), normal(rng, i, h), normal(rng, h, h), normal(rng, h)], {}


def _gates(rng):
    n, h = sizes(rng, 2)
    return [normal(rng, n, 4 * h)], {}


def _gates_and_cell(rng):
    n, h = sizes(rng, 2)
    return [rng.uniform(0.05, 0.95, (n, 4 * h)), normal(rng, n, h)], {}


def _conv(rng):
    n, c, o = sizes(rng, 3, 1, 2)
    return [normal(rng, n, c, 4, 4), normal(rng, o, c, 3, 3), normal(rng, o)], {"stride": (1, 1), "pads": (1, 1, 0, 1)}


def _conv_input_grad(rng):
    n, c, o = sizes(rng, 3, 1, 2)
    return [normal(rng, n, o, 2, 2), normal(rng, o, c, 3, 3)], {"input_hw": (4, 5), "stride": (2, 2), "pads": (1, 0, 1, 0)}


def _conv_weight_grad(rng):
    n, c, o = sizes(rng, 3, 1, 2)
    return [normal(rng, n, c, 4, 5), normal(rng, n, o, 2, 2)], {"kernel": (3, 3), "stride": (2, 2), "pads": (1, 0, 1, 0)}


_POOL = {"k": (2, 2), "s": (2, 2), "pads": (0, 0, 0, 0)}


def _max_select(rng):
    n, c = sizes(rng, 2, 1, 2)
    return [normal(rng, n, c, 4, 4)], {"choice": rng.integers(0, 4, (n, c, 2, 2)).astype(np.uint8), **_POOL}


def _max_scatter(rng):
    n, c = sizes(rng, 2, 1, 2)
    return [normal(rng, n, c, 2, 2)], {"choice": rng.integers(0, 4, (n, c, 2, 2)).astype(np.uint8),
                                       "x_shape": (n, c, 4, 4), **_POOL}


def _avg_spread(rng):
    n, c = sizes(rng, 2, 1, 2)
    return [normal(rng, n, c, 3, 3)], {"x_shape": (n, c, 5, 5), "k": (3, 3), "s": (2, 2), "pads": (1, 1, 1, 1)}


def _avg_pool(rng):
    n, c = sizes(rng, 2, 1, 2)
    return [normal(rng, n, c, 5, 5)], {"kernel_size": (3, 3), "stride": (2, 2), "padding": 1}


def _join(rng):
    n, m = sizes(rng, 2)
    return [normal(rng, n, m), normal(rng, n, m + 1), normal(rng, n, 1)], {"axis": 1, "new_axis": False}


EXAMPLES = {
    "sum_to": _sum_to,
    "broadcast_to": _broadcast_to,
    "add": _binary(),
    "sub": _binary(),
    "mul": _binary(),
    "div": _binary(positive),
    "neg": _unary(),
    "power": lambda rng: ([positive(rng, 2, 3), normal(rng, 3)], {}),
    "power_constant": _unary(positive, exponent=3.0),
    "matmul": _matmul,
    "linear": _linear,
    "exp": _unary(),
    "log": _unary(positive),
    "sqrt": _unary(positive),
    "abs": _unary(away),
    "sin": _unary(),
    "cos": _unary(),
    "tanh": _unary(),
    "sigmoid": _unary(),
    "relu": _unary(away),
    "leaky_relu": _unary(away, alpha=0.1),
    "elu": _unary(away, alpha=0.7),
    "softplus": _unary(),
    "heaviside": _unary(away, value_at_zero=1.0),
    "where": _where,
    "clip": _unary(lambda rng, *s: away(rng, *s, points=(-0.5, 0.5)), lower=-0.5, upper=0.5),
    "sum": _unary(axis=1, keepdims=False),
    "max": lambda rng: ([_distinct(rng, *sizes(rng, 2))], {"axis": 0, "keepdims": True}),
    "logsumexp": _unary(axis=-1, keepdims=False),
    "reshape": lambda rng: ([normal(rng, 3, 4)], {"shape": (2, 6)}),
    "transpose": lambda rng: ([normal(rng, 2, 3, 4)], {"axes": (1, 2, 0)}),
    "getitem": _getitem,
    "index_add": _index_add,
    "join": _join,
    "softmax": _unary(axis=1),
    "log_softmax": _unary(axis=0),
    "astype": _unary(dtype=np.float64),
    "mse_loss": lambda rng: ([normal(rng, 4, 3), normal(rng, 4, 3)], {"scale": 2.0 / 12}),
    "binary_cross_entropy_with_logits": lambda rng: ([normal(rng, 4, 1), rng.random((4, 1))], {"scale": 0.25}),
    "cross_entropy": _cross_entropy,
    "cross_entropy_labels": _cross_entropy_labels,
    "recurrent_affine": _recurrent_affine,
    "lstm_gate_activation": _gates,
    "lstm_cell_state": _gates_and_cell,
    "lstm_hidden": _gates_and_cell,
    "gru_combine": _gru_combine,
    "conv2d": _conv,
    "conv2d_input_grad": _conv_input_grad,
    "conv2d_weight_grad": _conv_weight_grad,
    "max_select": _max_select,
    "max_scatter": _max_scatter,
    "avg_spread": _avg_spread,
    "avg_pool2d": _avg_pool,
}


def _apply(name: str, params: dict):
    """The primitive as a function of its inputs (join's rules depend on the number of inputs)."""
    if name == "join":
        return lambda *xs: ops._join(xs, **params)
    return lambda *xs: ops.PRIMITIVES[name](*xs, **params)


def test_every_primitive_has_an_example():
    missing = sorted(set(ops.PRIMITIVES) - set(EXAMPLES))
    assert not missing, f"primitives without an example in tests/test_primitives.py: {missing}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("seed", [0, 1])
def test_rule_matches_finite_differences_to_second_order(name, seed):
    inputs, params = EXAMPLES[name](np.random.default_rng(seed))
    report = gradcheck(_apply(name, params), inputs, order=2)
    assert report.ok, f"{name}: {report}"


KERNELS = sorted(name for name, p in ops.PRIMITIVES.items() if p.fast)


def test_the_training_primitives_have_kernels():
    assert {"linear", "sigmoid", "cross_entropy", "cross_entropy_labels", "lstm_gate_activation"} <= set(KERNELS)


@pytest.mark.parametrize("name", KERNELS)
@pytest.mark.parametrize("seed", range(5))
def test_kernel_equals_its_rule(name, seed):
    """On random shapes, in float64, each kernel gives its rule's value to 1e-12."""
    rng = np.random.default_rng(seed)
    primitive = ops.PRIMITIVES[name]
    inputs, params = EXAMPLES[name](rng)
    out = primitive.forward(*inputs, **params)
    if primitive.saves:  # the forward's intermediates reach the rules and kernels with the parameters
        out, saved = out
        params = {**params, **saved}
    g = rng.standard_normal(np.shape(out))
    for i, kernel in enumerate(primitive.fast):
        if kernel is None:
            continue
        expected = primitive.vjps[i](g, out, *inputs, **params)
        got = kernel(g.copy(), out, *[x.copy() for x in inputs], **params)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=f"{name}, input {i}")


def test_first_order_backward_uses_the_kernels_and_graphs_use_the_rules(monkeypatch):
    calls = []
    sigmoid = ops.PRIMITIVES["sigmoid"]
    monkeypatch.setattr(sigmoid, "kernels", (lambda *a, **k: calls.append("kernel") or sigmoid.fast[0](*a, **k),))
    x = Tensor(np.linspace(-1, 1, 5), requires_grad=True)
    ops.sum(ops.sigmoid(x)).backward()
    assert calls == ["kernel"]
    (g,) = nnlab_grad(ops.sum(ops.sigmoid(x)), x, create_graph=True)
    assert calls == ["kernel"] and g.requires_grad
    s = 1 / (1 + np.exp(-x.data))
    np.testing.assert_allclose(g.data, s * (1 - s), rtol=1e-14)


def nnlab_grad(*args, **kwargs):
    from nnlab import grad

    return grad(*args, **kwargs)


def test_the_four_backpropagation_equations_are_one_rule_each():
    """BP1-BP4 of the lecture are each the docstring of exactly one rule in the table."""
    found = {}
    for name, primitive in ops.PRIMITIVES.items():
        for rule in primitive.vjps:
            label = (rule.__doc__ or "")[:3]
            if label in ("BP1", "BP2", "BP3", "BP4"):
                assert label not in found, f"{label} is both {found[label]} and a rule of {name}"
                found[label] = name
    assert found == {"BP1": "cross_entropy", "BP2": "linear", "BP3": "linear", "BP4": "linear"}


def test_a_primitive_name_is_declared_once():
    with pytest.raises(ValueError, match="already in the table"):
        ops.Primitive("add", lambda a, b: a + b, [lambda g, out, a, b: g, lambda g, out, a, b: g])


def test_copies_of_a_model_share_the_table_entries():
    import copy
    import pickle

    from nnlab import nn

    layer = nn.Dense(3, 2, activation="sigmoid", rng=0)
    clone = copy.deepcopy(layer)
    assert clone.activation is ops.sigmoid and pickle.loads(pickle.dumps(ops.exp)) is ops.exp
    assert ops.sigmoid.__name__ == "sigmoid" and "sigma" in ops.sigmoid.__doc__


@pytest.mark.parametrize("shape, axis", [((3,), None), ((3,), 0), ((4, 5), None), ((4, 5), 0), ((4, 5), -1),
                                         ((4, 5), (0, 1)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, 0)),
                                         ((2, 3, 4), 1), ((1, 3, 1), (0,))])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sum_kernel_equals_its_rule_for_every_axis_form(shape, axis, keepdims, dtype):
    """The sum kernel spreads g back exactly as the rule does, for None, negative and tuple axes."""
    rng = np.random.default_rng(0)
    primitive = ops.PRIMITIVES["sum"]
    x = rng.standard_normal(shape).astype(dtype)
    out = primitive.forward(x, axis=axis, keepdims=keepdims)
    g = np.asarray(rng.standard_normal(np.shape(out))).astype(dtype)
    expected = primitive.vjps[0](g, out, x, axis=axis, keepdims=keepdims)
    got = primitive.fast[0](g.copy(), out, x.copy(), axis=axis, keepdims=keepdims)
    assert got.shape == expected.shape == shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    assert got.flags.writeable  # a fresh array the walker may add into
