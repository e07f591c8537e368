"""``nnlab digits``: the lecture's feed-forward network on the 8x8 digits (:mod:`nnlab.experiments.digits`).

By default (and exactly with ``--lecture``) the lecture's set-up; ``--best`` our stronger one.
Options given on the command line change the preset.
"""
from __future__ import annotations

import argparse

from nnlab.commands._common import add_hidden, add_output_dir, output_dir, print_result
from nnlab.experiments.digits import LECTURE, DigitsConfig, config_from, run as run_digits

HELP = "train the lecture's digits network; prints the test accuracy and the confusion matrix"

_OPTIONS = tuple(LECTURE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    preset = parser.add_mutually_exclusive_group()
    preset.add_argument("--lecture", action="store_true",
                        help="exactly the lecture's configuration (the default; refuses options that change it)")
    preset.add_argument("--best", action="store_true",
                        help="our stronger configuration: inputs/16, 256 ReLU + dropout 0.2, Adam, mean loss")
    add_hidden(parser, None)
    parser.add_argument("--activation", help="hidden activation: sigmoid, tanh, relu, leaky_relu, elu (default: sigmoid)")
    parser.add_argument("--optimizer", help="sgd, adam, adamw, rmsprop, adagrad (default: sgd)")
    parser.add_argument("--eta", type=float, help="learning rate (default: 0.002)")
    parser.add_argument("--lmbd", type=float, help="L2 strength lambda: the gradient gets + lambda W (default: 1)")
    parser.add_argument("--epochs", type=int, help="epochs (default: 100)")
    parser.add_argument("--batch-size", type=int, help="minibatch size (default: 100)")
    parser.add_argument("--reduction", choices=("sum", "mean"),
                        help="sum the cost over the batch (the lecture) or average it (default: sum)")
    parser.add_argument("--init", help="weight initialiser: normal (the lecture's N(0,1)), glorot_uniform, he_normal, "
                                       "auto, ... (default: normal; biases start at 0.01 with normal)")
    parser.add_argument("--scale", choices=("none", "max", "standard"),
                        help="input scaling: raw pixels, /16, or standardised (default: none)")
    parser.add_argument("--dropout", type=float, help="dropout rate after each hidden layer (default: 0)")
    parser.add_argument("--dtype", choices=("float32", "float64"), help="parameter dtype (default: float64)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the weights and the shuffling (default: 0)")
    parser.add_argument("--verbose", type=int, default=0, help="1: progress bar on a terminal")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (default: 1, the fastest for these small matrices; 0: library default)")
    add_output_dir(parser, "digits")


def config(args: argparse.Namespace) -> DigitsConfig:
    """The preset, with the options given on the command line on top (ValueError for --lecture with changes)."""
    given = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k, None) is not None}
    if args.lecture and given:
        raise ValueError(f"--lecture fixes every setting; drop {', '.join('--' + k.replace('_', '-') for k in given)} "
                         "(or leave out --lecture to change them)")
    return config_from("best" if args.best else "lecture", **given, seed=args.seed, verbose=args.verbose,
                       threads=args.threads)


def run(args: argparse.Namespace) -> int:
    settings = config(args)  # checked before the output directory is created
    settings.output_dir = output_dir(args)
    return print_result(run_digits(settings))
