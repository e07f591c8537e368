"""Benchmark: the other network families against their references, on the same data.

    python bench/families.py [--quick] [--threads N]

1. Recurrent networks: time of one training epoch (forward, MSE, backpropagation through time,
   Adam step) of an Elman RNN, an LSTM and a GRU with a linear head on noisy-sine windows
   (2000 windows of 20 steps, batch 32, 32 hidden units, float32), nnlab against PyTorch's
   ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with the same explicit loop.
2. Restricted Boltzmann machine: time of one pass over the digits (n_iter = 1, 256 hidden units,
   batch 10, float64), ``nnlab.models.rbm.RBM`` (CD-1 and PCD) against scikit-learn's
   ``BernoulliRBM``, and the pseudo-likelihood of both after 10 passes (same bits flipped).
3. RBF network on the Franke function (400 points): test errors of the RBF network (least squares,
   several sizes) and of SciPy's ``RBFInterpolator`` on the same points.

Ratios are nnlab time / reference time (below 1: nnlab is faster). The libraries are timed in
alternating blocks and the median kept, so load from other processes hits both alike. BLAS,
OpenMP and PyTorch run on ``--threads`` threads (default 1: these matrices are small).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab import Tensor  # noqa: E402
from nnlab import functional as F  # noqa: E402
from nnlab.models.sequence import make_sine_sequences, sequence_model  # noqa: E402
from nnlab.optim import Adam  # noqa: E402


def _median_alternating(fns: dict, repeats: int) -> dict:
    """Median seconds of each callable, called in alternating order ``repeats`` times (after one warm-up)."""
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


# ----------------------------------------------------------------------------------------------
# 1. Recurrent networks
# ----------------------------------------------------------------------------------------------
def nnlab_epoch(cell: str, X: np.ndarray, y: np.ndarray, batch_size: int, hidden: int):
    model = sequence_model(cell, 1, hidden, 1, rng=0)
    optimizer = Adam(model.parameters(), lr=1e-3)

    def epoch():
        for start in range(0, len(X), batch_size):
            loss = F.mse_loss(model(Tensor(X[start:start + batch_size])), y[start:start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


def torch_epoch(cell: str, X: np.ndarray, y: np.ndarray, batch_size: int, hidden: int):
    import torch

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
            self.rnn = layer(1, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, 1)

        def forward(self, x):
            return self.head(self.rnn(x)[0][:, -1])

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        for start in range(0, len(Xt), batch_size):
            loss = torch.nn.functional.mse_loss(model(Xt[start:start + batch_size]), yt[start:start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch


def bench_recurrent(quick: bool) -> None:
    n = 500 if quick else 2000
    X, y = make_sine_sequences(n, length=20, noise=0.03, seed=0)
    print(f"== recurrent: one training epoch, {n} windows x 20 steps, batch 32, 32 hidden units, float32")
    try:
        import torch  # noqa: F401
    except ImportError:
        print("   PyTorch not installed: reference skipped")
        for cell in ("rnn", "lstm", "gru"):
            t = _median_alternating({"nnlab": nnlab_epoch(cell, X, y, 32, 32)}, 1 if quick else 3)
            print(f"   {cell.upper():5s} nnlab {t['nnlab']:.3f} s")
        return
    for cell in ("rnn", "lstm", "gru"):
        t = _median_alternating({"nnlab": nnlab_epoch(cell, X, y, 32, 32), "torch": torch_epoch(cell, X, y, 32, 32)},
                                1 if quick else 3)
        print(f"   {cell.upper():5s} nnlab {t['nnlab']:.3f} s   PyTorch {t['torch']:.3f} s   "
              f"ratio {t['nnlab'] / t['torch']:.2f}")


# ----------------------------------------------------------------------------------------------
# 2. Restricted Boltzmann machine
# ----------------------------------------------------------------------------------------------
def bench_rbm(quick: bool) -> None:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM

    from nnlab.models.rbm import RBM, pseudo_likelihood

    X = load_digits().data / 16.0
    print(f"== RBM: one pass over the digits ({len(X)} x 64), 256 hidden units, batch 10, float64")
    settings = dict(n_components=256, learning_rate=0.1, batch_size=10)
    fns = {
        "cd1": lambda: RBM(n_iter=1, random_state=0, **settings).fit(X),
        "pcd": lambda: RBM(n_iter=1, persistent=True, random_state=0, **settings).fit(X),
        "sklearn": lambda: BernoulliRBM(n_iter=1, random_state=0, **settings).fit(X),
    }
    t = _median_alternating(fns, 2 if quick else 5)
    for name in ("cd1", "pcd"):
        print(f"   nnlab {name.upper():4s} {t[name]:.3f} s   scikit-learn {t['sklearn']:.3f} s   "
              f"ratio {t[name] / t['sklearn']:.2f}")
    n_iter = 3 if quick else 10
    flip = np.random.default_rng(0).integers(0, 64, len(X))
    scores = {}
    for name, model in (("nnlab CD-1", RBM(n_iter=n_iter, random_state=0, **settings)),
                        ("nnlab PCD", RBM(n_iter=n_iter, persistent=True, random_state=0, **settings)),
                        ("scikit-learn", BernoulliRBM(n_iter=n_iter, random_state=0, **settings))):
        model.fit(X)
        scores[name] = pseudo_likelihood(X, flip, model.components_, model.intercept_hidden_,
                                         model.intercept_visible_).mean()
    print(f"   mean pseudo-likelihood after {n_iter} passes (same flipped bits; higher is better): "
          + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()))


# ----------------------------------------------------------------------------------------------
# 3. RBF network against SciPy's RBFInterpolator
# ----------------------------------------------------------------------------------------------
def bench_rbf(quick: bool) -> None:
    from scipy.interpolate import RBFInterpolator

    from nnlab.data import make_franke
    from nnlab.nn.rbf import RBFNetwork

    X, y = make_franke(400, seed=0, dtype=np.float64)
    X_test, y_test = make_franke(2000, seed=1, dtype=np.float64)
    print("== RBF: Franke function, 400 training points, 2000 test points")
    print(f"   {'model':48s} {'R2':>9s} {'RMSE':>9s} {'max err':>9s} {'seconds':>8s}")

    def row(name, predict_fn):
        start = time.perf_counter()
        prediction = predict_fn()
        seconds = time.perf_counter() - start
        err = prediction - y_test
        r2 = 1 - np.sum(err ** 2) / np.sum((y_test - y_test.mean()) ** 2)
        print(f"   {name:48s} {r2:9.6f} {np.sqrt(np.mean(err ** 2)):9.2e} {np.max(np.abs(err)):9.2e} {seconds:8.3f}")

    for k in ((50, 100) if quick else (50, 100, 150)):
        row(f"nnlab RBFNetwork, {k} Gaussians, least squares",
            lambda k=k: RBFNetwork.build(X, k, width_scale=1.5, dtype=np.float64, rng=0)
            .fit_output(X, y, alpha=1e-8)(X_test).numpy()[:, 0])
    for kernel in ("thin_plate_spline", "cubic"):
        row(f"SciPy RBFInterpolator, {kernel}", lambda kernel=kernel: RBFInterpolator(X, y, kernel=kernel)(X_test))
    row("SciPy RBFInterpolator, gaussian eps=7", lambda: RBFInterpolator(X, y, kernel="gaussian", epsilon=7.0)(X_test))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data and fewer repeats")
    parser.add_argument("--threads", default="1",
                        help="BLAS / OpenMP / PyTorch threads (default 1: these matrices are small); "
                             "'default' leaves both libraries at their own defaults")
    parser.add_argument("--only", nargs="*", choices=["recurrent", "rbm", "rbf"], default=["recurrent", "rbm", "rbf"],
                        help="which families to run (default all)")
    args = parser.parse_args()
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    threads = None if args.threads == "default" else int(args.threads)
    if threads is not None:
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:
            pass
    print(f"== threads: {'library defaults' if threads is None else threads}")
    runs = {"recurrent": bench_recurrent, "rbm": bench_rbm, "rbf": bench_rbf}
    with threadpool_limits(threads) if threads is not None else nullcontext():
        for name in args.only:
            runs[name](args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
