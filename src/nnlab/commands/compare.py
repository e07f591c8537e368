"""``nnlab compare``: the lecture's networks trained by nnlab, scikit-learn, PyTorch and Keras side by side.

Runs :mod:`nnlab.experiments.compare`: writes ``compare.md``, ``compare.csv`` and
``compare_accuracy.png`` into ``--output-dir`` and prints the test accuracies on one line.
Libraries that are not installed are skipped with a note (``pip install nnlab[compare]``).
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, comma_names, output_dir, print_result

HELP = "train the lecture's two digits networks with nnlab, scikit-learn, PyTorch and Keras (torch backend) and compare"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from nnlab.experiments.compare import LIBRARIES, NETWORKS

    add_output_dir(parser, "compare")
    parser.add_argument("--libraries", type=comma_names(LIBRARIES), default=list(LIBRARIES),
                        help=f"comma-separated, from {','.join(LIBRARIES)} (default: all)")
    parser.add_argument("--networks", type=comma_names(tuple(NETWORKS)), default=list(NETWORKS),
                        help=f"comma-separated, from {','.join(NETWORKS)} (default: both)")
    parser.add_argument("--eta", type=float, default=0.5, help="SGD learning rate on the mean batch loss (default 0.5)")
    parser.add_argument("--lam", type=float, default=1e-4,
                        help="L2 strength, scikit-learn's alpha: lam/(2 n) ||W||^2 per batch of n (default 1e-4)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch size (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the initial weights and the batches")
    parser.add_argument("--threads", type=int, default=1, help="BLAS/PyTorch threads while training (default 1)")
    parser.add_argument("--quick", action="store_true", help="a short run: 10 epochs")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.compare import CompareConfig, run as run_compare

    config = CompareConfig(libraries=tuple(args.libraries), networks=tuple(args.networks), eta=args.eta, lam=args.lam,
                           epochs=10 if args.quick else args.epochs, batch_size=args.batch_size, seed=args.seed,
                           threads=args.threads)
    config.check()
    config.output_dir = output_dir(args)
    return print_result(run_compare(config))
