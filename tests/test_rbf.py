"""RBF layer and network: the formula, finite differences, k-means and width rules, the closed-form
output fit, interpolation of the Franke function against SciPy's RBFInterpolator, saving."""
import numpy as np
import pytest

from nnlab import gradcheck
from nnlab.data import make_franke
from nnlab.io import load_model, save_model
from nnlab.nn.rbf import RBF, RBFNetwork, center_widths, kmeans
from nnlab.optim import Adam
from nnlab.train import fit


def _r2(prediction, target):
    return 1.0 - np.sum((prediction - target) ** 2) / np.sum((target - target.mean()) ** 2)


def test_gaussian_units_by_formula(rng):
    x, c, s = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.uniform(0.5, 2, 4)
    layer = RBF(3, 4, centers=c, widths=s, dtype=np.float64)
    expected = np.exp(-((x[:, None, :] - c[None]) ** 2).sum(-1) / (2 * s ** 2))
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12)
    assert np.allclose(RBF(3, 4, centers=c, dtype=np.float64)(c).numpy().diagonal(), 1.0)  # phi_j(c_j) = 1


def test_gradcheck_inputs_centres_widths(rng):
    layer = RBF(2, 3, dtype=np.float64)

    def f(x, c, s):
        layer.centers, layer.widths = c, s
        return layer(x)

    report = gradcheck(f, [rng.standard_normal((4, 2)), rng.standard_normal((3, 2)), rng.uniform(0.7, 1.5, 3)])
    assert report.ok, str(report)


def test_kmeans_finds_separated_clusters(rng):
    truth = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    X = np.concatenate([t + 0.1 * rng.standard_normal((60, 2)) for t in truth])
    found = kmeans(X, 3, rng=0)
    order = [np.argmin(((found - t) ** 2).sum(1)) for t in truth]
    np.testing.assert_allclose(found[order], truth, atol=0.05)
    np.testing.assert_array_equal(kmeans(X, 3, rng=1), kmeans(X, 3, rng=1))  # seeded


def test_width_rules():
    centers = np.array([[0.0], [1.0], [3.0]])
    np.testing.assert_allclose(center_widths(centers, "nearest", p=1), [1.0, 1.0, 2.0])
    np.testing.assert_allclose(center_widths(centers, "nearest", p=2), np.sqrt([10 / 2, 5 / 2, 13 / 2]))
    np.testing.assert_allclose(center_widths(centers, "dmax"), 3.0 / np.sqrt(6.0))
    np.testing.assert_allclose(center_widths(centers, 0.3), 0.3)
    with pytest.raises(ValueError, match="nearest"):
        center_widths(centers, "median")


def test_closed_form_output_interpolates_with_a_unit_per_point(rng):
    """K = n centres at the data points: the least-squares output interpolates the data exactly."""
    X = rng.uniform(0, 1, (30, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    net = RBFNetwork.build(X, 30, init="random", width=0.3, dtype=np.float64, rng=0).fit_output(X, y)
    np.testing.assert_allclose(net(X).numpy()[:, 0], y, atol=1e-6)
    # and it is the least-squares solution for fewer units: the residual is orthogonal to the design
    net = RBFNetwork.build(X, 8, dtype=np.float64, rng=0).fit_output(X, y)
    design = np.hstack([net.rbf(X).numpy(), np.ones((30, 1))])
    np.testing.assert_allclose(design.T @ (net(X).numpy()[:, 0] - y), 0.0, atol=1e-9)


def test_franke_interpolation_against_scipy():
    RBFInterpolator = pytest.importorskip("scipy.interpolate").RBFInterpolator
    X, y = make_franke(400, seed=0, dtype=np.float64)
    X_test, y_test = make_franke(1000, seed=1, dtype=np.float64)
    net = RBFNetwork.build(X, 100, width_scale=1.5, rng=0).fit_output(X, y, alpha=1e-8)
    ours = _r2(net(X_test).numpy()[:, 0], y_test)
    scipy_r2 = _r2(RBFInterpolator(X, y)(X_test), y_test)
    assert ours >= 0.99
    assert scipy_r2 >= 0.99  # the reference works on these points too (the benchmark prints both errors)


def test_gradient_training_moves_centres_and_improves_fit():
    X, y = make_franke(200, seed=2, dtype=np.float64)
    net = RBFNetwork.build(X, 20, rng=0).fit_output(X, y)
    centres_before = net.rbf.centers.numpy().copy()
    before = _r2(net(X).numpy()[:, 0], y)
    fit(net, X, y, loss="mse", optimizer=Adam(net.parameters(), lr=3e-3), epochs=40, batch_size=20, seed=0, metrics=())
    after = _r2(net(X).numpy()[:, 0], y)
    assert after > before and not np.allclose(net.rbf.centers.numpy(), centres_before)


def test_fixed_centres_are_not_parameters_and_survive_saving(tmp_path, rng):
    X = rng.uniform(0, 1, (40, 2))
    net = RBFNetwork.build(X, 6, trainable_centers=False, trainable_widths=False, rng=0).fit_output(X, X[:, 0])
    names = dict(net.named_parameters())
    assert set(names) == {"layers.1.weight", "layers.1.bias"}
    loaded = load_model(save_model(net, tmp_path / "rbf.npz"))
    assert isinstance(loaded, RBFNetwork)
    np.testing.assert_array_equal(loaded(X).numpy(), net(X).numpy())
    config = net.rbf.config()
    assert RBF(**config).centers.shape == (6, 2) and not config["trainable_centers"]


def test_errors(rng):
    X = rng.uniform(0, 1, (10, 2))
    with pytest.raises(ValueError, match="kmeans"):
        RBF.from_data(X, 3, init="grid")
    with pytest.raises(ValueError, match="n_centers"):
        RBF.from_data(X, 11)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        RBF(2, 3)(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        RBF.from_data(np.full((4, 2), np.nan), 2)
    with pytest.raises(ValueError, match="y needs shape"):
        RBFNetwork.build(X, 3, rng=0).fit_output(X, np.zeros((10, 2)))


def test_command_writes_plot_and_prints_r2(tmp_path, capsys):
    from nnlab.cli import main

    assert main(["rbf", "--output-dir", str(tmp_path), "--n-train", "300", "--n-centers", "60"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("test r2: ") and float(line.split()[2]) >= 0.99
    assert (tmp_path / "interpolation.png").exists() and (tmp_path / "metrics.json").exists()
