"""Benchmark: the lecture's digits network and a larger MLP, nnlab against scikit-learn and PyTorch.

    python bench/mlp.py [--quick] [--repeats N] [--threads N]

1. The lecture's network (64-50-10, sigmoid, softmax cross-entropy, plain SGD, 100 epochs of
   batch 100 on the 80 % digits split, raw pixels, N(0,1) weights, float64) trained by
   ``nnlab.train.fit``, by the lecture's own hand-written NumPy code, by scikit-learn's
   MLPClassifier(solver='sgd', momentum=0, same sizes/epochs/batch, learning rate and L2 matched:
   learning_rate_init = eta * batch, alpha = lambda, because scikit-learn averages the gradient
   over the batch and the lecture sums it) and by PyTorch on the CPU (same initial weights and
   batches, float64). Targets: nnlab <= 0.5x scikit-learn's time and <= 1.0x PyTorch's, at equal
   or better test accuracy.
2. A 784-256-128-10 ReLU network on 60 000 random float32 rows, batch 128, one epoch of SGD:
   nnlab against PyTorch (target <= 1.0x) and against a hand-written NumPy float32 loop, with
   the GFLOP/s reached (6 flops per weight per sample: forward, and the two backward products)
   against NumPy's float32 matrix-multiply peak (2048 x 2048) measured in the same run.

BLAS (and PyTorch) run on one thread by default (``--threads 0`` keeps the libraries' own
defaults): the lecture's matrices are far too small to gain from threads, and one thread makes
the figures comparable on a loaded machine. Each contender is timed in alternating rounds and
the median is reported, so load from other processes hits all alike. Optional references
(PyTorch) are skipped with a note when missing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab.data import load_digits, train_test_split  # noqa: E402
from nnlab.experiments.lecture_reference import lecture_forward, lecture_sgd, lecture_weights  # noqa: E402
from nnlab.models import lecture_mlp, mlp  # noqa: E402
from nnlab.nn.losses import CrossEntropyLoss  # noqa: E402
from nnlab.nn.regularization import L2  # noqa: E402
from nnlab.optim import SGD  # noqa: E402
from nnlab.train import accuracy, fit, predict  # noqa: E402
from nnlab.train.loop import epoch_generator  # noqa: E402

ETA, LMBD, BATCH = 0.002, 1.0, 100


def try_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


# ----------------------------------------------------------------------------------------------
# 1. the lecture's digits network
# ----------------------------------------------------------------------------------------------
def nnlab_digits(data, epochs, seed=0):
    X_train, X_test, y_train, y_test = data
    model = lecture_mlp(rng=seed)
    start = time.perf_counter()
    fit(model, X_train, y_train, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=ETA),
        epochs=epochs, batch_size=BATCH, penalty=L2(LMBD), seed=seed, metrics=())
    seconds = time.perf_counter() - start
    return seconds, accuracy(y_test, predict(model, X_test))


def lecture_numpy_digits(data, epochs, seed=0):
    """The lecture's NeuralNetwork class, as written there (feed_forward + backpropagation per batch)."""
    X_train, X_test, y_train, y_test = data
    weights = lecture_weights(lecture_mlp(rng=seed))
    Y = np.eye(10)[y_train]
    start = time.perf_counter()
    for epoch in range(epochs):
        order = epoch_generator(seed, epoch).permutation(len(X_train))
        lecture_sgd(weights, X_train, Y, ETA, LMBD, (order[b:b + BATCH] for b in range(0, len(X_train), BATCH)))
    seconds = time.perf_counter() - start
    return seconds, accuracy(y_test, lecture_forward(weights, X_test)[1])


def sklearn_digits(data, epochs, seed=0):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = data
    clf = MLPClassifier(hidden_layer_sizes=(50,), activation="logistic", solver="sgd", momentum=0.0,
                        nesterovs_momentum=False, learning_rate="constant", learning_rate_init=ETA * BATCH,
                        alpha=LMBD, batch_size=BATCH, max_iter=epochs, tol=0.0, n_iter_no_change=10**9,
                        shuffle=True, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(clf.predict(X_test) == y_test))


