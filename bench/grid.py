"""Benchmark: the lecture's 7x7 eta x lambda grid on the digits at 100 epochs, on 2 cores.

    python bench/grid.py [--quick] [--jobs 2]

Prints the wall time of the whole search (target: under 10 minutes on 2 cores), the best pair,
the number of diverged cells, and, as the reference measured in the same run, the lecture's own
NumPy network (its NeuralNetwork class, minibatches of 100, 100 epochs) timed on one cell and
scaled to the grid: the ratio is nnlab's grid time over that estimate.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from nnlab.experiments.grid import LECTURE_ETAS, LECTURE_LAMBDAS, grid_search, load_dataset  # noqa: E402
from nnlab.experiments.lecture_reference import lecture_sgd, lecture_weights  # noqa: E402
from nnlab.models import lecture_mlp  # noqa: E402
from nnlab.plots.grid import format_value  # noqa: E402

TARGET_SECONDS = 600.0


def lecture_cell_seconds(data, eta: float, lam: float, epochs: int, batch_size: int = 100, seed: int = 0) -> float:
    """Time the lecture's NumPy NeuralNetwork (64-50-10 sigmoid, summed gradient) on one cell."""
    X, _, y, _ = data
    rng = np.random.default_rng(seed)
    weights = lecture_weights(lecture_mlp(rng=rng))
    Y = np.eye(10)[y]
    n = len(X)
    batches = (rng.choice(n, size=batch_size, replace=False) for _ in range(epochs * (n // batch_size)))
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        lecture_sgd(weights, X, Y, eta, lam, batches)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3x3 grid, 20 epochs")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args()

    etas, lambdas, epochs = LECTURE_ETAS, LECTURE_LAMBDAS, args.epochs
    if args.quick:
        etas, lambdas, epochs = LECTURE_ETAS[2:5], LECTURE_LAMBDAS[2:5], 20
    data = load_dataset("digits", seed=0)
    result = grid_search(etas, lambdas, data=data, epochs=epochs, n_jobs=args.jobs)
    cells = len(result.cells)
    best = result.best()
    diverged = sum(not c.ok for c in result.cells)
    per_cell = [c.seconds for c in result.cells]
    print(f"grid {len(etas)}x{len(lambdas)} on digits, {epochs} epochs, batch 100, {args.jobs} processes: "
          f"{result.seconds:.1f} s wall ({result.seconds / TARGET_SECONDS:.3f} of the {TARGET_SECONDS:.0f} s target; "
          f"median cell {np.median(per_cell):.2f} s)")
    print(f"best eta={format_value(best.eta)} lambda={format_value(best.lam)}: test accuracy {best.test_accuracy:.4f} "
          f"(train {best.train_accuracy:.4f}); {diverged} of {cells} cells diverged")
    lecture = np.median([lecture_cell_seconds(data, 0.01, 0.1, epochs) for _ in range(3)])
    estimate = lecture * cells / args.jobs
    print(f"reference, the lecture's NumPy class: {lecture:.2f} s a cell, grid estimate {estimate:.1f} s on "
          f"{args.jobs} cores; nnlab / lecture = {result.seconds / estimate:.2f}x (nnlab's median cell "
          f"{np.median(per_cell) / lecture:.2f}x)")


if __name__ == "__main__":
    main()
