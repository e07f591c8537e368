"""A radial basis function network interpolating the Franke function: ``run(RBFConfig) -> Result``.

Centres by k-means on the training points, widths from the centre spacing, output weights by
linear least squares (optionally followed by gradient training of everything with Adam), compared
with SciPy's ``RBFInterpolator`` (thin-plate spline through every training point) on the same
points. Writes ``interpolation.png`` (exact surface, network, error; centres and training points
marked), ``model.npz`` and ``metrics.json``.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nnlab._validation import check_integer
from nnlab.experiments.result import Result

__all__ = ["RBFConfig", "r2_score", "run"]


@dataclass
class RBFConfig:
    """Points, network size and training of one RBF run."""

    n_train: int = 400
    n_test: int = 2000
    n_centers: int = 100
    init: str = "kmeans"
    width_scale: float = 1.5
    noise: float = 0.0
    epochs: int = 0
    lr: float = 1e-3
    seed: int = 0
    output_dir: Path = Path("runs/rbf")

    def check(self) -> None:
        """ValueError naming the option for a setting that cannot give a run."""
        for key in ("n_train", "n_test", "n_centers"):
            check_integer(getattr(self, key), f"--{key.replace('_', '-')}")
        if self.epochs < 0 or not self.lr > 0 or not self.width_scale > 0:
            raise ValueError(f"--epochs must be >= 0, --lr and --width-scale positive; got --epochs {self.epochs}, "
                             f"--lr {self.lr}, --width-scale {self.width_scale}")


def r2_score(prediction: np.ndarray, target: np.ndarray) -> float:
    """R2 = 1 - sum (prediction - target)^2 / sum (target - mean target)^2."""
    return float(1.0 - np.sum((prediction - target) ** 2) / np.sum((target - np.mean(target)) ** 2))


def run(config: RBFConfig) -> Result:
    """Fit the network (least squares, then Adam for ``epochs``), compare with SciPy, plot and save."""
    from scipy.interpolate import RBFInterpolator

    from nnlab.data import franke_function, make_franke
    from nnlab.io import save_model
    from nnlab.nn.rbf import RBFNetwork
    from nnlab.optim import Adam
    from nnlab.plots.families import plot_rbf_interpolation
    from nnlab.train import fit, predict

    config.check()
    rng = np.random.default_rng(config.seed)
    X, y = make_franke(config.n_train, noise=config.noise, seed=rng, dtype=np.float64)
    X_test, y_test = make_franke(config.n_test, seed=rng, dtype=np.float64)
    start = time.perf_counter()
    net = RBFNetwork.build(X, config.n_centers, init=config.init, width_scale=config.width_scale, dtype=np.float64,
                           rng=rng).fit_output(X, y, alpha=1e-8)
    r2_least_squares = r2_score(predict(net, X_test)[:, 0], y_test)
    if config.epochs:
        fit(net, X, y, loss="mse", optimizer=Adam(net.parameters(), lr=config.lr), epochs=config.epochs,
            batch_size=32, seed=config.seed, metrics=())
    seconds = time.perf_counter() - start
    prediction = predict(net, X_test)[:, 0]
    r2 = r2_score(prediction, y_test)
    start = time.perf_counter()
    reference = RBFInterpolator(X, y)  # thin-plate spline, interpolating (smoothing 0)
    reference_prediction = reference(X_test)
    reference_seconds = time.perf_counter() - start
    r2_scipy = r2_score(reference_prediction, y_test)

    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    g = np.linspace(0.0, 1.0, 101)
    gx, gy = np.meshgrid(g, g)
    grid_prediction = predict(net, np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    figure = plot_rbf_interpolation(
        gx, gy, franke_function(gx, gy), grid_prediction, centers=net.rbf.centers.numpy(), train_points=X,
        path=out / "interpolation.png",
        title=f"RBF network, {config.n_centers} Gaussian units, {config.n_train} points: test R2 {r2:.5f}")
    save_model(net, out / "model.npz")
    settings = {k: v for k, v in asdict(config).items() if k != "output_dir"}
    metrics = {"test_r2": r2, "test_r2_least_squares_only": r2_least_squares,
               "test_max_error": float(np.max(np.abs(prediction - y_test))),
               "test_rmse": float(np.sqrt(np.mean((prediction - y_test) ** 2))),
               "scipy_rbfinterpolator_test_r2": r2_scipy,
               "scipy_rbfinterpolator_test_max_error": float(np.max(np.abs(reference_prediction - y_test))),
               "fit_seconds": seconds, "scipy_seconds": reference_seconds, **settings}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return Result(headline=f"test r2: {r2:.5f} (SciPy RBFInterpolator on the same points: {r2_scipy:.5f})",
                  numbers=metrics, figures={"interpolation": Path(figure)}, output_dir=out)
