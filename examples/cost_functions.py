"""Cost functions and regularisation: why cross-entropy suits a sigmoid/softmax output, sum versus
mean over the batch, and what L2 and L1 penalties do to the weights.

Run:  python examples/cost_functions.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

import nnlab
from nnlab.data import StandardScaler, load_digits, train_test_split
from nnlab.models import mlp
from nnlab.nn import L1, L2, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nnlab.plots import new_figure, save
from nnlab.train import evaluate, fit


def output_error(loss, z):
    """dC/dz for one sigmoid output unit a = sigma(z) with target t = 1, for each z."""
    z = nnlab.Tensor(z, requires_grad=True)
    target = np.ones((len(z.data), 1))
    if isinstance(loss, MSELoss):
        cost = loss(nnlab.sigmoid(z), target)        # C = (a - t)^2 -> delta = 2 (a - t) sigma'(z)
    else:
        cost = loss(z, target)                        # C = -t log a - (1-t) log(1-a) -> delta = a - t
    (dz,) = nnlab.grad(cost, z)
    return dz.numpy()[:, 0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    fig, (left, right) = new_figure(1, 2, figsize=(9.5, 3.6))

    # 1. The output error delta^L: the squared error keeps the factor sigma'(z), which vanishes when the
    #    unit is saturated and wrong (z << 0 with t = 1); the cross-entropy cancels it.
    z = np.linspace(-8, 8, 161)[:, None]
    for loss, label in ((MSELoss(reduction="sum"), "squared error"), (BCEWithLogitsLoss(reduction="sum"),
                                                                       "cross-entropy")):
        left.plot(z[:, 0], output_error(loss, z), label=label)
    left.set(title="output error dC/dz for target t = 1", xlabel="z (a = sigmoid(z))")
    left.legend()

    # 2. Summed versus averaged cost: the gradient differs by the batch size n, so eta must too.
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    model = mlp(64, [50], 10, activation="sigmoid", dtype=np.float64, rng=0)
    grads = {}
    for reduction in ("sum", "mean"):
        model.zero_grad()
        CrossEntropyLoss(reduction=reduction)(model(nnlab.Tensor(X_train[:100])), y_train[:100]).backward()
        grads[reduction] = model.layers[0].weight.grad.copy()
    ratio = np.linalg.norm(grads["sum"]) / np.linalg.norm(grads["mean"])
    print(f"|summed gradient| / |averaged gradient| = {ratio:.1f} (the batch size)")

    # 3. Penalties on the weights (not the biases): L2 shrinks them all, L1 sets many to zero.
    epochs = 5 if args.quick else 40
    for penalty, label in ((None, "no penalty"), (L2(1e-2), "L2, lambda=1e-2"), (L1(1e-3), "L1, lambda=1e-3")):
        model = mlp(64, [50], 10, activation="sigmoid", dtype=np.float64, rng=0)
        fit(model, X_train, y_train, loss=CrossEntropyLoss(), optimizer="sgd", lr=0.5, epochs=epochs, batch_size=32,
            penalty=penalty, seed=0)
        w = model.layers[0].weight.numpy().ravel()
        accuracy = evaluate(model, X_test, y_test)["accuracy"]
        print(f"{label:<16} test accuracy {accuracy:.3f}, |W| mean {np.mean(np.abs(w)):.3f}, "
              f"weights below 1e-3: {np.mean(np.abs(w) < 1e-3):.0%}")
        right.hist(w, bins=np.linspace(-1, 1, 81), histtype="step", label=label)
    right.set(title=f"first-layer weights after {epochs} epochs", xlabel="w", yscale="log")
    right.legend(fontsize=8)
    path = save(fig, args.output_dir / "cost_functions.png")
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
