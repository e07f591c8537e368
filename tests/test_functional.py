"""Losses and composites: finite differences, PyTorch parity, numerical stability, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlab
from nnlab import Tensor, ops
from nnlab import functional as F

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None)
REDUCTIONS = ["mean", "sum", "none"]


# --------------------------------------------------------------------------------------------
# Gradients against finite differences (both arguments, to second order)
# --------------------------------------------------------------------------------------------
def _loss_case(name: str, rng: np.random.Generator, n: int, c: int, reduction: str):
    logits = 3.0 * rng.standard_normal((n, c))
    probs = rng.dirichlet(np.ones(c), n)
    if name == "mse":
        return (lambda y, t: F.mse_loss(y, t, reduction)), [logits, rng.standard_normal((n, c))]
    if name == "bce_logits":
        return (lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction)), [logits, rng.random((n, c))]
    if name == "bce":
        p = rng.uniform(0.05, 0.95, (n, c))
        return (lambda q, t: F.binary_cross_entropy(q, t, reduction)), [p, rng.random((n, c))]
    if name == "cross_entropy_labels":
        labels = rng.integers(0, c, n)
        return (lambda z: F.cross_entropy(z, labels, reduction)), [logits]
    if name == "cross_entropy_probabilities":
        return (lambda z, t: F.cross_entropy(z, t, reduction)), [logits, probs]
    if name == "nll":
        labels = rng.integers(0, c, n)
        return (lambda z: F.nll_loss(ops.log_softmax(z, axis=1), labels, reduction)), [logits]
    raise AssertionError(name)


LOSSES = ["mse", "bce_logits", "bce", "cross_entropy_labels", "cross_entropy_probabilities", "nll"]


@pytest.mark.parametrize("name", LOSSES)
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), c=st.integers(1, 4), reduction=st.sampled_from(REDUCTIONS))
def test_loss_gradients_match_finite_differences(name, seed, n, c, reduction):
    f, inputs = _loss_case(name, np.random.default_rng(seed), n, c, reduction)
    report = nnlab.gradcheck(f, inputs, order=2)
    assert report.ok, f"{name} ({reduction}, n={n}, c={c}): {report}"


# --------------------------------------------------------------------------------------------
# PyTorch parity: values and gradients
# --------------------------------------------------------------------------------------------
def _torch_pair(name, rng, reduction):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    n, c = 5, 4
    logits = 2.0 * rng.standard_normal((n, c))
    labels = rng.integers(0, c, n)
    cases = {
        "mse": (F.mse_loss, tf.mse_loss, rng.standard_normal((n, c))),
        "bce_logits": (F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, rng.random((n, c))),
        "cross_entropy_int": (F.cross_entropy, tf.cross_entropy, labels),
        "cross_entropy_one_hot": (F.cross_entropy, tf.cross_entropy, np.eye(c)[labels]),
        "cross_entropy_soft": (F.cross_entropy, tf.cross_entropy, rng.dirichlet(np.ones(c), n)),
    }
    ours, theirs, target = cases[name]
    return torch, ours, theirs, logits, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "bce_logits", "cross_entropy_int", "cross_entropy_one_hot", "cross_entropy_soft"])
def test_losses_agree_with_pytorch(rng, name, reduction):
    torch, ours, theirs, logits, target = _torch_pair(name, rng, reduction)
    x = Tensor(logits, requires_grad=True)
    value = ours(x, target, reduction=reduction)
    upstream = rng.standard_normal(value.shape)
    value.backward(upstream)

    tx = torch.tensor(logits, requires_grad=True)
    tt = torch.tensor(target)
    expected = theirs(tx, tt, reduction=reduction)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(value.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_binary_cross_entropy_on_probabilities_agrees_with_pytorch(rng):
    torch = pytest.importorskip("torch")
    p, t = rng.uniform(0.05, 0.95, (4, 3)), rng.random((4, 3))
    x = Tensor(p, requires_grad=True)
    value = F.binary_cross_entropy(x, t)
    value.backward()
    tx = torch.tensor(p, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(tx, torch.tensor(t))
    expected.backward()
    np.testing.assert_allclose(value.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10)


def test_cross_entropy_is_the_lecture_output_error(rng):
    """dC/dz = softmax(z) - t, the lecture's delta^L (summed cost)."""
    z = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    labels = np.array([0, 3, 1])
    F.cross_entropy(z, labels, reduction="sum").backward()
    s = np.exp(z.data) / np.exp(z.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, s - np.eye(4)[labels], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_labels_match_one_hot_rows(rng, dtype, reduction):
    """Integer labels take a path without a one-hot matrix: same value and gradient, any label dtype."""
    z = np.asfortranarray(3.0 * rng.standard_normal((6, 4))).astype(dtype, order="F")
    labels = rng.integers(0, 4, 6).astype(np.uint8)
    by_label, by_row = Tensor(z, requires_grad=True), Tensor(z.copy(), requires_grad=True)
    value = F.cross_entropy(by_label, labels, reduction)
    expected = F.cross_entropy(by_row, np.eye(4, dtype=dtype)[labels], reduction)
    value.backward()
    expected.backward()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert value.dtype == dtype and by_label.grad.dtype == dtype
    np.testing.assert_allclose(value.item(), expected.item(), rtol=tol)
    np.testing.assert_allclose(by_label.grad, by_row.grad, rtol=tol, atol=tol)
    np.testing.assert_array_equal(by_label.data, z)  # the logits are not changed in place


@pytest.mark.parametrize("loss", ["mse", "bce_logits", "cross_entropy"])
def test_float32_losses_stay_float32_with_float64_targets(rng, loss):
    z = Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    target = {"mse": rng.standard_normal((4, 3)), "bce_logits": rng.random((4, 3)),
              "cross_entropy": np.eye(3)[[0, 1, 2, 0]]}[loss]
    fn = {"mse": F.mse_loss, "bce_logits": F.binary_cross_entropy_with_logits, "cross_entropy": F.cross_entropy}[loss]
    value = fn(z, target)
    assert value.dtype == np.float32
    value.backward()
    assert z.grad.dtype == np.float32


def test_losses_of_plain_arrays_return_arrays(rng):
    y, t = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    np.testing.assert_allclose(F.mse_loss(y, t), np.mean((y - t) ** 2))
    z, labels = rng.standard_normal((3, 4)), np.array([1, 0, 3])
    expected = -np.mean(z[np.arange(3), labels] - np.log(np.exp(z).sum(axis=1)))
    np.testing.assert_allclose(F.cross_entropy(z, labels), expected)


# --------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------
HUGE = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])


