"""Where nnlab's training step on the lecture's digits network spends its time.

    python bench/step_breakdown.py [--repeats N] [--epochs N]

Issue 3 asks for the lecture's network (64-50-10 sigmoid, summed cross-entropy, L2, SGD,
batch 100, float64) to train in at most half of scikit-learn's time, which on this machine
means about 1.15x the lecture's hand-written NumPy code (bench/mlp.py). This benchmark shows
where the rest goes. It times 100 epochs as a ladder that starts from the arithmetic of
nnlab's step written inline (the same fused affine maps, sigmoid, label cross-entropy, L2
gradient and SGD update, called directly) and swaps in nnlab's pieces one at a
time; each line gives its time over the lecture's hand-written code, and the step from one line
to the next is the cost of the piece it adds:

    inline      the arithmetic alone (the kernels of nnlab.ops' primitives, called by hand)
    +graph      the model's forward pass builds graph nodes (backward still by hand)
    +loss node  cross_entropy builds its fused node
    +backward   loss.backward() walks the graph and stores the leaf gradients
    +Loss       the CrossEntropyLoss object instead of the function
    +optimizer  SGD.step() instead of the in-place updates
    +penalty    the bound L2 penalty of fit (its value for the divergence check, its gradient)
    fit         nnlab.train.fit itself (validation of the inputs, epochs, history)

All contenders run in alternating rounds on one BLAS thread; the minimum of the rounds is printed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab import functional as F  # noqa: E402
from nnlab import ops  # noqa: E402
from nnlab.data import load_digits, train_test_split  # noqa: E402
from nnlab.experiments.lecture_reference import lecture_sgd, lecture_weights  # noqa: E402
from nnlab.models import lecture_mlp  # noqa: E402
from nnlab.nn.losses import CrossEntropyLoss  # noqa: E402
from nnlab.nn.regularization import L2  # noqa: E402
from nnlab.optim import SGD  # noqa: E402
from nnlab.train import fit  # noqa: E402
from nnlab.train.loop import _bind_penalty, epoch_generator  # noqa: E402

ETA, LMBD, BATCH = 0.002, 1.0, 100
LEVELS = ("inline", "+graph", "+loss node", "+backward", "+Loss", "+optimizer", "+penalty")
_DX, _DW, _DB = ops.LINEAR.kernels  # the first-order kernels of BP2, BP4 and BP3


def _inline_loss(z: np.ndarray, labels: np.ndarray):
    """Summed cross-entropy and its gradient softmax(z) - one_hot, as the cross_entropy_labels primitive computes them."""
    n = len(labels)
    shifted = z.T.copy()
    shifted -= np.maximum.reduce(shifted, axis=0)
    e = np.exp(shifted)
    total = np.add.reduce(e, axis=0)
    picks = np.ravel_multi_index((labels, np.arange(n)), shifted.shape)
    value = np.add.reduce(np.log(total)) - np.add.reduce(shifted.take(picks))
    d = e / total
    d.reshape(-1)[picks] -= 1.0
    return value, d.T


def ladder(level: int, X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    """Seconds for ``epochs`` epochs with the first ``level`` pieces of nnlab swapped in."""
    model = lecture_mlp(rng=0)
    hidden, output = model.layers
    params = model.parameters()
    w1, b1, w2, b2 = (p.data for p in params)
    optimizer = SGD(params, lr=ETA)
    loss = CrossEntropyLoss("sum") if level >= 4 else (lambda out, target: F.cross_entropy(out, target, "sum"))
    penalty = _bind_penalty(L2(LMBD), model)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = epoch_generator(0, epoch).permutation(len(X))
        for b in range(0, len(X), BATCH):
            idx = order[b:b + BATCH]
            xb, yb = X[idx], y[idx]
            if level == 0:
                z1 = ops._affine(xb, w1, b1)
                a1 = ops._sigmoid_raw(z1)
                value, g2 = _inline_loss(ops._affine(a1, w2, b2), yb)
            else:
                out = model(ops.node(xb, (), ()))
                a1_node = out._parents[0]
                a1, z1 = a1_node.data, a1_node._parents[0].data
                if level == 1:
                    value, g2 = _inline_loss(out.data, yb)
                else:
                    cost = loss(out, yb)
                    value = cost.data
            if level < 6:
                check = float(value) + 0.5 * LMBD * float(np.vdot(w1, w1) + np.vdot(w2, w2))
            else:
                check = float(value) + float(penalty.value())
            assert np.isfinite(check)
            if level >= 3:
                optimizer.zero_grad()
                cost.backward()
                gw1, gb1, gw2, gb2 = (p.grad for p in params)
            else:
                if level == 2:
                    g2 = cost._kernels[0](np.ones(()), value, out.data, **cost._ctx)
                gw2, gb2 = _DW(g2, None, a1, w2), _DB(g2, None, a1, w2, b2)
                gz = ops._sigmoid_kernel(_DX(g2, None, a1, w2), a1, z1)
                gw1, gb1 = _DW(gz, None, xb, w1), _DB(gz, None, xb, w1, b1)
            if level >= 6:
                penalty.add_gradients()
            else:
                gw1 += w1 if LMBD == 1.0 else LMBD * w1  # as fit's L2 does
                gw2 += w2 if LMBD == 1.0 else LMBD * w2
            if level >= 5:
                optimizer.step()
            else:
                for p, g in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
                    p -= ETA * g
    return time.perf_counter() - start


def lecture_code(X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    weights, Y = lecture_weights(lecture_mlp(rng=0)), np.eye(10)[y]
    start = time.perf_counter()
    for epoch in range(epochs):
        order = epoch_generator(0, epoch).permutation(len(X))
        lecture_sgd(weights, X, Y, ETA, LMBD, (order[b:b + BATCH] for b in range(0, len(X), BATCH)))
    return time.perf_counter() - start


def nnlab_fit(X: np.ndarray, y: np.ndarray, epochs: int) -> float:
    model = lecture_mlp(rng=0)
    start = time.perf_counter()
    fit(model, X, y, loss=CrossEntropyLoss("sum"), optimizer=SGD(model.parameters(), lr=ETA), epochs=epochs,
        batch_size=BATCH, penalty=L2(LMBD), seed=0, metrics=())
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs per run (default 100, the lecture's)")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    X, y = load_digits(dtype=np.float64)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, seed=0)
    X_train, y_train = np.ascontiguousarray(X_train), y_train.astype(np.int64)
    contenders = {"lecture NumPy code": lecture_code,
                  **{name: (lambda X, y, e, level=level: ladder(level, X, y, e)) for level, name in enumerate(LEVELS)},
                  "fit": nnlab_fit}
    times = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up: imports, first calls
        fn(X_train, y_train, 2)
    for _ in range(args.repeats):
        for name, fn in contenders.items():
            times[name].append(fn(X_train, y_train, args.epochs))
    reference = min(times["lecture NumPy code"])
    steps = args.epochs * -(-len(X_train) // BATCH)
    print(f"lecture's digits network, {args.epochs} epochs ({steps} steps of batch {BATCH}), float64, 1 BLAS thread, "
          f"best of {args.repeats}")
    previous = None
    for name, runs in times.items():
        best = min(runs)
        added = "" if previous is None or name == "lecture NumPy code" else \
            f"   {1e6 * (best - previous) / steps:+6.1f} us a step"
        print(f"   {name:<20} {best:7.3f} s   {best / reference:5.2f}x the lecture code{added}")
        previous = best
    return 0


if __name__ == "__main__":
    sys.exit(main())
