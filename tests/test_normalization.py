"""Batch and layer normalisation: finite differences to second order, PyTorch parity (weights and
running statistics copied) in training and evaluation mode, running statistics, saving, errors."""
import numpy as np
import pytest

from nnlab import Tensor, gradcheck
from nnlab.io import load_model, save_model
from nnlab.nn import BatchNorm1D, BatchNorm2D, Conv2D, Dense, Flatten, L2, LayerNorm, ReLU, Sequential
from nnlab.nn.normalization import batch_norm, layer_norm


def _perturbed(layer, rng):
    """A float64 layer whose gamma and beta are not 1 and 0 (so their derivatives show)."""
    layer.gamma.data = 1.0 + 0.3 * rng.standard_normal(layer.gamma.shape)
    layer.beta.data = 0.3 * rng.standard_normal(layer.beta.shape)
    return layer


@pytest.mark.parametrize("shape, axes", [((5, 3), (0,)), ((4, 3, 2), (0, 2)), ((3, 2, 2, 3), (0, 2, 3))])
def test_batch_norm_training_gradcheck_second_order(shape, axes, rng):
    x = rng.standard_normal(shape)
    gamma, beta = 1.0 + 0.3 * rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    report = gradcheck(lambda x, g, b: batch_norm(x, g, b, axes, eps=1e-3), [x, gamma, beta], order=2)
    assert report.ok, str(report)


def test_batch_norm_eval_gradcheck_second_order(rng):
    x = rng.standard_normal((3, 2, 2, 2))
    mean, var = rng.standard_normal(2), rng.uniform(0.5, 2.0, 2)
    report = gradcheck(lambda x, g, b: batch_norm(x, g, b, (0, 2, 3), 1e-5, mean, var),
                       [x, rng.standard_normal(2), rng.standard_normal(2)], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("normalized", [(4,), (2, 3)])
def test_layer_norm_gradcheck_second_order(normalized, rng):
    x = rng.standard_normal((3,) + normalized)
    report = gradcheck(lambda x, g, b: layer_norm(x, g, b, len(normalized), eps=1e-3),
                       [x, 1.0 + rng.standard_normal(normalized), rng.standard_normal(normalized)], order=2)
    assert report.ok, str(report)


def test_layer_gradcheck_through_the_module(rng):
    layer = _perturbed(BatchNorm1D(3, dtype=np.float64), rng)

    def f(x, g, b):
        layer.gamma, layer.beta = g, b
        return layer(x)
    report = gradcheck(f, [rng.standard_normal((6, 3)), layer.gamma.numpy(), layer.beta.numpy()], order=2)
    assert report.ok, str(report)


@pytest.mark.parametrize("ours, theirs, shape", [
    (BatchNorm1D, "BatchNorm1d", (6, 4)), (BatchNorm1D, "BatchNorm1d", (5, 4, 3)),
    (BatchNorm2D, "BatchNorm2d", (3, 4, 5, 5)),
])
def test_batch_norm_matches_torch_in_both_modes(ours, theirs, shape, rng):
    torch = pytest.importorskip("torch")
    layer = _perturbed(ours(4, momentum=0.2, dtype=np.float64), rng)
    ref = getattr(torch.nn, theirs)(4, momentum=0.2).double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in layer.torch_state_dict().items()}, strict=False)
    for step in range(3):  # training: outputs, gradients and the running statistics
        x = 2.0 * rng.standard_normal(shape) + step
        w = rng.standard_normal(shape)
        xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yr = layer(xt), ref(xr)
        (y * w).sum().backward()
        (yr * torch.from_numpy(w)).sum().backward()
        np.testing.assert_allclose(y.numpy(), yr.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.gamma.grad, ref.weight.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.beta.grad, ref.bias.grad.numpy(), rtol=0, atol=1e-10)
        layer.zero_grad()
        ref.zero_grad()
    np.testing.assert_allclose(layer.running_mean.numpy(), ref.running_mean.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.running_var.numpy(), ref.running_var.numpy(), rtol=0, atol=1e-10)
    layer.eval()
    ref.eval()
    x = rng.standard_normal(shape)
    xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yr = layer(xt), ref(xr)
    y.sum().backward()
    yr.sum().backward()
    np.testing.assert_allclose(y.numpy(), yr.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("normalized, shape", [(5, (4, 5)), ((3, 4), (2, 6, 3, 4))])
def test_layer_norm_matches_torch_in_both_modes(normalized, shape, rng):
    torch = pytest.importorskip("torch")
    layer = _perturbed(LayerNorm(normalized, dtype=np.float64), rng)
    ref = torch.nn.LayerNorm(normalized).double()
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in layer.torch_state_dict().items()})
    for mode in (True, False):
        layer.train(mode)
        ref.train(mode)
        x = rng.standard_normal(shape)
        xt, xr = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yr = layer(xt), ref(xr)
        (y * y).sum().backward()
        (yr * yr).sum().backward()
        np.testing.assert_allclose(y.numpy(), yr.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.gamma.grad, ref.weight.grad.numpy(), rtol=0, atol=1e-10)
        layer.zero_grad()
        ref.zero_grad()


