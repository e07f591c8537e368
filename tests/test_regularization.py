"""L1/L2 penalties on weights only: values, gradients, and the lambda conversions to other libraries."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnlab import ops
from nnlab.nn import Dense, Sequential
from nnlab.nn.losses import CrossEntropyLoss
from nnlab.nn.regularization import (
    L1, L1L2, L2, keras_from_l1, keras_from_l2, l1_from_keras, l2_from_keras, l2_from_sklearn_alpha,
    sklearn_alpha_from_l2, weight_parameters,
)
from nnlab.optim import SGD


def _model(dtype=np.float64):
    model = Sequential(Dense(3, 4, activation="tanh", rng=0, dtype=dtype), Dense(4, 2, rng=1, dtype=dtype))
    for layer in model.layers:
        layer.bias.data[...] = 0.5  # nonzero biases, which must not be penalised
    return model


def test_only_weights_are_penalised():
    model = _model()
    assert [n for n, _ in weight_parameters(model)] == ["layers.0.weight", "layers.1.weight"]
    weights = [layer.weight.data for layer in model.layers]
    assert L2(0.3)(model).item() == pytest.approx(0.15 * sum((w ** 2).sum() for w in weights))
    assert L1(0.3)(model).item() == pytest.approx(0.3 * sum(np.abs(w).sum() for w in weights))
    both = L1L2(0.2, 0.3)(model).item()
    assert both == pytest.approx(L1(0.2)(model).item() + L2(0.3)(model).item())
    assert (L1(0.2) + L2(0.3))(model).item() == pytest.approx(both)


@pytest.mark.parametrize("penalty,expected", [
    (L2(0.7), lambda w: 0.7 * w),
    (L1(0.7), lambda w: 0.7 * np.sign(w)),
    (L1L2(0.2, 0.7), lambda w: 0.2 * np.sign(w) + 0.7 * w),
])
def test_gradients_touch_weights_only(penalty, expected):
    model = _model()
    penalty(model).backward()
    for layer in model.layers:
        np.testing.assert_allclose(layer.weight.grad, expected(layer.weight.data), rtol=1e-12)
        assert layer.bias.grad is None


def test_penalty_matches_finite_differences():
    model = _model()
    w = model.layers[0].weight
    L1L2(0.1, 0.4)(model).backward()
    h, (i, j) = 1e-6, (1, 2)
    old = w.data[i, j]
    w.data[i, j] = old + h
    up = L1L2(0.1, 0.4)(model).item()
    w.data[i, j] = old - h
    down = L1L2(0.1, 0.4)(model).item()
    w.data[i, j] = old
    assert w.grad[i, j] == pytest.approx((up - down) / (2 * h), rel=1e-6)


def test_zero_lambda_and_dtype():
    model = _model(np.float32)
    assert L2(0.0)(model).item() == 0.0
    assert L2(0.1)(model).dtype == np.float32
    with pytest.raises(ValueError, match="lam must be a finite number >= 0"):
        L2(-1.0)


def test_lecture_update_is_sgd_on_summed_loss_plus_l2():
    # the lecture: dW = a^T delta (summed over the batch) + lmbd W;  W -= eta dW
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.integers(0, 2, size=10)
    model = _model()
    W0 = [layer.weight.data.copy() for layer in model.layers]
    eta, lmbd = 0.01, 0.1
    (CrossEntropyLoss("sum")(model(X), y) + L2(lmbd)(model)).backward()
    data_grads = [layer.weight.grad - lmbd * w for layer, w in zip(model.layers, W0)]
    SGD(model, lr=eta).step()
    for layer, w, g in zip(model.layers, W0, data_grads):
        np.testing.assert_allclose(layer.weight.data, w - eta * (g + lmbd * w), rtol=1e-12)


def test_sklearn_alpha_conversion_reproduces_an_sklearn_step():
    pytest.importorskip("sklearn")
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(1)
    n, alpha, lr = 12, 0.5, 0.1
    X, y = rng.normal(size=(n, 3)), np.arange(n) % 3
    clf = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="sgd", alpha=alpha, batch_size=n,
                        learning_rate_init=lr, momentum=0.0, shuffle=False, random_state=0, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X, y, classes=[0, 1, 2])
    model = Sequential(Dense(3, 4, activation="tanh", rng=0, dtype=np.float64), Dense(4, 3, rng=1, dtype=np.float64))
    clf.coefs_ = [layer.weight.data.copy() for layer in model.layers]
    clf.intercepts_ = [layer.bias.data.copy() + 0.1 for layer in model.layers]
    for layer, b in zip(model.layers, clf.intercepts_):
        layer.bias.data[...] = b
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X, y)  # one full-batch SGD step
    for reduction, step in [("mean", lr), ("sum", lr / n)]:
        trial = Sequential(*[Dense(l.in_features, l.out_features, activation="tanh" if i == 0 else None,
                                   dtype=np.float64) for i, l in enumerate(model.layers)])
        trial.load_state_dict(model.state_dict())
        lam = l2_from_sklearn_alpha(alpha, n, reduction)
        (CrossEntropyLoss(reduction)(trial(X), y) + L2(lam)(trial)).backward()
        SGD(trial, lr=step).step()
        for layer, coef, intercept in zip(trial.layers, clf.coefs_, clf.intercepts_):
            np.testing.assert_allclose(layer.weight.data, coef, rtol=1e-10, err_msg=reduction)
            np.testing.assert_allclose(layer.bias.data, intercept, rtol=1e-10, err_msg=reduction)
    assert l2_from_sklearn_alpha(alpha, n, "sum") == alpha  # the lecture's summed lambda is sklearn's alpha


def test_conversions_invert_and_scale():
    for reduction, n in [("mean", 32), ("sum", 32)]:
        assert sklearn_alpha_from_l2(l2_from_sklearn_alpha(0.3, n, reduction), n, reduction) == pytest.approx(0.3)
        assert keras_from_l2(l2_from_keras(0.3, n, reduction), n, reduction) == pytest.approx(0.3)
        assert keras_from_l1(l1_from_keras(0.3, n, reduction), n, reduction) == pytest.approx(0.3)
    assert l2_from_sklearn_alpha(0.3, 10, loss="squared_error") == pytest.approx(0.06)
    assert l2_from_keras(0.3) == pytest.approx(0.6) and l2_from_keras(0.3, 10, "sum") == pytest.approx(6.0)
    with pytest.raises(ValueError, match="n_samples"):
        l2_from_keras(0.3, None, "sum")
    with pytest.raises(ValueError, match="reduction"):
        l2_from_sklearn_alpha(0.3, 10, "average")


@pytest.mark.slow
def test_keras_l2_and_l1_values_match():
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")

    model = _model(np.float32)
    keras_l2 = sum(float(keras.regularizers.L2(0.01)(layer.weight.data)) for layer in model.layers)
    keras_l1 = sum(float(keras.regularizers.L1(0.01)(layer.weight.data)) for layer in model.layers)
    assert L2(l2_from_keras(0.01))(model).item() == pytest.approx(keras_l2, rel=1e-5)
    assert L1(l1_from_keras(0.01))(model).item() == pytest.approx(keras_l1, rel=1e-5)


@pytest.mark.parametrize("penalty", [L2(0.7), L1(0.3), L1(0.2) + L2(0.7), L1L2(0.1, 0.4)])
def test_penalty_is_one_node_and_differentiates_twice(penalty):
    """penalty(model) is a single graph node whose parents are the weights themselves; its VJP
    (lam W for L2, lam sign W for L1) is written with nnlab ops, so second derivatives check out
    against finite differences (of a product, so the Hessian is not trivially constant)."""
    import nnlab

    model = _model()
    out = penalty(model)
    assert [id(p) for p in out._parents] == [id(layer.weight) for layer in model.layers]
    report = nnlab.gradcheck(lambda a, b: penalty([("a.weight", a), ("b.weight", b)]) * ops.sum(a * a),
                             [model.layers[0].weight.data, model.layers[1].weight.data], order=2)
    assert report.ok, report


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("penalty", [L2(0.7), L1(0.2) + L2(0.7)])
def test_add_gradients_equals_backward_through_the_penalty(penalty, dtype):
    """Backpropagating the data loss and then adding dP/dW gives the gradient of loss + P exactly."""
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(10, 3)).astype(dtype), rng.integers(0, 2, size=10)
    a, b = _model(dtype), _model(dtype)
    (CrossEntropyLoss("sum")(a(X), y) + penalty(a)).backward()
    CrossEntropyLoss("sum")(b(X), y).backward()
    penalty.add_gradients([w for _, w in weight_parameters(b)])
    assert float(penalty.total([w for _, w in weight_parameters(b)])) == pytest.approx(penalty(a).item(), rel=1e-6)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert pb.grad.dtype == dtype
        np.testing.assert_array_equal(pa.grad, pb.grad)
