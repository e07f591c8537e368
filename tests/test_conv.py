"""Convolution and pooling: finite differences to second order, PyTorch parity, layers, errors."""
import json

import numpy as np
import pytest

import nnlab
from nnlab import Tensor, gradcheck, ops
from nnlab.conv_ops import (avg_pool2d, conv2d, conv2d_input_grad, conv2d_weight_grad, conv_output_shape, max_pool2d,
                        nchw_to_nhwc, nhwc_to_nchw, resolve_padding)
from nnlab.nn import AvgPool2D, Conv2D, MaxPool2D, NHWCToNCHW, Reshape

CONV_CASES = [  # (input shape, weight shape, stride, padding)
    ((2, 2, 5, 5), (3, 2, 3, 3), 1, "same"),
    ((1, 2, 6, 5), (2, 2, 3, 3), 2, "same"),
    ((2, 1, 5, 6), (2, 1, 3, 2), 1, "valid"),
    ((1, 2, 7, 6), (2, 2, 3, 3), 2, 1),
    ((1, 1, 6, 7), (2, 1, 2, 3), (2, 1), (1, 0)),
    ((1, 2, 4, 4), (2, 2, 2, 2), 1, "same"),  # even kernel: asymmetric padding
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding", CONV_CASES)
def test_conv2d_finite_differences_to_second_order(rng, x_shape, w_shape, stride, padding):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    # conv is bilinear: the tanh makes the second derivatives w.r.t. x and w alone non-zero too
    report = gradcheck(lambda x, w, b: ops.tanh(conv2d(x, w, b, stride, padding)), [x, w, b], order=2)
    assert report.ok, report


def test_transposed_convolutions_finite_differences(rng):
    """The VJPs are primitives too: check them (and their own VJPs) directly."""
    g, w, x = rng.standard_normal((1, 2, 3, 3)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal((1, 3, 6, 5))
    assert gradcheck(lambda g, w: ops.tanh(conv2d_input_grad(g, w, (6, 5), 2, 1)), [g, w]).ok
    assert gradcheck(lambda x, g: ops.tanh(conv2d_weight_grad(x, g, 3, 2, 1)), [x, g]).ok


def test_transposed_convolution_is_the_adjoint(rng):
    """<conv(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(x, g)>."""
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    y = conv2d(x, w, None, (2, 1), "same")
    g = rng.standard_normal(y.shape)
    inner = np.sum(y * g)
    assert np.isclose(inner, np.sum(x * conv2d_input_grad(g, w, (7, 6), (2, 1), "same")))
    assert np.isclose(inner, np.sum(w * conv2d_weight_grad(x, g, (3, 2), (2, 1), "same")))


POOL_CASES = [(2, None, 0), (3, 2, 1), (3, 1, 0), (2, 1, 1), ((2, 3), (1, 2), 0)]


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@pytest.mark.parametrize("kernel, stride, padding", POOL_CASES)
def test_pooling_finite_differences_to_second_order(rng, pool, kernel, stride, padding):
    x = rng.standard_normal((2, 2, 5, 6))
    assert gradcheck(lambda x: pool(ops.tanh(x) * x, kernel, stride, padding), [x], order=2).ok


def test_same_padding_follows_tensorflow():
    assert conv_output_shape((8, 8), 3, 1, "same") == (8, 8)
    assert conv_output_shape((7, 6), 3, 2, "same") == (4, 3)
    assert resolve_padding("same", (4, 4), (2, 2), (1, 1)) == (0, 1, 0, 1)
    assert resolve_padding("valid", (4, 4), (2, 2), (1, 1)) == (0, 0, 0, 0)
    assert conv_output_shape((28, 28), 5, 1, "valid") == (24, 24)


def test_float32_stays_float32(rng):
    x = Tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = max_pool2d(conv2d(x, w, None, 1, "same"), 2)
    z = avg_pool2d(y, 3, 1, 1).sum()
    z.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32 and w.grad.dtype == np.float32


# --------------------------------------------------------------------------------------------
# PyTorch parity
# --------------------------------------------------------------------------------------------
def _torch_padding(padding, x_shape, w_shape, stride):
    top, bottom, left, right = resolve_padding(padding, x_shape[2:], w_shape[2:],
                                               (stride, stride) if isinstance(stride, int) else stride)
    return (left, right, top, bottom)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding", CONV_CASES + [((3, 3, 12, 10), (5, 3, 5, 5), 1, 2)])
def test_conv2d_matches_torch(rng, x_shape, w_shape, stride, padding):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    X, W, B = (Tensor(a, requires_grad=True) for a in (x, w, b))
    y = conv2d(X, W, B, stride, padding)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = F.conv2d(F.pad(xt, _torch_padding(padding, x_shape, w_shape, stride)), wt, bt, stride=stride)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    for ours, theirs in [(X, xt), (W, wt), (B, bt)]:
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_conv2d_second_order_matches_torch(rng):
    """Hessian-vector products through conv and max-pool (double backward) agree with torch."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, w = rng.standard_normal((2, 2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    g, v = rng.standard_normal((2, 3, 3, 3)), rng.standard_normal((2, 2, 6, 6))

    X, W = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    y = max_pool2d(ops.tanh(conv2d(X, W, None, 1, 1)), 2)
    dx, = nnlab.grad(ops.sum(y * g), [X], create_graph=True)
    hx, hw = nnlab.grad(ops.sum(dx * v), [X, W])

    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yt = F.max_pool2d(torch.tanh(F.conv2d(xt, wt, padding=1)), 2)
    dxt, = torch.autograd.grad((yt * torch.tensor(g)).sum(), [xt], create_graph=True)
    hxt, hwt = torch.autograd.grad((dxt * torch.tensor(v)).sum(), [xt, wt])
    np.testing.assert_allclose(hx.numpy(), hxt.numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(hw.numpy(), hwt.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", ["max", "avg"])
@pytest.mark.parametrize("kernel, stride, padding", POOL_CASES + [(2, 2, 0)])
def test_pooling_matches_torch(rng, name, kernel, stride, padding):
    torch = pytest.importorskip("torch")
    ours = {"max": max_pool2d, "avg": avg_pool2d}[name]
    theirs = {"max": torch.nn.functional.max_pool2d, "avg": torch.nn.functional.avg_pool2d}[name]
    x = rng.standard_normal((2, 3, 7, 8))
    x[0, 0, :4, :4] = 0.0  # ties: the gradient goes to the first maximal entry, as in torch
    X, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = ours(X, kernel, stride, padding)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt = theirs(xt, kernel, stride, padding)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv2d_layer_matches_torch_module(rng):
    torch = pytest.importorskip("torch")
    layer = Conv2D(3, 4, 3, stride=2, padding=1, activation="relu", dtype=np.float64, rng=0)
    ref = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(layer.weight.numpy()))
        ref.bias.copy_(torch.tensor(rng.standard_normal(4)))
    layer.bias.data = ref.bias.detach().numpy().copy()
    x = rng.standard_normal((2, 3, 9, 9))
    np.testing.assert_allclose(layer(Tensor(x)).numpy(), torch.relu(ref(torch.tensor(x))).detach().numpy(), atol=1e-12)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("padding, stride, expected", [("same", 1, (8, 8)), ("valid", 1, (6, 6)),
                                                       (1, 2, (4, 4)), ("same", 2, (4, 4))])
def test_conv2d_layer_shapes(rng, padding, stride, expected):
    layer = Conv2D(1, 10, 3, stride=stride, padding=padding, rng=rng)
    assert layer.weight.shape == (10, 1, 3, 3) and layer.bias.shape == (10,)
    assert layer.weight.dtype == np.float32
    assert layer(Tensor(np.ones((5, 1, 8, 8), np.float32))).shape == (5, 10, *expected)
    assert layer.n_parameters() == 100


def test_conv2d_he_initialisation_scale():
    layer = Conv2D(16, 64, 5, rng=0)
    assert np.isclose(layer.weight.numpy().std(), np.sqrt(2.0 / (16 * 25)), rtol=0.05)


def test_layer_configs_rebuild_the_layer():
    for layer in [Conv2D(3, 8, (3, 5), stride=(1, 2), padding=(1, 2), activation="tanh", rng=0),
                  Conv2D(1, 4, 3, bias=False, weight_init="glorot_uniform", dtype=np.float64),
                  MaxPool2D(3, 2, 1), AvgPool2D(2), NHWCToNCHW(), Reshape((1, 8, 8))]:
        config = json.loads(json.dumps(layer.config()))
        rebuilt = type(layer)(**config)
        assert rebuilt.config() == layer.config()
        assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in layer.parameters()]


def test_pool_layers_and_helpers(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    np.testing.assert_array_equal(MaxPool2D(2)(Tensor(x)).numpy(), x.reshape(2, 3, 3, 2, 3, 2).max(axis=(3, 5)))
    np.testing.assert_allclose(AvgPool2D(2)(Tensor(x)).numpy(), x.reshape(2, 3, 3, 2, 3, 2).mean(axis=(3, 5)))
    nhwc = nchw_to_nhwc(x)
    assert nhwc.shape == (2, 6, 6, 3)
    np.testing.assert_array_equal(NHWCToNCHW()(Tensor(nhwc)).numpy(), x)
    np.testing.assert_array_equal(nhwc_to_nchw(nhwc), x)
    assert Reshape((1, 8, 8))(Tensor(np.zeros((4, 64)))).shape == (4, 1, 8, 8)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
def test_clear_errors():
    w = np.zeros((4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*Reshape"):
        conv2d(np.zeros((5, 64)), w)
    with pytest.raises(ValueError, match="3 channels|expects 3"):
        conv2d(np.zeros((2, 1, 8, 8)), w)
    with pytest.raises(ValueError, match="does not fit"):
        conv2d(np.zeros((1, 3, 2, 2)), w, padding="valid")
    with pytest.raises(ValueError, match="padding must be"):
        conv2d(np.zeros((1, 3, 8, 8)), w, padding="full")
    with pytest.raises(ValueError, match="stride must be positive"):
        conv2d(np.zeros((1, 3, 8, 8)), w, stride=0)
    with pytest.raises(TypeError, match="floating"):
        conv2d(np.zeros((1, 3, 8, 8), dtype=np.uint8), w)
    with pytest.raises(ValueError, match="NHWC"):
        Conv2D(3, 4, 3, rng=0)(Tensor(np.zeros((2, 8, 8, 3), np.float32)))
    with pytest.raises(ValueError, match="padding"):
        MaxPool2D(2, padding=2)
    with pytest.raises(ValueError, match="Reshape"):
        Reshape((1, 8, 8))(Tensor(np.zeros((2, 63))))


@pytest.mark.parametrize("stride", [1, 2])
def test_blocks_of_images_give_the_same_results(rng, monkeypatch, stride):
    """im2col runs a cache-sized block of images at a time: blocks of 2 images change nothing."""
    import nnlab.conv_ops as conv_module

    x, w, b = rng.standard_normal((7, 2, 6, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)

    def run():
        X, W, B = (Tensor(a, requires_grad=True) for a in (x, w, b))
        y = conv2d(X, W, B, stride, "same")
        (y * y).sum().backward()
        return y.numpy(), X.grad, W.grad, B.grad

    whole = run()
    monkeypatch.setattr(conv_module, "_BLOCK_ENTRIES", 2 * 18 * 30)  # two images per block
    for ours, reference in zip(run(), whole):
        np.testing.assert_allclose(ours, reference, rtol=1e-12)
