"""``nnlab rbm``: a Bernoulli restricted Boltzmann machine on the 8x8 digits (:mod:`nnlab.experiments.rbm`).

Prints the mean pseudo-likelihood of the test digits (ours and scikit-learn's), then ``test
accuracy: ...`` of RBM features + logistic regression.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_output_dir, output_dir, print_result

HELP = "restricted Boltzmann machine on the digits: components, Gibbs samples, RBM features + logistic regression"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n-components", type=int, default=100, help="hidden units (default 100)")
    parser.add_argument("--learning-rate", type=float, default=0.06, help="CD learning rate (default 0.06)")
    parser.add_argument("--batch-size", type=int, default=10, help="minibatch size (default 10)")
    parser.add_argument("--n-iter", type=int, default=20, help="passes over the training digits (default 20)")
    parser.add_argument("--k", type=int, default=1, help="Gibbs steps per update, CD-k (default 1)")
    parser.add_argument("--persistent", action="store_true", help="persistent CD (PCD) instead of CD-k")
    parser.add_argument("--C", type=float, default=100.0, help="inverse regularisation of the logistic regression")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the sampling")
    parser.add_argument("--quick", action="store_true", help="a short run: 5 passes")
    add_output_dir(parser, "rbm")


def run(args: argparse.Namespace) -> int:
    from nnlab.experiments.rbm import RBMConfig, run as run_rbm

    config = RBMConfig(n_components=args.n_components, learning_rate=args.learning_rate, batch_size=args.batch_size,
                       n_iter=5 if args.quick else args.n_iter, k=args.k, persistent=args.persistent, C=args.C,
                       seed=args.seed)
    config.check()
    config.output_dir = output_dir(args)
    return print_result(run_rbm(config))
