"""``nnlab grid``: the lecture's eta x lambda grid search, with train and test accuracy heatmaps.

Writes ``train_accuracy.png``, ``test_accuracy.png`` and ``grid.csv`` (every cell: eta,
lambda, accuracies, status, epochs, seconds) into ``--output-dir`` and prints the best pair on
one line. Diverged cells are kept in the CSV with status 'diverged' and drawn hatched.
"""
from __future__ import annotations

import argparse

import numpy as np

from nnlab.commands._common import add_output_dir, output_dir

HELP = "the lecture's eta x lambda grid search on the digits: accuracy heatmaps (PNG) and a CSV of every cell"


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(not np.isfinite(v) or v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers >= 0 like 1e-5,1e-4, got {text!r}")
    return values


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated layer widths like 50 or 100,50, got {text!r}")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.grid import DATASETS, LECTURE_ETAS, LECTURE_LAMBDAS

    add_output_dir(parser, "grid")
    default_etas = ",".join(f"{v:g}" for v in LECTURE_ETAS)
    default_lambdas = ",".join(f"{v:g}" for v in LECTURE_LAMBDAS)
    parser.add_argument("--etas", type=_floats, default=list(LECTURE_ETAS),
                        help=f"learning rates (default: logspace(-5, 1, 7) = {default_etas})")
    parser.add_argument("--lambdas", type=_floats, default=list(LECTURE_LAMBDAS),
                        help=f"L2 strengths (default: {default_lambdas})")
    parser.add_argument("--dataset", choices=DATASETS, default="digits", help="data set (default: digits)")
    parser.add_argument("--hidden", type=_sizes, default=(50,), help="hidden layer widths, e.g. 100,50 (default: 50)")
    parser.add_argument("--activation", default="sigmoid", help="hidden activation (default: sigmoid)")
    parser.add_argument("--init", default="normal",
                        help="weight initialiser (default: normal, the lecture's N(0, 1))")
    parser.add_argument("--reduction", choices=("sum", "mean"), default="sum",
                        help="gradient summed over the batch as the lecture (sum) or averaged (mean)")
    parser.add_argument("--scale", choices=("auto", "none", "standard", "minmax"), default="auto",
                        help="feature scaling (auto: raw digits as the lecture, standardised otherwise)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs per cell (default: 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch size (default: 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the batches")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default: 2)")
    parser.add_argument("--quick", action="store_true", help="a short run: 10 epochs per cell")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.grid import grid_search
    from nnlab.plots.grid import format_value, save_grid_heatmaps

    if args.epochs < 1 or args.batch_size < 1 or args.jobs < 1:
        raise SystemExit("--epochs, --batch-size and --jobs must be positive integers")
    out = output_dir(args)
    result = grid_search(args.etas, args.lambdas, dataset=args.dataset, hidden=args.hidden,
                         activation=args.activation, init=args.init, reduction=args.reduction,
                         epochs=10 if args.quick else args.epochs, batch_size=args.batch_size, scale=args.scale,
                         seed=args.seed, n_jobs=args.jobs)
    result.to_csv(out / "grid.csv")
    save_grid_heatmaps(result, out)
    diverged = sum(not c.ok for c in result.cells)
    try:
        best = result.best()
    except ValueError as exc:
        print(f"no result: {exc} ({out})")
        return 1
    print(f"best eta={format_value(best.eta)} lambda={format_value(best.lam)}: test accuracy: "
          f"{best.test_accuracy:.4f} (train {best.train_accuracy:.4f}; {len(result.cells)} cells, {diverged} diverged, "
          f"{result.seconds:.1f} s; {out})")
    return 0