@pytest.mark.parametrize("op", [ops.softmax, ops.log_softmax, lambda z: F.cross_entropy(z, np.array([1, 0, 2]))],
                         ids=["softmax", "log_softmax", "cross_entropy"])
def test_huge_logits_stay_finite_without_warnings(op):
    z = Tensor(HUGE, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = op(z)
        ops.sum(out).backward()
    assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(z.grad))


def test_sigmoid_of_minus_1000_is_zero_without_warning():
    x = Tensor(np.array([-1000.0, 1000.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            s = ops.sigmoid(x)
            ops.sum(s).backward()
            bce = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]))
    assert s.numpy()[0] == 0.0 and s.numpy()[1] == 1.0
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    np.testing.assert_allclose(bce.item(), 1000.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_of_large_arrays_matches_expit_without_warnings(rng, dtype):
    """Arrays above 1024 values take NumPy's exp; the tails (down to where e^-x overflows) must still
    match SciPy's expit without overflow warnings, and a NaN stays NaN."""
    from scipy.special import expit

    tails = np.array([-1000.0, -745.0, -720.0, -709.5, -100.0, -90.0, -30.0, 0.0, 30.0, 1000.0])
    for extreme in (False, True):
        x = rng.normal(scale=5.0, size=3000)
        if extreme:
            x[:len(tails)] = tails
        x = x.astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s = ops.sigmoid(x)
        assert s.dtype == dtype
        np.testing.assert_allclose(s, expit(x), rtol=4 * np.finfo(dtype).eps, atol=0)
    x[5] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ops.sigmoid(x)
    assert np.isnan(s[5]) and np.isfinite(np.delete(s, 5)).all()


def test_cross_entropy_with_zero_probability_is_finite():
    # The softmax probability of the true class underflows to exactly 0 ...
    z = Tensor(np.array([[0.0, 2000.0]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(z, np.array([0]))
        loss.backward()
    assert np.isclose(loss.item(), 2000.0)
    np.testing.assert_allclose(z.grad, [[-1.0, 1.0]])
    # ... and target rows with zero probabilities contribute nothing for those classes.
    z2 = Tensor(np.array([[-1e4, 0.0, 1.0]]), requires_grad=True)
    loss2 = F.cross_entropy(z2, np.array([[0.0, 0.5, 0.5]]))
    loss2.backward()
    assert np.isfinite(loss2.item()) and np.all(np.isfinite(z2.grad))
    # probabilities (not logits) of exactly 0 and 1 are clipped
    p = Tensor(np.array([[0.0, 1.0]]), requires_grad=True)
    loss3 = F.binary_cross_entropy(p, np.array([[1.0, 0.0]]))
    loss3.backward()
    assert np.isfinite(loss3.item()) and np.all(np.isfinite(p.grad))


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------
def test_loss_errors_name_the_problem():
    y = Tensor(np.zeros((3, 2)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3,\).*reshape"):
        F.mse_loss(y, np.zeros(3))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(y, np.zeros((3, 2)), reduction="avg")
    with pytest.raises(ValueError, match="2 rows of logits but 3 labels"):
        F.cross_entropy(Tensor(np.zeros((2, 4))), np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="integer class labels"):
        F.cross_entropy(Tensor(np.zeros((2, 4))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\]"):
        F.cross_entropy(Tensor(np.zeros((2, 4))), np.array([0, 4]))
    with pytest.raises(ValueError, match="shape \\(n, classes\\)"):
        F.cross_entropy(Tensor(np.zeros(4)), np.array([0]))


# --------------------------------------------------------------------------------------------
# one_hot and dropout
# --------------------------------------------------------------------------------------------
def test_one_hot():
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    assert F.one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="1-D"):
        F.one_hot(np.zeros((2, 2), int), 3)


def test_dropout_keeps_expectation_and_passes_gradient_through_kept_units(rng):
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.3, rng)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7)
    ops.sum(y).backward()
    np.testing.assert_allclose(x.grad, np.where(kept, 1 / 0.7, 0.0))
    assert F.dropout(x, 0.3, rng, training=False) is x
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        F.dropout(x, 1.0, rng)


def test_dropout_is_reproducible_with_the_same_seed():
    x = np.ones((4, 5))
    a = F.dropout(x, 0.5, np.random.default_rng(3))
    b = F.dropout(x, 0.5, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
