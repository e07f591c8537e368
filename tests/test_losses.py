"""Loss objects: agreement with nnlab.functional and PyTorch (values and gradients), registry."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab import functional as F
from nnlab import ops
from nnlab.nn.losses import LOSSES, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, get_loss
from nnlab.tensor import Tensor


def _data(rng):
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    binary = rng.integers(0, 2, size=(6, 1)).astype(float)
    return logits, labels, binary


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_wrap_functional(reduction, rng):
    logits, labels, binary = _data(rng)
    z = Tensor(logits)
    np.testing.assert_allclose(MSELoss(reduction)(z, logits * 0.5).data,
                               F.mse_loss(z, logits * 0.5, reduction).data)
    np.testing.assert_allclose(CrossEntropyLoss(reduction)(z, labels).data, F.cross_entropy(z, labels, reduction).data)
    zb = Tensor(logits[:, :1])
    np.testing.assert_allclose(BCEWithLogitsLoss(reduction)(zb, binary).data,
                               F.binary_cross_entropy_with_logits(zb, binary, reduction).data)
    p = ops.sigmoid(zb)
    np.testing.assert_allclose(BCELoss(reduction)(p, binary).data, F.binary_cross_entropy(p, binary, reduction).data)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses_match_torch_values_and_gradients(reduction, rng):
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    logits, labels, binary = _data(rng)
    onehot = np.eye(4)[labels]
    cases = [
        (MSELoss(reduction), logits, logits[::-1].copy(), tnn.MSELoss(reduction=reduction), None),
        (CrossEntropyLoss(reduction), logits, labels, tnn.CrossEntropyLoss(reduction=reduction), None),
        (CrossEntropyLoss(reduction), logits, onehot, tnn.CrossEntropyLoss(reduction=reduction), None),
        (BCEWithLogitsLoss(reduction), logits[:, :1], binary, tnn.BCEWithLogitsLoss(reduction=reduction), None),
        (BCELoss(reduction), logits[:, :1], binary, tnn.BCELoss(reduction=reduction), "sigmoid"),
        (CrossEntropyLoss(reduction, from_logits=False), logits, labels, tnn.NLLLoss(reduction=reduction), "softmax"),
    ]
    for ours, z, t, theirs, link in cases:
        x = Tensor(z.copy(), requires_grad=True)
        tx = torch.tensor(z, requires_grad=True)
        if link == "sigmoid":
            value, tvalue = ours(ops.sigmoid(x), t), theirs(torch.sigmoid(tx), torch.tensor(t))
        elif link == "softmax":
            value, tvalue = ours(ops.softmax(x, axis=1), t), theirs(torch.log_softmax(tx, 1), torch.tensor(t))
        else:
            value, tvalue = ours(x, t), theirs(tx, torch.tensor(t))
        value.backward()
        tvalue.backward()
        np.testing.assert_allclose(value.item(), tvalue.item(), rtol=1e-10, err_msg=repr(ours))
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=repr(ours))


def test_sum_is_batch_size_times_mean(rng):
    logits, labels, _ = _data(rng)
    z = Tensor(logits, requires_grad=True)
    CrossEntropyLoss("sum")(z, labels).backward()
    g_sum = z.grad
    z.grad = None
    CrossEntropyLoss("mean")(z, labels).backward()
    np.testing.assert_allclose(g_sum, len(labels) * z.grad)
    # the lecture's output error delta_L = softmax(z) - t for the summed cost
    np.testing.assert_allclose(g_sum, ops.softmax(logits, axis=1) - np.eye(4)[labels], rtol=1e-12)


def test_float32_stays_float32(rng):
    logits, labels, _ = _data(rng)
    z = Tensor(logits.astype(np.float32), requires_grad=True)
    loss = CrossEntropyLoss()(z, labels)
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


def test_get_loss_registry():
    assert isinstance(get_loss("mse"), MSELoss)
    assert isinstance(get_loss("binary_crossentropy"), BCEWithLogitsLoss)
    assert isinstance(get_loss("binary_crossentropy", from_logits=False), BCELoss)
    assert isinstance(get_loss("categorical_crossentropy"), CrossEntropyLoss)
    ce = get_loss("cross_entropy", reduction="sum")
    assert isinstance(ce, CrossEntropyLoss) and ce.reduction == "sum"
    custom = MSELoss("sum")
    assert get_loss(custom) is custom
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*binary_crossentropy.*mse"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="reduction must be one of"):
        MSELoss("average")


def test_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match="reshape the target"):
        MSELoss()(Tensor(np.zeros((4, 1))), np.zeros(4))


def test_calling_a_loss_subclass_runs_its_forward(rng):
    from nnlab.nn.losses import MSELoss

    class HalfMSE(MSELoss):
        def forward(self, prediction, target):
            return super().forward(prediction, target) * 0.5

    p, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    assert float(HalfMSE()(p, t)) == float(MSELoss()(p, t)) * 0.5


def test_every_registered_loss_declares_its_task():
    from nnlab.nn.losses import TASKS

    expected = {"mse": "regression", "binary_crossentropy": "binary", "cross_entropy": "multiclass"}
    for name in LOSSES:
        assert get_loss(name).task in TASKS
    for name, task in expected.items():
        assert get_loss(name).task == task
    assert get_loss("binary_crossentropy", from_logits=False).from_logits is False


def test_per_sample_form_leaves_the_loss_alone(rng):
    loss = CrossEntropyLoss("sum")
    z, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    per = loss.per_sample()
    assert loss.reduction == "sum" and per.reduction == "none" and type(per) is CrossEntropyLoss
    np.testing.assert_allclose(per(z, labels).sum(), loss(z, labels), rtol=1e-12)


@pytest.mark.parametrize("name, from_logits", [("bce", False), ("binary_cross_entropy", False),
                                               ("bce_with_logits", True), ("binary_crossentropy", True)])
def test_binary_cross_entropy_by_the_names_users_type(name, from_logits):
    rng = np.random.default_rng(0)
    z, t = rng.normal(size=(6, 1)), rng.integers(0, 2, size=(6, 1)).astype(float)
    loss = get_loss(name)
    assert loss.task == "binary"
    expected = (F.binary_cross_entropy_with_logits(z, t) if from_logits
                else F.binary_cross_entropy(1 / (1 + np.exp(-z)), t))
    given = z if from_logits else 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(float(loss(Tensor(given), t).data), float(expected), rtol=1e-12)