def torch_digits(data, epochs, seed=0):
    torch = try_torch()
    X_train, X_test, y_train, y_test = data
    model = lecture_mlp(rng=seed)
    net = torch.nn.Sequential(torch.nn.Linear(64, 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 10)).double()
    with torch.no_grad():
        for layer, ours in zip((net[0], net[2]), model.layers):
            layer.weight.copy_(torch.from_numpy(ours.weight.data.T.copy()))
            layer.bias.copy_(torch.from_numpy(ours.bias.data.copy()))
    opt = torch.optim.SGD(net.parameters(), lr=ETA)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
    weights = [net[0].weight, net[2].weight]
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.from_numpy(epoch_generator(seed, epoch).permutation(len(X_train)))
        for b in range(0, len(X_train), BATCH):
            idx = order[b:b + BATCH]
            loss = loss_fn(net(Xt[idx]), yt[idx]) + 0.5 * LMBD * sum((w * w).sum() for w in weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        z = net(torch.from_numpy(X_test)).numpy()
    return seconds, accuracy(y_test, z)


# ----------------------------------------------------------------------------------------------
# 2. 784-256-128-10 on random rows
# ----------------------------------------------------------------------------------------------
SIZES = (784, 256, 128, 10)
N_WEIGHTS = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))


def big_data(n):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 784), dtype=np.float32), rng.integers(0, 10, n)


def nnlab_big(X, y):
    model = mlp(784, (256, 128), 10, activation="relu", rng=0)
    start = time.perf_counter()
    fit(model, X, y, loss=CrossEntropyLoss(), optimizer=SGD(model.parameters(), lr=0.01), epochs=1, batch_size=128,
        seed=0, metrics=())
    return time.perf_counter() - start


def numpy_big(X, y):
    """The same network and batches written by hand in NumPy float32 (the lecture's style)."""
    model = mlp(784, (256, 128), 10, activation="relu", rng=0)
    params = [p.data.copy() for p in model.parameters()]
    (w1, b1, w2, b2, w3, b3), lr = params, np.float32(0.01)
    start = time.perf_counter()
    order = epoch_generator(0, 0).permutation(len(X))
    for b in range(0, len(X), 128):
        idx = order[b:b + 128]
        x, t = X[idx], y[idx]
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        e = np.exp(z - z.max(axis=1, keepdims=True))
        d3 = e / e.sum(axis=1, keepdims=True)
        d3[np.arange(len(idx)), t] -= 1
        d3 /= len(idx)  # mean cross-entropy
        d2 = (d3 @ w3.T) * (h2 > 0)
        d1 = (d2 @ w2.T) * (h1 > 0)
        for p, g in ((w3, h2.T @ d3), (b3, d3.sum(axis=0)), (w2, h1.T @ d2), (b2, d2.sum(axis=0)),
                     (w1, x.T @ d1), (b1, d1.sum(axis=0))):
            p -= lr * g
    return time.perf_counter() - start


