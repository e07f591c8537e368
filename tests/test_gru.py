"""The GRU layer and stacked recurrent layers (num_layers) for RNN, LSTM and GRU: finite differences
to second order, PyTorch parity with copied weights (outputs, final states, gradients), saving."""
import numpy as np
import pytest

from nnlab import Tensor, gradcheck
from nnlab.io import load_model, save_model
from nnlab.nn import GRU, LSTM, RNN, Sequential
from nnlab.nn.recurrent import gru_cell

KINDS = {"rnn": (RNN, "RNN"), "lstm": (LSTM, "LSTM"), "gru": (GRU, "GRU")}


def test_gru_cell_gradcheck_second_order(rng):
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 2))
    w_ih, w_hh = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))
    b_ih, b_hh = rng.standard_normal(6), rng.standard_normal(6)
    report = gradcheck(gru_cell, [x, h, w_ih, w_hh, b_ih, b_hh], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("return_sequences", [True, False])
def test_gru_bptt_gradcheck_second_order(return_sequences, rng):
    layer = GRU(2, 3, return_sequences=return_sequences, dtype=np.float64, rng=1)

    def f(x, w_ih, w_hh, b, b_hh):
        layer.weight_ih, layer.weight_hh, layer.bias, layer.bias_hh = w_ih, w_hh, b, b_hh
        return layer(x)
    params = [layer.weight_ih.numpy(), layer.weight_hh.numpy(), layer.bias.numpy(), layer.bias_hh.numpy()]
    report = gradcheck(f, [rng.standard_normal((2, 4, 2)), *params], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_stacked_gradcheck_second_order_with_initial_state(kind, rng):
    layer = KINDS[kind][0](2, 2, dtype=np.float64, rng=3, num_layers=2, return_sequences=False)
    x = rng.standard_normal((2, 3, 2))
    h0 = 0.5 * rng.standard_normal((2, 2, 2))
    if kind == "lstm":
        report = gradcheck(lambda x, h, c: layer(x, (h, c)), [x, h0, rng.standard_normal((2, 2, 2))], order=2)
    else:
        report = gradcheck(lambda x, h: layer(x, h), [x, h0], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_matches_torch_outputs_states_and_gradients(kind, num_layers, rng):
    torch = pytest.importorskip("torch")
    cls, name = KINDS[kind]
    ours = cls(3, 4, dtype=np.float64, rng=7, num_layers=num_layers)
    theirs = getattr(torch.nn, name)(3, 4, num_layers=num_layers, batch_first=True).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.torch_state_dict().items()})
    x, weights = rng.standard_normal((5, 6, 3)), rng.standard_normal((5, 6, 4))
    shape = (5, 4) if num_layers == 1 else (num_layers, 5, 4)
    h0 = rng.standard_normal(shape)
    state = (h0, rng.standard_normal(shape)) if kind == "lstm" else h0
    torch_state = tuple(torch.from_numpy(s.reshape(num_layers, 5, 4)) for s in state) if kind == "lstm" else \
        torch.from_numpy(h0.reshape(num_layers, 5, 4))

    for mode in (True, False):  # recurrent layers behave the same in both modes
        ours.train(mode)
        theirs.train(mode)
        xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, final = ours.forward_with_state(xt, state)
        out_r, final_r = theirs(xr, torch_state)
        (out * weights).sum().backward()
        (out_r * torch.from_numpy(weights)).sum().backward()
        np.testing.assert_allclose(out.numpy(), out_r.detach().numpy(), rtol=0, atol=1e-10)
        for a, b in zip(final if kind == "lstm" else (final,), final_r if kind == "lstm" else (final_r,)):
            np.testing.assert_allclose(a.numpy().reshape(b.shape), b.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=0, atol=1e-10)
        grads = {k: v.grad.numpy() for k, v in theirs.named_parameters()}
        np.testing.assert_allclose(ours.weight_ih.grad, grads["weight_ih_l0"].T, rtol=0, atol=1e-10)
        top = ours if num_layers == 1 else ours.layers_above[-1]
        np.testing.assert_allclose(top.weight_hh.grad, grads[f"weight_hh_l{num_layers - 1}"].T, rtol=0, atol=1e-10)
        if kind == "gru":
            np.testing.assert_allclose(top.bias_hh.grad, grads[f"bias_hh_l{num_layers - 1}"], rtol=0, atol=1e-10)
        ours.zero_grad()
        theirs.zero_grad()


def test_gru_torch_state_round_trip(rng):
    a = GRU(3, 4, dtype=np.float64, rng=0, num_layers=2)
    b = GRU(3, 4, dtype=np.float64, rng=1, num_layers=2)
    b.load_torch_state_dict(a.torch_state_dict())
    x = rng.standard_normal((2, 5, 3))
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert sorted(n for n, _ in a.named_parameters()) == sorted(
        ["weight_ih", "weight_hh", "bias", "bias_hh"] + [f"layers_above.0.{n}" for n in
                                                         ("weight_ih", "weight_hh", "bias", "bias_hh")])
    with pytest.raises(KeyError, match="num_layers=2"):
        b.load_torch_state_dict({k: v for k, v in a.torch_state_dict().items() if not k.endswith("_l1")})


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_stacked_layer_saved_and_loaded(kind, tmp_path, rng):
    model = Sequential(KINDS[kind][0](2, 3, num_layers=2, return_sequences=False, rng=0))
    x = rng.standard_normal((4, 5, 2)).astype(np.float32)
    loaded = load_model(save_model(model, tmp_path / kind))
    assert loaded.layers[0].num_layers == 2
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


def test_stacked_state_of_the_wrong_shape_is_refused():
    layer = GRU(2, 3, num_layers=2)
    with pytest.raises(ValueError, match=r"\(num_layers, batch, hidden_size\)"):
        layer(np.zeros((4, 5, 2), dtype=np.float32), np.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="num_layers"):
        GRU(2, 3, num_layers=0)


def test_gru_step_kernel_equals_the_rule(rng):
    """The fused kernel gru_step gives gru_cell's values and first and second derivatives."""
    from nnlab.nn.recurrent import gru_step
    from nnlab.tensor import grad
    from nnlab import ops

    x, h = rng.standard_normal((3, 2)), rng.standard_normal((3, 4))
    w_ih, w_hh = rng.standard_normal((2, 12)), rng.standard_normal((4, 12))
    b_ih, b_hh = rng.standard_normal(12), rng.standard_normal(12)
    weights = rng.standard_normal((3, 4))

    def grads(fn, order):
        ts = [Tensor(v, requires_grad=True) for v in (x, h, w_ih, w_hh, b_ih, b_hh)]
        out = fn(*ts)
        first = grad(ops.sum(out * weights), ts, create_graph=order == 2)
        if order == 1:
            return out.numpy(), [g.numpy() for g in first]
        total = ops.sum(ops.stack([ops.sum(g * g) for g in first]))
        return out.numpy(), [g.numpy() for g in grad(total, ts)]

    kernel = lambda x, h, wi, wh, bi, bh: gru_step(ops.linear(x, wi, bi), h, wh, bh)  # noqa: E731
    for order in (1, 2):
        ref_out, ref = grads(gru_cell, order)
        out, got = grads(kernel, order)
        np.testing.assert_allclose(out, ref_out, rtol=0, atol=1e-13)
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_gru_step_gradcheck_second_order(rng):
    from nnlab.nn.recurrent import gru_step

    report = gradcheck(gru_step, [rng.standard_normal((2, 6)), rng.standard_normal((2, 2)),
                                  rng.standard_normal((2, 6)), rng.standard_normal(6)], order=2)
    assert report.ok, str(report)
