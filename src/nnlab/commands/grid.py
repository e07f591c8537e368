"""``nnlab grid``: the lecture's eta x lambda grid search, with heatmaps of the train and test scores.

Classification (``--task classification``, the digits or breast cancer): train and test accuracy.
Regression (``--task regression``, the Franke function): train and test MSE and R^2. Writes one
heatmap per score and ``grid.csv`` (every cell: eta, lambda, scores, status, epochs, seconds)
into ``--output-dir`` and prints the best pair first. Diverged cells are kept in the CSV with
status 'diverged' and drawn hatched. ``--scheduler ADDRESS`` (or ``local``) runs the cells on a
Dask cluster (``pip install -e '.[dask]'``) with the same results.
"""
from __future__ import annotations

import argparse

import numpy as np

from nnlab.commands._common import add_hidden, add_output_dir, output_dir, print_result

HELP = ("the lecture's eta x lambda grid search (digits accuracy, or Franke-function MSE and R2): heatmaps (PNG) "
        "and a CSV of every cell")


def _floats(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or any(not np.isfinite(v) or v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers >= 0 like 1e-5,1e-4, got {text!r}")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.grid import DATASETS, LECTURE_ETAS, LECTURE_LAMBDAS, TASKS

    add_output_dir(parser, "grid")
    default_etas = ",".join(f"{v:g}" for v in LECTURE_ETAS)
    default_lambdas = ",".join(f"{v:g}" for v in LECTURE_LAMBDAS)
    parser.add_argument("--etas", type=_floats, default=list(LECTURE_ETAS),
                        help=f"learning rates (default: logspace(-5, 1, 7) = {default_etas})")
    parser.add_argument("--lambdas", type=_floats, default=list(LECTURE_LAMBDAS),
                        help=f"L2 strengths (default: {default_lambdas})")
    parser.add_argument("--task", choices=TASKS, default="classification",
                        help="classification (accuracy) or regression (MSE and R2) (default: classification)")
    parser.add_argument("--dataset", choices=tuple(DATASETS), default=None,
                        help="data set of the task: digits, breast_cancer (classification), franke (regression) "
                             "(default: digits, or franke with --task regression)")
    add_hidden(parser, (50,))
    parser.add_argument("--activation", default="sigmoid", help="hidden activation (default: sigmoid)")
    parser.add_argument("--init", default="normal",
                        help="weight initialiser (default: normal, the lecture's N(0, 1))")
    parser.add_argument("--reduction", choices=("sum", "mean"), default="sum",
                        help="gradient summed over the batch as the lecture (sum) or averaged (mean)")
    parser.add_argument("--scale", choices=("auto", "none", "standard", "minmax"), default="auto",
                        help="feature scaling (auto: raw digits and Franke points as the lecture, else standardised)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs per cell (default: 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch size (default: 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the batches")
    parser.add_argument("--jobs", type=int, default=2,
                        help="parallel processes, or the workers of --scheduler local (default: 2)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS|local",
                        help="run the cells on a Dask cluster: the scheduler's address (tcp://host:8786) or 'local' "
                             "for a LocalCluster here; needs pip install -e '.[dask]'")
    parser.add_argument("--quick", action="store_true", help="a short run: 10 epochs per cell")


def config_from(args: argparse.Namespace):
    """The :class:`~nnlab.experiments.grid.GridConfig` of parsed arguments, checked (ValueError naming the option)."""
    from nnlab.experiments.grid import GridConfig

    config = GridConfig(etas=tuple(args.etas), lambdas=tuple(args.lambdas), task=args.task, dataset=args.dataset,
                        hidden=tuple(args.hidden), activation=args.activation, init=args.init,
                        reduction=args.reduction, scale=args.scale, epochs=10 if args.quick else args.epochs,
                        batch_size=args.batch_size, seed=args.seed, jobs=args.jobs, scheduler=args.scheduler)
    if args.quick and args.epochs < 1:
        raise ValueError(f"--epochs must be a positive integer, got {args.epochs}")
    config.check()
    return config


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.grid import run as run_grid

    config = config_from(args)  # checked before the output directory is created
    config.output_dir = output_dir(args)
    return print_result(run_grid(config))