def torch_big(X, y):
    torch = try_torch()
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    start = time.perf_counter()
    order = torch.from_numpy(epoch_generator(0, 0).permutation(len(X)))
    for b in range(0, len(X), 128):
        idx = order[b:b + 128]
        loss = loss_fn(net(Xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def matmul_peak(repeats=5) -> float:
    """GFLOP/s of a float32 2048 x 2048 matrix product in NumPy (best of ``repeats``)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2048, 2048), dtype=np.float32), rng.standard_normal((2048, 2048), dtype=np.float32)
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * 2048**3 / best / 1e9


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rounds(contenders: dict, repeats: int, warmup: dict | None = None) -> dict:
    """Run every contender ``repeats`` times in alternating order (after one untimed short
    warm-up run each, so imports and first-call costs are not timed); results per contender."""
    for fn in (warmup or {}).values():
        fn()
    results = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            results[name].append(fn())
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 epochs, 15 000 rows, one round")
    parser.add_argument("--repeats", type=int, default=None, help="timing rounds (default 3, --quick 1)")
    parser.add_argument("--threads", type=int, default=1,
                        help="limit BLAS and PyTorch to this many threads (default 1; 0: the libraries' defaults)")
    args = parser.parse_args(argv)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
        if try_torch() is not None:
            try_torch().set_num_threads(args.threads)
    repeats = args.repeats or (1 if args.quick else 3)
    epochs = 20 if args.quick else 100
    n_big = 15_000 if args.quick else 60_000
    torch = try_torch()

    X, y = load_digits(dtype=np.float64)
    data = train_test_split(X, y, test_size=0.2, seed=0)
    contenders = {
        "nnlab fit": lambda e=epochs: nnlab_digits(data, e),
        "lecture NumPy code": lambda e=epochs: lecture_numpy_digits(data, e),
        "scikit-learn MLPClassifier": lambda e=epochs: sklearn_digits(data, e),
    }
    if torch is not None:
        contenders["PyTorch CPU"] = lambda e=epochs: torch_digits(data, e)
    print(f"1. lecture's digits network 64-50-10 sigmoid, SGD eta={ETA} (summed) lambda={LMBD}, {epochs} epochs "
          f"of batch {BATCH}, float64, median of {repeats}")
    res = rounds(contenders, repeats, warmup={k: (lambda f=f: f(2)) for k, f in contenders.items()})
    median = {k: statistics.median(t for t, _ in v) for k, v in res.items()}
    ours = median["nnlab fit"]
    for name, runs in res.items():
        acc = runs[-1][1]
        ratio = "" if name == "nnlab fit" else f"   nnlab / this = {ours / median[name]:.2f}x"
        print(f"   {name:<28} {median[name]:7.3f} s   test accuracy {acc:.4f}{ratio}")
    threads = f"{args.threads} thread(s)" if args.threads else "default threads"
    print(f"   ({threads}; reference figures for 100 epochs on an idle machine: the lecture NumPy code 0.13 s, "
          "scikit-learn 0.26 s, PyTorch 0.23 s)")
    if torch is None:
        print("   PyTorch not installed: skipped (pip install torch)")
    print("   targets: <= 0.50x scikit-learn, <= 1.00x PyTorch")

    Xb, yb = big_data(n_big)
    peak = matmul_peak()
    big = {"nnlab fit": lambda: nnlab_big(Xb, yb), "hand-written NumPy": lambda: numpy_big(Xb, yb)}
    if torch is not None:
        big["PyTorch CPU"] = lambda: torch_big(Xb, yb)
    print(f"2. MLP 784-256-128-10 ReLU, {n_big} random float32 rows, batch 128, 1 epoch SGD, median of {repeats}; "
          f"NumPy float32 matmul peak {peak:.0f} GFLOP/s")
    res = rounds(big, repeats, warmup={"nnlab": lambda: nnlab_big(Xb[:1280], yb[:1280]),
                                       "numpy": lambda: numpy_big(Xb[:1280], yb[:1280]),
                                       **({"torch": lambda: torch_big(Xb[:1280], yb[:1280])} if torch else {})})
    flops = 6 * N_WEIGHTS * n_big
    median = {k: statistics.median(v) for k, v in res.items()}
    for name, seconds in median.items():
        rate = flops / seconds / 1e9
        ratio = "" if name == "nnlab fit" else f"   nnlab / this = {median['nnlab fit'] / seconds:.2f}x"
        print(f"   {name:<28} {seconds:7.3f} s   {rate:6.1f} GFLOP/s ({100 * rate / peak:.0f} % of peak){ratio}")
    if torch is None:
        print("   PyTorch not installed: skipped")
    print(f"   ({threads}; reference figures for 60 000 rows, idle machine, default threads: hand NumPy 0.36 s, "
          "PyTorch 0.43 s)")
    print("   target: <= 1.00x PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