def test_load_torch_state_dict_round_trip(rng):
    layer = _perturbed(BatchNorm2D(3, dtype=np.float64), rng)
    layer.running_mean.data = rng.standard_normal(3)
    other = BatchNorm2D(3, dtype=np.float64)
    other.load_torch_state_dict(layer.torch_state_dict())
    for name, value in layer.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[name], value)
    with pytest.raises(KeyError, match="running_var"):
        other.load_torch_state_dict({"weight": np.ones(3), "bias": np.ones(3), "running_mean": np.ones(3)})


def test_training_normalises_and_evaluation_uses_running_statistics(rng):
    layer = BatchNorm1D(2, momentum=0.5, dtype=np.float64)
    x = rng.standard_normal((50, 2)) * [2.0, 0.5] + [3.0, -1.0]
    y = layer(x).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), 1.0, atol=1e-4)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(layer.running_var.numpy(), 0.5 + 0.5 * x.var(axis=0, ddof=1))
    before = layer.state_dict()
    layer.eval()
    y_eval = layer(x).numpy()  # no update in evaluation mode
    for name, value in layer.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    expected = (x - layer.running_mean.numpy()) / np.sqrt(layer.running_var.numpy() + layer.eps)
    np.testing.assert_allclose(y_eval, expected, atol=1e-12)


def test_running_statistics_are_buffers_not_parameters():
    layer = BatchNorm2D(4)
    assert [name for name, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [name for name, _ in layer.named_buffers()] == ["running_mean", "running_var"]
    assert sorted(layer.state_dict()) == ["beta", "gamma", "running_mean", "running_var"]
    model = Sequential(Dense(4, 4, rng=0), BatchNorm1D(4))
    assert L2(1.0)(model).item() == pytest.approx(0.5 * float(np.sum(model.layers[0].weight.numpy() ** 2)), rel=1e-6)


def test_saved_and_loaded_with_the_model(tmp_path, rng):
    model = Sequential(Conv2D(1, 2, 3, rng=0), BatchNorm2D(2), ReLU(), Flatten(), Dense(2 * 5 * 5, 3, rng=1),
                       BatchNorm1D(3), LayerNorm(3))
    x = rng.standard_normal((8, 1, 5, 5)).astype(np.float32)
    for _ in range(3):
        model(x)  # moves the running statistics away from 0 and 1
    model.eval()
    expected = model(x).numpy()
    loaded = load_model(save_model(model, tmp_path / "bn"))
    assert not loaded.training
    np.testing.assert_array_equal(loaded(x).numpy(), expected)
    np.testing.assert_array_equal(loaded.layers[1].running_var.numpy(), model.layers[1].running_var.numpy())


@pytest.mark.parametrize("make, shape, match", [
    (lambda: BatchNorm2D(3), (2, 4, 5, 5), r"\(N, C, H, W\) with C = 3"),
    (lambda: BatchNorm2D(3), (2, 3, 5), r"\(N, C, H, W\)"),
    (lambda: BatchNorm1D(3), (2, 4), r"\(N, C\) or \(N, C, L\)"),
    (lambda: BatchNorm1D(3), (1, 3), "more than one value per feature"),
    (lambda: LayerNorm((2, 3)), (4, 3, 2), r"\(N, \.\.\., 2, 3\)"),
])
def test_wrong_input_names_the_expected_shape(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(np.zeros(shape, dtype=np.float32))


@pytest.mark.parametrize("kwargs, error", [({"momentum": 1.5}, ValueError), ({"eps": 0.0}, ValueError),
                                           ({"eps": "small"}, TypeError), ({"num_features": 0}, ValueError)])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        BatchNorm1D(**{"num_features": 3, **kwargs})


def test_divergence_recovery_restores_the_running_statistics():
    """After a diverged fit the running statistics are those of the last finite step, not inf/NaN."""
    from nnlab.train import fit
    from nnlab.train.loop import TrainingDivergedError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([[1.0], [2.0], [-1.0]])
    model = Sequential(Dense(3, 8, rng=0, dtype=np.float32), BatchNorm1D(8, dtype=np.float32), ReLU(),
                       Dense(8, 1, rng=1, dtype=np.float32))
    with pytest.raises(TrainingDivergedError):
        fit(model, X, y, loss="mse", optimizer="sgd", lr=1e25, epochs=20, batch_size=16, seed=0)
    for name, tensor in model.named_state():
        assert np.all(np.isfinite(tensor.data)), name
