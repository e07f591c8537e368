"""Recurrent layers: finite differences (to second order), PyTorch parity with copied weights,
shapes and errors, and short "it learns" runs of the sequence models."""
import numpy as np
import pytest

from nnlab import Tensor, gradcheck
from nnlab.nn.recurrent import LSTM, RNN

CELLS = [
    pytest.param(lambda **kw: RNN(nonlinearity="tanh", **kw), id="rnn-tanh"),
    pytest.param(lambda **kw: RNN(nonlinearity="relu", **kw), id="rnn-relu"),
    pytest.param(lambda **kw: LSTM(**kw), id="lstm"),
]


def _as_function(layer):
    """f(x, W_ih, W_hh, b) = layer(x) with the weights swapped in, for gradcheck."""
    def f(x, w_ih, w_hh, b):
        layer.weight_ih, layer.weight_hh, layer.bias = w_ih, w_hh, b
        return layer(x)
    return f


@pytest.mark.parametrize("make", CELLS)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_gradcheck_bptt(make, return_sequences, rng):
    layer = make(input_size=2, hidden_size=3, return_sequences=return_sequences, dtype=np.float64, rng=1)
    x = rng.standard_normal((2, 4, 2))
    if "relu" in repr(layer):
        x = np.abs(x) + 0.5  # keep pre-activations away from the kink at 0
        layer.bias.data = np.abs(layer.bias.data) + 0.2
    params = [layer.weight_ih.numpy(), layer.weight_hh.numpy(), layer.bias.numpy()]
    report = gradcheck(_as_function(layer), [x, *params], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("make", CELLS)
def test_gradcheck_with_initial_state(make, rng):
    layer = make(input_size=2, hidden_size=2, dtype=np.float64, rng=3)
    x = rng.standard_normal((2, 3, 2))
    h0 = rng.standard_normal((2, 2)) * 0.5 + (1.0 if "relu" in repr(layer) else 0.0)
    if isinstance(layer, LSTM):
        c0 = rng.standard_normal((2, 2))
        report = gradcheck(lambda x, h, c: layer(x, (h, c)), [x, h0, c0], order=2)
    else:
        report = gradcheck(lambda x, h: layer(x, h), [x, h0], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("kind", ["rnn-tanh", "rnn-relu", "lstm"])
def test_matches_torch_outputs_and_gradients(kind, rng):
    torch = pytest.importorskip("torch")
    if kind == "lstm":
        ours = LSTM(3, 5, dtype=np.float64, rng=7)
        theirs = torch.nn.LSTM(3, 5, batch_first=True).double()
    else:
        nonlinearity = kind.split("-")[1]
        ours = RNN(3, 5, nonlinearity=nonlinearity, dtype=np.float64, rng=7)
        theirs = torch.nn.RNN(3, 5, nonlinearity=nonlinearity, batch_first=True).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.torch_state_dict().items()})
    x = rng.standard_normal((4, 6, 3))
    weights = rng.standard_normal((4, 6, 5))

    xt = Tensor(x, requires_grad=True)
    out = ours(xt)
    (out * weights).sum().backward()
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch, _ = theirs(x_torch)
    (out_torch * torch.from_numpy(weights)).sum().backward()

    np.testing.assert_allclose(out.numpy(), out_torch.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(xt.grad, x_torch.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.weight_ih.grad, theirs.weight_ih_l0.grad.numpy().T, atol=1e-12)
    np.testing.assert_allclose(ours.weight_hh.grad, theirs.weight_hh_l0.grad.numpy().T, atol=1e-12)
    # Both torch biases receive the same gradient, which is the gradient of our single bias.
    np.testing.assert_allclose(ours.bias.grad, theirs.bias_ih_l0.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias_hh_l0.grad.numpy(), atol=1e-12)


def test_load_torch_weights_sums_the_two_biases(rng):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.LSTM(2, 3, batch_first=True).double()
    ours = LSTM(2, 3, dtype=np.float64, rng=0)
    ours.load_torch_state_dict(theirs.state_dict())
    x = rng.standard_normal((2, 5, 2))
    expected, (h, c) = theirs(torch.from_numpy(x))
    out, (h_ours, c_ours) = ours.forward_with_state(x)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(c_ours.numpy(), c[0].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.bias.numpy(),
                               (theirs.bias_ih_l0 + theirs.bias_hh_l0).detach().numpy(), atol=1e-15)


def test_elman_recurrence_by_hand(rng):
    """One layer, two steps, written out: h1 = tanh(x1 W + b), h2 = tanh(x2 W + h1 U + b)."""
    layer = RNN(2, 3, dtype=np.float64, rng=0)
    x = rng.standard_normal((1, 2, 2))
    W, U, b = layer.weight_ih.numpy(), layer.weight_hh.numpy(), layer.bias.numpy()
    h1 = np.tanh(x[:, 0] @ W + b)
    h2 = np.tanh(x[:, 1] @ W + h1 @ U + b)
    np.testing.assert_allclose(layer(x).numpy(), np.stack([h1, h2], axis=1), atol=1e-14)


def test_shapes_dtype_and_config():
    layer = LSTM(4, 6, return_sequences=False, rng=0)
    x = np.zeros((5, 7, 4))  # float64 input is cast to the layer's float32
    out = layer(x)
    assert out.shape == (5, 6) and out.dtype == np.float32
    assert RNN(4, 6, rng=0)(x).shape == (5, 7, 6)
    assert layer.n_parameters() == 4 * 6 * (4 + 6 + 1)
    config = layer.config()
    assert config == {"input_size": 4, "hidden_size": 6, "return_sequences": False, "dtype": "float32"}
    assert type(layer)(**config).weight_ih.shape == layer.weight_ih.shape
    assert RNN(**RNN(2, 3, nonlinearity="relu").config()).nonlinearity == "relu"


def test_bad_input_errors():
    layer = RNN(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"\(batch, time, 3\)"):
        layer(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="NaN"):
        layer(np.full((1, 2, 3), np.nan))
    with pytest.raises(ValueError, match="h0"):
        layer(np.zeros((2, 5, 3)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="pair"):
        LSTM(3, 4)(np.zeros((2, 5, 3)), np.zeros((2, 4)))
