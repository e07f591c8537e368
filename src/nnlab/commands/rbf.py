"""``nnlab rbf``: a radial basis function network interpolating the Franke function.

Centres by k-means on the training points, widths from the centre spacing, output weights by
linear least squares (optionally followed by gradient training of everything with Adam), compared
with SciPy's ``RBFInterpolator`` (thin-plate spline through every training point) on the same
points. Writes ``interpolation.png`` (exact surface, network, error; centres and training points
marked), ``model.npz`` and ``metrics.json``; prints ``test r2: ...``.
"""
from __future__ import annotations

import argparse
import json
import time

from nnlab.commands._common import add_output_dir, output_dir

HELP = "radial basis function network interpolating the Franke function, compared with SciPy's RBFInterpolator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n-train", type=int, default=400, help="training points, uniform on [0, 1]^2 (default 400)")
    parser.add_argument("--n-test", type=int, default=2000, help="test points (default 2000)")
    parser.add_argument("--n-centers", type=int, default=100, help="Gaussian units (default 100)")
    parser.add_argument("--init", choices=["kmeans", "random"], default="kmeans", help="centre initialisation")
    parser.add_argument("--width-scale", type=float, default=1.5,
                        help="widths = this x RMS distance to the 2 nearest centres (default 1.5)")
    parser.add_argument("--noise", type=float, default=0.0, help="standard deviation of noise on the training targets")
    parser.add_argument("--epochs", type=int, default=0,
                        help="after the least-squares fit, train centres, widths and weights with Adam (default 0)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate for --epochs (default 0.001)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the points, the noise and k-means")
    parser.add_argument("--quick", action="store_true", help="accepted for symmetry; the default run is already short")
    add_output_dir(parser, "rbf")


def _r2(prediction, target) -> float:
    import numpy as np

    return float(1.0 - np.sum((prediction - target) ** 2) / np.sum((target - np.mean(target)) ** 2))


def run(args: argparse.Namespace) -> int:
    import numpy as np
    from scipy.interpolate import RBFInterpolator

    from nnlab.data import franke_function, make_franke
    from nnlab.io import save_model
    from nnlab.nn.rbf import RBFNetwork
    from nnlab.optim import Adam
    from nnlab.plots.families import plot_rbf_interpolation
    from nnlab.train import fit, predict

    rng = np.random.default_rng(args.seed)
    for key in ("n_train", "n_test", "n_centers"):
        if getattr(args, key) < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be a positive integer, got {getattr(args, key)}")
    if args.epochs < 0 or not args.lr > 0 or not args.width_scale > 0:
        raise ValueError("--epochs must be >= 0, --lr and --width-scale positive")
    X, y = make_franke(args.n_train, noise=args.noise, seed=rng, dtype=np.float64)
    X_test, y_test = make_franke(args.n_test, seed=rng, dtype=np.float64)
    start = time.perf_counter()
    net = RBFNetwork.build(X, args.n_centers, init=args.init, width_scale=args.width_scale, dtype=np.float64,
                           rng=rng).fit_output(X, y, alpha=1e-8)
    r2_least_squares = _r2(predict(net, X_test)[:, 0], y_test)
    if args.epochs:
        fit(net, X, y, loss="mse", optimizer=Adam(net.parameters(), lr=args.lr), epochs=args.epochs, batch_size=32,
            seed=args.seed, metrics=())
    seconds = time.perf_counter() - start
    prediction = predict(net, X_test)[:, 0]
    r2 = _r2(prediction, y_test)
    start = time.perf_counter()
    reference = RBFInterpolator(X, y)  # thin-plate spline, interpolating (smoothing 0)
    reference_prediction = reference(X_test)
    reference_seconds = time.perf_counter() - start
    r2_scipy = _r2(reference_prediction, y_test)

    out = output_dir(args)
    g = np.linspace(0.0, 1.0, 101)
    gx, gy = np.meshgrid(g, g)
    grid_prediction = predict(net, np.column_stack([gx.ravel(), gy.ravel()]))[:, 0].reshape(gx.shape)
    plot_rbf_interpolation(gx, gy, franke_function(gx, gy), grid_prediction, centers=net.rbf.centers.numpy(),
                           train_points=X, path=out / "interpolation.png",
                           title=f"RBF network, {args.n_centers} Gaussian units, {args.n_train} points: test R2 {r2:.5f}")
    save_model(net, out / "model.npz")
    metrics = {"test_r2": r2, "test_r2_least_squares_only": r2_least_squares,
               "test_max_error": float(np.max(np.abs(prediction - y_test))),
               "test_rmse": float(np.sqrt(np.mean((prediction - y_test) ** 2))),
               "scipy_rbfinterpolator_test_r2": r2_scipy,
               "scipy_rbfinterpolator_test_max_error": float(np.max(np.abs(reference_prediction - y_test))),
               "fit_seconds": seconds, "scipy_seconds": reference_seconds,
               **{k: getattr(args, k) for k in ("n_train", "n_test", "n_centers", "init", "width_scale", "noise",
                                                 "epochs", "lr", "seed")}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"test r2: {r2:.5f} (SciPy RBFInterpolator on the same points: {r2_scipy:.5f})")
    return 0
