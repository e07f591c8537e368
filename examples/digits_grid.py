"""Digits classification and the grid search: the lecture's network, then eta x lambda heatmaps.

Run:  python examples/digits_grid.py [--quick] [--output-dir DIR]
"""
import argparse
from pathlib import Path

import numpy as np

from nnlab.data import load_digits, train_test_split
from nnlab.experiments import grid_search
from nnlab.models import lecture_mlp
from nnlab.nn import L2, CrossEntropyLoss
from nnlab.plots.grid import save_grid_heatmaps
from nnlab.train import confusion_matrix, fit, predict


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs and a 3 x 3 grid")
    parser.add_argument("--output-dir", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    epochs = 10 if args.quick else 100

    # The lecture's network: 64 raw pixels -> 50 sigmoid -> 10 softmax, weights N(0, 1), biases 0.01,
    # cross-entropy summed over batches of 100 plus L2, plain SGD.
    X, y = load_digits(dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)
    model = lecture_mlp(rng=0)
    history = fit(model, X_train, y_train, loss=CrossEntropyLoss(reduction="sum"), penalty=L2(1.0),
                  optimizer="sgd", lr=0.002, epochs=epochs, batch_size=100, validation_data=(X_test, y_test), seed=0)
    predicted = predict(model, X_test).argmax(axis=1)
    print(f"lecture network, {epochs} epochs: test accuracy {np.mean(predicted == y_test):.4f} "
          f"(last epoch's training accuracy {history.history['accuracy'][-1]:.4f})")
    print("confusion matrix (rows: true digit):")
    print(confusion_matrix(y_test, predicted, n_classes=10))

    # The grid: every (eta, lambda) from the same initial weights and batches, both cores.
    etas = np.logspace(-4, 0, 3) if args.quick else np.logspace(-5, 1, 7)
    lambdas = np.logspace(-4, 0, 3) if args.quick else np.logspace(-5, 1, 7)
    result = grid_search(etas, lambdas, epochs=5 if args.quick else 100, n_jobs=1 if args.quick else 2, seed=0)
    best = result.best()
    print(f"best of the grid: eta={best.eta:g}, lambda={best.lam:g}, test accuracy {best.test_accuracy:.4f}; "
          f"{sum(not c.ok for c in result.cells)} of {len(result.cells)} cells diverged")
    train_png, test_png = save_grid_heatmaps(result, args.output_dir, prefix="digits_grid_")
    print(f"figures: {train_png}, {test_png}")


if __name__ == "__main__":
    main()
